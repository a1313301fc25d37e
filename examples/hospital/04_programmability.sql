USE [Hospital]
GO
/****** Object:  Synonym [dbo].[Patients]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SYNONYM [dbo].[Patients] FOR [dbo].[Patient]
GO
/****** Object:  Synonym [lab].[Results]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SYNONYM [lab].[Results] FOR [Hospital].[lab].[LabResult]
GO
/****** Object:  Synonym [dbo].[LegacyPatient]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SYNONYM [dbo].[LegacyPatient] FOR [HIS_Old].[dbo].[BRXX]
GO
/****** Object:  UserDefinedFunction [dbo].[fn_AgeInYears]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE FUNCTION [dbo].[fn_AgeInYears]
(
	@BirthDate date,
	@AsOf date = NULL
)
RETURNS int
WITH SCHEMABINDING
AS
BEGIN
	DECLARE @d date = ISNULL(@AsOf, CONVERT(date, GETDATE()));
	RETURN DATEDIFF(year, @BirthDate, @d)
		- CASE WHEN DATEADD(year, DATEDIFF(year, @BirthDate, @d), @BirthDate) > @d THEN 1 ELSE 0 END;
END
GO
/****** Object:  UserDefinedFunction [lab].[fn_ResultsForVisit]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE FUNCTION [lab].[fn_ResultsForVisit] (@VisitId bigint)
RETURNS TABLE
AS
RETURN
(
	SELECT r.ResultId, r.TestCode, t.Name AS TestName, r.ValueNumeric, r.ValueText, r.Flag, r.ResultedAt
	FROM lab.LabResult r WITH (NOLOCK)
	JOIN lab.Specimen s WITH (NOLOCK) ON s.SpecimenId = r.SpecimenId
	JOIN clin.[Order] o ON o.OrderId = s.OrderId
	JOIN lab.TestCatalog t ON t.TestCode = r.TestCode
	WHERE o.VisitId = @VisitId
)
GO
/****** Object:  View [clin].[vw_CurrentInpatients]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE VIEW [clin].[vw_CurrentInpatients]
AS
SELECT p.PatientId, p.Mrn, p.FamilyName + N' ' + ISNULL(p.GivenName, N'') AS PatientName,
       w.Name AS WardName, a.BedNo, a.AdmittedAt,
       DATEDIFF(day, a.AdmittedAt, GETDATE()) AS DaysInHospital
FROM clin.Admission a WITH (NOLOCK)
JOIN clin.Visit v ON v.VisitId = a.VisitId
JOIN dbo.Patient p ON p.PatientId = v.PatientId
JOIN dbo.Ward w ON w.WardId = a.WardId
WHERE a.DischargedAt IS NULL
GO
/****** Object:  View [bill].[vw_OutstandingInvoices]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE VIEW [bill].[vw_OutstandingInvoices]
WITH SCHEMABINDING
AS
SELECT TOP (100) PERCENT i.InvoiceId, i.VisitId, i.IssuedAt, i.Total, i.Paid, i.Balance,
       CONVERT(varchar(10), i.DueOn, 120) AS DueOnText
FROM bill.Invoice i
WHERE i.Status IN ('OPEN', 'PARTIAL')
ORDER BY i.DueOn
GO
/****** Object:  StoredProcedure [dbo].[usp_RegisterPatient]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [dbo].[usp_RegisterPatient]
	@Mrn varchar(20),
	@FamilyName nvarchar(50),
	@GivenName nvarchar(50) = NULL,
	@Sex char(1),
	@BirthDate date,
	@PatientId int OUTPUT
AS
BEGIN
	SET NOCOUNT ON;
	SET XACT_ABORT ON;
	BEGIN TRY
		BEGIN TRANSACTION;
		IF EXISTS (SELECT 1 FROM dbo.Patient WITH (NOLOCK) WHERE Mrn = @Mrn)
		BEGIN
			RAISERROR(N'MRN %s already registered', 16, 1, @Mrn);
		END
		INSERT INTO dbo.Patient (Mrn, FamilyName, GivenName, Sex, BirthDate)
		VALUES (@Mrn, @FamilyName, @GivenName, @Sex, @BirthDate);
		SET @PatientId = SCOPE_IDENTITY();
		COMMIT TRANSACTION;
	END TRY
	BEGIN CATCH
		IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
		DECLARE @msg nvarchar(2048) = ERROR_MESSAGE();
		THROW 50001, @msg, 1;
	END CATCH
END
GO
/****** Object:  StoredProcedure [clin].[usp_DailyCensus]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [clin].[usp_DailyCensus]
	@AsOf date = NULL
AS
SET NOCOUNT ON
IF @AsOf IS NULL SET @AsOf = CONVERT(date, GETDATE())

CREATE TABLE #census (WardId int, WardName nvarchar(50), Patients int)

INSERT INTO #census (WardId, WardName, Patients)
SELECT w.WardId, w.Name, COUNT(*)
FROM clin.Admission a WITH (NOLOCK)
JOIN dbo.Ward w ON w.WardId = a.WardId
WHERE a.AdmittedAt < DATEADD(day, 1, @AsOf)
  AND (a.DischargedAt IS NULL OR a.DischargedAt >= @AsOf)
GROUP BY w.WardId, w.Name

IF @@ERROR <> 0 GOTO err

DECLARE @ward int, @name nvarchar(50), @n int
DECLARE c CURSOR LOCAL FAST_FORWARD FOR SELECT WardId, WardName, Patients FROM #census
OPEN c
FETCH NEXT FROM c INTO @ward, @name, @n
WHILE @@FETCH_STATUS = 0
BEGIN
	PRINT @name + ': ' + CONVERT(varchar(10), @n)
	FETCH NEXT FROM c INTO @ward, @name, @n
END
CLOSE c
DEALLOCATE c

SELECT * FROM #census ORDER BY WardName
RETURN 0
err:
RETURN 1
GO
/****** Object:  StoredProcedure [bill].[usp_SearchInvoices]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [bill].[usp_SearchInvoices]
	@Status varchar(12) = NULL,
	@From datetime = NULL,
	@Rows int OUTPUT
WITH EXECUTE AS OWNER
AS
BEGIN
	SET NOCOUNT ON;
	DECLARE @sql nvarchar(max) = N'SELECT InvoiceId, Total, Status FROM bill.Invoice WHERE 1 = 1';
	IF @Status IS NOT NULL SET @sql = @sql + N' AND Status = @s';
	IF @From IS NOT NULL SET @sql = @sql + N' AND IssuedAt >= @f';
	EXEC sp_executesql @sql, N'@s varchar(12), @f datetime', @s = @Status, @f = @From;
	SET @Rows = @@ROWCOUNT;
	SELECT p.* FROM [LEGACYSRV].[HIS].[dbo].[SFXX] p WHERE p.Status = @Status;
END
GO
/****** Object:  Trigger [dbo].[trg_Patient_Audit]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TRIGGER [dbo].[trg_Patient_Audit] ON [dbo].[Patient]
AFTER UPDATE, DELETE
AS
BEGIN
	SET NOCOUNT ON;
	INSERT INTO dbo.AuditLog (TableName, KeyValue, Action, ChangedBy, OldRow)
	SELECT 'Patient', d.PatientId, CASE WHEN i.PatientId IS NULL THEN 'D' ELSE 'U' END, SUSER_SNAME(),
	       (SELECT d.* FOR XML RAW('row'), TYPE)
	FROM deleted d
	LEFT JOIN inserted i ON i.PatientId = d.PatientId;
END
GO
ALTER TABLE [dbo].[Patient] ENABLE TRIGGER [trg_Patient_Audit]
GO
/****** Object:  Trigger [pharm].[trg_Dispense_Stock]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TRIGGER [pharm].[trg_Dispense_Stock] ON [pharm].[DispenseRecord]
AFTER INSERT
AS
BEGIN
	SET NOCOUNT ON;
	UPDATE inv SET OnHand = inv.OnHand - ins.Quantity
	FROM pharm.Inventory inv
	JOIN inserted ins ON ins.LotNo = inv.LotNo
	JOIN pharm.Prescription p ON p.PrescriptionId = ins.PrescriptionId AND p.DrugCode = inv.DrugCode;
	IF @@ROWCOUNT = 0
		RAISERROR('No stock row for dispensed lot', 16, 1);
END
GO
ALTER TABLE [pharm].[DispenseRecord] ENABLE TRIGGER [trg_Dispense_Stock]
GO
