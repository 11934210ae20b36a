//! incident.io status pages (`kind = "incidentio"`).
//!
//! Three documents, told apart by their shape:
//! * the Statuspage-compatible `/api/v2/summary.json` and `/api/v2/incidents.json`: parsed by
//!   [`statuspage::parse_with`] with incident.io's word table (`full_outage` is `major_outage`);
//!   ids are ULIDs; `incidents` may be `null` or absent;
//! * `/feed.atom`: one entry per incident carrying its latest update (status, text, affected
//!   components with their statuses);
//! * `/proxy/<host>`: the JSON the page's front end reads (`summary` with the component
//!   structure, the affected components, ongoing incidents and maintenances).
//!
//! All three name an incident by the same ULID (the feed in its `/incidents/<id>` link), so the
//! documents of one page merge into one record.

use super::rss_atom::{self, Text};
use super::statuspage::{self, Vocabulary};
use super::support::{
    Notes, Sniff, component_status_or_unknown, null_default, read_json, refuse_html, rfc3339_opt,
    trimmed, web_root,
};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentChange, ComponentStatus, IncidentKind, Observation, ObservedComponent,
    ObservedIncident, ObservedUpdate, PageInfo, Status, TimeValue,
};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::HashMap;
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Incidentio, "incidentio", product "incident.io" rank 0, formats [Json, Xml]
}

/// incident.io's words for the Statuspage-shaped documents.
pub const WORDS: Vocabulary = Vocabulary {
    kind: KIND,
    label: "incident.io Statuspage-compatible JSON",
    status: status_word,
    impact: statuspage::impact_word,
    component_status: component_status_word,
};

/// A base URL reads the Statuspage-compatible summary and incident list; a URL of one document
/// (`.json`, `feed.atom`, `/proxy/<host>`) reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    let path = url.path();
    if path.ends_with(".json") || path.ends_with(".atom") || path.contains("/proxy/") {
        return single(url);
    }
    under(
        url,
        &[
            ("api/v2/summary.json", true),
            ("api/v2/incidents.json", true),
        ],
    )
}

/// incident.io's incident and maintenance status words, as its JSON, proxy and feed write them:
/// Statuspage's, and its own maintenance words.
fn status_word(raw: &str) -> Option<Status> {
    match raw {
        "maintenance_scheduled" => Some(Status::Scheduled),
        "maintenance_in_progress" => Some(Status::InProgress),
        "maintenance_complete" => Some(Status::Completed),
        _ => statuspage::status_word(raw),
    }
}

/// Component status words: Statuspage's, and `full_outage`, which is `major_outage`.
fn component_status_word(raw: &str) -> Option<ComponentStatus> {
    match raw {
        "full_outage" => Some(ComponentStatus::MajorOutage),
        _ => statuspage::component_status_word(raw),
    }
}

/// The feed's words as people read them ("Status: Resolved", "Chat (Degraded performance)").
fn display_status_word(raw: &str) -> Option<Status> {
    status_word(&raw.trim().to_ascii_lowercase().replace(' ', "_"))
}

fn display_component_word(raw: &str) -> Option<ComponentStatus> {
    component_status_word(&raw.trim().to_ascii_lowercase().replace(' ', "_"))
}

/// True for an incident.io id: a ULID (26 characters of Crockford base32).
pub fn is_ulid(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b)))
}

/// How surely a body is one of incident.io's documents: Strong when it names its page or
/// incident by a ULID (the Statuspage-shaped JSON, the proxy's `summary`) or links its entries
/// to `/incidents/<ULID>` (the feed); No otherwise. Atlassian Statuspage's own documents carry
/// 12-character codes and are not incident.io's.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    if let Some(feed) = sniff.feed() {
        let ulid_links = feed.entries.iter().any(|e| {
            e.link
                .iter()
                .chain(&e.id)
                .any(|link| incident_id_in(link).is_some())
        });
        return if ulid_links {
            Confidence::Strong
        } else {
            Confidence::No
        };
    }
    let Some(document) = sniff.json() else {
        return Confidence::No;
    };
    // As `parse` does, only the page's id is checked: pages moved from Statuspage keep their
    // old incident and component codes.
    let id = ["/summary/id", "/page/id", "/incident/id"]
        .iter()
        .find_map(|pointer| document.pointer(pointer)?.as_str());
    if id.is_some_and(is_ulid) {
        Confidence::Strong
    } else {
        Confidence::No
    }
}

