USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [clin].[usp_Visit_Open]
	@PatientId int,
	@VisitType char(2),
	@DepartmentId smallint,
	@AttendingId int = NULL,
	@Complaint nvarchar(500) = NULL,
	@VisitId bigint OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @lastEnd datetime
	SELECT TOP 1 @lastEnd = EndedAt
	  FROM clin.Visit WITH (NOLOCK)
	 WHERE PatientId = @PatientId AND EndedAt IS NOT NULL
	 ORDER BY EndedAt DESC
	INSERT INTO clin.Visit (PatientId, VisitType, DepartmentId, AttendingId, ChiefComplaint, IsReadmission)
	VALUES (@PatientId, @VisitType, @DepartmentId, @AttendingId, @Complaint,
	        CASE WHEN @lastEnd IS NOT NULL AND DATEDIFF(day, @lastEnd, GETDATE()) <= 30 THEN 1 ELSE 0 END)
	IF @@ERROR <> 0 RETURN -1
	SET @VisitId = SCOPE_IDENTITY()
	RETURN 0
END
GO
CREATE PROCEDURE [clin].[usp_Visit_Close]
	@VisitId bigint,
	@Minutes int OUTPUT
AS
SET NOCOUNT ON
UPDATE clin.Visit SET EndedAt = GETDATE() WHERE VisitId = @VisitId AND EndedAt IS NULL
IF @@ROWCOUNT = 0
BEGIN
	SET @Minutes = NULL
	RETURN 1
END
SELECT @Minutes = DATEDIFF(minute, StartedAt, EndedAt) FROM clin.Visit WHERE VisitId = @VisitId
RETURN 0
GO
CREATE PROCEDURE [clin].[usp_Order_Create]
	@VisitId bigint,
	@OrderedBy int,
	@OrderType varchar(10),
	@Priority char(1) = 'R',
	@Items nvarchar(1000),
	@OrderId bigint OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @lines TABLE ([LineNo] int IDENTITY(1,1), ItemCode varchar(20), Quantity decimal(9,2))
	DECLARE @rest nvarchar(1000), @item nvarchar(100), @pos int
	SET @rest = @Items + N','
	SET @pos = CHARINDEX(N',', @rest)
	WHILE @pos > 0
	BEGIN
		SET @item = LTRIM(RTRIM(SUBSTRING(@rest, 1, @pos - 1)))
		IF LEN(@item) > 0
			INSERT INTO @lines (ItemCode, Quantity) VALUES (@item, 1)
		SET @rest = SUBSTRING(@rest, @pos + 1, 1000)
		SET @pos = CHARINDEX(N',', @rest)
	END
	IF NOT EXISTS (SELECT 1 FROM @lines)
	BEGIN
		RAISERROR('Order has no items', 16, 1)
		RETURN 1
	END
	BEGIN TRAN
	INSERT INTO clin.[Order] (VisitId, OrderedBy, OrderType, Priority)
	VALUES (@VisitId, @OrderedBy, @OrderType, @Priority)
	SET @OrderId = SCOPE_IDENTITY()
	INSERT INTO clin.[Order Item] (OrderId, [LineNo], ItemCode, Quantity)
	SELECT @OrderId, [LineNo], ItemCode, Quantity FROM @lines
	IF @@ERROR <> 0
	BEGIN
		ROLLBACK TRAN
		RETURN -1
	END
	COMMIT TRAN
	RETURN 0
END
GO
CREATE PROCEDURE [clin].[usp_Order_Cancel]
	@OrderId bigint,
	@Reason nvarchar(200)
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @status varchar(12)
	SELECT @status = Status FROM clin.[Order] WHERE OrderId = @OrderId
	IF @status IS NULL
	BEGIN
		RAISERROR('Order %I64d not found', 16, 1, @OrderId)
		RETURN 1
	END
	IF @status IN ('DONE', 'CANCELLED')
	BEGIN
		RAISERROR('Order cannot be cancelled in status %s', 16, 1, @status)
		RETURN 2
	END
	UPDATE clin.[Order]
	   SET Status = 'CANCELLED',
	       Comment = ISNULL(Comment + N' | ', N'') + N'Cancelled: ' + @Reason
	 WHERE OrderId = @OrderId
	RETURN 0
END
GO
CREATE PROCEDURE [clin].[usp_Order_AddItem]
	@OrderId bigint,
	@ItemCode varchar(20),
	@Quantity decimal(9,2),
	@LineNo int OUTPUT
