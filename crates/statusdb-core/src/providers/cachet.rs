//! Cachet API v1 (`kind = "cachet"`): `/api/v1/components`, `/api/v1/incidents` (updates
//! embedded) and `/api/v1/schedules`, each `{ "meta": {...}, "data": [...] }`.
//!
//! Statuses are integers. Stamps are written without a zone (`2019-04-11 10:00:00`, the server's
//! `APP_TIMEZONE`): `timetext` reads them in the source's configured `zone` (a DST gap or fold is
//! reported with the other reading), and a page with such a stamp fails when the source has
//! none, rather than being read as UTC. Lists are paginated:
//! `meta.pagination.links.next_page` is handed to ingest as a follow-up document.

use super::support::{Notes, Sniff, json_message, read_json, web_root};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentStatus, IncidentKind, Observation, ObservedComponent, ObservedIncident,
    ObservedUpdate, Status, TimeValue, format_utc,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use timetext::{Context, Flag};
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Cachet, "cachet", product "cachet" rank 0, formats [Json]
}

/// A base URL reads the three lists (100 per page); a URL under `/api/v1/` or ending in
/// `.json` reads just that document. Schedules came with Cachet 2.4: a 404 is recorded, not a
/// failure.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if url.path().contains("/api/v1/") || url.path().ends_with(".json") {
        return single(url);
    }
    under(
        url,
        &[
            ("api/v1/components?per_page=100", true),
            ("api/v1/incidents?per_page=100", true),
            ("api/v1/schedules?per_page=100", false),
        ],
    )
}

/// Component statuses: 1 Operational, 2 Performance Issues, 3 Partial Outage, 4 Major Outage
/// (0 Unknown, Cachet 2.4+).
pub fn component_status_code(code: i64) -> Option<ComponentStatus> {
    Some(match code {
        0 => ComponentStatus::Unknown,
        1 => ComponentStatus::Operational,
        2 => ComponentStatus::DegradedPerformance,
        3 => ComponentStatus::PartialOutage,
        4 => ComponentStatus::MajorOutage,
        _ => return None,
    })
}

/// Incident and update statuses: 0 Scheduled (maintenance before 2.4), 1 Investigating,
/// 2 Identified, 3 Watching, 4 Fixed.
pub fn incident_status_code(code: i64) -> Option<Status> {
    Some(match code {
        0 => Status::Scheduled,
        1 => Status::Investigating,
        2 => Status::Identified,
        3 => Status::Monitoring,
        4 => Status::Resolved,
        _ => return None,
    })
}

/// Schedule statuses: 0 Upcoming, 1 In Progress, 2 Complete.
pub fn schedule_status_code(code: i64) -> Option<Status> {
    Some(match code {
        0 => Status::Scheduled,
        1 => Status::InProgress,
        2 => Status::Completed,
        _ => return None,
    })
}

/// The list's items are kept as their JSON text and each read once into its typed form:
/// reading the whole document into a `Value` first and converting every item from it cost
/// twice the JSON parse.
#[derive(Deserialize)]
struct Document<'a> {
    #[serde(default)]
    meta: Value,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

/// Which of the fields that tell Cachet's items apart an item has (present even when null,
/// as `Value::get` finds them).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemKeys {
    scheduled_at: Present,
    completed_at: Present,
    occurred_at: Present,
    is_resolved: Present,
    updates: Present,
    visible: Present,
    status_name: Present,
    group_id: Present,
    enabled: Present,
}

/// True for a field that is there, whatever its value.
#[derive(Default, Clone, Copy)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Present(true))
    }
}

#[derive(Deserialize)]
struct Component {
    id: Value,
    name: String,
    status: Value,
    updated_at: Option<String>,
    #[serde(default = "enabled")]
    enabled: Value,
}

fn enabled() -> Value {
    Value::Bool(true)
}

#[derive(Deserialize)]
struct Incident {
    id: Value,
    name: Option<String>,
    status: Value,
    latest_status: Option<Value>,
    message: Option<String>,
    occurred_at: Option<String>,
    scheduled_at: Option<String>,
    created_at: Option<String>,
    visible: Option<Value>,
    permalink: Option<String>,
    #[serde(default)]
    updates: Option<Vec<Update>>,
}

#[derive(Deserialize)]
struct Update {
    id: Value,
    status: Value,
    message: Option<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct Schedule {
    id: Value,
    name: Option<String>,
    message: Option<String>,
    status: Value,
    scheduled_at: Option<String>,
    completed_at: Option<String>,
    created_at: Option<String>,
}

/// Which list a document is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum List {
    Components,
    Incidents,
    Schedules,
}

