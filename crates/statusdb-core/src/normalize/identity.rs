//! Which record an observed incident is: the keys it is known by on its vendor, and the one
//! weaker rule (same title, overlapping time) for the incidents a key cannot name.
//!
//! Keys, strongest first (all kept in `incident_aliases`, scoped by vendor):
//!
//! 1. the vendor's native id and every alias the page gives (feed entry ids, short links);
//! 2. the incident's link, as `url:<host><path>[?query][#fragment]`, when it names this
//!    incident: it contains the native id (`https://www.githubstatus.com/incidents/<code>`,
//!    `https://status.okta.com/#incident/<id>`), or it is an aggregator's link to the vendor's
//!    own page. A link without the id may be a page shared by many incidents (a feed whose
//!    items all link to one history page), so it is never a key;
//! 3. without a native id: `fp-<hash>` of the normalized title and the first update's minute,
//!    and `fu-<hash>` of the first update's minute and text, so that a vendor's edit of the
//!    title (or of the first update's text) leaves one of the two matching.
//!
//! When no key matches, [`same_by_title_and_time`] may still name a record of the same vendor:
//! same kind, same normalized title, at most one of the two with a native id, and time spans
//! that overlap (within [`TITLE_MATCH_SLACK`]). Two incidents with the same title at different
//! times, or two with different native ids, are never merged.

use crate::model::{IncidentRecord, ObservedIncident};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// How far apart two time spans may be and still count as overlapping for the title rule:
/// one hour, for stamps read at minute precision or in a neighbouring zone reading. Further
/// apart, a same-titled incident is another incident ("Incident with Git Operations" recurs
/// within days on GitHub's page).
pub const TITLE_MATCH_SLACK: Duration = Duration::hours(1);

/// The keys an observed incident can be recognised by on its vendor, strongest first.
pub fn identity_keys(observed: &ObservedIncident) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(4 + observed.aliases.len());
    let mut push = |key: String| {
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    };
    if let Some(id) = &observed.native_id {
        push(id.clone());
    }
    for alias in &observed.aliases {
        push(alias.clone());
    }
    for link in incident_links(observed) {
        if let Some(key) = url_key(link) {
            push(key);
        }
    }
    if observed.native_id.is_none() {
        push(fingerprint(observed));
        if let Some(key) = first_update_key(observed) {
            push(key);
        }
    }
    keys
}

/// Whether a stored key is statusdb's own (a fingerprint or a link key) rather than an id the
/// vendor gave: the export's `aliases` list only the vendor's.
pub fn is_internal_key(key: &str) -> bool {
    let hashed = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    key.starts_with("url:") || hashed("fp-") || hashed("fu-")
}

/// The links that name this incident (see the module documentation).
fn incident_links(observed: &ObservedIncident) -> Vec<&str> {
    let mut links = Vec::new();
    if let (Some(url), Some(id)) = (&observed.url, &observed.native_id)
        && id.len() >= 4
        && url.contains(id.as_str())
    {
        links.push(url.as_str());
    }
    if let Some(vendor_url) = observed
        .second_hand
        .as_ref()
        .and_then(|s| s.vendor_url.as_deref())
    {
        links.push(vendor_url);
    }
    links
}

/// A link as a key: `url:` and its host (lower case, without `www.`), path (without a
/// trailing slash), query and fragment. The scheme is left out: the same page is linked over
/// http and https.
pub fn url_key(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let mut key = format!("url:{host}{}", url.path().trim_end_matches('/'));
    if let Some(q) = url.query() {
        key.push('?');
        key.push_str(q);
    }
    if let Some(f) = url.fragment() {
        key.push('#');
        key.push_str(f);
    }
    Some(key)
}

/// The id a new record gets: the vendor's own id where it gives one, else a fingerprint.
pub fn new_incident_id(vendor: &str, observed: &ObservedIncident) -> String {
    match &observed.native_id {
        Some(id) => format!("{vendor}/{id}"),
        None => format!("{vendor}/{}", fingerprint(observed)),
    }
}

/// A title as identity compares it: lower case, letters, digits and single spaces.
pub fn title_key(title: &str) -> String {
    // The words joined first and lower-cased once: the same text as lower-casing each word
    // (a space is not case-ignorable, so a final sigma is told at the same places), without a
    // string per word; the writer computes this for every incident it stores.
    let mut words = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_alphanumeric() {
            words.push(c);
        } else if !words.is_empty() && !words.ends_with(' ') {
            words.push(' ');
        }
    }
    if words.ends_with(' ') {
        words.pop();
    }
    if words.is_ascii() {
        words.make_ascii_lowercase();
        words
    } else {
        words.to_lowercase()
    }
}

/// The minute of an observation's first update (or of its start, or creation).
fn first_minute(observed: &ObservedIncident) -> Option<String> {
    observed
        .updates
        .iter()
        .map(|u| u.posted_at.utc)
        .min()
        .or(observed.started_at.as_ref().map(|t| t.utc))
        .or(observed.created_at.as_ref().map(|t| t.utc))
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
}

