//! AWS Health Dashboard (`kind = "aws"`), three documents told apart by their content:
//!
//! * `https://health.aws.amazon.com/public/currentevents`: a JSON array of open events, served
//!   as UTF-16 with a byte-order mark; epoch times in seconds (strings and numbers) and, for
//!   status changes, milliseconds.
//! * the RSS feeds (`https://status.aws.amazon.com/rss/all.rss` and one per service): one item
//!   per update, titled "<level>: [RESOLVED] <title>", with `#<service>_<epoch>` guids. The
//!   items of one event become one incident with one update each.
//! * the legacy `https://status.aws.amazon.com/data.json` (`archive`, `current`): epoch seconds
//!   as strings, and one `<div>` per update inside `description`, stamped like `12:53 PM PDT`
//!   with no date: the date comes from the event and the sequence (through `timetext`).
//!
//! Components are AWS's service keys (`ec2-us-east-1`: service and region, the one name all
//! three documents share), grouped by region.

use super::rss_atom::{self, Format};
use super::support::{
    Notes, Scalar, Sniff, decode_text, epoch, links_to, read_json_text, rfc2822,
    strip_prefix_ignore_case, unexpected_start,
};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    ComponentChange, ComponentStatus, Impact, IncidentKind, Observation, ObservedComponent,
    ObservedIncident, ObservedUpdate, Status, TimeSource, TimeValue,
};
use chrono_tz::Tz;
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;
use timetext::{Context, Flag};

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Aws, "aws", product "aws" rank 0, formats [Json, Xml], one document
}

/// How surely a body is one of AWS's documents. Strong: `currentevents` whose events carry
/// AWS Health ARNs (`arn:aws:health:`), or an RSS feed of the dashboard (its channel links
/// `status.aws.amazon.com` or `health.aws.amazon.com`). Weak: the legacy `data.json` (its
/// `archive` and `current` events name no product), an empty array (which any of the array
/// documents could be). No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    if let Some(feed) = sniff.feed() {
        return if feed
            .link
            .as_deref()
            .is_some_and(|l| links_to(l, "aws.amazon.com"))
        {
            Confidence::Strong
        } else {
            Confidence::No
        };
    }
    match sniff.json() {
        Some(serde_json::Value::Array(events)) if events.is_empty() => Confidence::Weak,
        Some(serde_json::Value::Array(events)) => {
            let health_arns = events.iter().all(|e| {
                e.get("arn")
                    .and_then(|a| a.as_str())
                    .is_some_and(|a| a.starts_with("arn:aws:health:"))
            });
            if health_arns {
                Confidence::Strong
            } else {
                Confidence::No
            }
        }
        Some(serde_json::Value::Object(document)) => {
            let lists: Vec<&serde_json::Value> = ["archive", "current"]
                .iter()
                .filter_map(|key| document.get(*key))
                .collect();
            let legacy = !lists.is_empty()
                && lists.iter().all(|list| {
                    list.as_array().is_some_and(|events| {
                        events.iter().all(|e| {
                            ["service", "summary", "date"]
                                .iter()
                                .all(|key| e.get(key).is_some())
                        })
                    })
                });
            if legacy {
                Confidence::Weak
            } else {
                Confidence::No
            }
        }
        _ => Confidence::No,
    }
}

pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let text = decode_text(KIND, page.body)?;
    match text.trim_start().as_bytes().first() {
        Some(b'<') => rss(&text),
        Some(b'[') => current_events(&text),
        Some(b'{') => legacy(&text, page.zone),
        _ => Err(unexpected_start(
            KIND,
            "currentevents JSON, data.json or an RSS feed",
            &text,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// AWS's status levels: legacy `status`, currentevents `status` and `current`, the level of an
/// RSS title prefix. (component status, impact)
pub fn level(code: &str) -> Option<(ComponentStatus, Impact)> {
    Some(match code {
        "0" => (ComponentStatus::Operational, Impact::None),
        "1" => (ComponentStatus::DegradedPerformance, Impact::Minor),
        "2" => (ComponentStatus::PartialOutage, Impact::Major),
        "3" => (ComponentStatus::MajorOutage, Impact::Critical),
        _ => return None,
    })
}

/// The prefixes of RSS item titles, with the level each names.
pub const TITLE_PREFIXES: &[(&str, &str)] = &[
    ("Service is operating normally", "0"),
    ("Informational message", "1"),
    ("Service degradation", "2"),
    ("Service impact", "2"),
    ("Service disruption", "3"),
];

/// Marks every item of an event once it is over (legacy and RSS titles alike).
const RESOLVED_MARK: &str = "[RESOLVED]";

/// `ec2-us-east-1` → (`ec2`, `us-east-1`); a global service (`cloudfront`) has no region.
pub fn split_service(key: &str) -> (&str, Option<&str>) {
    static REGION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(.+?)-([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+|us-standard)$")
            .expect("constant regex")
    });
    match REGION.captures(key) {
        Some(c) => (
            c.get(1).map_or(key, |m| m.as_str()),
            c.get(2).map(|m| m.as_str()),
        ),
        None => (key, None),
    }
}

fn component(
    key: &str,
    code: &str,
    updated_at: Option<TimeValue>,
    notes: &mut Notes,
    place: &str,
) -> ObservedComponent {
    ObservedComponent {
        native_id: Some(key.to_string()),
        name: key.to_string(),
        group: split_service(key).1.map(str::to_string),
        status: component_status(code, notes, place),
        status_raw: code.to_string(),
        updated_at,
    }
}

fn component_status(code: &str, notes: &mut Notes, place: &str) -> ComponentStatus {
    match level(code) {
        Some((status, _)) => status,
        None => {
            notes.add(
                place,
                format!("unknown status level {code:?} kept raw, mapped to unknown"),
            );
            ComponentStatus::Unknown
        }
    }
}

fn impact(code: &str, notes: &mut Notes, place: &str) -> Option<Impact> {
    match level(code) {
        Some((_, impact)) => Some(impact),
        None => {
            notes.add(place, format!("unknown status level {code:?} kept raw"));
            None
        }
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

// ---------------------------------------------------------------------------------------------
// currentevents

#[derive(Deserialize)]
struct CurrentEvent {
    arn: String,
    date: Scalar,
    service: String,
    status: Scalar,
    summary: String,
    #[serde(default)]
    event_log: Vec<LogEntry>,
    #[serde(default)]
    impacted_services: BTreeMap<String, ImpactedService>,
    #[serde(default)]
    impacted_service_status_changes: Vec<StatusChange>,
}

#[derive(Deserialize)]
struct LogEntry {
    #[serde(default)]
    message: String,
    status: Scalar,
    timestamp: Scalar,
}

#[derive(Deserialize)]
struct ImpactedService {
    current: Scalar,
}

#[derive(Deserialize)]
struct StatusChange {
    service: String,
    current_status: Scalar,
    timestamp: Scalar,
}

fn current_events(text: &str) -> Result<Observation, ParseError> {
    let events: Vec<CurrentEvent> = read_json_text(KIND, text, "an AWS currentevents array")?;
    let mut notes = Notes::default();
    let mut observation = Observation::default();
    for (e, event) in events.into_iter().enumerate() {
        let place = format!("[{e}]");
        let status_code = event.status.text();
        let mut incident = ObservedIncident::new(IncidentKind::Incident, event.summary.clone());
        incident.native_id = Some(event.arn.clone());
        incident.impact = impact(&status_code, &mut notes, &format!("{place}.status"));
        incident.impact_raw = Some(status_code.clone());
        let start = epoch(KIND, &event.date.text(), &format!("{place}.date"))?;
        incident.created_at = Some(start.clone());
        incident.started_at = Some(start);

        // Each service's status: the event's own service at the event's level, the impacted
        // services at their `current` level, dated by their latest status change (epoch
        // milliseconds); services seen only in status changes at their latest change.
        let mut latest: Vec<(&str, String, TimeValue, usize)> = Vec::new();
        for (c, change) in event.impacted_service_status_changes.iter().enumerate() {
            let at = epoch(
                KIND,
                &change.timestamp.text(),
                &format!("{place}.impacted_service_status_changes[{c}].timestamp"),
            )?;
            let code = change.current_status.text();
            match latest.iter_mut().find(|(key, ..)| *key == change.service) {
                Some(held) if held.2.utc > at.utc => {}
                Some(held) => *held = (&change.service, code, at, c),
                None => latest.push((&change.service, code, at, c)),
            }
        }
        let mut services: Vec<(String, String, Option<TimeValue>, String)> = Vec::new();
        if !event.impacted_services.contains_key(&event.service) {
            services.push((
                event.service.clone(),
                status_code.clone(),
                None,
                format!("{place}.status"),
            ));
        }
        for (key, service) in &event.impacted_services {
            let dated = latest
                .iter()
                .find(|(k, ..)| k == key)
                .map(|(_, _, at, _)| at.clone());
            services.push((
                key.clone(),
                service.current.text(),
                dated,
                format!("{place}.impacted_services.{key}"),
            ));
        }
        for (key, code, at, c) in &latest {
            if !services.iter().any(|(k, ..)| k == key) {
                services.push((
                    key.to_string(),
                    code.clone(),
                    Some(at.clone()),
                    format!("{place}.impacted_service_status_changes[{c}]"),
                ));
            }
        }
        push_unique(&mut incident.components, &event.service);
        for (key, code, updated_at, place) in services {
            push_unique(&mut incident.components, &key);
            observation
                .components
                .push(component(&key, &code, updated_at, &mut notes, &place));
        }

        for (l, entry) in event.event_log.into_iter().enumerate() {
            let place = format!("{place}.event_log[{l}]");
            let stamp = entry.timestamp.text();
            let posted_at = epoch(KIND, &stamp, &format!("{place}.timestamp"))?;
            // The RSS guid of the same update is `<service>_<timestamp>`: sharing it lets the
            // normalizer merge this event with the feed's.
            incident.aliases.push(format!("{}_{stamp}", event.service));
            let code = entry.status.text();
            incident.updates.push(ObservedUpdate {
                native_id: None,
                status: (code == "0").then_some(Status::Resolved),
                status_raw: Some(code.clone()),
                posted_at,
                body: entry.message,
                components: vec![ComponentChange {
                    native_id: Some(event.service.clone()),
                    name: event.service.clone(),
                    status: component_status(&code, &mut notes, &place),
                    status_raw: code,
                }],
            });
        }
        observation.incidents.push(incident);
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

// ---------------------------------------------------------------------------------------------
// RSS

/// One RSS item, read.
struct FeedItem {
    place: String,
    /// `directconnect-eu-central-1_1787025679`
    key: String,
    service: String,
    prefix: Option<(&'static str, &'static str)>,
    resolved_mark: bool,
    title: String,
    posted_at: TimeValue,
    body: String,
}

fn rss(text: &str) -> Result<Observation, ParseError> {
    let document = rss_atom::read_text(KIND, text)?;
    if document.format != Format::Rss {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            format!("{}, not an AWS RSS feed", document.format.described()),
        ));
    }
    let mut notes = Notes::default();
    let mut items = Vec::with_capacity(document.entries.len());
    for entry in document.entries {
        let place = entry.place.clone();
        let guid = entry.id.clone().unwrap_or_default();
        let key = guid.rsplit_once('#').map(|(_, k)| k).unwrap_or("");
        let Some((service, stamp)) = key.rsplit_once('_').filter(|(s, n)| {
            !s.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        }) else {
            return Err(ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &place,
                format!("guid {guid:?} is not an AWS event guid (…#<service>_<epoch>)"),
            ));
        };
        let published = entry.published.clone().ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &place,
                "item has no pubDate",
            )
        })?;
        let posted_at = rfc2822(KIND, &published, &place)?;
        if let Ok(from_guid) = epoch(KIND, stamp, &place)
            && from_guid.utc != posted_at.utc
        {
            notes.add(
                &place,
                format!("guid time {stamp} differs from pubDate {published:?}; pubDate kept"),
            );
        }
        let full_title = entry.title_text().unwrap_or_default().to_string();
        let mut rest = full_title.trim();
        let mut prefix = None;
        for &(word, code) in TITLE_PREFIXES {
            if let Some(after) = strip_prefix_ignore_case(rest, word)
                && let Some(after) = after.strip_prefix(':')
            {
                prefix = Some((word, code));
                rest = after.trim_start();
                break;
            }
        }
        if prefix.is_none() {
            notes.add(
                &place,
                format!("title {full_title:?} has no known level prefix; level unknown"),
            );
        }
        let resolved_mark = match strip_prefix_ignore_case(rest, RESOLVED_MARK) {
            Some(after) => {
                rest = after.trim_start();
                true
            }
            None => false,
        };
        items.push(FeedItem {
            place,
            key: key.to_string(),
            service: service.to_string(),
            prefix,
            resolved_mark,
            title: rest.to_string(),
            posted_at,
            body: entry.content_text().unwrap_or_default().to_string(),
        });
    }

    // Oldest first, then each service's items join its open event until an item says the
    // service is operating normally again. A new event for a service starts after that.
    items.sort_by_key(|i| i.posted_at.utc);
    let mut events: Vec<Vec<FeedItem>> = Vec::new();
    let mut open: HashMap<String, usize> = HashMap::new();
    for item in items {
        let closes = item.prefix.is_some_and(|(_, code)| code == "0");
        let service = item.service.clone();
        let index = match open.get(&service) {
            Some(&index) => {
                let first = &events[index][0];
                if !first.title.eq_ignore_ascii_case(&item.title) {
                    notes.add(
                        &item.place,
                        format!(
                            "title {:?} differs from its event's {:?}; same service and the event was still open, so kept together",
                            item.title, first.title
                        ),
                    );
                }
                events[index].push(item);
                index
            }
            None => {
                events.push(vec![item]);
                events.len() - 1
            }
        };
        if closes {
            open.remove(&service);
        } else {
            open.insert(service, index);
        }
    }

    let mut observation = Observation::default();
    for items in events {
        observation.incidents.push(rss_event(items, &mut notes));
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

fn rss_event(items: Vec<FeedItem>, notes: &mut Notes) -> ObservedIncident {
    let first = &items[0];
    let last = &items[items.len() - 1];
    let service = first.service.clone();
    let mut incident = ObservedIncident::new(IncidentKind::Incident, last.title.clone());
    // The first item seen names the event; every item's key is an alias, so the record is
    // found again once the first item has left the feed's window.
    incident.native_id = Some(first.key.clone());
    incident.aliases = items.iter().skip(1).map(|i| i.key.clone()).collect();
    incident.components = vec![service.clone()];
    // The worst level any item announced.
    let worst = items
        .iter()
        .filter_map(|i| i.prefix)
        .filter(|(_, code)| *code != "0")
        .max_by_key(|(_, code)| *code);
    if let Some((word, code)) = worst {
        incident.impact = level(code).map(|(_, impact)| impact);
        incident.impact_raw = Some(word.to_string());
    }
    let closed_by_item = last.prefix.is_some_and(|(_, code)| code == "0");
    if !closed_by_item && items.iter().any(|i| i.resolved_mark) {
        // Marked resolved, but the item that closed it is not in this feed.
        incident.status = Some(Status::Resolved);
        incident.status_raw = Some(RESOLVED_MARK.to_string());
    }
    for item in items {
        let (word, code) = match item.prefix {
            Some((word, code)) => (Some(word.to_string()), code.to_string()),
            None => (None, String::new()),
        };
        let status = if code.is_empty() {
            ComponentStatus::Unknown
        } else {
            component_status(&code, notes, &item.place)
        };
        incident.updates.push(ObservedUpdate {
            native_id: Some(item.key),
            status: (code == "0").then_some(Status::Resolved),
            status_raw: word.clone(),
            posted_at: item.posted_at,
            body: item.body,
            components: vec![ComponentChange {
                native_id: Some(service.clone()),
                name: service.clone(),
                status,
                status_raw: word.unwrap_or_default(),
            }],
        });
    }
    incident
}

// ---------------------------------------------------------------------------------------------
// Legacy data.json

/// The zone AWS writes its dashboard times in, when the source configures none.
const DASHBOARD_ZONE: Tz = chrono_tz::America::Los_Angeles;

#[derive(Deserialize)]
struct LegacyDocument {
    archive: Vec<LegacyEvent>,
    current: Vec<LegacyEvent>,
}

#[derive(Deserialize)]
struct LegacyEvent {
    summary: String,
    date: Scalar,
    status: Scalar,
    #[serde(default)]
    details: String,
    description: String,
    service: String,
}

fn legacy(text: &str, zone: Option<Tz>) -> Result<Observation, ParseError> {
    let document: LegacyDocument = read_json_text(KIND, text, "an AWS data.json object")?;
    let zone = zone.unwrap_or(DASHBOARD_ZONE);
    let mut notes = Notes::default();
    let mut observation = Observation::default();
    for (list, events) in [("archive", document.archive), ("current", document.current)] {
        for (e, event) in events.into_iter().enumerate() {
            let place = format!("{list}[{e}]");
            let code = event.status.text();
            if list == "current" {
                observation.components.push(component(
                    &event.service,
                    &code,
                    None,
                    &mut notes,
                    &format!("{place}.status"),
                ));
            }
            observation
                .incidents
                .push(legacy_event(event, &code, zone, &place, &mut notes)?);
        }
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

fn legacy_event(
    event: LegacyEvent,
    code: &str,
    zone: Tz,
    place: &str,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let date = event.date.text();
    let start = epoch(KIND, &date, &format!("{place}.date"))?;
    let (title, resolved) = match strip_prefix_ignore_case(event.summary.trim(), RESOLVED_MARK) {
        Some(rest) => (rest.trim().to_string(), true),
        None => (event.summary.trim().to_string(), false),
    };
    let mut incident = ObservedIncident::new(IncidentKind::Incident, title);
    incident.native_id = Some(format!("{}_{date}", event.service));
    incident.impact = impact(code, notes, &format!("{place}.status"));
    incident.impact_raw = Some(code.to_string());
    incident.components = vec![event.service.clone()];
    if resolved {
        incident.status = Some(Status::Resolved);
        incident.status_raw = Some(RESOLVED_MARK.to_string());
    }
    if !event.details.trim().is_empty() {
        notes.add(
            format!("{place}.details"),
            "details text not read (kept in the raw page)",
        );
    }

    // One <div> per update: a <span> with the stamp, then the text.
    let fragment = scraper::Html::parse_fragment(&event.description);
    let divs = scraper::Selector::parse("div").expect("constant selector");
    let spans = scraper::Selector::parse("span").expect("constant selector");
    let mut stamps = Vec::new();
    let mut bodies = Vec::new();
    for (d, div) in fragment.select(&divs).enumerate() {
        let Some(span) = div.select(&spans).next() else {
            notes.add(
                format!("{place}.description.div[{d}]"),
                "update without a time stamp skipped (kept in the raw page)",
            );
            continue;
        };
        let stamp: String = span.text().collect::<String>().trim().to_string();
        let all: String = div.text().collect();
        let body = all
            .trim_start()
            .strip_prefix(stamp.as_str())
            .unwrap_or(&all)
            .replace('\u{a0}', " ")
            .trim()
            .to_string();
        stamps.push((d, stamp));
        bodies.push(body);
    }
    if stamps.is_empty() && !event.description.trim().is_empty() {
        notes.add(
            format!("{place}.description"),
            "no <div><span>stamp</span> text</div> updates found",
        );
    }

    // The stamps have no date: the event's own date (its epoch in the dashboard's zone) and
    // the order of the updates give it. An update past midnight is on the next day.
    let local_date = start.utc.with_timezone(&zone).date_naive();
    let ctx = Context::on_date(local_date).with_zone(zone);
    let texts: Vec<&str> = stamps.iter().map(|(_, s)| s.as_str()).collect();
    let readings = timetext::parse_sequence(&texts, &ctx);
    let count = stamps.len();
    for (n, (((d, stamp), body), reading)) in
        stamps.into_iter().zip(bodies).zip(readings).enumerate()
    {
        let place = format!("{place}.description.div[{d}]");
        let parsed = match reading {
            Ok(parsed) => parsed,
            Err(e) => {
                notes.add(
                    &place,
                    format!("update skipped: its stamp {stamp:?} does not read as a time: {e}"),
                );
                continue;
            }
        };
        let from_context = [Flag::DateFromContext, Flag::YearInferred, Flag::DayRollover]
            .into_iter()
            .any(|f| parsed.flags.contains(f));
        for flag in parsed.flags.iter() {
            if !matches!(flag, Flag::DateFromContext | Flag::YearInferred) {
                notes.add(&place, format!("stamp {stamp:?}: {}", flag.as_str()));
            }
        }
        let posted_at = TimeValue::new(
            parsed.utc,
            stamp,
            if from_context {
                TimeSource::Derived
            } else {
                TimeSource::Structured
            },
        )
        .with_flags(parsed.flags);
        // The last update of an event marked resolved is the one that resolved it.
        let closes = resolved && n + 1 == count;
        incident.updates.push(ObservedUpdate {
            native_id: None,
            status: closes.then_some(Status::Resolved),
            status_raw: closes.then(|| RESOLVED_MARK.to_string()),
            posted_at,
            body,
            components: Vec::new(),
        });
    }
    // `date` is when AWS opened the event.
    incident.created_at = Some(start.clone());
    incident.started_at = Some(start);
    Ok(incident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_keys_split_into_service_and_region() {
        assert_eq!(split_service("ec2-us-east-1"), ("ec2", Some("us-east-1")));
        assert_eq!(
            split_service("internetconnectivity-us-gov-west-1"),
            ("internetconnectivity", Some("us-gov-west-1"))
        );
        assert_eq!(
            split_service("multipleservices-me-central-1"),
            ("multipleservices", Some("me-central-1"))
        );
        assert_eq!(split_service("s3-us-standard"), ("s3", Some("us-standard")));
        assert_eq!(split_service("cloudfront"), ("cloudfront", None));
        assert_eq!(
            split_service("management-console"),
            ("management-console", None)
        );
    }
}
