//! Atlassian Statuspage pages as rendered for people (`kind = "statuspage-html"`), read with
//! scraper. Three pages, told apart by their markup, not their URL:
//!
//! * the home page: unresolved incidents, components (groups and their members, with
//!   `data-component-status`), upcoming scheduled maintenances, and "Past Incidents" by day
//!   (`<div class="date">Jan <var data-var="date">22</var>, <var data-var="year">2021</var></div>`);
//! * an incident page (`/incidents/<code>`): every update with its full stamp;
//! * the history page (`/history`): its incident list is JSON in the `data-react-props`
//!   attribute of `<div data-react-class="HistoryIndex">`, each incident with the period the
//!   page shows for it ("Jul 14, 14:31 - 14:32 CST").
//!
//! Stamps are written in the page's zone abbreviation (UTC, PST, CET, ...) and go through
//! [`timetext`]. Year-less stamps take their year from the nearest context the page
//! gives: a day header, the history month, or (unresolved incidents, upcoming maintenance
//! notices) the page's render time (`<meta name="issued">`), before which they were posted.

use super::statuspage::{component_status_word, impact_word};
use super::statuspage_text::{
    Label, collapse_whitespace, impact_from_classes, incident_code, label, note_flags,
    posted_before, read_stamp, selector, text_of, update_body, value_at,
};
use super::support::{Sniff, json_message};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    ComponentStatus, IncidentKind, Observation, ObservedComponent, ObservedIncident,
    ObservedUpdate, PageInfo, ParseNote, Status, TimeValue,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html};
use serde::Deserialize;
use timetext::{Context, Evidence};
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
// The configured page: a base URL is the home page; the URL of an incident page or of the
// history page is that page. (The history page is not added to a home page's source: an
// older history layout would fail the source for a page it does not need. Configure it as a
// source of its own.)
kind_spec! {
    StatuspageHtml, "statuspage-html", product "statuspage" rank 2, formats [Html], one document
}

/// Markup only Statuspage's own pages have.
const PAGE_MARKERS: &[&str] = &[
    "components-container",
    "incidents-list",
    "unresolved-incidents",
    "incident-updates-container",
    "data-react-class=\"HistoryIndex\"",
];
/// Traces of Statuspage's hosting: its badge, its hosts, its asset CDN.
const PRODUCT_MARKERS: &[&str] = &[
    "Powered by Statuspage",
    "statuspage.io",
    "dka575ofm4ao0.cloudfront.net",
];

/// Strong when the page has Statuspage's markup and a trace of its hosting; Weak for the
/// markup alone.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let text = String::from_utf8_lossy(sniff.body);
    let head = text.trim_start_matches(|c: char| c.is_whitespace() || c == '`');
    if !head.starts_with('<') {
        return Confidence::No;
    }
    let markup = PAGE_MARKERS.iter().any(|m| text.contains(m));
    let product = PRODUCT_MARKERS.iter().any(|m| text.contains(m));
    match (markup, product) {
        (true, true) => Confidence::Strong,
        (true, false) => Confidence::Weak,
        _ => Confidence::No,
    }
}

/// Parses a Statuspage home, incident or history page.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let text = std::str::from_utf8(page.body).map_err(|e| {
        ParseError::at(
            KIND,
            ParseCause::NotUtf8,
            format!("byte {}", e.valid_up_to()),
            "body is not UTF-8 text",
        )
    })?;
    let document = Html::parse_document(text);
    let mut reader = Reader {
        page,
        notes: Vec::new(),
        root: page_root(page.url),
        rendered_at: rendered_at(&document).unwrap_or(page.fetched_at),
        evidence: stamp_evidence(&document),
    };
    let mut observation = if let Some(history) = document
        .select(&selector("[data-react-class=\"HistoryIndex\"]"))
        .next()
    {
        reader.history(history)?
    } else if document
        .select(&selector(".incident-updates-container"))
        .next()
        .is_some()
    {
        reader.incident_page(&document)?
    } else if [
        "components-container",
        "incidents-list",
        "unresolved-incidents",
        "page-status",
    ]
    .iter()
    .any(|class| document.select(&selector_for_class(class)).next().is_some())
    {
        reader.home(&document)?
    } else {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            "no Statuspage home, incident or history markup (looked for .components-container, \
             .incidents-list, .unresolved-incidents, .page-status, .incident-updates-container, \
             [data-react-class=HistoryIndex])",
        ));
    };
    observation.page = Some(PageInfo {
        name: document
            .select(&selector("title"))
            .next()
            .map(|t| collapse_whitespace(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty()),
        url: reader.root.clone(),
        time_zone: None,
    });
    observation.notes = reader.notes;
    Ok(observation)
}

