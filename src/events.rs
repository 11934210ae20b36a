//! Change events: what an ingest changed, for people and alerting pipelines (`statusdb events`).
//!
//! The store gives back what one source's run changed (`handoff::ChangeSet`); [`rows`] says which
//! events that is, and the store writes them in the same transaction as the change
//! ([`apply_source`]). A source's first successful ingest
//! writes none: its history is recorded, not announced. Changes to one incident or component
//! within one source's run are coalesced into one event (a source reads several documents that
//! may each show the same incident).

use crate::document::{ExportComponent, ExportIncident};
use crate::handoff::{ChangeSet, SourceChanges, SourceResult};
use crate::model::{IncidentKind, Status, db_time, format_utc, parse_db_time};
use crate::store::{EventRow, Store, StoreError, Writer};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// What kind of change an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// An incident statusdb had not seen before.
    IncidentOpened,
    /// A known incident or maintenance gained or edited updates, or changed a field.
    IncidentUpdated,
    /// An incident or maintenance reached a closing status (resolved, postmortem, completed).
    IncidentResolved,
    /// A maintenance statusdb had not seen before.
    MaintenanceScheduled,
    /// A known component changed status.
    ComponentStatusChanged,
}

impl EventType {
    pub(crate) const ALL: &'static [EventType] = &[
        EventType::IncidentOpened,
        EventType::IncidentUpdated,
        EventType::IncidentResolved,
        EventType::MaintenanceScheduled,
        EventType::ComponentStatusChanged,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventType::IncidentOpened => "incident_opened",
            EventType::IncidentUpdated => "incident_updated",
            EventType::IncidentResolved => "incident_resolved",
            EventType::MaintenanceScheduled => "maintenance_scheduled",
            EventType::ComponentStatusChanged => "component_status_changed",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        EventType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| StoreError::Invalid(format!("unknown event type {s:?}")))
    }
}

/// Writes one source's run inside the writer's group, and the change events it makes in the
/// same transaction: the store gives back what changed (`ChangeSet`), this module says which
/// events that is ([`rows`]), and the store writes them.
pub fn apply_source(
    writer: &mut Writer<'_>,
    run_id: Option<i64>,
    result: &SourceResult,
) -> Result<SourceChanges, StoreError> {
    let applied = writer.apply_in_group(run_id, result)?;
    let mut changes = applied.changes;
    if let Some(touched) = &applied.touched {
        let rows = rows(touched)?;
        changes.events =
            writer.write_events(run_id, &result.source.id, result.seen_at_millis(), &rows)?;
    }
    Ok(changes)
}

/// The events one source's changes make, in the order they were first seen: an incident new
/// to statusdb is opened (a maintenance scheduled), and resolved too when it arrives closed; a
/// known one whose content or updates changed is updated, or resolved when it reaches a
/// closing status; a known component whose status changed changed status. Each carries the
/// export's document of its incident or component after the change.
pub(crate) fn rows(changes: &ChangeSet) -> Result<Vec<EventRow>, StoreError> {
    let json = |e: serde_json::Error| StoreError::Invalid(format!("cannot encode event: {e}"));
    let mut out = Vec::new();
    for t in &changes.incidents {
        let kinds: Vec<EventType> = match t.before {
            None => {
                let opened = match t.after.kind {
                    IncidentKind::Incident => EventType::IncidentOpened,
                    IncidentKind::Maintenance => EventType::MaintenanceScheduled,
                };
                // Opened and closed between two runs: both happened.
                let closed = t.after.status.is_some_and(Status::is_closed);
                let mut kinds = vec![opened];
                if closed {
                    kinds.push(EventType::IncidentResolved);
                }
                kinds
            }
            Some(_) if !t.changed => Vec::new(),
            Some((_, before)) => {
                let closed_before = before.is_some_and(Status::is_closed);
                let closed_after = t.after.status.is_some_and(Status::is_closed);
                vec![if closed_after && !closed_before {
                    EventType::IncidentResolved
                } else {
                    EventType::IncidentUpdated
                }]
            }
        };
        if kinds.is_empty() {
            continue;
        }
        let record = serde_json::to_string(&ExportIncident::from_record(&t.after)).map_err(json)?;
        for kind in kinds {
            out.push(EventRow {
                kind: kind.as_str(),
                vendor: t.after.vendor.clone(),
                incident_id: Some(t.after.id.clone()),
                component_id: None,
                status: t.after.status.map(|s| s.as_str().to_string()),
                previous_status: t
                    .before
                    .and_then(|(_, s)| s)
                    .map(|s| s.as_str().to_string()),
                new_update_ids: t.new_update_ids.clone(),
                record: record.clone(),
            });
        }
    }
    for c in &changes.components {
        let Some(before) = &c.before else { continue };
        if before == c.after.status.as_str() {
            continue;
        }
        out.push(EventRow {
            kind: EventType::ComponentStatusChanged.as_str(),
            vendor: c.after.vendor.clone(),
            incident_id: None,
            component_id: Some(c.after.id.clone()),
            status: Some(c.after.status.as_str().to_string()),
            previous_status: Some(before.clone()),
            new_update_ids: Vec::new(),
            record: serde_json::to_string(&ExportComponent::from_record(&c.after)).map_err(json)?,
        });
    }
    Ok(out)
}

