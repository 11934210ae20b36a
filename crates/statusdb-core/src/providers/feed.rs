//! Any RSS 2.0 or Atom feed (`kind = "feed"`), the fallback for vendors with nothing better.
//!
//! One incident per entry, with one update: the entry's text at its `<updated>` (or
//! `<pubDate>`) time. A status is read only where the vendor states it: a title that starts with
//! a status word ("Resolved: ...", "[RESOLVED] ...", "Investigating - ..."). Otherwise the update
//! has no status, and none is invented. Feeds are read with feed-rs; the raw text of every
//! timestamp is kept beside the instant.

use super::support::{Notes, Sniff, html_text, looks_like_html, start_of};
use super::{BodyFormat, Confidence, Kind, KindSpec, PageInput, ParseCause, ParseError};
use crate::model::{
    IncidentKind, Observation, ObservedIncident, ObservedUpdate, PageInfo, Status, TimeValue,
    format_utc,
};
use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// The kind this module reads (docs/FORMATS.md, `feed`).
pub(crate) const SPEC: KindSpec = KindSpec {
    kind: Kind::Feed,
    name: "feed",
    product: "feed",
    rank: 0,
    formats: &[BodyFormat::Xml],
    // The feed's own URL is the one document.
    endpoints: super::single,
    parse,
    detect: Some(detect),
};

const KIND: Kind = SPEC.kind;

/// A feed as feed-rs read it, with the text each timestamp was read from.
pub(crate) struct ReadFeed {
    pub feed: Feed,
    raw_times: HashMap<DateTime<Utc>, String>,
}

impl ReadFeed {
    /// A feed timestamp as a structured time, with the text it was written as.
    pub fn time(&self, t: DateTime<Utc>) -> TimeValue {
        let raw = self
            .raw_times
            .get(&t)
            .cloned()
            .unwrap_or_else(|| format_utc(&t));
        TimeValue::structured(t, raw)
    }
}

/// Reads an RSS or Atom feed, or fails with "not a <kind> page" naming what the body is.
pub(crate) fn read_feed(kind: Kind, body: &[u8]) -> Result<ReadFeed, ParseError> {
    if looks_like_html(body) {
        return Err(ParseError::new(
            kind,
            ParseCause::WrongFormat,
            format!(
                "an HTML page where an RSS or Atom feed was expected; it starts with {:?}",
                start_of(body)
            ),
        ));
    }
    let raw_times: Arc<Mutex<HashMap<DateTime<Utc>, String>>> = Arc::default();
    let recorder = raw_times.clone();
    let parser = feed_rs::parser::Builder::new()
        .timestamp_parser(move |text| {
            let t = feed_timestamp(text)?;
            if let Ok(mut map) = recorder.lock() {
                map.entry(t).or_insert_with(|| text.trim().to_string());
            }
            Some(t)
        })
        // An entry without an id gets none: a made-up hash would fork the incident when the
        // vendor edits its title.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    let feed = parser.parse(body).map_err(|e| {
        ParseError::new(
            kind,
            feed_rs_cause(&e),
            format!(
                "body is not an RSS or Atom feed ({e}); it starts with {:?}",
                start_of(body)
            ),
        )
    })?;
    let raw_times = raw_times.lock().map(|m| m.clone()).unwrap_or_default();
    Ok(ReadFeed { feed, raw_times })
}

/// What a feed-rs refusal means: XML that is not well formed, a version it does not read, or
/// another document.
pub(crate) fn feed_rs_cause(e: &feed_rs::parser::ParseFeedError) -> ParseCause {
    use feed_rs::parser::ParseFeedError;
    match e {
        ParseFeedError::XmlReader(_) => ParseCause::InvalidSyntax,
        ParseFeedError::JsonUnsupportedVersion(_) => ParseCause::UnsupportedVersion,
        _ => ParseCause::WrongFormat,
    }
}

/// Feed timestamps are RFC 3339 (Atom) or RFC 2822 (RSS `pubDate`, whose zone names such as
/// `PST` are the fixed offsets RFC 2822 defines).
fn feed_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The plain text of a feed text field (HTML stripped when it is HTML).
pub(crate) fn text_of(text: &feed_rs::model::Text) -> String {
    if text.content_type.subty() == "html" || text.content.contains('<') {
        html_text(&text.content)
    } else {
        text.content.trim().to_string()
    }
}

/// The entry's main link: `rel="alternate"` or no `rel`, else the first.
pub(crate) fn entry_link(entry: &Entry) -> Option<String> {
    entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| entry.links.first())
        .map(|l| l.href.clone())
}

/// The words a feed title may open with, and what they state. `Some(None)`: a label that
/// only adds text ("Update") and keeps the previous status.
pub fn title_word(word: &str) -> Option<Option<Status>> {
    Some(Some(match word.trim().to_ascii_lowercase().as_str() {
        "investigating" => Status::Investigating,
        "identified" => Status::Identified,
        "monitoring" => Status::Monitoring,
        "resolved" => Status::Resolved,
        "postmortem" | "post-mortem" => Status::Postmortem,
        "scheduled" => Status::Scheduled,
        "in progress" => Status::InProgress,
        "verifying" => Status::Verifying,
        "completed" => Status::Completed,
        "update" | "updated" => return Some(None),
        _ => return None,
    }))
}