/// Parses any of the three documents.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let body = trimmed(page.body);
    if body.first() == Some(&b'<') {
        refuse_html(KIND, body, "incident.io JSON or Atom")?;
        return parse_feed(page);
    }
    let probe: Probe = read_json(KIND, body, "incident.io JSON")?;
    if probe.summary.is_some() {
        return parse_proxy(page);
    }
    // Atlassian Statuspage serves the same shapes with 12-character codes: refuse them here so
    // that a misconfigured kind fails loudly. Only the page's id is checked: pages moved from
    // Statuspage keep their old incident and component codes.
    if let Some(id) = probe.page.as_ref().and_then(|p| p.id.as_deref())
        && !is_ulid(id)
    {
        return Err(ParseError::at(
            KIND,
            ParseCause::WrongFormat,
            "page.id",
            format!(
                "id {id:?} is not an incident.io ULID (an Atlassian Statuspage page? use kind \"statuspage\")"
            ),
        ));
    }
    statuspage::parse_with(page, &WORDS)
}

#[derive(Deserialize)]
struct Probe {
    summary: Option<IgnoredAny>,
    page: Option<ProbeId>,
}

#[derive(Deserialize)]
struct ProbeId {
    id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// /proxy/<host>

#[derive(Deserialize)]
struct ProxyDocument {
    summary: ProxySummary,
}

#[derive(Deserialize)]
struct ProxySummary {
    name: Option<String>,
    public_url: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    components: Vec<ProxyComponent>,
    #[serde(default, deserialize_with = "null_default")]
    affected_components: Vec<Affected>,
    #[serde(default, deserialize_with = "null_default")]
    ongoing_incidents: Vec<ProxyEvent>,
    #[serde(default, deserialize_with = "null_default")]
    in_progress_maintenances: Vec<ProxyEvent>,
    #[serde(default, deserialize_with = "null_default")]
    scheduled_maintenances: Vec<ProxyEvent>,
    structure: Option<Structure>,
}

#[derive(Deserialize)]
struct ProxyComponent {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct Affected {
    component_id: String,
    status: String,
}

#[derive(Deserialize)]
struct Structure {
    #[serde(default, deserialize_with = "null_default")]
    items: Vec<StructureItem>,
}

#[derive(Deserialize)]
struct StructureItem {
    group: Option<StructureGroup>,
    component: Option<StructureComponent>,
}

#[derive(Deserialize)]
struct StructureGroup {
    name: String,
    #[serde(default)]
    hidden: bool,
    #[serde(default, deserialize_with = "null_default")]
    components: Vec<StructureComponent>,
}

#[derive(Deserialize)]
struct StructureComponent {
    component_id: String,
    name: String,
    #[serde(default)]
    hidden: bool,
}

#[derive(Deserialize)]
struct ProxyEvent {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    url: Option<String>,
    published_at: Option<String>,
    last_update_at: Option<String>,
    last_update_message: Option<String>,
    starts_at: Option<String>,
    ends_at: Option<String>,
    started_at: Option<String>,
    scheduled_end_at: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    affected_components: Vec<EventComponent>,
}

#[derive(Deserialize)]
struct EventComponent {
    #[serde(alias = "id")]
    component_id: Option<String>,
    name: Option<String>,
    #[serde(alias = "current_status")]
    status: Option<String>,
}

fn parse_proxy(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document: ProxyDocument = read_json(KIND, page.body, "incident.io proxy JSON")?;
    let summary = document.summary;
    let mut notes = Notes::default();
    let affected: HashMap<&str, &str> = summary
        .affected_components
        .iter()
        .map(|a| (a.component_id.as_str(), a.status.as_str()))
        .collect();
    let mut names: HashMap<String, String> = summary
        .components
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();

    // The structure gives the groups and the order; without it, the flat component list.
    let mut listed: Vec<(String, String, Option<String>)> = Vec::new();
    match &summary.structure {
        Some(structure) => {
            for item in &structure.items {
                if let Some(group) = &item.group {
                    if group.hidden {
                        continue;
                    }
                    for c in group.components.iter().filter(|c| !c.hidden) {
                        listed.push((
                            c.component_id.clone(),
                            c.name.clone(),
                            Some(group.name.clone()),
                        ));
                    }
                }
                if let Some(c) = item.component.as_ref().filter(|c| !c.hidden) {
                    listed.push((c.component_id.clone(), c.name.clone(), None));
                }
            }
        }
        None => {
            for c in &summary.components {
                listed.push((c.id.clone(), c.name.clone(), None));
            }
        }
    }
    let mut components = Vec::with_capacity(listed.len());
    for (i, (id, name, group)) in listed.into_iter().enumerate() {
        let place = format!("summary.structure component {i} ({name})");
        // Only affected components are listed with a status; the others are operational.
        let raw = affected.get(id.as_str()).copied().unwrap_or("");
        let status = if raw.is_empty() {
            ComponentStatus::Operational
        } else {
            component_status(raw, &place, &mut notes)
        };
        names.entry(id.clone()).or_insert_with(|| name.clone());
        components.push(ObservedComponent {
            native_id: Some(id),
            name,
            group,
            status,
            status_raw: raw.to_string(),
            updated_at: None,
        });
    }

    let root = summary
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
        .or_else(|| web_root(page.url));
    let mut incidents = Vec::new();
    for (list, key, kind) in [
        (
            &summary.ongoing_incidents,
            "ongoing_incidents",
            IncidentKind::Incident,
        ),
        (
            &summary.in_progress_maintenances,
            "in_progress_maintenances",
            IncidentKind::Maintenance,
        ),
        (
            &summary.scheduled_maintenances,
            "scheduled_maintenances",
            IncidentKind::Maintenance,
        ),
    ] {
        for (i, event) in list.iter().enumerate() {
            let place = format!("summary.{key}[{i}]");
            incidents.push(proxy_event(
                event,
                kind,
                &place,
                root.as_deref(),
                &names,
                &mut notes,
            )?);
        }
    }
    Ok(Observation {
        page: Some(PageInfo {
            name: summary.name,
            url: root,
            time_zone: None,
        }),
        components,
        incidents,
        notes: notes.0,
        follow: Vec::new(),
    })
}

fn proxy_event(
    event: &ProxyEvent,
    kind: IncidentKind,
    place: &str,
    root: Option<&str>,
    names: &HashMap<String, String>,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let mut incident = ObservedIncident::new(kind, event.name.clone().unwrap_or_default());
    incident.native_id = event.id.clone();
    incident.url = event.url.clone().or_else(|| match (root, &event.id) {
        (Some(root), Some(id)) => Some(format!("{root}/incidents/{id}")),
        _ => None,
    });
    let status = match &event.status {
        Some(raw) => {
            let s = status_word(raw);
            if s.is_none() {
                notes.add(place, format!("unknown status {raw:?} kept raw"));
            }
            incident.status = s;
            incident.status_raw = Some(raw.clone());
            s
        }
        None => None,
    };
    incident.created_at = rfc3339_opt(KIND, event.published_at.as_deref(), place)?;
    incident.started_at = rfc3339_opt(KIND, event.started_at.as_deref(), place)?;
    // The proxy shows only an incident's latest update; its publication is the earliest
    // evidence of it, so it is the start (derived), not that update.
    if kind == IncidentKind::Incident && incident.started_at.is_none() {
        incident.started_at = incident.created_at.as_ref().map(as_derived);
    }
    incident.scheduled_for = rfc3339_opt(KIND, event.starts_at.as_deref(), place)?;
    incident.scheduled_until = rfc3339_opt(
        KIND,
        event
            .ends_at
            .as_deref()
            .or(event.scheduled_end_at.as_deref()),
        place,
    )?;
    let mut changes = Vec::new();
    for c in &event.affected_components {
        let name = c.name.clone().or_else(|| {
            c.component_id
                .as_ref()
                .and_then(|id| names.get(id).cloned())
        });
        let Some(name) = name else {
            notes.add(
                place,
                format!(
                    "affected component {:?} is not named on the page; not recorded",
                    c.component_id
                ),
            );
            continue;
        };
        if !incident.components.contains(&name) {
            incident.components.push(name.clone());
        }
        if let Some(raw) = &c.status {
            changes.push(ComponentChange {
                native_id: c.component_id.clone(),
                name,
                status: component_status(raw, place, notes),
                status_raw: raw.clone(),
            });
        }
    }
    if let Some(at) = rfc3339_opt(KIND, event.last_update_at.as_deref(), place)? {
        incident.updates.push(ObservedUpdate {
            native_id: None,
            status,
            status_raw: event.status.clone(),
            posted_at: at,
            body: event.last_update_message.clone().unwrap_or_default(),
            components: changes,
        });
    }
    Ok(incident)
}

fn component_status(raw: &str, place: &str, notes: &mut Notes) -> ComponentStatus {
    let mapped = component_status_word(raw);
    component_status_or_unknown(mapped, "component status", raw, place, notes)
}

// ---------------------------------------------------------------------------------------------
// /feed.atom

fn parse_feed(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let feed = rss_atom::read(KIND, page.body)?;
    let mut notes = Notes::default();
    let mut incidents = Vec::new();
    for entry in &feed.entries {
        let place = entry.label();
        let link = entry.link.clone();
        let ulid = link
            .as_deref()
            .into_iter()
            .chain(entry.id.as_deref())
            .find_map(incident_id_in);
        let title = entry.title.as_ref().map(Text::plain).unwrap_or_default();
        let summary = read_entry_html(entry.content_text().unwrap_or_default());
        let status = summary.status_raw.as_deref().and_then(|raw| {
            let s = display_status_word(raw);
            if s.is_none() {
                notes.add(&place, format!("unknown status {raw:?} kept raw"));
            }
            s
        });
        let kind = IncidentKind::of_status(status);
        let mut incident = ObservedIncident::new(kind, title);
        incident.native_id = ulid.clone().or_else(|| entry.id.clone());
        if let Some(id) = &entry.id
            && ulid.is_some()
            && Some(id) != ulid.as_ref()
        {
            incident.aliases.push(id.clone());
        }
        incident.url = link;
        incident.status = status;
        incident.status_raw = summary.status_raw.clone();
        incident.created_at = entry.published_time();
        // An entry carries only the latest update: the incident started when it was published.
        if kind == IncidentKind::Incident {
            incident.started_at = incident.created_at.as_ref().map(as_derived);
        }
        let mut changes = Vec::new();
        for (name, raw) in &summary.components {
            if !incident.components.contains(name) {
                incident.components.push(name.clone());
            }
            let Some(raw) = raw else { continue };
            let status = display_component_word(raw).unwrap_or_else(|| {
                notes.add(
                    &place,
                    format!("unknown component status {raw:?} kept raw, mapped to unknown"),
                );
                ComponentStatus::Unknown
            });
            changes.push(ComponentChange {
                native_id: None,
                name: name.clone(),
                status,
                status_raw: raw.clone(),
            });
        }
        match entry.updated_time().or_else(|| entry.published_time()) {
            Some(posted_at) => incident.updates.push(ObservedUpdate {
                native_id: None,
                status,
                status_raw: summary.status_raw,
                posted_at,
                body: summary.body,
                components: changes,
            }),
            None => notes.add(
                &place,
                "entry has no <updated> time: its text is not recorded as an update",
            ),
        }
        incidents.push(incident);
    }
    Ok(Observation {
        page: Some(PageInfo {
            name: feed.title.as_ref().map(Text::plain),
            url: web_root(page.url),
            time_zone: None,
        }),
        components: Vec::new(),
        incidents,
        notes: notes.0,
        follow: Vec::new(),
    })
}

fn as_derived(t: &TimeValue) -> TimeValue {
    TimeValue::derived(t.utc, t.raw.clone())
}

/// The incident ULID in a link such as `https://status.openai.com/incidents/01JX...`.
fn incident_id_in(link: &str) -> Option<String> {
    let mut segments = link.trim_end_matches('/').rsplit('/');
    let id = segments.next()?;
    (segments.next() == Some("incidents") && is_ulid(id)).then(|| id.to_string())
}

/// What one feed entry's HTML says.
struct EntryHtml {
    /// The word after "Status:".
    status_raw: Option<String>,
    /// The update's text.
    body: String,
    /// "Name (Status)" items under "Affected components".
    components: Vec<(String, Option<String>)>,
}

fn read_entry_html(html: &str) -> EntryHtml {
    let fragment = scraper::Html::parse_fragment(html);
    let block =
        scraper::Selector::parse("p, li, b, strong, h1, h2, h3, h4").expect("constant selector");
    let mut status_raw = None;
    let mut components = Vec::new();
    let mut body = Vec::new();
    let mut in_components = false;
    for el in fragment.select(&block) {
        let text = el
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let name = el.value().name();
        if text.is_empty() {
            continue;
        }
        if let Some(word) = text.strip_prefix("Status:") {
            status_raw = Some(word.trim().to_string());
            continue;
        }
        if text.eq_ignore_ascii_case("Affected components") {
            in_components = true;
            continue;
        }
        match name {
            "li" if in_components => components.push(split_component(&text)),
            "p" if !in_components && !has_block_child(el) => body.push(text),
            _ => {}
        }
    }
    EntryHtml {
        status_raw,
        body: body.join("\n\n"),
        components,
    }
}

/// A `<p>` whose only content is the bold "Status: ..." label is not body text.
fn has_block_child(el: scraper::ElementRef<'_>) -> bool {
    let own: String = el.text().collect();
    let bold: String = el
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "b" | "strong"))
        .flat_map(|c| c.text())
        .collect();
    !bold.is_empty() && own.trim() == bold.trim()
}

/// "Chat Completions (Degraded performance)" → name and status words.
fn split_component(text: &str) -> (String, Option<String>) {
    match text.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
        Some((name, status)) => (name.trim().to_string(), Some(status.trim().to_string())),
        None => (text.trim().to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_are_recognised() {
        assert!(is_ulid("01M3Q4RK1SM4EMK445GGPG7C0N"));
        assert!(!is_ulid("f0mhbz9xn497"));
        assert!(!is_ulid("01M3Q4RK1SM4EMK445GGPG7C0I"));
    }

    #[test]
    fn component_items_split_name_and_status() {
        assert_eq!(
            split_component("Login (Partial outage)"),
            ("Login".to_string(), Some("Partial outage".to_string()))
        );
        assert_eq!(split_component("Login"), ("Login".to_string(), None));
    }
}
