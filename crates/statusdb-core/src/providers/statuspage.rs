//! Atlassian Statuspage JSON API (`kind = "statuspage"`): `/api/v2/summary.json`,
//! `/api/v2/incidents.json`, `/api/v2/scheduled-maintenances.json`, and single
//! `/api/v2/incidents/<code>.json` documents.
//!
//! Times are RFC 3339 with the page's local offset (`-06:00`), kept exact. An update's time is
//! its `display_at` (what the vendor shows), not `created_at`, which differs on imported
//! incidents.

use super::incidentio::is_ulid;
use super::support::{Sniff, json_error, rfc3339};
use super::{Confidence, Endpoint, Kind, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentChange, ComponentStatus, Impact, IncidentKind, Observation, ObservedComponent,
    ObservedIncident, ObservedUpdate, PageInfo, ParseNote, Status, TimeValue,
};
use serde::Deserialize;
use std::collections::HashMap;
use url::Url;

/// The words of one Statuspage-compatible product and how they map to the canonical
/// vocabulary. Statuspage's own words are [`STATUSPAGE`]; products that copy its API
/// (incident.io) parse the same shapes through [`parse_with`] with their own table.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// The kind named in parse errors ("not a <kind> page").
    pub kind: Kind,
    /// What the product calls its JSON, for errors ("Statuspage JSON").
    pub label: &'static str,
    /// Incident and maintenance status words.
    pub status: fn(&str) -> Option<Status>,
    /// Impact words: `None` for an unknown word, `Some(None)` for a known word without a
    /// severity.
    pub impact: fn(&str) -> Option<Option<Impact>>,
    /// Component status words.
    pub component_status: fn(&str) -> Option<ComponentStatus>,
}

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Statuspage, "statuspage", product "statuspage" rank 0, formats [Json]
}

/// Atlassian Statuspage's own words.
pub const STATUSPAGE: Vocabulary = Vocabulary {
    kind: KIND,
    label: "Statuspage JSON",
    status: status_word,
    impact: impact_word,
    component_status: component_status_word,
};

/// A base page URL reads the three documents; a URL of one `.json` document reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if url.path().ends_with(".json") {
        return single(url);
    }
    under(
        url,
        &[
            ("api/v2/summary.json", true),
            ("api/v2/incidents.json", true),
            ("api/v2/scheduled-maintenances.json", false),
        ],
    )
}

/// How surely a body is a Statuspage JSON document: Strong when its page, component or
/// incident ids are Statuspage codes (12 lowercase letters and digits), Weak when only the
/// shape fits, No for anything else, including the Statuspage-compatible API of incident.io,
/// whose ids are ULIDs, and Instatus's summary, whose page states its status as a word
/// (Statuspage's `status` is a top-level object).
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(serde_json::Value::Object(document)) = sniff.json_utf8() else {
        return Confidence::No;
    };
    let mut ids: Vec<&str> = Vec::new();
    if let Some(id) = document
        .get("page")
        .and_then(|p| p.get("id"))
        .and_then(|i| i.as_str())
    {
        ids.push(id);
    }
    for list in ["components", "incidents", "scheduled_maintenances"] {
        if let Some(items) = document.get(list).and_then(|l| l.as_array()) {
            ids.extend(items.iter().filter_map(|i| i.get("id")?.as_str()));
        }
    }
    if let Some(id) = document
        .get("incident")
        .and_then(|i| i.get("id"))
        .and_then(|i| i.as_str())
    {
        ids.push(id);
    }
    let shaped = document
        .get("page")
        .is_some_and(|p| p.get("name").is_some())
        || document
            .get("incident")
            .is_some_and(|i| i.get("incident_updates").is_some());
    let page_status_word = document
        .get("page")
        .and_then(|p| p.get("status"))
        .is_some_and(|s| s.is_string());
    if !shaped || page_status_word || ids.iter().any(|id| is_ulid(id)) {
        return Confidence::No;
    }
    if ids.iter().any(|id| is_statuspage_code(id)) {
        Confidence::Strong
    } else {
        Confidence::Weak
    }
}

