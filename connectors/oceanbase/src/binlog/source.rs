//! [`BinlogSource`]: the engine's `Source` over a MySQL-protocol binlog
//! (OceanBase's binlog service; MariaDB/MySQL in tests).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mysql_async::prelude::Queryable;
use mysql_async::{BinlogStream, Conn};
use sluice_engine::error::{Error, Result};
use sluice_engine::pipeline::{Source, SourceItem};
use sluice_engine::position::{BinlogPosition, SourcePosition};

use super::catalog::CatalogCache;
use super::decode::{Decoded, Decoder, Event};
use super::schema::TableSchema;
use super::stream::{self, map_err, DumpFrom};
use super::table_map::TableMap;
use super::txn::{Assembler, Stats};

/// Where a source with no stored position begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartAt {
    /// The server's current end of binlog (`SHOW MASTER STATUS`).
    Current,
    /// The first binlog file the server still has.
    Earliest,
    /// An explicit position.
    Position(BinlogPosition),
}

/// Settings of a [`BinlogSource`].
#[derive(Debug, Clone)]
pub struct BinlogConfig {
    /// `mysql://user:password@host:port`; the user needs REPLICATION SLAVE
    /// and REPLICATION CLIENT, and SELECT on information_schema.
    pub url: String,
    /// Where information_schema is read, when that is not `url`: OceanBase's
    /// binlog service is a separate endpoint from the tenant's SQL port.
    pub catalog_url: Option<String>,
    /// This reader's replica id: must differ from the server's and from
    /// every other replica of it, or the server drops one of the two.
    pub server_id: u32,
    pub start: StartAt,
    /// Idle time after which a `Heartbeat` is returned; the server is asked
    /// for heartbeat events at this period too, and a connection silent for
    /// three periods counts as lost.
    pub heartbeat: Duration,
    /// MariaDB: resume from a stored position's GTID state rather than its
    /// file and offset (survives a server-side binlog file renumbering).
    pub resume_by_gtid: bool,
    /// Stop (`SourceItem::End`) once the stream reaches this position: for
    /// reading a fixed range (benchmarks, backfills, tests).
    pub stop_at: Option<BinlogPosition>,
}

impl BinlogConfig {
    /// Defaults: start at the current end, 1 s heartbeat, resume by file and offset.
    pub fn new(url: impl Into<String>, server_id: u32) -> Self {
        BinlogConfig {
            url: url.into(),
            catalog_url: None,
            server_id,
            start: StartAt::Current,
            heartbeat: Duration::from_secs(1),
            resume_by_gtid: false,
            stop_at: None,
        }
    }
}

/// Reads committed row changes and DDL from a ROW-format binlog, one whole
/// transaction at a time, dropping sluice's own transactions.
pub struct BinlogSource {
    config: BinlogConfig,
    stream: Option<BinlogStream>,
    catalog_conn: Option<Conn>,
    catalog: CatalogCache,
    /// Resolved layouts per table id, reused while the TABLE_MAP is unchanged.
    resolved: HashMap<u64, (TableMap, Arc<TableSchema>)>,
    decoder: Decoder,
    asm: Option<Assembler>,
    last_event: Instant,
    last_heartbeat: Instant,
    mariadb: bool,
    /// The server honours `@master_heartbeat_period` (a heartbeat arrived),
    /// so silence means a dead connection sooner.
    server_heartbeats: bool,
    total: Stats,
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

impl BinlogSource {
    /// A source that connects on [`Source::start`].
    pub fn new(config: BinlogConfig) -> Self {
        BinlogSource {
            config,
            stream: None,
            catalog_conn: None,
            catalog: CatalogCache::default(),
            resolved: HashMap::new(),
            decoder: Decoder::default(),
            asm: None,
            last_event: Instant::now(),
            last_heartbeat: Instant::now(),
            mariadb: false,
            server_heartbeats: false,
            total: Stats::default(),
        }
    }

    /// Counters since this source was created (transactions, rows, own
    /// transactions dropped for loop prevention). Counts restart from the
    /// checkpoint after each `start`, so re-read transactions count again.
    pub fn stats(&self) -> Stats {
        let cur = self.asm.as_ref().map(|a| a.stats).unwrap_or_default();
        Stats {
            transactions: self.total.transactions + cur.transactions,
            rows: self.total.rows + cur.rows,
            dropped_own: self.total.dropped_own + cur.dropped_own,
            rolled_back: self.total.rolled_back + cur.rolled_back,
        }
    }

    /// Where the stream stands (after the last event read).
    pub fn position(&self) -> Option<BinlogPosition> {
        self.asm.as_ref().map(|a| a.position())
    }

