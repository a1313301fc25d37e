//! Groups decoded events into committed transactions and tracks where the
//! stream stands (file, offset, GTID state) between them.
//!
//! Pure and synchronous: the caller resolves TABLE_MAPs (which may need the
//! catalog) and hands in the result, so the same grouping serves the network
//! stream, binlog files and tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sluice_engine::event::{Change, ChangeEvent, SchemaChange, TableRef, Transaction};
use sluice_engine::position::{BinlogPosition, SourcePosition};

use super::decode::{bad, DecodeError, Decoded, Event, MariaGtid};
use super::rows::decode_rows;
use super::schema::TableSchema;

/// The control table sluice's sinks write in the same transaction as the
/// rows they apply; a transaction touching it is sluice's own and is dropped.
pub const CURSOR_TABLE: &str = "sluice_apply_cursor";

/// Counters a caller may report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub transactions: u64,
    pub rows: u64,
    /// Transactions dropped because they wrote `sluice_apply_cursor`.
    pub dropped_own: u64,
    /// Transactions that ended in ROLLBACK (only non-transactional engines log those).
    pub rolled_back: u64,
}

#[derive(Debug, Default)]
struct Building {
    changes: Vec<Change>,
    touches_cursor: bool,
    gtid: Option<String>,
}

/// What a QUERY event means for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    Begin,
    Commit,
    Rollback,
    /// SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT: no rows of their own.
    Savepoint,
    /// Comments and dummy events.
    Ignore,
    Ddl,
}

/// Classifies a QUERY event's statement.
pub fn classify_query(sql: &str) -> QueryKind {
    let s = sql.trim_start();
    let mut words = s
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("").to_ascii_uppercase();
    let second = words.next().unwrap_or("").to_ascii_uppercase();
    match first.as_str() {
        "" => QueryKind::Ignore,
        _ if s.starts_with('#') || s.starts_with("--") => QueryKind::Ignore,
        "BEGIN" => QueryKind::Begin,
        "XA" if second == "START" || second == "BEGIN" => QueryKind::Begin,
        "COMMIT" => QueryKind::Commit,
        "ROLLBACK" if second == "TO" => QueryKind::Savepoint,
        "ROLLBACK" => QueryKind::Rollback,
        "SAVEPOINT" => QueryKind::Savepoint,
        "RELEASE" if second == "SAVEPOINT" => QueryKind::Savepoint,
        _ => QueryKind::Ddl,
    }
}

/// The table a DDL statement is about, when its text says so plainly.
pub fn ddl_table(sql: &str, default_schema: &str) -> Option<TableRef> {
    let toks: Vec<&str> = sql.split_whitespace().collect();
    let up: Vec<String> = toks.iter().map(|t| t.to_ascii_uppercase()).collect();
    let mut i = match (up.first()?.as_str(), up.get(1).map(String::as_str)) {
        ("TRUNCATE", Some("TABLE")) => 2,
        ("TRUNCATE", _) => 1,
        ("RENAME", Some("TABLE")) => 2,
        (_, _) => {
            let t = up.iter().position(|w| w == "TABLE")?;
            if !matches!(up[0].as_str(), "CREATE" | "ALTER" | "DROP") {
                return None;
            }
            t + 1
        }
    };
    while up
        .get(i)
        .is_some_and(|w| matches!(w.as_str(), "IF" | "NOT" | "EXISTS"))
    {
        i += 1;
    }
    let name = toks.get(i)?;
    let name = name.split(['(', ',', ';']).next()?;
    let parts: Vec<String> = split_qualified(name);
    match parts.as_slice() {
        [t] if !t.is_empty() => Some(TableRef::new(default_schema, t.clone())),
        [s, t] => Some(TableRef::new(s.clone(), t.clone())),
        _ => None,
    }
}

fn split_qualified(name: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for ch in name.chars() {
        match ch {
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().expect("non-empty").push(c),
        }
    }
    parts
}

/// Groups events into transactions.
#[derive(Debug)]
pub struct Assembler {
    file: String,
    offset: u64,
    tables: HashMap<u64, Arc<TableSchema>>,
    current: Option<Building>,
    /// A GTID that announces the next statement or BEGIN (MariaDB standalone
    /// GTIDs, every MySQL GTID).
    pending_gtid: Option<(String, Option<MariaGtid>)>,
    gtid_state: BTreeMap<u32, MariaGtid>,
    /// Whether `gtid_state` is the server's whole state (not just what we saw).
    gtid_known: bool,
    /// Transactions ending at or before this offset of `file` are skipped
    /// (reading forward from a file start to an exact offset).
    skip_until: Option<(String, u64)>,
    /// False after a GTID-based start until the first transaction shows
    /// where in the file the server resumed (it skips silently to there).
    offset_known: bool,
    pub stats: Stats,
}

