//! Change events: what an ingest changed, for people and alerting pipelines (`statusdb events`).
//!
//! The store collects what one source's run changed (`PendingEvents`) while it applies it, and
//! writes the events in the same transaction as the change. A source's first successful ingest
//! writes none: its history is recorded, not announced. Changes to one incident or component
//! within one source's run are coalesced into one event (a source reads several documents that
//! may each show the same incident).

use crate::export::{ExportComponent, ExportIncident};
use crate::model::{
    ComponentRecord, IncidentKind, IncidentRecord, Status, db_time, format_utc, parse_db_time,
};
use crate::normalize::Revision;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;
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
    pub const ALL: &'static [EventType] = &[
        EventType::IncidentOpened,
        EventType::IncidentUpdated,
        EventType::IncidentResolved,
        EventType::MaintenanceScheduled,
        EventType::ComponentStatusChanged,
    ];

    pub fn as_str(self) -> &'static str {
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

/// One incident touched during a source's run: its state before the first touch and after the
/// last.
struct IncidentTouch {
    before: Option<(IncidentKind, Option<Status>)>,
    after: IncidentRecord,
    changed: bool,
    new_update_ids: Vec<String>,
}

struct ComponentTouch {
    /// `None` for a component first stored in this run: nothing changed for anyone to hear.
    before: Option<String>,
    after: ComponentRecord,
}

/// What one source's run changed, gathered while the store applies it.
#[derive(Default)]
pub struct PendingEvents {
    incidents: Vec<IncidentTouch>,
    incident_index: HashMap<String, usize>,
    components: Vec<ComponentTouch>,
    component_index: HashMap<String, usize>,
}

impl PendingEvents {
    /// Notes that an incident was saved: `before` as loaded, `after` as written.
    /// `changed` says whether its content or updates changed (not merely when it was seen).
    /// `revisions` are the merge's: an update that took the vendor's id (an `id` revision) is
    /// not new.
    pub fn incident(
        &mut self,
        before: Option<&IncidentRecord>,
        after: &IncidentRecord,
        changed: bool,
        revisions: &[Revision],
    ) {
        let renamed: Vec<(&str, &str)> = revisions
            .iter()
            .filter_map(Revision::renamed_update)
            .collect();
        let new_update_ids: Vec<String> = after
            .updates
            .iter()
            .filter(|u| before.is_none_or(|b| !b.updates.iter().any(|held| held.id == u.id)))
            .filter(|u| !renamed.iter().any(|(_, to)| *to == u.id))
            .map(|u| u.id.clone())
            .collect();
        match self.incident_index.get(&after.id) {
            Some(&i) => {
                let touch = &mut self.incidents[i];
                // An update new in this run that has since taken the vendor's id.
                for id in &mut touch.new_update_ids {
                    if let Some((_, to)) = renamed.iter().find(|(from, _)| from == id) {
                        *id = to.to_string();
                    }
                }
                touch.after = after.clone();
                touch.changed |= changed;
                for id in new_update_ids {
                    if !touch.new_update_ids.contains(&id) {
                        touch.new_update_ids.push(id);
                    }
                }
            }
            None => {
                self.incident_index
                    .insert(after.id.clone(), self.incidents.len());
                self.incidents.push(IncidentTouch {
                    before: before.map(|b| (b.kind, b.status)),
                    after: after.clone(),
                    changed,
                    new_update_ids,
                });
            }
        }
    }

    /// Notes that a component was saved, with the status it held before.
    pub fn component(&mut self, previous_status: Option<String>, after: &ComponentRecord) {
        match self.component_index.get(&after.id) {
            Some(&i) => self.components[i].after = after.clone(),
            None => {
                self.component_index
                    .insert(after.id.clone(), self.components.len());
                self.components.push(ComponentTouch {
                    before: previous_status,
                    after: after.clone(),
                });
            }
        }
    }

