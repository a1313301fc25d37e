//! The load's fast path: secondary (non-unique) indexes and foreign keys are
//! created after the rows are in, as one sorted build per index instead of an
//! update per inserted row (and tables can then be created in any order: a
//! foreign key needs its parent table to exist). Unique keys stay in the CREATE TABLE: they guard the load
//! itself (a chunk re-run after a crash is recognised by its duplicate key,
//! and rows a stricter target key would merge are refused, never merged).

/// Splits `CREATE TABLE name (…)` into the statement without its plain
/// `KEY`/`INDEX` and `CONSTRAINT … FOREIGN KEY` clauses and the `ALTER TABLE
/// name ADD …` statements that create them later (indexes first). DDL of another shape is returned unchanged.
pub fn split_secondary_indexes(ddl: &str) -> (String, Vec<String>) {
    let unchanged = || (ddl.to_string(), Vec::new());
    let Some(open) = ddl.find('(') else {
        return unchanged();
    };
    let Some(close) = ddl.rfind(')') else {
        return unchanged();
    };
    let head = ddl[..open].trim_end();
    let Some(name) = head
        .strip_prefix("CREATE TABLE IF NOT EXISTS ")
        .or_else(|| head.strip_prefix("CREATE TABLE "))
    else {
        return unchanged();
    };
    // One clause per line, as both the converter and MySQL's SHOW CREATE
    // TABLE write them; other lines are kept verbatim (a CHECK may span lines).
    let body = &ddl[open + 1..close];
    let mut kept: Vec<&str> = Vec::new();
    let mut deferred = Vec::new();
    for line in body.lines() {
        let clause = line.trim().trim_end_matches(',');
        let upper = clause.to_ascii_uppercase();
        let foreign_key = upper.starts_with("CONSTRAINT ") && upper.contains(" FOREIGN KEY ");
        if upper.starts_with("KEY ") || upper.starts_with("INDEX ") || foreign_key {
            deferred.push(format!("ALTER TABLE {name} ADD {clause}"));
        } else if !line.trim().is_empty() {
            kept.push(line);
        }
    }
    if deferred.is_empty() || kept.is_empty() {
        return unchanged();
    }
    // Indexes first: a foreign key uses an index on its columns when one exists.
    deferred.sort_by_key(|d| d.contains(" FOREIGN KEY "));
    // The last clause loses the comma that led to a removed one.
    let last = kept.len() - 1;
    let tail = kept[last].trim_end().trim_end_matches(',').to_string();
    let mut lines: Vec<String> = kept[..last].iter().map(|l| l.to_string()).collect();
    lines.push(tail);
    (
        format!("{head} (\n{}\n){}", lines.join("\n"), &ddl[close + 1..]),
        deferred,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_move_after_the_load_unique_keys_stay() {
        let ddl = "CREATE TABLE `his`.`Admission` (\n  `Id` INT NOT NULL,\n  `WardId` INT NOT NULL,\n  `Mrn` VARCHAR(20) NULL,\n  PRIMARY KEY (`Id`),\n  KEY `IX_Ward` (`WardId`),\n  UNIQUE KEY `UX_Mrn` (`Mrn`),\n  KEY `IX_Ward_Mrn` (`WardId`, `Mrn`)\n) DEFAULT CHARSET=utf8mb4";
        let (table, later) = split_secondary_indexes(ddl);
        assert_eq!(
            table,
            "CREATE TABLE `his`.`Admission` (\n  `Id` INT NOT NULL,\n  `WardId` INT NOT NULL,\n  `Mrn` VARCHAR(20) NULL,\n  PRIMARY KEY (`Id`),\n  UNIQUE KEY `UX_Mrn` (`Mrn`)\n) DEFAULT CHARSET=utf8mb4"
        );
        assert_eq!(
            later,
            vec![
                "ALTER TABLE `his`.`Admission` ADD KEY `IX_Ward` (`WardId`)",
                "ALTER TABLE `his`.`Admission` ADD KEY `IX_Ward_Mrn` (`WardId`, `Mrn`)",
            ]
        );
    }

    #[test]
    fn foreign_keys_wait_for_the_load_too_after_the_indexes() {
        let ddl = "CREATE TABLE IF NOT EXISTS `his`.`allergy` (\n  `id` int(11) NOT NULL,\n  `patient_id` int(11) NOT NULL,\n  PRIMARY KEY (`id`),\n  CONSTRAINT `fk_allergy_patient` FOREIGN KEY (`patient_id`) REFERENCES `patient` (`id`) ON DELETE CASCADE,\n  KEY `ix_patient` (`patient_id`)\n) DEFAULT CHARSET=utf8mb4";
        let (table, later) = split_secondary_indexes(ddl);
        assert!(
            !table.contains("FOREIGN KEY") && !table.contains("ix_patient"),
            "{table}"
        );
        assert!(table.contains("PRIMARY KEY (`id`)\n)"), "{table}");
        assert_eq!(later.len(), 2);
        assert!(later[0].contains("ADD KEY `ix_patient`"), "{later:?}");
        assert!(
            later[1].starts_with(
                "ALTER TABLE `his`.`allergy` ADD CONSTRAINT `fk_allergy_patient` FOREIGN KEY"
            ),
            "{later:?}"
        );
    }

    #[test]
    fn other_statements_are_left_alone() {
        let s = "CREATE DATABASE IF NOT EXISTS `his`";
        assert_eq!(split_secondary_indexes(s), (s.to_string(), vec![]));
        let t = "CREATE TABLE t (\n  id INT,\n  PRIMARY KEY (id)\n)";
        assert_eq!(split_secondary_indexes(t), (t.to_string(), vec![]));
    }
}
