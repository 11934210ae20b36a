//! Atlassian Statuspage incident history feeds (`kind = "statuspage-feed"`): `/history.atom`
//! and `/history.rss`, read by the one feed reader (`rss_atom`).
//!
//! One entry per incident. Its content is HTML with one paragraph per update, newest first:
//! `<p><small>Aug <var data-var='date'>21</var>, <var data-var='time'>00:37</var> UTC</small>
//! <br><strong>Resolved</strong> - text</p>` (old feeds: `Jan  1, 09:09 PST`, no `<var>`).
//! Stamps carry no year: it is taken from the entry's own date (`<published>`, `<updated>`,
//! RSS `pubDate`), the nearest year to it, so December stamps of an entry dated in January are
//! of the previous year. Every stamp goes through [`timetext`]; "PST" written in
//! summer is read as the page's wall clock and reported with the literal reading.
//!
//! `<published>` is the entry's last update, not the incident's start, so it is not stored as
//! any of the incident's times. The entry id's number (`tag:…,2005:Incident/12345`) is not the
//! incident code; the code is in the link (`/incidents/<code>`): it is the native id, so the
//! feed and the JSON API of one page meet in one record, and the entry id is kept as an alias.

use super::rss_atom::{self, Entry, Feed};
use super::statuspage::is_statuspage_code;
use super::statuspage_text::{
    Label, collapse_whitespace, incident_code, label, read_stamp, selector, update_body,
};
use super::support::Sniff;
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    IncidentKind, Observation, ObservedIncident, ObservedUpdate, PageInfo, ParseNote,
};
use scraper::Html;
use timetext::Context;
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    StatuspageFeed, "statuspage-feed", product "statuspage" rank 1, formats [Xml]
}

/// A base page URL reads `/history.atom`; a URL of a feed document reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if is_feed_document(url) {
        return single(url);
    }
    under(url, &[("history.atom", true)])
}

fn is_feed_document(url: &Url) -> bool {
    let path = url.path();
    [".atom", ".rss", ".xml"].iter().any(|e| path.ends_with(e))
}

/// How surely a body is a Statuspage history feed: Strong when it carries Statuspage's Rails
/// ids (`tag:<host>,2005:Incident/<n>`, feed `…:/history`), or its update paragraphs in
/// entries linked to `/incidents/<code>`; Weak for the paragraphs alone (Instatus writes them
/// too) or the links alone.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(feed) = sniff.feed() else {
        return Confidence::No;
    };
    let rails_ids = is_history_feed_id(feed)
        || feed.entries.iter().any(|e| {
            e.id.as_deref()
                .is_some_and(|id| id.contains(",2005:Incident/"))
        });
    let paragraphs = feed.entries.iter().any(|e| {
        e.content_text()
            .is_some_and(|html| !update_paragraphs(html).0.is_empty())
    });
    // Statuspage's incident links: `/incidents/<code>` with its 12-character codes (incident.io
    // links ULIDs there).
    let incident_links = feed.entries.iter().any(|e| {
        e.link
            .as_deref()
            .and_then(incident_code)
            .is_some_and(|code| is_statuspage_code(&code))
    });
    // The update paragraphs alone are not Statuspage's mark: Instatus writes them too.
    if rails_ids || (paragraphs && incident_links) {
        Confidence::Strong
    } else if paragraphs || incident_links {
        Confidence::Weak
    } else {
        Confidence::No
    }
}

