//! Instatus status pages (`kind = "instatus"`): `/summary.json` (the page's state with its
//! active incidents and maintenances), `/v2/components.json` (also served as
//! `/v3/components.json`: nested component groups) and `/history.atom` (past incidents and
//! maintenances with their updates).
//!
//! Instatus leaves keys out when empty (`activeIncidents` is absent on a healthy page), writes
//! words in capitals (`PARTIALOUTAGE`, `NOTSTARTEDYET`) and a maintenance's `duration` in
//! minutes, as a number or a numeric string.

use super::support::{
    Notes, Sniff, null_default, read_json, refuse_html, rfc3339_opt, start_of, trimmed,
};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentStatus, Impact, IncidentKind, Observation, ObservedComponent, ObservedIncident,
    PageInfo, Status, TimeValue,
};
use chrono::TimeDelta;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Instatus, "instatus", product "instatus" rank 0, formats [Json, Xml]
}

/// A base URL reads the summary, the component list and the history feed (both optional: a
/// page may lack them); a URL of one document reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    let path = url.path();
    if path.ends_with(".json") || path.ends_with(".atom") {
        return single(url);
    }
    under(
        url,
        &[
            ("summary.json", true),
            ("v2/components.json", false),
            ("history.atom", false),
        ],
    )
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

/// How surely a body is one of Instatus's documents. Strong: a summary with Instatus's keys
/// (`activeIncidents`, `activeMaintenances`) or its page state word (`UP`, `HASISSUES`); a
/// component list in its capital words (`OPERATIONAL`); a history feed whose entries are at
/// `<page>/<cuid>` (Instatus's ids: `c` and 24 lowercase letters and digits). Weak: a summary
/// page with an unknown state word, an empty component list. No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    if let Some(feed) = sniff.feed() {
        let cuid_entries = feed.entries.iter().any(|e| {
            e.link.iter().chain(&e.id).any(|link| {
                link.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .is_some_and(is_cuid)
            })
        });
        return if cuid_entries {
            Confidence::Strong
        } else {
            Confidence::No
        };
    }
    let Some(Value::Object(document)) = sniff.json() else {
        return Confidence::No;
    };
    if document.contains_key("activeIncidents") || document.contains_key("activeMaintenances") {
        return Confidence::Strong;
    }
    if let Some(page) = document.get("page") {
        return match page.get("status").and_then(Value::as_str) {
            Some(word) if known_page_status(word) => Confidence::Strong,
            Some(_) => Confidence::Weak,
            None => Confidence::No,
        };
    }
    match document.get("components").and_then(Value::as_array) {
        Some(list) if list.is_empty() => Confidence::Weak,
        Some(list) => {
            // Capital words throughout, at least one of them Instatus's.
            let words: Vec<Option<&str>> = list
                .iter()
                .map(|c| c.get("status").and_then(Value::as_str))
                .collect();
            let capitals = words
                .iter()
                .all(|w| w.is_some_and(|w| w == w.to_ascii_uppercase()));
            if capitals
                && words
                    .iter()
                    .flatten()
                    .any(|w| component_status_word(w).is_some())
            {
                Confidence::Strong
            } else {
                Confidence::No
            }
        }
        None => Confidence::No,
    }
}

