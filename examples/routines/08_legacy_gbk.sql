USE [Hospital]
GO
SET QUOTED_IDENTIFIER OFF
GO
-- 门诊挂号（旧系统脚本，GBK 编码，过程之间没有 GO）
ALTER PROCEDURE dbo.usp_Legacy_RegisterVisit
	@Mrn varchar(20),
	@DeptCode varchar(10),
	@VisitId bigint OUTPUT,
	@Msg nvarchar(200) OUTPUT
AS
SET NOCOUNT ON
DECLARE @pid int, @dept smallint
SELECT @pid = PatientId FROM dbo.Patient (NOLOCK) WHERE Mrn = @Mrn
IF @pid IS NULL
BEGIN
	SELECT @Msg = "病人不存在: " + @Mrn
	RETURN 1
END
SELECT @dept = DepartmentId FROM dbo.Department (NOLOCK) WHERE Code = @DeptCode
IF @dept IS NULL
BEGIN
	SELECT @Msg = "科室不存在: " + @DeptCode
	RETURN 2
END
INSERT INTO clin.Visit (PatientId, VisitType, DepartmentId, ChiefComplaint)
VALUES (@pid, "OP", @dept, "挂号")
IF @@ERROR <> 0
BEGIN
	SELECT @Msg = "挂号失败"
	RETURN -1
END
SELECT @VisitId = SCOPE_IDENTITY(), @Msg = "挂号成功"
RETURN 0

ALTER PROCEDURE dbo.usp_Legacy_DailyFees
	@Day datetime,
	@Total money OUTPUT
AS
SET NOCOUNT ON
SELECT i.InvoiceId, i.Total, p.FamilyName + ISNULL(p.GivenName, "") AS Name
  INTO #fees
  FROM bill.Invoice i (NOLOCK)
  JOIN clin.Visit v (NOLOCK) ON v.VisitId = i.VisitId
  JOIN dbo.Patient p (NOLOCK) ON p.PatientId = v.PatientId
 WHERE CONVERT(varchar(8), i.IssuedAt, 112) = CONVERT(varchar(8), @Day, 112)
SELECT @Total = ISNULL(SUM(Total), 0) FROM #fees
SELECT InvoiceId, Total, Name FROM #fees ORDER BY InvoiceId
DROP TABLE #fees
RETURN 0

ALTER PROCEDURE dbo.usp_Legacy_ArchiveVisits
	@Before datetime,
	@Moved int OUTPUT
AS
SET NOCOUNT ON
INSERT INTO HIS_Archive.dbo.VisitArchive (VisitId, PatientId, StartedAt)
SELECT VisitId, PatientId, StartedAt FROM clin.Visit WHERE EndedAt < @Before
SET @Moved = @@ROWCOUNT
RETURN 0
GO
SET QUOTED_IDENTIFIER ON
GO
