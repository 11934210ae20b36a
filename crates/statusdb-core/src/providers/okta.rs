//! Okta (`kind = "okta"`): Okta publishes no public JSON; its machine-readable status is the
//! FeedBurner feed `https://feeds.feedburner.com/OktaTrustRSS` (Atom, or RSS).
//!
//! Each entry is one update of an incident; its link `https://status.okta.com/#incident/<id>`
//! (FeedBurner's `origLink` when the link is rewritten) names the incident, so the entries of
//! one incident become one incident. A title prefixed "Resolved" marks the update that closed
//! it. The cells are named only in prose: "US Cell 6" is the component `okta.com cell 6`,
//! "EMEA Cell 9" is `okta-emea.com cell 9`, "all cells" is `all cells`.

use super::rss_atom::{self, Entry, Format};
use super::support::{Notes, Sniff, links_to, rfc2822, rfc3339, visible_text};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    IncidentKind, Observation, ObservedIncident, ObservedUpdate, Status, TimeValue,
};
use regex::Regex;
use std::sync::LazyLock;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Okta, "okta", product "okta" rank 0, formats [Xml], one document
}

/// Okta's cell regions as its prose names them, and the domain each cell serves.
pub const CELL_DOMAINS: &[(&str, &str)] = &[("US", "okta.com"), ("EMEA", "okta-emea.com")];

static INCIDENT_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^https?://status\.okta\.com/?#incident/([A-Za-z0-9]+)").expect("constant regex")
});

static RESOLVED_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\[?resolved\]?(?:\s*[:\-–—]\s*|\s+)").expect("constant regex")
});

/// "US Cell 6", "EMEA Cells 1 and 9", "US Cells 1, 2, and 4".
static CELLS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Z]{2,5})\s+[Cc]ells?\s+(\d+(?:\s*(?:,\s*and|,|and|&)\s*\d+)*)")
        .expect("constant regex")
});

static ALL_CELLS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\ball\s+cells\b").expect("constant regex"));

static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("constant regex"));

/// The components a text names: its cells, in order of mention, and `all cells`. A region
/// statusdb does not know is kept as written ("APJ Cell 1") and reported.
pub(crate) fn cells_in(text: &str, notes: &mut Notes, place: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in CELLS.captures_iter(text) {
        let (Some(whole), Some(region), Some(numbers)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let domain = CELL_DOMAINS
            .iter()
            .find(|(name, _)| *name == region.as_str())
            .map(|(_, domain)| *domain);
        for number in NUMBER.find_iter(numbers.as_str()) {
            let name = match domain {
                Some(domain) => format!("{domain} cell {}", number.as_str()),
                None => {
                    notes.add(
                        place,
                        format!(
                            "cell region {:?} is not in the table; {:?} kept as written",
                            region.as_str(),
                            whole.as_str()
                        ),
                    );
                    format!("{} Cell {}", region.as_str(), number.as_str())
                }
            };
            found.push((whole.start(), name));
        }
    }
    for m in ALL_CELLS.find_iter(text) {
        found.push((m.start(), "all cells".to_string()));
    }
    found.sort_by_key(|(at, _)| *at);
    let mut names: Vec<String> = Vec::new();
    for (_, name) in found {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// How surely a body is Okta's status feed. Strong: a feed whose channel or entries link
/// `status.okta.com`. Weak: a feed whose title names Okta. No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(feed) = sniff.feed() else {
        return Confidence::No;
    };
    let links_status_okta = feed
        .link
        .iter()
        .chain(feed.entries.iter().filter_map(|e| e.link.as_ref()))
        .any(|l| links_to(l, "status.okta.com"));
    if links_status_okta {
        Confidence::Strong
    } else if feed
        .title
        .as_ref()
        .is_some_and(|t| t.value.to_ascii_lowercase().contains("okta"))
    {
        Confidence::Weak
    } else {
        Confidence::No
    }
}

pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document = rss_atom::read(KIND, page.body)?;
    let about_okta = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| s.to_ascii_lowercase().contains("okta"))
    };
    let title = document.title.as_ref().map(|t| t.value.clone());
    if !about_okta(&title)
        && !about_okta(&document.link)
        && !document.entries.iter().any(|e| about_okta(&e.link))
    {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            format!(
                "feed titled {:?} neither names Okta nor links status.okta.com",
                title.as_deref().unwrap_or("")
            ),
        ));
    }
    let mut notes = Notes::default();
    let mut incidents: Vec<(String, Vec<Entry>)> = Vec::new();
    for entry in document.entries {
        let id = match entry
            .link
            .as_deref()
            .and_then(|l| INCIDENT_LINK.captures(l))
            .and_then(|c| c.get(1))
        {
            Some(id) => id.as_str().to_string(),
            None => {
                let fallback = entry.id.clone().ok_or_else(|| {
                    ParseError::at(
                        KIND,
                        ParseCause::SchemaMismatch,
                        &entry.place,
                        "entry has neither a status.okta.com/#incident/<id> link nor an id",
                    )
                })?;
                notes.add(
                    &entry.place,
                    format!(
                        "link {:?} is not status.okta.com/#incident/<id>; entry id {fallback:?} used",
                        entry.link.as_deref().unwrap_or("")
                    ),
                );
                fallback
            }
        };
        match incidents.iter_mut().find(|(held, _)| *held == id) {
            Some((_, entries)) => entries.push(entry),
            None => incidents.push((id, vec![entry])),
        }
    }
    let mut observation = Observation::default();
    for (id, entries) in incidents {
        observation
            .incidents
            .push(incident(id, entries, document.format, &mut notes)?);
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

fn entry_time(entry: &Entry, format: Format) -> Result<TimeValue, ParseError> {
    let stamp = entry
        .published
        .as_deref()
        .or(entry.updated.as_deref())
        .ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &entry.place,
                "entry has no date",
            )
        })?;
    match format {
        Format::Atom | Format::Json => rfc3339(KIND, stamp, &entry.place),
        Format::Rss => rfc2822(KIND, stamp, &entry.place),
    }
}

