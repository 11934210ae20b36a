//! The export document (schema version 1, see `schema/export-v1.schema.json`), streamed a chunk
//! of incidents at a time so that memory stays flat however large the database is.

pub use crate::document::{ExportComponent, ExportIncident, Stale};
use crate::model::{ComponentStatus, format_utc, parse_db_time};
use crate::store::rows::{RowBatch, incident_col};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::{self, Write};

mod encode;

pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Incidents loaded per round of queries: memory stays flat (one chunk of records at a time)
/// while the per-query cost is shared by many incidents.
const EXPORT_CHUNK: usize = 128;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// One incident per line.
    Ndjson,
}

/// Which incidents an export holds. Time bounds select incidents that overlap the window.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these vendors (all when empty).
    pub vendors: Vec<String>,
    /// Incidents still open at, or resolved after, this instant.
    pub since: Option<DateTime<Utc>>,
    /// Incidents that started before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only unresolved incidents.
    pub active: bool,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("cannot write export: {0}")]
    Io(#[from] io::Error),
    /// Encoding failed.
    #[error("cannot encode export: {0}")]
    Json(#[from] serde_json::Error),
}

/// The incidents a filter selects: their ids in id order (the order their rows are stored
/// in, which the export reads them in), and each one's place in the document (start time, then
/// id).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    pub ids: Vec<String>,
    /// `places[i]` is where `ids[i]` stands in the document.
    pub places: Vec<usize>,
}

impl Selection {
    #[cfg(test)]
    /// The ids in document order.
    pub(crate) fn in_document_order(&self) -> Vec<&str> {
        let mut ordered = vec![""; self.ids.len()];
        for (id, &place) in self.ids.iter().zip(&self.places) {
            ordered[place] = id;
        }
        ordered
    }
}