    async fn catalog_conn(&mut self) -> Result<&mut Conn> {
        if self.catalog_conn.is_none() {
            let url = self.config.catalog_url.as_ref().unwrap_or(&self.config.url);
            self.catalog_conn = Some(stream::connect(url).await?);
        }
        Ok(self.catalog_conn.as_mut().expect("just set"))
    }

    async fn initial_position(&mut self, conn: &mut Conn) -> Result<BinlogPosition> {
        let start = self.config.start.clone();
        let ctx = "reading the binlog position";
        Ok(match start {
            StartAt::Position(p) => p,
            StartAt::Current => {
                let row: Option<mysql_async::Row> = conn
                    .query_first("SHOW MASTER STATUS")
                    .await
                    .map_err(|e| map_err(ctx, e))?;
                let row = row.ok_or_else(|| {
                    Error::source_fatal("SHOW MASTER STATUS is empty: the server's binlog is off")
                })?;
                BinlogPosition {
                    file: row.get(0).unwrap_or_default(),
                    offset: row.get(1).unwrap_or(4),
                    gtid_set: None,
                }
            }
            StartAt::Earliest => {
                let row: Option<mysql_async::Row> = conn
                    .query_first("SHOW BINARY LOGS")
                    .await
                    .map_err(|e| map_err(ctx, e))?;
                let row = row.ok_or_else(|| Error::source_fatal("SHOW BINARY LOGS is empty"))?;
                BinlogPosition {
                    file: row.get(0).unwrap_or_default(),
                    offset: 4,
                    gtid_set: None,
                }
            }
        })
    }

    /// Learns the server kind and refuses binlog settings sluice cannot use.
    async fn check_server(&mut self, conn: &mut Conn) -> Result<()> {
        let version: Option<String> = conn
            .query_first("SELECT VERSION()")
            .await
            .map_err(|e| map_err("reading the server version", e))?;
        self.mariadb = version.unwrap_or_default().contains("MariaDB");
        // Services that do not expose these variables (some binlog proxies)
        // are trusted; a server that says STATEMENT or MINIMAL is refused.
        let vars: Option<(String, String)> = conn
            .query_first("SELECT @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image")
            .await
            .unwrap_or(None);
        if let Some((format, image)) = vars {
            if !format.eq_ignore_ascii_case("ROW") || !image.eq_ignore_ascii_case("FULL") {
                return Err(Error::source_fatal(format!(
                    "the binlog is binlog_format={format}, binlog_row_image={image}; sluice needs ROW and FULL"
                )));
            }
        }
        Ok(())
    }

    async fn resolve(&mut self, tm: &TableMap, at: &str) -> Result<Arc<TableSchema>> {
        if let Some((cached, schema)) = self.resolved.get(&tm.table_id) {
            if cached == tm {
                return Ok(schema.clone());
            }
        }
        let table = sluice_engine::event::TableRef::new(tm.schema.clone(), tm.table.clone());
        if self.catalog_conn.is_none() {
            self.catalog_conn().await?;
        }
        let conn = self.catalog_conn.as_mut().expect("connected above");
        let cat = self
            .catalog
            .get(conn, &table)
            .await
            .map_err(|e| map_err(&format!("reading the catalog of {table}"), e))?;
        let schema = TableSchema::resolve(tm, cat.as_deref())
            .map(Arc::new)
            .map_err(|e| Error::source_fatal(format!("binlog at {at}: {e}")))?;
        self.resolved
            .insert(tm.table_id, (tm.clone(), schema.clone()));
        Ok(schema)
    }

    fn at(&self) -> String {
        match &self.asm {
            Some(a) => {
                let p = a.position();
                format!("{}:{}", p.file, p.offset)
            }
            None => "?".into(),
        }
    }

    async fn handle(&mut self, raw: &[u8]) -> Result<Option<SourceItem>> {
        let at = self.at();
        let decoded: Decoded<'_> = self
            .decoder
            .decode(raw)
            .map_err(|e| Error::source_fatal(format!("malformed binlog event at {at}: {e}")))?;
        if decoded.event == Event::Heartbeat {
            self.server_heartbeats = true;
        }
        if let Event::TableMap(tm) = &decoded.event {
            let schema = self.resolve(tm, &at).await?;
            self.asm
                .as_mut()
                .expect("started")
                .register_table(tm.table_id, schema);
        }
        let asm = self.asm.as_mut().expect("started");
        let out = asm
            .apply(&decoded)
            .map_err(|e| Error::source_fatal(format!("binlog at {at}: {e}")))?;
        if out.ddl {
            self.catalog.invalidate();
            self.resolved.clear();
        }
        Ok(out.committed.map(SourceItem::Transaction))
    }

    /// How long a silent connection is trusted. Without server heartbeats an
    /// idle server is silent too, so only a long silence counts as loss.
    fn silence_limit(&self) -> Duration {
        if self.server_heartbeats {
            self.config.heartbeat * 3
        } else {
            (self.config.heartbeat * 3).max(Duration::from_secs(60))
        }
    }

