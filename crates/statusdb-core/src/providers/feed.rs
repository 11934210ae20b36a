//! Any RSS 2.0 or Atom feed (`kind = "feed"`), the fallback for vendors with nothing better.
//!
//! One incident per entry, with one update: the entry's text at its `<updated>` (or
//! `<pubDate>`) time. A status is read only where the vendor states it: a title that starts with
//! a status word ("Resolved: ...", "[RESOLVED] ...", "Investigating - ..."). Otherwise the update
//! has no status, and none is invented. Feeds are read by the one feed reader (`rss_atom`); the
//! raw text of every timestamp is kept beside the instant.

use super::rss_atom::{self, Text};
use super::support::{Notes, Sniff, status_label};
use super::{Confidence, PageInput, ParseError};
use crate::model::{IncidentKind, Observation, ObservedIncident, ObservedUpdate, PageInfo, Status};
use regex::Regex;
use std::sync::LazyLock;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Feed, "feed", product "feed" rank 0, formats [Xml], one document
}

/// The words a feed title may open with, and what they state. `Some(None)`: a label that
/// only adds text ("Update") and keeps the previous status.
pub fn title_word(word: &str) -> Option<Option<Status>> {
    match word.trim().to_ascii_lowercase().as_str() {
        "post-mortem" => Some(Some(Status::Postmortem)),
        "update" | "updated" => Some(None),
        word => status_label(word).map(Some),
    }
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
    if sniff.feed().is_some() {
        Confidence::Weak
    } else {
        Confidence::No
    }
}

/// Parses an RSS 2.0 or Atom feed: one incident per entry.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let feed = rss_atom::read(KIND, page.body)?;
    let mut notes = Notes::default();
    let mut observation = Observation {
        page: Some(PageInfo {
            name: feed.title.as_ref().map(Text::plain),
            url: feed.link.clone(),
            time_zone: None,
        }),
        ..Observation::default()
    };
    for entry in &feed.entries {
        let place = entry.label();
        let title = entry.title.as_ref().map(Text::plain).unwrap_or_default();
        let Some(stamp) = entry.updated_time().or_else(|| entry.published_time()) else {
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
        let kind = IncidentKind::of_status(status);
        let mut incident = ObservedIncident::new(kind, title);
        incident.url = entry.link.clone();
        incident.native_id = entry.id.clone().or_else(|| incident.url.clone());
        incident.created_at = entry.published_time();
        incident.updates.push(ObservedUpdate {
            native_id: None,
            status,
            status_raw,
            posted_at: stamp,
            body: entry.content.as_ref().map(Text::plain).unwrap_or_default(),
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

    /// Any feed the reader reads is Weak for the generic kind, a JSON Feed included; other
    /// JSON and HTML are not.
    #[test]
    fn detect_takes_any_feed_and_nothing_else() {
        let detect = |body: &str| detect(&Sniff::new(body.as_bytes()));
        let json_feed = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Status",
            "items": [{"id": "1", "title": "Elevated errors", "content_text": "Investigating",
                       "date_published": "2024-10-04T01:38:00Z"}]}"#;
        assert_eq!(detect(json_feed), Confidence::Weak);
        let api = r#"{"page": {"id": "kctbh9vrtdwd", "name": "GitHub"}, "incidents": []}"#;
        assert_eq!(detect(api), Confidence::No);
        assert_eq!(
            detect(r#"[{"version": "https://jsonfeed.org/version/1"}]"#),
            Confidence::No
        );
        assert_eq!(
            detect("<rss version=\"2.0\"><channel></channel></rss>"),
            Confidence::Weak
        );
        assert_eq!(detect("<html><body>feed</body></html>"), Confidence::No);
        assert_eq!(detect("{ not json"), Confidence::No);
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
