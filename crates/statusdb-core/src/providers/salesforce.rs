//! Salesforce Trust (`kind = "salesforce"`): `https://api.status.salesforce.com/v1/incidents`,
//! `/v1/maintenances`, `/v1/instances/<key>/status` (one instance with its `Incidents`,
//! `Maintenances` and `GeneralMessage` notices), `/v1/instances/status` and
//! `/v1/generalMessages`.
//!
//! Instances are the components. An incident has no title: statusdb builds one from its impact
//! types and instances ("Performance Degradation on POD114"). Its `IncidentImpacts` give the
//! impact (severity), the start (earliest `startTime`) and the end (latest `endTime`, once every
//! impact has one; `endTime` may be null or ""). `IncidentEvents` are the updates, newest first.
//! Maintenances are planned windows (`plannedStartTime`, `plannedEndTime`) with
//! `MaintenanceEvents`. A `GeneralMessage` is a notice with its own start and end.

use super::support::{Notes, Scalar, Sniff, decode_text, read_json_text, rfc3339};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentStatus, Impact, IncidentKind, Observation, ObservedComponent, ObservedIncident,
    ObservedUpdate, Status, TimeValue,
};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Salesforce, "salesforce", product "salesforce" rank 0, formats [Json]
}

/// Public incident pages on the Trust site.
const TRUST_SITE: &str = "https://status.salesforce.com/";

