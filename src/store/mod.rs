//! SQLite storage: schema and migrations, the fetch log, raw pages, and the canonical records.
//! The store never parses; it writes what the normalizer built, each source all or nothing.

mod apply;
mod raw_pages;
mod rebuild;
mod records;
pub(crate) mod rows;
pub mod schema;

pub use apply::{Applied, EventRow, Writer};
pub use raw_pages::compress_body;
pub(crate) use rebuild::{RebuildReport, StoredPage};

use crate::handoff::{ResolvedKind, Source, Validators};
use crate::model::{db_time, parse_db_time};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be opened or written.
    #[error("cannot open database {path}: {reason}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    #[error(
        "database {path} has schema version {found}, newer than this statusdb supports ({supported}); upgrade statusdb"
    )]
    /// The file is from a newer statusdb.
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Stored data that does not read back (a corrupt or hand-edited row).
    #[error("stored data is invalid: {0}")]
    Invalid(String),
}

/// A column holding a stored time (`None` when NULL or not a time).
pub(crate) fn time_column(
    row: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(row
        .get::<_, Option<String>>(i)?
        .as_deref()
        .and_then(parse_db_time))
}

/// What the store remembers about one document of a source between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EndpointState {
    pub validators: Validators,
    pub content_hash: Option<String>,
}

/// Scheduling state of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SourceState {
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_failures: i64,
    pub next_due_at: Option<DateTime<Utc>>,
}