/// How surely a body is a Cachet API v1 document. Strong: every item under `data` is a Cachet
/// component, incident or schedule (told by the fields only Cachet's have: `status_name`,
/// `occurred_at`, `scheduled_at`, ...) with an integer `status`. Weak: an empty `data` list
/// with Cachet's `meta.pagination`. No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(document) = sniff.json() else {
        return Confidence::No;
    };
    let items: Vec<&Value> = match document.get("data") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Confidence::No,
    };
    if items.is_empty() {
        return if document.pointer("/meta/pagination").is_some() {
            Confidence::Weak
        } else {
            Confidence::No
        };
    }
    let cachet_items = items
        .iter()
        .all(|item| list_of(item).is_some() && item.get("status").and_then(integer).is_some());
    if cachet_items {
        Confidence::Strong
    } else {
        Confidence::No
    }
}

/// Parses one Cachet API v1 document (a list, or a single item under `data`).
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document: Document = read_json(KIND, page.body, "Cachet API JSON")?;
    let Some(data) = document.data else {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            "JSON has no \"data\": not a Cachet API v1 response",
        ));
    };
    let not_items = |data: &RawValue| {
        let other: Value = serde_json::from_str(data.get()).unwrap_or(Value::Null);
        ParseError::at(
            KIND,
            ParseCause::WrongFormat,
            "data",
            format!(
                "\"data\" is {}, not a list of Cachet items",
                kind_of(&other)
            ),
        )
    };
    let items: Vec<&RawValue> = match data.get().as_bytes().first() {
        Some(b'[') => serde_json::from_str(data.get()).map_err(|_| not_items(data))?,
        Some(b'{') => vec![data],
        _ => return Err(not_items(data)),
    };
    let from_url = list_in_url(page.url);
    let mut reader = Reader {
        zone: page.zone,
        notes: Notes::default(),
        root: web_root(page.url),
    };
    let mut observation = Observation::default();
    for (i, item) in items.into_iter().enumerate() {
        let place = format!("data[{i}]");
        let list = match from_url.or_else(|| list_of_keys(item)) {
            Some(list) => list,
            None => {
                return Err(ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    &place,
                    "item is neither a Cachet component, incident nor schedule (no status_name, \
                     occurred_at or scheduled_at)",
                ));
            }
        };
        let wrong = |e: serde_json::Error| {
            ParseError::at(
                KIND,
                ParseCause::of_json(&e),
                &place,
                format!("not a Cachet {list:?} item: {}", json_message(&e)),
            )
        };
        match list {
            List::Components => {
                let c: Component = serde_json::from_str(item.get()).map_err(wrong)?;
                if let Some(c) = reader.component(c, &place)? {
                    observation.components.push(c);
                }
            }
            List::Incidents => {
                let incident: Incident = serde_json::from_str(item.get()).map_err(wrong)?;
                if let Some(incident) = reader.incident(incident, &place)? {
                    observation.incidents.push(incident);
                }
            }
            List::Schedules => {
                let s: Schedule = serde_json::from_str(item.get()).map_err(wrong)?;
                observation.incidents.push(reader.schedule(s, &place)?);
            }
        }
    }
    // `meta` is an object on lists and `[]` on some single items: only an object can link on.
    if let Some(next) = document
        .meta
        .pointer("/pagination/links/next_page")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        observation.follow.push(next.to_string());
    }
    observation.notes = reader.notes.0;
    Ok(observation)
}

/// The list a URL names (`.../api/v1/incidents?page=2` is incidents).
fn list_in_url(url: &str) -> Option<List> {
    let path = Url::parse(url).ok()?.path().to_string();
    let last = path.trim_end_matches('/').rsplit('/').next()?.to_string();
    let stem = last.split('.').next().unwrap_or(&last);
    match stem {
        "components" => Some(List::Components),
        "incidents" => Some(List::Incidents),
        "schedules" => Some(List::Schedules),
        _ => None,
    }
}

/// The list an item belongs to, by the fields only that kind of item has.
fn list_of(item: &Value) -> Option<List> {
    let has = |key: &str| item.get(key).is_some();
    list_by(ItemKeys {
        scheduled_at: Present(has("scheduled_at")),
        completed_at: Present(has("completed_at")),
        occurred_at: Present(has("occurred_at")),
        is_resolved: Present(has("is_resolved")),
        updates: Present(has("updates")),
        visible: Present(has("visible")),
        status_name: Present(has("status_name")),
        group_id: Present(has("group_id")),
        enabled: Present(has("enabled")),
    })
}

/// [`list_of`] an item's JSON text (`None` when it is not an object).
fn list_of_keys(item: &RawValue) -> Option<List> {
    list_by(serde_json::from_str(item.get()).ok()?)
}