/// An API root reads the incident and maintenance lists; a URL of one document (or of a saved
/// file) reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if url.path().contains("/v1/") || super::names_a_file(url) {
        return single(url);
    }
    under(url, &[("v1/incidents", true), ("v1/maintenances", true)])
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instance {
    key: String,
    status: Option<String>,
    location: Option<String>,
    #[serde(rename = "Incidents", default)]
    incidents: Vec<Incident>,
    #[serde(rename = "Maintenances", default)]
    maintenances: Vec<Maintenance>,
    #[serde(rename = "GeneralMessage", default)]
    general_messages: Vec<GeneralMessage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Incident {
    id: Scalar,
    created_at: Option<String>,
    #[serde(rename = "IncidentImpacts", default)]
    impacts: Vec<IncidentImpact>,
    #[serde(rename = "IncidentEvents", default)]
    events: Vec<Event>,
    #[serde(default)]
    instance_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IncidentImpact {
    start_time: Option<String>,
    end_time: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    id: Option<Scalar>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    message: String,
    created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Maintenance {
    id: Scalar,
    name: Option<String>,
    message: Option<MaintenanceMessage>,
    planned_start_time: Option<String>,
    planned_end_time: Option<String>,
    created_at: Option<String>,
    #[serde(rename = "MaintenanceEvents", default)]
    events: Vec<Event>,
    #[serde(default)]
    instance_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MaintenanceMessage {
    event_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GeneralMessage {
    id: Scalar,
    subject: Option<String>,
    #[serde(default)]
    body: String,
    start_date: Option<String>,
    end_date: Option<String>,
    created_at: Option<String>,
    informational_message_type: Option<String>,
    #[serde(default)]
    product_keys: Vec<String>,
    #[serde(rename = "InformationalMessageUpdates", default)]
    updates: Vec<MessageUpdate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageUpdate {
    id: Option<Scalar>,
    #[serde(default)]
    message: String,
    created_at: Option<String>,
}

/// What one element of a Trust API document is, by the fields it carries.
enum Item {
    Instance(Box<Instance>),
    Incident(Incident),
    Maintenance(Maintenance),
    Message(GeneralMessage),
}

fn classify(value: Value, place: &str) -> Result<Item, ParseError> {
    let has = |key: &str| value.get(key).is_some();
    let item = if has("IncidentImpacts") || has("IncidentEvents") {
        serde_json::from_value(value).map(Item::Incident)
    } else if has("plannedStartTime") || has("MaintenanceEvents") {
        serde_json::from_value(value).map(Item::Maintenance)
    } else if has("subject") && has("body") {
        serde_json::from_value(value).map(Item::Message)
    } else if has("key") && has("status") {
        serde_json::from_value(value).map(|i| Item::Instance(Box::new(i)))
    } else {
        return Err(ParseError::at(
            KIND,
            ParseCause::SchemaMismatch,
            place,
            "element is none of instance, incident, maintenance or general message",
        ));
    };
    item.map_err(|e| {
        ParseError::at(
            KIND,
            ParseCause::of_json(&e),
            place,
            format!("unexpected shape: {e}"),
        )
    })
}

/// The Trust API's own field names: an element with one of them is Salesforce's.
const TRUST_FIELDS: &[&str] = &[
    "IncidentImpacts",
    "IncidentEvents",
    "MaintenanceEvents",
    "InformationalMessageUpdates",
    "Services",
    "GeneralMessage",
];

/// How surely a body is a Salesforce Trust API document. Strong: every element is one
/// `classify` reads (instance, incident, maintenance, general message) and one carries the Trust
/// API's own fields (`IncidentImpacts`, `MaintenanceEvents`, an instance's `Services`, ...).
/// Weak: the shapes without those fields (a bare `key` and `status`), or an empty array (which
/// any of the array documents could be). No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let elements: Vec<&Value> = match sniff.json() {
        Some(Value::Array(values)) => values.iter().collect(),
        Some(object @ Value::Object(_)) => vec![object],
        _ => return Confidence::No,
    };
    if elements.is_empty() {
        return Confidence::Weak;
    }
    let readable = elements.iter().all(|v| {
        let has = |key: &str| v.get(key).is_some();
        has("IncidentImpacts")
            || has("IncidentEvents")
            || has("plannedStartTime")
            || has("MaintenanceEvents")
            || (has("subject") && has("body"))
            || (has("key") && has("status"))
    });
    let marked = elements
        .iter()
        .any(|v| TRUST_FIELDS.iter().any(|key| v.get(key).is_some()));
    match (readable, marked) {
        (true, true) => Confidence::Strong,
        (true, false) => Confidence::Weak,
        (false, _) => Confidence::No,
    }
}

pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let text = decode_text(KIND, page.body)?;
    let document: Value = read_json_text(KIND, &text, "Salesforce Trust API JSON")?;
    let items = match document {
        Value::Array(values) => values
            .into_iter()
            .enumerate()
            .map(|(i, v)| classify(v, &format!("[{i}]")).map(|item| (format!("[{i}]"), item)))
            .collect::<Result<Vec<_>, _>>()?,
        object @ Value::Object(_) => vec![(String::new(), classify(object, "top level")?)],
        _ => {
            return Err(ParseError::new(
                KIND,
                ParseCause::WrongFormat,
                "expected a JSON object or array",
            ));
        }
    };
    let mut reader = Reader {
        notes: Notes::default(),
        observation: Observation::default(),
        fetched_at: page.fetched_at,
    };
    for (place, item) in items {
        match item {
            Item::Instance(instance) => reader.instance(*instance, &place)?,
            Item::Incident(incident) => reader.incident(incident, &place, None)?,
            Item::Maintenance(maintenance) => reader.maintenance(maintenance, &place, None)?,
            Item::Message(message) => reader.message(message, &place)?,
        }
    }
    let mut observation = reader.observation;
    observation.notes = reader.notes.into_vec();
    Ok(observation)
}

struct Reader {
    notes: Notes,
    observation: Observation,
    fetched_at: chrono::DateTime<chrono::Utc>,
}

/// `place.field` for a nested place, `field` at the top level.
fn at(place: &str, field: &str) -> String {
    if place.is_empty() {
        field.to_string()
    } else {
        format!("{place}.{field}")
    }
}

/// A time field, where null and "" both mean "not set".
fn optional_time(text: Option<&str>, place: &str) -> Result<Option<TimeValue>, ParseError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| rfc3339(KIND, t, place))
        .transpose()
}

impl Reader {
    fn instance(&mut self, instance: Instance, place: &str) -> Result<(), ParseError> {
        let raw = instance.status.clone().unwrap_or_default();
        let status = instance_status(&raw).unwrap_or_else(|| {
            self.notes.add(
                at(place, "status"),
                format!("unknown instance status {raw:?} kept raw, mapped to unknown"),
            );
            ComponentStatus::Unknown
        });
        self.observation.components.push(ObservedComponent {
            native_id: Some(instance.key.clone()),
            name: instance.key.clone(),
            group: instance.location.filter(|l| !l.is_empty()),
            status,
            status_raw: raw,
            updated_at: None,
        });
        for (i, incident) in instance.incidents.into_iter().enumerate() {
            self.incident(
                incident,
                &at(place, &format!("Incidents[{i}]")),
                Some(&instance.key),
            )?;
        }
        for (i, maintenance) in instance.maintenances.into_iter().enumerate() {
            self.maintenance(
                maintenance,
                &at(place, &format!("Maintenances[{i}]")),
                Some(&instance.key),
            )?;
        }
        for (i, message) in instance.general_messages.into_iter().enumerate() {
            self.message(message, &at(place, &format!("GeneralMessage[{i}]")))?;
        }
        Ok(())
    }

    fn incident(
        &mut self,
        incident: Incident,
        place: &str,
        instance: Option<&str>,
    ) -> Result<(), ParseError> {
        // An instance document lists its incidents without instanceKeys: they are its own.
        let mut instances = incident.instance_keys.clone();
        if instances.is_empty()
            && let Some(key) = instance
        {
            instances.push(key.to_string());
        }
        let mut types: Vec<String> = Vec::new();
        let mut impact: Option<(Impact, String)> = None;
        let mut starts = Vec::new();
        let mut ends = Vec::new();
        let mut open = incident.impacts.is_empty();
        for (i, item) in incident.impacts.iter().enumerate() {
            let place = at(place, &format!("IncidentImpacts[{i}]"));
            if let Some(kind) = &item.kind {
                let name = impact_type_name(kind)
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        self.notes
                            .add(&place, format!("unknown impact type {kind:?} kept raw"));
                        kind.clone()
                    });
                if !types.contains(&name) {
                    types.push(name);
                }
            }
            if let Some(raw) = &item.severity {
                match severity(raw) {
                    Some(level) => {
                        if impact.as_ref().is_none_or(|(held, _)| level > *held) {
                            impact = Some((level, raw.clone()));
                        }
                    }
                    None => self
                        .notes
                        .add(&place, format!("unknown severity {raw:?} kept raw")),
                }
            }
            starts.extend(optional_time(
                item.start_time.as_deref(),
                &at(&place, "startTime"),
            )?);
            match optional_time(item.end_time.as_deref(), &at(&place, "endTime"))? {
                Some(end) => ends.push(end),
                None => open = true,
            }
        }
        let kind_words = if types.is_empty() {
            "Incident".to_string()
        } else {
            types.join(", ")
        };
        let title = if instances.is_empty() {
            kind_words
        } else {
            format!("{kind_words} on {}", instances.join(", "))
        };
        let id = incident.id.text();
        let mut observed = ObservedIncident::new(IncidentKind::Incident, title);
        observed.url = Some(format!("{TRUST_SITE}incidents/{id}"));
        observed.native_id = Some(id);
        if let Some((level, raw)) = impact {
            observed.impact = Some(level);
            observed.impact_raw = Some(raw);
        }
        observed.created_at =
            optional_time(incident.created_at.as_deref(), &at(place, "createdAt"))?;
        observed.started_at = starts.into_iter().min_by_key(|t| t.utc);
        if !open {
            // Every impact has ended: the latest end is the incident's.
            observed.resolved_at = ends.into_iter().max_by_key(|t| t.utc);
            observed.status = Some(Status::Resolved);
        }
        observed.components = instances;
        for (e, event) in incident.events.into_iter().enumerate().rev() {
            let place = at(place, &format!("IncidentEvents[{e}]"));
            let update = self.event(event, &place, "incident-event", incident_event_status)?;
            observed.updates.push(update);
        }
        self.observation.incidents.push(observed);
        Ok(())
    }

    fn maintenance(
        &mut self,
        maintenance: Maintenance,
        place: &str,
        instance: Option<&str>,
    ) -> Result<(), ParseError> {
        let id = maintenance.id.text();
        let mut observed = ObservedIncident::new(
            IncidentKind::Maintenance,
            maintenance.name.unwrap_or_default(),
        );
        observed.native_id = Some(format!("maintenance-{id}"));
        observed.url = Some(format!("{TRUST_SITE}maintenances/{id}"));
        if let Some(raw) = maintenance.message.and_then(|m| m.event_status) {
            observed.status = maintenance_status(&raw);
            if observed.status.is_none() {
                self.notes.add(
                    at(place, "message.eventStatus"),
                    format!("unknown eventStatus {raw:?} kept raw"),
                );
            }
            observed.status_raw = Some(raw);
        }
        observed.created_at =
            optional_time(maintenance.created_at.as_deref(), &at(place, "createdAt"))?;
        observed.scheduled_for = optional_time(
            maintenance.planned_start_time.as_deref(),
            &at(place, "plannedStartTime"),
        )?;
        observed.scheduled_until = optional_time(
            maintenance.planned_end_time.as_deref(),
            &at(place, "plannedEndTime"),
        )?;
        observed.components = maintenance.instance_keys;
        if observed.components.is_empty()
            && let Some(key) = instance
        {
            observed.components.push(key.to_string());
        }
        for (e, event) in maintenance.events.into_iter().enumerate().rev() {
            let place = at(place, &format!("MaintenanceEvents[{e}]"));
            let update =
                self.event(event, &place, "maintenance-event", maintenance_event_status)?;
            observed.updates.push(update);
        }
        self.observation.incidents.push(observed);
        Ok(())
    }

    fn message(&mut self, message: GeneralMessage, place: &str) -> Result<(), ParseError> {
        let id = message.id.text();
        let mut observed =
            ObservedIncident::new(IncidentKind::Incident, message.subject.unwrap_or_default());
        observed.native_id = Some(format!("message-{id}"));
        // A notice states no severity; its type is kept raw.
        observed.impact_raw = message.informational_message_type;
        observed.components = message.product_keys;
        observed.created_at =
            optional_time(message.created_at.as_deref(), &at(place, "createdAt"))?;
        observed.started_at =
            optional_time(message.start_date.as_deref(), &at(place, "startDate"))?;
        let end = optional_time(message.end_date.as_deref(), &at(place, "endDate"))?;
        // A notice is over once its endDate has passed when the page is read.
        if let Some(end) = &end
            && end.utc <= self.fetched_at
        {
            observed.status = Some(Status::Resolved);
            observed.resolved_at = Some(end.clone());
        }
        let first = observed.created_at.clone().ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                at(place, "createdAt"),
                "general message has no createdAt",
            )
        })?;
        observed.updates.push(ObservedUpdate {
            native_id: Some(format!("message-{id}")),
            status: None,
            status_raw: None,
            posted_at: first,
            body: message.body,
            components: Vec::new(),
        });
        // InformationalMessageUpdates come in no fixed order (the CS96 capture has both): they
        // are given sorted by time (an order the source does not state cannot contradict them).
        for (u, update) in message.updates.into_iter().enumerate() {
            let place = at(place, &format!("InformationalMessageUpdates[{u}]"));
            let stamp = update.created_at.ok_or_else(|| {
                ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    &place,
                    "update has no createdAt",
                )
            })?;
            observed.updates.push(ObservedUpdate {
                native_id: update.id.map(|i| format!("message-update-{}", i.text())),
                status: None,
                status_raw: None,
                posted_at: rfc3339(KIND, &stamp, &place)?,
                body: update.message,
                components: Vec::new(),
            });
        }
        observed.updates.sort_by_key(|u| u.posted_at.utc);
        self.observation.incidents.push(observed);
        Ok(())
    }

    fn event(
        &mut self,
        event: Event,
        place: &str,
        id_prefix: &str,
        table: fn(&str) -> Option<Option<Status>>,
    ) -> Result<ObservedUpdate, ParseError> {
        let stamp = event.created_at.ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                place,
                "event has no createdAt",
            )
        })?;
        let status = match event.kind.as_deref() {
            Some(raw) => table(raw).unwrap_or_else(|| {
                self.notes
                    .add(place, format!("unknown event type {raw:?} kept raw"));
                None
            }),
            None => None,
        };
        Ok(ObservedUpdate {
            // Incident and maintenance events are numbered separately: the prefix keeps their
            // ids apart.
            native_id: event.id.map(|i| format!("{id_prefix}-{}", i.text())),
            status,
            status_raw: event.kind,
            posted_at: rfc3339(KIND, &stamp, place)?,
            body: event.message,
            components: Vec::new(),
        })
    }
}

