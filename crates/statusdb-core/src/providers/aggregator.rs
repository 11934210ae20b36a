//! Third-party aggregator incident pages (`kind = "aggregator"`): a page about one vendor
//! incident, published by someone else. Read from its visible text, not its markup, so the
//! text as a page shows it and any HTML rendering of it read alike:
//!
//! ```text
//! Okta incident
//! O365 OIN Provisioning Setup Issue
//! Minor Resolved View vendor source →
//! Okta experienced a minor incident on October 3, 2024 affecting … lasting 341d 21h. …
//! Started / Oct 03, 2024, 10:38 PM UTC / Resolved / … / Duration / 341d 21h / Detected by X / …
//! Affected components
//! okta-emea.com cell 1okta.com cell 1okta.com cell 2…
//! Update timeline
//! 1. resolved Oct 03, 2024, 10:38 PM UTC
//! <text>
//! ```
//!
//! Such pages are second-hand, and known to be wrong (resolved before started, durations of
//! hundreds of days, every update labelled "resolved", a vendor's demo incident): every
//! incident is marked [`SecondHand`] and carries the page's fields as written, so that the
//! normalizer weighs them against the vendor's own words. Nothing here corrects them.

use super::support::{Notes, Sniff, decode_text, status_label, visible_text_of};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    Impact, IncidentKind, Observation, ObservedIncident, ObservedUpdate, SecondHand, StatedField,
    Status, TimeSource, TimeValue,
};
use regex::Regex;
use std::sync::LazyLock;
use timetext::{Context, Flag};

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Aggregator, "aggregator", product "aggregator" rank 0, formats [Html, Text], one document
}

const COMPONENTS_HEADING: &str = "Affected components";
const TIMELINE_HEADING: &str = "Update timeline";
const VENDOR_LINK_TEXT: &str = "View vendor source";

/// A domain-like token (`okta.com`, `okta-emea.com`): where a new component name starts when
/// a page writes its components one after another without separators. It starts with a
/// letter, so the digits of "cell 1okta.com" stay with the name before.
static DOMAIN_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b").expect("constant regex")
});

static TIMELINE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)\.\s+").expect("constant regex"));

/// The impact words of an aggregator's badge.
pub fn impact_word(raw: &str) -> Option<Option<Impact>> {
    Some(Some(match raw.to_ascii_lowercase().as_str() {
        "none" => Impact::None,
        "minor" => Impact::Minor,
        "major" => Impact::Major,
        "critical" => Impact::Critical,
        "maintenance" => return Some(None),
        _ => return None,
    }))
}

/// The status words of its badge and update labels; `None` inside for a label that only adds
/// text ("update").
pub fn status_word(raw: &str) -> Option<Option<Status>> {
    match raw.to_ascii_lowercase().as_str() {
        "update" => Some(None),
        word => status_label(word).map(Some),
    }
}