/// An Instatus id (a cuid): `c` and 24 lowercase letters and digits
/// (`clq3wc2ap1350bronl8974nko`).
fn is_cuid(id: &str) -> bool {
    id.len() == 25
        && id.starts_with('c')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Parses `summary.json`, `components.json` or `history.atom`.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let body = trimmed(page.body);
    refuse_html(KIND, body, "Instatus JSON or Atom")?;
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
            ParseCause::WrongFormat,
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

/// `history.atom`: past incidents and maintenances, one entry each, with every update in the
/// entry's HTML as Statuspage writes it: `<p><small>Jun <var data-var='date'> 5</var>,
/// <var data-var='time'>01:40:38</var> GMT+0</small><br><strong>Resolved</strong> - text</p>`,
/// newest first. The stamps carry no year: it is the one nearest the entry's `<updated>` date
/// (so a December update of an incident resolved in January falls in the year before).
/// A maintenance entry's `<published>` is its scheduled start.
mod history {
    use super::*;
    use crate::model::{ObservedUpdate, TimeSource};
    use crate::providers::rss_atom::{self, Text};
    use scraper::{ElementRef, Html, Selector};
    use timetext::{Context, Flag};

    /// One `<p>` of an entry: its stamp, its label and its text.
    struct Post {
        stamp: String,
        label: String,
        body: String,
    }

    pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
        let feed = rss_atom::read(KIND, page.body)?;
        let mut notes = Notes::default();
        let mut incidents = Vec::new();
        for entry in &feed.entries {
            let place = entry.label();
            let native = (entry.link.as_deref())
                .or(entry.id.as_deref())
                .and_then(last_segment);
            let title = entry.title.as_ref().map(Text::plain).unwrap_or_default();
            let posts = posts(entry.content_text().unwrap_or_default());
            if posts.is_empty() {
                return Err(ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    &place,
                    "entry has no update (<p><small>stamp</small> <strong>label</strong> - text)",
                ));
            }
            let Some(anchor) = entry.updated_time().or_else(|| entry.published_time()) else {
                return Err(ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    &place,
                    "entry has neither <updated> nor <published>: its stamps' year cannot be known",
                ));
            };
            let mut context = Context::on_date(anchor.utc.date_naive());
            if let Some(zone) = page.zone {
                context = context.with_zone(zone);
            }
            // Oldest first, so that each stamp is read after the one before it.
            let oldest_first: Vec<&Post> = posts.iter().rev().collect();
            let stamps: Vec<&str> = oldest_first.iter().map(|p| p.stamp.as_str()).collect();
            let times = timetext::parse_sequence(&stamps, &context);
            let mut updates = Vec::with_capacity(posts.len());
            let mut maintenance = false;
            for (j, (post, time)) in oldest_first.into_iter().zip(times).enumerate() {
                let uplace = format!("{place} update {}", j + 1);
                let parsed = time.map_err(|e| {
                    ParseError::at(
                        KIND,
                        ParseCause::InvalidValue,
                        &uplace,
                        format!("stamp {:?}: {e}", post.stamp),
                    )
                })?;
                for flag in parsed.flags.iter().filter(|f| *f != Flag::YearInferred) {
                    notes.add(
                        &uplace,
                        format!("stamp {:?} read with {}", post.stamp, flag.as_str()),
                    );
                }
                let source = if parsed.flags.contains(Flag::YearInferred) {
                    TimeSource::Derived
                } else {
                    TimeSource::Stated
                };
                let (status, status_raw) = label_status(&post.label, &uplace, &mut notes);
                maintenance |= status.is_some_and(Status::is_maintenance);
                updates.push(ObservedUpdate {
                    native_id: None,
                    status,
                    status_raw,
                    posted_at: TimeValue::new(parsed.utc, post.stamp.clone(), source)
                        .with_flags(parsed.flags),
                    body: post.body.clone(),
                    components: Vec::new(),
                });
            }
            let kind = if maintenance {
                IncidentKind::Maintenance
            } else {
                IncidentKind::Incident
            };
            let mut incident = ObservedIncident::new(kind, title);
            incident.native_id = native.clone().or_else(|| entry.id.clone());
            if let Some(id) = &entry.id
                && incident.native_id.as_ref() != Some(id)
            {
                incident.aliases.push(id.clone());
            }
            incident.url = entry.link.clone();
            if kind == IncidentKind::Maintenance {
                incident.scheduled_for = entry.published_time();
            }
            incident.updates = updates;
            incidents.push(incident);
        }
        Ok(Observation {
            page: Some(PageInfo {
                name: feed.title.as_ref().map(Text::plain),
                url: super::super::support::web_root(page.url),
                time_zone: None,
            }),
            components: Vec::new(),
            incidents,
            notes: notes.0,
            follow: Vec::new(),
        })
    }

    /// An update's label: "Update" adds text only; any other is an Instatus status word
    /// written for people ("Not started yet" is `NOTSTARTEDYET`).
    fn label_status(
        label: &str,
        place: &str,
        notes: &mut Notes,
    ) -> (Option<Status>, Option<String>) {
        if label.eq_ignore_ascii_case("update") {
            return (None, Some(label.to_string()));
        }
        let word: String = label
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let status = status_word(&word);
        if status.is_none() {
            notes.add(place, format!("unknown update label {label:?} kept raw"));
        }
        (status, Some(label.to_string()))
    }

    /// The incident id at the end of an entry link (`https://status.x.com/<id>`,
    /// `.../incident/<id>`).
    fn last_segment(link: &str) -> Option<String> {
        let id = link.trim_end_matches('/').rsplit('/').next()?;
        (!id.is_empty() && !id.contains(':') && id.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| id.to_string())
    }

    fn posts(html: &str) -> Vec<Post> {
        let fragment = Html::parse_fragment(html);
        let p = Selector::parse("p").expect("constant selector");
        fragment
            .select(&p)
            .filter_map(|p| {
                let mut stamp = None;
                let mut label = None;
                let mut rest = String::new();
                for child in p.children() {
                    if let Some(el) = ElementRef::wrap(child) {
                        match el.value().name() {
                            "small" if stamp.is_none() => {
                                stamp = Some(collapse(&el.text().collect::<String>()))
                            }
                            "strong" | "b" if label.is_none() => {
                                label = Some(collapse(&el.text().collect::<String>()))
                            }
                            "br" => rest.push('\n'),
                            _ => rest.push_str(&el.text().collect::<String>()),
                        }
                    } else if let Some(text) = child.value().as_text() {
                        rest.push_str(text);
                    }
                }
                let body = rest.trim();
                let body = body.strip_prefix('-').unwrap_or(body).trim();
                Some(Post {
                    stamp: stamp?,
                    label: label?,
                    body: body.to_string(),
                })
            })
            .collect()
    }

    /// Whitespace runs as one space, ends trimmed: "Jan  1, 00:31:40 GMT+0" keeps its words.
    fn collapse(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}
