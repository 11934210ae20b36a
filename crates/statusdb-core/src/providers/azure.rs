//! Azure (`kind = "azure"`): the status RSS feed `https://azure.status.microsoft/en-us/status/feed/`.
//!
//! The feed is empty while all is well: a channel with no items is success, not failure (the
//! real empty capture's `lastBuildDate` ends in a literal `Z`, which RFC 822 allows). Items
//! carry prose only: the "Tracking ID" written in it (or in the link) is the incident id,
//! regions are found by name in the title and text, and the service is the title's first
//! segment ("Virtual Machines/VM Scale Sets - East US 2"). Items sharing a tracking ID are
//! updates of one incident.

use super::rss_atom::{self, Entry, Format};
use super::support::{Notes, Sniff, links_to, rfc2822};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{IncidentKind, Observation, ObservedIncident, ObservedUpdate, PageInfo};
use regex::Regex;
use std::sync::LazyLock;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Azure, "azure", product "azure" rank 0, formats [Xml], one document
}

/// Azure's public regions by display name: those of the status page's region grid (capture
/// `azure/status-home-2022.html`) and the regions opened since.
pub const REGIONS: &[&str] = &[
    "East US",
    "East US 2",
    "Central US",
    "North Central US",
    "South Central US",
    "West Central US",
    "West US",
    "West US 2",
    "West US 3",
    "Canada East",
    "Canada Central",
    "Brazil South",
    "Brazil Southeast",
    "Mexico Central",
    "North Europe",
    "West Europe",
    "France Central",
    "France South",
    "UK West",
    "UK South",
    "Switzerland North",
    "Switzerland West",
    "Norway East",
    "Norway West",
    "Germany North",
    "Germany West Central",
    "Sweden Central",
    "Sweden South",
    "Poland Central",
    "Italy North",
    "Spain Central",
    "Southeast Asia",
    "East Asia",
    "Australia East",
    "Australia Southeast",
    "Australia Central",
    "Australia Central 2",
    "Central India",
    "West India",
    "South India",
    "Jio India Central",
    "Jio India West",
    "Japan East",
    "Japan West",
    "Korea Central",
    "Korea South",
    "New Zealand North",
    "South Africa West",
    "South Africa North",
    "UAE Central",
    "UAE North",
    "Qatar Central",
    "Israel Central",
    "US Gov Arizona",
    "US Gov Texas",
    "US Gov Virginia",
    "US DoD Central",
    "US DoD East",
    "China East",
    "China East 2",
    "China North",
    "China North 2",
    "China North 3",
];

static REGION: LazyLock<Regex> = LazyLock::new(|| {
    // Longest names first, so that "East US 2" is not read as "East US".
    let mut names: Vec<&str> = REGIONS.to_vec();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let alternatives: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
    Regex::new(&format!(r"\b(?:{})\b", alternatives.join("|"))).expect("constant regex")
});

static TRACKING_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:tracking\s*id)[:=\s]*([A-Z0-9]{3,5}-[A-Z0-9]{2,4})\b").expect("constant regex")
});

/// The regions a text names, in order of first mention.
pub fn regions_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for m in REGION.find_iter(text) {
        if !found.iter().any(|f| f == m.as_str()) {
            found.push(m.as_str().to_string());
        }
    }
    found
}

/// The tracking ID an item's text or link gives (`Tracking ID: VSG1-B90`, `?trackingId=VSG1-B90`).
pub fn tracking_id(text: &str) -> Option<String> {
    TRACKING_ID
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// How surely a body is Azure's status feed. Strong: an RSS feed titled for Azure whose
/// channel links Azure's status site (`azure.status.microsoft`, `status.azure.com`). Weak: the
/// title alone. No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(feed) = sniff.feed() else {
        return Confidence::No;
    };
    if feed.format != Format::Rss
        || !feed
            .title
            .as_ref()
            .is_some_and(|t| t.value.contains("Azure"))
    {
        return Confidence::No;
    }
    let on_azure = feed
        .link
        .as_deref()
        .is_some_and(|l| links_to(l, "azure.status.microsoft") || links_to(l, "status.azure.com"));
    if on_azure {
        Confidence::Strong
    } else {
        Confidence::Weak
    }
}

pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document = rss_atom::read(KIND, page.body)?;
    let title = document
        .title
        .as_ref()
        .map(|t| t.value.clone())
        .unwrap_or_default();
    if document.format != Format::Rss || !title.contains("Azure") {
        return Err(ParseError::new(
            KIND,
            ParseCause::WrongFormat,
            format!(
                "an RSS feed titled \"Azure Status\" expected, this is a feed titled {title:?}"
            ),
        ));
    }
    let mut notes = Notes::default();
    if let Some(built) = &document.updated
        && let Err(e) = rfc2822(KIND, built, "lastBuildDate")
    {
        notes.add("lastBuildDate", e.detail());
    }
    let mut observation = Observation {
        page: Some(PageInfo {
            name: document.title.as_ref().map(|t| t.value.clone()),
            url: document.link.clone(),
            time_zone: None,
        }),
        ..Observation::default()
    };
    // Items in document order; those with one tracking ID are one incident.
    let mut by_incident: Vec<(Option<String>, Vec<Entry>)> = Vec::new();
    for entry in document.entries {
        let prose = format!(
            "{} {} {}",
            entry.title_text().unwrap_or(""),
            entry.content_text().unwrap_or(""),
            entry.link.as_deref().unwrap_or("")
        );
        let id = tracking_id(&prose);
        match by_incident
            .iter_mut()
            .find(|(held, _)| held.is_some() && *held == id)
        {
            Some((_, entries)) => entries.push(entry),
            None => by_incident.push((id, vec![entry])),
        }
    }
    for (id, entries) in by_incident {
        observation
            .incidents
            .push(incident(id, entries, &mut notes)?);
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

fn incident(
    tracking: Option<String>,
    entries: Vec<Entry>,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let mut updates = Vec::with_capacity(entries.len());
    for entry in &entries {
        let published = entry.published.as_deref().ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &entry.place,
                "item has no pubDate",
            )
        })?;
        updates.push((rfc2822(KIND, published, &entry.place)?, entry));
    }
    updates.sort_by_key(|(t, _)| t.utc);
    let latest = updates.last().map(|(_, e)| *e).unwrap_or(&entries[0]);
    let title = latest.title_text().unwrap_or_default().to_string();
    let mut observed = ObservedIncident::new(IncidentKind::Incident, title.clone());
    observed.url = latest.link.clone();
    match &tracking {
        Some(id) => {
            observed.native_id = Some(id.clone());
            observed.aliases = entries.iter().filter_map(|e| e.id.clone()).collect();
        }
        None => {
            observed.native_id = entries.iter().find_map(|e| e.id.clone());
            notes.add(
                &latest.place,
                match &observed.native_id {
                    Some(guid) => {
                        format!("no Tracking ID in the item; its guid {guid:?} is the id")
                    }
                    None => "no Tracking ID and no guid in the item; identified by title and time"
                        .to_string(),
                },
            );
        }
    }
    // The service is the title's first segment unless that is a region.
    let service = title
        .split(" - ")
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !REGIONS.contains(s));
    observed.components.extend(service.map(str::to_string));
    for entry in &entries {
        let prose = format!(
            "{}\n{}",
            entry.title_text().unwrap_or(""),
            entry.content_text().unwrap_or("")
        );
        for region in regions_in(&prose) {
            if !observed.components.contains(&region) {
                observed.components.push(region);
            }
        }
    }
    for (posted_at, entry) in updates {
        observed.updates.push(ObservedUpdate {
            native_id: entry.id.clone(),
            status: None,
            status_raw: None,
            posted_at,
            body: entry.content_text().unwrap_or_default().to_string(),
            components: Vec::new(),
        });
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_longest_name_first() {
        assert_eq!(
            regions_in("customers in East US 2, East US and North Central US; West US 3."),
            vec!["East US 2", "East US", "North Central US", "West US 3"]
        );
        assert_eq!(regions_in("Eastern US"), Vec::<String>::new());
    }

    #[test]
    fn tracking_ids_in_prose_and_links() {
        assert_eq!(
            tracking_id("... Tracking ID: VSG1-B90"),
            Some("VSG1-B90".into())
        );
        assert_eq!(
            tracking_id("https://azure.status.microsoft/en-us/status/history/?trackingId=KTY1-HW8"),
            Some("KTY1-HW8".into())
        );
        assert_eq!(
            tracking_id("(Tracking ID YKYN-BWZ)"),
            Some("YKYN-BWZ".into())
        );
        assert_eq!(tracking_id("no id here"), None);
    }
}