/// Parses one Statuspage history feed (Atom or RSS).
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let feed = rss_atom::read(KIND, page.body)?;
    let mut notes = Vec::new();
    let mut observation = Observation {
        page: Some(PageInfo {
            name: feed.title.as_ref().map(|t| {
                let title = collapse_whitespace(&t.value);
                title
                    .strip_suffix(" - Incident History")
                    .map(str::to_string)
                    .unwrap_or(title)
            }),
            // As the page writes it (a URL adds a slash to a bare host).
            url: feed
                .link
                .as_deref()
                .map(|l| l.trim_end_matches('/').to_string()),
            time_zone: None,
        }),
        ..Observation::default()
    };
    let mut any_update = false;
    for entry in &feed.entries {
        let place = match &entry.id {
            Some(id) => id.clone(),
            None => format!("entry[{}]", entry.index),
        };
        let incident = read_entry(entry, &place, page, &mut notes);
        any_update |= !incident.updates.is_empty();
        observation.incidents.push(incident);
    }
    if !feed.entries.is_empty() && !any_update {
        return Err(ParseError::at(
            KIND,
            ParseCause::WrongFormat,
            "entries",
            format!(
                "none of its {} entries has Statuspage's update paragraphs (<small> stamp, \
                 <strong> label)",
                feed.entries.len()
            ),
        ));
    }
    if feed.entries.is_empty() && !is_history_feed_id(&feed) {
        let title = feed.title.as_ref().map(|t| t.value.as_str()).unwrap_or("");
        if !title.ends_with("Incident History") {
            return Err(ParseError::new(
                KIND,
                ParseCause::WrongFormat,
                "the feed has no entries and is not a Statuspage incident history feed \
                 (no `…,2005:/history` id, no \"Incident History\" title)",
            ));
        }
    }
    observation.notes = notes;
    Ok(observation)
}

/// Statuspage's history feed id, `tag:<host>,2005:/history`.
fn is_history_feed_id(feed: &Feed) -> bool {
    feed.id
        .as_deref()
        .is_some_and(|id| id.ends_with(",2005:/history"))
}

/// One rendered update: its stamp text, its label as written, its text.
struct Paragraph {
    stamp: String,
    label: String,
    body: String,
}

/// The update paragraphs of an entry's content, newest first as written, and the text of any
/// paragraph without a stamp and label (a body with paragraphs of its own), which belongs to
/// the update before it.
fn update_paragraphs(html: &str) -> (Vec<Paragraph>, Vec<(usize, String)>) {
    let fragment = Html::parse_fragment(html);
    let paragraph = selector("p");
    let small = selector("small");
    let strong = selector("strong");
    let mut out: Vec<Paragraph> = Vec::new();
    let mut continued = Vec::new();
    for p in fragment.select(&paragraph) {
        match (p.select(&small).next(), p.select(&strong).next()) {
            (Some(stamp), Some(label)) => out.push(Paragraph {
                stamp: collapse_whitespace(&stamp.text().collect::<String>()),
                label: collapse_whitespace(&label.text().collect::<String>()),
                body: update_body(p),
            }),
            _ => {
                let text = super::statuspage_text::text_of(p, &|_| false);
                if !text.is_empty() {
                    continued.push((out.len(), text));
                }
            }
        }
    }
    (out, continued)
}

