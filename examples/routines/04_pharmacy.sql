USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE FUNCTION [pharm].[fn_DosesPerDay] (@Frequency varchar(20))
RETURNS int
AS
BEGIN
	RETURN CASE UPPER(LTRIM(RTRIM(@Frequency)))
		WHEN 'QD' THEN 1 WHEN 'BID' THEN 2 WHEN 'TID' THEN 3 WHEN 'QID' THEN 4
		WHEN 'Q6H' THEN 4 WHEN 'Q8H' THEN 3 WHEN 'Q12H' THEN 2 ELSE 1 END
END
GO
CREATE PROCEDURE [pharm].[usp_Rx_Prescribe]
	@VisitId bigint,
	@DrugCode varchar(20),
	@PrescriberId int,
	@Dose decimal(10,3),
	@DoseUnit varchar(10),
	@Route varchar(10) = 'PO',
	@Frequency varchar(20) = 'QD',
	@Days int = 7,
	@PrescriptionId bigint OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @patient int, @generic nvarchar(200), @qty numeric(9,2)
	SELECT @patient = PatientId FROM clin.Visit WHERE VisitId = @VisitId
	SELECT @generic = GenericName FROM pharm.Drug WHERE DrugCode = @DrugCode
	IF @generic IS NULL
	BEGIN
		RAISERROR('Unknown drug %s', 16, 1, @DrugCode)
		RETURN 1
	END
	IF EXISTS (SELECT 1 FROM dbo.Allergy a WITH (NOLOCK)
	            WHERE a.PatientId = @patient AND a.Severity >= 3
	              AND @generic LIKE '%' + a.Substance + '%')
	BEGIN
		RAISERROR('Patient is allergic to %s', 16, 1, @generic)
		RETURN 2
	END
	SET @qty = @Dose * pharm.fn_DosesPerDay(@Frequency) * @Days
	INSERT INTO pharm.Prescription (VisitId, DrugCode, PrescriberId, Dose, DoseUnit, Route, Frequency, StartDate, EndDate, Quantity)
	VALUES (@VisitId, @DrugCode, @PrescriberId, @Dose, @DoseUnit, @Route, @Frequency,
	        CONVERT(date, GETDATE()), DATEADD(day, @Days - 1, CONVERT(date, GETDATE())), @qty)
	SET @PrescriptionId = SCOPE_IDENTITY()
	RETURN 0
END
GO
CREATE PROCEDURE [pharm].[usp_Rx_Dispense]
	@PrescriptionId bigint,
	@LotNo varchar(30),
	@Quantity decimal(9,2),
	@DispensedBy int
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @drug varchar(20), @onHand int, @err int
	SELECT @drug = DrugCode FROM pharm.Prescription WHERE PrescriptionId = @PrescriptionId AND Status = 'ACTIVE'
	IF @drug IS NULL
	BEGIN
		RAISERROR('Prescription is not active', 16, 1)
		RETURN 1
	END
	SELECT @onHand = OnHand FROM pharm.Inventory WITH (UPDLOCK) WHERE DrugCode = @drug AND LotNo = @LotNo
	IF ISNULL(@onHand, 0) < @Quantity
	BEGIN
		RAISERROR('Insufficient stock in lot %s', 16, 1, @LotNo)
		RETURN 2
	END
	BEGIN TRAN
	UPDATE pharm.Inventory SET OnHand = OnHand - CAST(@Quantity AS int) WHERE DrugCode = @drug AND LotNo = @LotNo
	SET @err = @@ERROR
	IF @err <> 0 GOTO fail
	INSERT INTO pharm.DispenseRecord (PrescriptionId, DispensedAt, DispensedBy, Quantity, LotNo)
	VALUES (@PrescriptionId, GETDATE(), @DispensedBy, @Quantity, @LotNo)
	SET @err = @@ERROR
	IF @err <> 0 GOTO fail
	COMMIT TRAN
	RETURN 0
fail:
	ROLLBACK TRAN
	RETURN @err
END
GO
CREATE PROCEDURE [pharm].[usp_Rx_StockReport]
	@DaysToExpiry int = 30
