USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE FUNCTION [lab].[fn_FlagFor] (@Value decimal(18,6), @Low decimal(12,4), @High decimal(12,4))
RETURNS char(2)
AS
BEGIN
	DECLARE @flag char(2)
	IF @Value IS NULL RETURN NULL
	SET @flag = CASE
		WHEN @Low IS NOT NULL AND @Value < @Low / 2 THEN 'LL'
		WHEN @Low IS NOT NULL AND @Value < @Low THEN 'L'
		WHEN @High IS NOT NULL AND @Value > @High * 2 THEN 'HH'
		WHEN @High IS NOT NULL AND @Value > @High THEN 'H'
		ELSE 'N' END
	RETURN @flag
END
GO
CREATE PROCEDURE [lab].[usp_Lab_RecordResult]
	@SpecimenId bigint,
	@TestCode varchar(12),
	@Value decimal(18,6),
	@VerifiedBy int = NULL,
	@ResultId bigint OUTPUT,
	@Flag char(2) OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @low decimal(12,4), @high decimal(12,4), @unit nvarchar(20), @active bit
	SELECT @low = RefLow, @high = RefHigh, @unit = Unit, @active = IsActive
	  FROM lab.TestCatalog WHERE TestCode = @TestCode
	IF @active IS NULL OR @active = 0
	BEGIN
		RAISERROR('Unknown or inactive test %s', 16, 1, @TestCode)
		RETURN 1
	END
	SET @Flag = lab.fn_FlagFor(@Value, @low, @high)
	INSERT INTO lab.LabResult (SpecimenId, TestCode, ValueNumeric, Unit, Flag, ResultedAt, VerifiedBy, VerifiedAt)
	VALUES (@SpecimenId, @TestCode, @Value, @unit, @Flag, SYSDATETIME(), @VerifiedBy,
	        CASE WHEN @VerifiedBy IS NULL THEN NULL ELSE GETDATE() END)
	SET @ResultId = SCOPE_IDENTITY()
	IF @Flag IN ('LL', 'HH')
		INSERT INTO lab.CriticalValueAlert (ResultId, Comment)
		VALUES (@ResultId, N'Critical ' + @TestCode + N' = ' + CONVERT(nvarchar(40), @Value) + ISNULL(N' ' + @unit, N''))
	RETURN 0
END
GO
CREATE PROCEDURE [lab].[usp_Lab_PendingSpecimens]
	@OlderThanHours int = 2
AS
BEGIN
	SET NOCOUNT ON
	SELECT s.SpecimenId, s.Barcode, s.SpecimenType, s.CollectedAt, o.OrderId, v.PatientId
	  INTO #pending
	  FROM lab.Specimen s WITH (NOLOCK)
	  JOIN clin.[Order] o WITH (NOLOCK) ON o.OrderId = s.OrderId
	  JOIN clin.Visit v WITH (NOLOCK) ON v.VisitId = o.VisitId
	 WHERE s.ReceivedAt IS NULL
	   AND s.CollectedAt < DATEADD(hour, -@OlderThanHours, SYSDATETIME())

	SELECT p.SpecimenId, p.Barcode, p.SpecimenType,
	       DATEDIFF(minute, p.CollectedAt, SYSDATETIME()) AS WaitingMinutes,
	       pt.Mrn
	  FROM #pending p
	  JOIN dbo.Patient pt ON pt.PatientId = p.PatientId
	 ORDER BY p.CollectedAt
	DROP TABLE #pending
END
GO
CREATE PROCEDURE [lab].[usp_Lab_ResultHistory]
	@PatientId int,
	@TestCode varchar(12),
	@Page int = 1,
	@PageSize int = 20
AS
SET NOCOUNT ON
DECLARE @skip int
SET @skip = (@Page - 1) * @PageSize
SELECT r.ResultId, r.ValueNumeric, r.Flag, CONVERT(varchar(10), r.VerifiedAt, 103) AS VerifiedOn
  FROM lab.LabResult r
  JOIN lab.Specimen s ON s.SpecimenId = r.SpecimenId
  JOIN clin.[Order] o ON o.OrderId = s.OrderId
  JOIN clin.Visit v ON v.VisitId = o.VisitId
 WHERE v.PatientId = @PatientId AND r.TestCode = @TestCode
 ORDER BY r.ResultId DESC
 OFFSET @skip ROWS FETCH NEXT @PageSize ROWS ONLY
GO
CREATE PROCEDURE [lab].[usp_Lab_NotifyCritical]
	@StaffId int,
	@Notified int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @alertId int, @resultId bigint, @comment nvarchar(500)
	SET @Notified = 0
	DECLARE alerts CURSOR LOCAL FAST_FORWARD FOR
		SELECT AlertId, ResultId, Comment FROM lab.CriticalValueAlert
		 WHERE NotifiedAt IS NULL ORDER BY AlertId
	OPEN alerts
	FETCH NEXT FROM alerts INTO @alertId, @resultId, @comment
	WHILE @@FETCH_STATUS = 0
	BEGIN
		UPDATE lab.CriticalValueAlert
		   SET NotifiedStaffId = @StaffId, NotifiedAt = GETDATE(),
		       Comment = ISNULL(@comment, N'') + N' [notified]'
		 WHERE AlertId = @alertId
		SET @Notified = @Notified + 1
		FETCH NEXT FROM alerts INTO @alertId, @resultId, @comment
	END
	CLOSE alerts
	DEALLOCATE alerts
