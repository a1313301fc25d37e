USE [Hospital]
GO
SET ANSI_PADDING ON
GO
/****** Object:  Index [IX_Patient_Name]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Patient_Name] ON [dbo].[Patient]
(
	[FamilyName] ASC,
	[GivenName] ASC
)
INCLUDE([BirthDate],[Sex]) WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
GO
/****** Object:  Index [UX_Patient_NationalId]    Script Date: 2024/5/6 9:12:31 ******/
CREATE UNIQUE NONCLUSTERED INDEX [UX_Patient_NationalId] ON [dbo].[Patient]
(
	[NationalId] ASC
)
WHERE ([NationalId] IS NOT NULL)
WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, IGNORE_DUP_KEY = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
GO
/****** Object:  Index [IX_Patient_BirthDate]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Patient_BirthDate] ON [dbo].[Patient]
(
	[BirthDate] DESC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, FILLFACTOR = 80) ON [PRIMARY]
GO
/****** Object:  Index [CIX_PatientContact_Patient]    Script Date: 2024/5/6 9:12:31 ******/
CREATE CLUSTERED INDEX [CIX_PatientContact_Patient] ON [dbo].[PatientContact]
(
	[PatientId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [CIX_VitalSign_Visit]    Script Date: 2024/5/6 9:12:31 ******/
CREATE CLUSTERED INDEX [CIX_VitalSign_Visit] ON [clin].[VitalSign]
(
	[VisitId] ASC,
	[TakenAt] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Visit_Patient]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Visit_Patient] ON [clin].[Visit]
(
	[PatientId] ASC,
	[StartedAt] DESC
)
INCLUDE([VisitType],[DepartmentId]) WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Visit_Open]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Visit_Open] ON [clin].[Visit]
(
	[DepartmentId] ASC
)
WHERE ([EndedAt] IS NULL)
WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Visit_Date]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Visit_Date] ON [clin].[Visit]
(
	[VisitDate] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [UX_Admission_ActiveBed]    Script Date: 2024/5/6 9:12:31 ******/
CREATE UNIQUE NONCLUSTERED INDEX [UX_Admission_ActiveBed] ON [clin].[Admission]
(
	[WardId] ASC,
	[BedNo] ASC
)
WHERE ([DischargedAt] IS NULL AND [BedNo] IS NOT NULL)
WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, IGNORE_DUP_KEY = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Order_Visit]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Order_Visit] ON [clin].[Order]
(
	[VisitId] ASC,
	[Status] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_LabResult_Specimen]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_LabResult_Specimen] ON [lab].[LabResult]