fn list_by(k: ItemKeys) -> Option<List> {
    if k.scheduled_at.0 && k.completed_at.0 {
        Some(List::Schedules)
    } else if k.occurred_at.0 || k.is_resolved.0 || k.updates.0 || k.visible.0 {
        Some(List::Incidents)
    } else if k.status_name.0 || k.group_id.0 || k.enabled.0 {
        Some(List::Components)
    } else {
        None
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Ids and statuses are numbers, or numbers in strings on some installs.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() != Some(0),
        Value::String(s) => !matches!(s.as_str(), "0" | "false" | ""),
        _ => true,
    }
}

struct Reader {
    zone: Option<Tz>,
    notes: Notes,
    root: Option<String>,
}

impl Reader {
    fn component(
        &mut self,
        c: Component,
        place: &str,
    ) -> Result<Option<ObservedComponent>, ParseError> {
        if !truthy(&c.enabled) {
            self.notes.add(
                place,
                format!(
                    "component {:?} is disabled (not shown on the page); skipped",
                    c.name
                ),
            );
            return Ok(None);
        }
        let (status, status_raw) = self.code(&c.status, place, "component status", |code| {
            component_status_code(code)
        });
        Ok(Some(ObservedComponent {
            native_id: id_text(&c.id),
            name: c.name,
            group: None,
            status: status.unwrap_or(ComponentStatus::Unknown),
            status_raw,
            updated_at: self.time(c.updated_at.as_deref(), place)?,
        }))
    }