    /// The events these changes make, in the order they were first seen.
    fn events(&self) -> Vec<NewEvent<'_>> {
        let mut out = Vec::new();
        for t in &self.incidents {
            let closed_after = t.after.status.is_some_and(Status::is_closed);
            let status = t.after.status.map(|s| s.as_str().to_string());
            match t.before {
                None => {
                    let opened = match t.after.kind {
                        IncidentKind::Incident => EventType::IncidentOpened,
                        IncidentKind::Maintenance => EventType::MaintenanceScheduled,
                    };
                    out.push(NewEvent::incident(opened, t, None, status.clone()));
                    // Opened and closed between two runs: both happened.
                    if closed_after {
                        out.push(NewEvent::incident(
                            EventType::IncidentResolved,
                            t,
                            None,
                            status,
                        ));
                    }
                }
                Some((_, before_status)) => {
                    if !t.changed {
                        continue;
                    }
                    let closed_before = before_status.is_some_and(Status::is_closed);
                    let kind = if closed_after && !closed_before {
                        EventType::IncidentResolved
                    } else {
                        EventType::IncidentUpdated
                    };
                    out.push(NewEvent::incident(
                        kind,
                        t,
                        before_status.map(|s| s.as_str().to_string()),
                        status,
                    ));
                }
            }
        }
        for c in &self.components {
            let Some(before) = &c.before else { continue };
            if before != c.after.status.as_str() {
                out.push(NewEvent {
                    kind: EventType::ComponentStatusChanged,
                    vendor: &c.after.vendor,
                    incident: None,
                    component: Some(&c.after),
                    previous_status: Some(before.clone()),
                    status: Some(c.after.status.as_str().to_string()),
                    new_update_ids: &[],
                });
            }
        }
        out
    }

    /// Writes the events; returns how many.
    pub fn write(
        &self,
        conn: &Connection,
        run_id: Option<i64>,
        source_id: &str,
        recorded_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let events = self.events();
        let mut stmt = conn.prepare_cached(
            "INSERT INTO events(run_id, source_id, type, recorded_at, vendor, incident_id,
               component_id, status, previous_status, new_update_ids, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let json = |e: serde_json::Error| StoreError::Invalid(format!("cannot encode event: {e}"));
        for e in &events {
            let record = match (e.incident, e.component) {
                (Some(i), _) => serde_json::to_string(&ExportIncident::from_record(i)),
                (None, Some(c)) => serde_json::to_string(&export_component(c)),
                (None, None) => unreachable!("an event is about an incident or a component"),
            }
            .map_err(json)?;
            stmt.execute(params![
                run_id,
                source_id,
                e.kind.as_str(),
                db_time(&recorded_at),
                e.vendor,
                e.incident.map(|i| i.id.as_str()),
                e.component.map(|c| c.id.as_str()),
                e.status,
                e.previous_status,
                serde_json::to_string(e.new_update_ids).map_err(json)?,
                record,
            ])?;
        }
        Ok(events.len())
    }
}

struct NewEvent<'a> {
    kind: EventType,
    vendor: &'a str,
    incident: Option<&'a IncidentRecord>,
    component: Option<&'a ComponentRecord>,
    previous_status: Option<String>,
    status: Option<String>,
    new_update_ids: &'a [String],
}

impl<'a> NewEvent<'a> {
    fn incident(
        kind: EventType,
        t: &'a IncidentTouch,
        previous_status: Option<String>,
        status: Option<String>,
    ) -> Self {
        NewEvent {
            kind,
            vendor: &t.after.vendor,
            incident: Some(&t.after),
            component: None,
            previous_status,
            status,
            new_update_ids: &t.new_update_ids,
        }
    }
}

fn export_component(c: &ComponentRecord) -> ExportComponent {
    ExportComponent {
        vendor: c.vendor.clone(),
        name: c.name.clone(),
        group: c.group.clone(),
        status: c.status.as_str().to_string(),
        updated_at: c.updated_at.as_ref().map(|t| format_utc(&t.utc)),
        // An event is written by a successful run: the vendor's word is current.
        stale: None,
    }
}

/// One stored event, as `statusdb events` prints it (one NDJSON line each).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub run_id: Option<i64>,
    pub source: String,
    pub vendor: String,
    pub recorded_at: String,
    pub status: Option<String>,
    pub previous_status: Option<String>,
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