/// Statuspage's ids: 12 lowercase letters and digits (`kctbh9vrtdwd`, `f0mhbz9xn497`).
pub(crate) fn is_statuspage_code(id: &str) -> bool {
    id.len() == 12
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[derive(Deserialize)]
struct Document {
    page: Option<Page>,
    components: Option<Vec<Component>>,
    incidents: Option<Vec<Incident>>,
    scheduled_maintenances: Option<Vec<Incident>>,
    incident: Option<Incident>,
}

#[derive(Deserialize)]
struct Page {
    name: Option<String>,
    url: Option<String>,
    time_zone: Option<String>,
}

#[derive(Deserialize)]
struct Component {
    id: Option<String>,
    name: String,
    status: Option<String>,
    updated_at: Option<String>,
    group_id: Option<String>,
    #[serde(default)]
    group: bool,
}

#[derive(Deserialize)]
struct Incident {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    impact: Option<String>,
    created_at: Option<String>,
    started_at: Option<String>,
    resolved_at: Option<String>,
    scheduled_for: Option<String>,
    scheduled_until: Option<String>,
    shortlink: Option<String>,
    components: Option<Vec<IncidentComponent>>,
    incident_updates: Option<Vec<Update>>,
}

#[derive(Deserialize)]
struct IncidentComponent {
    name: String,
}

#[derive(Deserialize)]
struct Update {
    id: Option<String>,
    status: Option<String>,
    body: Option<String>,
    created_at: Option<String>,
    display_at: Option<String>,
    affected_components: Option<Vec<AffectedComponent>>,
}

#[derive(Deserialize)]
struct AffectedComponent {
    code: Option<String>,
    name: String,
    new_status: Option<String>,
}

/// Parses one Statuspage JSON document of any of the shapes above.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    parse_with(page, &STATUSPAGE)
}

/// Parses one Statuspage-shaped JSON document with a product's own vocabulary.
pub fn parse_with(page: &PageInput<'_>, words: &Vocabulary) -> Result<Observation, ParseError> {
    let kind = words.kind;
    let document: Document = serde_json::from_slice(page.body).map_err(|e| {
        let start = String::from_utf8_lossy(&page.body[..page.body.len().min(40)]);
        json_error(kind, &e, words.label, &start)
    })?;
    if document.components.is_none()
        && document.incidents.is_none()
        && document.scheduled_maintenances.is_none()
        && document.incident.is_none()
        && document.page.is_none()
    {
        return Err(ParseError::new(
            kind,
            ParseCause::WrongFormat,
            "JSON has none of the keys page, components, incidents, scheduled_maintenances, incident",
        ));
    }
    let mut parser = Parser {
        words: *words,
        notes: Vec::new(),
        page_url: document
            .page
            .as_ref()
            .and_then(|p| p.url.clone())
            .or_else(|| page_root(page.url)),
    };
    let mut observation = Observation {
        page: document.page.map(|p| PageInfo {
            name: p.name,
            url: p.url,
            time_zone: p.time_zone,
        }),
        ..Observation::default()
    };
    if let Some(components) = document.components {
        observation.components = parser.components(components)?;
    }
    for (list, place, maintenance) in [
        (document.incidents, "incidents", false),
        (
            document.scheduled_maintenances,
            "scheduled_maintenances",
            true,
        ),
    ] {
        for (i, incident) in list.into_iter().flatten().enumerate() {
            let place = format!("{place}[{i}]");
            observation
                .incidents
                .push(parser.incident(incident, &place, maintenance)?);
        }
    }
    if let Some(incident) = document.incident {
        observation
            .incidents
            .push(parser.incident(incident, "incident", false)?);
    }
    observation.notes = parser.notes;
    Ok(observation)
}