/// An instance's `status`. `_CORE` and `_NONCORE` say whether core services are affected;
/// the level is the same either way.
pub fn instance_status(raw: &str) -> Option<ComponentStatus> {
    let level = raw
        .strip_suffix("_NONCORE")
        .or_else(|| raw.strip_suffix("_CORE"))
        .unwrap_or(raw);
    Some(match level {
        "OK" | "INFORMATIONAL" => ComponentStatus::Operational,
        "MAINTENANCE" => ComponentStatus::UnderMaintenance,
        "MINOR_INCIDENT" => ComponentStatus::PartialOutage,
        "MAJOR_INCIDENT" => ComponentStatus::MajorOutage,
        _ => return None,
    })
}

/// `IncidentImpacts[].severity`.
pub fn severity(raw: &str) -> Option<Impact> {
    Some(match raw {
        "minor" => Impact::Minor,
        "major" => Impact::Major,
        "critical" => Impact::Critical,
        _ => return None,
    })
}

/// `IncidentImpacts[].type`, as the Trust site names it (for the built title).
pub fn impact_type_name(raw: &str) -> Option<&'static str> {
    Some(match raw {
        "performanceDegradation" => "Performance Degradation",
        "serviceDisruption" => "Service Disruption",
        "featureDisruption" => "Feature Disruption",
        "featureDegradation" => "Feature Degradation",
        _ => return None,
    })
}