/// What one event did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub committed: Option<Transaction>,
    /// A DDL statement passed: cached layouts and catalog entries are stale.
    pub ddl: bool,
}

impl Assembler {
    /// Starts at `file:offset` with an optional known MariaDB GTID state
    /// (`domain-server-seq,…`).
    pub fn new(file: &str, offset: u64, gtid_set: Option<&str>) -> Result<Self, DecodeError> {
        let mut gtid_state = BTreeMap::new();
        let gtid_known = match gtid_set {
            Some(s) => {
                for g in s.split(',').map(str::trim).filter(|g| !g.is_empty()) {
                    let g = parse_maria_gtid(g)
                        .ok_or_else(|| DecodeError(format!("not a MariaDB GTID: {g}")))?;
                    gtid_state.insert(g.domain, g);
                }
                true
            }
            None => false,
        };
        Ok(Assembler {
            file: file.to_string(),
            offset,
            tables: HashMap::new(),
            current: None,
            pending_gtid: None,
            gtid_state,
            gtid_known,
            skip_until: None,
            offset_known: true,
            stats: Stats::default(),
        })
    }

    /// An assembler for a stream the server positions by GTID state: file
    /// and offset are learnt from the stream, and no position is reported
    /// before the first transaction pins them down.
    pub fn at_gtid(gtid_set: &str) -> Result<Self, DecodeError> {
        let mut a = Assembler::new("", 0, Some(gtid_set))?;
        a.offset_known = false;
        Ok(a)
    }

    /// Skips every transaction that ends at or before `file:offset`: used
    /// when reading from a file's start to learn its GTID state.
    pub fn skip_until(&mut self, file: &str, offset: u64) {
        self.skip_until = Some((file.to_string(), offset));
    }

    /// Where the stream stands now.
    pub fn position(&self) -> BinlogPosition {
        BinlogPosition {
            file: self.file.clone(),
            offset: self.offset,
            gtid_set: self.gtid_set(),
        }
    }

    /// The position to report while idle: only between transactions (a
    /// resume from inside one would lose its first half), and never before
    /// the point a caller asked to resume after.
    pub fn idle_position(&self) -> Option<BinlogPosition> {
        if !self.offset_known
            || self.current.is_some()
            || self.pending_gtid.is_some()
            || self.skipping()
        {
            return None;
        }
        Some(self.position())
    }

    fn skipping(&self) -> bool {
        matches!(&self.skip_until, Some((f, o)) if *f == self.file && self.offset < *o)
    }

