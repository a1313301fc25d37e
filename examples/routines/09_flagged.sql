-- Constructs flagged when the corpus was written: six now convert by structural rewrites
-- (see README.md); the rest must come out flagged with the construct and line.
USE [Hospital]
GO
CREATE PROCEDURE [dbo].[usp_Flag_MergePriceList]
	@ServiceCode varchar(20),
	@Price money
AS
MERGE bill.PriceList AS t
USING (SELECT @ServiceCode AS ServiceCode, CONVERT(smalldatetime, CONVERT(date, GETDATE())) AS EffectiveFrom, @Price AS Price) AS s
   ON t.ServiceCode = s.ServiceCode AND t.EffectiveFrom = s.EffectiveFrom
 WHEN MATCHED THEN UPDATE SET Price = s.Price
 WHEN NOT MATCHED THEN INSERT (ServiceCode, EffectiveFrom, Price, Currency) VALUES (s.ServiceCode, s.EffectiveFrom, s.Price, N'CNY');
GO
CREATE PROCEDURE [dbo].[usp_Flag_LegacyLookup]
	@Mrn varchar(20)
AS
SELECT BRID, XM FROM [LEGACYSRV].[HIS].[dbo].[BRXX] WHERE MZH = @Mrn
GO
CREATE PROCEDURE [dbo].[usp_Flag_CaptureResults]
	@VisitId bigint
AS
CREATE TABLE #r (ResultId bigint, Abnormal int, Critical int)
INSERT INTO #r EXEC lab.usp_Lab_AbnormalCount @VisitId, 0, 0
SELECT * FROM #r
GO
CREATE PROCEDURE [dbo].[usp_Flag_ScrollCursor]
AS
DECLARE @id int
DECLARE c SCROLL CURSOR FOR SELECT PatientId FROM dbo.Patient ORDER BY PatientId
OPEN c
FETCH LAST FROM c INTO @id
CLOSE c
DEALLOCATE c
SELECT @id AS LastPatient
GO
CREATE PROCEDURE [dbo].[usp_Flag_ParseDose]
	@Text varchar(20),
	@Dose decimal(10,3) OUTPUT
AS
SET @Dose = TRY_CONVERT(decimal(10,3), @Text)
GO
CREATE PROCEDURE [dbo].[usp_Flag_PatientXml]
	@PatientId int
AS
SELECT PatientId, Mrn, FamilyName FROM dbo.Patient WHERE PatientId = @PatientId FOR XML RAW('patient')
GO
CREATE PROCEDURE [dbo].[usp_Flag_TopNDynamic]
	@Table sysname,
	@N int
AS
DECLARE @sql nvarchar(400)
SET @sql = N'SELECT TOP ' + CONVERT(nvarchar(10), @N) + N' * FROM ' + QUOTENAME(@Table)
EXEC (@sql)
GO
CREATE PROCEDURE [dbo].[usp_Flag_DeleteReturning]
	@Before datetime2(3)
AS
DELETE FROM dbo.AuditLog OUTPUT deleted.AuditId, deleted.TableName WHERE ChangedAt < @Before
GO
CREATE PROCEDURE [dbo].[usp_Flag_ConcatRows]
	@PatientId int,
	@List nvarchar(4000) OUTPUT
AS
SET @List = N''
SELECT @List = @List + Substance + N'; ' FROM dbo.Allergy WHERE PatientId = @PatientId ORDER BY Substance
GO
