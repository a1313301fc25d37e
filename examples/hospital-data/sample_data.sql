-- Sample data for the hospital schema (01..03). Deterministic: no NEWID(), no GETDATE();
-- every "random" value is arithmetic on a row number. Runs on SQL Server and on Babelfish
-- (no MERGE, no bulk insert, no TOP ... WITH TIES, no temp tables: see Babelfish trap 1).
-- Row numbers come from a ten-row VALUES list cross-joined with itself (no helper table,
-- so the file adds no object to the schema that `sluice assess` reads).
-- Tables Babelfish cannot create (Facility: geography, OrgUnit: hierarchyid) are left empty.
SET NOCOUNT ON
GO
------------------------------------------------------------------ dbo: organisation
INSERT INTO dbo.Department (Code, Name, ParentId, IsClinical, CostCenter) VALUES
 ('MED',  N'内科 Internal Medicine', NULL, 1, 'CC1000'),
 ('SURG', N'外科 Surgery',           NULL, 1, 'CC2000'),
 ('PED',  N'儿科 Pediatrics',        NULL, 1, 'CC3000'),
 ('OBG',  N'妇产科 Obstetrics',      NULL, 1, 'CC4000'),
 ('ER',   N'急诊科 Emergency',       NULL, 1, 'CC5000'),
 ('CARD', N'心内科 Cardiology',      NULL, 1, 'CC1100'),
 ('ORTH', N'骨科 Orthopedics',       NULL, 1, 'CC2100'),
 ('NEUR', N'神经内科 Neurology',     NULL, 1, 'CC1200'),
 ('ICU',  N'重症医学科 ICU',         NULL, 1, 'CC5100'),
 ('LAB',  N'检验科 Laboratory',      NULL, 0, 'CC6000'),
 ('PHAR', N'药剂科 Pharmacy',        NULL, 0, 'CC7000'),
 ('FIN',  N'财务科 Finance',         NULL, 0, NULL)
GO
UPDATE dbo.Department SET ParentId = 1 WHERE Code IN ('CARD', 'NEUR')
UPDATE dbo.Department SET ParentId = 2 WHERE Code = 'ORTH'
UPDATE dbo.Department SET ParentId = 5 WHERE Code = 'ICU'
GO
-- 20 wards on the 9 clinical departments
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.Ward (DepartmentId, Name, Floor, BedCount, IsolationCapable)
SELECT (n.i - 1) % 9 + 1,
       N'病区 ' + CAST(n.i AS nvarchar(4)) + N' Ward ' + CHAR(64 + n.i),
       CAST((n.i - 1) / 4 + 2 AS tinyint), 20, CASE WHEN n.i % 5 = 0 THEN 1 ELSE 0 END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n WHERE n.i <= 20 ORDER BY n.i
GO
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.Bed (WardId, BedNo, Status, DailyRate)
SELECT w.WardId, 'B' + RIGHT('0' + CAST(n.i AS varchar(2)), 2),
       CASE WHEN (w.WardId * 7 + n.i) % 10 < 6 THEN 'O' WHEN (w.WardId + n.i) % 13 = 0 THEN 'C' ELSE 'A' END,
       CAST(80 + (w.WardId % 4) * 45.5 AS smallmoney)
