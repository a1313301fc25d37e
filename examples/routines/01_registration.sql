USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
/****** Object:  StoredProcedure [dbo].[usp_Patient_Register] ******/
CREATE PROCEDURE [dbo].[usp_Patient_Register]
	@Mrn dbo.ut_Mrn,
	@FamilyName dbo.ut_Name,
	@GivenName dbo.ut_Name = NULL,
	@Sex char(1),
	@BirthDate date,
	@Phone varchar(20) = NULL,
	@PatientId int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @err int

	IF EXISTS (SELECT 1 FROM dbo.Patient WITH (NOLOCK) WHERE Mrn = @Mrn)
	BEGIN
		SELECT @PatientId = PatientId FROM dbo.Patient WITH (NOLOCK) WHERE Mrn = @Mrn
		RETURN 1
	END

	BEGIN TRAN
	INSERT INTO dbo.Patient (Mrn, FamilyName, GivenName, Sex, BirthDate, Phone, CreatedBy)
	VALUES (@Mrn, @FamilyName, ISNULL(@GivenName, N''), UPPER(@Sex), @BirthDate, @Phone, N'registration')
	SELECT @err = @@ERROR
	IF @err <> 0 GOTO on_error

	SET @PatientId = SCOPE_IDENTITY()

	INSERT INTO dbo.PatientAddress (PatientId, Kind, Line1, City)
	VALUES (@PatientId, 'HOME', N'(unknown)', N'(unknown)')
	IF @@ERROR <> 0 GOTO on_error

	COMMIT TRAN
	RETURN 0

on_error:
	ROLLBACK TRAN
	SET @PatientId = NULL
	RETURN -1
END
GO
/****** Object:  StoredProcedure [dbo].[usp_Patient_UpdatePhone] ******/
CREATE PROCEDURE [dbo].[usp_Patient_UpdatePhone]
	@PatientId int,
	@Phone varchar(20),
	@Updated int OUTPUT
AS
SET NOCOUNT ON
UPDATE dbo.Patient
   SET Phone = LTRIM(RTRIM(@Phone)),
       UpdatedAt = SYSDATETIME()
 WHERE PatientId = @PatientId
SET @Updated = @@ROWCOUNT
IF @Updated = 0
BEGIN
	RAISERROR('Patient %d not found', 16, 1, @PatientId)
	RETURN 1
END
RETURN 0
GO
/****** Object:  StoredProcedure [dbo].[usp_Patient_Search] ******/
CREATE PROCEDURE [dbo].[usp_Patient_Search]
	@FamilyName nvarchar(50) = NULL,
	@Sex char(1) = NULL,
	@BornAfter date = NULL
AS
BEGIN
	SET NOCOUNT ON;
	DECLARE @sql nvarchar(2000);
	SET @sql = N'SELECT PatientId, Mrn, FamilyName, GivenName FROM dbo.Patient WHERE IsDeceased = 0';
	IF @FamilyName IS NOT NULL
		SET @sql = @sql + N' AND FamilyName LIKE @fn';
	IF @Sex IS NOT NULL
		SET @sql = @sql + N' AND Sex = @sx';
	IF @BornAfter IS NOT NULL
		SET @sql = @sql + N' AND BirthDate > @ba';
	SET @sql = @sql + N' ORDER BY FamilyName, PatientId';
	EXEC sp_executesql @sql, N'@fn nvarchar(51), @sx char(1), @ba date',
		@fn = @FamilyName, @sx = @Sex, @ba = @BornAfter;
END
GO
/****** Object:  StoredProcedure [dbo].[usp_Patient_GetSummary] ******/
CREATE PROCEDURE [dbo].[usp_Patient_GetSummary]
	@PatientId int,
	@Summary nvarchar(400) OUTPUT,
	@VisitCount int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @name nvarchar(101), @born date, @sex char(1)
	SELECT @name = FamilyName + N' ' + ISNULL(GivenName, N''), @born = BirthDate, @sex = Sex
	  FROM dbo.Patient WITH (NOLOCK)
	 WHERE PatientId = @PatientId
	IF @name IS NULL
	BEGIN
		SET @Summary = NULL
		SET @VisitCount = 0
		RETURN 1
	END
	SELECT @VisitCount = COUNT(*) FROM clin.Visit WITH (NOLOCK) WHERE PatientId = @PatientId
	SET @Summary = @name + N' (' + @sex + N', born ' + CONVERT(varchar(10), @born, 120)
	             + N', ' + CONVERT(varchar(10), @VisitCount) + N' visits)'
	RETURN 0
END
GO
/****** Object:  UserDefinedFunction [dbo].[fn_FormatName] ******/
CREATE FUNCTION [dbo].[fn_FormatName] (@Family nvarchar(50), @Given nvarchar(50))
RETURNS nvarchar(101)
AS
BEGIN
	RETURN LTRIM(RTRIM(ISNULL(@Family, N''))) + CASE WHEN LEN(@Given) > 0 THEN N', ' + LTRIM(RTRIM(@Given)) ELSE N'' END
