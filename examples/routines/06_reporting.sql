USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [dbo].[usp_Rpt_WardCensus]
	@AsOf date = NULL
AS
BEGIN
	SET NOCOUNT ON
	IF @AsOf IS NULL SET @AsOf = CONVERT(date, GETDATE())
	CREATE TABLE #census (WardId int, WardName nvarchar(50), Beds int, Occupied int)
	INSERT INTO #census (WardId, WardName, Beds, Occupied)
	SELECT w.WardId, w.Name, w.BedCount, 0 FROM dbo.Ward w WITH (NOLOCK)
	DECLARE @ward int, @occ int
	DECLARE wards CURSOR LOCAL FAST_FORWARD FOR SELECT WardId FROM #census
	OPEN wards
	FETCH NEXT FROM wards INTO @ward
	WHILE @@FETCH_STATUS = 0
	BEGIN
		SELECT @occ = COUNT(*) FROM clin.Admission a WITH (NOLOCK)
		 WHERE a.WardId = @ward AND a.AdmittedAt < DATEADD(day, 1, @AsOf)
		   AND (a.DischargedAt IS NULL OR a.DischargedAt >= @AsOf)
		UPDATE #census SET Occupied = @occ WHERE WardId = @ward
		PRINT 'ward ' + CONVERT(varchar(10), @ward) + ': ' + CONVERT(varchar(10), @occ)
		FETCH NEXT FROM wards INTO @ward
	END
	CLOSE wards
	DEALLOCATE wards
	SELECT WardName, Beds, Occupied,
	       CASE WHEN Beds = 0 THEN 0 ELSE Occupied * 100 / Beds END AS PctFull
	  FROM #census ORDER BY WardName
END
GO
CREATE PROCEDURE [dbo].[usp_Rpt_DeptWorkload]
	@From date,
	@To date
AS
SET NOCOUNT ON
SELECT d.Name AS Department,
       COUNT(v.VisitId) AS Visits,
       RANK() OVER (ORDER BY COUNT(v.VisitId) DESC) AS RankByVisits,
       SUM(CASE WHEN v.VisitType = 'IP' THEN 1 ELSE 0 END) AS Inpatient
  FROM dbo.Department d WITH (NOLOCK)
  LEFT JOIN clin.Visit v WITH (NOLOCK) ON v.DepartmentId = d.DepartmentId
       AND v.StartedAt >= @From AND v.StartedAt < DATEADD(day, 1, @To)
 WHERE d.IsClinical = 1
 GROUP BY d.Name
GO
CREATE PROCEDURE [dbo].[usp_Rpt_Readmissions]
	@Days int = 30
AS
SET NOCOUNT ON;
WITH ordered AS (
	SELECT v.PatientId, v.VisitId, v.StartedAt, v.EndedAt,
	       LAG(v.EndedAt) OVER (PARTITION BY v.PatientId ORDER BY v.StartedAt) AS PrevEnd
	  FROM clin.Visit v
)
SELECT o.PatientId, o.VisitId, DATEDIFF(day, o.PrevEnd, o.StartedAt) AS DaysSinceLast
  FROM ordered o
 WHERE o.PrevEnd IS NOT NULL AND DATEDIFF(day, o.PrevEnd, o.StartedAt) <= @Days
 ORDER BY o.PatientId, o.StartedAt;
GO
CREATE PROCEDURE [dbo].[usp_Rpt_TopDiagnoses]
	@Top int = 10,
	@Year int
AS
SET NOCOUNT ON
SELECT TOP (@Top) d.Icd10Code, d.Description, COUNT(*) AS Cases
  FROM clin.VisitDiagnosis vd WITH (NOLOCK)
  JOIN clin.Diagnosis d WITH (NOLOCK) ON d.Icd10Code = vd.Icd10Code
  JOIN clin.Visit v WITH (NOLOCK) ON v.VisitId = vd.VisitId
 WHERE DATEPART(year, v.StartedAt) = @Year
 GROUP BY d.Icd10Code, d.Description
 ORDER BY COUNT(*) DESC, d.Icd10Code
GO
CREATE PROCEDURE [dbo].[usp_Rpt_WardOccupancy]
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @occ TABLE (WardId int PRIMARY KEY, Occupied int NOT NULL DEFAULT 0)
	INSERT INTO @occ (WardId) SELECT WardId FROM dbo.Ward
	UPDATE o SET Occupied = x.n
	  FROM @occ o
	  JOIN (SELECT WardId, COUNT(*) AS n FROM dbo.Bed WHERE Status = 'O' GROUP BY WardId) x ON x.WardId = o.WardId
	SELECT w.Name, o.Occupied, w.BedCount
	  FROM @occ o JOIN dbo.Ward w ON w.WardId = o.WardId
	 ORDER BY w.Name
END
GO
CREATE PROCEDURE [dbo].[usp_Rpt_DepartmentTree]
AS
SET NOCOUNT ON;
WITH tree (DepartmentId, Name, Depth, Path) AS (
	SELECT DepartmentId, Name, 0, CAST(Name AS nvarchar(400))
	  FROM dbo.Department WHERE ParentId IS NULL
	UNION ALL
	SELECT d.DepartmentId, d.Name, t.Depth + 1, CAST(t.Path + N' > ' + d.Name AS nvarchar(400))
	  FROM dbo.Department d JOIN tree t ON d.ParentId = t.DepartmentId
)
SELECT DepartmentId, REPLICATE(N'  ', Depth) + Name AS Indented, Path FROM tree ORDER BY Path;
GO
CREATE PROCEDURE [dbo].[usp_Rpt_MonthlyVisits]
	@Year int
AS
SET NOCOUNT ON
SELECT DATEPART(month, StartedAt) AS Month,
       DATENAME(month, StartedAt) AS MonthName,
       COUNT(*) AS Visits,
       COUNT(DISTINCT PatientId) AS Patients
  FROM clin.Visit WITH (NOLOCK)
 WHERE YEAR(StartedAt) = @Year
 GROUP BY DATEPART(month, StartedAt), DATENAME(month, StartedAt)
 ORDER BY Month
GO
CREATE PROCEDURE [dbo].[usp_Rpt_LengthOfStay]
	@WardId int,
	@AvgDays decimal(9,2) OUTPUT,
	@MaxDays int OUTPUT
AS
SET NOCOUNT ON
SELECT @AvgDays = AVG(CAST(DATEDIFF(day, AdmittedAt, DischargedAt) AS decimal(9,2))),
       @MaxDays = MAX(DATEDIFF(day, AdmittedAt, DischargedAt))
  FROM clin.Admission WITH (NOLOCK)
 WHERE WardId = @WardId AND DischargedAt IS NOT NULL
GO
CREATE PROCEDURE [dbo].[usp_Rpt_FillOverdue]
	@AsOf date
AS
SET NOCOUNT ON
-- #overdue is created by the caller (usp_Rpt_OverdueSummary)
INSERT INTO #overdue (InvoiceId, DaysOverdue)
SELECT InvoiceId, DATEDIFF(day, DueOn, @AsOf)
  FROM bill.Invoice WITH (NOLOCK)
 WHERE Status <> 'PAID' AND DueOn < @AsOf
GO
CREATE PROCEDURE [dbo].[usp_Rpt_OverdueSummary]
	@AsOf date,
	@Count int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	CREATE TABLE #overdue (InvoiceId int NOT NULL, DaysOverdue int NOT NULL)
	EXEC dbo.usp_Rpt_FillOverdue @AsOf
	SELECT @Count = COUNT(*) FROM #overdue
	SELECT InvoiceId, DaysOverdue FROM #overdue ORDER BY InvoiceId
END
GO
