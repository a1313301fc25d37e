//! Generated SSMS-style scripts of any size, for the benchmark and for tests
//! that need more variety than the hand-written sample. Deterministic for a
//! given seed.

use std::fmt::Write;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

const SCHEMAS: &[&str] = &["dbo", "clin", "lab", "bill"];

/// A script with `tables` tables (with keys, defaults, checks, foreign keys
/// and indexes) and `routines` procedures, functions, views and triggers.
pub fn script(tables: usize, routines: usize, seed: u64) -> String {
    let mut g = Lcg(seed);
    let mut s = String::with_capacity(tables * 2600 + routines * 2200);
    s.push_str("USE [Gen]\nGO\n");
    for sc in &SCHEMAS[1..] {
        let _ = write!(s, "CREATE SCHEMA [{sc}]\nGO\n");
    }
    s.push_str("CREATE TYPE [dbo].[ut_Code] FROM [varchar](20) NOT NULL\nGO\n");
    for i in 0..tables {
        let sc = SCHEMAS[i % SCHEMAS.len()];
        let _ = write!(
            s,
            "/****** Object:  Table [{sc}].[T{i}] ******/\nSET ANSI_NULLS ON\nGO\nSET QUOTED_IDENTIFIER ON\nGO\nCREATE TABLE [{sc}].[T{i}](\n\t[Id] [int] IDENTITY(1,1) NOT NULL,\n\t[Code] [dbo].[ut_Code] NOT NULL,\n\t[Name] [nvarchar]({}) COLLATE Chinese_PRC_CI_AS NULL,\n\t[Amount] [money] NOT NULL,\n\t[Qty] [decimal](9, 2) NOT NULL,\n\t[Total]  AS ([Amount]*[Qty]) PERSISTED,\n\t[Flag] [bit] NOT NULL,\n\t[Level] [tinyint] NULL,\n\t[CreatedAt] [datetime] NOT NULL,\n\t[UpdatedAt] [datetime2](7) NULL,\n\t[RowGuid] [uniqueidentifier] NOT NULL,\n\t[Notes] [nvarchar](max) NULL,\n",
            20 + g.next(200)
        );
        if i > 0 {
            let _ = writeln!(s, "\t[ParentId] [int] NULL,");
        }
        let _ = write!(
            s,
            " CONSTRAINT [PK_T{i}] PRIMARY KEY CLUSTERED \n(\n\t[Id] ASC\n)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON) ON [PRIMARY],\n CONSTRAINT [UQ_T{i}_Code] UNIQUE NONCLUSTERED \n(\n\t[Code] ASC\n)WITH (PAD_INDEX = OFF) ON [PRIMARY]\n) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]\nGO\n"
        );
        let _ = write!(
            s,
            "CREATE NONCLUSTERED INDEX [IX_T{i}_Created] ON [{sc}].[T{i}]\n(\n\t[CreatedAt] DESC\n)\nINCLUDE([Amount]) WITH (PAD_INDEX = OFF, FILLFACTOR = 90) ON [PRIMARY]\nGO\nALTER TABLE [{sc}].[T{i}] ADD  CONSTRAINT [DF_T{i}_CreatedAt]  DEFAULT (getdate()) FOR [CreatedAt]\nGO\nALTER TABLE [{sc}].[T{i}] ADD  CONSTRAINT [DF_T{i}_Flag]  DEFAULT ((0)) FOR [Flag]\nGO\nALTER TABLE [{sc}].[T{i}] ADD  CONSTRAINT [DF_T{i}_RowGuid]  DEFAULT (newid()) FOR [RowGuid]\nGO\nALTER TABLE [{sc}].[T{i}]  WITH CHECK ADD  CONSTRAINT [CK_T{i}_Level] CHECK  (([Level]>=(0) AND [Level]<=({})))\nGO\nALTER TABLE [{sc}].[T{i}] CHECK CONSTRAINT [CK_T{i}_Level]\nGO\n",
            5 + g.next(100)
        );
        if i > 0 {
            let p = g.next(i as u64) as usize;
            let psc = SCHEMAS[p % SCHEMAS.len()];
            let _ = write!(
                s,
                "ALTER TABLE [{sc}].[T{i}]  WITH CHECK ADD  CONSTRAINT [FK_T{i}_T{p}] FOREIGN KEY([ParentId])\nREFERENCES [{psc}].[T{p}] ([Id])\nGO\nALTER TABLE [{sc}].[T{i}] CHECK CONSTRAINT [FK_T{i}_T{p}]\nGO\n"
            );
        }
        let _ = write!(
            s,
            "EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'table {i}' , @level0type=N'SCHEMA',@level0name=N'{sc}', @level1type=N'TABLE',@level1name=N'T{i}'\nGO\n"
        );
    }
    for j in 0..routines {
        let t = if tables == 0 { 0 } else { j % tables };
        let sc = SCHEMAS[t % SCHEMAS.len()];
        match j % 4 {
            0 | 1 => {
                let _ = write!(
                    s,
                    "SET ANSI_NULLS ON\nGO\nSET QUOTED_IDENTIFIER ON\nGO\nCREATE PROCEDURE [{sc}].[usp_P{j}]\n\t@Code varchar(20),\n\t@From datetime = NULL,\n\t@Rows int OUTPUT\nAS\nBEGIN\n\tSET NOCOUNT ON;\n\tCREATE TABLE #work (Id int, Amount money)\n\tINSERT INTO #work (Id, Amount)\n\tSELECT Id, Amount FROM [{sc}].[T{t}] WITH (NOLOCK) WHERE Code = @Code AND CreatedAt >= ISNULL(@From, '19000101')\n\tIF @@ERROR <> 0 GOTO fail\n\tDECLARE @id int, @amt money\n\tDECLARE c CURSOR LOCAL FAST_FORWARD FOR SELECT Id, Amount FROM #work\n\tOPEN c\n\tFETCH NEXT FROM c INTO @id, @amt\n\tWHILE @@FETCH_STATUS = 0\n\tBEGIN\n\t\tUPDATE [{sc}].[T{t}] SET Qty = Qty + 1, UpdatedAt = SYSDATETIME() WHERE Id = @id\n\t\tFETCH NEXT FROM c INTO @id, @amt\n\tEND\n\tCLOSE c\n\tDEALLOCATE c\n\tSET @Rows = @@ROWCOUNT\n\tSELECT TOP (10) w.Id, 'row ' + CONVERT(varchar(10), w.Id) AS Label FROM #work w ORDER BY w.Amount DESC\n\tRETURN 0\nfail:\n\tRAISERROR('failed for %s', 16, 1, @Code)\n\tRETURN 1\nEND\nGO\n"
                );
            }
            2 => {
                let _ = write!(
                    s,
                    "CREATE VIEW [{sc}].[vw_V{j}]\nAS\nSELECT t.Id, t.Code, t.Name, t.Amount * t.Qty AS Value, DATEDIFF(day, t.CreatedAt, GETDATE()) AS AgeDays\nFROM [{sc}].[T{t}] t WITH (NOLOCK)\nWHERE t.Flag = 1\nGO\n"
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "CREATE TRIGGER [{sc}].[trg_T{t}_{j}] ON [{sc}].[T{t}]\nAFTER UPDATE\nAS\nBEGIN\n\tSET NOCOUNT ON;\n\tIF UPDATE(Amount)\n\t\tUPDATE t SET UpdatedAt = GETDATE() FROM [{sc}].[T{t}] t JOIN inserted i ON i.Id = t.Id;\nEND\nGO\nCREATE FUNCTION [{sc}].[fn_F{j}] (@id int)\nRETURNS money\nAS\nBEGIN\n\tDECLARE @r money\n\tSELECT @r = Amount * Qty FROM [{sc}].[T{t}] WHERE Id = @id\n\tRETURN ISNULL(@r, 0)\nEND\nGO\n"
                );
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_script_parses_without_errors() {
        let s = super::script(12, 8, 1);
        let p = crate::parse_script(&s);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics.first());
        let (c, notes) = crate::lower::lower("g.sql", &p);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(c.tables.len(), 12);
        assert_eq!(c.tables[5].foreign_keys.len(), 1);
        assert_eq!(
            c.routines.len(),
            10,
            "8 routine slots: 4 procedures, 2 views, 2 trigger+function pairs"
        );
        assert_eq!(super::script(12, 8, 1), s, "deterministic");
    }
}