    fn gtid_set(&self) -> Option<String> {
        if !self.gtid_known {
            return None;
        }
        Some(
            self.gtid_state
                .values()
                .map(|g| g.to_string())
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// Whether a layout for `table_id` is known.
    pub fn has_table(&self, table_id: u64) -> bool {
        self.tables.contains_key(&table_id)
    }

    /// Registers the resolved layout of a TABLE_MAP.
    pub fn register_table(&mut self, table_id: u64, schema: Arc<TableSchema>) {
        self.tables.insert(table_id, schema);
    }

    /// Forgets resolved layouts (after DDL, whose later TABLE_MAPs re-resolve).
    pub fn forget_tables(&mut self) {
        self.tables.clear();
    }

    /// Feeds one decoded event (TABLE_MAPs must have been registered first).
    pub fn apply(&mut self, d: &Decoded<'_>) -> Result<Outcome, DecodeError> {
        let h = &d.header;
        // Heartbeats carry the server's position, not a place in our stream.
        if !h.is_artificial() && !matches!(d.event, Event::Heartbeat) {
            self.offset = h.log_pos as u64;
        }
        let mut out = Outcome::default();
        match &d.event {
            Event::Rotate {
                next_file,
                position,
            } => {
                if self.current.is_some() && !h.is_artificial() {
                    return bad("ROTATE inside a transaction");
                }
                if *next_file != self.file {
                    self.tables.clear();
                }
                self.file = next_file.clone();
                self.offset = *position;
            }
            Event::MariaGtid { gtid, standalone } => {
                if !h.is_artificial() {
                    self.offset_known = true;
                }
                if self.current.is_some() {
                    return bad("GTID inside a transaction");
                }
                if *standalone {
                    self.pending_gtid = Some((gtid.to_string(), Some(*gtid)));
                } else {
                    self.current = Some(Building {
                        gtid: Some(gtid.to_string()),
                        ..Building::default()
                    });
                    self.gtid_state.insert(gtid.domain, *gtid);
                }
            }
            Event::MariaGtidList(list) => {
                if self.current.is_none() {
                    self.gtid_state.clear();
                    for g in list {
                        let e = self.gtid_state.entry(g.domain).or_insert(*g);
                        if g.seq >= e.seq {
                            *e = *g;
                        }
                    }
                    self.gtid_known = true;
                }
            }
            Event::MysqlGtid { sid, gno } => {
                if !h.is_artificial() {
                    self.offset_known = true;
                }
                let uuid = sluice_engine::value::uuid_to_string(sid);
                self.pending_gtid = Some((format!("{uuid}:{gno}"), None));
            }
            Event::Query { schema, sql } => {
                let sql = String::from_utf8_lossy(sql);
                match classify_query(&sql) {
                    QueryKind::Begin => {
                        if self.current.is_none() {
                            let gtid = self.take_pending_gtid();
                            self.current = Some(Building {
                                gtid,
                                ..Building::default()
                            });
                        }
                    }
                    QueryKind::Commit => out.committed = self.commit(h.timestamp, None),
                    QueryKind::Rollback => {
                        // Only a transaction that changed a non-transactional table
                        // logs ROLLBACK; its transactional rows never happened.
                        if self.current.take().is_some() {
                            self.stats.rolled_back += 1;
                        }
                    }
                    QueryKind::Savepoint | QueryKind::Ignore => {}
                    QueryKind::Ddl => {
                        out.ddl = true;
                        let table = ddl_table(&sql, schema);
                        let own = table
                            .as_ref()
                            .is_some_and(|t| t.name.eq_ignore_ascii_case(CURSOR_TABLE));
                        let change = Change::Schema(SchemaChange {
                            table,
                            ddl: sql.into_owned(),
                        });
                        match self.current.as_mut() {
                            // Statement-format DML or CREATE … SELECT inside a transaction.
                            Some(b) => {
                                b.touches_cursor |= own;
                                b.changes.push(change);
                            }
                            None => {
                                let gtid = self.take_pending_gtid();
                                self.current = Some(Building {
                                    changes: vec![change],
                                    touches_cursor: own,
                                    gtid,
                                });
                                out.committed = self.commit(h.timestamp, None);
                            }
                        }
                    }
                }
            }
            Event::Xid(xid) => out.committed = self.commit(h.timestamp, Some(*xid)),
            Event::Rows(r) => {
                let Some(schema) = self.tables.get(&r.table_id).cloned() else {
                    return bad(format!(
                        "rows event for table id {} without a TABLE_MAP",
                        r.table_id
                    ));
                };
                let b = self.current.get_or_insert_with(Building::default);
                if schema.table.name.eq_ignore_ascii_case(CURSOR_TABLE) {
                    // Sluice's own write: the whole transaction is dropped, so
                    // its rows need not be decoded.
                    b.touches_cursor = true;
                } else if !b.touches_cursor {
                    for op in decode_rows(r, &schema)? {
                        b.changes.push(Change::Row(ChangeEvent {
                            table: schema.table.clone(),
                            columns: schema.out_columns.clone(),
                            key: schema.key.clone(),
                            op,
                        }));
                    }
                }
            }
            Event::TableMap(_)
            | Event::FormatDescription(_)
            | Event::Heartbeat
            | Event::Other(_) => {}
        }
        Ok(out)
    }

    fn take_pending_gtid(&mut self) -> Option<String> {
        let (s, maria) = self.pending_gtid.take()?;
        if let Some(g) = maria {
            self.gtid_state.insert(g.domain, g);
        }
        Some(s)
    }

    fn commit(&mut self, timestamp: u32, xid: Option<u64>) -> Option<Transaction> {
        let b = self.current.take()?;
        if matches!(&self.skip_until, Some((f, o)) if *f == self.file && self.offset <= *o) {
            return None;
        }
        if b.touches_cursor {
            self.stats.dropped_own += 1;
            return None;
        }
        if b.changes.is_empty() {
            // A transaction whose rows were all rolled back to a savepoint, or
            // one on tables sluice does not see: nothing to carry.
            return None;
        }
        self.stats.transactions += 1;
        self.stats.rows += b
            .changes
            .iter()
            .filter(|c| matches!(c, Change::Row(_)))
            .count() as u64;
        Some(Transaction {
            source_id: b.gtid.or(xid.map(|x| format!("xid {x}"))),
            position: SourcePosition::Binlog(self.position()),
            commit_time_us: timestamp as i64 * 1_000_000,
            changes: b.changes,
        })
    }
}

fn parse_maria_gtid(s: &str) -> Option<MariaGtid> {
    let mut p = s.splitn(3, '-');
    Some(MariaGtid {
        domain: p.next()?.parse().ok()?,
        server: p.next()?.parse().ok()?,
        seq: p.next()?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::binlog::decode::{EventHeader, RowsEvent, RowsKind};
    use crate::binlog::table_map::{OptionalMeta, TableMap, WireColumn};
    use sluice_engine::event::RowOp;
    use sluice_engine::value::Value;

    fn ev(log_pos: u32, event: Event<'_>) -> Decoded<'_> {
        Decoded {
            header: EventHeader {
                timestamp: 1,
                type_code: 0,
                server_id: 1,
                event_size: 10,
                log_pos,
                flags: 0,
            },
            event,
        }
    }

    // The sequence MySQL-protocol servers (OceanBase's binlog service among
    // them) write, which MariaDB never does: GTID, then BEGIN or a DDL.
    #[test]
    fn mysql_style_gtid_begin_xid_and_standalone_ddl() {
        let tm = TableMap {
            table_id: 7,
            schema: "app".into(),
            table: "t".into(),
            columns: vec![WireColumn {
                type_code: crate::binlog::table_map::ty::LONG,
                meta: [0, 0],
                nullable: false,
            }],
            meta: OptionalMeta {
                names: Some(vec!["id".into()]),
                unsigned: Some(vec![false]),
                ..OptionalMeta::default()
            },
        };
        let schema = Arc::new(TableSchema::resolve(&tm, None).unwrap());
        let mut a = Assembler::new("binlog.000003", 4, None).unwrap();
        a.register_table(7, schema);
        let sid = [0x11u8; 16];
        let row = [1u8, 0x01, 0x00, 42, 0, 0, 0];
        let seq = [
            ev(100, Event::MysqlGtid { sid, gno: 5 }),
            ev(
                150,
                Event::Query {
                    schema: "app".into(),
                    sql: b"BEGIN",
                },
            ),
            ev(
                200,
                Event::Rows(RowsEvent {
                    kind: RowsKind::Write,
                    table_id: 7,
                    flags: 1,
                    body: &row,
                }),
            ),
            ev(230, Event::Xid(9)),
            ev(300, Event::MysqlGtid { sid, gno: 6 }),
            ev(
                400,
                Event::Query {
                    schema: "app".into(),
                    sql: b"ALTER TABLE t ADD c INT",
                },
            ),
        ];
        let mut out = Vec::new();
        for d in &seq {
            assert!(a.idle_position().is_none() || matches!(d.event, Event::MysqlGtid { .. }));
            if let Some(t) = a.apply(d).unwrap().committed {
                out.push(t);
            }
        }
        assert_eq!(out.len(), 2);
        let uuid = "11111111-1111-1111-1111-111111111111";
        assert_eq!(out[0].source_id.as_deref(), Some(&*format!("{uuid}:5")));
        assert_eq!(
            out[0].rows().map(|r| r.op.clone()).collect::<Vec<_>>(),
            vec![RowOp::Insert {
                after: vec![Value::I32(42)]
            }]
        );
        match &out[0].position {
            SourcePosition::Binlog(p) => {
                assert_eq!((p.file.as_str(), p.offset), ("binlog.000003", 230))
            }
            other => panic!("{other}"),
        }
        assert_eq!(out[1].source_id.as_deref(), Some(&*format!("{uuid}:6")));
        assert!(
            matches!(&out[1].changes[..], [Change::Schema(s)] if s.table == Some(TableRef::new("app", "t")))
        );
        assert_eq!(a.idle_position().unwrap().offset, 400);
    }

    #[test]
    fn queries_are_classified() {
        assert_eq!(classify_query("BEGIN"), QueryKind::Begin);
        assert_eq!(classify_query("COMMIT"), QueryKind::Commit);
        assert_eq!(classify_query("SAVEPOINT `a`"), QueryKind::Savepoint);
        assert_eq!(classify_query("ROLLBACK TO `a`"), QueryKind::Savepoint);
        assert_eq!(classify_query("ROLLBACK"), QueryKind::Rollback);
        assert_eq!(classify_query("# Dummy event"), QueryKind::Ignore);
        assert_eq!(classify_query("ALTER TABLE t ADD c INT"), QueryKind::Ddl);
    }

    #[test]
    fn ddl_names_its_table() {
        assert_eq!(
            ddl_table("ALTER TABLE `db`.`t` ADD COLUMN x INT", "d"),
            Some(TableRef::new("db", "t"))
        );
        assert_eq!(
            ddl_table("create table if not exists t2(a int)", "d"),
            Some(TableRef::new("d", "t2"))
        );
        assert_eq!(
            ddl_table("TRUNCATE t3", "d"),
            Some(TableRef::new("d", "t3"))
        );
        assert_eq!(ddl_table("CREATE DATABASE x", "d"), None);
    }
}