/// One stored event, as `statusdb events` prints it (one NDJSON line each).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The event's id (rises with time).
    pub id: i64,
    /// What changed.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The ingest run that recorded it.
    pub run_id: Option<i64>,
    /// The source whose run recorded it.
    pub source: String,
    /// The vendor.
    pub vendor: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// The status after the change.
    pub status: Option<String>,
    /// The status before it.
    pub previous_status: Option<String>,
    /// Updates new in this change.
    pub new_update_ids: Vec<String>,
    /// The export incident object as it was after the change (`null` for component events).
    pub incident: Option<serde_json::Value>,
    /// The export component object after the change (`null` for incident events).
    pub component: Option<serde_json::Value>,
}

/// Which events to list. With neither bound, the events of the latest run.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events of this run and later ones.
    pub since_run: Option<i64>,
    /// Events recorded at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only events of these vendors (all when empty).
    pub vendors: Vec<String>,
}

/// The stored events a filter selects, oldest first.
pub fn list(store: &Store, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
    let conn = store.connection();
    let since_run = match (filter.since_run, filter.since) {
        (None, None) => {
            let latest: Option<i64> =
                conn.query_row("SELECT max(id) FROM runs", [], |r| r.get(0))?;
            match latest {
                Some(run) => Some(run),
                None => return Ok(Vec::new()),
            }
        }
        (run, _) => run,
    };
    let mut stmt = conn.prepare(
        "SELECT id, type, run_id, source_id, vendor, recorded_at, status, previous_status,
                new_update_ids, record, incident_id IS NOT NULL
         FROM events
         WHERE (?1 IS NULL OR run_id >= ?1) AND (?2 IS NULL OR recorded_at >= ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![since_run, filter.since.map(|t| db_time(&t))], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, bool>(10)?,
        ))
    })?;
    let invalid = |e: serde_json::Error| StoreError::Invalid(format!("stored event: {e}"));
    let mut out = Vec::new();
    for row in rows {
        let (
            id,
            kind,
            run_id,
            source,
            vendor,
            recorded_at,
            status,
            previous,
            updates,
            record,
            is_incident,
        ) = row?;
        if !filter.vendors.is_empty() && !filter.vendors.contains(&vendor) {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(&record).map_err(invalid)?;
        let recorded_at = parse_db_time(&recorded_at)
            .map(|t| format_utc(&t))
            .ok_or_else(|| StoreError::Invalid(format!("event {id}: bad time {recorded_at:?}")))?;
        out.push(Event {
            id,
            kind: kind.parse()?,
            run_id,
            source,
            vendor,
            recorded_at,
            status,
            previous_status: previous,
            new_update_ids: serde_json::from_str(&updates).map_err(invalid)?,
            incident: is_incident.then(|| record.clone()),
            component: (!is_incident).then_some(record),
        });
    }
    Ok(out)
}

impl Event {
    /// What the event is about, for a table: the incident's title or the component's name.
    pub fn subject(&self) -> String {
        let field = |v: &Option<serde_json::Value>, key: &str| {
            v.as_ref().and_then(|v| v[key].as_str()).map(str::to_string)
        };
        field(&self.incident, "title")
            .or_else(|| {
                let name = field(&self.component, "name")?;
                Some(match field(&self.component, "group") {
                    Some(group) => format!("{group} / {name}"),
                    None => name,
                })
            })
            .unwrap_or_default()
    }
}