END
GO
CREATE PROCEDURE [lab].[usp_Lab_TurnaroundReport]
	@From date,
	@To date
AS
BEGIN
	SET NOCOUNT ON
	CREATE TABLE #tat (TestCode varchar(12), Minutes int, Late bit)
	INSERT INTO #tat (TestCode, Minutes, Late)
	SELECT r.TestCode,
	       DATEDIFF(minute, s.CollectedAt, r.VerifiedAt),
	       CASE WHEN DATEDIFF(hour, s.CollectedAt, r.VerifiedAt) > c.TurnaroundHours THEN 1 ELSE 0 END
	  FROM lab.LabResult r WITH (NOLOCK)
	  JOIN lab.Specimen s WITH (NOLOCK) ON s.SpecimenId = r.SpecimenId
	  JOIN lab.TestCatalog c ON c.TestCode = r.TestCode
	 WHERE r.VerifiedAt >= @From AND r.VerifiedAt < DATEADD(day, 1, @To)
	SELECT t.TestCode, c.Name, COUNT(*) AS Results, AVG(t.Minutes) AS AvgMinutes,
	       SUM(CASE WHEN t.Late = 1 THEN 1 ELSE 0 END) AS LateCount
	  FROM #tat t JOIN lab.TestCatalog c ON c.TestCode = t.TestCode
	 GROUP BY t.TestCode, c.Name
	 ORDER BY t.TestCode
END
GO
CREATE PROCEDURE [lab].[usp_Lab_VerifyBatch]
	@Instrument varchar(40),
	@StaffId int,
	@Verified int OUTPUT
AS
SET NOCOUNT ON
UPDATE r
   SET VerifiedBy = @StaffId, VerifiedAt = GETDATE()
  FROM lab.LabResult r
  JOIN lab.TestCatalog c ON c.TestCode = r.TestCode
 WHERE r.Instrument = @Instrument AND r.VerifiedAt IS NULL AND c.IsActive = 1 AND ISNULL(r.Flag, 'N') = 'N'
SELECT @Verified = @@ROWCOUNT
GO
CREATE VIEW [lab].[vw_ResultsToday]
AS
SELECT r.ResultId, r.TestCode, t.Name AS TestName, r.ValueNumeric, r.Unit, r.Flag,
       CASE WHEN r.Flag IN ('HH', 'LL') THEN 'CRITICAL' WHEN r.Flag IN ('H', 'L') THEN 'ABNORMAL' ELSE 'NORMAL' END AS Category
  FROM lab.LabResult r WITH (NOLOCK)
  JOIN lab.TestCatalog t WITH (NOLOCK) ON t.TestCode = r.TestCode
 WHERE r.VerifiedAt >= CONVERT(date, GETDATE())
GO
CREATE PROCEDURE [lab].[usp_Lab_ReceiveSpecimen]
	@Barcode varchar(24),
	@Condition varchar(20) = 'OK'
AS
SET NOCOUNT ON
DECLARE @id bigint
SELECT @id = SpecimenId FROM lab.Specimen WHERE Barcode = @Barcode
IF @id IS NULL
BEGIN
	RAISERROR('No specimen with barcode %s', 16, 1, @Barcode)
	RETURN 1
END
UPDATE lab.Specimen SET ReceivedAt = SYSDATETIME(), Condition = @Condition WHERE SpecimenId = @id
RETURN 0
GO
CREATE PROCEDURE [lab].[usp_Lab_CatalogSearch]
	@Term nvarchar(100),
	@SpecimenType varchar(20) = NULL
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @sql nvarchar(1000), @pattern nvarchar(102)
	SET @sql = N'SELECT TestCode, Name, SpecimenType, Price FROM lab.TestCatalog WHERE IsActive = 1 AND Name LIKE @t'
	IF @SpecimenType IS NOT NULL SET @sql = @sql + N' AND SpecimenType = @st'
	SET @sql = @sql + N' ORDER BY Name'; SET @pattern = N'%' + @Term + N'%'
	EXEC sp_executesql @sql, N'@t nvarchar(102), @st varchar(20)', @t = @pattern, @st = @SpecimenType
END
GO
CREATE PROCEDURE [lab].[usp_Lab_AbnormalCount]
	@VisitId bigint,
	@Abnormal int OUTPUT,
	@Critical int OUTPUT
AS
SET NOCOUNT ON
SELECT @Abnormal = SUM(CASE WHEN r.Flag IN ('H', 'L', 'HH', 'LL') THEN 1 ELSE 0 END),
       @Critical = SUM(CASE WHEN r.Flag IN ('HH', 'LL') THEN 1 ELSE 0 END)
  FROM lab.LabResult r
  JOIN lab.Specimen s ON s.SpecimenId = r.SpecimenId
  JOIN clin.[Order] o ON o.OrderId = s.OrderId
 WHERE o.VisitId = @VisitId
SET @Abnormal = ISNULL(@Abnormal, 0)
SET @Critical = ISNULL(@Critical, 0)
GO
