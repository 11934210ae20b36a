//! What a report reads from the store, through the documented SQL surface only
//! (docs/SCHEMA.md): every word about the components in scope (`component_status_changes`),
//! the incidents' kinds and resolutions, the components' names and groups, and what each
//! vendor's coverage knows (`vendor_coverage`, `source_coverage`).

use super::periods::{Origin, Word};
use crate::model::{ComponentStatus, parse_db_time};
use crate::store::StoreError;
use rusqlite::{Connection, OpenFlags, params_from_iter};
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

/// An incident that announced a status for a component in scope.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The incident's id.
    pub id: String,
    /// Whether it is a maintenance.
    pub maintenance: bool,
    /// Its resolution (milliseconds since the epoch), if resolved.
    pub resolved_at: Option<i64>,
}

/// One component and its words, in the order `(changed_at, id)`.
#[derive(Debug, Clone)]
pub struct Component {
    /// The component's id.
    pub id: String,
    /// Its vendor.
    pub vendor: String,
    /// Its latest name.
    pub name: String,
    /// Its group, if any.
    pub group: Option<String>,
    /// Its words, oldest first.
    pub words: Vec<Word>,
    /// `(at, id)` of the word its name was taken from.
    latest: (i64, i64),
}

/// A vendor's coverage: the stretches it knows (milliseconds, in order, not overlapping),
/// and from when its sources were watched and what history they state.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// The stretches known, `(from, until)` in milliseconds.
    pub known: Vec<(i64, i64)>,
    /// As the export writes times.
    pub watched_from: Option<String>,
    /// How far back the vendor's pages state history.
    pub history_from: Option<String>,
}

/// What a report reads from the database, once.
#[derive(Debug, Default)]
pub struct Evidence {
    /// The components in scope.
    pub components: Vec<Component>,
    /// The incidents that announced a status for them.
    pub incidents: Vec<Incident>,
    /// Each vendor's coverage.
    pub coverage: HashMap<String, Coverage>,
}

/// Up to 4 GiB of the database file mapped while a report reads it.
const MMAP_BYTES: i64 = 1 << 32;

fn ms(text: &str) -> Result<i64, StoreError> {
    parse_db_time(text)
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| StoreError::Invalid(format!("{text:?} is not a stored time")))
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> Result<&'r str, StoreError> {
    Ok(row.get_ref(column)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })?)
}

/// A text column that may be null.
fn text_or_null<'r>(
    row: &'r rusqlite::Row<'_>,
    column: usize,
) -> Result<Option<&'r str>, StoreError> {
    Ok(row.get_ref(column)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })?)
}

/// `?, ?, ...` for `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// What a report reads besides the words: the component list's names and groups, every
/// incident's kind and resolution, and each vendor's coverage. Read on a connection of its own
/// while the words are read.
#[derive(Debug, Default)]
struct Context {
    listed: HashMap<String, (String, Option<String>)>,
    incidents: HashMap<String, (bool, Option<i64>)>,
    coverage: HashMap<String, Coverage>,
}

/// `WHERE` terms and their values for a vendor filter.
struct Filter<'a> {
    sql: String,
    args: Vec<&'a str>,
}

