//! Stored rows copied out of SQLite as they are, for a reader that turns them straight into
//! text (the export). Every value of a table's rows goes into one buffer instead of a `String`
//! per field, and the buffers are reused from one chunk of incidents to the next: building
//! and freeing typed records was about half of the export's reading thread, most of it in the
//! allocator.

use super::StoreError;
use super::records::{bind_padded, chunk_statements};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Statement};

#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Int(i64),
    /// A floating-point value: no column the export reads holds one.
    Real,
    /// Text or blob bytes at `start..end` of the table's buffer.
    Bytes {
        start: usize,
        end: usize,
    },
}

/// The rows one query returned: `width` cells per row, their bytes in one buffer.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    table: &'static str,
    /// The query's column names, for errors.
    names: Vec<String>,
    width: usize,
    cells: Vec<Cell>,
    bytes: Vec<u8>,
}

impl Rows {
    fn new(table: &'static str) -> Rows {
        Rows {
            table,
            ..Rows::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len().checked_div(self.width).unwrap_or(0)
    }

    fn clear(&mut self) {
        self.width = 0;
        self.cells.clear();
        self.bytes.clear();
    }

    /// Copies one row's values.
    pub(super) fn push(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        let stmt = row.as_ref();
        let width = stmt.column_count();
        if self.cells.is_empty() {
            self.width = width;
        }
        if self.names.len() != width {
            self.names = (0..width)
                .map(|i| stmt.column_name(i).map(str::to_owned))
                .collect::<rusqlite::Result<_>>()?;
        }
        for i in 0..width {
            let cell = match row.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(_) => Cell::Real,
                ValueRef::Text(b) | ValueRef::Blob(b) => {
                    let start = self.bytes.len();
                    self.bytes.extend_from_slice(b);
                    Cell::Bytes {
                        start,
                        end: self.bytes.len(),
                    }
                }
            };
            self.cells.push(cell);
        }
        Ok(())
    }

    fn cell(&self, row: usize, col: usize) -> Cell {
        debug_assert!(col < self.width);
        self.cells
            .get(row * self.width + col)
            .copied()
            .unwrap_or(Cell::Null)
    }

    /// Names the value: every query's first column is its incident's id.
    fn invalid(&self, row: usize, col: usize, what: &str) -> StoreError {
        let column = self.names.get(col).map_or("?", String::as_str);
        let incident = String::from_utf8_lossy(self.bytes(row, INCIDENT_ID).unwrap_or_default());
        StoreError::Invalid(format!(
            "{}.{column} of incident {incident:?}: {what}",
            self.table
        ))
    }

    /// A text value's bytes as stored, unchecked: for ordering (byte order is `str` order).
    pub(crate) fn bytes(&self, row: usize, col: usize) -> Option<&[u8]> {
        match self.cell(row, col) {
            Cell::Bytes { start, end } => self.bytes.get(start..end),
            _ => None,
        }
    }

    /// A text value, `None` for NULL.
    pub(crate) fn text(&self, row: usize, col: usize) -> Result<Option<&str>, StoreError> {
        match self.cell(row, col) {
            Cell::Null => Ok(None),
            Cell::Bytes { start, end } => std::str::from_utf8(&self.bytes[start..end])
                .map(Some)
                .map_err(|e| self.invalid(row, col, &e.to_string())),
            Cell::Int(_) | Cell::Real => Err(self.invalid(row, col, "a number, not text")),
        }
    }

    /// A text value that must be there.
    pub(crate) fn required(&self, row: usize, col: usize) -> Result<&str, StoreError> {
        self.text(row, col)?
            .ok_or_else(|| self.invalid(row, col, "NULL where text is required"))
    }

    /// An integer value, `None` for NULL.
    pub(crate) fn int(&self, row: usize, col: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(row, col) {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(n)),
            Cell::Bytes { .. } | Cell::Real => Err(self.invalid(row, col, "not an integer")),
        }
    }
}

/// The rows of a chunk of incidents, one [`Rows`] per table, in the columns [`RowReader`]
/// selects.
#[derive(Debug)]
pub(crate) struct RowBatch {
    /// See [`incident_col`].
    pub incidents: Rows,
    /// `incident_id, alias`
    pub aliases: Rows,
    /// `incident_id, source_id`
    pub sources: Rows,
    /// `incident_id, position, name`
    pub components: Rows,
    /// `incident_id, code, detail`
    pub anomalies: Rows,
    /// The updates with their component changes joined (see [`update_col`]): one row per
    /// change, or one row of NULL changes for an update without any.
    pub updates: Rows,
}

impl Default for RowBatch {
    fn default() -> Self {
        RowBatch {
            incidents: Rows::new("incidents"),
            aliases: Rows::new("incident_aliases"),
            sources: Rows::new("incident_sources"),
            components: Rows::new("incident_components"),
            anomalies: Rows::new("anomalies"),
            updates: Rows::new("incident_updates"),
        }
    }
}