fn short_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
}

/// A stable key for an incident the vendor gives no id for: its normalized title and the
/// minute of its first update (or its start).
pub fn fingerprint(observed: &ObservedIncident) -> String {
    let title = title_key(&observed.title);
    let first = first_minute(observed).unwrap_or_default();
    format!("fp-{}", short_hash(&format!("{title}\n{first}")))
}

/// The second key of an incident without an id: the minute and the text (whitespace
/// normalized) of its first update. None without updates.
pub fn first_update_key(observed: &ObservedIncident) -> Option<String> {
    let first = observed.updates.iter().min_by_key(|u| u.posted_at.utc)?;
    let minute = first.posted_at.utc.format("%Y-%m-%dT%H:%M");
    let text = first.body.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(format!("fu-{}", short_hash(&format!("{minute}\n{text}"))))
}

/// Whether a record was created from a vendor's native id (its id is not a fingerprint).
pub fn has_native_id(record: &IncidentRecord) -> bool {
    let suffix = record
        .id
        .strip_prefix(&format!("{}/", record.vendor))
        .unwrap_or(&record.id);
    !(suffix.starts_with("fp-") && is_internal_key(suffix))
}

/// The earliest and latest instant an observation states (updates, start, resolution,
/// creation, window).
fn observed_span(observed: &ObservedIncident) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let times = observed.updates.iter().map(|u| u.posted_at.utc).chain(
        [
            &observed.created_at,
            &observed.started_at,
            &observed.resolved_at,
            &observed.scheduled_for,
            &observed.scheduled_until,
        ]
        .into_iter()
        .flatten()
        .map(|t| t.utc),
    );
    span(times)
}

fn record_span(record: &IncidentRecord) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let times = record.updates.iter().map(|u| u.posted_at.utc).chain(
        [
            &record.created_at,
            &record.started_at,
            &record.resolved_at,
            &record.structured_started_at,
            &record.structured_resolved_at,
            &record.scheduled_for,
            &record.scheduled_until,
        ]
        .into_iter()
        .flatten()
        .map(|t| t.utc),
    );
    span(times)
}

fn span(times: impl Iterator<Item = DateTime<Utc>>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    times.fold(None, |acc, t| match acc {
        None => Some((t, t)),
        Some((a, b)) => Some((a.min(t), b.max(t))),
    })
}