fn selector_for_class(class: &str) -> scraper::Selector {
    // The four class names above are constants; a class selector of them always parses.
    scraper::Selector::parse(&format!(".{class}")).expect("class selectors of constants parse")
}

/// `https://host` of the page, for incident links; none for a file.
fn page_root(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    match url.scheme() {
        "http" | "https" => Some(url.origin().ascii_serialization()),
        _ => None,
    }
}

/// When Statuspage rendered the page: `<meta name="issued" content="<unix seconds>">`.
fn rendered_at(document: &Html) -> Option<DateTime<Utc>> {
    let meta = document.select(&selector("meta[name=\"issued\"]")).next()?;
    let seconds: i64 = meta.value().attr("content")?.trim().parse().ok()?;
    Utc.timestamp_opt(seconds, 0).single()
}

/// What the page's update stamps (`<small>`) agree on, the zone their unambiguous
/// abbreviations name: it picks the reading of an ambiguous one ("CST" beside "HKT" is China's).
fn stamp_evidence(document: &Html) -> Evidence {
    let stamps: Vec<String> = document
        .select(&selector("small"))
        .map(|s| collapse_whitespace(&s.text().collect::<String>()))
        .collect();
    Evidence::from_stamps(stamps.iter().map(String::as_str))
}

struct Reader<'p, 'b> {
    page: &'p PageInput<'b>,
    notes: Vec<ParseNote>,
    root: Option<String>,
    rendered_at: DateTime<Utc>,
    /// What the page's other stamps say, after the source's zone.
    evidence: Evidence,
}

impl Reader<'_, '_> {
    fn context(&self, anchor: NaiveDate) -> Context {
        let mut context = Context::on_date(anchor).with_evidence(self.evidence);
        if let Some(zone) = self.page.zone {
            context = context.with_zone(zone);
        }
        context
    }

    fn note(&mut self, place: &str, message: String) {
        self.notes.push(ParseNote {
            place: place.to_string(),
            message,
        });
    }

    /// An absolute link; a relative one on a page without a host (a saved file) is none.
    fn link(&self, href: &str) -> Option<String> {
        match (&self.root, href.starts_with('/')) {
            (Some(root), true) => Some(format!("{root}{href}")),
            (None, true) => None,
            _ => Some(href.to_string()),
        }
    }

    // ----- home page -----

    fn home(&mut self, document: &Html) -> Result<Observation, ParseError> {
        let mut observation = Observation {
            components: self.components(document),
            ..Observation::default()
        };
        let posted = self.context(posted_before(self.rendered_at));
        for (i, block) in document
            .select(&selector(".unresolved-incidents .unresolved-incident"))
            .enumerate()
        {
            let place = format!("unresolved-incident[{i}]");
            if let Some(incident) = self.rendered_incident(block, &posted, &place) {
                observation.incidents.push(incident);
            }
        }
        for (i, block) in document
            .select(&selector(
                ".scheduled-maintenances-container .scheduled-maintenance",
            ))
            .enumerate()
        {
            let place = format!("scheduled-maintenance[{i}]");
            if let Some(incident) = self.upcoming_maintenance(block, &place) {
                observation.incidents.push(incident);
            }
        }
        for (d, day) in document
            .select(&selector(".incidents-list .status-day"))
            .enumerate()
        {
            let place = format!("status-day[{d}]");
            let header = day
                .select(&selector(".date"))
                .next()
                .map(|h| collapse_whitespace(&h.text().collect::<String>()))
                .unwrap_or_default();
            let date = match timetext::parse_date(&header, &Context::new()) {
                Ok(parsed) if parsed.flags.is_empty() => parsed.date,
                Ok(parsed) => {
                    self.note(
                        &place,
                        format!(
                            "day header {header:?} read as {} ({:?})",
                            parsed.date, parsed.flags
                        ),
                    );
                    parsed.date
                }
                Err(e) => {
                    return Err(ParseError::at(
                        KIND,
                        ParseCause::InvalidValue,
                        place,
                        format!("day header {header:?} is not a date: {e}"),
                    ));
                }
            };
            let context = self.context(date);
            for (i, block) in day.select(&selector(".incident-container")).enumerate() {
                let place = format!("{place} ({date}) incident[{i}]");
                if let Some(incident) = self.rendered_incident(block, &context, &place) {
                    observation.incidents.push(incident);
                }
            }
        }
        Ok(observation)
    }

