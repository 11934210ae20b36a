//! From what a page said to the canonical record: identity, merging of repeated and
//! overlapping observations, and the derived fields (status, start, resolution).
//!
//! Everything here is pure: the store loads what it already holds, calls `merge`, and writes
//! the difference.

use crate::model::{
    IncidentKind, IncidentRecord, ObservedIncident, ObservedUpdate, Status, TimeSource, TimeValue,
    UpdateRecord, format_utc,
};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Who saw an observation, and when.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub vendor: &'a str,
    pub source_id: &'a str,
    pub at: DateTime<Utc>,
}

/// A field whose value a later observation changed; the store keeps the old value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub entity: &'static str,
    pub entity_id: String,
    pub field: &'static str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The keys an observed incident can be recognised by on its vendor, strongest first.
pub fn identity_keys(observed: &ObservedIncident) -> Vec<String> {
    let mut keys = Vec::with_capacity(2 + observed.aliases.len());
    if let Some(id) = &observed.native_id {
        keys.push(id.clone());
    }
    for alias in &observed.aliases {
        if !keys.contains(alias) {
            keys.push(alias.clone());
        }
    }
    if keys.is_empty() {
        keys.push(fingerprint(observed));
    }
    keys
}

/// The id a new record gets: the vendor's own id where it gives one, else a fingerprint.
pub fn new_incident_id(vendor: &str, observed: &ObservedIncident) -> String {
    match &observed.native_id {
        Some(id) => format!("{vendor}/{id}"),
        None => format!("{vendor}/{}", fingerprint(observed)),
    }
}

/// A stable key for an incident the vendor gives no id for: its normalized title and the
/// minute of its first update (or its start).
pub fn fingerprint(observed: &ObservedIncident) -> String {
    let title: String = observed
        .title
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    let first = observed
        .updates
        .iter()
        .map(|u| u.posted_at.utc)
        .min()
        .or(observed.started_at.as_ref().map(|t| t.utc))
        .or(observed.created_at.as_ref().map(|t| t.utc))
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{title}\n{first}").as_bytes());
    format!("fp-{}", &hex::encode(digest)[..16])
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
    for (field, held, seen_value) in fields {
        if let Some(v) = seen_value
            && held.as_ref() != Some(v)
        {
            if held.is_some() {
                revise(
                    field,
                    held.as_ref().map(|t| format_utc(&t.utc)),
                    Some(format_utc(&v.utc)),
                );
            }
            *held = Some(v.clone());
        }
    }
    for name in &observed.components {
        if !record.components.contains(name) {
            record.components.push(name.clone());
        }
    }
    for key in observed.native_id.iter().chain(&observed.aliases) {
        if !record.aliases.contains(key) {
            record.aliases.push(key.clone());
        }
    }
    record.aliases.sort();
    if !record.sources.iter().any(|s| s == seen.source_id) {
        record.sources.push(seen.source_id.to_string());
        record.sources.sort();
    }
    record.first_seen_at = record.first_seen_at.min(seen.at);
    record.last_seen_at = record.last_seen_at.max(seen.at);

    for update in &observed.updates {
        merge_update(&mut record, update, seen, &mut revisions);
    }
    derive(&mut record, observed);
    (record, revisions)
}

fn merge_update(
    record: &mut IncidentRecord,
    observed: &ObservedUpdate,
    seen: &Seen<'_>,
    revisions: &mut Vec<Revision>,
) {
    let found =
        record
            .updates
            .iter()
            .position(|held| match (&held.native_id, &observed.native_id) {
                (Some(a), Some(b)) => a == b,
                _ => {
                    held.posted_at.utc == observed.posted_at.utc
                        && same_label(&held.status_raw, &observed.status_raw)
                }
            });
    match found {
        Some(i) => {
            let held = &mut record.updates[i];
            if held.body != observed.body {
                revisions.push(Revision {
                    entity: "update",
                    entity_id: held.id.clone(),
                    field: "body",
                    old_value: Some(held.body.clone()),
                    new_value: Some(observed.body.clone()),
                });
                held.body = observed.body.clone();
            }
            if !same_label(&held.status_raw, &observed.status_raw) {
                revisions.push(Revision {
                    entity: "update",
                    entity_id: held.id.clone(),
                    field: "status",
                    old_value: held.status_raw.clone(),
                    new_value: observed.status_raw.clone(),
                });
                held.status = observed.status;
                held.status_raw = observed.status_raw.clone();
            }
            if held.posted_at != observed.posted_at {
                revisions.push(Revision {
                    entity: "update",
                    entity_id: held.id.clone(),
                    field: "posted_at",
                    old_value: Some(format_utc(&held.posted_at.utc)),
                    new_value: Some(format_utc(&observed.posted_at.utc)),
                });
                held.posted_at = observed.posted_at.clone();
            }
            if held.components != observed.components && !observed.components.is_empty() {
                held.components = observed.components.clone();
            }
        }
        None => {
            let id = match &observed.native_id {
                Some(n) => format!("{}/{n}", record.vendor),
                None => {
                    let minute = observed.posted_at.utc.format("%Y%m%dT%H%M").to_string();
                    let label = observed.status_raw.as_deref().unwrap_or("update");
                    let prefix = format!("{}@{minute}/{label}/", record.id);
                    let same_minute = record
                        .updates
                        .iter()
                        .filter(|u| u.id.starts_with(&prefix))
                        .count();
                    format!("{prefix}{same_minute}")
                }
            };
            record.updates.push(UpdateRecord {
                id,
                native_id: observed.native_id.clone(),
                status: observed.status,
                status_raw: observed.status_raw.clone(),
                posted_at: observed.posted_at.clone(),
                body: observed.body.clone(),
                components: observed.components.clone(),
                source_id: seen.source_id.to_string(),
                first_seen_at: seen.at,
            });
        }
    }
}

/// Two status labels are the same label whatever their case: a product's JSON writes
/// `investigating` where its feed writes "Investigating" for the same update.
fn same_label(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// Recomputes the fields that follow from the updates: order, status, start and resolution.
pub fn derive(record: &mut IncidentRecord, observed: &ObservedIncident) {
    // Stable: updates of the same instant keep the order they were first seen in.
    record.updates.sort_by_key(|u| u.posted_at.utc);

    // "Update" labels (no status) keep the status before them.
    let latest = record.updates.iter().rev().find_map(|u| u.status);
    record.status = latest.or(observed.status).or(record.status);

    record.started_at = match record.kind {
        IncidentKind::Incident => incident_start(record),
        IncidentKind::Maintenance => maintenance_start(record),
    };

    record.resolved_at = match record.status {
        Some(s) if s.is_closed() => match &record.structured_resolved_at {
            Some(t) => Some(t.clone()),
            None => closing_update_time(record),
        },
        _ => None,
    };
}

/// An incident starts at its structured start, else its first update, else its creation.
fn incident_start(record: &IncidentRecord) -> Option<TimeValue> {
    if let Some(t) = &record.structured_started_at {
        return Some(t.clone());
    }
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
        .rposition(|u| u.status.is_some_and(|s| !s.is_closed()));
    let start = last_open.map(|i| i + 1).unwrap_or(0);
    record.updates[start..]
        .iter()
        .find(|u| u.status.is_some_and(Status::is_closed))
        .map(|u| as_derived(&u.posted_at))
}
