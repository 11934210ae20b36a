//! status.io public status API (`kind = "statusio"`):
//! `https://api.status.io/1.0/status/<page id>`, a `{"result": {...}}` document with the overall
//! status, the components (`status`) with their containers (locations), the active incidents
//! with their messages, and the active and upcoming maintenances.
//!
//! Statuses are numeric codes (100 Operational to 600 Security Event) with their names beside
//! them. Each container of a component is a component of its own: its name is the container's
//! ("US-West"), its group the component's ("Website").

use super::support::{Notes, Sniff, null_default, read_json, rfc3339_opt};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    ComponentChange, ComponentStatus, IncidentKind, Observation, ObservedComponent,
    ObservedIncident, ObservedUpdate, Status,
};
use serde::Deserialize;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
// The API URL names the page; it is the one document.
kind_spec! {
    Statusio, "statusio", product "status.io" rank 0, formats [Json], one document
}

/// Status codes of components, containers and incident messages.
pub fn status_code(code: i64) -> Option<ComponentStatus> {
    Some(match code {
        100 => ComponentStatus::Operational,
        200 => ComponentStatus::UnderMaintenance,
        300 => ComponentStatus::DegradedPerformance,
        400 => ComponentStatus::PartialOutage,
        500 => ComponentStatus::MajorOutage,
        // "Security Event": a state of its own with no canonical twin.
        600 => ComponentStatus::Unknown,
        _ => return None,
    })
}

/// An incident message's `state`: 100 Investigating, 200 Identified, 300 Monitoring. (A
/// resolved incident leaves the active list; maintenance messages carry the maintenance's
/// state, read by the list it is in instead.)
pub fn incident_state(code: i64) -> Option<Status> {
    Some(match code {
        100 => Status::Investigating,
        200 => Status::Identified,
        300 => Status::Monitoring,
        _ => return None,
    })
}

#[derive(Deserialize)]
struct Document {
    result: Option<StatusResult>,
}

#[derive(Deserialize)]
struct StatusResult {
    status_overall: Option<Overall>,
    status: Option<Vec<Component>>,
    #[serde(default, deserialize_with = "null_default")]
    incidents: Vec<Event>,
    maintenance: Option<Maintenance>,
}

#[derive(Deserialize)]
struct Overall {
    status_code: Option<i64>,
}

#[derive(Deserialize)]
struct Component {
    id: String,
    name: String,
    updated: Option<String>,
    status: Option<String>,
    status_code: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    containers: Vec<Container>,
}

#[derive(Deserialize)]
struct Container {
    id: String,
    name: String,
    updated: Option<String>,
    status: Option<String>,
    status_code: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Maintenance {
    #[serde(default, deserialize_with = "null_default")]
    active: Vec<Event>,
    #[serde(default, deserialize_with = "null_default")]
    upcoming: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "_id", alias = "id")]
    id: Option<String>,
    name: Option<String>,
    datetime_open: Option<String>,
    datetime_planned_start: Option<String>,
    datetime_planned_end: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    messages: Vec<Message>,
    #[serde(default, deserialize_with = "null_default")]
    components_affected: Vec<Named>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "_id", alias = "id")]
    id: Option<String>,
    details: Option<String>,
    state: Option<i64>,
    status: Option<i64>,
    datetime: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(rename = "_id", alias = "id")]
    id: Option<String>,
    name: String,
}

/// How surely a body is the status.io status API's answer: Strong when its `result` has the
/// `status_overall` with a numeric `status_code`, No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let overall = sniff.json().is_some_and(|d| {
        d.pointer("/result/status_overall/status_code")
            .is_some_and(|c| c.is_number())
    });
    if overall {
        Confidence::Strong
    } else {
        Confidence::No
    }
}

