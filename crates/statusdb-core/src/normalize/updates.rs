//! Updates: matching an observation's updates to the held ones (the same update seen through
//! several views of one page is held once), refreshing them, appending new ones.

use super::{Revision, Seen};
use crate::model::{
    IncidentRecord, ObservedUpdate, TimeSource, TimeValue, UpdateRecord, format_utc,
};

/// Merges an observation's updates into the record: each observed update either matches one
/// held update (which it refreshes) or is appended.
///
/// Matching, so that the same update seen through several views of one page is held once:
/// * two updates with native ids match when the ids are equal, and only then;
/// * otherwise (at most one of them has a native id: a feed or HTML view against the JSON
///   API, or two feed fetches) they match when they fall in the same UTC minute (feeds show
///   minutes, the API milliseconds) and their labels agree: the same status, or a text-only
///   "Update" on either side (the API writes such an update with the status it keeps).
///
/// Among several candidates in one minute (GitHub posts four "Update"s in one minute), those
/// with the same text are paired first, then those of the same instant and label, then the
/// rest in time order; a held update is matched at most once per observation. Raw labels
/// compare without regard to case ([`same_label`]): a product's JSON writes `investigating`
/// where its feed writes "Investigating", and a re-fetch that only changes the case is no edit.
pub fn merge_updates(
    record: &mut IncidentRecord,
    observed: &[ObservedUpdate],
    seen: &Seen<'_>,
    revisions: &mut Vec<Revision>,
) {
    let held_count = record.updates.len();
    let mut claimed = vec![false; held_count];
    let mut assigned: Vec<Option<usize>> = vec![None; observed.len()];
    // Pass 1: native ids, then same minute with the same text.
    for (o, update) in observed.iter().enumerate() {
        let by_id = update.native_id.as_ref().and_then(|id| {
            record
                .updates
                .iter()
                .position(|h| h.native_id.as_ref() == Some(id))
        });
        // A native id names its update even if the page repeats it.
        let found = by_id.or_else(|| {
            (0..held_count).find(|&h| {
                !claimed[h]
                    && may_match(&record.updates[h], update)
                    && same_text(&record.updates[h].body, &update.body)
            })
        });
        if let Some(h) = found {
            claimed[h] = true;
            assigned[o] = Some(h);
        }
    }
    // Pass 2: the rest of each minute, the same instant and label first, then in time order.
    for (o, update) in observed.iter().enumerate() {
        if assigned[o].is_some() {
            continue;
        }
        let candidates: Vec<usize> = (0..held_count)
            .filter(|&h| !claimed[h] && may_match(&record.updates[h], update))
            .collect();
        let exact = candidates.iter().copied().find(|&h| {
            let held = &record.updates[h];
            held.posted_at.utc == update.posted_at.utc
                && same_label(&held.status_raw, &update.status_raw)
        });
        if let Some(h) = exact.or(candidates.first().copied()) {
            claimed[h] = true;
            assigned[o] = Some(h);
        }
    }
    for (update, held) in observed.iter().zip(assigned) {
        match held {
            Some(h) => {
                if refresh_update(&mut record.updates[h], update, revisions) {
                    adopt_native_id(record, h, revisions);
                }
            }
            None => append_update(record, update, seen),
        }
    }
}

/// The id of an update the vendor names: `<vendor>/<native id>`.
fn native_update_id(vendor: &str, native_id: &str) -> String {
    format!("{vendor}/{native_id}")
}

/// A held update that just adopted a native id takes the id that native id gives it, so that
/// the record is the same whichever view was stored first (DESIGN: an update's id is the
/// vendor's where given). The change is an `id` revision (the old id in `old_value`), which
/// tells the store to move the update's rows; it is not an edit of what the vendor said.
/// An id another held update already carries (a page listing one update twice) is left.
fn adopt_native_id(record: &mut IncidentRecord, held: usize, revisions: &mut Vec<Revision>) {
    let Some(native) = &record.updates[held].native_id else {
        return;
    };
    let id = native_update_id(&record.vendor, native);
    if record.updates.iter().any(|u| u.id == id) {
        return;
    }
    let old = std::mem::replace(&mut record.updates[held].id, id.clone());
    // What this merge already revised of the update is filed under the id it now has.
    for r in revisions
        .iter_mut()
        .filter(|r| r.entity == "update" && r.entity_id == old)
    {
        r.entity_id = id.clone();
    }
    revisions.push(Revision {
        entity: "update",
        entity_id: id.clone(),
        field: "id",
        old_value: Some(old),
        new_value: Some(id),
    });
}