AS
SET NOCOUNT ON
SELECT @LineNo = ISNULL(MAX([LineNo]), 0) + 1 FROM clin.[Order Item] WHERE OrderId = @OrderId
INSERT clin.[Order Item] (OrderId, [LineNo], ItemCode, Quantity, Unit)
VALUES (@OrderId, @LineNo, UPPER(@ItemCode), @Quantity, N'EA')
GO
CREATE PROCEDURE [clin].[usp_Order_ListOpen]
	@DepartmentId smallint,
	@MaxRows int = 50
AS
SET NOCOUNT ON
SELECT TOP (@MaxRows)
       o.OrderId,
       o.OrderType,
       o.Priority,
       CONVERT(varchar(19), o.OrderedAt, 120) AS OrderedAtText,
       p.Mrn,
       p.FamilyName + ISNULL(N' ' + p.GivenName, N'') AS PatientName
  FROM clin.[Order] o WITH (NOLOCK)
  JOIN clin.Visit v WITH (NOLOCK) ON v.VisitId = o.VisitId
  JOIN dbo.Patient p WITH (NOLOCK) ON p.PatientId = v.PatientId
 WHERE v.DepartmentId = @DepartmentId AND o.Status IN ('NEW', 'ACTIVE')
 ORDER BY CASE o.Priority WHEN 'S' THEN 0 WHEN 'U' THEN 1 ELSE 2 END, o.OrderedAt
GO
CREATE PROCEDURE [clin].[usp_Admission_Assign]
	@VisitId bigint,
	@WardId int,
	@BedNo varchar(8),
	@AdmissionId int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	BEGIN TRAN
	UPDATE dbo.Bed SET Status = 'O' WHERE WardId = @WardId AND BedNo = @BedNo AND Status = 'A'
	IF @@ROWCOUNT <> 1
	BEGIN
		ROLLBACK TRAN
		RAISERROR('Bed %s in ward %d is not available', 16, 1, @BedNo, @WardId)
		RETURN 1
	END
	INSERT INTO clin.Admission (VisitId, WardId, BedNo, AdmittedAt)
	VALUES (@VisitId, @WardId, @BedNo, SYSDATETIME())
	SET @AdmissionId = SCOPE_IDENTITY()
	COMMIT TRAN
	RETURN 0
END
GO
CREATE PROCEDURE [clin].[usp_Admission_Discharge]
	@AdmissionId int,
	@Disposition varchar(20) = 'HOME'
AS
BEGIN
	SET NOCOUNT ON;
	DECLARE @ward int, @bed varchar(8);
	BEGIN TRY
		BEGIN TRANSACTION;
		SELECT @ward = WardId, @bed = BedNo FROM clin.Admission WHERE AdmissionId = @AdmissionId AND DischargedAt IS NULL;
		IF @ward IS NULL
			THROW 50020, N'Admission not found or already discharged', 1;
		UPDATE clin.Admission SET DischargedAt = SYSDATETIME(), DischargeDisposition = @Disposition WHERE AdmissionId = @AdmissionId;
		UPDATE dbo.Bed SET Status = 'C' WHERE WardId = @ward AND BedNo = @bed;
		COMMIT TRANSACTION;
	END TRY
	BEGIN CATCH
		IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
		DECLARE @m nvarchar(2048);
		SET @m = N'Discharge failed: ' + ERROR_MESSAGE();
		RAISERROR(@m, 16, 1);
		RETURN -1;
	END CATCH
	RETURN 0;
END
GO
CREATE FUNCTION [clin].[fn_StayDays] (@AdmittedAt datetime2(3), @DischargedAt datetime2(3))
RETURNS int
AS
BEGIN
	RETURN DATEDIFF(day, @AdmittedAt, ISNULL(@DischargedAt, SYSDATETIME())) + 1
END
GO
CREATE VIEW [clin].[vw_OpenOrders]
AS
SELECT o.OrderId, o.VisitId, o.OrderType, o.Priority, o.Status,
       COUNT(i.[LineNo]) AS Items,
       DATEDIFF(hour, o.OrderedAt, GETDATE()) AS AgeHours
  FROM clin.[Order] o
  LEFT JOIN clin.[Order Item] i ON i.OrderId = o.OrderId
 WHERE o.Status NOT IN ('DONE', 'CANCELLED')
 GROUP BY o.OrderId, o.VisitId, o.OrderType, o.Priority, o.Status, o.OrderedAt
GO
CREATE PROCEDURE [clin].[usp_Visit_Start]
	@PatientId int,
	@DepartmentId smallint,
	@VisitId bigint OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @rc int
	EXEC @rc = clin.usp_Visit_Open @PatientId = @PatientId, @VisitType = 'OP',
		@DepartmentId = @DepartmentId, @VisitId = @VisitId OUTPUT
	IF @rc <> 0 RETURN @rc
	EXEC clin.usp_Order_Create @VisitId, 1, 'TRIAGE', 'U', N'VITALS', NULL
	RETURN 0
END
GO
