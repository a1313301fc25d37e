USE [Hospital]
GO
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TRIGGER [dbo].[trg_Allergy_Audit] ON [dbo].[Allergy]
AFTER INSERT, DELETE
AS
BEGIN
	SET NOCOUNT ON
	INSERT INTO dbo.AuditLog (TableName, Action, ChangedBy, Host)
	SELECT 'Allergy', 'I', SUSER_SNAME(), N'patient ' + CONVERT(nvarchar(12), i.PatientId) + N': ' + i.Substance
	  FROM inserted i
	INSERT INTO dbo.AuditLog (TableName, Action, ChangedBy, Host)
	SELECT 'Allergy', 'D', SUSER_SNAME(), N'patient ' + CONVERT(nvarchar(12), d.PatientId) + N': ' + d.Substance
	  FROM deleted d
END
GO
CREATE TRIGGER [bill].[trg_Payment_Apply] ON [bill].[Payment]
AFTER INSERT
AS
BEGIN
	SET NOCOUNT ON
	UPDATE inv
	   SET Paid = inv.Paid + i.Amount,
	       Status = CASE WHEN inv.Paid + i.Amount >= inv.Total THEN 'PAID' ELSE 'PARTIAL' END
	  FROM bill.Invoice inv
	  JOIN inserted i ON i.InvoiceId = inv.InvoiceId
END
GO
CREATE TRIGGER [lab].[trg_LabResult_Critical] ON [lab].[LabResult]
AFTER INSERT
AS
BEGIN
	SET NOCOUNT ON
	INSERT INTO lab.CriticalValueAlert (ResultId, Comment)
	SELECT i.ResultId, N'auto: ' + i.TestCode + N' flagged ' + i.Flag
	  FROM inserted i
	 WHERE i.Flag IN ('HH', 'LL')
	   AND NOT EXISTS (SELECT 1 FROM lab.CriticalValueAlert a WHERE a.ResultId = i.ResultId)
END
GO
CREATE TRIGGER [pharm].[trg_Prescription_Status] ON [pharm].[Prescription]
AFTER UPDATE
AS
BEGIN
	SET NOCOUNT ON
	IF UPDATE(Status)
	BEGIN
		INSERT INTO dbo.AuditLog (TableName, Action, ChangedBy, Host)
		SELECT 'Prescription', 'U', SUSER_SNAME(),
		       CONVERT(nvarchar(20), i.PrescriptionId) + N': ' + d.Status + N' -> ' + i.Status
		  FROM inserted i JOIN deleted d ON d.PrescriptionId = i.PrescriptionId
		 WHERE i.Status <> d.Status
	END
END
GO
CREATE TRIGGER [clin].[trg_VitalSign_Check] ON [clin].[VitalSign]
AFTER INSERT
AS
BEGIN
	SET NOCOUNT ON
	IF EXISTS (SELECT 1 FROM inserted WHERE TemperatureC > 45 OR TemperatureC < 25 OR PulseBpm > 300)
	BEGIN
		RAISERROR('Implausible vital sign value', 16, 1)
		RETURN
	END
END
GO
CREATE TRIGGER [dbo].[trg_Staff_NoDelete] ON [dbo].[Staff]
AFTER DELETE
AS
BEGIN
	IF (SELECT COUNT(*) FROM deleted) > 0
	BEGIN
		RAISERROR('Staff rows are never deleted; set LeftOn instead', 16, 1)
		ROLLBACK TRANSACTION
	END
END
GO