fn incident(
    id: String,
    entries: Vec<Entry>,
    format: Format,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let mut dated = Vec::with_capacity(entries.len());
    for entry in entries {
        dated.push((entry_time(&entry, format)?, entry));
    }
    dated.sort_by_key(|(t, _)| t.utc);
    let mut observed = ObservedIncident::new(IncidentKind::Incident, String::new());
    observed.native_id = Some(id.clone());
    let url = format!("https://status.okta.com/#incident/{id}");
    // The link is what other pages (an aggregator's "vendor source") share with this feed.
    observed.aliases.push(url.clone());
    observed.url = Some(url);
    for (posted_at, entry) in dated {
        let title = entry.title_text().unwrap_or_default().to_string();
        let (resolved, plain_title) = match RESOLVED_PREFIX.find(&title) {
            Some(prefix) => (true, title[prefix.end()..].trim().to_string()),
            None => (false, title.trim().to_string()),
        };
        // The latest entry's title, without its prefix, is the incident's.
        observed.title = plain_title;
        let body = entry.content_text().unwrap_or_default().to_string();
        let prose = format!("{title}\n{}", visible_text(&body));
        for cell in cells_in(&prose, notes, &entry.place) {
            if !observed.components.contains(&cell) {
                observed.components.push(cell);
            }
        }
        if let Some(entry_id) = &entry.id
            && !observed.aliases.contains(entry_id)
        {
            observed.aliases.push(entry_id.clone());
        }
        observed.updates.push(ObservedUpdate {
            native_id: entry.id,
            status: resolved.then_some(Status::Resolved),
            status_raw: resolved.then(|| "Resolved".to_string()),
            posted_at,
            body,
            components: Vec::new(),
        });
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_in_prose() {
        let mut notes = Notes::default();
        assert_eq!(
            cells_in(
                "Customers on US Cell 6 and EMEA Cell 9, then US Cells 1, 2, and 4; all cells later. APJ Cell 1 too.",
                &mut notes,
                "x"
            ),
            vec![
                "okta.com cell 6",
                "okta-emea.com cell 9",
                "okta.com cell 1",
                "okta.com cell 2",
                "okta.com cell 4",
                "all cells",
                "APJ Cell 1"
            ]
        );
        assert_eq!(
            notes.into_vec()[0].message,
            "cell region \"APJ\" is not in the table; \"APJ Cell 1\" kept as written"
        );
    }

    #[test]
    fn resolved_prefix_forms() {
        for title in ["Resolved: X", "Resolved - X", "[Resolved] X", "RESOLVED X"] {
            let m = RESOLVED_PREFIX.find(title).unwrap();
            assert_eq!(&title[m.end()..], "X", "{title}");
        }
        assert!(RESOLVED_PREFIX.find("Resolution pending").is_none());
    }
}
