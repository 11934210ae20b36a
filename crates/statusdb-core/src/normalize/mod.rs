//! From what a page said to the canonical record: one record per real incident.
//!
//! Everything here is pure: the store loads what it already holds (the record a key or the
//! title rule names, see [`identity`]), calls [`merge`], and writes the difference. `merge`
//! folds the observation's fields and updates into the record ([`updates`]), then [`derive`]
//! recomputes everything that follows from the whole record, the same way on every merge:
//! the statuses the text supports where labels are implausible ([`status`]), the times the
//! vendor states in its updates ([`times`]), the incident's status, start and resolution, and
//! its anomalies ([`anomalies`]). Component history from updates is in [`components`].
//! docs/NORMALIZE.md describes the rules.

mod anomalies;
pub mod components;
pub mod identity;
pub mod lookup;
mod status;
mod times;
pub mod updates;

pub use identity::{fingerprint, identity_keys, new_incident_id};
pub use lookup::{Merged, PreparedIncident, RecordLookup, merge_page, prepare_page};
pub use updates::merge_updates;

use crate::model::{
    IncidentKind, IncidentRecord, Observation, ObservedIncident, Status, TimeSource, TimeValue,
    format_utc,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use times::{StatedTime, TextTimes};
use timetext::Flag;
use updates::{precision, same_minute};

/// Who saw an observation, and when.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The vendor (config `vendor`).
    pub vendor: &'a str,
    /// The source that showed it.
    pub source_id: &'a str,
    /// When the source's page was fetched.
    pub at: DateTime<Utc>,
    /// The zone the source's text is read in (its configured zone, else its page's own).
    pub zone: Option<Tz>,
}

impl<'a> Seen<'a> {
    /// Who saw one page: the same source at the same time, reading text in the source's
    /// configured zone (`self.zone`) or, where it configures none, the page's own.
    pub fn for_page(&self, observation: &Observation) -> Seen<'a> {
        let page_zone = observation
            .page
            .as_ref()
            .and_then(|p| p.time_zone.as_deref())
            .and_then(|z| z.parse::<Tz>().ok());
        Seen {
            zone: self.zone.or(page_zone),
            ..*self
        }
    }
}

/// A field whose value a later observation changed; the store keeps the old value.
///
/// One kind is not an edit: an update's `id`, changed when a view with the vendor's update
/// ids shows an update first stored without one ([`Revision::renamed_update`]). The store
/// moves the update's rows to the new id and keeps no revision of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// What was revised: `incident` or `update`.
    pub entity: &'static str,
    /// Its id.
    pub entity_id: String,
    /// The field (`title`, `body`, ...).
    pub field: &'static str,
    /// The value before.
    pub old_value: Option<String>,
    /// The value after.
    pub new_value: Option<String>,
}

impl Revision {
    /// For an update that took the vendor's id: `(old id, new id)`.
    pub fn renamed_update(&self) -> Option<(&str, &str)> {
        if self.entity == "update" && self.field == "id" {
            Some((self.old_value.as_deref()?, self.new_value.as_deref()?))
        } else {
            None
        }
    }
}

