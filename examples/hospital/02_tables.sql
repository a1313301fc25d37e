USE [Hospital]
GO
/****** Object:  Table [dbo].[Department]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Department](
	[DepartmentId] [smallint] IDENTITY(1,1) NOT NULL,
	[Code] [varchar](10) NOT NULL,
	[Name] [nvarchar](100) COLLATE Chinese_PRC_CI_AS NOT NULL,
	[ParentId] [smallint] NULL,
	[IsClinical] [dbo].[ut_Flag] NOT NULL,
	[CostCenter] [char](6) NULL,
 CONSTRAINT [PK_Department] PRIMARY KEY CLUSTERED 
(
	[DepartmentId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY],
 CONSTRAINT [UQ_Department_Code] UNIQUE NONCLUSTERED 
(
	[Code] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Ward]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Ward](
	[WardId] [int] IDENTITY(10,1) NOT NULL,
	[DepartmentId] [smallint] NOT NULL,
	[Name] [nvarchar](50) NOT NULL,
	[Floor] [tinyint] NULL,
	[BedCount] [tinyint] NOT NULL,
	[IsolationCapable] [bit] NOT NULL,
 CONSTRAINT [PK_Ward] PRIMARY KEY CLUSTERED 
(
	[WardId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Bed]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Bed](
	[WardId] [int] NOT NULL,
	[BedNo] [varchar](8) NOT NULL,
	[Status] [char](1) NOT NULL,
	[DailyRate] [smallmoney] NOT NULL,
 CONSTRAINT [PK_Bed] PRIMARY KEY CLUSTERED 
(
	[WardId] ASC,
	[BedNo] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, FILLFACTOR = 90, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Staff]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Staff](
	[StaffId] [int] IDENTITY(1,1) NOT NULL,
	[EmployeeNo] [varchar](12) COLLATE Latin1_General_CS_AS NOT NULL,
	[FamilyName] [dbo].[ut_Name] NOT NULL,
	[GivenName] [dbo].[ut_Name],
	[Role] [varchar](20) NOT NULL,
	[DepartmentId] [smallint] NULL,
	[SupervisorId] [int] NULL,
	[LicenseNo] [nvarchar](30) NULL,
	[Email] [varchar](254) NULL,
	[HiredOn] [date] NOT NULL,
	[LeftOn] [date] NULL,
	[LoginName] [sysname] NULL,
	[Photo] [varbinary](max) NULL,
	[RowVer] [rowversion] NOT NULL,
 CONSTRAINT [PK_Staff] PRIMARY KEY CLUSTERED 
(
	[StaffId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Patient]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Patient](
	[PatientId] [int] IDENTITY(1000,1) NOT NULL,
	[Mrn] [dbo].[ut_Mrn] NOT NULL,
	[NationalId] [char](18) NULL,
	[FamilyName] [nvarchar](50) COLLATE Chinese_PRC_CI_AS NOT NULL,
	[GivenName] [nvarchar](50) COLLATE Chinese_PRC_CI_AS NULL,
	[FullName]  AS ((isnull([FamilyName],N'')+N' ')+isnull([GivenName],N'')),
	[Sex] [char](1) NOT NULL,
	[BirthDate] [date] NOT NULL,
	[AgeYears]  AS (datediff(year,[BirthDate],getdate())),
	[BirthTime] [time](0) NULL,
	[BloodType] [varchar](3) NULL,
	[IsDeceased] [bit] NOT NULL,
	[DeceasedAt] [datetime2](0) NULL,
	[Phone] [varchar](20) NULL,
	[Email] [nvarchar](254) NULL,
	[Notes] [nvarchar](max) NULL,
	[Guid] [uniqueidentifier] ROWGUIDCOL  NOT NULL,
	[CreatedAt] [datetime] NOT NULL,
	[CreatedBy] [nvarchar](128) NOT NULL,
	[UpdatedAt] [datetime2](7) NULL,
 CONSTRAINT [PK_Patient] PRIMARY KEY CLUSTERED 
(
	[PatientId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY],
 CONSTRAINT [UQ_Patient_Mrn] UNIQUE NONCLUSTERED 
(
	[Mrn] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [dbo].[PatientAddress]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[PatientAddress](
	[AddressId] [int] IDENTITY(1,1) NOT NULL,
	[PatientId] [int] NOT NULL,
	[Kind] [varchar](10) NOT NULL,
	[Line1] [nvarchar](200) NOT NULL,
	[Line2] [nvarchar](200) NULL,
	[City] [nvarchar](100) NOT NULL,
	[Province] [nvarchar](100) NULL,
	[PostalCode] [varchar](10) NULL,
	[ValidFrom] [date] NOT NULL,
	[ValidTo] [date] NULL,
 CONSTRAINT [PK_PatientAddress] PRIMARY KEY CLUSTERED 
(
	[AddressId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[PatientContact]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[PatientContact](
	[ContactId] [bigint] IDENTITY(1,1) NOT NULL,
	[PatientId] [int] NOT NULL,
	[Relationship] [nvarchar](30) NOT NULL,
	[Name] [nvarchar](100) NOT NULL,
	[Phone] [varchar](20) NOT NULL,
	[IsEmergency] [bit] NOT NULL,
 CONSTRAINT [PK_PatientContact] PRIMARY KEY NONCLUSTERED 
(
	[ContactId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[PatientIdentifier]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[PatientIdentifier](
	[PatientId] [int] NOT NULL,
	[System] [varchar](50) NOT NULL,
	[Value] [varchar](64) NOT NULL,
	[AssignedAt] [datetimeoffset](7) NOT NULL,
 CONSTRAINT [PK_PatientIdentifier] PRIMARY KEY CLUSTERED 
(
	[PatientId] ASC,
	[System] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Allergy]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Allergy](
	[AllergyId] [int] IDENTITY(1,1) NOT NULL,
	[PatientId] [int] NOT NULL,
	[Substance] [nvarchar](100) NOT NULL,
	[Severity] [tinyint] NOT NULL,
	[Reaction] [nvarchar](400) NULL,
	[RecordedAt] [smalldatetime] NOT NULL,
	[RecordedBy] [int] NULL,
 CONSTRAINT [PK_Allergy] PRIMARY KEY CLUSTERED 
(
	[AllergyId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[Facility]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[Facility](
	[FacilityId] [int] NOT NULL,
	[Name] [nvarchar](100) NOT NULL,
	[Location] [geography] NULL,
	[FloorPlan] [geometry] NULL,
	[Address] [nvarchar](300) NULL,
 CONSTRAINT [PK_Facility] PRIMARY KEY CLUSTERED 
(
	[FacilityId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [dbo].[OrgUnit]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[OrgUnit](
	[Node] [hierarchyid] NOT NULL,
	[Level]  AS ([Node].[GetLevel]()),
	[UnitName] [nvarchar](100) NOT NULL,
 CONSTRAINT [PK_OrgUnit] PRIMARY KEY CLUSTERED 
(
	[Node] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [dbo].[AuditLog]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[AuditLog](
	[AuditId] [bigint] IDENTITY(1,2) NOT NULL,
	[TableName] [sysname] NOT NULL,
	[KeyValue] [sql_variant] NULL,
	[Action] [char](1) NOT NULL,
	[ChangedAt] [datetime2](3) NOT NULL,
	[ChangedBy] [nvarchar](128) NOT NULL,
	[OldRow] [xml] NULL,
	[NewRow] [xml] NULL,
	[Host] [nvarchar](128) SPARSE  NULL,
 CONSTRAINT [PK_AuditLog] PRIMARY KEY CLUSTERED 
(
	[AuditId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [dbo].[ImportStaging]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [dbo].[ImportStaging](
	[BatchNo] [int] NOT NULL,
	[LineNo] [int] NOT NULL,
	[RawText] [text] NULL,
	[RawUnicode] [ntext] NULL,
	[Payload] [image] NULL,
	[Checksum] [binary](16) NULL,
	[LoadedAt] [datetime] NULL
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [clin].[Visit]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Visit](
	[VisitId] [bigint] IDENTITY(1,1) NOT NULL,
	[PatientId] [int] NOT NULL,
	[VisitType] [char](2) NOT NULL,
	[DepartmentId] [smallint] NOT NULL,
	[AttendingId] [int] NULL,
	[StartedAt] [datetime] NOT NULL,
	[EndedAt] [datetime] NULL,
	[VisitDate]  AS (CONVERT([date],[StartedAt])) PERSISTED,
	[VisitDay]  AS (CONVERT([varchar](8),[StartedAt],(112))),
	[ChiefComplaint] [nvarchar](500) NULL,
	[TriageLevel] [tinyint] NULL,
	[IsReadmission] [bit] NOT NULL,
 CONSTRAINT [PK_Visit] PRIMARY KEY CLUSTERED 
(
	[VisitId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[Admission]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Admission](
	[AdmissionId] [int] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[WardId] [int] NOT NULL,
	[BedNo] [varchar](8) NULL,
	[AdmittedAt] [datetime2](3) NOT NULL,
	[DischargedAt] [datetime2](3) NULL,
	[DischargeDisposition] [varchar](20) NULL,
	[LengthOfStayDays]  AS (datediff(day,[AdmittedAt],[DischargedAt])) PERSISTED,
 CONSTRAINT [PK_Admission] PRIMARY KEY CLUSTERED 
(
	[AdmissionId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[Diagnosis]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Diagnosis](
	[Icd10Code] [varchar](8) NOT NULL,
	[Description] [nvarchar](255) NOT NULL,
	[Chapter] [varchar](5) NULL,
	[IsBillable] [bit] NOT NULL,
 CONSTRAINT [PK_Diagnosis] PRIMARY KEY CLUSTERED 
(
	[Icd10Code] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[VisitDiagnosis]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[VisitDiagnosis](
	[VisitId] [bigint] NOT NULL,
	[Icd10Code] [varchar](8) NOT NULL,
	[Rank] [tinyint] NOT NULL,
	[IsPrimary]  AS (case when [Rank]=(1) then CONVERT([bit],(1)) else CONVERT([bit],(0)) end),
	[DiagnosedBy] [int] NULL,
 CONSTRAINT [PK_VisitDiagnosis] PRIMARY KEY CLUSTERED 
(
	[VisitId] ASC,
	[Icd10Code] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[VitalSign]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[VitalSign](
	[VitalId] [bigint] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[TakenAt] [datetime2](0) NOT NULL,
	[TemperatureC] [decimal](4, 1) NULL,
	[PulseBpm] [smallint] NULL,
	[RespRate] [tinyint] NULL,
	[SystolicMmHg] [smallint] NULL,
	[DiastolicMmHg] [smallint] NULL,
	[SpO2Pct] [real] NULL,
	[WeightKg] [float](24) NULL,
	[HeightCm] [float] NULL,
	[PainScore] [tinyint] NULL,
 CONSTRAINT [PK_VitalSign] PRIMARY KEY NONCLUSTERED 
(
	[VitalId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[ClinicalNote]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[ClinicalNote](
	[NoteId] [bigint] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[AuthorId] [int] NOT NULL,
	[NoteType] [varchar](20) NOT NULL,
	[Body] [nvarchar](max) NOT NULL,
	[StructuredBody] [xml] NULL,
	[LegacyText] [ntext] NULL,
	[SignedAt] [datetime2](7) NULL,
	[Signature] [varbinary](256) NULL,
 CONSTRAINT [PK_ClinicalNote] PRIMARY KEY CLUSTERED 
(
	[NoteId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [clin].[Order]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Order](
	[OrderId] [bigint] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[OrderedBy] [int] NOT NULL,
	[OrderType] [varchar](10) NOT NULL,
	[Priority] [char](1) NOT NULL,
	[Status] [varchar](12) NOT NULL,
	[OrderedAt] [datetime] NOT NULL,
	[Comment] [nvarchar](1000) NULL,
	[ExternalRef] [uniqueidentifier] NULL,
 CONSTRAINT [PK_Order] PRIMARY KEY CLUSTERED 
(
	[OrderId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[Order Item]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Order Item](
	[OrderId] [bigint] NOT NULL,
	[LineNo] [int] NOT NULL,
	[ItemCode] [varchar](20) NOT NULL,
	[Quantity] [decimal](9, 2) NOT NULL,
	[Unit] [nvarchar](10) NULL,
	[Instructions] [nvarchar](400) NULL,
 CONSTRAINT [PK_Order Item] PRIMARY KEY CLUSTERED 
(
	[OrderId] ASC,
	[LineNo] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[ProcedureRecord]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[ProcedureRecord](
	[ProcedureRecordId] [int] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[ProcedureCode] [varchar](10) NOT NULL,
	[PerformedBy] [int] NOT NULL,
	[StartedAt] [datetime2](0) NOT NULL,
	[DurationMin] [smallint] NULL,
	[AnesthesiaType] [varchar](20) NULL,
	[Outcome] [nvarchar](200) NULL,
 CONSTRAINT [PK_ProcedureRecord] PRIMARY KEY CLUSTERED 
(
	[ProcedureRecordId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [clin].[Document]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [clin].[Document](
	[DocumentId] [uniqueidentifier] NOT NULL,
	[VisitId] [bigint] NULL,
	[PatientId] [int] NOT NULL,
	[FileName] [nvarchar](260) NOT NULL,
	[MimeType] [varchar](100) NOT NULL,
	[Content] [varbinary](max) NOT NULL,
	[Thumbnail] [image] NULL,
	[UploadedAt] [datetimeoffset](3) NOT NULL,
 CONSTRAINT [PK_Document] PRIMARY KEY CLUSTERED 
(
	[DocumentId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [lab].[TestCatalog]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [lab].[TestCatalog](
	[TestCode] [varchar](12) NOT NULL,
	[LoincCode] [varchar](10) NULL,
	[Name] [nvarchar](200) NOT NULL,
	[SpecimenType] [varchar](20) NOT NULL,
	[Unit] [nvarchar](20) NULL,
	[RefLow] [decimal](12, 4) NULL,
	[RefHigh] [decimal](12, 4) NULL,
	[TurnaroundHours] [smallint] NOT NULL,
	[Price] [money] NOT NULL,
	[IsActive] [bit] NOT NULL,
 CONSTRAINT [PK_TestCatalog] PRIMARY KEY CLUSTERED 
(
	[TestCode] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [lab].[Specimen]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [lab].[Specimen](
	[SpecimenId] [bigint] NOT NULL,
	[OrderId] [bigint] NOT NULL,
	[SpecimenType] [varchar](20) NOT NULL,
	[Barcode] [varchar](24) NULL,
	[CollectedAt] [datetime2](0) NOT NULL,
	[CollectedBy] [int] NULL,
	[ReceivedAt] [datetime2](0) NULL,
	[Condition] [varchar](20) NULL,
 CONSTRAINT [PK_Specimen] PRIMARY KEY CLUSTERED 
(
	[SpecimenId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [lab].[LabResult]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [lab].[LabResult](
	[ResultId] [bigint] IDENTITY(1,1) NOT NULL,
	[SpecimenId] [bigint] NOT NULL,
	[TestCode] [varchar](12) NOT NULL,
	[ValueNumeric] [decimal](18, 6) NULL,
	[ValueText] [nvarchar](4000) NULL,
	[Unit] [nvarchar](20) NULL,
	[Flag] [char](2) NULL,
	[ResultedAt] [datetimeoffset](7) NOT NULL,
	[VerifiedBy] [int] NULL,
	[VerifiedAt] [datetime] NULL,
	[Instrument] [varchar](40) NULL,
	[RawMessage] [varchar](max) NULL,
 CONSTRAINT [PK_LabResult] PRIMARY KEY CLUSTERED 
(
	[ResultId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [lab].[CriticalValueAlert]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [lab].[CriticalValueAlert](
	[AlertId] [int] IDENTITY(1,1) NOT NULL,
	[ResultId] [bigint] NOT NULL,
	[NotifiedStaffId] [int] NULL,
	[NotifiedAt] [datetime] NULL,
	[ReadBack] [bit] NOT NULL,
	[Comment] [nvarchar](500) NULL,
 CONSTRAINT [PK_CriticalValueAlert] PRIMARY KEY CLUSTERED 
(
	[AlertId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [pharm].[Drug]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [pharm].[Drug](
	[DrugCode] [varchar](20) NOT NULL,
	[GenericName] [nvarchar](200) NOT NULL,
	[BrandName] [nvarchar](200) NULL,
	[Form] [varchar](30) NOT NULL,
	[Strength] [nvarchar](50) NULL,
	[AtcCode] [char](7) NULL,
	[IsControlled] [bit] NOT NULL,
	[UnitCost] [smallmoney] NOT NULL,
	[UnitPrice] [money] NOT NULL,
 CONSTRAINT [PK_Drug] PRIMARY KEY CLUSTERED 
(
	[DrugCode] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [pharm].[Prescription]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [pharm].[Prescription](
	[PrescriptionId] [bigint] IDENTITY(1,1) NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[DrugCode] [varchar](20) NOT NULL,
	[PrescriberId] [int] NOT NULL,
	[Dose] [decimal](10, 3) NOT NULL,
	[DoseUnit] [varchar](10) NOT NULL,
	[Route] [varchar](10) NOT NULL,
	[Frequency] [varchar](20) NOT NULL,
	[StartDate] [date] NOT NULL,
	[EndDate] [date] NULL,
	[Quantity] [numeric](9, 2) NOT NULL,
	[Refills] [tinyint] NOT NULL,
	[Status] [varchar](12) NOT NULL,
	[PrescribedAt] [datetime] NOT NULL,
 CONSTRAINT [PK_Prescription] PRIMARY KEY CLUSTERED 
(
	[PrescriptionId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [pharm].[DispenseRecord]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [pharm].[DispenseRecord](
	[DispenseId] [bigint] IDENTITY(1,1) NOT NULL,
	[PrescriptionId] [bigint] NOT NULL,
	[DispensedAt] [datetime] NOT NULL,
	[DispensedBy] [int] NOT NULL,
	[Quantity] [decimal](9, 2) NOT NULL,
	[LotNo] [varchar](30) NULL,
	[ExpiresOn] [date] NULL,
 CONSTRAINT [PK_DispenseRecord] PRIMARY KEY CLUSTERED 
(
	[DispenseId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [pharm].[Inventory]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [pharm].[Inventory](
	[DrugCode] [varchar](20) NOT NULL,
	[LotNo] [varchar](30) NOT NULL,
	[OnHand] [int] NOT NULL,
	[ReorderLevel] [int] NOT NULL,
	[ExpiresOn] [date] NOT NULL,
	[LastCounted] [smalldatetime] NULL,
	[Version] [timestamp] NOT NULL,
 CONSTRAINT [PK_Inventory] PRIMARY KEY CLUSTERED 
(
	[DrugCode] ASC,
	[LotNo] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[InsurancePlan]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[InsurancePlan](
	[PlanId] [int] NOT NULL,
	[PayerName] [nvarchar](200) NOT NULL,
	[PlanCode] [varchar](20) NOT NULL,
	[CoveragePct] [decimal](5, 2) NOT NULL,
	[Deductible] [money] NOT NULL,
	[IsActive] [bit] NOT NULL,
 CONSTRAINT [PK_InsurancePlan] PRIMARY KEY CLUSTERED 
(
	[PlanId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[PatientCoverage]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[PatientCoverage](
	[PatientId] [int] NOT NULL,
	[PlanId] [int] NOT NULL,
	[MemberNo] [varchar](30) NOT NULL,
	[ValidFrom] [date] NOT NULL,
	[ValidTo] [date] NULL,
	[IsPrimary] [bit] NOT NULL,
 CONSTRAINT [PK_PatientCoverage] PRIMARY KEY CLUSTERED 
(
	[PatientId] ASC,
	[PlanId] ASC,
	[ValidFrom] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[Invoice]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[Invoice](
	[InvoiceId] [int] NOT NULL,
	[VisitId] [bigint] NOT NULL,
	[PlanId] [int] NULL,
	[IssuedAt] [datetime] NOT NULL,
	[DueOn] [date] NOT NULL,
	[Currency] [char](3) NOT NULL,
	[Total] [dbo].[ut_Amount] NOT NULL,
	[Paid] [money] NOT NULL,
	[Balance]  AS ([Total]-[Paid]) PERSISTED,
	[Status] [varchar](12) NOT NULL,
	[Guid] [uniqueidentifier] NOT NULL,
 CONSTRAINT [PK_Invoice] PRIMARY KEY CLUSTERED 
(
	[InvoiceId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[InvoiceLine]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[InvoiceLine](
	[InvoiceId] [int] NOT NULL,
	[LineNo] [smallint] NOT NULL,
	[ServiceCode] [varchar](20) NOT NULL,
	[Description] [nvarchar](300) NOT NULL,
	[Quantity] [decimal](9, 2) NOT NULL,
	[UnitPrice] [smallmoney] NOT NULL,
	[DiscountPct] [decimal](5, 2) NOT NULL,
	[LineTotal]  AS (([Quantity]*[UnitPrice])*((1)-[DiscountPct]/(100))) PERSISTED,
 CONSTRAINT [PK_InvoiceLine] PRIMARY KEY CLUSTERED 
(
	[InvoiceId] ASC,
	[LineNo] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[Payment]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[Payment](
	[PaymentId] [int] IDENTITY(1,1) NOT NULL,
	[InvoiceId] [int] NOT NULL,
	[PaidAt] [datetime2](3) NOT NULL,
	[Amount] [money] NOT NULL,
	[Method] [varchar](10) NOT NULL,
	[Reference] [nvarchar](100) NULL,
	[ReceivedBy] [int] NULL,
 CONSTRAINT [PK_Payment] PRIMARY KEY CLUSTERED 
(
	[PaymentId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
/****** Object:  Table [bill].[Claim]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[Claim](
	[ClaimId] [uniqueidentifier] ROWGUIDCOL  NOT NULL,
	[InvoiceId] [int] NOT NULL,
	[PlanId] [int] NOT NULL,
	[SubmittedAt] [datetime] NULL,
	[ClaimedAmount] [money] NOT NULL,
	[ApprovedAmount] [money] NULL,
	[Status] [varchar](12) NOT NULL,
	[PayerReference] [varchar](50) NULL,
	[Edi837] [xml] NULL,
 CONSTRAINT [PK_Claim] PRIMARY KEY NONCLUSTERED 
(
	[ClaimId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
GO
/****** Object:  Table [bill].[PriceList]    Script Date: 2024/5/6 9:12:31 ******/
SET ANSI_NULLS ON
GO
SET QUOTED_IDENTIFIER ON
GO
CREATE TABLE [bill].[PriceList](
	[ServiceCode] [varchar](20) NOT NULL,
	[EffectiveFrom] [smalldatetime] NOT NULL,
	[Price] [money] NOT NULL,
	[Currency] [nchar](3) NOT NULL,
	[FxRate] [float](53) NULL,
	[ApprovedBy] [nvarchar](128) NULL,
	[Signature] [binary](32) NULL,
	[Memo] [varchar](8000) NULL,
 CONSTRAINT [PK_PriceList] PRIMARY KEY CLUSTERED 
(
	[ServiceCode] ASC,
	[EffectiveFrom] DESC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