impl<'a> Filter<'a> {
    fn new(vendors: &'a [String]) -> Filter<'a> {
        let sql = if vendors.is_empty() {
            String::new()
        } else {
            format!("AND vendor IN ({})", placeholders(vendors.len()))
        };
        Filter {
            sql,
            args: vendors.iter().map(String::as_str).collect(),
        }
    }
}

impl Evidence {
    /// Reads the words of every component of `vendors` (all vendors when empty). With the
    /// database's `path`, the rest is read at the same time on a second connection.
    pub fn load(
        conn: &Connection,
        path: Option<&Path>,
        vendors: &[String],
    ) -> Result<Evidence, StoreError> {
        // A report reads much of the file once: mapped, its pages are not copied per read.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let filter = Filter::new(vendors);
        let (words, context) = match path {
            Some(path) => std::thread::scope(|scope| {
                let context = scope.spawn(|| {
                    let other = Connection::open_with_flags(
                        path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    other.busy_timeout(std::time::Duration::from_secs(10))?;
                    Context::load(&other, &filter)
                });
                let words = Evidence::words(conn, &filter);
                let context = context
                    .join()
                    .map_err(|_| StoreError::Invalid("the report's reader stopped".into()))?;
                Ok::<_, StoreError>((words?, context?))
            })?,
            None => (
                Evidence::words(conn, &filter)?,
                Context::load(conn, &filter)?,
            ),
        };
        let (mut evidence, incident_index) = words;
        let Context {
            mut listed,
            incidents,
            coverage,
        } = context;
        // Names and groups as the component list has them.
        for c in &mut evidence.components {
            if let Some((name, group)) = listed.remove(&c.id) {
                c.name = name;
                c.group = group;
            }
        }
        // The kind and resolution of every incident the words name.
        for (id, index) in incident_index {
            if let Some(&(maintenance, resolved_at)) = incidents.get(&id) {
                let incident = &mut evidence.incidents[index as usize];
                incident.maintenance = maintenance;
                incident.resolved_at = resolved_at;
            }
        }
        evidence.coverage = coverage;
        Ok(evidence)
    }

    /// Every word, in one pass over the table, grouped by component; and the index of the
    /// incidents they name.
    fn words(
        conn: &Connection,
        filter: &Filter<'_>,
    ) -> Result<(Evidence, HashMap<String, u32>), StoreError> {
        let vendor_filter = &filter.sql;
        let args = &filter.args;
        let mut evidence = Evidence::default();
        let mut incident_index: HashMap<String, u32> = HashMap::default();
        {
            // In table order (one pass over the table, not a lookup per row through the
            // component index); each component's words are sorted after.
            let mut component_index: HashMap<String, usize> = HashMap::default();
            let mut all: Vec<(u32, Word)> = Vec::new();
            let mut stmt = conn.prepare(&format!(
                "SELECT component_id, vendor, name, id, changed_at, status, origin, incident_id
                 FROM component_status_changes
                 WHERE 1 = 1 {vendor_filter}"
            ))?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                let component_id = text(row, 0)?;
                let index = match component_index.get(component_id) {
                    Some(&index) => index,
                    None => {
                        let index = evidence.components.len();
                        component_index.insert(component_id.to_string(), index);
                        evidence.components.push(Component {
                            id: component_id.to_string(),
                            vendor: row.get(1)?,
                            name: String::new(),
                            group: None,
                            words: Vec::new(),
                            latest: (i64::MIN, i64::MIN),
                        });
                        index
                    }
                };
                let status_text = text(row, 5)?;
                // A word outside the vocabulary is one statusdb cannot read: unknown.
                let status = status_text
                    .parse::<ComponentStatus>()
                    .unwrap_or(ComponentStatus::Unknown);
                let origin = match text(row, 6)? {
                    "update" => Origin::Update,
                    _ => Origin::Page,
                };
                let incident = match text_or_null(row, 7)? {
                    Some(id) => Some(match incident_index.get(id) {
                        Some(&i) => i,
                        None => {
                            let i = evidence.incidents.len() as u32;
                            incident_index.insert(id.to_string(), i);
                            evidence.incidents.push(Incident {
                                id: id.to_string(),
                                maintenance: false,
                                resolved_at: None,
                            });
                            i
                        }
                    }),
                    None => None,
                };
                let word = Word {
                    id: row.get(3)?,
                    at: ms(text(row, 4)?)?,
                    status,
                    origin,
                    incident,
                };
                let component = &mut evidence.components[index];
                // The latest word's name, unless the component list names it.
                if (word.at, word.id) > component.latest {
                    component.latest = (word.at, word.id);
                    component.name.clear();
                    component.name.push_str(text(row, 2)?);
                }
                all.push((index as u32, word));
            }
            // Each component's words into a vector of its own, allocated once.
            let mut counts = vec![0usize; evidence.components.len()];
            for (index, _) in &all {
                counts[*index as usize] += 1;
            }
            for (c, count) in evidence.components.iter_mut().zip(counts) {
                c.words.reserve_exact(count);
            }
            for (index, word) in all {
                evidence.components[index as usize].words.push(word);
            }
            for c in &mut evidence.components {
                c.words.sort_unstable_by_key(|w| (w.at, w.id));
            }
        }

        Ok((evidence, incident_index))
    }
}

impl Context {
    fn load(conn: &Connection, filter: &Filter<'_>) -> Result<Context, StoreError> {
        let vendor_filter = &filter.sql;
        let args = &filter.args;
        let mut context = Context::default();
        {
            let mut stmt = conn.prepare(&format!(
                "SELECT id, name, group_name FROM components WHERE 1 = 1 {vendor_filter}"
            ))?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                context
                    .listed
                    .insert(row.get(0)?, (row.get(1)?, row.get(2)?));
            }
        }
        {
            let mut stmt = conn.prepare(&format!(
                "SELECT id, kind, resolved_at FROM incidents WHERE 1 = 1 {vendor_filter}"
            ))?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                let resolved_at = match text_or_null(row, 2)? {
                    Some(t) => Some(ms(t)?),
                    None => None,
                };
                context.incidents.insert(
                    text(row, 0)?.to_string(),
                    (text(row, 1)? == "maintenance", resolved_at),
                );
            }
        }
        // What each vendor knows.
        {
            let mut stmt = conn.prepare(&format!(
                "SELECT vendor, known_from, known_until FROM vendor_coverage
                 WHERE 1 = 1 {vendor_filter} ORDER BY vendor, known_from"
            ))?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                let vendor: String = row.get(0)?;
                let stretch = (ms(text(row, 1)?)?, ms(text(row, 2)?)?);
                context
                    .coverage
                    .entry(vendor)
                    .or_default()
                    .known
                    .push(stretch);
            }
            let mut stmt = conn.prepare(&format!(
                "SELECT vendor, min(watched_from), min(history_from) FROM source_coverage
                 WHERE 1 = 1 {vendor_filter} GROUP BY vendor"
            ))?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                let coverage = context.coverage.entry(row.get(0)?).or_default();
                coverage.watched_from = text_or_null(row, 1)?.map(super::export_time);
                coverage.history_from = text_or_null(row, 2)?.map(super::export_time);
            }
        }
        Ok(context)
    }
}
