-- Conversion edge cases; tests/convert.rs checks the decisions and
-- tests/seekdb.rs executes the generated DDL.
CREATE DATABASE [Edge] COLLATE Latin1_General_CS_AS
GO
CREATE SCHEMA [ref]
GO
CREATE TABLE [ref].[Code](
	[CodeId] [decimal](10, 0) IDENTITY(1,1) NOT NULL,
	[Code] [varchar](10) NULL,
	[Label] [nvarchar](100) NOT NULL,
	[IssuedAt] [datetimeoffset](7) NULL,
	[Active] [bit] NOT NULL DEFAULT ((2)),
	[ValidOn] [date] NOT NULL DEFAULT (getdate()),
	[ValidAt] [time](0) NULL DEFAULT (getdate()),
	[UtcOn] [date] NULL DEFAULT (getutcdate()),
	[Stamp] [datetime2](2) NULL DEFAULT (sysutcdatetime()),
	[Currency] [char](3) NOT NULL DEFAULT (CAST(('CNY') AS nvarchar(3))),
	CONSTRAINT [PK_Code] PRIMARY KEY ([CodeId]),
	CONSTRAINT [UQ_Code_Code] UNIQUE ([Code])
)
GO
-- Filtered on a column outside the key: not the same as a plain unique index.
CREATE UNIQUE NONCLUSTERED INDEX [UX_Code_Currency] ON [ref].[Code] ([Currency]) WHERE ([Code] IS NOT NULL)
GO
CREATE TABLE [ref].[code_alias]([Id] int NOT NULL PRIMARY KEY, [X] int NULL)
GO
CREATE TABLE [dbo].[ref_code]([Id] int NOT NULL PRIMARY KEY)
GO
CREATE TABLE [dbo].[AVeryLongTableNameThatGoesOnAndOnBeyondTheSixtyFourCharacterLimitOfTheTarget](
	[Id] int NOT NULL PRIMARY KEY,
	[PatientReferenceNumberAssignedByTheRegionalHealthInformationExchange] varchar(20) NULL,
	[PatientReferenceNumberAssignedByTheRegionalHealthInformationExchangeOld] varchar(20) NULL,
	[Twice] AS ([PatientReferenceNumberAssignedByTheRegionalHealthInformationExchange] + 'x'),
	CONSTRAINT [CK_Long] CHECK ([PatientReferenceNumberAssignedByTheRegionalHealthInformationExchange] <> '')
)
GO
CREATE INDEX [IX_Long] ON [dbo].[AVeryLongTableNameThatGoesOnAndOnBeyondTheSixtyFourCharacterLimitOfTheTarget] ([PatientReferenceNumberAssignedByTheRegionalHealthInformationExchangeOld])
GO
CREATE TABLE [dbo].[OnlyUnknown]([Id] [dbo].[NoSuchType] NULL)
GO
CREATE TABLE [dbo].[Quote's "Table"]([a b] int NULL, [c`d] varchar(10) NULL CHECK ([c`d] <> 'x\y'))
GO
CREATE TABLE dbo.NoSemicolons (Id int NOT NULL, Amount money NULL, CONSTRAINT PK_NoSemicolons PRIMARY KEY (Id))
CREATE INDEX IX_NoSemicolons_Amount ON dbo.NoSemicolons (Amount)
ALTER TABLE dbo.NoSemicolons ADD CONSTRAINT CK_NoSemicolons_Amount CHECK (Amount >= 0)
GO