/// "Resolved: X", "[RESOLVED] X", "Investigating - X": the opening word, if the title has one.
static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\[(?P<bracket>[A-Za-z][A-Za-z -]*)\]|(?P<word>[A-Za-z][A-Za-z -]*?)\s*[:\-\u{2013}\u{2014}|])")
        .expect("constant regex")
});

/// The status a title states, with the word as written.
pub fn title_status(title: &str) -> Option<(Option<Status>, String)> {
    let caps = TITLE_PREFIX.captures(title)?;
    let word = caps
        .name("bracket")
        .or_else(|| caps.name("word"))?
        .as_str()
        .trim();
    title_word(word).map(|status| (status, word.to_string()))
}

/// How surely a body is a feed this kind reads: Weak for any RSS or Atom feed (nothing in a
/// feed as such says which product made it), No otherwise. A product's own feed kind, which
/// finds its marks, outweighs it.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    if !sniff.surely_not_a_json_feed() && read_feed(KIND, sniff.body).is_ok() {
        Confidence::Weak
    } else {
        Confidence::No
    }
}

/// Parses an RSS 2.0 or Atom feed: one incident per entry.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let read = read_feed(KIND, page.body)?;
    let mut notes = Notes::default();
    let mut observation = Observation {
        page: Some(PageInfo {
            name: read.feed.title.as_ref().map(text_of),
            url: read
                .feed
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .map(|l| l.href.clone()),
            time_zone: None,
        }),
        ..Observation::default()
    };
    for (i, entry) in read.feed.entries.iter().enumerate() {
        let place = if entry.id.is_empty() {
            format!("entry {}", i + 1)
        } else {
            format!("entry {}", entry.id)
        };
        let title = entry.title.as_ref().map(text_of).unwrap_or_default();
        let Some(stamp) = entry.updated.or(entry.published) else {
            notes.add(
                &place,
                format!("entry {title:?} has no readable date; skipped"),
            );
            continue;
        };
        let (status, status_raw) = match title_status(&title) {
            Some((status, word)) => (status, Some(word)),
            None => (None, None),
        };
        let kind = match status {
            Some(
                Status::Scheduled | Status::InProgress | Status::Verifying | Status::Completed,
            ) => IncidentKind::Maintenance,
            _ => IncidentKind::Incident,
        };
        let mut incident = ObservedIncident::new(kind, title);
        incident.url = entry_link(entry);
        incident.native_id = if entry.id.is_empty() {
            incident.url.clone()
        } else {
            Some(entry.id.clone())
        };
        incident.created_at = entry.published.map(|t| read.time(t));
        let body = entry
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .map(|b| {
                if b.contains('<') {
                    html_text(b)
                } else {
                    b.trim().to_string()
                }
            })
            .or_else(|| entry.summary.as_ref().map(text_of))
            .unwrap_or_default();
        incident.updates.push(ObservedUpdate {
            native_id: None,
            status,
            status_raw,
            posted_at: read.time(stamp),
            body,
            components: Vec::new(),
        });
        observation.incidents.push(incident);
    }
    observation.notes = notes.0;
    Ok(observation)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// feed-rs reads JSON Feed too; the check that spares a vendor's JSON API from it must not
    /// refuse one.
    #[test]
    fn detect_reads_json_feeds_and_refuses_other_json_without_feed_rs() {
        let detect = |body: &str| detect(&Sniff::new(body.as_bytes()));
        let json_feed = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Status",
            "items": [{"id": "1", "title": "Elevated errors", "content_text": "Investigating",
                       "date_published": "2024-10-04T01:38:00Z"}]}"#;
        assert_eq!(detect(json_feed), Confidence::Weak);
        assert!(!Sniff::new(json_feed.as_bytes()).surely_not_a_json_feed());
        let api = r#"{"page": {"id": "kctbh9vrtdwd", "name": "GitHub"}, "incidents": []}"#;
        assert_eq!(detect(api), Confidence::No);
        assert!(Sniff::new(api.as_bytes()).surely_not_a_json_feed());
        // A list of objects: feed-rs takes its first `{` for a JSON Feed, which it cannot be.
        assert!(
            Sniff::new(br#"[{"version": "https://jsonfeed.org/version/1"}]"#)
                .surely_not_a_json_feed()
        );
        // An XML feed, and a body feed-rs reads as XML (its first mark is `<`), go to feed-rs.
        assert!(
            !Sniff::new(b"<rss version=\"2.0\"><channel></channel></rss>").surely_not_a_json_feed()
        );
        assert!(!Sniff::new(br#"["<rss>", {}]"#).surely_not_a_json_feed());
        // Not JSON at all: feed-rs decides, as before.
        assert!(!Sniff::new(b"{ not json").surely_not_a_json_feed());
    }

    #[test]
    fn title_words_are_read_only_when_explicit() {
        assert_eq!(
            title_status("Resolved: Elevated errors"),
            Some((Some(Status::Resolved), "Resolved".into()))
        );
        assert_eq!(
            title_status("[RESOLVED] Increased API Error Rates"),
            Some((Some(Status::Resolved), "RESOLVED".into()))
        );
        assert_eq!(
            title_status("Investigating - Login failures"),
            Some((Some(Status::Investigating), "Investigating".into()))
        );
        assert_eq!(
            title_status("Update: more details"),
            Some((None, "Update".into()))
        );
        assert_eq!(title_status("Service impact: Increased latency"), None);
        assert_eq!(title_status("Resolved login issue"), None);
    }
}
