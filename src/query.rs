//! `statusdb query`: the common questions as tables or JSON, straight from SQL.

use crate::store::{Store, StoreError};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Incidents, newest first.
    Incidents,
    /// Components with their latest status (failing closed).
    Components,
    /// The fetch log, newest first.
    Fetches,
    /// Anomalies of the incidents, newest incident first.
    Anomalies,
    /// What parsers noted about fetched pages, newest fetch first.
    Notes,
}

/// Which rows a query lists.
#[derive(Debug, Clone, Default)]
pub struct QueryFilter {
    /// Only this vendor.
    pub vendor: Option<String>,
    /// Only this source (fetches, notes).
    pub source: Option<String>,
    /// Only unresolved incidents.
    pub active: bool,
    /// At most this many rows.
    pub limit: Option<u32>,
}

/// A result set: column names and rows of JSON values.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The column names.
    pub columns: Vec<String>,
    /// The rows, a value per column.
    pub rows: Vec<Vec<Value>>,
}

/// Lists the rows of one subject.
pub fn run(store: &Store, subject: Subject, filter: &QueryFilter) -> Result<Table, StoreError> {
    let limit = filter.limit.map(i64::from).unwrap_or(-1);
    let (sql, args): (&str, Vec<Value>) = match subject {
        Subject::Incidents => (
            "SELECT id, vendor, kind, status, impact, started_at, resolved_at, duration_seconds, title
             FROM incidents
             WHERE (?1 IS NULL OR vendor = ?1) AND (?2 = 0 OR resolved_at IS NULL)
             ORDER BY started_at DESC, id LIMIT ?3",
            vec![
                filter.vendor.clone().into(),
                i64::from(filter.active).into(),
                limit.into(),
            ],
        ),
        Subject::Components => (
            // `unknown` while the component's source keeps failing, with its last success.
            "SELECT vendor, group_name AS \"group\", name, status, updated_at, last_seen_at,
                    last_success_at
             FROM latest_component_status WHERE (?1 IS NULL OR vendor = ?1)
             ORDER BY vendor, group_name IS NOT NULL, group_name, name, component_id LIMIT ?2",
            vec![filter.vendor.clone().into(), limit.into()],
        ),
        Subject::Fetches => (
            "SELECT f.id, f.source_id AS source, f.url, f.fetched_at, f.duration_ms, f.http_status,
                    f.attempts, f.outcome, f.cause, f.error
             FROM fetches f JOIN sources s ON s.id = f.source_id
             WHERE (?1 IS NULL OR f.source_id = ?1) AND (?2 IS NULL OR s.vendor = ?2)
             ORDER BY f.id DESC LIMIT ?3",
            vec![
                filter.source.clone().into(),
                filter.vendor.clone().into(),
                limit.into(),
            ],
        ),
        Subject::Anomalies => (
            "SELECT a.incident_id AS incident, i.vendor, a.code, a.detail, a.first_seen_at,
                    i.title
             FROM anomalies a JOIN incidents i ON i.id = a.incident_id
             WHERE (?1 IS NULL OR i.vendor = ?1) AND (?2 = 0 OR i.resolved_at IS NULL)
             ORDER BY i.started_at DESC, a.incident_id, a.code, a.detail LIMIT ?3",
            vec![
                filter.vendor.clone().into(),
                i64::from(filter.active).into(),
                limit.into(),
            ],
        ),
        Subject::Notes => (
            "SELECT n.fetch_id AS fetch, f.source_id AS source, f.url, f.fetched_at, n.place,
                    n.message
             FROM parse_notes n JOIN fetches f ON f.id = n.fetch_id
               JOIN sources s ON s.id = f.source_id
             WHERE (?1 IS NULL OR f.source_id = ?1) AND (?2 IS NULL OR s.vendor = ?2)
             ORDER BY n.fetch_id DESC, n.position LIMIT ?3",
            vec![
                filter.source.clone().into(),
                filter.vendor.clone().into(),
                limit.into(),
            ],
        ),
    };
    select(store, sql, &args)
}

/// Runs a query with JSON-valued parameters and returns its rows.
pub(crate) fn select(store: &Store, sql: &str, args: &[Value]) -> Result<Table, StoreError> {
    let conn = store.connection();
    let mut stmt = conn.prepare(sql)?;
    let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
    let params: Vec<rusqlite::types::Value> = args
        .iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => rusqlite::types::Value::Integer(i),
                None => rusqlite::types::Value::Real(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => rusqlite::types::Value::Text(s.clone()),
            other => rusqlite::types::Value::Text(other.to_string()),
        })
        .collect();
    let n = columns.len();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::from(i),
                ValueRef::Real(f) => Value::from(f),
                ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::from(format!("<{} bytes>", b.len())),
            });
        }
        out.push(values);
    }
    Ok(Table { columns, rows: out })
}

impl Table {
    /// One JSON object per row, in a JSON array.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let mut object = Map::new();
                    for (c, v) in self.columns.iter().zip(row) {
                        object.insert(c.clone(), v.clone());
                    }
                    Value::Object(object)
                })
                .collect(),
        )
    }

    /// A plain-text table for people.
    pub fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut table = comfy_table::Table::new();
        table.load_style(comfy_table::presets::NOTHING);
        table.set_header(self.columns.iter().map(|c| c.to_uppercase()));
        for row in &self.rows {
            table.add_row(row.iter().map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => s.replace('\n', " "),
                other => other.to_string(),
            }));
        }
        writeln!(out, "{table}")
    }
}