/// `https://host/` of a document URL, used for incident links when the page omits its URL.
fn page_root(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    match url.scheme() {
        "http" | "https" => Some(format!("{}://{}", url.scheme(), url.host_str()?)),
        _ => None,
    }
}

struct Parser {
    words: Vocabulary,
    notes: Vec<ParseNote>,
    page_url: Option<String>,
}

impl Parser {
    fn components(&mut self, list: Vec<Component>) -> Result<Vec<ObservedComponent>, ParseError> {
        let group_names: HashMap<String, String> = list
            .iter()
            .filter(|c| c.group)
            .filter_map(|c| Some((c.id.clone()?, c.name.clone())))
            .collect();
        let mut out = Vec::with_capacity(list.len());
        for (i, c) in list.into_iter().enumerate() {
            if c.group {
                continue;
            }
            let place = format!("components[{i}]");
            let raw = c.status.unwrap_or_default();
            let status = self.component_status(&raw, &place);
            out.push(ObservedComponent {
                group: c
                    .group_id
                    .as_ref()
                    .and_then(|g| group_names.get(g).cloned()),
                native_id: c.id,
                name: c.name,
                status,
                status_raw: raw,
                updated_at: self.time(c.updated_at.as_deref(), &place)?,
            });
        }
        Ok(out)
    }

    fn incident(
        &mut self,
        incident: Incident,
        place: &str,
        listed_as_maintenance: bool,
    ) -> Result<ObservedIncident, ParseError> {
        let is_maintenance = listed_as_maintenance
            || incident.scheduled_for.is_some()
            || incident.status.as_deref().is_some_and(|s| {
                matches!(s, "scheduled" | "in_progress" | "verifying" | "completed")
            });
        let kind = if is_maintenance {
            IncidentKind::Maintenance
        } else {
            IncidentKind::Incident
        };
        let title = incident.name.unwrap_or_default();
        let mut observed = ObservedIncident::new(kind, title);
        observed.url = match (&self.page_url, &incident.id) {
            (Some(root), Some(id)) => {
                Some(format!("{}/incidents/{id}", root.trim_end_matches('/')))
            }
            _ => incident.shortlink.clone(),
        };
        observed.native_id = incident.id;
        if let Some(raw) = incident.impact {
            observed.impact = self.impact(&raw, place);
            observed.impact_raw = Some(raw);
        }
        if let Some(raw) = incident.status {
            observed.status = self.status(&raw, place);
            observed.status_raw = Some(raw);
        }
        observed.created_at = self.time(incident.created_at.as_deref(), place)?;
        observed.started_at = self.time(incident.started_at.as_deref(), place)?;
        observed.resolved_at = self.time(incident.resolved_at.as_deref(), place)?;
        observed.scheduled_for = self.time(incident.scheduled_for.as_deref(), place)?;
        observed.scheduled_until = self.time(incident.scheduled_until.as_deref(), place)?;
        for c in incident.components.into_iter().flatten() {
            if !observed.components.contains(&c.name) {
                observed.components.push(c.name);
            }
        }
        let updates = incident.incident_updates.unwrap_or_default();
        // Statuspage lists updates newest first; observations carry them oldest first.
        for (i, u) in updates.into_iter().enumerate().rev() {
            let place = format!("{place}.incident_updates[{i}]");
            let stamp = u.display_at.or(u.created_at).ok_or_else(|| {
                ParseError::at(
                    self.words.kind,
                    ParseCause::SchemaMismatch,
                    &place,
                    "update has neither display_at nor created_at",
                )
            })?;
            let posted_at = rfc3339(self.words.kind, &stamp, &place)?;
            let mut components = Vec::new();
            for a in u.affected_components.into_iter().flatten() {
                // Statuspage writes a sentence ("No components were affected by this update.")
                // as an entry with neither code nor status: it is not a component.
                let Some(raw) = a.new_status else {
                    if a.code.is_some() {
                        self.note(&place, format!("component {:?} has no new_status", a.name));
                    }
                    continue;
                };
                let status = self.component_status(&raw, &place);
                if !observed.components.contains(&a.name) {
                    observed.components.push(a.name.clone());
                }
                components.push(ComponentChange {
                    native_id: a.code,
                    name: a.name,
                    status,
                    status_raw: raw,
                });
            }
            let (status, status_raw) = match u.status {
                Some(raw) => (self.status(&raw, &place), Some(raw)),
                None => (None, None),
            };
            observed.updates.push(ObservedUpdate {
                native_id: u.id,
                status,
                status_raw,
                posted_at,
                body: u.body.unwrap_or_default(),
                components,
            });
        }
        Ok(observed)
    }