    /// Components in page order. A group (`.is-group`) is not stored itself: its name is the
    /// `group` of its members, as in the JSON API.
    fn components(&mut self, document: &Html) -> Vec<ObservedComponent> {
        let mut out = Vec::new();
        let inner = selector(".component-inner-container");
        let children = selector(".child-components-container .component-inner-container");
        for (i, container) in document
            .select(&selector(".components-container .component-container"))
            .enumerate()
        {
            let place = format!("component-container[{i}]");
            let is_group = container.value().classes().any(|c| c == "is-group");
            if is_group {
                let group = container
                    .select(&inner)
                    .next()
                    .map(|head| self.component_name(head))
                    .filter(|n| !n.is_empty());
                for child in container.select(&children) {
                    out.push(self.component(child, group.clone(), &place));
                }
            } else if let Some(element) = container.select(&inner).next() {
                out.push(self.component(element, None, &place));
            }
        }
        out
    }

    fn component_name(&self, element: ElementRef<'_>) -> String {
        element
            .select(&selector(".name"))
            .next()
            .map(|n| collapse_whitespace(&n.text().collect::<String>()))
            .unwrap_or_default()
    }

    fn component(
        &mut self,
        element: ElementRef<'_>,
        group: Option<String>,
        place: &str,
    ) -> ObservedComponent {
        let name = self.component_name(element);
        let shown = element
            .select(&selector(".component-status"))
            .next()
            .map(|s| collapse_whitespace(&s.text().collect::<String>()))
            .unwrap_or_default();
        // The machine word where the page has it, else the words people see.
        let raw = element
            .value()
            .attr("data-component-status")
            .map(str::to_string)
            .unwrap_or(shown);
        let status = component_status_word(&raw)
            .or_else(|| shown_component_status(&raw))
            .unwrap_or_else(|| {
                self.note(
                    place,
                    format!(
                        "component {name:?}: unknown status {raw:?} kept raw, mapped to unknown"
                    ),
                );
                ComponentStatus::Unknown
            });
        ObservedComponent {
            native_id: element
                .value()
                .attr("data-component-id")
                .map(str::to_string),
            name,
            group,
            status,
            status_raw: raw,
            updated_at: None,
        }
    }

    /// An incident as the home page renders it, unresolved or under its day: a title link to
    /// `/incidents/<code>`, an `impact-*` class, and updates with a `<strong>` label and a
    /// `<small>` stamp.
    fn rendered_incident(
        &mut self,
        block: ElementRef<'_>,
        context: &Context,
        place: &str,
    ) -> Option<ObservedIncident> {
        let title_link = block.select(&selector(".incident-title a")).find(|a| {
            a.value()
                .attr("href")
                .is_some_and(|h| h.contains("/incidents/"))
        });
        let Some(title_link) = title_link else {
            self.note(
                place,
                "incident without a title link to /incidents/<code>; skipped".into(),
            );
            return None;
        };
        let href = title_link.value().attr("href").unwrap_or_default();
        let mut incident = ObservedIncident::new(
            IncidentKind::Incident,
            collapse_whitespace(&title_link.text().collect::<String>()),
        );
        incident.native_id = incident_code(href);
        incident.url = self.link(href);
        let impact = impact_from_classes(&block).or_else(|| {
            block
                .select(&selector(".incident-title"))
                .next()
                .and_then(|t| impact_from_classes(&t))
        });
        self.set_impact(&mut incident, impact, place);
        let mut updates = Vec::new();
        for (i, update) in block.select(&selector(".update")).enumerate() {
            let place = format!("{place} update[{i}]");
            let label_text = update
                .select(&selector("strong"))
                .next()
                .map(|s| collapse_whitespace(&s.text().collect::<String>()));
            let stamp = update
                .select(&selector("small"))
                .next()
                .map(|s| s.text().collect::<String>());
            let (Some(label_text), Some(stamp)) = (label_text, stamp) else {
                self.note(
                    &place,
                    "update without a <strong> label and <small> stamp; skipped".into(),
                );
                continue;
            };
            let Some((posted_at, _)) = read_stamp(&stamp, context, &place, &mut self.notes) else {
                continue;
            };
            let status = self.update_status(&label_text, &place);
            updates.push(ObservedUpdate {
                native_id: None,
                status,
                status_raw: Some(label_text),
                posted_at,
                body: update_body(update),
                components: Vec::new(),
            });
        }
        // Rendered newest first.
        updates.reverse();
        incident.updates = updates;
        self.set_kind(&mut incident);
        Some(incident)
    }

