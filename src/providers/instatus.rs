//! Instatus status pages (`kind = "instatus"`): `/summary.json` (the page's state with its
//! active incidents and maintenances), `/v2/components.json` (also served as
//! `/v3/components.json`: nested component groups) and `/history.atom` (past incidents and
//! maintenances with their updates).
//!
//! Instatus leaves keys out when empty (`activeIncidents` is absent on a healthy page), writes
//! words in capitals (`PARTIALOUTAGE`, `NOTSTARTEDYET`) and a maintenance's `duration` in
//! minutes, as a number or a numeric string.

use super::support::{
    Notes, looks_like_html, null_default, read_json, rfc3339_opt, start_of, trimmed,
};
use super::{Endpoint, Kind, PageInput, ParseError, join_base, single};
use crate::model::{
    ComponentStatus, Impact, IncidentKind, Observation, ObservedComponent, ObservedIncident,
    PageInfo, Status, TimeValue,
};
use chrono::TimeDelta;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use url::Url;

const KIND: Kind = Kind::Instatus;

/// A base URL reads the summary and the component list (optional: older pages lack `v2`); a URL
/// of one document reads just it.
pub fn endpoints(url: &Url) -> Vec<Endpoint> {
    let path = url.path();
    if path.ends_with(".json") || path.ends_with(".atom") {
        return single(url);
    }
    vec![
        Endpoint {
            url: join_base(url, "summary.json"),
            required: true,
        },
        Endpoint {
            url: join_base(url, "v2/components.json"),
            required: false,
        },
    ]
}

/// Incident and maintenance statuses.
pub fn status_word(raw: &str) -> Option<Status> {
    Some(match raw {
        "INVESTIGATING" => Status::Investigating,
        "IDENTIFIED" => Status::Identified,
        "MONITORING" => Status::Monitoring,
        "RESOLVED" => Status::Resolved,
        "POSTMORTEM" => Status::Postmortem,
        "NOTSTARTEDYET" => Status::Scheduled,
        "INPROGRESS" => Status::InProgress,
        "VERIFYING" => Status::Verifying,
        "COMPLETED" => Status::Completed,
        _ => return None,
    })
}

/// Component statuses. Instatus's `MINOROUTAGE` (between partial and major) has no canonical
/// twin: it is a partial outage, with the raw word kept.
pub fn component_status_word(raw: &str) -> Option<ComponentStatus> {
    Some(match raw {
        "OPERATIONAL" => ComponentStatus::Operational,
        "DEGRADEDPERFORMANCE" => ComponentStatus::DegradedPerformance,
        "PARTIALOUTAGE" | "MINOROUTAGE" => ComponentStatus::PartialOutage,
        "MAJOROUTAGE" => ComponentStatus::MajorOutage,
        "UNDERMAINTENANCE" => ComponentStatus::UnderMaintenance,
        _ => return None,
    })
}

/// An incident's `impact` is written in component words; its severity follows the scale
/// Statuspage uses for the same words (degraded → minor, partial → major, major → critical).
/// `UNDERMAINTENANCE` states no severity.
pub fn impact_word(raw: &str) -> Option<Option<Impact>> {
    Some(Some(match raw {
        "OPERATIONAL" => Impact::None,
        "DEGRADEDPERFORMANCE" => Impact::Minor,
        "PARTIALOUTAGE" | "MINOROUTAGE" => Impact::Major,
        "MAJOROUTAGE" => Impact::Critical,
        "UNDERMAINTENANCE" => return Some(None),
        _ => return None,
    }))
}

#[derive(Deserialize)]
struct Probe {
    page: Option<Value>,
    components: Option<Value>,
    #[serde(rename = "activeIncidents")]
    active_incidents: Option<Value>,
    #[serde(rename = "activeMaintenances")]
    active_maintenances: Option<Value>,
}