    fn time(&mut self, text: Option<&str>, place: &str) -> Result<Option<TimeValue>, ParseError> {
        text.map(|t| rfc3339(self.words.kind, t, place)).transpose()
    }

    fn status(&mut self, raw: &str, place: &str) -> Option<Status> {
        let status = (self.words.status)(raw);
        if status.is_none() {
            self.note(place, format!("unknown status {raw:?} kept raw"));
        }
        status
    }

    fn impact(&mut self, raw: &str, place: &str) -> Option<Impact> {
        match (self.words.impact)(raw) {
            Some(impact) => impact,
            None => {
                self.note(place, format!("unknown impact {raw:?} kept raw"));
                None
            }
        }
    }

    fn component_status(&mut self, raw: &str, place: &str) -> ComponentStatus {
        (self.words.component_status)(raw).unwrap_or_else(|| {
            self.note(
                place,
                format!("unknown component status {raw:?} kept raw, mapped to unknown"),
            );
            ComponentStatus::Unknown
        })
    }

    fn note(&mut self, place: &str, message: String) {
        self.notes.push(ParseNote {
            place: place.to_string(),
            message,
        });
    }
}

/// Statuspage's status words, incidents and maintenances alike.
/// Statuspage's status words are the canonical ones.
pub(crate) fn status_word(raw: &str) -> Option<Status> {
    raw.parse().ok()
}

/// Statuspage's impact words are the canonical ones, and `maintenance`, which states no
/// severity.
pub(crate) fn impact_word(raw: &str) -> Option<Option<Impact>> {
    match raw {
        "maintenance" => Some(None),
        _ => raw.parse().ok().map(Some),
    }
}

/// Statuspage's component status words are the canonical ones but `unknown`, which it does not
/// write.
pub(crate) fn component_status_word(raw: &str) -> Option<ComponentStatus> {
    match raw {
        "unknown" => None,
        _ => raw.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_tells_statuspage_codes_from_ulids_and_other_json() {
        let statuspage = br#"{"page":{"id":"kctbh9vrtdwd","name":"GitHub","url":"https://www.githubstatus.com"},"components":[]}"#;
        assert_eq!(Kind::Statuspage.detect(statuspage), Confidence::Strong);
        // incident.io's Statuspage-compatible API: the same shape, ULID ids.
        let incident_io = br#"{"page":{"id":"01JMBBSYD6KMG8EZ7VA2MZ6F5T","name":"OpenAI","url":"https://status.openai.com"},"components":[{"id":"01JMBBT0G3ZC8T5RH4R5WBWD2K","name":"Login"}]}"#;
        assert_eq!(Kind::Statuspage.detect(incident_io), Confidence::No);
        let shaped = br#"{"page":{"id":"page-1","name":"Example"},"incidents":[]}"#;
        assert_eq!(Kind::Statuspage.detect(shaped), Confidence::Weak);
        // Instatus's summary: a page whose status is a word.
        let instatus =
            br#"{"page":{"name":"Gcore","url":"https://status.gcore.com","status":"UP"}}"#;
        assert_eq!(Kind::Statuspage.detect(instatus), Confidence::No);
        assert_eq!(
            Kind::Statuspage.detect(br#"{"status":"ok"}"#),
            Confidence::No
        );
        assert_eq!(Kind::Statuspage.detect(b"<html></html>"), Confidence::No);
    }
}