(
	[SpecimenId] ASC,
	[TestCode] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [NCCI_LabResult_Analytics]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED COLUMNSTORE INDEX [NCCI_LabResult_Analytics] ON [lab].[LabResult]
(
	[TestCode],
	[ValueNumeric],
	[ResultedAt]
)WITH (DROP_EXISTING = OFF, COMPRESSION_DELAY = 0) ON [PRIMARY]
GO
/****** Object:  Index [UX_Specimen_Barcode]    Script Date: 2024/5/6 9:12:31 ******/
CREATE UNIQUE NONCLUSTERED INDEX [UX_Specimen_Barcode] ON [lab].[Specimen]
(
	[Barcode] ASC
)
WHERE ([Barcode] IS NOT NULL)
WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, IGNORE_DUP_KEY = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [PXML_ClinicalNote_Structured]    Script Date: 2024/5/6 9:12:31 ******/
CREATE PRIMARY XML INDEX [PXML_ClinicalNote_Structured] ON [clin].[ClinicalNote]
(
	[StructuredBody]
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON)
GO
/****** Object:  Index [SIX_Facility_Location]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SPATIAL INDEX [SIX_Facility_Location] ON [dbo].[Facility]
(
	[Location]
)USING  GEOGRAPHY_AUTO_GRID 
WITH (
CELLS_PER_OBJECT = 12, PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Prescription_Visit]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Prescription_Visit] ON [pharm].[Prescription]
(
	[VisitId] ASC
)
INCLUDE([DrugCode],[Status]) WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [IX_Invoice_Visit]    Script Date: 2024/5/6 9:12:31 ******/
CREATE NONCLUSTERED INDEX [IX_Invoice_Visit] ON [bill].[Invoice]
(
	[VisitId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
/****** Object:  Index [CIX_Claim_Invoice]    Script Date: 2024/5/6 9:12:31 ******/
CREATE CLUSTERED INDEX [CIX_Claim_Invoice] ON [bill].[Claim]
(
	[InvoiceId] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, SORT_IN_TEMPDB = OFF, DROP_EXISTING = OFF, ONLINE = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY]
GO
ALTER TABLE [dbo].[Department] ADD  CONSTRAINT [DF_Department_IsClinical]  DEFAULT ((1)) FOR [IsClinical]
GO
ALTER TABLE [dbo].[Ward] ADD  CONSTRAINT [DF_Ward_BedCount]  DEFAULT ((0)) FOR [BedCount]
GO
ALTER TABLE [dbo].[Ward] ADD  CONSTRAINT [DF_Ward_IsolationCapable]  DEFAULT ((0)) FOR [IsolationCapable]
GO
ALTER TABLE [dbo].[Bed] ADD  CONSTRAINT [DF_Bed_Status]  DEFAULT ('A') FOR [Status]
GO
ALTER TABLE [dbo].[Patient] ADD  CONSTRAINT [DF_Patient_IsDeceased]  DEFAULT ((0)) FOR [IsDeceased]
GO
ALTER TABLE [dbo].[Patient] ADD  CONSTRAINT [DF_Patient_Guid]  DEFAULT (newid()) FOR [Guid]
GO
ALTER TABLE [dbo].[Patient] ADD  CONSTRAINT [DF_Patient_CreatedAt]  DEFAULT (getdate()) FOR [CreatedAt]
GO
ALTER TABLE [dbo].[Patient] ADD  CONSTRAINT [DF_Patient_CreatedBy]  DEFAULT (suser_sname()) FOR [CreatedBy]
GO
ALTER TABLE [dbo].[Patient] ADD  CONSTRAINT [DF_Patient_Notes]  DEFAULT (N'') FOR [Notes]
GO
ALTER TABLE [dbo].[PatientAddress] ADD  CONSTRAINT [DF_PatientAddress_ValidFrom]  DEFAULT (CONVERT([date],getdate())) FOR [ValidFrom]
GO
ALTER TABLE [dbo].[PatientContact] ADD  CONSTRAINT [DF_PatientContact_IsEmergency]  DEFAULT ((0)) FOR [IsEmergency]
GO
ALTER TABLE [dbo].[PatientIdentifier] ADD  CONSTRAINT [DF_PatientIdentifier_AssignedAt]  DEFAULT (sysdatetimeoffset()) FOR [AssignedAt]
GO
ALTER TABLE [dbo].[Allergy] ADD  CONSTRAINT [DF_Allergy_RecordedAt]  DEFAULT (getdate()) FOR [RecordedAt]
GO
ALTER TABLE [dbo].[AuditLog] ADD  CONSTRAINT [DF_AuditLog_ChangedAt]  DEFAULT (sysutcdatetime()) FOR [ChangedAt]
GO
ALTER TABLE [dbo].[AuditLog] ADD  CONSTRAINT [DF_AuditLog_ChangedBy]  DEFAULT (suser_sname()) FOR [ChangedBy]
GO
ALTER TABLE [clin].[Visit] ADD  CONSTRAINT [DF_Visit_StartedAt]  DEFAULT (getdate()) FOR [StartedAt]
GO
ALTER TABLE [clin].[Visit] ADD  CONSTRAINT [DF_Visit_IsReadmission]  DEFAULT ((0)) FOR [IsReadmission]
GO
ALTER TABLE [clin].[Diagnosis] ADD  CONSTRAINT [DF_Diagnosis_IsBillable]  DEFAULT ((1)) FOR [IsBillable]
GO
ALTER TABLE [clin].[VisitDiagnosis] ADD  CONSTRAINT [DF_VisitDiagnosis_Rank]  DEFAULT ((1)) FOR [Rank]
GO
ALTER TABLE [clin].[ClinicalNote] ADD  CONSTRAINT [DF_ClinicalNote_Body]  DEFAULT (N'') FOR [Body]
GO
ALTER TABLE [clin].[Order] ADD  CONSTRAINT [DF_Order_Priority]  DEFAULT ('R') FOR [Priority]
GO
ALTER TABLE [clin].[Order] ADD  CONSTRAINT [DF_Order_Status]  DEFAULT ('NEW') FOR [Status]
GO
ALTER TABLE [clin].[Order] ADD  CONSTRAINT [DF_Order_OrderedAt]  DEFAULT (getdate()) FOR [OrderedAt]
GO
ALTER TABLE [clin].[Document] ADD  CONSTRAINT [DF_Document_DocumentId]  DEFAULT (newsequentialid()) FOR [DocumentId]
GO
ALTER TABLE [lab].[TestCatalog] ADD  CONSTRAINT [DF_TestCatalog_IsActive]  DEFAULT ((1)) FOR [IsActive]
GO
ALTER TABLE [lab].[TestCatalog] ADD  CONSTRAINT [DF_TestCatalog_Price]  DEFAULT ((0.00)) FOR [Price]
GO
ALTER TABLE [lab].[Specimen] ADD  CONSTRAINT [DF_Specimen_SpecimenId]  DEFAULT (NEXT VALUE FOR [lab].[SpecimenNumber]) FOR [SpecimenId]
GO
ALTER TABLE [lab].[Specimen] ADD  CONSTRAINT [DF_Specimen_CollectedAt]  DEFAULT (sysdatetime()) FOR [CollectedAt]
GO
ALTER TABLE [lab].[CriticalValueAlert] ADD  CONSTRAINT [DF_CriticalValueAlert_ReadBack]  DEFAULT ((0)) FOR [ReadBack]
GO
ALTER TABLE [pharm].[Drug] ADD  CONSTRAINT [DF_Drug_IsControlled]  DEFAULT ((0)) FOR [IsControlled]
GO
ALTER TABLE [pharm].[Prescription] ADD  CONSTRAINT [DF_Prescription_Refills]  DEFAULT ((0)) FOR [Refills]
GO
ALTER TABLE [pharm].[Prescription] ADD  CONSTRAINT [DF_Prescription_Status]  DEFAULT ('ACTIVE') FOR [Status]
GO
ALTER TABLE [pharm].[Prescription] ADD  CONSTRAINT [DF_Prescription_PrescribedAt]  DEFAULT (getdate()) FOR [PrescribedAt]
GO
ALTER TABLE [pharm].[Inventory] ADD  CONSTRAINT [DF_Inventory_ReorderLevel]  DEFAULT ((10)) FOR [ReorderLevel]
GO
ALTER TABLE [bill].[InsurancePlan] ADD  CONSTRAINT [DF_InsurancePlan_IsActive]  DEFAULT ((1)) FOR [IsActive]
GO
ALTER TABLE [bill].[PatientCoverage] ADD  CONSTRAINT [DF_PatientCoverage_IsPrimary]  DEFAULT ((1)) FOR [IsPrimary]
GO
ALTER TABLE [bill].[Invoice] ADD  CONSTRAINT [DF_Invoice_IssuedAt]  DEFAULT (getdate()) FOR [IssuedAt]
GO
ALTER TABLE [bill].[Invoice] ADD  CONSTRAINT [DF_Invoice_Currency]  DEFAULT ('CNY') FOR [Currency]
GO
ALTER TABLE [bill].[Invoice] ADD  CONSTRAINT [DF_Invoice_Paid]  DEFAULT ((0)) FOR [Paid]
GO
ALTER TABLE [bill].[Invoice] ADD  CONSTRAINT [DF_Invoice_Status]  DEFAULT ('OPEN') FOR [Status]
GO
ALTER TABLE [bill].[Invoice] ADD  CONSTRAINT [DF_Invoice_Guid]  DEFAULT (newid()) FOR [Guid]
GO
ALTER TABLE [bill].[InvoiceLine] ADD  CONSTRAINT [DF_InvoiceLine_DiscountPct]  DEFAULT ((0)) FOR [DiscountPct]
GO
ALTER TABLE [bill].[Payment] ADD  CONSTRAINT [DF_Payment_PaidAt]  DEFAULT (sysdatetime()) FOR [PaidAt]
GO
ALTER TABLE [bill].[Claim] ADD  CONSTRAINT [DF_Claim_ClaimId]  DEFAULT (newsequentialid()) FOR [ClaimId]
GO
ALTER TABLE [bill].[Claim] ADD  CONSTRAINT [DF_Claim_Status]  DEFAULT ('DRAFT') FOR [Status]
GO
ALTER TABLE [bill].[PriceList] ADD  CONSTRAINT [DF_PriceList_Currency]  DEFAULT (N'CNY') FOR [Currency]
GO
ALTER TABLE [bill].[PriceList] ADD  CONSTRAINT [DF_PriceList_Memo]  DEFAULT ('C:\Prices\') FOR [Memo]
GO
ALTER TABLE [dbo].[Department]  WITH CHECK ADD  CONSTRAINT [FK_Department_Parent] FOREIGN KEY([ParentId])
REFERENCES [dbo].[Department] ([DepartmentId])
GO
ALTER TABLE [dbo].[Department] CHECK CONSTRAINT [FK_Department_Parent]
GO
ALTER TABLE [dbo].[Ward]  WITH CHECK ADD  CONSTRAINT [FK_Ward_Department] FOREIGN KEY([DepartmentId])
REFERENCES [dbo].[Department] ([DepartmentId])
GO
ALTER TABLE [dbo].[Ward] CHECK CONSTRAINT [FK_Ward_Department]
GO
ALTER TABLE [dbo].[Bed]  WITH CHECK ADD  CONSTRAINT [FK_Bed_Ward] FOREIGN KEY([WardId])
REFERENCES [dbo].[Ward] ([WardId])
ON DELETE CASCADE
GO
ALTER TABLE [dbo].[Bed] CHECK CONSTRAINT [FK_Bed_Ward]
GO
ALTER TABLE [dbo].[Staff]  WITH CHECK ADD  CONSTRAINT [FK_Staff_Department] FOREIGN KEY([DepartmentId])
REFERENCES [dbo].[Department] ([DepartmentId])
ON DELETE SET NULL
GO
ALTER TABLE [dbo].[Staff] CHECK CONSTRAINT [FK_Staff_Department]
GO
ALTER TABLE [dbo].[Staff]  WITH CHECK ADD  CONSTRAINT [FK_Staff_Supervisor] FOREIGN KEY([SupervisorId])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [dbo].[Staff] CHECK CONSTRAINT [FK_Staff_Supervisor]
GO
ALTER TABLE [dbo].[PatientAddress]  WITH CHECK ADD  CONSTRAINT [FK_PatientAddress_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
ON UPDATE CASCADE
ON DELETE CASCADE
GO
ALTER TABLE [dbo].[PatientAddress] CHECK CONSTRAINT [FK_PatientAddress_Patient]
GO
ALTER TABLE [dbo].[PatientContact]  WITH CHECK ADD  CONSTRAINT [FK_PatientContact_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
ON DELETE CASCADE
GO
ALTER TABLE [dbo].[PatientContact] CHECK CONSTRAINT [FK_PatientContact_Patient]
GO
ALTER TABLE [dbo].[PatientIdentifier]  WITH CHECK ADD  CONSTRAINT [FK_PatientIdentifier_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
ON DELETE CASCADE
GO
ALTER TABLE [dbo].[Allergy]  WITH CHECK ADD  CONSTRAINT [FK_Allergy_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
GO
ALTER TABLE [dbo].[Allergy]  WITH CHECK ADD  CONSTRAINT [FK_Allergy_Staff] FOREIGN KEY([RecordedBy])
REFERENCES [dbo].[Staff] ([StaffId])
NOT FOR REPLICATION 
GO
ALTER TABLE [dbo].[Allergy] NOCHECK CONSTRAINT [FK_Allergy_Staff]
GO
ALTER TABLE [clin].[Visit]  WITH CHECK ADD  CONSTRAINT [FK_Visit_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
GO
ALTER TABLE [clin].[Visit] CHECK CONSTRAINT [FK_Visit_Patient]
GO
ALTER TABLE [clin].[Visit]  WITH CHECK ADD  CONSTRAINT [FK_Visit_Department] FOREIGN KEY([DepartmentId])
REFERENCES [dbo].[Department] ([DepartmentId])
GO
ALTER TABLE [clin].[Visit]  WITH NOCHECK ADD  CONSTRAINT [FK_Visit_Attending] FOREIGN KEY([AttendingId])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [clin].[Admission]  WITH CHECK ADD  CONSTRAINT [FK_Admission_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [clin].[Admission]  WITH CHECK ADD  CONSTRAINT [FK_Admission_Ward] FOREIGN KEY([WardId])
REFERENCES [dbo].[Ward] ([WardId])
GO
ALTER TABLE [clin].[VisitDiagnosis]  WITH CHECK ADD  CONSTRAINT [FK_VisitDiagnosis_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
ON DELETE CASCADE
GO
ALTER TABLE [clin].[VisitDiagnosis]  WITH CHECK ADD  CONSTRAINT [FK_VisitDiagnosis_Diagnosis] FOREIGN KEY([Icd10Code])
REFERENCES [clin].[Diagnosis] ([Icd10Code])
ON UPDATE CASCADE
GO
ALTER TABLE [clin].[VitalSign]  WITH CHECK ADD  CONSTRAINT [FK_VitalSign_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
ON DELETE CASCADE
GO
ALTER TABLE [clin].[ClinicalNote]  WITH CHECK ADD  CONSTRAINT [FK_ClinicalNote_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [clin].[ClinicalNote]  WITH CHECK ADD  CONSTRAINT [FK_ClinicalNote_Author] FOREIGN KEY([AuthorId])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [clin].[Order]  WITH CHECK ADD  CONSTRAINT [FK_Order_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [clin].[Order]  WITH CHECK ADD  CONSTRAINT [FK_Order_Staff] FOREIGN KEY([OrderedBy])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [clin].[Order Item]  WITH CHECK ADD  CONSTRAINT [FK_Order Item_Order] FOREIGN KEY([OrderId])
REFERENCES [clin].[Order] ([OrderId])
ON DELETE CASCADE
GO
ALTER TABLE [clin].[ProcedureRecord]  WITH CHECK ADD  CONSTRAINT [FK_ProcedureRecord_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [clin].[Document]  WITH CHECK ADD  CONSTRAINT [FK_Document_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
GO
ALTER TABLE [clin].[Document]  WITH CHECK ADD  CONSTRAINT [FK_Document_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
ON DELETE SET NULL
GO
ALTER TABLE [lab].[Specimen]  WITH CHECK ADD  CONSTRAINT [FK_Specimen_Order] FOREIGN KEY([OrderId])
REFERENCES [clin].[Order] ([OrderId])
GO
ALTER TABLE [lab].[LabResult]  WITH CHECK ADD  CONSTRAINT [FK_LabResult_Specimen] FOREIGN KEY([SpecimenId])
REFERENCES [lab].[Specimen] ([SpecimenId])
ON DELETE CASCADE
GO
ALTER TABLE [lab].[LabResult]  WITH CHECK ADD  CONSTRAINT [FK_LabResult_Test] FOREIGN KEY([TestCode])
REFERENCES [lab].[TestCatalog] ([TestCode])
GO
ALTER TABLE [lab].[LabResult]  WITH CHECK ADD  CONSTRAINT [FK_LabResult_Verifier] FOREIGN KEY([VerifiedBy])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [lab].[CriticalValueAlert]  WITH CHECK ADD  CONSTRAINT [FK_CriticalValueAlert_Result] FOREIGN KEY([ResultId])
REFERENCES [lab].[LabResult] ([ResultId])
ON DELETE CASCADE
GO
ALTER TABLE [pharm].[Prescription]  WITH CHECK ADD  CONSTRAINT [FK_Prescription_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [pharm].[Prescription]  WITH CHECK ADD  CONSTRAINT [FK_Prescription_Drug] FOREIGN KEY([DrugCode])
REFERENCES [pharm].[Drug] ([DrugCode])
ON UPDATE CASCADE
GO
ALTER TABLE [pharm].[Prescription]  WITH CHECK ADD  CONSTRAINT [FK_Prescription_Prescriber] FOREIGN KEY([PrescriberId])
REFERENCES [dbo].[Staff] ([StaffId])
GO
ALTER TABLE [pharm].[DispenseRecord]  WITH CHECK ADD  CONSTRAINT [FK_DispenseRecord_Prescription] FOREIGN KEY([PrescriptionId])
REFERENCES [pharm].[Prescription] ([PrescriptionId])
GO
ALTER TABLE [pharm].[Inventory]  WITH CHECK ADD  CONSTRAINT [FK_Inventory_Drug] FOREIGN KEY([DrugCode])
REFERENCES [pharm].[Drug] ([DrugCode])
GO
ALTER TABLE [bill].[PatientCoverage]  WITH CHECK ADD  CONSTRAINT [FK_PatientCoverage_Patient] FOREIGN KEY([PatientId])
REFERENCES [dbo].[Patient] ([PatientId])
GO
ALTER TABLE [bill].[PatientCoverage]  WITH CHECK ADD  CONSTRAINT [FK_PatientCoverage_Plan] FOREIGN KEY([PlanId])
REFERENCES [bill].[InsurancePlan] ([PlanId])
GO
ALTER TABLE [bill].[Invoice]  WITH CHECK ADD  CONSTRAINT [FK_Invoice_Visit] FOREIGN KEY([VisitId])
REFERENCES [clin].[Visit] ([VisitId])
GO
ALTER TABLE [bill].[Invoice]  WITH CHECK ADD  CONSTRAINT [FK_Invoice_Plan] FOREIGN KEY([PlanId])
REFERENCES [bill].[InsurancePlan] ([PlanId])
ON DELETE SET DEFAULT
GO
ALTER TABLE [bill].[InvoiceLine]  WITH CHECK ADD  CONSTRAINT [FK_InvoiceLine_Invoice] FOREIGN KEY([InvoiceId])
REFERENCES [bill].[Invoice] ([InvoiceId])
ON DELETE CASCADE
GO
ALTER TABLE [bill].[Payment]  WITH CHECK ADD  CONSTRAINT [FK_Payment_Invoice] FOREIGN KEY([InvoiceId])
REFERENCES [bill].[Invoice] ([InvoiceId])
GO
ALTER TABLE [bill].[Claim]  WITH CHECK ADD  CONSTRAINT [FK_Claim_Invoice] FOREIGN KEY([InvoiceId])
REFERENCES [bill].[Invoice] ([InvoiceId])
GO
ALTER TABLE [bill].[Claim]  WITH CHECK ADD  CONSTRAINT [FK_Claim_Plan] FOREIGN KEY([PlanId])
REFERENCES [bill].[InsurancePlan] ([PlanId])
GO
ALTER TABLE [dbo].[Bed]  WITH CHECK ADD  CONSTRAINT [CK_Bed_Status] CHECK  (([Status]='C' OR [Status]='O' OR [Status]='A'))
GO
ALTER TABLE [dbo].[Bed] CHECK CONSTRAINT [CK_Bed_Status]
GO
ALTER TABLE [dbo].[Patient]  WITH CHECK ADD  CONSTRAINT [CK_Patient_Sex] CHECK  (([Sex]='U' OR [Sex]='F' OR [Sex]='M'))
GO
ALTER TABLE [dbo].[Patient] CHECK CONSTRAINT [CK_Patient_Sex]
GO
ALTER TABLE [dbo].[Patient]  WITH CHECK ADD  CONSTRAINT [CK_Patient_Mrn] CHECK  (([Mrn] like '[0-9][0-9][0-9][0-9][0-9][0-9]%'))
GO
ALTER TABLE [dbo].[Patient]  WITH CHECK ADD  CONSTRAINT [CK_Patient_BirthDate] CHECK  (([BirthDate]<=getdate()))
GO
ALTER TABLE [dbo].[Patient]  WITH CHECK ADD  CONSTRAINT [CK_Patient_BloodType] CHECK  (([BloodType] IN ('AB-', 'AB+', 'B-', 'B+', 'A-', 'A+', 'O-', 'O+')))
GO
ALTER TABLE [dbo].[Patient]  WITH CHECK ADD  CONSTRAINT [CK_Patient_Deceased] CHECK  (([IsDeceased]=(0) AND [DeceasedAt] IS NULL OR [IsDeceased]=(1)))
GO
ALTER TABLE [dbo].[Allergy]  WITH CHECK ADD  CONSTRAINT [CK_Allergy_Severity] CHECK  (([Severity]>=(1) AND [Severity]<=(4)))
GO
ALTER TABLE [clin].[Visit]  WITH CHECK ADD  CONSTRAINT [CK_Visit_Type] CHECK  (([VisitType]='ER' OR [VisitType]='IP' OR [VisitType]='OP'))
GO
ALTER TABLE [clin].[Visit]  WITH CHECK ADD  CONSTRAINT [CK_Visit_Period] CHECK  (([EndedAt] IS NULL OR [EndedAt]>=[StartedAt]))
GO
ALTER TABLE [clin].[Visit]  WITH CHECK ADD  CONSTRAINT [CK_Visit_Triage] CHECK  (([TriageLevel] BETWEEN (1) AND (5)))
GO
ALTER TABLE [clin].[Admission]  WITH NOCHECK ADD  CONSTRAINT [CK_Admission_Discharge] CHECK  (([DischargedAt] IS NULL OR [DischargedAt]>[AdmittedAt]))
GO
ALTER TABLE [clin].[VitalSign]  WITH CHECK ADD  CONSTRAINT [CK_VitalSign_Temp] CHECK  (([TemperatureC]>=(25.0) AND [TemperatureC]<=(45.0)))
GO
ALTER TABLE [clin].[VitalSign]  WITH CHECK ADD  CONSTRAINT [CK_VitalSign_Pain] CHECK  (([PainScore]<=(10)))
GO
ALTER TABLE [clin].[Diagnosis]  WITH CHECK ADD  CONSTRAINT [CK_Diagnosis_Code] CHECK  (([Icd10Code] like '[A-Z][0-9][0-9]%'))
GO
ALTER TABLE [lab].[LabResult]  WITH CHECK ADD  CONSTRAINT [CK_LabResult_Value] CHECK  (([ValueNumeric] IS NOT NULL OR [ValueText] IS NOT NULL))
GO
ALTER TABLE [lab].[LabResult]  WITH CHECK ADD  CONSTRAINT [CK_LabResult_Flag] CHECK  (([Flag] IN ('N', 'L', 'H', 'LL', 'HH', 'A')))
GO
ALTER TABLE [lab].[LabResult] NOCHECK CONSTRAINT [CK_LabResult_Flag]
GO
ALTER TABLE [pharm].[Prescription]  WITH CHECK ADD  CONSTRAINT [CK_Prescription_Dates] CHECK  (([EndDate] IS NULL OR [EndDate]>=[StartDate]))
GO
ALTER TABLE [pharm].[Prescription]  WITH CHECK ADD  CONSTRAINT [CK_Prescription_Dose] CHECK  (([Dose]>(0)))
GO
ALTER TABLE [pharm].[Inventory]  WITH CHECK ADD  CONSTRAINT [CK_Inventory_OnHand] CHECK  (([OnHand]>=(0)))
GO
ALTER TABLE [bill].[InsurancePlan]  WITH CHECK ADD  CONSTRAINT [CK_InsurancePlan_Coverage] CHECK  (([CoveragePct]>=(0) AND [CoveragePct]<=(100)))
GO
ALTER TABLE [bill].[Invoice]  WITH CHECK ADD  CONSTRAINT [CK_Invoice_Status] CHECK  (([Status]='VOID' OR [Status]='PAID' OR [Status]='PARTIAL' OR [Status]='OPEN'))
GO
ALTER TABLE [bill].[InvoiceLine]  WITH CHECK ADD  CONSTRAINT [CK_InvoiceLine_Discount] CHECK  (([DiscountPct]>=(0) AND [DiscountPct]<=(100)))
GO
ALTER TABLE [bill].[Payment]  WITH CHECK ADD  CONSTRAINT [CK_Payment_Amount] CHECK  (([Amount]<>(0)))
GO
ALTER TABLE [bill].[Payment]  WITH CHECK ADD  CONSTRAINT [CK_Payment_Method] CHECK  (([Method]='INS' OR [Method]='XFER' OR [Method]='CARD' OR [Method]='CASH'))
GO
EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'患者主索引 (master patient index)' , @level0type=N'SCHEMA',@level0name=N'dbo', @level1type=N'TABLE',@level1name=N'Patient'
GO
EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'Medical record number, 6+ digits' , @level0type=N'SCHEMA',@level0name=N'dbo', @level1type=N'TABLE',@level1name=N'Patient', @level2type=N'COLUMN',@level2name=N'Mrn'
GO
EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'Results as released by the LIS; O''Brien''s rule applies' , @level0type=N'SCHEMA',@level0name=N'lab', @level1type=N'TABLE',@level1name=N'LabResult'
GO