    fn reached_stop(&self) -> bool {
        match (&self.config.stop_at, &self.asm) {
            (Some(stop), Some(a)) => a.idle_position().is_some_and(|p| p >= *stop),
            _ => false,
        }
    }
}

impl Source for BinlogSource {
    async fn start(&mut self, from: Option<&SourcePosition>) -> Result<()> {
        if let Some(s) = self.stream.take() {
            // A stream may be mid-packet after an error: drop it rather than close.
            drop(s);
        }
        if let Some(a) = self.asm.take() {
            let s = a.stats;
            self.total.transactions += s.transactions;
            self.total.rows += s.rows;
            self.total.dropped_own += s.dropped_own;
            self.total.rolled_back += s.rolled_back;
        }
        self.resolved.clear();
        self.catalog.invalidate();
        // A restart usually follows a lost connection: the catalog one is
        // likely dead too.
        self.catalog_conn = None;
        self.decoder = Decoder::default();
        let mut conn = stream::connect(&self.config.url).await?;
        self.check_server(&mut conn).await?;
        let pos = match from {
            Some(SourcePosition::Binlog(p)) => p.clone(),
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "a binlog source cannot resume from {other}"
                )))
            }
            None => self.initial_position(&mut conn).await?,
        };
        let hb = self.config.heartbeat;
        let (asm, stream) = match (&pos.gtid_set, self.mariadb) {
            (Some(set), true) if self.config.resume_by_gtid => {
                let asm = Assembler::at_gtid(set).map_err(|e| Error::Invalid(e.0))?;
                (
                    asm,
                    stream::open(conn, self.config.server_id, DumpFrom::MariaGtid(set), hb).await?,
                )
            }
            (Some(set), _) => {
                let asm = Assembler::new(&pos.file, pos.offset, Some(set))
                    .map_err(|e| Error::Invalid(e.0))?;
                let from = DumpFrom::File {
                    file: &pos.file,
                    offset: pos.offset,
                };
                (
                    asm,
                    stream::open(conn, self.config.server_id, from, hb).await?,
                )
            }
            (None, true) if pos.offset > 4 => {
                // MariaDB states the GTID state only at a file's start (GTID_LIST):
                // read from there and skip to the asked offset, so every
                // position handed out carries an exact GTID set.
                let mut asm =
                    Assembler::new(&pos.file, 4, None).map_err(|e| Error::Invalid(e.0))?;
                asm.skip_until(&pos.file, pos.offset);
                let from = DumpFrom::File {
                    file: &pos.file,
                    offset: 4,
                };
                (
                    asm,
                    stream::open(conn, self.config.server_id, from, hb).await?,
                )
            }
            (None, _) => {
                let asm =
                    Assembler::new(&pos.file, pos.offset, None).map_err(|e| Error::Invalid(e.0))?;
                let from = DumpFrom::File {
                    file: &pos.file,
                    offset: pos.offset,
                };
                (
                    asm,
                    stream::open(conn, self.config.server_id, from, hb).await?,
                )
            }
        };
        self.asm = Some(asm);
        self.stream = Some(stream);
        self.last_event = Instant::now();
        self.last_heartbeat = Instant::now();
        Ok(())
    }

    async fn next(&mut self) -> Result<SourceItem> {
        let hb = self.config.heartbeat;
        loop {
            if self.reached_stop() {
                return Ok(SourceItem::End);
            }
            let at = self.at();
            let stream = self
                .stream
                .as_mut()
                .ok_or_else(|| Error::Invalid("binlog source used before start".into()))?;
            let raw = match stream::next_raw(stream, hb, &at).await {
                Ok(r) => r,
                Err(e) => {
                    self.stream = None;
                    return Err(e);
                }
            };
            match raw {
                Some(raw) => {
                    self.last_event = Instant::now();
                    match self.handle(&raw).await {
                        Ok(Some(item)) => {
                            self.last_heartbeat = Instant::now();
                            return Ok(item);
                        }
                        Ok(None) => {}
                        Err(e) => {
                            self.stream = None;
                            return Err(e);
                        }
                    }
                }
                None if self.last_event.elapsed() > self.silence_limit() => {
                    self.stream = None;
                    return Err(Error::source_retryable(format!(
                        "no binlog event or heartbeat for {:?} at {at}: connection presumed lost",
                        self.last_event.elapsed()
                    )));
                }
                None => {}
            }
            if self.last_heartbeat.elapsed() >= hb {
                if let Some(p) = self.asm.as_ref().and_then(|a| a.idle_position()) {
                    self.last_heartbeat = Instant::now();
                    return Ok(SourceItem::Heartbeat {
                        position: SourcePosition::Binlog(p),
                        at_us: now_us(),
                    });
                }
            }
        }
    }
}