/// Whether a held and an observed update may be the same one: not two different native ids,
/// the same UTC minute, and labels that agree.
fn may_match(held: &UpdateRecord, observed: &ObservedUpdate) -> bool {
    if held.native_id.is_some() && observed.native_id.is_some() {
        return held.native_id == observed.native_id;
    }
    let labels_agree = match (held.status, observed.status) {
        (Some(a), Some(b)) => a == b,
        // A text-only label ("Update") keeps whatever status the other view names.
        _ => true,
    };
    labels_agree && same_minute(&held.posted_at, &observed.posted_at)
}

pub(super) fn same_minute(a: &TimeValue, b: &TimeValue) -> bool {
    a.utc.timestamp().div_euclid(60) == b.utc.timestamp().div_euclid(60)
}

/// Texts equal once whitespace is ignored (a feed's `<br>` against the API's `\r\n`).
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// A machine time is more precise than one read from text (minutes, at best).
pub(super) fn precision(t: &TimeValue) -> u8 {
    match t.source {
        TimeSource::Structured => 2,
        TimeSource::Stated | TimeSource::Derived => 1,
    }
}

/// Brings a held update up to date with an observation of it.
///
/// * The held update has a native id and the observation none (a feed or page view of an
///   API update): the held fields stay; the view only fills in component changes it lacks.
/// * The observation brings the native id the held update lacked: the held update adopts the
///   richer view's id, status, time and components. That is a better reading of the same
///   update, not an edit: only a changed text is recorded as a revision.
/// * Otherwise the observation is the same view again: a changed text, label or time is an
///   edit, revised with the old value kept; a less precise time of the same minute (a feed's
///   minute against a page's machine time) does not replace a more precise one.
///
/// Returns whether the held update adopted the observation's native id.
fn refresh_update(
    held: &mut UpdateRecord,
    observed: &ObservedUpdate,
    revisions: &mut Vec<Revision>,
) -> bool {
    let mut revise =
        |held: &UpdateRecord, field: &'static str, old: Option<String>, new: Option<String>| {
            revisions.push(Revision {
                entity: "update",
                entity_id: held.id.clone(),
                field,
                old_value: old,
                new_value: new,
            });
        };
    if held.native_id.is_some() && observed.native_id.is_none() {
        if held.components.is_empty() && !observed.components.is_empty() {
            held.components = observed.components.clone();
        }
        return false;
    }
    if held.native_id.is_none() && observed.native_id.is_some() {
        if !same_text(&held.body, &observed.body) {
            revise(
                held,
                "body",
                Some(held.body.clone()),
                Some(observed.body.clone()),
            );
        }
        held.native_id = observed.native_id.clone();
        held.body = observed.body.clone();
        held.status = observed.status.or(held.status);
        if observed.status_raw.is_some() {
            held.status_raw = observed.status_raw.clone();
        }
        held.posted_at = observed.posted_at.clone();
        if !observed.components.is_empty() {
            held.components = observed.components.clone();
        }
        return true;
    }
    if !same_text(&held.body, &observed.body) {
        revise(
            held,
            "body",
            Some(held.body.clone()),
            Some(observed.body.clone()),
        );
        held.body = observed.body.clone();
    }
    if !same_label(&held.status_raw, &observed.status_raw) {
        revise(
            held,
            "status",
            held.status_raw.clone(),
            observed.status_raw.clone(),
        );
        held.status = observed.status;
        held.status_raw = observed.status_raw.clone();
    }
    if held.posted_at.utc != observed.posted_at.utc {
        let minute = same_minute(&held.posted_at, &observed.posted_at);
        let (finer_held, finer_seen) = (precision(&held.posted_at), precision(&observed.posted_at));
        if !(minute && finer_seen < finer_held) {
            // A finer reading of the same minute refines the time; any other change is an edit.
            if !(minute && finer_seen > finer_held) {
                revise(
                    held,
                    "posted_at",
                    Some(format_utc(&held.posted_at.utc)),
                    Some(format_utc(&observed.posted_at.utc)),
                );
            }
            held.posted_at = observed.posted_at.clone();
        }
    }
    if held.components != observed.components && !observed.components.is_empty() {
        held.components = observed.components.clone();
    }
    false
}

fn append_update(record: &mut IncidentRecord, observed: &ObservedUpdate, seen: &Seen<'_>) {
    let id = match &observed.native_id {
        Some(n) => native_update_id(&record.vendor, n),
        None => {
            let minute = observed.posted_at.utc.format("%Y%m%dT%H%M").to_string();
            let label = observed.status_raw.as_deref().unwrap_or("update");
            let prefix = format!("{}@{minute}/{label}/", record.id);
            let taken = record
                .updates
                .iter()
                .filter(|u| u.id.starts_with(&prefix))
                .count();
            format!("{prefix}{taken}")
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
        stated_status: None,
        zone: seen.zone,
    });
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