/// Splits a line of component names written without separators at each domain-like token
/// that starts a new name: one not glued to a letter before it ("cell 1okta.com" splits after
/// the 1; "Dashboardapi.example.io" cannot be told apart and stays whole). A line without one
/// is one name.
pub fn split_components(line: &str) -> Vec<String> {
    let starts: Vec<usize> = DOMAIN_TOKEN
        .find_iter(line)
        .map(|m| m.start())
        .filter(|&s| {
            !line[..s]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
        })
        .collect();
    let mut cuts = vec![0];
    cuts.extend(starts.into_iter().filter(|&s| s > 0));
    cuts.push(line.len());
    cuts.windows(2)
        .map(|w| line[w[0]..w[1]].trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The page's text and, for HTML, the href of its "View vendor source" link.
fn page_text(text: &str) -> (String, Option<String>) {
    if !text.trim_start().starts_with('<') {
        return (text.to_string(), None);
    }
    let document = scraper::Html::parse_document(text);
    let anchors = scraper::Selector::parse("a[href]").expect("constant selector");
    let vendor_link = document
        .select(&anchors)
        .find(|a| a.text().collect::<String>().contains(VENDOR_LINK_TEXT))
        .and_then(|a| a.value().attr("href"))
        .filter(|href| href.starts_with("http"))
        .map(str::to_string);
    (visible_text_of(&document), vendor_link)
}

/// A page's stamp as an instant. The page's own field, so `structured`, unless its date or
/// zone had to come from the context.
fn stamp(
    text: &str,
    ctx: &Context,
    place: &str,
    notes: &mut Notes,
) -> Result<TimeValue, ParseError> {
    let parsed = timetext::parse(text, ctx).map_err(|e| {
        ParseError::at(
            KIND,
            ParseCause::InvalidValue,
            place,
            format!("time {text:?}: {e}"),
        )
    })?;
    let from_context = [
        Flag::DateFromContext,
        Flag::YearInferred,
        Flag::ZoneFromPage,
        Flag::Relative,
    ]
    .into_iter()
    .any(|f| parsed.flags.contains(f));
    if !parsed.flags.is_empty() {
        let names: Vec<&str> = parsed.flags.iter().map(Flag::as_str).collect();
        notes.add(
            place,
            format!("time {text:?} read with flags {}", names.join(", ")),
        );
    }
    Ok(TimeValue::new(
        parsed.utc,
        text,
        if from_context {
            TimeSource::Derived
        } else {
            TimeSource::Structured
        },
    )
    .with_flags(parsed.flags))
}

/// An update timeline header: an optional "N. ", a label of one or two words, and a stamp
/// that is the rest of the line.
fn timeline_header(line: &str, ctx: &Context) -> Option<(String, String)> {
    let rest = match TIMELINE_NUMBER.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    };
    let words: Vec<(usize, &str)> = rest
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - rest.as_ptr() as usize, w))
        .collect();
    for label_words in 1..=2 {
        let Some(&(start, _)) = words.get(label_words) else {
            break;
        };
        let label = rest[..start].trim();
        if !label
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '_')
        {
            break;
        }
        let time = rest[start..].trim();
        if let Ok(parsed) = timetext::parse(time, ctx)
            && parsed.matched.len() == time.len()
        {
            return Some((label.to_string(), time.to_string()));
        }
    }
    None
}

/// How surely a body is an aggregator's incident page, from its visible text. Weak: it reads
/// as the layout `parse` expects (a first line "<vendor> incident", a "Started" field and an
/// "Update timeline"). Strong: with the aggregator's "View vendor source" link as well. No
/// otherwise, JSON and feeds included.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Ok(raw) = decode_text(KIND, sniff.body) else {
        return Confidence::No;
    };
    let head = raw.trim_start();
    if head.starts_with('{') || head.starts_with('[') || head.starts_with("<?xml") {
        return Confidence::No;
    }
    // The layout's headings are plain words in the page's source: a page without them is not
    // this layout, and is not parsed to find out (that parse was 44% of `auto` on a vendor's
    // HTML page, which the chosen kind then parses again).
    if !(raw.contains("Started") && raw.contains(TIMELINE_HEADING)) {
        return Confidence::No;
    }
    let (text, _) = page_text(&raw);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let heading = lines
        .next()
        .is_some_and(|l| l.ends_with(" incident") || l.ends_with(" Incident"));
    let rest: Vec<&str> = lines.collect();
    let laid_out = heading && rest.contains(&"Started") && rest.contains(&TIMELINE_HEADING);
    if !laid_out {
        Confidence::No
    } else if text.contains(VENDOR_LINK_TEXT) {
        Confidence::Strong
    } else {
        Confidence::Weak
    }
}

fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let raw = decode_text(KIND, page.body)?;
    let (text, vendor_link) = page_text(&raw);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut ctx = Context::new();
    if let Some(zone) = page.zone {
        ctx = ctx.with_zone(zone);
    }
    let (vendor, title, started_at_line) = heading(&lines)?;
    let mut reader = Reader {
        lines: &lines,
        ctx,
        notes: Notes::default(),
        observed: ObservedIncident::new(IncidentKind::Incident, title),
        fields: Vec::new(),
    };
    reader.badge(started_at_line);
    let components_at = lines.iter().position(|l| *l == COMPONENTS_HEADING);
    let timeline_at = lines.iter().position(|l| *l == TIMELINE_HEADING);
    let publisher = reader.fields(started_at_line, components_at.or(timeline_at))?;
    if let Some(start) = components_at {
        reader.components(start, timeline_at);
    }
    if let Some(start) = timeline_at {
        reader.timeline(start)?;
    }
    let Reader {
        mut notes,
        mut observed,
        fields,
        ..
    } = reader;
    let publisher = publisher.or_else(|| {
        url::Url::parse(page.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    });
    if let Some(link) = &vendor_link {
        // The vendor's own page for the incident: shared with the vendor's source.
        observed.aliases.push(link.clone());
        observed.url = Some(link.clone());
    }
    notes.add(
        "page",
        format!(
            "second-hand: {} about {vendor}; its times, labels and duration are evidence, not the vendor's word",
            publisher.as_deref().unwrap_or("an aggregator page")
        ),
    );
    observed.second_hand = Some(SecondHand {
        source_kind: KIND.as_str().to_string(),
        publisher,
        vendor_named: Some(vendor),
        vendor_url: vendor_link,
        fields,
    });
    Ok(Observation {
        incidents: vec![observed],
        notes: notes.into_vec(),
        ..Observation::default()
    })
}