#[derive(Deserialize)]
struct Summary {
    page: Option<SummaryPage>,
    #[serde(rename = "activeIncidents", default, deserialize_with = "null_default")]
    active_incidents: Vec<ActiveIncident>,
    #[serde(
        rename = "activeMaintenances",
        default,
        deserialize_with = "null_default"
    )]
    active_maintenances: Vec<ActiveMaintenance>,
}

#[derive(Deserialize)]
struct SummaryPage {
    name: Option<String>,
    url: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ActiveIncident {
    id: Option<String>,
    name: Option<String>,
    started: Option<String>,
    status: Option<String>,
    impact: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct ActiveMaintenance {
    id: Option<String>,
    name: Option<String>,
    start: Option<String>,
    status: Option<String>,
    duration: Option<Value>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct ComponentList {
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    id: String,
    name: String,
    status: Option<String>,
    group: Option<GroupRef>,
}

#[derive(Deserialize)]
struct GroupRef {
    id: String,
    name: String,
}

/// Parses `summary.json`, `components.json` or `history.atom`.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let body = trimmed(page.body);
    if looks_like_html(body) {
        return Err(ParseError::new(
            KIND,
            format!(
                "an HTML page where Instatus JSON or Atom was expected; it starts with {:?}",
                start_of(body)
            ),
        ));
    }
    if body.first() == Some(&b'<') {
        return history::parse(page);
    }
    let probe: Probe = read_json(KIND, body, "Instatus JSON")?;
    if probe.components.is_some() && probe.page.is_none() {
        return parse_components(page);
    }
    // Statuspage's JSON also has a `page`, but its status is a top-level object and its page
    // has an `id` and a `time_zone`; Instatus's page carries its state as a word.
    let instatus_page = probe
        .page
        .as_ref()
        .is_some_and(|p| p.get("status").is_some_and(Value::is_string));
    if !instatus_page && probe.active_incidents.is_none() && probe.active_maintenances.is_none() {
        return Err(ParseError::new(
            KIND,
            format!(
                "JSON has neither an Instatus page (page.status as a word), activeIncidents, \
                 activeMaintenances nor components; it starts with {:?}",
                start_of(body)
            ),
        ));
    }
    parse_summary(page)
}

fn parse_summary(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let summary: Summary = read_json(KIND, page.body, "Instatus summary.json")?;
    let mut notes = Notes::default();
    let mut incidents = Vec::new();
    for (i, a) in summary.active_incidents.into_iter().enumerate() {
        let place = format!("activeIncidents[{i}]");
        let mut incident =
            ObservedIncident::new(IncidentKind::Incident, a.name.unwrap_or_default());
        incident.native_id = a.id;
        incident.url = a.url;
        if let Some(raw) = a.status {
            incident.status = status(&raw, &place, &mut notes);
            incident.status_raw = Some(raw);
        }
        if let Some(raw) = a.impact {
            incident.impact = match impact_word(&raw) {
                Some(impact) => impact,
                None => {
                    notes.add(&place, format!("unknown impact {raw:?} kept raw"));
                    None
                }
            };
            incident.impact_raw = Some(raw);
        }
        incident.started_at = rfc3339_opt(KIND, a.started.as_deref(), &place)?;
        incidents.push(incident);
    }
    for (i, m) in summary.active_maintenances.into_iter().enumerate() {
        let place = format!("activeMaintenances[{i}]");
        let mut incident =
            ObservedIncident::new(IncidentKind::Maintenance, m.name.unwrap_or_default());
        incident.native_id = m.id;
        incident.url = m.url;
        if let Some(raw) = m.status {
            incident.status = status(&raw, &place, &mut notes);
            incident.status_raw = Some(raw);
        }
        incident.scheduled_for = rfc3339_opt(KIND, m.start.as_deref(), &place)?;
        if let (Some(start), Some(duration)) = (&incident.scheduled_for, &m.duration) {
            match minutes(duration) {
                Some(n) => {
                    incident.scheduled_until = Some(TimeValue::derived(
                        start.utc + TimeDelta::minutes(n),
                        format!("{} + {n} minutes", start.raw),
                    ))
                }
                None => notes.add(
                    &place,
                    format!("duration {duration} is not a number of minutes; no end derived"),
                ),
            }
        }
        incidents.push(incident);
    }
    let page_info = summary.page.map(|p| {
        if let Some(status) = &p.status {
            // The page's overall word is not stored; an unknown one is still reported.
            if !known_page_status(status) {
                notes.add("page.status", format!("unknown page status {status:?}"));
            }
        }
        PageInfo {
            name: p.name,
            url: p.url,
            time_zone: None,
        }
    });
    Ok(Observation {
        page: page_info,
        components: Vec::new(),
        incidents,
        notes: notes.0,
        follow: Vec::new(),
    })
}

/// Instatus page states: `UP`, `HASISSUES`, `UNDERMAINTENANCE`, and `ALL`/`SOME`/`ONE` with a
/// component word (`SOMEPARTIALOUTAGE`).
fn known_page_status(word: &str) -> bool {
    matches!(word, "UP" | "HASISSUES" | "UNDERMAINTENANCE")
        || ["ALL", "SOME", "ONE"].iter().any(|prefix| {
            word.strip_prefix(prefix)
                .is_some_and(|rest| component_status_word(rest).is_some())
        })
}

/// Minutes as Instatus writes them: a number, or digits in a string.
fn minutes(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn status(raw: &str, place: &str, notes: &mut Notes) -> Option<Status> {
    let s = status_word(raw);
    if s.is_none() {
        notes.add(place, format!("unknown status {raw:?} kept raw"));
    }
    s
}

/// The component list. A component that is another's group is a group, not stored itself; its
/// members' `group` is the path of group names from the top ("CDN / Global services").
fn parse_components(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let list: ComponentList = read_json(KIND, page.body, "Instatus components.json")?;
    let mut notes = Notes::default();
    let parents: HashMap<&str, (&str, Option<&str>)> = list
        .components
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                (c.name.as_str(), c.group.as_ref().map(|g| g.id.as_str())),
            )
        })
        .collect();
    let groups: HashSet<&str> = list
        .components
        .iter()
        .filter_map(|c| c.group.as_ref().map(|g| g.id.as_str()))
        .collect();
    let mut components = Vec::new();
    for (i, c) in list.components.iter().enumerate() {
        if groups.contains(c.id.as_str()) {
            continue;
        }
        let place = format!("components[{i}]");
        let group = c.group.as_ref().map(|g| {
            let mut path = vec![g.name.clone()];
            let mut next = parents.get(g.id.as_str()).and_then(|(_, up)| *up);
            let mut seen = HashSet::from([g.id.as_str()]);
            while let Some(id) = next {
                if !seen.insert(id) {
                    break;
                }
                match parents.get(id) {
                    Some((name, up)) => {
                        path.push(name.to_string());
                        next = *up;
                    }
                    None => break,
                }
            }
            path.reverse();
            path.join(" / ")
        });
        let raw = c.status.clone().unwrap_or_default();
        let status = component_status_word(&raw).unwrap_or_else(|| {
            notes.add(
                &place,
                format!("unknown component status {raw:?} kept raw, mapped to unknown"),
            );
            ComponentStatus::Unknown
        });
        components.push(ObservedComponent {
            native_id: Some(c.id.clone()),
            name: c.name.clone(),
            group,
            status,
            status_raw: raw,
            updated_at: None,
        });
    }
    Ok(Observation {
        page: None,
        components,
        incidents: Vec::new(),
        notes: notes.0,
        follow: Vec::new(),
    })
}

/// `history.atom`: written once the time parser is in (stamps without a year).
mod history {
    use super::*;

    pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
        Err(ParseError::new(
            KIND,
            format!(
                "history.atom is not read yet; it starts with {:?}",
                start_of(page.body)
            ),
        ))
    }
}