/// Selects the incidents a filter asks for.
///
/// Read from two indexes rather than from the incidents table, whose rows (titles, links, raw
/// texts) are ten times the size: the start times by rowid from a time index (covering unless
/// the filter reads `resolved_at`), then every id with its rowid from the primary key's index,
/// in id order. The document's order is SQL's `ORDER BY started_at, id`: no start time first,
/// then the fixed-width UTC texts, ties by id, byte by byte.
pub(crate) fn select(store: &Store, filter: &Filter) -> Result<Selection, StoreError> {
    let mut sql = String::from("SELECT rowid, started_at FROM incidents WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    if !filter.vendors.is_empty() {
        let marks: Vec<String> = filter
            .vendors
            .iter()
            .map(|v| {
                args.push(v.clone());
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND vendor IN ({})", marks.join(", ")));
    }
    if let Some(since) = filter.since {
        args.push(crate::model::db_time(&since));
        sql.push_str(&format!(
            " AND (resolved_at IS NULL OR resolved_at >= ?{})",
            args.len()
        ));
    }
    if let Some(until) = filter.until {
        args.push(crate::model::db_time(&until));
        sql.push_str(&format!(" AND started_at < ?{}", args.len()));
    }
    if filter.active {
        sql.push_str(" AND resolved_at IS NULL");
    }
    let conn = store.connection();
    // By rowid, to be found by binary search (no hashing of a quarter million keys).
    let mut starts: Vec<(i64, Option<String>)> = conn
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    starts.sort_unstable_by_key(|(rowid, _)| *rowid);
    let mut ids = Vec::with_capacity(starts.len());
    let mut started = Vec::with_capacity(starts.len());
    let mut stmt = conn.prepare("SELECT rowid, id FROM incidents ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        if let Ok(i) = starts.binary_search_by_key(&rowid, |(r, _)| *r) {
            ids.push(row.get::<_, String>(1)?);
            started.push(std::mem::take(&mut starts[i].1));
        }
    }
    // Ties in the id order they came in.
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by(|&a, &b| started[a].cmp(&started[b]).then(a.cmp(&b)));
    let mut places = vec![0; ids.len()];
    for (place, &i) in order.iter().enumerate() {
        places[i] = place;
    }
    Ok(Selection { ids, places })
}

pub(crate) fn components(
    store: &Store,
    filter: &Filter,
) -> Result<Vec<ExportComponent>, StoreError> {
    let conn = store.connection();
    // The view reports `unknown` for components of a source that keeps failing (fail closed).
    let mut stmt = conn.prepare(
        "SELECT vendor, name, group_name, status, updated_at, stale, consecutive_failures,
                last_success_at, declared_status, last_error
         FROM latest_component_status
         ORDER BY vendor, group_name IS NOT NULL, group_name, name, component_id",
    )?;
    let instant = |text: Option<String>| {
        text.as_deref()
            .and_then(parse_db_time)
            .map(|t| format_utc(&t))
    };
    let rows = stmt.query_map([], |r| {
        let stale = if r.get::<_, bool>(5)? {
            Some(Stale {
                consecutive_failures: r.get(6)?,
                last_success_at: instant(r.get(7)?),
                declared_status: r.get(8)?,
                last_error: r.get(9)?,
            })
        } else {
            None
        };
        Ok(ExportComponent {
            vendor: r.get(0)?,
            name: r.get(1)?,
            group: r.get(2)?,
            status: r.get(3)?,
            updated_at: instant(r.get(4)?),
            stale,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let c = row?;
        if filter.vendors.is_empty() || filter.vendors.contains(&c.vendor) {
            debug_assert!(c.status.parse::<ComponentStatus>().is_ok());
            out.push(c);
        }
    }
    Ok(out)
}

/// A chunk of incidents' stored rows, with each incident row's place in the document.
#[derive(Default)]
struct Batch {
    rows: RowBatch,
    places: Vec<usize>,
}

/// What the reading thread hands the writing one: incidents in id order, then the components.
enum Chunk {
    Incidents(Box<Batch>),
    Components(Vec<ExportComponent>),
}

/// Writes the export to `out`.
///
/// The document lists incidents by start time, but their rows are stored by incident id, so
/// reading them in document order jumps across the whole database for every incident (its
/// cost grew faster than the database). They are read in id order instead, where one
/// incident's rows sit beside the next one's, encoded into a temporary spool file in that
/// order, and then copied from the spool to `out` in document order. Memory stays flat: a few
/// chunks of rows and one offset per incident.
///
/// A second connection reads, in one read transaction (so the document is one snapshot of the
/// database even while an ingest commits), and hands the rows as stored over a short queue to
/// this thread, which encodes them (`encode`): reading and encoding run on two cores at once.
/// The row buffers go back to the reader to be filled again, so neither thread allocates per
/// field or frees what the other allocated.
pub fn write(
    store: &Store,
    filter: &Filter,
    format: Format,
    generated_at: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let path = store.path().to_path_buf();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Chunk>(2);
    let (count_sender, count_receiver) = std::sync::mpsc::sync_channel::<usize>(1);
    let (spare_sender, spare_receiver) = std::sync::mpsc::channel::<Box<Batch>>();
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> Result<usize, StoreError> {
            let store = Store::open_existing(&path)?;
            let conn = store.connection();
            conn.execute_batch("BEGIN")?;
            let selection = select(&store, filter)?;
            let count = selection.ids.len();
            let _ = count_sender.send(count);
            let mut reader = store.row_reader(EXPORT_CHUNK)?;
            let mut place_of: HashMap<&str, usize> = HashMap::with_capacity(EXPORT_CHUNK);
            for (ids, places) in selection
                .ids
                .chunks(EXPORT_CHUNK)
                .zip(selection.places.chunks(EXPORT_CHUNK))
            {
                let chunk: Vec<&str> = ids.iter().map(String::as_str).collect();
                let mut batch = spare_receiver.try_recv().unwrap_or_default();
                reader.load(&chunk, &mut batch.rows)?;
                place_of.clear();
                place_of.extend(chunk.iter().copied().zip(places.iter().copied()));
                batch.places.clear();
                let found = &batch.rows.incidents;
                for row in 0..found.len() {
                    let id = found.required(row, incident_col::ID)?;
                    let place = place_of.get(id).copied().ok_or_else(|| {
                        StoreError::Invalid(format!("incident {id:?} was not asked for"))
                    })?;
                    batch.places.push(place);
                }
                if sender.send(Chunk::Incidents(batch)).is_err() {
                    // The writing side stopped; its error is the one reported.
                    return Ok(count);
                }
            }
            if format == Format::Json {
                let _ = sender.send(Chunk::Components(components(&store, filter)?));
            }
            conn.execute_batch("COMMIT")?;
            Ok(count)
        });
        let written = write_chunks(
            &receiver,
            &count_receiver,
            &spare_sender,
            format,
            generated_at,
            out,
        );
        // Unblocks the reader if writing failed half-way.
        drop(receiver);
        let read = reading
            .join()
            .map_err(|_| StoreError::Invalid("the export reader stopped unexpectedly".into()))?;
        written?;
        Ok(read?)
    })
}

/// Where an encoded incident sits in the spool.
#[derive(Clone, Copy)]
struct Spooled {
    offset: u64,
    len: usize,
}

fn write_chunks(
    chunks: &std::sync::mpsc::Receiver<Chunk>,
    count: &std::sync::mpsc::Receiver<usize>,
    spare: &std::sync::mpsc::Sender<Box<Batch>>,
    format: Format,
    generated_at: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    // The reader stops before sending a count only on an error, which it reports; nothing
    // is written then.
    let Ok(count) = count.recv() else {
        return Ok(());
    };
    let mut places: Vec<Option<Spooled>> = vec![None; count];
    let mut spool = io::BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
    let mut offset = 0u64;
    let mut encoded = Vec::new();
    let mut components = Vec::new();
    let mut encoder = encode::Encoder::default();
    for chunk in chunks {
        let batch = match chunk {
            Chunk::Incidents(batch) => batch,
            Chunk::Components(c) => {
                components = c;
                continue;
            }
        };
        encoder.encode(&batch.rows, &mut encoded, |row, json| {
            spool.write_all(json)?;
            let place =
                batch.places.get(row).copied().ok_or_else(|| {
                    StoreError::Invalid("an incident row without its place".into())
                })?;
            places[place] = Some(Spooled {
                offset,
                len: json.len(),
            });
            offset += json.len() as u64;
            Ok(())
        })?;
        // Back to the reader to be filled again; it makes a new one if this one is late.
        let _ = spare.send(batch);
    }
    let mut spool = spool.into_inner().map_err(|e| e.into_error())?;

    if format == Format::Json {
        write!(
            out,
            "{{\"schema_version\":{SCHEMA_VERSION},\"generated_at\":{},\"incidents\":[",
            serde_json::to_string(&format_utc(&generated_at))?
        )?;
    }
    let mut first = true;
    for spooled in places.into_iter().flatten() {
        encoded.resize(spooled.len, 0);
        read_at(&mut spool, spooled.offset, &mut encoded)?;
        match format {
            Format::Ndjson => {
                out.write_all(&encoded)?;
                out.write_all(b"\n")?;
            }
            Format::Json => {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                out.write_all(b"\n")?;
                out.write_all(&encoded)?;
            }
        }
    }
    if format == Format::Json {
        out.write_all(b"\n],\"components\":[")?;
        for (i, c) in components.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"\n")?;
            serde_json::to_writer(&mut *out, c)?;
        }
        out.write_all(b"\n]}\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Fills `buf` from the spool at `offset`.
#[cfg(unix)]
fn read_at(spool: &mut std::fs::File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(spool, buf, offset)
}

#[cfg(not(unix))]
fn read_at(spool: &mut std::fs::File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    spool.seek(SeekFrom::Start(offset))?;
    spool.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store of vendor `v` holding the incidents `sql` inserts.
    fn store_with(sql: &str) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .connection()
            .execute_batch(&format!("INSERT INTO vendors(id) VALUES ('v'); {sql}"))
            .unwrap();
        (dir, store)
    }

    /// A stored text that is not UTF-8 stops the export, naming the table, column and incident.
    #[test]
    fn a_text_that_is_not_utf8_is_reported_with_its_place() {
        let (_dir, store) = store_with(
            "INSERT INTO incidents(id, vendor, kind, title, first_seen_at, last_seen_at)
             VALUES ('v/a', 'v', 'incident', CAST(x'c328' AS TEXT),
                     '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');",
        );
        let mut out = Vec::new();
        let err = write(
            &store,
            &Filter::default(),
            Format::Ndjson,
            Utc::now(),
            &mut out,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "stored data is invalid: incidents.title of incident \"v/a\": invalid utf-8"
            ),
            "{err}"
        );
        assert!(out.is_empty());
    }

    /// A filter selects by vendor, activity and time; the order is the same rule.
    #[test]
    fn a_filtered_selection_keeps_the_order_and_only_what_it_asks_for() {
        let (_dir, store) = store_with(
            "INSERT INTO vendors(id) VALUES ('w');
             INSERT INTO incidents(id, vendor, kind, title, started_at, resolved_at,
                                   first_seen_at, last_seen_at)
             VALUES ('v/a', 'v', 'incident', 'a', '2024-01-02T00:00:00.000Z', NULL, 'x', 'x'),
                    ('w/b', 'w', 'incident', 'b', '2024-01-03T00:00:00.000Z', NULL, 'x', 'x'),
                    ('w/c', 'w', 'incident', 'c', '2024-01-01T00:00:00.000Z', NULL, 'x', 'x'),
                    ('w/d', 'w', 'incident', 'd', '2023-01-01T00:00:00.000Z',
                     '2023-01-02T00:00:00.000Z', 'x', 'x');",
        );
        let w = |filter: Filter| {
            select(&store, &filter)
                .unwrap()
                .in_document_order()
                .join(" ")
        };
        let vendors = vec!["w".to_string()];
        assert_eq!(
            w(Filter {
                vendors: vendors.clone(),
                ..Filter::default()
            }),
            "w/d w/c w/b"
        );
        assert_eq!(
            w(Filter {
                vendors,
                active: true,
                ..Filter::default()
            }),
            "w/c w/b"
        );
        let until = "2024-01-02T12:00:00Z".parse().unwrap();
        assert_eq!(
            w(Filter {
                until: Some(until),
                ..Filter::default()
            }),
            "w/d w/c v/a"
        );
    }

    /// The selection is in SQL's `ORDER BY started_at, id`: no start time first, then by time,
    /// ties by id.
    #[test]
    fn the_selection_is_in_start_time_then_id_order() {
        let (_dir, store) = store_with(
            "INSERT INTO incidents(id, vendor, kind, title, started_at, first_seen_at,
                                   last_seen_at)
             VALUES ('v/b', 'v', 'incident', 'b', '2024-01-01T00:00:00.000Z', 'x', 'x'),
                    ('v/c', 'v', 'incident', 'c', '2023-12-31T23:59:59.999Z', 'x', 'x'),
                    ('v/a', 'v', 'incident', 'a', '2024-01-01T00:00:00.000Z', 'x', 'x'),
                    ('v/d', 'v', 'incident', 'd', NULL, 'x', 'x'),
                    ('v/Z', 'v', 'incident', 'Z', '2024-01-01T00:00:00.000Z', 'x', 'x');",
        );
        let selection = select(&store, &Filter::default()).unwrap();
        assert_eq!(selection.ids, ["v/Z", "v/a", "v/b", "v/c", "v/d"]);
        assert_eq!(selection.places, [2, 3, 4, 1, 0]);
        let ids = selection.in_document_order();
        assert_eq!(ids, ["v/d", "v/c", "v/Z", "v/a", "v/b"]);
        let sql = store.strings("SELECT id FROM incidents ORDER BY started_at, id");
        assert_eq!(ids, sql);
    }
}