AS
BEGIN
	SET NOCOUNT ON
	CREATE TABLE #stock (DrugCode varchar(20), GenericName nvarchar(200), OnHand int, Expiring int, Status varchar(10))
	INSERT INTO #stock (DrugCode, GenericName, OnHand, Expiring, Status)
	SELECT d.DrugCode, d.GenericName, SUM(i.OnHand),
	       SUM(CASE WHEN i.ExpiresOn <= DATEADD(day, @DaysToExpiry, GETDATE()) THEN i.OnHand ELSE 0 END),
	       'OK'
	  FROM pharm.Drug d WITH (NOLOCK)
	  JOIN pharm.Inventory i WITH (NOLOCK) ON i.DrugCode = d.DrugCode
	 GROUP BY d.DrugCode, d.GenericName
	UPDATE #stock SET Status = 'REORDER'
	 WHERE OnHand <= (SELECT SUM(ReorderLevel) FROM pharm.Inventory i WHERE i.DrugCode = #stock.DrugCode)
	UPDATE #stock SET Status = 'EXPIRING' WHERE Status = 'OK' AND Expiring > 0
	SELECT DrugCode, GenericName, OnHand, Expiring, Status FROM #stock ORDER BY Status, DrugCode
END
GO
CREATE PROCEDURE [pharm].[usp_Rx_ExpiringLots]
	@Within int = 60
AS
SET NOCOUNT ON
SELECT i.DrugCode, i.LotNo, i.OnHand, CONVERT(varchar(10), i.ExpiresOn, 23) AS Expires,
       DATEDIFF(day, GETDATE(), i.ExpiresOn) AS DaysLeft
  FROM pharm.Inventory i WITH (NOLOCK)
 WHERE i.ExpiresOn <= DATEADD(day, @Within, GETDATE()) AND i.OnHand > 0
 ORDER BY i.ExpiresOn
GO
CREATE PROCEDURE [pharm].[usp_Rx_ReorderList]
	@Count int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	SELECT i.DrugCode, SUM(i.OnHand) AS OnHand, MAX(i.ReorderLevel) AS ReorderLevel
	  INTO #low
	  FROM pharm.Inventory i
	 GROUP BY i.DrugCode
	HAVING SUM(i.OnHand) <= MAX(i.ReorderLevel)
	SELECT @Count = COUNT(*) FROM #low
	SELECT l.DrugCode, d.GenericName, l.OnHand, l.ReorderLevel,
	       d.GenericName + N' (' + l.DrugCode + N'): ' + CONVERT(varchar(12), l.OnHand) + N' left' AS Line
	  FROM #low l JOIN pharm.Drug d ON d.DrugCode = l.DrugCode
	 ORDER BY l.DrugCode
END
GO
CREATE PROCEDURE [pharm].[usp_Rx_Discontinue]
	@PrescriptionId bigint,
	@Reason varchar(100) = NULL
AS
SET NOCOUNT ON
UPDATE pharm.Prescription
   SET Status = 'STOPPED', EndDate = CONVERT(date, GETDATE())
 WHERE PrescriptionId = @PrescriptionId AND Status = 'ACTIVE'
IF @@ROWCOUNT = 0
	RETURN 1
RETURN 0
GO
CREATE PROCEDURE [pharm].[usp_Rx_Renew]
	@PrescriptionId bigint,
	@Days int,
	@NewId bigint OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	INSERT INTO pharm.Prescription (VisitId, DrugCode, PrescriberId, Dose, DoseUnit, Route, Frequency, StartDate, EndDate, Quantity, Refills)
	SELECT VisitId, DrugCode, PrescriberId, Dose, DoseUnit, Route, Frequency,
	       CONVERT(date, GETDATE()), DATEADD(day, @Days, CONVERT(date, GETDATE())), Quantity, Refills + 1
	  FROM pharm.Prescription WHERE PrescriptionId = @PrescriptionId
	IF @@ROWCOUNT = 0 RETURN 1
	SET @NewId = SCOPE_IDENTITY()
	RETURN 0
END
GO
CREATE VIEW [pharm].[vw_ActivePrescriptions]
AS
SELECT p.PrescriptionId, v.PatientId, d.GenericName,
       CAST(p.Dose AS varchar(20)) + ' ' + p.DoseUnit + ' ' + p.Route + ' ' + p.Frequency AS Sig,
       p.StartDate, p.EndDate
  FROM pharm.Prescription p WITH (NOLOCK)
  JOIN pharm.Drug d WITH (NOLOCK) ON d.DrugCode = p.DrugCode
  JOIN clin.Visit v WITH (NOLOCK) ON v.VisitId = p.VisitId
 WHERE p.Status = 'ACTIVE'
GO
CREATE PROCEDURE [pharm].[usp_Rx_ControlledLog]
	@From date,
	@To date
AS
SET NOCOUNT ON
SELECT r.DispenseId, r.PrescriptionId, d.DrugCode, r.Quantity, r.DispensedAt, a.ApprovalNo
  FROM pharm.DispenseRecord r WITH (NOLOCK)
  JOIN pharm.Prescription p WITH (NOLOCK) ON p.PrescriptionId = r.PrescriptionId
  JOIN pharm.Drug d WITH (NOLOCK) ON d.DrugCode = p.DrugCode
  LEFT JOIN PharmRegulator.dbo.ControlledApproval a ON a.DispenseId = r.DispenseId
 WHERE d.IsControlled = 1 AND r.DispensedAt >= @From AND r.DispensedAt < DATEADD(day, 1, @To)
GO
