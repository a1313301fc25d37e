-- Constructs converted by structural rewrites (MERGE, APPLY, PIVOT/UNPIVOT,
-- OUTPUT, INSERT ... EXEC, table-valued functions used in FROM/APPLY), and
-- one that stays flagged (a multi-statement table-valued function with a
-- loop). Not part of the original 80-object corpus: the README reports both
-- figures.
USE [Hospital]
GO
CREATE PROCEDURE [lab].[usp_Lab_LatestPerTest]
	@VisitId bigint
AS
SET NOCOUNT ON
SELECT tc.TestCode, tc.Name, lr.ResultId, lr.ValueNumeric, lr.Flag
  FROM lab.TestCatalog tc
 CROSS APPLY (SELECT TOP (1) r.ResultId, r.ValueNumeric, r.Flag
                FROM lab.LabResult r
                JOIN lab.Specimen s ON s.SpecimenId = r.SpecimenId
                JOIN clin.[Order] o ON o.OrderId = s.OrderId
               WHERE o.VisitId = @VisitId AND r.TestCode = tc.TestCode
               ORDER BY r.ResultId DESC) lr
 ORDER BY tc.TestCode
GO
CREATE PROCEDURE [clin].[usp_Clin_LastVitals]
	@PatientId int
AS
SET NOCOUNT ON
SELECT v.VisitId, lv.TakenAt, lv.TemperatureC, lv.PulseBpm
  FROM clin.Visit v
 OUTER APPLY (SELECT TOP 1 vs.TakenAt, vs.TemperatureC, vs.PulseBpm
                FROM clin.VitalSign vs
               WHERE vs.VisitId = v.VisitId
               ORDER BY vs.TakenAt DESC, vs.VitalId DESC) AS lv
 WHERE v.PatientId = @PatientId
 ORDER BY v.VisitId
GO
CREATE PROCEDURE [bill].[usp_Bill_PaymentsByMethod]
	@From date,
	@To date
AS
SET NOCOUNT ON
SELECT InvoiceId, [CASH], [CARD], [INSURANCE]
  FROM (SELECT p.InvoiceId, p.Method, p.Amount
          FROM bill.Payment p
         WHERE p.PaidAt >= @From AND p.PaidAt < DATEADD(day, 1, @To)) AS src
 PIVOT (SUM(Amount) FOR Method IN ([CASH], [CARD], [INSURANCE])) AS pvt
 ORDER BY InvoiceId
GO
CREATE PROCEDURE [clin].[usp_Clin_VitalsAsRows]
	@VisitId bigint
AS
SET NOCOUNT ON
SELECT VitalId, Measure, Reading
  FROM (SELECT VitalId,
               CONVERT(decimal(6,1), PulseBpm) AS Pulse,
               CONVERT(decimal(6,1), SystolicMmHg) AS Systolic,
               CONVERT(decimal(6,1), DiastolicMmHg) AS Diastolic
          FROM clin.VitalSign
         WHERE VisitId = @VisitId) AS v
UNPIVOT (Reading FOR Measure IN (Pulse, Systolic, Diastolic)) AS u
 ORDER BY VitalId, Measure
GO
CREATE PROCEDURE [bill].[usp_Bill_RefreshInvoiceTotals]
	@Changed int OUTPUT
AS
SET NOCOUNT ON
MERGE bill.Invoice AS i
USING (SELECT InvoiceId, SUM(LineTotal) AS LinesTotal FROM bill.InvoiceLine GROUP BY InvoiceId) AS l
   ON i.InvoiceId = l.InvoiceId
 WHEN MATCHED AND i.Total <> l.LinesTotal THEN
      UPDATE SET Total = l.LinesTotal,
                 Status = CASE WHEN i.Paid >= l.LinesTotal THEN 'PAID' ELSE i.Status END
 WHEN NOT MATCHED BY SOURCE AND i.Total <> 0 AND i.Paid = 0 THEN
      UPDATE SET Total = 0;
SET @Changed = @@ROWCOUNT
GO
CREATE PROCEDURE [pharm].[usp_Pharm_StockCount]
	@DrugCode varchar(20),
	@LotNo varchar(30),
	@Counted int,
	@At smalldatetime
AS
SET NOCOUNT ON
MERGE pharm.Inventory AS inv
USING (SELECT @DrugCode AS DrugCode, @LotNo AS LotNo, @Counted AS Counted) AS c
   ON inv.DrugCode = c.DrugCode AND inv.LotNo = c.LotNo
 WHEN MATCHED AND c.Counted = 0 THEN DELETE
 WHEN MATCHED THEN UPDATE SET OnHand = c.Counted, LastCounted = @At;