    fn incident(
        &mut self,
        incident: Incident,
        place: &str,
    ) -> Result<Option<ObservedIncident>, ParseError> {
        let id = id_text(&incident.id).ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                place,
                "incident has no id",
            )
        })?;
        if incident.visible.as_ref().is_some_and(|v| !truthy(v)) {
            self.notes.add(
                place,
                format!("incident {id} is not visible on the page; skipped"),
            );
            return Ok(None);
        }
        let (first_status, first_raw) = self.code(
            &incident.status,
            place,
            "incident status",
            incident_status_code,
        );
        let current = incident.latest_status.as_ref().unwrap_or(&incident.status);
        let (status, status_raw) =
            self.code(current, place, "incident status", incident_status_code);
        let kind = if first_status == Some(Status::Scheduled) || incident.scheduled_at.is_some() {
            IncidentKind::Maintenance
        } else {
            IncidentKind::Incident
        };
        let mut observed = ObservedIncident::new(kind, incident.name.unwrap_or_default());
        observed.native_id = Some(format!("incidents/{id}"));
        observed.url = incident.permalink.clone().or_else(|| {
            self.root
                .as_ref()
                .map(|root| format!("{root}/incidents/{id}"))
        });
        observed.status = status;
        observed.status_raw = Some(status_raw);
        observed.created_at = self.time(incident.created_at.as_deref(), place)?;
        observed.started_at = self.time(incident.occurred_at.as_deref(), place)?;
        observed.scheduled_for = self.time(incident.scheduled_at.as_deref(), place)?;
        // The incident's own message is its first post, with the status it was opened with.
        if let Some(created) = &observed.created_at {
            observed.updates.push(ObservedUpdate {
                native_id: None,
                status: first_status,
                status_raw: Some(first_raw),
                posted_at: created.clone(),
                body: incident.message.unwrap_or_default(),
                components: Vec::new(),
            });
        }
        // Cachet lists updates newest first; observations carry them oldest first.
        let updates = incident.updates.unwrap_or_default();
        for (j, u) in updates.into_iter().enumerate().rev() {
            let place = format!("{place}.updates[{j}]");
            let Some(stamp) = u.created_at.as_deref() else {
                return Err(ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    &place,
                    "update has no created_at",
                ));
            };
            let (status, raw) = self.code(&u.status, &place, "update status", incident_status_code);
            observed.updates.push(ObservedUpdate {
                native_id: id_text(&u.id).map(|i| format!("updates/{i}")),
                status,
                status_raw: Some(raw),
                posted_at: self.stamp(stamp, &place)?,
                body: u.message.unwrap_or_default(),
                components: Vec::new(),
            });
        }
        Ok(Some(observed))
    }

    fn schedule(&mut self, s: Schedule, place: &str) -> Result<ObservedIncident, ParseError> {
        let id = id_text(&s.id).ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                place,
                "schedule has no id",
            )
        })?;
        let (status, raw) = self.code(&s.status, place, "schedule status", schedule_status_code);
        let mut observed =
            ObservedIncident::new(IncidentKind::Maintenance, s.name.unwrap_or_default());
        observed.native_id = Some(format!("schedules/{id}"));
        observed.status = status;
        observed.status_raw = Some(raw);
        observed.created_at = self.time(s.created_at.as_deref(), place)?;
        observed.scheduled_for = self.time(s.scheduled_at.as_deref(), place)?;
        observed.scheduled_until = self.time(s.completed_at.as_deref(), place)?;
        if let (Some(start), Some(end)) = (&observed.scheduled_for, &observed.scheduled_until)
            && end.utc < start.utc
        {
            self.notes.add(
                place,
                format!(
                    "completed_at {:?} is before scheduled_at {:?}; both kept as written",
                    end.raw, start.raw
                ),
            );
        }
        // A schedule has no updates: its message is the announcement, text only.
        if let Some(created) = &observed.created_at
            && let Some(message) = s.message.filter(|m| !m.trim().is_empty())
        {
            observed.updates.push(ObservedUpdate {
                native_id: None,
                status: None,
                status_raw: None,
                posted_at: created.clone(),
                body: message,
                components: Vec::new(),
            });
        }
        Ok(observed)
    }

    /// A status code through its table; an unknown code is kept raw and noted.
    fn code<T>(
        &mut self,
        value: &Value,
        place: &str,
        what: &str,
        table: impl Fn(i64) -> Option<T>,
    ) -> (Option<T>, String) {
        let raw = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mapped = integer(value).and_then(table);
        if mapped.is_none() {
            self.notes
                .add(place, format!("unknown {what} {raw} kept raw"));
        }
        (mapped, raw)
    }

    fn time(&mut self, text: Option<&str>, place: &str) -> Result<Option<TimeValue>, ParseError> {
        text.filter(|t| !t.trim().is_empty())
            .map(|t| self.stamp(t, place))
            .transpose()
    }

    /// A Cachet stamp: RFC 3339 where the server writes an offset, else a zone-less
    /// `YYYY-MM-DD HH:MM:SS` read by `timetext` in the source's zone.
    fn stamp(&mut self, text: &str, place: &str) -> Result<TimeValue, ParseError> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeValue::structured(t.with_timezone(&Utc), text));
        }
        let Some(zone) = self.zone else {
            return Err(ParseError::at(
                KIND,
                ParseCause::MissingZone,
                place,
                format!(
                    "time {text:?} has no zone and the source sets none: add zone = \"<IANA zone \
                     of the Cachet server>\" to the source rather than guessing UTC"
                ),
            ));
        };
        let parsed = timetext::parse(text, &Context::new().with_zone(zone)).map_err(|e| {
            ParseError::at(
                KIND,
                ParseCause::InvalidValue,
                place,
                format!("time {text:?} is not a Cachet stamp: {e}"),
            )
        })?;
        // The zone is the source's by design; anything else timetext had to decide is said.
        for flag in parsed.flags.iter().filter(|f| *f != Flag::ZoneFromPage) {
            let other = parsed
                .alternative
                .map(|t| format!("; the other reading is {}", format_utc(&t)))
                .unwrap_or_default();
            self.notes.add(
                place,
                format!(
                    "time {text:?} in {} read with {}{other}",
                    zone.name(),
                    flag.as_str()
                ),
            );
        }
        Ok(TimeValue::structured(parsed.utc, text).with_flags(parsed.flags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(zone: Option<Tz>) -> Reader {
        Reader {
            zone,
            notes: Notes::default(),
            root: None,
        }
    }

    #[test]
    fn zone_less_stamps_need_the_source_zone() {
        let err = reader(None)
            .stamp("2019-04-11 10:00:00", "data[0]")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("has no zone and the source sets none"),
            "{err}"
        );
        let t = reader(Some(chrono_tz::Europe::Paris))
            .stamp("2019-04-11 10:00:00", "data[0]")
            .unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2019-04-11T08:00:00+00:00");
        assert_eq!(t.raw, "2019-04-11 10:00:00");
    }

    #[test]
    fn the_repeated_and_the_skipped_hour_are_noted() {
        let mut r = reader(Some(chrono_tz::Europe::Paris));
        // 2019-10-27 02:30 happens twice in Paris (CEST then CET).
        let t = r.stamp("2019-10-27 02:30:00", "x").unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2019-10-27T00:30:00+00:00");
        // 2019-03-31 02:30 does not exist in Paris: read with +01:00.
        let t = r.stamp("2019-03-31 02:30:00", "y").unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2019-03-31T01:30:00+00:00");
        assert_eq!(r.notes.0.len(), 2);
        assert_eq!(r.notes.0[0].place, "x");
        assert_eq!(
            r.notes.0[0].message,
            "time \"2019-10-27 02:30:00\" in Europe/Paris read with dst_fold; the other reading \
             is 2019-10-27T01:30:00Z"
        );
        assert_eq!(r.notes.0[1].place, "y");
        assert_eq!(
            r.notes.0[1].message,
            "time \"2019-03-31 02:30:00\" in Europe/Paris read with dst_gap; the other reading \
             is 2019-03-31T00:30:00Z"
        );
    }
}