impl RowBatch {
    fn tables(&mut self) -> [&mut Rows; 6] {
        [
            &mut self.incidents,
            &mut self.aliases,
            &mut self.sources,
            &mut self.components,
            &mut self.anomalies,
            &mut self.updates,
        ]
    }
}

/// The column every query's rows start with: the incident's id.
pub(crate) const INCIDENT_ID: usize = 0;

/// Column positions of [`RowBatch::incidents`].
pub(crate) mod incident_col {
    pub(crate) const ID: usize = 0;
    pub(crate) const VENDOR: usize = 1;
    pub(crate) const KIND: usize = 2;
    pub(crate) const TITLE: usize = 3;
    pub(crate) const URL: usize = 4;
    pub(crate) const IMPACT: usize = 5;
    pub(crate) const STATUS: usize = 6;
    pub(crate) const CREATED_AT: usize = 7;
    pub(crate) const STARTED_AT: usize = 8;
    pub(crate) const STARTED_AT_SOURCE: usize = 9;
    pub(crate) const STARTED_AT_RAW: usize = 10;
    pub(crate) const RESOLVED_AT: usize = 11;
    pub(crate) const RESOLVED_AT_SOURCE: usize = 12;
    pub(crate) const RESOLVED_AT_RAW: usize = 13;
    pub(crate) const STRUCTURED_STARTED_AT: usize = 14;
    pub(crate) const STRUCTURED_RESOLVED_AT: usize = 15;
    pub(crate) const SCHEDULED_FOR: usize = 16;
    pub(crate) const SCHEDULED_UNTIL: usize = 17;
    pub(crate) const FIRST_SEEN_AT: usize = 18;
    pub(crate) const LAST_SEEN_AT: usize = 19;
}

const INCIDENT_COLUMNS: &str = "id, vendor, kind, title, url, impact, status, created_at,
    started_at, started_at_source, started_at_raw, resolved_at, resolved_at_source,
    resolved_at_raw, structured_started_at, structured_resolved_at, scheduled_for,
    scheduled_until, first_seen_at, last_seen_at";

/// Column positions of [`RowBatch::updates`].
pub(crate) mod update_col {
    pub(crate) const ROWID: usize = 1;
    pub(crate) const ID: usize = 2;
    pub(crate) const STATUS: usize = 3;
    pub(crate) const STATUS_RAW: usize = 4;
    pub(crate) const POSTED_AT: usize = 5;
    pub(crate) const BODY: usize = 6;
    pub(crate) const STATUS_STATED: usize = 7;
    pub(crate) const CHANGE_POSITION: usize = 8;
    pub(crate) const CHANGE_NAME: usize = 9;
    pub(crate) const CHANGE_STATUS: usize = 10;
}

/// Reads the rows of incidents a chunk of ids at a time into a [`RowBatch`]: the columns the
/// export writes and no others (reading a column is most of the reading thread's work).
/// Statements are prepared once and held, as [`super::Reader`]'s are.
pub(crate) struct RowReader<'c> {
    chunk: usize,
    statements: [Statement<'c>; 6],
}

impl<'c> RowReader<'c> {
    pub(crate) fn new(conn: &'c Connection, chunk: usize) -> Result<RowReader<'c>, StoreError> {
        let chunk = chunk.max(1);
        Ok(RowReader {
            chunk,
            statements: chunk_statements(
                conn,
                chunk,
                INCIDENT_COLUMNS,
                "incident_id, code, detail",
                "u.incident_id, u.rowid, u.id, u.status, u.status_raw, u.posted_at, u.body,
                 u.status_stated, c.position, c.name, c.status",
            )?,
        })
    }

    /// The stored rows of `ids` (at most one chunk), copied into `batch` over what it held;
    /// ids not stored have no rows.
    pub(crate) fn load(&mut self, ids: &[&str], batch: &mut RowBatch) -> Result<(), StoreError> {
        if ids.len() > self.chunk {
            return Err(StoreError::Invalid(format!(
                "{} ids asked of a reader of {} at a time",
                ids.len(),
                self.chunk
            )));
        }
        let n = self.chunk;
        let mut loaded = Ok(());
        for (stmt, rows) in self.statements.iter_mut().zip(batch.tables()) {
            rows.clear();
            if loaded.is_ok() {
                loaded = read_into(stmt, n, ids, rows);
            }
            // Cheaper than rebinding every placeholder next time; no plan depends on an id.
            stmt.clear_bindings();
        }
        Ok(loaded?)
    }
}

fn read_into(
    stmt: &mut Statement<'_>,
    n: usize,
    ids: &[&str],
    rows: &mut Rows,
) -> rusqlite::Result<()> {
    bind_padded(stmt, 1, n, ids)?;
    let mut found = stmt.raw_query();
    while let Some(row) = found.next()? {
        rows.push(row)?;
    }
    Ok(())
}