RETURN @@ROWCOUNT
GO
CREATE PROCEDURE [dbo].[usp_Reg_AddAllergyLogged]
	@PatientId int,
	@Substance nvarchar(100),
	@Severity tinyint,
	@At smalldatetime
AS
SET NOCOUNT ON
DECLARE @new TABLE (AllergyId int, RecordedAt smalldatetime)
INSERT INTO dbo.Allergy (PatientId, Substance, Severity, RecordedAt)
OUTPUT inserted.AllergyId, inserted.RecordedAt INTO @new (AllergyId, RecordedAt)
VALUES (@PatientId, @Substance, @Severity, @At)
INSERT INTO dbo.AuditLog (TableName, Action, ChangedAt, ChangedBy, Host)
SELECT 'Allergy', 'I', @At, N'registration', CONVERT(nvarchar(20), AllergyId) FROM @new
SELECT AllergyId, RecordedAt FROM @new
GO
CREATE FUNCTION [lab].[fn_Lab_VisitResults] (@VisitId bigint)
RETURNS TABLE
AS
RETURN (SELECT r.ResultId, r.TestCode, r.ValueNumeric, r.Flag
          FROM lab.LabResult r
          JOIN lab.Specimen s ON s.SpecimenId = r.SpecimenId
          JOIN clin.[Order] o ON o.OrderId = s.OrderId
         WHERE o.VisitId = @VisitId)
GO
CREATE PROCEDURE [lab].[usp_Lab_VisitAbnormalList]
	@PatientId int
AS
SET NOCOUNT ON
SELECT v.VisitId, vr.TestCode, vr.Flag
  FROM clin.Visit v
 CROSS APPLY lab.fn_Lab_VisitResults(v.VisitId) vr
 WHERE v.PatientId = @PatientId AND vr.Flag IS NOT NULL
 ORDER BY v.VisitId, vr.ResultId
GO
CREATE PROCEDURE [lab].[usp_Lab_VisitFlagCount]
	@VisitId bigint
AS
SET NOCOUNT ON
SELECT Flag, COUNT(*) AS N
  FROM lab.fn_Lab_VisitResults(@VisitId)
 GROUP BY Flag
 ORDER BY Flag
GO
CREATE FUNCTION [bill].[fn_Bill_OpenItems] (@PatientId int)
RETURNS @items TABLE (InvoiceId int, Balance money, AgeDays int)
AS
BEGIN
	INSERT INTO @items (InvoiceId, Balance, AgeDays)
	SELECT i.InvoiceId, i.Total - i.Paid, DATEDIFF(day, i.IssuedAt, GETDATE())
	  FROM bill.Invoice i
	  JOIN clin.Visit v ON v.VisitId = i.VisitId
	 WHERE v.PatientId = @PatientId AND i.Total > i.Paid
	UPDATE @items SET AgeDays = 0 WHERE AgeDays < 0
	RETURN
END
GO
CREATE PROCEDURE [bill].[usp_Bill_PatientOpenItems]
	@PatientId int,
	@Total money OUTPUT
AS
SET NOCOUNT ON
SELECT o.InvoiceId, o.Balance
  FROM bill.fn_Bill_OpenItems(@PatientId) AS o
 ORDER BY o.InvoiceId
SELECT @Total = ISNULL(SUM(Balance), 0) FROM bill.fn_Bill_OpenItems(@PatientId)
GO
CREATE FUNCTION [dbo].[fn_DeptAncestors] (@DepartmentId smallint)
RETURNS @chain TABLE (Depth int NOT NULL, DepartmentId smallint NOT NULL, Name nvarchar(100) NOT NULL)
AS
BEGIN
	DECLARE @d smallint = @DepartmentId, @depth int = 0
	WHILE @d IS NOT NULL AND @depth < 20
	BEGIN
		INSERT INTO @chain (Depth, DepartmentId, Name)
		SELECT @depth, DepartmentId, Name FROM dbo.Department WHERE DepartmentId = @d
		SELECT @d = ParentId FROM dbo.Department WHERE DepartmentId = @d
		SET @depth = @depth + 1
	END
	RETURN
END
GO
CREATE PROCEDURE [lab].[usp_Lab_FlagSummary]
	@PatientId int
AS
SET NOCOUNT ON
CREATE TABLE #f (VisitId bigint, TestCode varchar(12), Flag char(2))
INSERT INTO #f EXEC lab.usp_Lab_VisitAbnormalList @PatientId
SELECT Flag, COUNT(*) AS N FROM #f GROUP BY Flag ORDER BY Flag
GO
