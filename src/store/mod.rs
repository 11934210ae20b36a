//! SQLite storage: schema and migrations, the fetch log, raw pages, and the canonical records.
//! The store never parses; it writes what the normalizer built, one transaction per source.

mod apply;
mod records;
pub mod schema;

pub use apply::{DocumentOutcome, DocumentResult, RawBody, SourceChanges, SourceResult, Writer};
pub use records::Reader;

use crate::config::Source;
use crate::fetch::Validators;
use crate::model::{db_time, parse_db_time};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error(
        "database {path} has schema version {found}, newer than this statusdb supports ({supported}); upgrade statusdb"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored data is invalid: {0}")]
    Invalid(String),
}

/// What the store remembers about one document of a source between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointState {
    pub validators: Validators,
    pub content_hash: Option<String>,
}

/// Scheduling state of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_failures: i64,
    pub next_due_at: Option<DateTime<Utc>>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The SQLite page cache of the connection, in KiB.
const PAGE_CACHE_KIB: i64 = 64 * 1024;
/// WAL pages (4 KiB each) after which a commit checkpoints.
const WAL_CHECKPOINT_PAGES: i64 = 4096;
/// Small-allocation (lookaside) slots of the connection: SQLite's default 40 are all taken by
/// the statements an ingest holds prepared, which sent every bound value and record to malloc.
const LOOKASIDE_SLOTS: i32 = 500;
const LOOKASIDE_SLOT_BYTES: i32 = 1200;

/// Gives the connection a larger lookaside (about 600 KB). Must run before any statement is
/// prepared, while no lookaside memory is in use.
fn configure_lookaside(conn: &Connection) -> rusqlite::Result<()> {
    // SAFETY: `handle()` is the live connection, used on this thread only; with a null buffer
    // SQLite allocates the slots itself. The arguments are the (void*, int, int) that
    // SQLITE_DBCONFIG_LOOKASIDE takes.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            LOOKASIDE_SLOT_BYTES,
            LOOKASIDE_SLOTS,
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            Some("cannot configure lookaside memory".into()),
        ))
    }
}

impl Store {
    /// Opens (creating if needed) a database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.is_dir()
        {
            return Err(open_error(format!(
                "directory {} does not exist",
                dir.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(e.to_string()))?;
        Store::setup(conn, path)
    }

    /// Opens an existing database without creating or migrating it (for export and query).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: "no such database; run `statusdb ingest` first".into(),
            });
        }
        Store::open(path)
    }

    fn setup(conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let open_error = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        configure_lookaside(&conn).map_err(open_error)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(open_error)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_error)?;
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // The default 2 MiB page cache is smaller than the indexes an ingest inserts into at
        // random places; a miss is a read from the OS. Pages are cached only as used.
        conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)
            .map_err(open_error)?;
        // Checkpoint the WAL every 16 MiB instead of 4: a page that many sources touch (the
        // time index, say) is copied into the database once per checkpoint, not once per 4 MiB.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
            .map_err(open_error)?;
        // Savepoint journals (one per source in a group commit) stay in memory.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_error)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, from: i64) -> Result<(), StoreError> {
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for read-only queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Records the configured sources (and their vendors), so that fetch rows can refer to them.
    pub fn sync_sources(&mut self, sources: &[Source]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut vendor = tx.prepare("INSERT OR IGNORE INTO vendors(id) VALUES (?1)")?;
            let mut source = tx.prepare(
                "INSERT INTO sources(id, vendor, name, kind, url, interval_seconds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET vendor = excluded.vendor, name = excluded.name,
                   kind = excluded.kind, url = excluded.url,
                   interval_seconds = excluded.interval_seconds",
            )?;
            for s in sources {
                vendor.execute([&s.vendor])?;
                source.execute(params![
                    s.id,
                    s.vendor,
                    s.name,
                    s.kind.as_str(),
                    s.url.as_str(),
                    s.interval.as_secs() as i64
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Conditional-request state of every document of every source.
    pub fn endpoint_states(&self) -> Result<HashMap<(String, String), EndpointState>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source_id, url, etag, last_modified, content_hash FROM source_endpoints",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                EndpointState {
                    validators: Validators {
                        etag: r.get(2)?,
                        last_modified: r.get(3)?,
                    },
                    content_hash: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn source_state(&self, source_id: &str) -> Result<SourceState, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT last_attempt_at, last_success_at, last_error, consecutive_failures,
                        next_due_at FROM sources WHERE id = ?1",
                [source_id],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?;
        Ok(match row {
            Some((attempt, success, error, failures, due)) => SourceState {
                last_attempt_at: attempt.as_deref().and_then(parse_db_time),
                last_success_at: success.as_deref().and_then(parse_db_time),
                last_error: error,
                consecutive_failures: failures,
                next_due_at: due.as_deref().and_then(parse_db_time),
            },
            None => SourceState::default(),
        })
    }

    /// Starts a run and returns its id.
    pub fn begin_run(&mut self, started_at: DateTime<Utc>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO runs(started_at) VALUES (?1)",
            [db_time(&started_at)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_run(
        &mut self,
        run_id: i64,
        finished_at: DateTime<Utc>,
        ok: usize,
        failed: usize,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE runs SET finished_at = ?2, sources_ok = ?3, sources_failed = ?4 WHERE id = ?1",
            params![run_id, db_time(&finished_at), ok as i64, failed as i64],
        )?;
        Ok(())
    }
}

impl Store {
    /// A reader that loads incident records `chunk` at a time (the export streams through one).
    pub fn reader(&self, chunk: usize) -> Result<Reader<'_>, StoreError> {
        Reader::new(&self.conn, chunk)
    }

    /// Loads one incident record with its updates, components, anomalies, sources and aliases.
    pub fn load_incident(
        &self,
        id: &str,
    ) -> Result<Option<crate::model::IncidentRecord>, StoreError> {
        records::load_incident(&self.conn, id)
    }
}

impl Store {
    /// A stored raw page, decompressed.
    pub fn raw_page(&self, hash: &str) -> Result<Vec<u8>, StoreError> {
        apply::read_raw_page(&self.conn, hash)
    }
}
