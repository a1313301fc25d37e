USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE PROCEDURE [bill].[usp_Bill_CreateInvoice]
	@InvoiceId int,
	@VisitId bigint,
	@PlanId int = NULL,
	@Total dbo.ut_Amount OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	SELECT ROW_NUMBER() OVER (ORDER BY o.OrderId, i.[LineNo]) AS [LineNo],
	       i.ItemCode AS ServiceCode,
	       i.Quantity,
	       ISNULL(pl.Price, 0) AS UnitPrice
	  INTO #lines
	  FROM clin.[Order] o
	  JOIN clin.[Order Item] i ON i.OrderId = o.OrderId
	  LEFT JOIN bill.PriceList pl ON pl.ServiceCode = i.ItemCode
	 WHERE o.VisitId = @VisitId AND o.Status <> 'CANCELLED'
	IF NOT EXISTS (SELECT * FROM #lines)
	BEGIN
		SET @Total = 0
		RETURN 1
	END
	SELECT @Total = SUM(Quantity * UnitPrice) FROM #lines
	BEGIN TRAN
	INSERT INTO bill.Invoice (InvoiceId, VisitId, PlanId, DueOn, Total)
	VALUES (@InvoiceId, @VisitId, @PlanId, DATEADD(day, 30, CONVERT(date, GETDATE())), @Total)
	IF @@ERROR <> 0 GOTO err
	INSERT INTO bill.InvoiceLine (InvoiceId, [LineNo], ServiceCode, Description, Quantity, UnitPrice)
	SELECT @InvoiceId, [LineNo], ServiceCode, N'Service ' + ServiceCode, Quantity, UnitPrice FROM #lines
	IF @@ERROR <> 0 GOTO err
	COMMIT TRAN
	RETURN 0
err:
	ROLLBACK TRAN
	RETURN -1
END
GO
CREATE PROCEDURE [bill].[usp_Bill_AddPayment]
	@InvoiceId int,
	@Amount money,
	@Method varchar(10),
	@Reference nvarchar(100) = NULL,
	@NewStatus varchar(12) OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @total decimal(18,2), @paid money
	IF @Amount <= 0
	BEGIN
		RAISERROR('Payment amount must be positive', 16, 1)
		RETURN 1
	END
	SELECT @total = Total, @paid = Paid FROM bill.Invoice WHERE InvoiceId = @InvoiceId
	IF @total IS NULL
	BEGIN
		RAISERROR('Invoice %d not found', 16, 1, @InvoiceId)
		RETURN 2
	END
	INSERT INTO bill.Payment (InvoiceId, Amount, Method, Reference) VALUES (@InvoiceId, @Amount, @Method, @Reference)
	SET @paid = @paid + @Amount
	SET @NewStatus = CASE WHEN @paid >= @total THEN 'PAID' WHEN @paid > 0 THEN 'PARTIAL' ELSE 'OPEN' END
	UPDATE bill.Invoice SET Paid = @paid, Status = @NewStatus WHERE InvoiceId = @InvoiceId
	RETURN 0
END
GO
CREATE PROCEDURE [bill].[usp_Bill_ApplyCoverage]
	@InvoiceId int,
	@Covered money OUTPUT
AS
SET NOCOUNT ON
DECLARE @pct decimal(5,2), @deductible money, @total decimal(18,2), @patient int
SELECT @total = i.Total, @patient = v.PatientId
  FROM bill.Invoice i JOIN clin.Visit v ON v.VisitId = i.VisitId
 WHERE i.InvoiceId = @InvoiceId
SELECT TOP 1 @pct = p.CoveragePct, @deductible = p.Deductible
  FROM bill.PatientCoverage c
  JOIN bill.InsurancePlan p ON p.PlanId = c.PlanId
 WHERE c.PatientId = @patient AND c.IsPrimary = 1 AND p.IsActive = 1
   AND c.ValidFrom <= GETDATE() AND (c.ValidTo IS NULL OR c.ValidTo >= GETDATE())
 ORDER BY c.ValidFrom DESC
IF @pct IS NULL
BEGIN
	SET @Covered = 0
	RETURN 1
END
SET @Covered = ROUND(CASE WHEN @total > @deductible THEN (@total - @deductible) * @pct / 100 ELSE 0 END, 2)
RETURN 0
GO
CREATE PROCEDURE [bill].[usp_Bill_AgingReport]
	@AsOf date
AS
BEGIN
	SET NOCOUNT ON
	CREATE TABLE #aging (InvoiceId int PRIMARY KEY, Balance decimal(18,2), DaysOverdue int, Bucket varchar(10))
	INSERT INTO #aging (InvoiceId, Balance, DaysOverdue, Bucket)
	SELECT InvoiceId, Total - Paid, DATEDIFF(day, DueOn, @AsOf), ''
	  FROM bill.Invoice WITH (NOLOCK)
	 WHERE Status <> 'PAID' AND Total > Paid
	UPDATE #aging SET Bucket = CASE
		WHEN DaysOverdue <= 0 THEN 'CURRENT'
		WHEN DaysOverdue <= 30 THEN '1-30'
		WHEN DaysOverdue <= 60 THEN '31-60'
		WHEN DaysOverdue <= 90 THEN '61-90'
		ELSE '90+' END
	SELECT Bucket, COUNT(*) AS Invoices, SUM(Balance) AS Balance
	  FROM #aging GROUP BY Bucket ORDER BY MIN(DaysOverdue)
END
GO
CREATE PROCEDURE [bill].[usp_Bill_InvoiceText]
	@InvoiceId int,
	@Text nvarchar(4000) OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @line nvarchar(400), @n int
	SET @n = 0
	SELECT @Text = N'INVOICE ' + CONVERT(varchar(10), InvoiceId) + N' issued ' + CONVERT(varchar(8), IssuedAt, 112)
	             + N' due ' + CONVERT(varchar(10), DueOn, 103) + N' total ' + CONVERT(varchar(20), Total)
	  FROM bill.Invoice WHERE InvoiceId = @InvoiceId
	DECLARE lines CURSOR LOCAL FORWARD_ONLY READ_ONLY FOR
		SELECT CONVERT(varchar(5), [LineNo]) + N'. ' + Description + N' x' + CONVERT(varchar(12), Quantity)
		  FROM bill.InvoiceLine WHERE InvoiceId = @InvoiceId ORDER BY [LineNo]
	OPEN lines
	FETCH NEXT FROM lines INTO @line
	WHILE @@FETCH_STATUS = 0
	BEGIN
		SET @Text = @Text + NCHAR(10) + @line
		SET @n = @n + 1
		FETCH NEXT FROM lines INTO @line
	END
	CLOSE lines
	DEALLOCATE lines
	RETURN @n
END
GO
CREATE PROCEDURE [bill].[usp_Bill_DailyTakings]
	@From date,
	@To date
AS
SET NOCOUNT ON
SELECT CONVERT(varchar(10), PaidAt, 120) AS Day, Method, COUNT(*) AS Payments, SUM(Amount) AS Amount
  FROM bill.Payment WITH (NOLOCK)
 WHERE PaidAt >= @From AND PaidAt < DATEADD(day, 1, @To)
 GROUP BY CONVERT(varchar(10), PaidAt, 120), Method
 ORDER BY Day, Method
GO
CREATE FUNCTION [bill].[fn_InvoiceBalance] (@InvoiceId int)
RETURNS money
AS
BEGIN
	DECLARE @b money
	SELECT @b = Total - Paid FROM bill.Invoice WHERE InvoiceId = @InvoiceId
	RETURN ISNULL(@b, 0)
END
GO
CREATE PROCEDURE [bill].[usp_Bill_PriceLookup]
	@ServiceCode varchar(20),
	@At datetime = NULL,
	@Price money OUTPUT
AS
SET NOCOUNT ON
IF @At IS NULL SET @At = GETDATE()
SELECT TOP 1 @Price = Price
  FROM bill.PriceList
 WHERE ServiceCode = @ServiceCode AND EffectiveFrom <= @At
 ORDER BY EffectiveFrom DESC
IF @Price IS NULL RETURN 1
RETURN 0
GO
CREATE PROCEDURE [bill].[usp_Bill_WriteOff]
	@MaxBalance money,
	@WrittenOff int OUTPUT
AS
BEGIN
	SET NOCOUNT ON
	SET XACT_ABORT ON
	BEGIN TRAN
	UPDATE bill.Invoice SET Status = 'VOID'
	 WHERE Status IN ('OPEN', 'PARTIAL') AND Total - Paid > 0 AND Total - Paid <= @MaxBalance
	SET @WrittenOff = @@ROWCOUNT
	COMMIT TRAN
END
GO
CREATE PROCEDURE [bill].[usp_Bill_Reprice]
	@InvoiceId int,
	@DiscountPct decimal(5,2)
AS
BEGIN
	SET NOCOUNT ON
	DECLARE @line smallint, @price smallmoney, @newTotal decimal(18,2)
	DECLARE c CURSOR LOCAL FAST_FORWARD FOR
		SELECT [LineNo], UnitPrice FROM bill.InvoiceLine WHERE InvoiceId = @InvoiceId
	OPEN c
	FETCH NEXT FROM c INTO @line, @price
	WHILE @@FETCH_STATUS = 0
	BEGIN
		UPDATE bill.InvoiceLine SET DiscountPct = @DiscountPct WHERE InvoiceId = @InvoiceId AND [LineNo] = @line
		FETCH NEXT FROM c INTO @line, @price
	END
	CLOSE c
	DEALLOCATE c
	SELECT @newTotal = SUM(Quantity * UnitPrice * (100 - DiscountPct) / 100) FROM bill.InvoiceLine WHERE InvoiceId = @InvoiceId
	UPDATE bill.Invoice SET Total = ISNULL(@newTotal, 0) WHERE InvoiceId = @InvoiceId
END
GO