/// `IncidentEvents[].type`: `None` inside when the word only adds text.
pub fn incident_event_status(raw: &str) -> Option<Option<Status>> {
    Some(match raw {
        "update" => None,
        "resolved" => Some(Status::Resolved),
        _ => return None,
    })
}

/// `MaintenanceEvents[].type`.
pub fn maintenance_event_status(raw: &str) -> Option<Option<Status>> {
    Some(match raw {
        "update" => None,
        "scheduled" => Some(Status::Scheduled),
        "inProgress" => Some(Status::InProgress),
        "completed" => Some(Status::Completed),
        _ => return None,
    })
}

/// A maintenance's `message.eventStatus`.
pub fn maintenance_status(raw: &str) -> Option<Status> {
    Some(match raw {
        "confirmed" | "tentative" => Status::Scheduled,
        "inProgress" => Status::InProgress,
        "completed" => Status::Completed,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::endpoint_urls;

    #[test]
    fn the_api_root_reads_incidents_and_maintenances_and_a_document_reads_itself() {
        assert_eq!(
            endpoint_urls(KIND, "https://api.status.salesforce.com"),
            vec![
                "https://api.status.salesforce.com/v1/incidents",
                "https://api.status.salesforce.com/v1/maintenances"
            ]
        );
        assert_eq!(
            endpoint_urls(
                KIND,
                "https://api.status.salesforce.com/v1/instances/NA135/status"
            ),
            vec!["https://api.status.salesforce.com/v1/instances/NA135/status"]
        );
        assert_eq!(
            endpoint_urls(KIND, "file:///data/instance-CS96-status.json"),
            vec!["file:///data/instance-CS96-status.json"]
        );
    }
}