/// Merges one observation of an incident into what the store holds (or starts a new record),
/// and returns the merged record with the revisions the merge made.
pub fn merge(
    existing: Option<IncidentRecord>,
    observed: &ObservedIncident,
    seen: &Seen<'_>,
) -> (IncidentRecord, Vec<Revision>) {
    let mut revisions = Vec::new();
    let mut record = match existing {
        Some(r) => r,
        None => IncidentRecord {
            id: new_incident_id(seen.vendor, observed),
            vendor: seen.vendor.to_string(),
            kind: observed.kind,
            title: observed.title.clone(),
            url: None,
            impact: None,
            impact_raw: None,
            status: None,
            status_raw: None,
            created_at: None,
            started_at: None,
            resolved_at: None,
            structured_started_at: None,
            structured_resolved_at: None,
            scheduled_for: None,
            scheduled_until: None,
            components: Vec::new(),
            updates: Vec::new(),
            anomalies: Vec::new(),
            sources: Vec::new(),
            aliases: Vec::new(),
            first_seen_at: seen.at,
            last_seen_at: seen.at,
        },
    };
    let id = record.id.clone();
    // A value first learnt is not an edit: only a changed known value is a revision.
    let mut revise = |field: &'static str, old: Option<String>, new: Option<String>| {
        if old.is_some() && old != new {
            revisions.push(Revision {
                entity: "incident",
                entity_id: id.clone(),
                field,
                old_value: old,
                new_value: new,
            });
        }
    };

    if !observed.title.trim().is_empty() && observed.title != record.title {
        revise(
            "title",
            Some(record.title.clone()),
            Some(observed.title.clone()),
        );
        record.title = observed.title.clone();
    }
    if observed.kind != record.kind {
        revise(
            "kind",
            Some(record.kind.to_string()),
            Some(observed.kind.to_string()),
        );
        record.kind = observed.kind;
    }
    if observed.url.is_some() && observed.url != record.url {
        revise("url", record.url.clone(), observed.url.clone());
        record.url = observed.url.clone();
    }
    if observed.impact_raw.is_some() && observed.impact_raw != record.impact_raw {
        revise(
            "impact",
            record.impact_raw.clone(),
            observed.impact_raw.clone(),
        );
        record.impact = observed.impact;
        record.impact_raw = observed.impact_raw.clone();
    }
    if observed.status_raw.is_some() {
        record.status_raw = observed.status_raw.clone();
    }
    let fields: [(&'static str, &mut Option<TimeValue>, &Option<TimeValue>); 5] = [
        ("created_at", &mut record.created_at, &observed.created_at),
        (
            "structured_started_at",
            &mut record.structured_started_at,
            &observed.started_at,
        ),
        (
            "structured_resolved_at",
            &mut record.structured_resolved_at,
            &observed.resolved_at,
        ),
        (
            "scheduled_for",
            &mut record.scheduled_for,
            &observed.scheduled_for,
        ),
        (
            "scheduled_until",
            &mut record.scheduled_until,
            &observed.scheduled_until,
        ),
    ];
    // Several views of one page state the same times with different precision (the API's
    // milliseconds, a page's minutes): the same instant is not a change, and within one minute
    // the finer reading is kept without a revision; only a different time is an edit.
    for (field, held, seen_value) in fields {
        let Some(v) = seen_value else { continue };
        match held.as_ref() {
            None => *held = Some(v.clone()),
            Some(h) if h.utc == v.utc => {}
            Some(h) if same_minute(h, v) && precision(h) != precision(v) => {
                if precision(v) > precision(h) {
                    *held = Some(v.clone());
                }
            }
            Some(h) => {
                revise(field, Some(format_utc(&h.utc)), Some(format_utc(&v.utc)));
                *held = Some(v.clone());
            }
        }
    }
    for name in &observed.components {
        if !record.components.contains(name) {
            record.components.push(name.clone());
        }
    }
    // Every key the observation is known by, statusdb's own (fingerprints, links) included:
    // the store finds the record by them next time.
    for key in identity_keys(observed) {
        if !record.aliases.contains(&key) {
            record.aliases.push(key);
        }
    }
    record.aliases.sort();
    if !record.sources.iter().any(|s| s == seen.source_id) {
        record.sources.push(seen.source_id.to_string());
        record.sources.sort();
    }
    record.first_seen_at = record.first_seen_at.min(seen.at);
    record.last_seen_at = record.last_seen_at.max(seen.at);

    merge_updates(&mut record, &observed.updates, seen, &mut revisions);
    // What only this observation shows (the order it lists updates in) replaces what this
    // source showed before; other sources' findings stay.
    record
        .anomalies
        .retain(|a| a.source_id.is_some() && a.source_id.as_deref() != Some(seen.source_id));
    record
        .anomalies
        .extend(anomalies::listing_order(observed, seen.source_id));
    derive(&mut record, observed);
    (record, revisions)
}