END
GO
/****** Object:  UserDefinedFunction [dbo].[fn_AgeAt] ******/
CREATE FUNCTION [dbo].[fn_AgeAt] (@BirthDate date, @At date)
RETURNS int
AS
BEGIN
	DECLARE @age int
	SET @age = DATEDIFF(year, @BirthDate, @At)
	IF DATEADD(year, @age, @BirthDate) > @At
		SET @age = @age - 1
	RETURN @age
END
GO
/****** Object:  StoredProcedure [dbo].[usp_Allergy_Add] ******/
CREATE PROCEDURE [dbo].[usp_Allergy_Add]
	@PatientId int,
	@Substance nvarchar(100),
	@Severity tinyint = 2,
	@RecordedBy int = NULL,
	@AllergyId int OUTPUT
AS
SET NOCOUNT ON
IF NOT EXISTS (SELECT * FROM dbo.Patient WHERE PatientId = @PatientId)
BEGIN
	RAISERROR('Unknown patient %d', 16, 1, @PatientId)
	RETURN -1
END
IF EXISTS (SELECT * FROM dbo.Allergy WHERE PatientId = @PatientId AND Substance = @Substance)
BEGIN
	UPDATE dbo.Allergy SET Severity = CASE WHEN @Severity > Severity THEN @Severity ELSE Severity END
	 WHERE PatientId = @PatientId AND Substance = @Substance
	SELECT @AllergyId = AllergyId FROM dbo.Allergy WHERE PatientId = @PatientId AND Substance = @Substance
	RETURN 1
END
INSERT dbo.Allergy (PatientId, Substance, Severity, RecordedBy)
VALUES (@PatientId, @Substance, @Severity, @RecordedBy)
IF @@ERROR <> 0 RETURN -2
SET @AllergyId = SCOPE_IDENTITY()
RETURN 0
GO
/****** Object:  View [dbo].[vw_PatientDirectory] ******/
CREATE VIEW [dbo].[vw_PatientDirectory]
AS
SELECT p.PatientId,
       p.Mrn,
       p.FamilyName + N' ' + ISNULL(p.GivenName, N'') AS DisplayName,
       CONVERT(char(8), p.BirthDate, 112) AS BirthDateText,
       ISNULL(p.Phone, 'n/a') AS Phone,
       a.City
FROM dbo.Patient p WITH (NOLOCK)
LEFT JOIN dbo.PatientAddress a WITH (NOLOCK) ON a.PatientId = p.PatientId AND a.Kind = 'HOME' AND a.ValidTo IS NULL
WHERE p.IsDeceased = 0
GO
/****** Object:  StoredProcedure [dbo].[usp_Address_SetCurrent] ******/
CREATE PROCEDURE [dbo].[usp_Address_SetCurrent]
	@PatientId int,
	@Kind varchar(10),
	@Line1 nvarchar(200),
	@City nvarchar(100),
	@PostalCode varchar(10) = NULL
AS
BEGIN
	SET NOCOUNT ON
	SET XACT_ABORT ON
	BEGIN TRANSACTION
	UPDATE a
	   SET ValidTo = CONVERT(date, GETDATE())
	  FROM dbo.PatientAddress a
	  JOIN dbo.Patient p ON p.PatientId = a.PatientId
	 WHERE a.PatientId = @PatientId AND a.Kind = @Kind AND a.ValidTo IS NULL
	INSERT INTO dbo.PatientAddress (PatientId, Kind, Line1, City, PostalCode, ValidFrom)
	VALUES (@PatientId, @Kind, @Line1, @City, @PostalCode, CONVERT(date, GETDATE()))
	COMMIT TRANSACTION
END
GO
/****** Object:  StoredProcedure [dbo].[usp_Patient_MarkDeceased] ******/
CREATE PROCEDURE [dbo].[usp_Patient_MarkDeceased]
	@PatientId int,
	@DeceasedAt datetime2(0)
AS
BEGIN
	SET NOCOUNT ON;
	BEGIN TRY
		BEGIN TRAN;
		UPDATE dbo.Patient SET IsDeceased = 1, DeceasedAt = @DeceasedAt WHERE PatientId = @PatientId;
		IF @@ROWCOUNT = 0
			THROW 50010, N'Patient not found', 1;
		UPDATE pharm.Prescription SET Status = 'STOPPED'
		 WHERE Status = 'ACTIVE' AND VisitId IN (SELECT VisitId FROM clin.Visit WHERE PatientId = @PatientId);
		COMMIT TRAN;
	END TRY
	BEGIN CATCH
		IF @@TRANCOUNT > 0 ROLLBACK TRAN;
		THROW;
	END CATCH
END
GO