    /// An upcoming maintenance: a title, its window (`<small data-unix-time>` with
    /// "Jan 24, 00:00-03:00 UTC"), and notices without labels ("Posted on Jan 22, 10:00 UTC").
    fn upcoming_maintenance(
        &mut self,
        block: ElementRef<'_>,
        place: &str,
    ) -> Option<ObservedIncident> {
        let title = block.select(&selector(".incident-title a")).next()?;
        let href = title.value().attr("href").unwrap_or_default();
        let name = title
            .value()
            .attr("title")
            .map(collapse_whitespace)
            .unwrap_or_else(|| collapse_whitespace(&title.text().collect::<String>()));
        let mut incident = ObservedIncident::new(IncidentKind::Maintenance, name);
        incident.native_id = incident_code(href);
        incident.url = self.link(href);
        // Listed under "Scheduled Maintenance": the page's own word for its state.
        incident.status = Some(Status::Scheduled);
        incident.status_raw = Some("Scheduled Maintenance".into());
        incident.impact_raw = Some("maintenance".into());
        if let Some(window) = block.select(&selector(".incident-title small")).next() {
            let text = collapse_whitespace(&window.text().collect::<String>());
            let context = self.context(self.rendered_at.date_naive());
            match timetext::parse(&text, &context) {
                Ok(parsed) => {
                    note_flags(&text, &parsed, place, &mut self.notes);
                    incident.scheduled_for = Some(value_at(parsed.utc, text.clone(), &parsed));
                    incident.scheduled_until =
                        parsed.end.map(|end| value_at(end, text.clone(), &parsed));
                }
                Err(e) => self.note(place, format!("window {text:?} not read: {e}")),
            }
            // The window's start is also given as a machine value; it wins, and a stated
            // start that disagrees is reported.
            if let Some(unix) = window
                .value()
                .attr("data-unix-time")
                .and_then(|u| u.trim().parse::<i64>().ok())
                .and_then(|s| Utc.timestamp_opt(s, 0).single())
            {
                if let Some(stated) = &incident.scheduled_for
                    && stated.utc != unix
                {
                    self.note(
                        place,
                        format!(
                            "window {:?} starts at {} but data-unix-time says {}",
                            stated.raw,
                            crate::model::format_utc(&stated.utc),
                            crate::model::format_utc(&unix)
                        ),
                    );
                }
                incident.scheduled_for = Some(TimeValue::structured(
                    unix,
                    format!("data-unix-time={}", unix.timestamp()),
                ));
            }
        }
        let posted = self.context(posted_before(self.rendered_at));
        let mut updates = Vec::new();
        for (i, update) in block.select(&selector(".update")).enumerate() {
            let place = format!("{place} update[{i}]");
            let Some(stamp) = update.select(&selector("small")).next() else {
                self.note(&place, "notice without a <small> stamp; skipped".into());
                continue;
            };
            let stamp = stamp.text().collect::<String>();
            let Some((posted_at, _)) = read_stamp(&stamp, &posted, &place, &mut self.notes) else {
                continue;
            };
            updates.push(ObservedUpdate {
                native_id: None,
                status: None,
                status_raw: None,
                posted_at,
                body: update_body(update),
                components: Vec::new(),
            });
        }
        updates.reverse();
        incident.updates = updates;
        Some(incident)
    }