/// Recomputes everything that follows from the whole record: the order of its updates, the
/// statuses their text supports, the incident's status, start and resolution (best evidence:
/// stated over structured over derived), and the anomalies. Anomalies a source's observation
/// alone showed (`source_id` set) are kept as they are.
pub fn derive(record: &mut IncidentRecord, observed: &ObservedIncident) {
    // Stable: updates of the same instant keep the order they were first seen in.
    record.updates.sort_by_key(|u| u.posted_at.utc);

    let labels = status::assign(record);
    // "Update" labels (no status) keep the status before them; a postmortem is closing, so it
    // follows a resolution without reopening it.
    let latest = record
        .updates
        .iter()
        .rev()
        .find_map(|u| u.effective_status());
    record.status = latest.or(observed.status).or(record.status);

    let text = match record.kind {
        IncidentKind::Incident => times::text_times(record),
        IncidentKind::Maintenance => TextTimes::default(),
    };
    record.started_at = match record.kind {
        IncidentKind::Incident => best(
            text.start.as_ref(),
            record.structured_started_at.as_ref(),
            || incident_start(record),
        ),
        IncidentKind::Maintenance => maintenance_start(record),
    };
    // A resolution an open update follows is not the resolution (the vendor was still at
    // work after it): the structured one gives way to the closing update as the stated one
    // does (`times::text_times`).
    let structured_end = record
        .structured_resolved_at
        .as_ref()
        .filter(|t| times::open_after(record, t.utc).is_none());
    record.resolved_at = match record.status {
        Some(s) if s.is_closed() => best(text.end.as_ref(), structured_end, || {
            closing_update_time(record)
        }),
        _ => None,
    };
    // A statement that would end the incident before it began (a vendor's typo of a month)
    // gives way to the structured value that does not; the conflict is flagged either way.
    if let (Some(start), Some(end)) = (&record.started_at, &record.resolved_at)
        && end.utc < start.utc
    {
        let structured_end =
            structured_end.filter(|t| end.source == TimeSource::Stated && t.utc >= start.utc);
        let structured_start = record
            .structured_started_at
            .as_ref()
            .filter(|t| start.source == TimeSource::Stated && t.utc <= end.utc);
        if let Some(t) = structured_end {
            record.resolved_at = Some(t.clone());
        } else if let Some(t) = structured_start {
            record.started_at = Some(t.clone());
        }
    }

    let mut found = anomalies::compute(record, &text, labels.as_ref());
    found.extend(
        record
            .anomalies
            .iter()
            .filter(|a| a.source_id.is_some())
            .cloned(),
    );
    found.sort();
    found.dedup_by(|a, b| a.code == b.code && a.detail == b.detail);
    record.anomalies = found;
}