/// The SQLite database: one connection, migrated on open.
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
    /// Checks, without creating or changing any file, that `open` can write the database:
    /// its directory exists, and an existing file is a writable SQLite database of a schema
    /// version this build knows. `ingest` runs this before taking its lock, so a bad path
    /// leaves nothing behind.
    pub fn preflight(path: &Path) -> Result<(), StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        Store::check_directory(path)?;
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(open_error(e.to_string())),
        };
        if !meta.is_file() {
            return Err(open_error("not a regular file".into()));
        }
        // The permission bits, not access(2): root may write anything, but a file made
        // read-only says it is not to be written.
        if meta.permissions().readonly() {
            return Err(open_error("the file is read-only".into()));
        }
        Store::check_header(path)
    }

    /// The database's directory must exist: statusdb creates the file, never its directory.
    fn check_directory(path: &Path) -> Result<(), StoreError> {
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: format!("directory {} does not exist", dir.display()),
            }),
            _ => Ok(()),
        }
    }

    /// Checks that an existing non-empty file is a SQLite database whose schema version (the
    /// header's user_version, offset 60, big-endian) this build knows, reading only its header.
    fn check_header(path: &Path) -> Result<(), StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        let mut header = [0u8; 100];
        let mut file = std::fs::File::open(path).map_err(|e| open_error(e.to_string()))?;
        let mut read = 0;
        while read < header.len() {
            match std::io::Read::read(&mut file, &mut header[read..]) {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(e) => return Err(open_error(e.to_string())),
            }
        }
        if read == 0 {
            return Ok(());
        }
        if read < 16 || &header[..16] != b"SQLite format 3\0" {
            return Err(open_error("not a SQLite database".into()));
        }
        if read == header.len() {
            let found = i64::from(u32::from_be_bytes([
                header[60], header[61], header[62], header[63],
            ]));
            if found > schema::SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: schema::SCHEMA_VERSION,
                });
            }
        }
        Ok(())
    }

    /// Opens (creating if needed) a database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        Store::check_directory(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(e.to_string()))?;
        // SQLite quietly falls back to read-only when it may not write the file.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| open_error(e.to_string()))?
        {
            return Err(open_error("the database cannot be written".into()));
        }
        Store::setup(conn, path)
    }

    /// Opens an existing database for reading (export and query): never creates one. A
    /// writable one is migrated like `open` does; a read-only file is read as it is.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: "no such database; run `statusdb ingest` first".into(),
            });
        }
        Store::check_header(path)?;
        let read_only = std::fs::metadata(path)
            .map(|m| m.permissions().readonly())
            .unwrap_or(false);
        if read_only {
            return Store::open_read_only(path);
        }
        Store::open(path)
    }

    fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| open_error(e.to_string()))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_error(e.to_string()))?;
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if version < schema::SCHEMA_VERSION {
            return Err(open_error(format!(
                "schema version {version} needs upgrading to {}, and the file is read-only; \
                 run `statusdb ingest` on a writable copy",
                schema::SCHEMA_VERSION
            )));
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
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
        // Savepoint journals (`Writer::apply_source`) and temporary tables stay
        // in memory.
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

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The first column of every row a query gives, as text (unit tests' look at the rows).
    #[cfg(test)]
    pub(crate) fn strings(&self, sql: &str) -> Vec<String> {
        let mut stmt = self.conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
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
                "INSERT INTO sources(id, vendor, name, kind, url, interval_seconds, zone)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET vendor = excluded.vendor, name = excluded.name,
                   kind = excluded.kind, url = excluded.url,
                   interval_seconds = excluded.interval_seconds, zone = excluded.zone",
            )?;
            for s in sources {
                vendor.execute([&s.vendor])?;
                source.execute(params![
                    s.id,
                    s.vendor,
                    s.name,
                    s.kind.as_str(),
                    s.url.as_str(),
                    s.interval.as_secs() as i64,
                    s.zone.map(|z| z.name())
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many failed runs in a row make a source's components `unknown` (from the config).
    pub(crate) fn set_unknown_after_failures(&mut self, failures: u32) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sources SET unknown_after_failures = ?1 WHERE unknown_after_failures != ?1",
            [i64::from(failures)],
        )?;
        Ok(())
    }

    /// Conditional-request state of every document of every source.
    pub(crate) fn endpoint_states(
        &self,
    ) -> Result<HashMap<(String, String), EndpointState>, StoreError> {
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

    /// The stored kinds of `auto` sources, by source id.
    pub(crate) fn resolved_kinds(&self) -> Result<HashMap<String, ResolvedKind>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, resolved_kind, resolved_url, resolved_at, resolved_evidence FROM sources
             WHERE resolved_kind IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, kind, url, at, evidence) = row?;
            // A kind this build does not know (a newer statusdb wrote it) is probed again.
            let Some(kind) = crate::providers::Kind::from_name(&kind) else {
                continue;
            };
            out.insert(
                id,
                ResolvedKind {
                    kind,
                    url: url.unwrap_or_default(),
                    at: at.as_deref().and_then(parse_db_time).unwrap_or_default(),
                    evidence: evidence.unwrap_or_default(),
                },
            );
        }
        Ok(out)
    }

    /// The scheduling state of every source the database knows, by id.
    pub(crate) fn source_states(&self) -> Result<HashMap<String, SourceState>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, last_attempt_at, last_success_at, last_error, consecutive_failures,
                    next_due_at FROM sources",
        )?;
        let rows = stmt.query_map([], |r| {
            let time = |i: usize| time_column(r, i);
            Ok((
                r.get::<_, String>(0)?,
                SourceState {
                    last_attempt_at: time(1)?,
                    last_success_at: time(2)?,
                    last_error: r.get(3)?,
                    consecutive_failures: r.get(4)?,
                    next_due_at: time(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Starts a run and returns its id.
    pub(crate) fn begin_run(&mut self, started_at: DateTime<Utc>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO runs(started_at) VALUES (?1)",
            [db_time(&started_at)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub(crate) fn finish_run(
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
    /// A reader of incidents' rows as stored, for the export.
    pub(crate) fn row_reader(&self, chunk: usize) -> Result<rows::RowReader<'_>, StoreError> {
        rows::RowReader::new(&self.conn, chunk)
    }

    /// Loads one incident record with its updates, components, anomalies, sources and aliases.
    pub fn load_incident(
        &self,
        id: &str,
    ) -> Result<Option<crate::model::IncidentRecord>, StoreError> {
        records::load_incident(&self.conn, id)
    }
}