/// The vendor ("<vendor> incident"), the title line, and where the "Started" field is.
fn heading(lines: &[&str]) -> Result<(String, String, usize), ParseError> {
    let heading = lines
        .first()
        .ok_or_else(|| ParseError::new(KIND, ParseCause::Empty, "page has no text"))?;
    let vendor = heading
        .strip_suffix(" incident")
        .or_else(|| heading.strip_suffix(" Incident"))
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::WrongFormat,
                "line 1",
                format!("first line {heading:?} is not \"<vendor> incident\""),
            )
        })?
        .trim()
        .to_string();
    let title = lines
        .get(1)
        .ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                "line 2",
                "page has no title line",
            )
        })?
        .to_string();
    let started_at_line = lines.iter().position(|l| *l == "Started").ok_or_else(|| {
        ParseError::new(
            KIND,
            ParseCause::SchemaMismatch,
            "page has no \"Started\" field",
        )
    })?;
    Ok((vendor, title, started_at_line))
}

/// The page's lines read in turn into one incident and the fields it states.
struct Reader<'a> {
    lines: &'a [&'a str],
    ctx: Context,
    notes: Notes,
    observed: ObservedIncident,
    fields: Vec<StatedField>,
}

impl Reader<'_> {
    /// Between the title and the fields: the badge ("Minor Resolved View vendor source →")
    /// and a summary sentence.
    fn badge(&mut self, started_at_line: usize) {
        for (i, line) in self.lines.iter().enumerate().take(started_at_line).skip(2) {
            let badge = line.split(VENDOR_LINK_TEXT).next().unwrap_or("").trim();
            let words: Vec<&str> = badge.split_whitespace().collect();
            let is_badge = !words.is_empty()
                && words.len() <= 3
                && words
                    .iter()
                    .any(|w| impact_word(w).is_some() || status_word(w).is_some());
            if !is_badge {
                self.fields.push(StatedField {
                    label: "summary".into(),
                    text: line.to_string(),
                });
                continue;
            }
            let place = format!("line {}", i + 1);
            for word in words {
                if let Some(impact) = impact_word(word) {
                    self.observed.impact = impact;
                    self.observed.impact_raw = Some(word.to_string());
                } else if let Some(status) = status_word(word) {
                    self.observed.status = status;
                    self.observed.status_raw = Some(word.to_string());
                } else {
                    self.notes
                        .add(&place, format!("unknown badge word {word:?} kept raw"));
                    self.fields.push(StatedField {
                        label: "badge".into(),
                        text: word.to_string(),
                    });
                }
            }
        }
    }

    /// The labelled fields from "Started" up to `end` (the components or the timeline):
    /// the start and resolution, the others as written. Gives the publisher a "Detected by"
    /// field names.
    fn fields(
        &mut self,
        started_at_line: usize,
        end: Option<usize>,
    ) -> Result<Option<String>, ParseError> {
        let lines = self.lines;
        let fields_end = end.unwrap_or(lines.len());
        let mut publisher = None;
        let mut i = started_at_line;
        while i < fields_end {
            let label = lines[i];
            let value = lines.get(i + 1).filter(|_| i + 1 < fields_end).copied();
            let place = format!("line {}", i + 2);
            match (label, value) {
                ("Started", Some(value)) => {
                    self.observed.started_at =
                        Some(stamp(value, &self.ctx, &place, &mut self.notes)?);
                }
                ("Resolved", Some(value)) => {
                    self.observed.resolved_at =
                        Some(stamp(value, &self.ctx, &place, &mut self.notes)?);
                }
                (label, Some(value)) => {
                    if let Some(name) = label.strip_prefix("Detected by ") {
                        publisher = Some(name.trim().to_string());
                    }
                    self.fields.push(StatedField {
                        label: label.to_string(),
                        text: value.to_string(),
                    });
                }
                (label, None) => {
                    self.notes
                        .add(&place, format!("field {label:?} has no value"));
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        Ok(publisher)
    }

    /// The affected components, from their heading to the timeline (or the end).
    fn components(&mut self, start: usize, timeline_at: Option<usize>) {
        let end = timeline_at
            .filter(|&t| t > start)
            .unwrap_or(self.lines.len());
        for line in &self.lines[start + 1..end] {
            for name in split_components(line) {
                if !self.observed.components.contains(&name) {
                    self.observed.components.push(name);
                }
            }
        }
    }

    /// The update timeline after its heading: each update's label and time line, then its
    /// text.
    fn timeline(&mut self, start: usize) -> Result<(), ParseError> {
        let lines = self.lines;
        let mut current: Option<(usize, String, String, Vec<&str>)> = None;
        let mut finished = Vec::new();
        for (offset, line) in lines[start + 1..].iter().enumerate() {
            match timeline_header(line, &self.ctx) {
                Some((label, time)) => {
                    finished.extend(current.take());
                    current = Some((start + 2 + offset, label, time, Vec::new()));
                }
                None => match current.as_mut() {
                    Some((_, _, _, body)) => body.push(line),
                    None => self.notes.add(
                        format!("line {}", start + 2 + offset),
                        "text before the first update of the timeline skipped",
                    ),
                },
            }
        }
        finished.extend(current);
        for (line, label, time, body) in finished {
            let place = format!("line {line}");
            let status = status_word(&label).unwrap_or_else(|| {
                self.notes
                    .add(&place, format!("unknown update label {label:?} kept raw"));
                None
            });
            let posted_at = stamp(&time, &self.ctx, &place, &mut self.notes)?;
            self.observed.updates.push(ObservedUpdate {
                native_id: None,
                status,
                status_raw: Some(label),
                posted_at,
                body: body.join("\n"),
                components: Vec::new(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_wants_the_heading_the_started_line_and_the_timeline() {
        let page = |heading: &str, started: &str, timeline: &str, link: &str| {
            format!(
                "<html><body><h1>{heading}</h1><dl><dt>{started}</dt><dd>Oct 3, 2024 6:38 PM PDT</dd></dl>\
                 <h2>{timeline}</h2><p>Resolved - fixed.</p>{link}</body></html>"
            )
        };
        let vendor = "<a href=\"https://status.okta.com/\">View vendor source</a>";
        let cases = [
            (
                page("Okta incident", "Started", "Update timeline", vendor),
                Confidence::Strong,
            ),
            (
                page("Okta incident", "Started", "Update timeline", ""),
                Confidence::Weak,
            ),
            (
                page("Okta outage", "Started", "Update timeline", vendor),
                Confidence::No,
            ),
            (
                page("Okta incident", "Began", "Update timeline", vendor),
                Confidence::No,
            ),
            (
                page("Okta incident", "Started", "Timeline", vendor),
                Confidence::No,
            ),
            // The words present but not as lines of the page's text.
            (
                page("Okta incident", "Started at", "Update timeline", vendor),
                Confidence::No,
            ),
        ];
        for (html, expected) in cases {
            assert_eq!(KIND.detect(html.as_bytes()), expected, "{html}");
        }
    }

    #[test]
    fn components_split_at_domain_tokens() {
        assert_eq!(
            split_components("okta-emea.com cell 1okta.com cell 1okta.com cell 11"),
            vec![
                "okta-emea.com cell 1",
                "okta.com cell 1",
                "okta.com cell 11"
            ]
        );
        assert_eq!(split_components("okta.com cell 2"), vec!["okta.com cell 2"]);
        assert_eq!(split_components("API"), vec!["API"]);
        assert_eq!(
            split_components("Dashboardapi.example.io"),
            vec!["Dashboardapi.example.io"]
        );
        assert_eq!(
            split_components("Web app 1api.example.io"),
            vec!["Web app 1", "api.example.io"]
        );
    }
}