/// The best evidence for a time: the vendor's statement, else the structured field, else the
/// derived value. A statement within the structured value's minute is the same claim read
/// less finely: the structured instant is kept. A statement whose zone the text does not
/// write (read in the page's zone, flag `zone_from_page`) does not overrule a structured
/// value it conflicts with: the page's zone today need not be the zone its old text meant.
fn best(
    stated: Option<&StatedTime>,
    structured: Option<&TimeValue>,
    derived: impl FnOnce() -> Option<TimeValue>,
) -> Option<TimeValue> {
    match (stated, structured) {
        (Some(s), Some(t)) if same_minute(&s.value, t) && precision(t) >= precision(&s.value) => {
            Some(t.clone())
        }
        (Some(s), Some(t))
            if s.value.flags.contains(Flag::ZoneFromPage)
                && (s.value.utc - t.utc).abs() > anomalies::STATED_TOLERANCE =>
        {
            Some(t.clone())
        }
        (Some(s), _) => Some(s.value.clone()),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => derived(),
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::model::{IncidentKind, IncidentRecord};
    use chrono::Utc;

    /// A record with nothing in it, for tests of the parts of `derive`.
    pub fn empty_record() -> IncidentRecord {
        IncidentRecord {
            id: "acme/1".into(),
            vendor: "acme".into(),
            kind: IncidentKind::Incident,
            title: "Errors".into(),
            url: None,
            impact: None,
            impact_raw: None,
            status: None,
            status_raw: None,
            created_at: None,
            started_at: None,
            resolved_at: None,
            structured_started_at: None,
            structured_resolved_at: None,
            scheduled_for: None,
            scheduled_until: None,
            components: Vec::new(),
            updates: Vec::new(),
            anomalies: Vec::new(),
            sources: Vec::new(),
            aliases: Vec::new(),
            first_seen_at: Utc::now(),
            last_seen_at: Utc::now(),
        }
    }
}

/// Without a stated or structured start, an incident starts at its first update, else its
/// creation.
fn incident_start(record: &IncidentRecord) -> Option<TimeValue> {
    record
        .updates
        .first()
        .map(|u| as_derived(&u.posted_at))
        .or_else(|| record.created_at.as_ref().map(as_derived))
}

/// A maintenance starts when work begins: its first update past `scheduled`, else its
/// scheduled start once it is under way. A maintenance still only scheduled has not started
/// (Statuspage's `started_at` on a maintenance is when it was announced).
fn maintenance_start(record: &IncidentRecord) -> Option<TimeValue> {
    let begun = record.updates.iter().find(|u| {
        matches!(
            u.status,
            Some(Status::InProgress | Status::Verifying | Status::Completed)
        )
    });
    match begun {
        Some(u) => Some(as_derived(&u.posted_at)),
        None if record
            .status
            .is_some_and(|s| !matches!(s, Status::Scheduled)) =>
        {
            record.scheduled_for.as_ref().map(as_derived)
        }
        None => None,
    }
}

fn as_derived(t: &TimeValue) -> TimeValue {
    TimeValue {
        source: TimeSource::Derived,
        ..t.clone()
    }
}

/// The time of the update that closed the incident for good: the first closing update after
/// the last open one.
fn closing_update_time(record: &IncidentRecord) -> Option<TimeValue> {
    let last_open = record
        .updates
        .iter()
        .rposition(|u| u.effective_status().is_some_and(|s| !s.is_closed()));
    let start = last_open.map(|i| i + 1).unwrap_or(0);
    record.updates[start..]
        .iter()
        .find(|u| u.effective_status().is_some_and(Status::is_closed))
        .map(|u| as_derived(&u.posted_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ObservedUpdate, TimeValue};

    const VENDOR: &str = "github";

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn seen(source: &str) -> Seen<'_> {
        Seen {
            vendor: VENDOR,
            source_id: source,
            at: at("2022-06-02T00:00:00Z"),
            zone: None,
        }
    }

    /// An update as the API gives it: native id, millisecond time.
    fn api(id: &str, status: Status, time: &str, body: &str) -> ObservedUpdate {
        ObservedUpdate {
            native_id: Some(id.into()),
            status: Some(status),
            status_raw: Some(status.as_str().into()),
            posted_at: TimeValue::structured(at(time), time),
            body: body.into(),
            components: Vec::new(),
        }
    }

    /// An update as a feed shows it: no id, a minute, the label people read.
    fn feed(label: &str, status: Option<Status>, time: &str, body: &str) -> ObservedUpdate {
        ObservedUpdate {
            native_id: None,
            status,
            status_raw: Some(label.into()),
            posted_at: TimeValue::derived(at(time), format!("{time} as shown")),
            body: body.into(),
            components: Vec::new(),
        }
    }

    fn incident(updates: Vec<ObservedUpdate>) -> ObservedIncident {
        let mut i = ObservedIncident::new(IncidentKind::Incident, "Incident with GitHub Actions");
        i.native_id = Some("8xxms3q3qzgp".into());
        i.updates = updates;
        i
    }

    fn api_updates() -> Vec<ObservedUpdate> {
        vec![
            api(
                "qn9jl09h9kqr",
                Status::Investigating,
                "2022-06-01T09:40:25.336Z",
                "We are investigating.",
            ),
            api(
                "jbsvpzmfjndw",
                Status::Investigating,
                "2022-06-01T10:17:39.847Z",
                "Degraded performance.",
            ),
            api(
                "j6033rxnhrf8",
                Status::Resolved,
                "2022-06-01T10:28:31.847Z",
                "Resolved.",
            ),
        ]
    }

    fn feed_updates() -> Vec<ObservedUpdate> {
        vec![
            feed(
                "Investigating",
                Some(Status::Investigating),
                "2022-06-01T09:40:00Z",
                "We are investigating.",
            ),
            feed(
                "Update",
                None,
                "2022-06-01T10:17:00Z",
                "Degraded performance.",
            ),
            feed(
                "Resolved",
                Some(Status::Resolved),
                "2022-06-01T10:28:00Z",
                "Resolved.",
            ),
        ]
    }

    /// `(native id, status, time)` of each held update, oldest first.
    fn held(record: &IncidentRecord) -> Vec<(Option<String>, Option<Status>, String)> {
        record
            .updates
            .iter()
            .map(|u| (u.native_id.clone(), u.status, format_utc(&u.posted_at.utc)))
            .collect()
    }

    fn api_view() -> Vec<(Option<String>, Option<Status>, String)> {
        vec![
            (
                Some("qn9jl09h9kqr".into()),
                Some(Status::Investigating),
                "2022-06-01T09:40:25.336Z".into(),
            ),
            (
                Some("jbsvpzmfjndw".into()),
                Some(Status::Investigating),
                "2022-06-01T10:17:39.847Z".into(),
            ),
            (
                Some("j6033rxnhrf8".into()),
                Some(Status::Resolved),
                "2022-06-01T10:28:31.847Z".into(),
            ),
        ]
    }

    #[test]
    fn a_feed_after_the_api_adds_nothing_and_revises_nothing() {
        let (record, _) = merge(None, &incident(api_updates()), &seen("api"));
        let (record, revisions) = merge(Some(record), &incident(feed_updates()), &seen("feed"));
        assert_eq!(held(&record), api_view());
        assert_eq!(revisions, vec![]);
        assert_eq!(record.sources, vec!["api", "feed"]);
    }

    #[test]
    fn the_api_after_a_feed_lends_its_ids_and_instants_without_edits() {
        let (record, _) = merge(None, &incident(feed_updates()), &seen("feed"));
        assert_eq!(
            record.updates[1].id,
            "github/8xxms3q3qzgp@20220601T1017/Update/0"
        );
        let (record, revisions) = merge(Some(record), &incident(api_updates()), &seen("api"));
        assert_eq!(held(&record), api_view());
        // The update takes the vendor's id, as it has when the API is stored first; the
        // `id` revisions tell the store which rows move. Nothing the vendor said changed.
        let renames: Vec<(&str, &str, &str)> = revisions
            .iter()
            .map(|r| {
                (
                    r.field,
                    r.old_value.as_deref().unwrap(),
                    r.new_value.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            renames,
            [
                (
                    "id",
                    "github/8xxms3q3qzgp@20220601T0940/Investigating/0",
                    "github/qn9jl09h9kqr"
                ),
                (
                    "id",
                    "github/8xxms3q3qzgp@20220601T1017/Update/0",
                    "github/jbsvpzmfjndw"
                ),
                (
                    "id",
                    "github/8xxms3q3qzgp@20220601T1028/Resolved/0",
                    "github/j6033rxnhrf8"
                ),
            ]
        );
        assert!(
            revisions
                .iter()
                .all(|r| r.entity == "update"
                    && r.new_value.as_deref() == Some(r.entity_id.as_str()))
        );
        let (api_first, _) = merge(None, &incident(api_updates()), &seen("api"));
        let ids = |r: &IncidentRecord| r.updates.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&record), ids(&api_first));
        // The API's status word replaces the feed's "Update" label.
        assert_eq!(
            record.updates[1].status_raw.as_deref(),
            Some("investigating")
        );
        assert_eq!(record.updates[1].posted_at.source, TimeSource::Structured);
    }

    #[test]
    fn updates_of_one_minute_pair_by_text_whatever_the_order() {
        let bodies = [
            "Pages degraded.",
            "Git degraded.",
            "Pull Requests degraded.",
        ];
        let api_side: Vec<ObservedUpdate> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                api(
                    &format!("id{i}"),
                    Status::Investigating,
                    &format!("2022-05-27T07:54:0{i}.500Z"),
                    b,
                )
            })
            .collect();
        // The feed's minute, in the opposite order.
        let feed_side: Vec<ObservedUpdate> = bodies
            .iter()
            .rev()
            .map(|b| feed("Update", None, "2022-05-27T07:54:00Z", b))
            .collect();
        let (record, _) = merge(None, &incident(feed_side), &seen("feed"));
        let (record, revisions) = merge(Some(record), &incident(api_side), &seen("api"));
        // Each update takes its API id; nothing else is revised.
        let fields: Vec<&str> = revisions.iter().map(|r| r.field).collect();
        assert_eq!(fields, ["id", "id", "id"]);
        let pairs: Vec<(String, String)> = record
            .updates
            .iter()
            .map(|u| (u.id.clone(), u.body.clone()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("github/id0".to_string(), "Pages degraded.".to_string()),
                ("github/id1".to_string(), "Git degraded.".to_string()),
                (
                    "github/id2".to_string(),
                    "Pull Requests degraded.".to_string()
                ),
            ]
        );
    }

    #[test]
    fn another_minute_or_another_status_is_another_update() {
        let (record, _) = merge(None, &incident(api_updates()), &seen("api"));
        let other = vec![
            // Same minute, but the feed says Resolved where the API says investigating.
            feed(
                "Resolved",
                Some(Status::Resolved),
                "2022-06-01T09:40:00Z",
                "We are investigating.",
            ),
            // The next minute.
            feed(
                "Update",
                None,
                "2022-06-01T10:18:00Z",
                "Degraded performance.",
            ),
        ];
        let (record, revisions) = merge(Some(record), &incident(other), &seen("feed"));
        assert_eq!(record.updates.len(), 5);
        assert_eq!(revisions, vec![]);
    }

    #[test]
    fn two_native_ids_never_match_even_in_one_minute() {
        let (record, _) = merge(None, &incident(api_updates()), &seen("api"));
        let twin = vec![api(
            "zzzzzzzzzzzz",
            Status::Investigating,
            "2022-06-01T09:40:30.000Z",
            "We are investigating.",
        )];
        let (record, _) = merge(Some(record), &incident(twin), &seen("api"));
        assert_eq!(record.updates.len(), 4);
    }

    #[test]
    fn an_edited_feed_text_is_revised_and_whitespace_is_not_an_edit() {
        let (record, _) = merge(None, &incident(feed_updates()), &seen("feed"));
        let mut again = feed_updates();
        again[0].body = "We are  investigating.\n".into();
        again[2].body = "Resolved for good.".into();
        let (record, revisions) = merge(Some(record), &incident(again), &seen("feed"));
        assert_eq!(record.updates.len(), 3);
        assert_eq!(
            revisions,
            vec![Revision {
                entity: "update",
                entity_id: "github/8xxms3q3qzgp@20220601T1028/Resolved/0".into(),
                field: "body",
                old_value: Some("Resolved.".into()),
                new_value: Some("Resolved for good.".into()),
            }]
        );
        assert_eq!(record.updates[0].body, "We are investigating.");
    }

    #[test]
    fn a_label_that_only_changes_case_is_the_same_label() {
        // A product's two views write one update's label as "Investigating" and
        // "investigating"; neither view has update ids.
        let (record, _) = merge(None, &incident(feed_updates()), &seen("feed"));
        let mut lower = feed_updates();
        lower[0].status_raw = Some("investigating".into());
        lower[2].status_raw = Some("RESOLVED".into());
        let (record, revisions) = merge(Some(record), &incident(lower), &seen("json"));
        assert_eq!(record.updates.len(), 3);
        assert_eq!(revisions, vec![]);
        // The label first held stays.
        assert_eq!(
            record.updates[0].status_raw.as_deref(),
            Some("Investigating")
        );
        assert_eq!(record.updates[2].status_raw.as_deref(), Some("Resolved"));
        // Another word is an edit.
        let mut edited = feed_updates();
        edited[2].status_raw = Some("Completed".into());
        let (_, revisions) = merge(Some(record), &incident(edited), &seen("feed"));
        assert_eq!(
            revisions,
            vec![Revision {
                entity: "update",
                entity_id: "github/8xxms3q3qzgp@20220601T1028/Resolved/0".into(),
                field: "status",
                old_value: Some("Resolved".into()),
                new_value: Some("Completed".into()),
            }]
        );
    }

    #[test]
    fn a_page_minute_does_not_replace_a_machine_instant_of_that_minute() {
        // An incident page's machine stamp first, then the feed's minute.
        let mut machine = feed_updates();
        machine[0].posted_at =
            TimeValue::structured(at("2022-06-01T09:40:25.336Z"), "data-datetime-unix");
        let (record, _) = merge(None, &incident(machine), &seen("page"));
        let (record, revisions) = merge(Some(record), &incident(feed_updates()), &seen("feed"));
        assert_eq!(
            format_utc(&record.updates[0].posted_at.utc),
            "2022-06-01T09:40:25.336Z"
        );
        assert_eq!(revisions, vec![]);
        // Without ids, a stamp moved to another minute is another update: nothing ties the
        // two, and the one seen before is kept.
        let mut moved = feed_updates();
        moved[2].posted_at = TimeValue::derived(at("2022-06-01T10:29:00Z"), "10:29");
        let (record, revisions) = merge(Some(record), &incident(moved), &seen("feed"));
        assert_eq!(record.updates.len(), 4);
        assert_eq!(revisions, vec![]);
    }

    #[test]
    fn incident_times_keep_the_finer_reading_of_a_minute() {
        let mut from_page = incident(Vec::new());
        from_page.started_at = Some(TimeValue::derived(
            at("2022-06-01T09:40:00Z"),
            "Jun 1, 09:40 - 10:28 UTC",
        ));
        let mut from_api = incident(Vec::new());
        from_api.started_at = Some(TimeValue::structured(
            at("2022-06-01T09:40:25.281Z"),
            "2022-06-01T09:40:25.281Z",
        ));
        // Page first: the API's instant refines it, no revision.
        let (record, _) = merge(None, &from_page, &seen("history"));
        let (record, revisions) = merge(Some(record), &from_api, &seen("api"));
        assert_eq!(record.structured_started_at, from_api.started_at);
        assert_eq!(revisions, vec![]);
        // API first: the page's minute leaves it.
        let (record, revisions) = merge(Some(record), &from_page, &seen("history"));
        assert_eq!(record.structured_started_at, from_api.started_at);
        assert_eq!(revisions, vec![]);
        // Another instant is an edit.
        let mut moved = incident(Vec::new());
        moved.started_at = Some(TimeValue::structured(
            at("2022-06-01T09:45:00Z"),
            "2022-06-01T09:45:00Z",
        ));
        let (_, revisions) = merge(Some(record), &moved, &seen("api"));
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].field, "structured_started_at");
    }
}