/// Parses the public status API document.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document: Document = read_json(KIND, page.body, "status.io JSON")?;
    let Some(result) = document.result else {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            "JSON has no \"result\": not a status.io public status API response",
        ));
    };
    let Some(status) = result.status else {
        return Err(ParseError::at(
            KIND,
            ParseCause::SchemaMismatch,
            "result",
            "no \"status\" list of components: not a status.io public status API response",
        ));
    };
    let mut notes = Notes::default();
    if let Some(code) = result.status_overall.and_then(|o| o.status_code)
        && status_code(code).is_none()
    {
        notes.add(
            "result.status_overall",
            format!("unknown status code {code}"),
        );
    }
    let mut components = Vec::new();
    for (i, c) in status.iter().enumerate() {
        // A component without containers is listed as itself.
        if c.containers.is_empty() {
            let place = format!("result.status[{i}]");
            let (status, raw) = code_status(c.status_code, c.status.as_deref(), &place, &mut notes);
            components.push(ObservedComponent {
                native_id: Some(c.id.clone()),
                name: c.name.trim().to_string(),
                group: None,
                status,
                status_raw: raw,
                updated_at: rfc3339_opt(KIND, c.updated.as_deref(), &place)?,
            });
        }
        for (j, k) in c.containers.iter().enumerate() {
            let place = format!("result.status[{i}].containers[{j}]");
            let (status, raw) = code_status(k.status_code, k.status.as_deref(), &place, &mut notes);
            components.push(ObservedComponent {
                native_id: Some(format!("{}/{}", c.id, k.id)),
                name: k.name.trim().to_string(),
                group: Some(c.name.trim().to_string()),
                status,
                status_raw: raw,
                updated_at: rfc3339_opt(KIND, k.updated.as_deref(), &place)?,
            });
        }
    }
    let maintenance = result.maintenance.unwrap_or_default();
    let mut incidents = Vec::new();
    let lists = [
        (&result.incidents, "incidents", IncidentKind::Incident, None),
        (
            &maintenance.active,
            "maintenance.active",
            IncidentKind::Maintenance,
            Some((Status::InProgress, "active")),
        ),
        (
            &maintenance.upcoming,
            "maintenance.upcoming",
            IncidentKind::Maintenance,
            Some((Status::Scheduled, "upcoming")),
        ),
    ];
    for (list, key, kind, listed_as) in lists {
        for (i, e) in list.iter().enumerate() {
            let place = format!("result.{key}[{i}]");
            incidents.push(event(e, kind, listed_as, &place, &mut notes)?);
        }
    }
    Ok(Observation {
        page: None,
        components,
        incidents,
        notes: notes.0,
        follow: Vec::new(),
    })
}

/// A status code with the name written beside it; the raw value keeps both ("400 Partial
/// Service Disruption").
fn code_status(
    code: Option<i64>,
    name: Option<&str>,
    place: &str,
    notes: &mut Notes,
) -> (ComponentStatus, String) {
    let raw = match (code, name) {
        (Some(c), Some(n)) => format!("{c} {n}"),
        (Some(c), None) => c.to_string(),
        (None, Some(n)) => n.to_string(),
        (None, None) => String::new(),
    };
    let status = match code.and_then(status_code) {
        Some(ComponentStatus::Unknown) => {
            notes.add(
                place,
                format!("status {raw:?} has no canonical component status: unknown"),
            );
            ComponentStatus::Unknown
        }
        Some(s) => s,
        None => {
            notes.add(
                place,
                format!("unknown status {raw:?} kept raw, mapped to unknown"),
            );
            ComponentStatus::Unknown
        }
    };
    (status, raw)
}

fn event(
    e: &Event,
    kind: IncidentKind,
    listed_as: Option<(Status, &str)>,
    place: &str,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let mut incident = ObservedIncident::new(kind, e.name.clone().unwrap_or_default());
    incident.native_id = e.id.clone();
    incident.created_at = rfc3339_opt(KIND, e.datetime_open.as_deref(), place)?;
    incident.scheduled_for = rfc3339_opt(KIND, e.datetime_planned_start.as_deref(), place)?;
    incident.scheduled_until = rfc3339_opt(KIND, e.datetime_planned_end.as_deref(), place)?;
    // A maintenance's status is the list it is in (`active`, `upcoming`).
    if let Some((status, list)) = listed_as {
        incident.status = Some(status);
        incident.status_raw = Some(list.to_string());
    }
    incident.components = e
        .components_affected
        .iter()
        .map(|c| c.name.trim().to_string())
        .collect();
    for (j, m) in e.messages.iter().enumerate() {
        let mplace = format!("{place}.messages[{j}]");
        let Some(at) = rfc3339_opt(KIND, m.datetime.as_deref(), &mplace)? else {
            notes.add(&mplace, "message has no datetime; not recorded");
            continue;
        };
        let (status, status_raw) = match (kind, m.state) {
            (IncidentKind::Incident, Some(state)) => {
                let s = incident_state(state);
                if s.is_none() {
                    notes.add(&mplace, format!("unknown incident state {state} kept raw"));
                }
                (s, Some(state.to_string()))
            }
            _ => (None, None),
        };
        // The message's status code is the state it set on the affected components (the API
        // does not say which container of which component: per component only).
        let mut changes = Vec::new();
        if let Some(code) = m.status {
            let (cs, raw) = code_status(Some(code), None, &mplace, notes);
            for component in &e.components_affected {
                changes.push(ComponentChange {
                    native_id: component.id.clone(),
                    name: component.name.trim().to_string(),
                    status: cs,
                    status_raw: raw.clone(),
                });
            }
        }
        incident.updates.push(ObservedUpdate {
            native_id: m.id.clone(),
            status,
            status_raw,
            posted_at: at,
            body: m.details.clone().unwrap_or_default(),
            components: changes,
        });
    }
    Ok(incident)
}