FROM dbo.Ward w CROSS JOIN (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n WHERE n.i <= 20
GO
-- 200 staff: doctors, nurses, technicians, pharmacists, clerks
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.Staff (EmployeeNo, FamilyName, GivenName, Role, DepartmentId, LicenseNo, Email, HiredOn, LeftOn, LoginName, Photo)
SELECT 'E' + RIGHT('00000' + CAST(n.i AS varchar(5)), 5),
       CASE WHEN n.i % 7 = 0 THEN ln.Family ELSE SUBSTRING(N'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗', n.i % 20 + 1, 1) END,
       CASE WHEN n.i % 7 = 0 THEN ln.Given ELSE SUBSTRING(N'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平', n.i % 19 + 1, 1)
                                             + SUBSTRING(N'华文国建红玉兰英春海志小永', n.i % 13 + 1, 1) END,
       CASE WHEN n.i % 10 < 4 THEN 'PHYSICIAN' WHEN n.i % 10 < 8 THEN 'NURSE' WHEN n.i % 10 = 8 THEN 'TECHNICIAN' ELSE 'PHARMACIST' END,
       CASE WHEN n.i % 10 = 8 THEN 10 WHEN n.i % 10 = 9 THEN 11 ELSE (n.i - 1) % 9 + 1 END,
       CASE WHEN n.i % 10 < 8 THEN N'执业-' + CAST(110000 + n.i * 13 AS nvarchar(10)) END,
       'staff' + CAST(n.i AS varchar(5)) + '@hospital.example.cn',
       DATEADD(day, n.i * 17, CAST('2005-03-01' AS date)),
       CASE WHEN n.i % 41 = 0 THEN DATEADD(day, n.i * 23, CAST('2015-01-01' AS date)) END,
       CASE WHEN n.i % 3 = 0 THEN 'HOSP\staff' + CAST(n.i AS varchar(5)) END,
       CASE WHEN n.i % 25 = 0 THEN CAST(0x89504E470D0A1A0A0000000D49484452 AS varbinary(max)) END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n
JOIN (VALUES (0, N'Smith', N'John'), (1, N'García', N'María'), (2, N'Müller', N'Jürgen'), (3, N'O''Brien', N'Siobhán'),
             (4, N'Nguyễn', N'Văn An'), (5, N'Dubois', N'Élodie'), (6, N'Kowalski', N'Piotr')) ln(k, Family, Given)
  ON ln.k = n.i % 7
WHERE n.i <= 200 ORDER BY n.i
GO
UPDATE dbo.Staff SET SupervisorId = (StaffId - 1) % 10 + 1 WHERE StaffId > 10
GO
------------------------------------------------------------------ dbo: patients (5,000)
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.Patient (Mrn, NationalId, FamilyName, GivenName, Sex, BirthDate, BirthTime, BloodType, IsDeceased, DeceasedAt,
                         Phone, Email, Notes, Guid, CreatedAt, CreatedBy, UpdatedAt)
SELECT RIGHT('000000' + CAST(100000 + n.i AS varchar(7)), 7),
       CASE WHEN n.i % 11 <> 0 THEN '1101' + RIGHT('00' + CAST(n.i % 97 AS varchar(2)), 2)
            + CONVERT(char(8), DATEADD(day, -(n.i * 37 % 30000) - 1, CAST('2024-01-01' AS date)), 112)
            + RIGHT('0000' + CAST(n.i AS varchar(4)), 4) END,
       CASE WHEN n.i % 9 = 0 THEN ln.Family ELSE SUBSTRING(N'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐', n.i % 25 + 1, 1) END,
       CASE WHEN n.i % 9 = 0 THEN ln.Given
            WHEN n.i % 4 = 0 THEN SUBSTRING(N'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平', n.i % 19 + 1, 1)
            ELSE SUBSTRING(N'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平', n.i % 19 + 1, 1)
               + SUBSTRING(N'华文国建红玉兰英春海志小永子一', n.i % 15 + 1, 1) END,
       CASE WHEN n.i % 53 = 0 THEN 'U' WHEN n.i % 2 = 0 THEN 'F' ELSE 'M' END,
       DATEADD(day, -(n.i * 37 % 30000) - 1, CAST('2024-01-01' AS date)),
       CASE WHEN n.i % 5 = 0 THEN DATEADD(second, n.i * 977 % 86400, CAST('00:00:00' AS time(0))) END,
       CASE n.i % 9 WHEN 0 THEN NULL WHEN 1 THEN 'A+' WHEN 2 THEN 'A-' WHEN 3 THEN 'B+' WHEN 4 THEN 'B-'
                    WHEN 5 THEN 'O+' WHEN 6 THEN 'O-' WHEN 7 THEN 'AB+' ELSE 'AB-' END,
       CASE WHEN n.i % 97 = 0 THEN 1 ELSE 0 END,
       CASE WHEN n.i % 97 = 0 THEN DATEADD(minute, n.i, CAST('2023-06-01 08:00:00' AS datetime2(0))) END,
       '13' + RIGHT('000000000' + CAST(n.i * 7919 % 1000000000 AS varchar(9)), 9),
       CASE WHEN n.i % 3 = 0 THEN N'patient' + CAST(n.i AS nvarchar(6)) + N'@mail.example.com' END,
       CASE WHEN n.i % 10 = 0 THEN N'过敏史待核实; follow-up in 3 months' WHEN n.i % 10 = 1 THEN NULL ELSE N'' END,
       CAST('A0000000-0000-4000-8000-' + RIGHT('000000000000' + CAST(n.i AS varchar(12)), 12) AS uniqueidentifier),
       DATEADD(minute, n.i * 13, CAST('2020-01-01 08:00:00' AS datetime)),
       N'seed',
       CASE WHEN n.i % 4 = 0 THEN DATEADD(microsecond, n.i * 7 % 1000000, DATEADD(minute, n.i * 17, CAST('2023-01-01 09:00:00' AS datetime2(7)))) END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n
JOIN (VALUES (0, N'Smith', N'Emma'), (1, N'García', N'José'), (2, N'Müller', N'Zoë'), (3, N'O''Connor', N'Liam'),
             (4, N'Tanaka', N'Yūki'), (5, N'Petrov', N'Алексей'), (6, N'Kim', N'Min-jun'), (7, N'Rossi', N'Giulia'),
             (8, N'Lefèvre', N'Chloé')) ln(k, Family, Given)
  ON ln.k = n.i % 9
WHERE n.i <= 5000 ORDER BY n.i
GO
INSERT INTO dbo.PatientAddress (PatientId, Kind, Line1, Line2, City, Province, PostalCode, ValidFrom, ValidTo)
SELECT p.PatientId, CASE WHEN p.PatientId % 5 = 0 THEN 'WORK' ELSE 'HOME' END,
       CAST(p.PatientId % 300 + 1 AS nvarchar(5)) + N'号 ' + SUBSTRING(N'中山人民解放建设和平长江', p.PatientId % 6 * 2 + 1, 2) + N'路',
       CASE WHEN p.PatientId % 3 = 0 THEN CAST(p.PatientId % 30 + 1 AS nvarchar(3)) + N'栋 ' + CAST(p.PatientId % 900 + 101 AS nvarchar(4)) + N'室' END,
       c.City, c.Province, c.Postal, DATEADD(day, p.PatientId % 700, CAST('2019-01-01' AS date)),
       CASE WHEN p.PatientId % 17 = 0 THEN CAST('2023-12-31' AS date) END
FROM dbo.Patient p
JOIN (VALUES (0, N'北京', N'北京市', '100000'), (1, N'上海', N'上海市', '200000'), (2, N'广州', N'广东省', '510000'),
             (3, N'杭州', N'浙江省', '310000'), (4, N'成都', N'四川省', '610000'), (5, N'武汉', N'湖北省', '430000')) c(k, City, Province, Postal)
  ON c.k = p.PatientId % 6
GO
INSERT INTO dbo.PatientContact (PatientId, Relationship, Name, Phone, IsEmergency)
SELECT p.PatientId, CASE p.PatientId % 4 WHEN 0 THEN N'配偶' WHEN 1 THEN N'子女' WHEN 2 THEN N'父母' ELSE N'Friend' END,
       SUBSTRING(N'王李张刘陈杨黄赵吴周', p.PatientId % 10 + 1, 1) + N'某某',
       '139' + RIGHT('00000000' + CAST(p.PatientId * 104729 % 100000000 AS varchar(8)), 8),
       CASE WHEN p.PatientId % 2 = 0 THEN 1 ELSE 0 END
FROM dbo.Patient p WHERE p.PatientId % 5 <> 0
GO
INSERT INTO dbo.PatientIdentifier (PatientId, System, Value, AssignedAt)
SELECT p.PatientId, s.System, s.Prefix + CAST(p.PatientId * 31 AS varchar(12)),
       TODATETIMEOFFSET(DATEADD(second, p.PatientId * 61, CAST('2021-01-01 00:00:00' AS datetime2(7))), '+08:00')
FROM dbo.Patient p
JOIN (VALUES (0, 'urn:cn:nhsa', 'YB'), (1, 'urn:hosp:legacy-his', 'OLD-')) s(k, System, Prefix)
  ON s.k = 0 OR p.PatientId % 3 = 0
GO
INSERT INTO dbo.Allergy (PatientId, Substance, Severity, Reaction, RecordedAt, RecordedBy)
SELECT p.PatientId, a.Substance, CAST(p.PatientId % 4 + 1 AS tinyint), a.Reaction,
       DATEADD(minute, p.PatientId * 7, CAST('2022-01-01 10:00' AS smalldatetime)), p.PatientId % 200 + 1
FROM dbo.Patient p
JOIN (VALUES (0, N'青霉素 Penicillin', N'皮疹 rash'), (1, N'Peanuts', N'anaphylaxis'), (2, N'磺胺类', NULL),
             (3, N'Latex', N'urticaria')) a(k, Substance, Reaction)
  ON a.k = p.PatientId % 4
WHERE p.PatientId % 6 = 0
GO
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.AuditLog (TableName, KeyValue, Action, ChangedAt, ChangedBy, OldRow, NewRow, Host)
SELECT CASE WHEN n.i % 2 = 0 THEN 'Patient' ELSE 'Visit' END,
       CASE WHEN n.i % 3 = 0 THEN CAST(n.i AS sql_variant) ELSE CAST(N'K-' + CAST(n.i AS nvarchar(6)) AS sql_variant) END,
       CASE n.i % 3 WHEN 0 THEN 'I' WHEN 1 THEN 'U' ELSE 'D' END,
       DATEADD(millisecond, n.i * 1234, CAST('2024-02-01 00:00:00' AS datetime2(3))),
       N'HOSP\auditor',
       CASE WHEN n.i % 3 <> 0 THEN CAST(N'<row id="' + CAST(n.i AS nvarchar(6)) + N'" v="1"/>' AS xml) END,
       CASE WHEN n.i % 3 <> 2 THEN CAST(N'<row id="' + CAST(n.i AS nvarchar(6)) + N'" v="2"/>' AS xml) END,
       CASE WHEN n.i % 4 = 0 THEN N'ws-' + CAST(n.i % 16 AS nvarchar(3)) END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n WHERE n.i <= 500
GO
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO dbo.ImportStaging (BatchNo, [LineNo], RawText, RawUnicode, Payload, Checksum, LoadedAt)
SELECT n.i / 50 + 1, n.i % 50,
       'MSH|^~\&|LIS|HOSP|' + CAST(n.i AS varchar(6)),
       N'原始消息 ' + CAST(n.i AS nvarchar(6)),
       CASE WHEN n.i % 2 = 0 THEN CAST(0xDEADBEEF AS varbinary(max)) END,
       CAST(HASHBYTES('MD5', CAST(n.i AS varchar(6))) AS binary(16)),
       CASE WHEN n.i % 5 <> 0 THEN DATEADD(second, n.i, CAST('2024-03-01' AS datetime)) END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n WHERE n.i <= 100
GO
------------------------------------------------------------------ clin
INSERT INTO clin.Diagnosis (Icd10Code, Description, Chapter, IsBillable) VALUES
 ('I10', N'原发性高血压 Essential hypertension', 'IX', 1), ('E11.9', N'2型糖尿病 Type 2 diabetes', 'IV', 1),
 ('J18.9', N'肺炎 Pneumonia, unspecified', 'X', 1), ('J06.9', N'急性上呼吸道感染 URTI', 'X', 1),
 ('K35.8', N'急性阑尾炎 Acute appendicitis', 'XI', 1), ('S72.0', N'股骨颈骨折 Fracture of neck of femur', 'XIX', 1),
 ('I21.9', N'急性心肌梗死 Acute MI', 'IX', 1), ('I63.9', N'脑梗死 Cerebral infarction', 'IX', 1),
 ('N39.0', N'尿路感染 UTI', 'XIV', 1), ('O80', N'单胎顺产 Single spontaneous delivery', 'XV', 1),
 ('A09', N'感染性腹泻 Infectious gastroenteritis', 'I', 1), ('R50.9', N'发热 Fever, unspecified', 'XVIII', 0),
 ('Z00.0', N'健康体检 General examination', 'XXI', 0), ('M54.5', N'腰痛 Low back pain', 'XIII', 1),
 ('C34.9', N'肺恶性肿瘤 Lung cancer', 'II', 1), ('F32.9', N'抑郁发作 Depressive episode', 'V', 1)
GO
-- 15,000 visits: three per patient over 2023-2024
WITH ten AS (SELECT v FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(v))
INSERT INTO clin.Visit (PatientId, VisitType, DepartmentId, AttendingId, StartedAt, EndedAt, ChiefComplaint, TriageLevel, IsReadmission)
SELECT 1000 + (n.i - 1) % 5000,
       CASE WHEN n.i % 3 = 0 THEN 'IP' WHEN n.i % 7 = 0 THEN 'ER' ELSE 'OP' END,
       CASE WHEN n.i % 7 = 0 AND n.i % 3 <> 0 THEN 5 ELSE (n.i * 7) % 9 + 1 END,
       CASE WHEN n.i % 50 = 0 THEN NULL ELSE ((n.i * 3) % 20) * 10 + 1 END,
       DATEADD(minute, (n.i * 7919) % 1051200, CAST('2023-01-01 07:30:00' AS datetime)),
       CASE WHEN n.i % 40 = 0 THEN NULL
            ELSE DATEADD(minute, CASE WHEN n.i % 3 = 0 THEN 1440 * (n.i % 12 + 2) ELSE 20 + n.i % 180 END,
                         DATEADD(minute, (n.i * 7919) % 1051200, CAST('2023-01-01 07:30:00' AS datetime))) END,
       c.Complaint,
       CASE WHEN n.i % 7 = 0 AND n.i % 3 <> 0 THEN CAST(n.i % 5 + 1 AS tinyint) END,
       CASE WHEN n.i % 23 = 0 THEN 1 ELSE 0 END
FROM (SELECT a.v + 10*b.v + 100*c.v + 1000*d.v + 10000*e.v + 1 AS i FROM ten a CROSS JOIN ten b CROSS JOIN ten c CROSS JOIN ten d CROSS JOIN ten e) n
JOIN (VALUES (0, N'头痛三天 headache x3d'), (1, N'发热咳嗽 fever and cough'), (2, N'胸痛 chest pain'), (3, N'腹痛 abdominal pain'),
             (4, N'Routine check-up'), (5, N'摔倒致髋部疼痛 fall, hip pain'), (6, NULL), (7, N'头晕乏力 dizziness')) c(k, Complaint)
  ON c.k = n.i % 8
WHERE n.i <= 15000 ORDER BY n.i
GO
-- an open admission holds its bed (UX_Admission_ActiveBed): give each one a distinct bed
INSERT INTO clin.Admission (VisitId, WardId, BedNo, AdmittedAt, DischargedAt, DischargeDisposition)
SELECT v.VisitId,
       CASE WHEN v.EndedAt IS NULL THEN 10 + v.VisitId / 120 % 20 ELSE 10 + v.VisitId % 20 END,
       'B' + RIGHT('0' + CAST(CASE WHEN v.EndedAt IS NULL THEN v.VisitId / 2400 % 20 ELSE v.VisitId / 20 % 20 END + 1 AS varchar(2)), 2),
       DATEADD(millisecond, v.VisitId % 1000, CAST(DATEADD(minute, 45, v.StartedAt) AS datetime2(3))),
       CASE WHEN v.EndedAt IS NOT NULL THEN CAST(v.EndedAt AS datetime2(3)) END,
       CASE WHEN v.EndedAt IS NULL THEN NULL WHEN v.VisitId % 31 = 0 THEN 'TRANSFER' WHEN v.VisitId % 97 = 0 THEN 'DECEASED' ELSE 'HOME' END
FROM clin.Visit v WHERE v.VisitType = 'IP'
GO
INSERT INTO clin.VisitDiagnosis (VisitId, Icd10Code, [Rank], DiagnosedBy)
SELECT v.VisitId, d.Icd10Code, CAST(r.[Rank] AS tinyint), v.AttendingId
FROM clin.Visit v
JOIN (VALUES (1), (2)) r([Rank]) ON r.[Rank] = 1 OR v.VisitId % 3 = 0
JOIN (SELECT Icd10Code, ROW_NUMBER() OVER (ORDER BY Icd10Code) - 1 AS k FROM clin.Diagnosis) d
  ON d.k = ((v.VisitId * 5 + 1) + CASE WHEN r.[Rank] = 2 THEN 1 + v.VisitId % 15 ELSE 0 END) % 16
GO
INSERT INTO clin.VitalSign (VisitId, TakenAt, TemperatureC, PulseBpm, RespRate, SystolicMmHg, DiastolicMmHg, SpO2Pct, WeightKg, HeightCm, PainScore)
SELECT v.VisitId, DATEADD(minute, 10 * r.k, CAST(v.StartedAt AS datetime2(0))),
       CAST(36.0 + ((v.VisitId + r.k) % 35) / 10.0 AS decimal(4, 1)),
       CAST(60 + (v.VisitId * 7 + r.k) % 60 AS smallint), CAST(12 + v.VisitId % 12 AS tinyint),
       CAST(100 + (v.VisitId * 13) % 70 AS smallint), CAST(60 + (v.VisitId * 11) % 35 AS smallint),
       CASE WHEN v.VisitId % 10 = 0 THEN NULL ELSE CAST(90 + (v.VisitId % 100) / 10.0 AS real) END,
       CAST(45 + (v.PatientId % 60) + 0.25 * (v.VisitId % 4) AS float(24)),
       CASE WHEN v.VisitId % 5 = 0 THEN NULL ELSE 150.0 + v.PatientId % 40 + 0.5 END,
       CASE WHEN v.VisitId % 4 = 0 THEN NULL ELSE CAST(v.VisitId % 11 AS tinyint) END
FROM clin.Visit v JOIN (VALUES (0), (1)) r(k) ON r.k = 0 OR v.VisitType = 'IP'
GO
INSERT INTO clin.ClinicalNote (VisitId, AuthorId, NoteType, Body, StructuredBody, LegacyText, SignedAt, Signature)
SELECT v.VisitId, ((v.VisitId * 3) % 20) * 10 + 1,
       CASE WHEN v.VisitType = 'IP' THEN 'ADMISSION' ELSE 'PROGRESS' END,
       N'主诉：' + ISNULL(v.ChiefComplaint, N'无') + NCHAR(10) + N'查体：神志清，精神可。' + NCHAR(10)
         + N'Plan: observe, review labs. 患者 #' + CAST(v.PatientId AS nvarchar(10)),
       CASE WHEN v.VisitId % 4 = 0 THEN CAST(N'<note><bp>' + CAST(100 + v.VisitId % 70 AS nvarchar(4)) + N'</bp></note>' AS xml) END,
       CASE WHEN v.VisitId % 9 = 0 THEN CAST(N'旧系统病历 legacy record' AS ntext) END,
       CASE WHEN v.VisitId % 6 <> 0 THEN DATEADD(microsecond, v.VisitId % 1000000, CAST(DATEADD(hour, 2, v.StartedAt) AS datetime2(7))) END,
       CASE WHEN v.VisitId % 6 <> 0 THEN CAST(HASHBYTES('SHA2_256', CAST(v.VisitId AS varchar(12))) AS varbinary(256)) END
FROM clin.Visit v WHERE v.VisitId % 3 = 0 OR v.VisitType = 'ER'
GO
-- orders: every visit gets a LAB order, every other visit a MED order, some an IMG order
INSERT INTO clin.[Order] (VisitId, OrderedBy, OrderType, Priority, Status, OrderedAt, Comment, ExternalRef)
SELECT v.VisitId, ((v.VisitId * 3 + t.k) % 20) * 10 + 1, t.OrderType,
       CASE WHEN v.VisitType = 'ER' THEN 'S' WHEN v.VisitId % 10 = 0 THEN 'U' ELSE 'R' END,
       CASE WHEN v.EndedAt IS NULL THEN 'NEW' WHEN v.VisitId % 29 = 0 THEN 'CANCELLED' ELSE 'COMPLETED' END,
       DATEADD(minute, 15 + t.k * 5, v.StartedAt),
       CASE WHEN v.VisitId % 8 = 0 THEN N'请尽快 stat please' END,
       CASE WHEN t.k = 2 THEN CAST('B0000000-0000-4000-8000-' + RIGHT('000000000000' + CAST(v.VisitId AS varchar(12)), 12) AS uniqueidentifier) END
FROM clin.Visit v
JOIN (VALUES (0, 'LAB'), (1, 'MED'), (2, 'IMG')) t(k, OrderType)
  ON t.k = 0 OR (t.k = 1 AND v.VisitId % 2 = 0) OR (t.k = 2 AND v.VisitId % 5 = 0)
WHERE v.VisitId <= 8000
GO
INSERT INTO clin.[Order Item] (OrderId, [LineNo], ItemCode, Quantity, Unit, Instructions)
SELECT o.OrderId, l.k, CASE o.OrderType WHEN 'LAB' THEN 'LT-' + CAST(l.k AS varchar(3)) WHEN 'MED' THEN 'D' + RIGHT('000' + CAST(o.OrderId % 24 + l.k AS varchar(3)), 3) ELSE 'CT-HEAD' END,
       CAST(1 + (o.OrderId % 4) * 0.5 AS decimal(9, 2)), CASE WHEN o.OrderType = 'MED' THEN N'盒' ELSE N'次' END,
       CASE WHEN o.OrderId % 3 = 0 THEN N'饭后服用 after meals' END
FROM clin.[Order] o JOIN (VALUES (1), (2)) l(k) ON l.k = 1 OR o.OrderType <> 'IMG'
GO
INSERT INTO clin.ProcedureRecord (VisitId, ProcedureCode, PerformedBy, StartedAt, DurationMin, AnesthesiaType, Outcome)
SELECT v.VisitId, p.Code, ((v.VisitId * 7) % 20) * 10 + 1, DATEADD(hour, 6, CAST(v.StartedAt AS datetime2(0))),
       CAST(30 + v.VisitId % 150 AS smallint), p.Anesthesia, CASE WHEN v.VisitId % 11 = 0 THEN N'并发症 minor bleeding' ELSE N'顺利 uneventful' END
FROM clin.Visit v
JOIN (VALUES (0, '0DTJ4ZZ', 'GENERAL'), (1, '0QS604Z', 'SPINAL'), (2, '02703ZZ', 'LOCAL')) p(k, Code, Anesthesia) ON p.k = v.VisitId % 3
WHERE v.VisitType = 'IP' AND v.VisitId % 4 = 0
GO
INSERT INTO clin.Document (DocumentId, VisitId, PatientId, FileName, MimeType, Content, Thumbnail, UploadedAt)
SELECT CAST('C0000000-0000-4000-8000-' + RIGHT('000000000000' + CAST(v.VisitId AS varchar(12)), 12) AS uniqueidentifier),
       CASE WHEN v.VisitId % 10 = 0 THEN NULL ELSE v.VisitId END, v.PatientId,
       N'出院小结_' + CAST(v.VisitId AS nvarchar(10)) + N'.pdf', 'application/pdf',
       CAST(0x255044462D312E340A25E2E3CFD30A AS varbinary(max)) + CAST(CAST(v.VisitId AS varchar(12)) AS varbinary(max)),
       CASE WHEN v.VisitId % 2 = 0 THEN CAST(0xFFD8FFE000104A464946 AS image) END,
       TODATETIMEOFFSET(DATEADD(millisecond, v.VisitId % 1000, CAST(v.StartedAt AS datetime2(3))), '+08:00')
FROM clin.Visit v WHERE v.VisitId % 50 = 0
GO
------------------------------------------------------------------ lab
INSERT INTO lab.TestCatalog (TestCode, LoincCode, Name, SpecimenType, Unit, RefLow, RefHigh, TurnaroundHours, Price, IsActive) VALUES
 ('GLU',  '2345-7',  N'葡萄糖 Glucose',          'SERUM', N'mmol/L', 3.9, 6.1, 2, 8.00, 1),
 ('HGB',  '718-7',   N'血红蛋白 Hemoglobin',     'BLOOD', N'g/L', 120, 160, 1, 5.50, 1),
 ('WBC',  '6690-2',  N'白细胞 WBC',              'BLOOD', N'10^9/L', 3.5, 9.5, 1, 5.50, 1),
 ('PLT',  '777-3',   N'血小板 Platelets',        'BLOOD', N'10^9/L', 125, 350, 1, 5.50, 1),
 ('K',    '2823-3',  N'钾 Potassium',            'SERUM', N'mmol/L', 3.5, 5.3, 2, 6.00, 1),
 ('NA',   '2951-2',  N'钠 Sodium',               'SERUM', N'mmol/L', 137, 147, 2, 6.00, 1),
 ('CREA', '2160-0',  N'肌酐 Creatinine',         'SERUM', N'µmol/L', 57, 111, 4, 12.00, 1),
 ('ALT',  '1742-6',  N'丙氨酸氨基转移酶 ALT',    'SERUM', N'U/L', 9, 50, 4, 10.00, 1),
 ('CRP',  '1988-5',  N'C反应蛋白 CRP',           'SERUM', N'mg/L', 0, 10, 2, 25.00, 1),
 ('TNI',  '10839-9', N'肌钙蛋白I Troponin I',    'SERUM', N'ng/mL', 0, 0.04, 1, 80.00, 1),
 ('HBA1C','4548-4',  N'糖化血红蛋白 HbA1c',      'BLOOD', N'%', 4.0, 6.0, 24, 60.00, 1),
 ('UA',   '24356-8', N'尿常规 Urinalysis',       'URINE', NULL, NULL, NULL, 2, 15.00, 1),
 ('INR',  '6301-6',  N'国际标准化比值 INR',      'PLASMA', NULL, 0.8, 1.2, 2, 18.00, 1),
 ('LEGACY1', NULL,   N'旧检验项目 retired test', 'SERUM', NULL, NULL, NULL, 48, 0, 0)
GO
INSERT INTO lab.Specimen (SpecimenId, OrderId, SpecimenType, Barcode, CollectedAt, CollectedBy, ReceivedAt, Condition)
SELECT 100000 + o.OrderId, o.OrderId, CASE WHEN o.OrderId % 4 = 0 THEN 'SERUM' WHEN o.OrderId % 4 = 1 THEN 'BLOOD' ELSE 'URINE' END,
       CASE WHEN o.OrderId % 13 = 0 THEN NULL ELSE 'SP' + RIGHT('0000000000' + CAST(o.OrderId * 17 AS varchar(10)), 10) END,
       DATEADD(minute, 20, CAST(o.OrderedAt AS datetime2(0))), ((o.OrderId * 9) % 20) * 10 + 9,
       CASE WHEN o.Status = 'NEW' THEN NULL ELSE DATEADD(minute, 55, CAST(o.OrderedAt AS datetime2(0))) END,
       CASE WHEN o.OrderId % 37 = 0 THEN 'HEMOLYZED' ELSE 'OK' END
FROM clin.[Order] o WHERE o.OrderType = 'LAB' AND o.Status <> 'CANCELLED'
GO
-- three results per received specimen
INSERT INTO lab.LabResult (SpecimenId, TestCode, ValueNumeric, ValueText, Unit, Flag, ResultedAt, VerifiedBy, VerifiedAt, Instrument, RawMessage)
SELECT s.SpecimenId, t.TestCode,
       CASE WHEN t.RefHigh IS NULL THEN NULL
            ELSE CAST(t.RefLow + (t.RefHigh - t.RefLow) * ((s.SpecimenId * 7 + r.k * 13) % 140 - 20) / 100.0 AS decimal(18, 6)) END,
       CASE WHEN t.RefHigh IS NULL THEN N'阴性 negative' WHEN s.SpecimenId % 19 = 0 THEN N'复查 repeated' END,
       t.Unit,
       CASE WHEN t.RefHigh IS NULL THEN 'N'
            WHEN (s.SpecimenId * 7 + r.k * 13) % 140 - 20 < -10 THEN 'LL'
            WHEN (s.SpecimenId * 7 + r.k * 13) % 140 - 20 < 0 THEN 'L'
            WHEN (s.SpecimenId * 7 + r.k * 13) % 140 - 20 > 110 THEN 'HH'
            WHEN (s.SpecimenId * 7 + r.k * 13) % 140 - 20 > 100 THEN 'H' ELSE 'N' END,
       TODATETIMEOFFSET(DATEADD(microsecond, s.SpecimenId % 997 * 1000 + r.k, DATEADD(hour, 1, CAST(s.ReceivedAt AS datetime2(7)))), '+08:00'),
       CASE WHEN s.SpecimenId % 5 = 0 THEN NULL ELSE ((s.SpecimenId * 9) % 20) * 10 + 9 END,
       CASE WHEN s.SpecimenId % 5 = 0 THEN NULL ELSE DATEADD(hour, 2, CAST(s.ReceivedAt AS datetime)) END,
       CASE WHEN s.SpecimenId % 2 = 0 THEN 'Mindray BC-6800' ELSE 'Roche cobas 8000' END,
       CASE WHEN s.SpecimenId % 10 = 0 THEN 'OBX|1|NM|' + t.TestCode + '||' + CAST(s.SpecimenId AS varchar(12)) END
FROM lab.Specimen s
JOIN (VALUES (0), (1), (2)) r(k) ON 1 = 1
JOIN (SELECT TestCode, Unit, RefLow, RefHigh, ROW_NUMBER() OVER (ORDER BY TestCode) - 1 AS k FROM lab.TestCatalog WHERE IsActive = 1) t
  ON t.k = (s.SpecimenId + r.k * 5) % 13
WHERE s.ReceivedAt IS NOT NULL
GO
INSERT INTO lab.CriticalValueAlert (ResultId, NotifiedStaffId, NotifiedAt, ReadBack, Comment)
SELECT r.ResultId, ((r.ResultId * 3) % 20) * 10 + 2, DATEADD(minute, 5, r.VerifiedAt),
       CASE WHEN r.ResultId % 4 = 0 THEN 0 ELSE 1 END,
       CASE WHEN r.ResultId % 3 = 0 THEN N'已电话通知主管医生 phoned' END
FROM lab.LabResult r WHERE r.Flag IN ('LL', 'HH')
GO
------------------------------------------------------------------ pharm
INSERT INTO pharm.Drug (DrugCode, GenericName, BrandName, Form, Strength, AtcCode, IsControlled, UnitCost, UnitPrice)
SELECT 'D' + RIGHT('000' + CAST(d.k AS varchar(3)), 3), d.Generic, d.Brand, d.Form, d.Strength, d.Atc, d.Ctrl,
       CAST(0.35 + d.k * 1.7 AS smallmoney), CAST(0.5 + d.k * 2.3517 AS money)
FROM (VALUES
 (1, N'阿莫西林 Amoxicillin', N'阿莫仙', 'CAPSULE', N'500 mg', 'J01CA04', 0),
 (2, N'二甲双胍 Metformin', N'格华止 Glucophage', 'TABLET', N'500 mg', 'A10BA02', 0),
 (3, N'氨氯地平 Amlodipine', N'络活喜 Norvasc', 'TABLET', N'5 mg', 'C08CA01', 0),
 (4, N'阿托伐他汀 Atorvastatin', N'立普妥 Lipitor', 'TABLET', N'20 mg', 'C10AA05', 0),
 (5, N'阿司匹林 Aspirin', N'拜阿司匹灵', 'TABLET', N'100 mg', 'B01AC06', 0),
 (6, N'吗啡 Morphine', NULL, 'INJECTION', N'10 mg/mL', 'N02AA01', 1),
 (7, N'头孢曲松 Ceftriaxone', N'罗氏芬 Rocephin', 'INJECTION', N'1 g', 'J01DD04', 0),
 (8, N'奥美拉唑 Omeprazole', N'洛赛克 Losec', 'CAPSULE', N'20 mg', 'A02BC01', 0),
 (9, N'胰岛素 Insulin glargine', N'来得时 Lantus', 'INJECTION', N'100 U/mL', 'A10AE04', 0),
 (10, N'对乙酰氨基酚 Paracetamol', N'泰诺林', 'TABLET', N'500 mg', 'N02BE01', 0),
 (11, N'布洛芬 Ibuprofen', N'芬必得', 'CAPSULE', N'300 mg', 'M01AE01', 0),
 (12, N'地西泮 Diazepam', NULL, 'TABLET', N'2.5 mg', 'N05BA01', 1),
 (13, N'氯化钠 Sodium chloride', NULL, 'INFUSION', N'0.9% 500 mL', 'B05XA03', 0),
 (14, N'华法林 Warfarin', NULL, 'TABLET', N'2.5 mg', 'B01AA03', 0),
 (15, N'呋塞米 Furosemide', N'速尿', 'INJECTION', N'20 mg', 'C03CA01', 0),
 (16, N'左氧氟沙星 Levofloxacin', N'可乐必妥', 'TABLET', N'500 mg', 'J01MA12', 0),
 (17, N'氯吡格雷 Clopidogrel', N'波立维 Plavix', 'TABLET', N'75 mg', 'B01AC04', 0),
 (18, N'硝酸甘油 Nitroglycerin', NULL, 'TABLET', N'0.5 mg', 'C01DA02', 0),
 (19, N'芬太尼 Fentanyl', NULL, 'PATCH', N'25 µg/h', 'N02AB03', 1),
 (20, N'沙丁胺醇 Salbutamol', N'万托林 Ventolin', 'INHALER', N'100 µg', 'R03AC02', 0),
 (21, N'泼尼松 Prednisone', NULL, 'TABLET', N'5 mg', 'H02AB07', 0),
 (22, N'甲硝唑 Metronidazole', NULL, 'TABLET', N'200 mg', 'J01XD01', 0),
 (23, N'肝素 Heparin', NULL, 'INJECTION', N'12500 U', 'B01AB01', 0),
 (24, N'维生素B12 Cyanocobalamin', NULL, 'INJECTION', N'0.5 mg', 'B03BA01', 0)
) d(k, Generic, Brand, Form, Strength, Atc, Ctrl)
GO
INSERT INTO pharm.Inventory (DrugCode, LotNo, OnHand, ReorderLevel, ExpiresOn, LastCounted)
SELECT d.DrugCode, 'L' + CAST(2024 + l.k AS varchar(4)) + '-' + RIGHT(d.DrugCode, 3), (CAST(RIGHT(d.DrugCode, 3) AS int) * 37 + l.k * 11) % 500,
       CASE WHEN d.IsControlled = 1 THEN 5 ELSE 50 END, DATEFROMPARTS(2025 + l.k, CAST(RIGHT(d.DrugCode, 3) AS int) % 12 + 1, 28),
       CASE WHEN l.k = 0 THEN CAST('2024-04-30 18:00' AS smalldatetime) END
FROM pharm.Drug d JOIN (VALUES (0), (1)) l(k) ON 1 = 1
GO
INSERT INTO pharm.Prescription (VisitId, DrugCode, PrescriberId, Dose, DoseUnit, Route, Frequency, StartDate, EndDate, Quantity, Refills, Status, PrescribedAt)
SELECT o.VisitId, 'D' + RIGHT('000' + CAST(o.OrderId % 24 + 1 AS varchar(3)), 3), o.OrderedBy,
       CAST(CASE o.OrderId % 4 WHEN 0 THEN 0.5 WHEN 1 THEN 1 WHEN 2 THEN 2.5 ELSE 0.125 END AS decimal(10, 3)),
       CASE WHEN o.OrderId % 3 = 0 THEN 'mL' ELSE 'TAB' END,
       CASE o.OrderId % 4 WHEN 0 THEN 'IV' WHEN 1 THEN 'PO' WHEN 2 THEN 'PO' ELSE 'IM' END,
       CASE o.OrderId % 3 WHEN 0 THEN 'QD' WHEN 1 THEN 'BID' ELSE 'TID' END,
       CAST(o.OrderedAt AS date),
       CASE WHEN o.OrderId % 6 = 0 THEN NULL ELSE DATEADD(day, o.OrderId % 14 + 1, CAST(o.OrderedAt AS date)) END,
       CAST(7 + (o.OrderId % 5) * 7 AS numeric(9, 2)), CAST(o.OrderId % 3 AS tinyint),
       CASE WHEN o.Status = 'CANCELLED' THEN 'CANCELLED' WHEN o.OrderId % 6 = 0 THEN 'ACTIVE' ELSE 'COMPLETED' END,
       o.OrderedAt
FROM clin.[Order] o WHERE o.OrderType = 'MED'
GO
INSERT INTO pharm.DispenseRecord (PrescriptionId, DispensedAt, DispensedBy, Quantity, LotNo, ExpiresOn)
SELECT p.PrescriptionId, DATEADD(minute, 40, p.PrescribedAt), ((p.PrescriptionId * 3) % 20) * 10 + 10,
       p.Quantity, 'L2024-' + RIGHT(p.DrugCode, 3), DATEFROMPARTS(2025, CAST(RIGHT(p.DrugCode, 3) AS int) % 12 + 1, 28)
FROM pharm.Prescription p WHERE p.Status <> 'CANCELLED'
GO
------------------------------------------------------------------ bill
INSERT INTO bill.InsurancePlan (PlanId, PayerName, PlanCode, CoveragePct, Deductible, IsActive) VALUES
 (1, N'城镇职工基本医疗保险 Urban employee BMI', 'UEBMI', 80.00, 1300.00, 1),
 (2, N'城乡居民基本医疗保险 Resident BMI', 'URRBMI', 60.00, 800.00, 1),
 (3, N'中国人寿 China Life supplementary', 'CL-SUP', 50.00, 0.00, 1),
 (4, N'平安健康 Ping An Health', 'PA-GOLD', 90.00, 500.00, 1),
 (5, N'International SOS', 'ISOS', 100.00, 0.00, 1),
 (6, N'旧农合 legacy NCMS', 'NCMS', 45.50, 300.00, 0)
GO
INSERT INTO bill.PatientCoverage (PatientId, PlanId, MemberNo, ValidFrom, ValidTo, IsPrimary)
SELECT p.PatientId, c.PlanId, 'M' + CAST(c.PlanId AS varchar(2)) + RIGHT('00000000' + CAST(p.PatientId * 7 AS varchar(8)), 8),
       DATEADD(month, p.PatientId % 24, CAST('2021-01-01' AS date)),
       CASE WHEN p.PatientId % 13 = 0 THEN CAST('2024-12-31' AS date) END, CASE WHEN c.k = 0 THEN 1 ELSE 0 END
FROM dbo.Patient p
JOIN (VALUES (0, 1), (0, 2), (1, 3), (1, 4)) c(k, PlanId)
  ON (c.k = 0 AND c.PlanId = p.PatientId % 2 + 1 AND p.PatientId % 10 <> 0)
  OR (c.k = 1 AND p.PatientId % 7 = 0 AND c.PlanId = p.PatientId % 2 + 3)
GO
-- one invoice per closed visit (InvoiceId from the sequence's range, written explicitly)
INSERT INTO bill.Invoice (InvoiceId, VisitId, PlanId, IssuedAt, DueOn, Currency, Total, Paid, Status, Guid)
SELECT 20240000 + v.VisitId, v.VisitId, CASE WHEN v.PatientId % 10 = 0 THEN NULL ELSE v.PatientId % 2 + 1 END,
       DATEADD(hour, 1, v.EndedAt), DATEADD(day, 30, CAST(v.EndedAt AS date)),
       CASE WHEN v.PatientId % 97 = 3 THEN 'USD' ELSE 'CNY' END,
       CAST(0 AS decimal(18, 2)), 0, 'OPEN',
       CAST('D0000000-0000-4000-8000-' + RIGHT('000000000000' + CAST(v.VisitId AS varchar(12)), 12) AS uniqueidentifier)
FROM clin.Visit v WHERE v.EndedAt IS NOT NULL AND v.VisitId <= 12000
GO
INSERT INTO bill.InvoiceLine (InvoiceId, [LineNo], ServiceCode, Description, Quantity, UnitPrice, DiscountPct)
SELECT i.InvoiceId, CAST(l.k AS smallint), l.Code, l.Descr,
       CAST(CASE WHEN l.k = 3 THEN 1 + i.InvoiceId % 9 ELSE 1 END AS decimal(9, 2)),
       CAST(l.Price + (i.InvoiceId % 7) * 1.25 AS smallmoney),
       CAST(CASE WHEN i.InvoiceId % 11 = 0 THEN 10 WHEN i.InvoiceId % 23 = 0 THEN 12.5 ELSE 0 END AS decimal(5, 2))
FROM bill.Invoice i
JOIN (VALUES (1, 'REG', N'挂号费 Registration', 25.00), (2, 'LAB', N'检验费 Laboratory', 86.40),
             (3, 'BED', N'床位费 Bed-day', 120.00), (4, 'DRUG', N'药费 Pharmacy', 57.33)) l(k, Code, Descr, Price)
  ON l.k IN (1, 2) OR (l.k = 3 AND i.VisitId % 3 = 0) OR (l.k = 4 AND i.VisitId % 2 = 0)
GO
UPDATE i SET Total = x.Total
FROM bill.Invoice i
JOIN (SELECT InvoiceId, CAST(SUM(Quantity * UnitPrice * (1 - DiscountPct / 100)) AS decimal(18, 2)) AS Total
      FROM bill.InvoiceLine GROUP BY InvoiceId) x ON x.InvoiceId = i.InvoiceId
GO
-- payments: insurer share + patient share; some invoices partly paid, some open, a few void
INSERT INTO bill.Payment (InvoiceId, PaidAt, Amount, Method, Reference, ReceivedBy)
SELECT i.InvoiceId, DATEADD(day, m.k * 3, CAST(i.IssuedAt AS datetime2(3))),
       CAST(CASE WHEN m.k = 0 THEN i.Total * CASE WHEN i.PlanId = 1 THEN 0.8 ELSE 0.6 END
                 ELSE i.Total - CAST(i.Total * CASE WHEN i.PlanId IS NULL THEN 0 WHEN i.PlanId = 1 THEN 0.8 ELSE 0.6 END AS money) END AS money),
       CASE WHEN m.k = 0 THEN 'INS' WHEN i.InvoiceId % 3 = 0 THEN 'CASH' WHEN i.InvoiceId % 3 = 1 THEN 'CARD' ELSE 'XFER' END,
       CASE WHEN m.k = 0 THEN N'医保结算 ' + CAST(i.InvoiceId AS nvarchar(12)) WHEN i.InvoiceId % 3 = 1 THEN N'POS ' + CAST(i.InvoiceId % 100000 AS nvarchar(6)) END,
       CASE WHEN i.InvoiceId % 5 = 0 THEN NULL ELSE 200 END
FROM bill.Invoice i
JOIN (VALUES (0), (1)) m(k) ON (m.k = 0 AND i.PlanId IS NOT NULL) OR (m.k = 1 AND i.InvoiceId % 4 <> 0)
WHERE i.InvoiceId % 17 <> 0
GO
UPDATE i SET Paid = ISNULL(x.Paid, 0),
             Status = CASE WHEN i.InvoiceId % 17 = 0 AND i.InvoiceId % 2 = 0 THEN 'VOID'
                           WHEN x.Paid IS NULL THEN 'OPEN' WHEN x.Paid >= i.Total THEN 'PAID' ELSE 'PARTIAL' END
FROM bill.Invoice i LEFT JOIN (SELECT InvoiceId, SUM(Amount) AS Paid FROM bill.Payment GROUP BY InvoiceId) x ON x.InvoiceId = i.InvoiceId
GO
INSERT INTO bill.Claim (ClaimId, InvoiceId, PlanId, SubmittedAt, ClaimedAmount, ApprovedAmount, Status, PayerReference, Edi837)
SELECT CAST('E0000000-0000-4000-8000-' + RIGHT('000000000000' + CAST(i.InvoiceId AS varchar(12)), 12) AS uniqueidentifier),
       i.InvoiceId, i.PlanId, CASE WHEN i.InvoiceId % 9 = 0 THEN NULL ELSE DATEADD(day, 1, i.IssuedAt) END,
       CAST(i.Total * 0.8 AS money), CASE WHEN i.InvoiceId % 9 = 0 THEN NULL ELSE CAST(i.Total * 0.75 AS money) END,
       CASE WHEN i.InvoiceId % 9 = 0 THEN 'DRAFT' WHEN i.InvoiceId % 19 = 0 THEN 'DENIED' ELSE 'APPROVED' END,
       CASE WHEN i.InvoiceId % 9 = 0 THEN NULL ELSE 'PR-' + CAST(i.InvoiceId AS varchar(12)) END,
       CASE WHEN i.InvoiceId % 4 = 0 THEN CAST(N'<ISA><CLM id="' + CAST(i.InvoiceId AS nvarchar(12)) + N'"/></ISA>' AS xml) END
FROM bill.Invoice i WHERE i.PlanId IS NOT NULL AND i.InvoiceId % 2 = 0
GO
INSERT INTO bill.PriceList (ServiceCode, EffectiveFrom, Price, Currency, FxRate, ApprovedBy, Signature, Memo)
SELECT s.Code, DATEADD(month, 6 * y.k, CAST('2022-01-01' AS smalldatetime)), CAST(s.Price * (1 + 0.05 * y.k) AS money),
       N'CNY', CASE WHEN y.k = 2 THEN 7.1234567890123 END, N'财务科 张会计',
       CASE WHEN y.k = 0 THEN CAST(HASHBYTES('SHA2_256', s.Code) AS binary(32)) END,
       CASE WHEN y.k = 1 THEN 'C:\Prices\' + s.Code + '.xlsx' END
FROM (VALUES ('REG', 25.00), ('LAB', 86.40), ('BED', 120.00), ('DRUG', 57.33), ('CT-HEAD', 380.00), ('MRI', 780.50)) s(Code, Price)
JOIN (VALUES (0), (1), (2), (3)) y(k) ON 1 = 1
GO