    fn update_status(&mut self, label_text: &str, place: &str) -> Option<Status> {
        match label(label_text) {
            Label::Status(s) => Some(s),
            Label::TextOnly => None,
            Label::Unknown => {
                self.note(
                    place,
                    format!("unknown update label {label_text:?} kept raw, no status"),
                );
                None
            }
        }
    }

    fn set_impact(&mut self, incident: &mut ObservedIncident, raw: Option<String>, place: &str) {
        let Some(raw) = raw else { return };
        match impact_word(&raw) {
            Some(impact) => incident.impact = impact,
            None => self.note(place, format!("unknown impact {raw:?} kept raw")),
        }
        incident.impact_raw = Some(raw);
    }

    /// A maintenance is told by its labels or its `impact-maintenance` class.
    fn set_kind(&mut self, incident: &mut ObservedIncident) {
        let by_label = incident
            .updates
            .iter()
            .any(|u| u.status.is_some_and(Status::is_maintenance));
        if by_label || incident.impact_raw.as_deref() == Some("maintenance") {
            incident.kind = IncidentKind::Maintenance;
        }
    }

    // ----- incident page -----

    fn incident_page(&mut self, document: &Html) -> Result<Observation, ParseError> {
        let name = document
            .select(&selector(".incident-name"))
            .next()
            .ok_or_else(|| {
                ParseError::at(
                    KIND,
                    ParseCause::SchemaMismatch,
                    ".page-title",
                    "incident page without .incident-name",
                )
            })?;
        let mut incident = ObservedIncident::new(
            IncidentKind::Incident,
            collapse_whitespace(&name.text().collect::<String>()),
        );
        let place = "incident";
        self.set_impact(&mut incident, impact_from_classes(&name), place);
        // The page's own address, where it states one (a saved page has no URL of its own).
        let canonical = document
            .select(&selector(
                "meta[property=\"og:url\"], link[rel=\"canonical\"]",
            ))
            .find_map(|m| {
                let v = m.value();
                v.attr("content")
                    .or(v.attr("href"))
                    .filter(|u| incident_code(u).is_some())
                    .map(str::to_string)
            });
        let code = incident_code(self.page.url)
            .or_else(|| {
                document
                    .select(&selector("input[name=\"incident_code\"]"))
                    .next()
                    .and_then(|i| i.value().attr("value"))
                    .map(str::to_string)
            })
            .or_else(|| canonical.as_deref().and_then(incident_code));
        if code.is_none() {
            self.note(
                place,
                "no incident code in the URL or the page; identified by title".into(),
            );
        }
        // The page's own statement of its address first (as the API's `page.url`), then the
        // host it was fetched from.
        incident.url = match (&code, &self.root) {
            _ if canonical.is_some() => canonical,
            (Some(c), Some(root)) => Some(format!("{root}/incidents/{c}")),
            _ => None,
        };
        incident.native_id = code;
        let fallback = self.context(posted_before(self.rendered_at));
        let mut updates = Vec::new();
        for (i, row) in document
            .select(&selector(".incident-updates-container .update-row"))
            .enumerate()
        {
            let place = format!("update[{i}]");
            let label_text = row
                .select(&selector(".update-title"))
                .next()
                .map(|t| collapse_whitespace(&t.text().collect::<String>()))
                .unwrap_or_default();
            let body = row
                .select(&selector(".update-body"))
                .next()
                .map(|b| text_of(b, &|_| false))
                .unwrap_or_default();
            let Some(stamp) = row.select(&selector(".update-timestamp")).next() else {
                self.note(&place, "update without .update-timestamp; skipped".into());
                continue;
            };
            let stated_text = text_of(stamp, &|e| e.value().classes().any(|c| c == "ago"));
            let stated_text = stated_text
                .trim_start_matches("Posted")
                .trim_start()
                .trim_start_matches('.')
                .trim()
                .to_string();
            let Some((stated, _)) = read_stamp(&stated_text, &fallback, &place, &mut self.notes)
            else {
                continue;
            };
            // "Posted <span class="ago" data-datetime-unix="…ms">": the machine value wins; a
            // stated minute that disagrees with it is reported.
            let machine = stamp
                .select(&selector("[data-datetime-unix]"))
                .next()
                .and_then(|s| s.value().attr("data-datetime-unix"))
                .and_then(|ms| ms.trim().parse::<i64>().ok())
                .and_then(|ms| Utc.timestamp_millis_opt(ms).single());
            let posted_at = match machine {
                Some(t) => {
                    if (t - stated.utc).num_seconds().abs() >= 60 {
                        self.note(
                            &place,
                            format!(
                                "stamp {:?} says {} but data-datetime-unix says {}",
                                stated.raw,
                                crate::model::format_utc(&stated.utc),
                                crate::model::format_utc(&t)
                            ),
                        );
                    }
                    TimeValue::structured(t, format!("data-datetime-unix={}", t.timestamp_millis()))
                }
                None => stated,
            };
            let status = self.update_status(&label_text, &place);
            updates.push(ObservedUpdate {
                native_id: None,
                status,
                status_raw: Some(label_text),
                posted_at,
                body,
                components: Vec::new(),
            });
        }
        if updates.is_empty() {
            return Err(ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                ".incident-updates-container",
                "incident page without a readable update",
            ));
        }
        if let Some(affected) = document.select(&selector(".components-affected")).next() {
            // Prose ("This incident affected: A, B and C."): names may hold commas or "and",
            // so it is reported, not split into components that might not exist.
            let text = collapse_whitespace(&affected.text().collect::<String>());
            self.note(
                place,
                format!("components named in prose, not split: {text:?}"),
            );
        }
        updates.reverse();
        incident.updates = updates;
        self.set_kind(&mut incident);
        Ok(Observation {
            incidents: vec![incident],
            ..Observation::default()
        })
    }

    // ----- history page -----

    fn history(&mut self, element: ElementRef<'_>) -> Result<Observation, ParseError> {
        let props = element.value().attr("data-react-props").ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                "HistoryIndex",
                "history element without data-react-props",
            )
        })?;
        let props: HistoryProps = serde_json::from_str(props).map_err(|e| {
            ParseError::at(
                KIND,
                ParseCause::of_json(&e),
                format!("data-react-props line {} column {}", e.line(), e.column()),
                format!(
                    "history props are not the expected JSON: {}",
                    json_message(&e)
                ),
            )
        })?;
        // The page's offset (start_time "+08:00") picks the reading of an ambiguous
        // abbreviation ("CST") when the source gives no zone of its own.
        let page_zone = self.page.zone.or_else(|| {
            props
                .start_time
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .and_then(|t| fixed_offset_zone(t.offset().local_minus_utc()))
        });
        let mut observation = Observation::default();
        for (m, month) in props.months.iter().enumerate() {
            let place = format!("months[{m}] ({} {})", month.name, month.year);
            let anchor = match timetext::parse_date(
                &format!("{} 15, {}", month.name, month.year),
                &Context::new(),
            ) {
                Ok(d) => d.date,
                Err(e) => {
                    return Err(ParseError::at(
                        KIND,
                        ParseCause::InvalidValue,
                        place,
                        format!("month {:?} {} is not a month: {e}", month.name, month.year),
                    ));
                }
            };
            let mut context = Context::on_date(anchor).with_evidence(self.evidence);
            if let Some(zone) = page_zone {
                context = context.with_zone(zone);
            }
            for (i, item) in month.incidents.iter().enumerate() {
                let place = format!("{place} incidents[{i}] {}", item.code);
                observation
                    .incidents
                    .push(self.history_incident(item, &context, &place));
            }
        }
        Ok(observation)
    }

    fn history_incident(
        &mut self,
        item: &HistoryIncident,
        context: &Context,
        place: &str,
    ) -> ObservedIncident {
        let mut incident =
            ObservedIncident::new(IncidentKind::Incident, collapse_whitespace(&item.name));
        incident.native_id = Some(item.code.clone());
        incident.url = self
            .root
            .as_ref()
            .map(|r| format!("{r}/incidents/{}", item.code));
        self.set_impact(&mut incident, item.impact.clone(), place);
        self.set_kind(&mut incident);
        let Some(timestamp) = &item.timestamp else {
            return incident;
        };
        let text = collapse_whitespace(
            &Html::parse_fragment(timestamp)
                .root_element()
                .text()
                .collect::<String>(),
        );
        match timetext::parse(&text, context) {
            Ok(parsed) => {
                note_flags(&text, &parsed, place, &mut self.notes);
                let start = value_at(parsed.utc, text.clone(), &parsed);
                let end = parsed.end.map(|e| value_at(e, text.clone(), &parsed));
                if incident.kind == IncidentKind::Maintenance {
                    incident.scheduled_for = Some(start);
                    incident.scheduled_until = end;
                } else {
                    incident.started_at = Some(start);
                    incident.resolved_at = end;
                }
            }
            Err(e) => self.note(place, format!("period {text:?} not read: {e}")),
        }
        incident
    }
}