/// The weak rule, for an observation no key names: the record is the same incident when
/// both are of one kind, their normalized titles are equal, they do not carry two native ids
/// (two ids that differ are two incidents: had they been equal, a key would have matched),
/// and their time spans overlap within [`TITLE_MATCH_SLACK`].
pub fn same_by_title_and_time(record: &IncidentRecord, observed: &ObservedIncident) -> bool {
    if record.kind != observed.kind || title_key(&record.title) != title_key(&observed.title) {
        return false;
    }
    if title_key(&observed.title).is_empty() {
        return false;
    }
    if observed.native_id.is_some() && has_native_id(record) {
        return false;
    }
    match (record_span(record), observed_span(observed)) {
        (Some((a0, a1)), Some((b0, b1))) => {
            a0 - TITLE_MATCH_SLACK <= b1 && b0 - TITLE_MATCH_SLACK <= a1
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentKind, ObservedUpdate, TimeValue};
    use crate::normalize::{Seen, merge};

    /// The rule as first written: each word lower-cased on its own.
    fn title_key_word_by_word(title: &str) -> String {
        title
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn title_keys_are_those_of_lower_casing_each_word() {
        let titles = [
            "",
            "  ",
            "!!",
            "Elevated Errors  on API-Requests (EU) ",
            "O365 OIN: Provisioning-Setup  Issue!",
            // Final sigma: at a word's end it lower-cases to ς, inside to σ.
            "ΟΔΟΣ ΣΟΦΙΑΣ: ΣΦΑΛΜΑΤΑ",
            "Σ",
            "ΑΣ-ΑΣ",
            // Dotted capital I lower-cases to two characters; combining marks stay in words.
            "İSTANBUL bölgesi",
            "Cafe\u{301} down\u{2014}Re\u{301}seau",
            "ǅungla ǈ Ǌ",
            "東京リージョンで障害",
            "tab\tand\nnewline",
        ];
        for title in titles {
            assert_eq!(title_key(title), title_key_word_by_word(title), "{title:?}");
        }
        assert_eq!(title_key("ΟΔΟΣ ΣΟΦΙΑΣ"), "οδος σοφιας");
        assert_eq!(title_key("ΑΣ-ΑΣ"), "ας ας");
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn observed(title: &str, native_id: Option<&str>, times: &[&str]) -> ObservedIncident {
        let mut o = ObservedIncident::new(IncidentKind::Incident, title);
        o.native_id = native_id.map(str::to_string);
        o.updates = times
            .iter()
            .map(|t| ObservedUpdate {
                native_id: None,
                status: None,
                status_raw: Some("Update".into()),
                posted_at: TimeValue::structured(at(t), *t),
                body: format!("Text of {t}."),
                components: Vec::new(),
            })
            .collect();
        o
    }

    fn record(o: &ObservedIncident) -> IncidentRecord {
        let seen = Seen {
            vendor: "acme",
            source_id: "s",
            at: at("2024-01-01T00:00:00Z"),
            zone: None,
        };
        merge(None, o, &seen).0
    }

    #[test]
    fn keys_titles_and_links() {
        assert_eq!(
            title_key("O365 OIN: Provisioning-Setup  Issue!"),
            "o365 oin provisioning setup issue"
        );
        assert_eq!(
            url_key("https://www.githubstatus.com/incidents/8xxms3q3qzgp/").as_deref(),
            Some("url:githubstatus.com/incidents/8xxms3q3qzgp")
        );
        assert_eq!(
            url_key("http://STATUS.okta.com/#incident/a3T4z00000XmpleEAA").as_deref(),
            Some("url:status.okta.com#incident/a3T4z00000XmpleEAA")
        );
        assert!(is_internal_key("fp-0123456789abcdef"));
        assert!(is_internal_key("fu-0123456789abcdef"));
        assert!(is_internal_key("url:status.okta.com#incident/x"));
        assert!(!is_internal_key("fp-short"));
        assert!(!is_internal_key("8xxms3q3qzgp"));
    }

    #[test]
    fn a_link_is_a_key_only_when_it_names_the_incident() {
        let mut o = observed("Login errors", Some("42abc"), &["2024-03-01T10:00:00Z"]);
        o.url = Some("https://status.acme.example/incidents/42abc".into());
        assert_eq!(
            identity_keys(&o),
            vec!["42abc", "url:status.acme.example/incidents/42abc"]
        );
        // A feed whose items all link to one history page: the link names no incident.
        o.url = Some("https://status.acme.example/history".into());
        assert_eq!(identity_keys(&o), vec!["42abc"]);
        // Without an id: the two fingerprints.
        let o = observed("Login errors", None, &["2024-03-01T10:00:00Z"]);
        let keys = identity_keys(&o);
        assert_eq!(keys.len(), 2);
        assert!(
            keys[0].starts_with("fp-") && keys[1].starts_with("fu-"),
            "{keys:?}"
        );
    }

    #[test]
    fn a_title_edit_keeps_the_first_update_key_and_an_edited_first_update_keeps_the_title_key() {
        let first = observed(
            "Login errors",
            None,
            &["2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z"],
        );
        let mut renamed = first.clone();
        renamed.title = "Login failures for some users".into();
        let mut reworded = first.clone();
        reworded.updates[0].body = "Edited.".into();
        let keys = identity_keys(&first);
        assert_ne!(identity_keys(&renamed)[0], keys[0]);
        assert_eq!(identity_keys(&renamed)[1], keys[1]);
        assert_eq!(identity_keys(&reworded)[0], keys[0]);
        assert_ne!(identity_keys(&reworded)[1], keys[1]);
        // Both are stored as aliases of the record, so either finds it.
        let held = record(&first);
        assert!(keys.iter().all(|k| held.aliases.contains(k)));
    }

    #[test]
    fn the_title_rule_needs_the_same_title_overlapping_times_and_no_two_ids() {
        let held = record(&observed(
            "Login errors",
            None,
            &["2024-03-01T10:00:00Z", "2024-03-01T12:00:00Z"],
        ));
        // Same title, overlapping: the same incident (punctuation and case aside).
        assert!(same_by_title_and_time(
            &held,
            &observed("login errors.", None, &["2024-03-01T11:30:00Z"])
        ));
        // Within the hour's slack after the last update.
        assert!(same_by_title_and_time(
            &held,
            &observed("Login errors", Some("42"), &["2024-03-01T12:59:00Z"])
        ));
        // A day later: another incident of the same title.
        assert!(!same_by_title_and_time(
            &held,
            &observed("Login errors", None, &["2024-03-02T11:00:00Z"])
        ));
        // Another title.
        assert!(!same_by_title_and_time(
            &held,
            &observed("Login slow", None, &["2024-03-01T11:00:00Z"])
        ));
        // Two native ids that differ are two incidents, however alike.
        let with_id = record(&observed(
            "Incident with Actions",
            Some("aaaaaaaaaaaa"),
            &["2024-03-01T10:00:00Z"],
        ));
        assert!(has_native_id(&with_id));
        assert!(!has_native_id(&held));
        assert!(!same_by_title_and_time(
            &with_id,
            &observed(
                "Incident with Actions",
                Some("bbbbbbbbbbbb"),
                &["2024-03-01T10:05:00Z"]
            )
        ));
        assert!(same_by_title_and_time(
            &with_id,
            &observed("Incident with Actions", None, &["2024-03-01T10:05:00Z"])
        ));
    }
}