fn read_entry(
    entry: &Entry,
    place: &str,
    page: &PageInput<'_>,
    notes: &mut Vec<ParseNote>,
) -> ObservedIncident {
    let title = entry
        .title
        .as_ref()
        .map(|t| collapse_whitespace(&t.value))
        .unwrap_or_default();
    let mut incident = ObservedIncident::new(IncidentKind::Incident, title);
    let link = entry.link.clone();
    incident.native_id = link.as_deref().and_then(incident_code);
    if incident.native_id.is_none() {
        notes.push(ParseNote {
            place: place.to_string(),
            message: format!(
                "no incident code in the entry's link {link:?}; identified by its entry id only"
            ),
        });
    }
    if let Some(id) = &entry.id
        && Some(id) != link.as_ref()
    {
        incident.aliases.push(id.clone());
    }
    incident.url = link;

    // The entry's own date anchors year-less stamps: the nearest year to it.
    let anchor = match entry.published_time().or_else(|| entry.updated_time()) {
        Some(t) => t.utc.date_naive(),
        None => {
            notes.push(ParseNote {
                place: place.to_string(),
                message: "entry has no date; stamps take the latest year not after the fetch"
                    .into(),
            });
            super::statuspage_text::posted_before(page.fetched_at)
        }
    };
    let mut context = Context::on_date(anchor);
    if let Some(zone) = page.zone {
        context = context.with_zone(zone);
    }

    let Some(html) = entry.content_text() else {
        notes.push(ParseNote {
            place: place.to_string(),
            message: "entry has no content: no updates".into(),
        });
        return incident;
    };
    let (paragraphs, continued) = update_paragraphs(html);
    let mut updates: Vec<ObservedUpdate> = Vec::with_capacity(paragraphs.len());
    // `kept[i]` is the index in `updates` of paragraph i, when its stamp was read.
    let mut kept: Vec<Option<usize>> = Vec::with_capacity(paragraphs.len());
    let mut maintenance = false;
    let mut incident_words = false;
    for (i, p) in paragraphs.into_iter().enumerate() {
        let place = format!("{place} update[{i}]");
        let Some((posted_at, _)) = read_stamp(&p.stamp, &context, &place, notes) else {
            kept.push(None);
            continue;
        };
        let status = match label(&p.label) {
            Label::Status(s) => {
                if s.is_maintenance() {
                    maintenance = true;
                } else if s != crate::model::Status::Resolved {
                    incident_words = true;
                }
                Some(s)
            }
            Label::TextOnly => None,
            Label::Unknown => {
                notes.push(ParseNote {
                    place: place.clone(),
                    message: format!("unknown update label {:?} kept raw, no status", p.label),
                });
                None
            }
        };
        kept.push(Some(updates.len()));
        updates.push(ObservedUpdate {
            native_id: None,
            status,
            status_raw: Some(p.label),
            posted_at,
            body: p.body,
            components: Vec::new(),
        });
    }
    for (after, text) in continued {
        let target = after
            .checked_sub(1)
            .and_then(|i| kept.get(i).copied().flatten());
        notes.push(ParseNote {
            place: place.to_string(),
            message: match target {
                Some(_) => format!(
                    "paragraph without stamp and label kept as more text of update[{}]",
                    after - 1
                ),
                None => format!(
                    "paragraph without stamp and label before any update, not kept: {text:?}"
                ),
            },
        });
        if let Some(u) = target {
            let body = &mut updates[u].body;
            body.push_str("\n\n");
            body.push_str(&text);
        }
    }
    if maintenance {
        incident.kind = IncidentKind::Maintenance;
        if incident_words {
            notes.push(ParseNote {
                place: place.to_string(),
                message: "maintenance labels mixed with incident labels; read as a maintenance"
                    .into(),
            });
        }
    }
    // Written newest first; observations carry updates oldest first.
    updates.reverse();
    incident.updates = updates;
    incident
}

#[cfg(test)]
mod tests {
    use super::*;

    const OTHER_FEED: &str = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <id>urn:example:blog</id><title>Blog</title><updated>2024-01-01T00:00:00Z</updated>
      <entry><id>urn:example:1</id><title>Hello</title><updated>2024-01-01T00:00:00Z</updated>
      <link href="https://example.com/posts/1"/><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>"#;

    #[test]
    fn detect_needs_statuspage_marks() {
        let detect = |body: &[u8]| detect(&Sniff::new(body));
        assert_eq!(detect(OTHER_FEED.as_bytes()), Confidence::No);
        let linked = OTHER_FEED.replace("posts/1", "incidents/abcd1234efgh");
        assert_eq!(detect(linked.as_bytes()), Confidence::Weak);
        assert_eq!(detect(b"{\"page\":{}}"), Confidence::No);
    }

    #[test]
    fn a_feed_without_update_paragraphs_is_refused() {
        let page = PageInput {
            url: "https://example.com/feed.atom",
            body: OTHER_FEED.as_bytes(),
            fetched_at: chrono::Utc::now(),
            zone: None,
        };
        let e = parse(&page).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a statuspage-feed page: none of its 1 entries has Statuspage's update \
             paragraphs (<small> stamp, <strong> label) (at entries)"
        );
    }
}