/// The visible words of a component status, for pages without `data-component-status`.
fn shown_component_status(words: &str) -> Option<ComponentStatus> {
    Some(match collapse_whitespace(words).to_lowercase().as_str() {
        "operational" => ComponentStatus::Operational,
        "degraded performance" => ComponentStatus::DegradedPerformance,
        "partial outage" => ComponentStatus::PartialOutage,
        "major outage" => ComponentStatus::MajorOutage,
        "under maintenance" | "maintenance" => ComponentStatus::UnderMaintenance,
        _ => return None,
    })
}

/// A whole-hour UTC offset as an `Etc/GMT±N` zone (whose sign is reversed by convention).
fn fixed_offset_zone(seconds: i32) -> Option<Tz> {
    if seconds % 3600 != 0 {
        return None;
    }
    let hours = seconds / 3600;
    let name = match hours {
        0 => "Etc/UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    };
    name.parse().ok()
}

#[derive(Deserialize)]
struct HistoryProps {
    #[serde(default)]
    months: Vec<HistoryMonth>,
    start_time: Option<String>,
}

#[derive(Deserialize)]
struct HistoryMonth {
    name: String,
    year: i32,
    #[serde(default)]
    incidents: Vec<HistoryIncident>,
}

#[derive(Deserialize)]
struct HistoryIncident {
    code: String,
    name: String,
    impact: Option<String>,
    timestamp: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_hour_offsets_become_etc_zones() {
        assert_eq!(fixed_offset_zone(8 * 3600), Some(chrono_tz::Etc::GMTMinus8));
        assert_eq!(fixed_offset_zone(-5 * 3600), Some(chrono_tz::Etc::GMTPlus5));
        assert_eq!(fixed_offset_zone(0), Some(chrono_tz::Etc::UTC));
        assert_eq!(fixed_offset_zone(5 * 3600 + 1800), None);
    }

    #[test]
    fn shown_words_map_to_component_statuses() {
        assert_eq!(
            shown_component_status(" Partial  Outage "),
            Some(ComponentStatus::PartialOutage)
        );
        assert_eq!(shown_component_status("Sideways"), None);
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    fn page(body: &str) -> PageInput<'_> {
        PageInput {
            url: "https://status.example.cn/history",
            body: body.as_bytes(),
            fetched_at: chrono::Utc::now(),
            zone: None,
        }
    }

    #[test]
    fn detect_wants_markup_and_a_trace_of_statuspage() {
        assert_eq!(
            KIND.detect(b"<html><div class=\"components-container\"></div></html>"),
            Confidence::Weak
        );
        assert_eq!(
            KIND.detect(
                b"<html><div class=\"components-container\"></div>Powered by Statuspage</html>"
            ),
            Confidence::Strong
        );
        assert_eq!(KIND.detect(b"<html><p>hello</p></html>"), Confidence::No);
        assert_eq!(KIND.detect(b"{\"components\": []}"), Confidence::No);
    }

    #[test]
    fn history_offset_picks_the_reading_of_cst() {
        // A China page: "CST" is UTC+8 there, which the props' start_time offset says.
        let props = r#"{"months":[{"name":"July","year":2026,"incidents":[{"code":"cnjuly14abcd","name":"LLM errors","message":"Resolved.","impact":"major","timestamp":"Jul <var data-var='date'>14</var>, <var data-var='time'>14:31</var> - <var data-var='time'>14:32</var> CST"}]}],"start_time":"2026-05-01T00:00:00+08:00"}"#;
        let body = format!(
            "<html><body><div data-react-class=\"HistoryIndex\" data-react-props=\"{}\"></div></body></html>",
            props
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        );
        let o = parse(&page(&body)).unwrap();
        let incident = &o.incidents[0];
        assert_eq!(
            incident
                .started_at
                .as_ref()
                .map(|t| crate::model::format_utc(&t.utc)),
            Some("2026-07-14T06:31:00Z".to_string())
        );
        assert_eq!(
            incident
                .resolved_at
                .as_ref()
                .map(|t| crate::model::format_utc(&t.utc)),
            Some("2026-07-14T06:32:00Z".to_string())
        );
        assert!(o.notes.is_empty(), "{:?}", o.notes);
    }

    #[test]
    fn the_pages_other_stamps_pick_the_reading_of_cst() {
        // Written in the home page's shape (no capture): a Hong Kong vendor's stamps say HKT,
        // so its "CST" is China's (UTC+8), not US Central; no note, the choice is flagged.
        let body = r#"<html><body><div class="incidents-list"><div class="status-day"><div class="date">Jan <var data-var="date">3</var>, <var data-var="year">2023</var></div>
          <div class="incident-container"><div class="incident-title impact-minor"><a href="/incidents/hk1">Slow API</a></div>
          <div class="updates-container"><div class="update"><strong>Resolved</strong> - Fixed.<br><small>Jan <var data-var='date'>3</var>, <var data-var='time'>11:00</var> HKT</small></div>
          <div class="update"><strong>Investigating</strong> - Looking.<br><small>Jan <var data-var='date'>3</var>, <var data-var='time'>10:00</var> CST</small></div></div></div></div></div>
          </body></html>"#;
        let o = parse(&page(body)).unwrap();
        let stamps: Vec<(String, bool)> = o.incidents[0]
            .updates
            .iter()
            .map(|u| {
                (
                    crate::model::format_utc(&u.posted_at.utc),
                    u.posted_at
                        .flags
                        .contains(timetext::Flag::AbbreviationFromContext),
                )
            })
            .collect();
        assert_eq!(
            stamps,
            vec![
                ("2023-01-03T02:00:00Z".to_string(), true),
                ("2023-01-03T03:00:00Z".to_string(), false),
            ]
        );
        assert!(o.notes.is_empty(), "{:?}", o.notes);
    }

    #[test]
    fn unknown_words_are_kept_raw_and_reported() {
        let body = r#"<html><body><div class="components-container">
          <div class="component-container"><div data-component-id="abc" class="component-inner-container" data-component-status="sideways"><span class="name">API</span></div></div></div>
          <div class="incidents-list"><div class="status-day"><div class="date">Jan <var data-var="date">2</var>, <var data-var="year">2023</var></div>
          <div class="incident-container"><div class="incident-title impact-catastrophic"><a href="/incidents/q1w2e3r4t5y6">Down</a></div>
          <div class="updates-container"><div class="update"><strong>Mitigated</strong> - Better now.<br><small>Jan <var data-var='date'>2</var>, <var data-var='time'>10:00</var> UTC</small></div></div></div></div></div>
          </body></html>"#;
        let o = parse(&page(body)).unwrap();
        assert_eq!(o.components[0].status, ComponentStatus::Unknown);
        assert_eq!(o.components[0].status_raw, "sideways");
        let incident = &o.incidents[0];
        assert_eq!(incident.impact, None);
        assert_eq!(incident.impact_raw.as_deref(), Some("catastrophic"));
        assert_eq!(incident.updates[0].status, None);
        assert_eq!(incident.updates[0].status_raw.as_deref(), Some("Mitigated"));
        let messages: Vec<&str> = o.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "component \"API\": unknown status \"sideways\" kept raw, mapped to unknown",
                "unknown impact \"catastrophic\" kept raw",
                "unknown update label \"Mitigated\" kept raw, no status",
            ]
        );
    }
}
