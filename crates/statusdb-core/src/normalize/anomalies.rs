//! Anomalies: where the evidence disagrees, a code and a detail a person can act on, naming
//! the values and where they came from. An anomaly never changes what a source said; it sits
//! beside it. All but one are computed from the merged record on every merge, so the same
//! record always carries the same anomalies; the exception is the order a page lists updates
//! in, which only an observation shows ([`listing_order`]): it is kept per source until that
//! source shows the incident again.
//!
//! | code | when |
//! |---|---|
//! | `resolved_before_started` | the record's `resolved_at` is before its `started_at`, or the structured ones are (raised even when stated times are used instead) |
//! | `implausible_duration` | an incident lasts more than [`IMPLAUSIBLE_DURATION`] by the record's times or by the structured ones |
//! | `update_out_of_order` | a source lists an update after one it stamps later, an update is stamped before a time its own text gives as past, an update is stamped before the incident was created, or an open update is posted after the structured resolution |
//! | `stated_time_conflict` | a structured start or resolution differs from the vendor's stated one by more than [`STATED_TOLERANCE`], or a stated start or end was set aside (an open update after the stated end; a window that closed before the incident's first update) |
//! | `status_label_conflict` | every update (two or more) carries the same closing label, or a closing label sits over text that says the team is investigating |
//! | `ambiguous_zone` | a time the record uses was read with `ambiguous_abbreviation` or `abbreviation_contradicts_dst` |
//! | `demo_incident` | Statuspage's placeholder "This is an example incident" |

use super::identity::title_key;
use super::status::LabelConflict;
use super::times::{Meaning, SetAsideWhy, StatedTime, TextTimes, open_after, span_text};
use crate::model::{
    Anomaly, IncidentKind, IncidentRecord, ObservedIncident, TimeValue, format_utc,
};
use chrono::Duration;
use timetext::Flag;

/// Longer than this, an incident's times are doubted: real incidents of the vendors statusdb
/// reads last hours or days; a month points at a wrong year or a resolution stamped when a
/// page was last edited (the seed's aggregator says 341d 21h for a six-day incident).
pub const IMPLAUSIBLE_DURATION: Duration = Duration::days(30);

/// How far before the incident's creation an update may be stamped without a conflict: stamps
/// of feeds and pages are minutes, the creation a machine instant.
pub const CREATED_TOLERANCE: Duration = Duration::minutes(1);

/// How far a structured time may be from the stated one before they conflict: one hour.
/// Stated times are minutes, and pages state starts rounded; an hour apart is the reading of
/// a zone abbreviation against daylight time (flagged `ambiguous_zone` on its own). Beyond
/// that the two name different moments (the seed's Started 22:38Z against the stated
/// 01:38Z, a Resolved eleven months after the stated one).
pub const STATED_TOLERANCE: Duration = Duration::hours(1);

pub const RESOLVED_BEFORE_STARTED: &str = "resolved_before_started";
pub const IMPLAUSIBLE_DURATION_CODE: &str = "implausible_duration";
pub const UPDATE_OUT_OF_ORDER: &str = "update_out_of_order";
pub const STATED_TIME_CONFLICT: &str = "stated_time_conflict";
pub const STATUS_LABEL_CONFLICT: &str = "status_label_conflict";
pub const AMBIGUOUS_ZONE: &str = "ambiguous_zone";
pub const DEMO_INCIDENT: &str = "demo_incident";

/// `2024-10-04T01:38:00Z (stated, "October 3, 2024, at 6:38 PM PDT")`.
fn describe(t: &TimeValue) -> String {
    format!("{} ({}, {:?})", format_utc(&t.utc), t.source, t.raw)
}

/// `update 5 (posted 2024-10-21T17:20:00Z)`.
fn update_name(record: &IncidentRecord, i: usize) -> String {
    format!(
        "update {} (posted {})",
        i + 1,
        format_utc(&record.updates[i].posted_at.utc)
    )
}

fn positions(list: &[usize]) -> String {
    let names: Vec<String> = list.iter().map(|i| (i + 1).to_string()).collect();
    match names.len() {
        0 => String::new(),
        1 => format!("update {}", names[0]),
        _ => format!("updates {}", names.join(", ")),
    }
}

/// The anomalies the merged record shows (everything but a source's listing order).
pub fn compute(
    record: &IncidentRecord,
    text: &TextTimes,
    labels: Option<&LabelConflict>,
) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let resolved_before_started = match (&record.started_at, &record.resolved_at) {
        (Some(s), Some(r)) if r.utc < s.utc => Some((s, r)),
        _ => None,
    };
    if let Some((s, r)) = resolved_before_started {
        out.push(Anomaly::new(
            RESOLVED_BEFORE_STARTED,
            format!(
                "resolved_at {} is {} before started_at {}",
                describe(r),
                span_text(r.utc, s.utc),
                describe(s)
            ),
        ));
    }
    structured_contradictions(record, resolved_before_started.is_some(), &mut out);
    if record.kind == IncidentKind::Incident {
        implausible_durations(record, &mut out);
    }
    for (meaning, stated, structured, chosen, name) in [
        (
            Meaning::Start,
            &text.start,
            &record.structured_started_at,
            &record.started_at,
            "start",
        ),
        (
            Meaning::End,
            &text.end,
            &record.structured_resolved_at,
            &record.resolved_at,
            "resolution",
        ),
    ] {
        let (Some(stated), Some(structured)) = (stated, structured) else {
            continue;
        };
        debug_assert_eq!(stated.meaning, meaning);
        if (stated.value.utc - structured.utc).abs() > STATED_TOLERANCE {
            let used = if chosen.as_ref() == Some(&stated.value) {
                "the stated time is used"
            } else if chosen.as_ref() == Some(structured)
                && stated.value.flags.contains(Flag::ZoneFromPage)
            {
                "the structured time is kept: the text writes no zone, and the page's zone it was read in need not be the one meant"
            } else if chosen.as_ref() == Some(structured) {
                "the structured time is kept: the stated one would end the incident before it began"
            } else {
                "neither is used: the incident is not closed"
            };
            out.push(Anomaly::new(
                STATED_TIME_CONFLICT,
                format!(
                    "the structured {name} {} is {} away from the {name} the vendor states in {}: {} (after {:?}); {used}",
                    describe(structured),
                    span_text(structured.utc, stated.value.utc),
                    update_name(record, stated.update),
                    describe(&stated.value),
                    stated.label
                ),
            ));
        }
    }
    for t in &text.after_own_stamp {
        out.push(out_of_order_by_text(record, t));
    }
    set_aside(record, text, &mut out);
    if let Some(conflict) = labels {
        out.push(label_conflict(record, conflict));
    }
    ambiguous_zones(record, &mut out);
    let demo = "this is an example incident";
    if title_key(&record.title) == demo
        || record
            .updates
            .iter()
            .any(|u| u.body.to_lowercase().contains(demo))
    {
        out.push(Anomaly::new(
            DEMO_INCIDENT,
            format!(
                "{:?} is Statuspage's placeholder incident (\"This is an example incident\"), which a new page shows until its owner deletes it: not a real incident",
                record.title
            ),
        ));
    }
    out
}

/// What the vendor's structured fields say against each other, whatever the record then
/// uses: a resolution before the start, an update stamped before the incident was created,
/// an open update posted after the resolution. A choice never hides a contradiction.
fn structured_contradictions(
    record: &IncidentRecord,
    record_reversed: bool,
    out: &mut Vec<Anomaly>,
) {
    let used = |name: &str, t: &Option<TimeValue>| match t {
        Some(t) => format!("{name} {}", describe(t)),
        None => format!("no {name}"),
    };
    if let (Some(s), Some(r)) = (
        &record.structured_started_at,
        &record.structured_resolved_at,
    ) && r.utc < s.utc
        && !(record_reversed
            && record.started_at.as_ref() == Some(s)
            && record.resolved_at.as_ref() == Some(r))
    {
        out.push(Anomaly::new(
            RESOLVED_BEFORE_STARTED,
            format!(
                "the structured resolved_at {} is {} before the structured started_at {}; the record uses {} and {}",
                describe(r),
                span_text(r.utc, s.utc),
                describe(s),
                used("started_at", &record.started_at),
                used("resolved_at", &record.resolved_at)
            ),
        ));
    }
    if let Some(created) = &record.created_at
        && let Some((i, u)) = record
            .updates
            .iter()
            .enumerate()
            .find(|(_, u)| u.posted_at.utc + CREATED_TOLERANCE < created.utc)
    {
        out.push(Anomaly::new(
            UPDATE_OUT_OF_ORDER,
            format!(
                "update {} is stamped {}, {} before the incident was created ({}): the stamps contradict each other",
                i + 1,
                describe(&u.posted_at),
                span_text(u.posted_at.utc, created.utc),
                describe(created)
            ),
        ));
    }
    if record.status.is_some_and(|s| s.is_closed())
        && let Some(r) = &record.structured_resolved_at
        && let Some((i, status)) = open_after(record, r.utc)
    {
        out.push(Anomaly::new(
            UPDATE_OUT_OF_ORDER,
            format!(
                "{} is still {status} after the structured resolution {}: that resolution is not taken; the record uses {}",
                update_name(record, i),
                describe(r),
                used("resolved_at", &record.resolved_at)
            ),
        ));
    }
}

/// The stated starts and ends that were not taken, as evidence beside what was.
fn set_aside(record: &IncidentRecord, text: &TextTimes, out: &mut Vec<Anomaly>) {
    for a in &text.set_aside {
        let t = &a.time;
        let (what, field, chosen) = match t.meaning {
            Meaning::End => ("end", "resolved_at", &record.resolved_at),
            _ => ("start", "started_at", &record.started_at),
        };
        let used = match chosen {
            Some(c) => format!("{field} is {}", describe(c)),
            None => format!("the record has no {field}"),
        };
        let why = match &a.why {
            SetAsideWhy::OpenAfter { update, status } => format!(
                "but {} is still {status} after it: the stated end is not the resolution",
                update_name(record, *update)
            ),
            SetAsideWhy::EarlierEvent { window_end } => format!(
                "but its window closed at {}, before the incident's first update ({}), is stated more than an hour into the incident, and the vendor was still at work after it: it describes an earlier event or the data affected, not the incident's start",
                format_utc(window_end),
                record.updates.first().map_or_else(String::new, |u| format!(
                    "posted {}",
                    format_utc(&u.posted_at.utc)
                ))
            ),
        };
        out.push(Anomaly::new(
            STATED_TIME_CONFLICT,
            format!(
                "{} states the {what} {} (after {:?}), {why}; {used}",
                update_name(record, t.update),
                describe(&t.value),
                t.label
            ),
        ));
    }
}

fn implausible_durations(record: &IncidentRecord, out: &mut Vec<Anomaly>) {
    let chosen = match (&record.started_at, &record.resolved_at) {
        (Some(s), Some(r)) => Some((s, r)),
        _ => None,
    };
    let long = |(s, r): (&TimeValue, &TimeValue)| r.utc - s.utc > IMPLAUSIBLE_DURATION;
    if let Some(pair) = chosen.filter(|p| long(*p)) {
        out.push(Anomaly::new(
            IMPLAUSIBLE_DURATION_CODE,
            format!(
                "the record's start {} and resolution {} are {} apart, more than {} days",
                describe(pair.0),
                describe(pair.1),
                span_text(pair.0.utc, pair.1.utc),
                IMPLAUSIBLE_DURATION.num_days()
            ),
        ));
    }
    if let (Some(s), Some(r)) = (
        &record.structured_started_at,
        &record.structured_resolved_at,
    ) && long((s, r))
        && chosen.is_none_or(|(cs, cr)| cs != s || cr != r)
    {
        let record_duration = match chosen {
            Some((cs, cr)) => format!(
                "; the record's duration is {} ({} to {})",
                span_text(cs.utc, cr.utc),
                describe(cs),
                describe(cr)
            ),
            None => String::new(),
        };
        out.push(Anomaly::new(
            IMPLAUSIBLE_DURATION_CODE,
            format!(
                "the structured start {} and resolution {} are {} apart, more than {} days{record_duration}",
                describe(s),
                describe(r),
                span_text(s.utc, r.utc),
                IMPLAUSIBLE_DURATION.num_days()
            ),
        ));
    }
}

fn out_of_order_by_text(record: &IncidentRecord, t: &StatedTime) -> Anomaly {
    let update = &record.updates[t.update];
    let label = if t.label.starts_with("followed by") {
        t.label.clone()
    } else {
        format!("after {:?}", t.label)
    };
    Anomaly::new(
        UPDATE_OUT_OF_ORDER,
        format!(
            "update {} is stamped {} but its text gives {} ({label}) as past, {} later: the stamp is wrong or the text is about another time",
            t.update + 1,
            describe(&update.posted_at),
            describe(&t.value),
            span_text(update.posted_at.utc, t.value.utc)
        ),
    )
}

fn label_conflict(record: &IncidentRecord, conflict: &LabelConflict) -> Anomaly {
    let mut by_status: Vec<(crate::model::Status, Vec<usize>)> = Vec::new();
    for (i, _, status) in &conflict.replaced {
        match by_status.iter_mut().find(|(s, _)| s == status) {
            Some((_, list)) => list.push(*i),
            None => by_status.push((*status, vec![*i])),
        }
    }
    let replaced = by_status
        .iter()
        .map(|(s, list)| format!("{s} in {}", positions(list)))
        .collect::<Vec<_>>()
        .join(" and ");
    let last = record.updates.len() - 1;
    let kept_last = (conflict.all_labelled.is_some() || conflict.contradicted.contains(&last))
        && !conflict.replaced.iter().any(|(i, _, _)| *i == last);
    let mut carried = if replaced.is_empty() {
        "the labels are kept".to_string()
    } else {
        format!(
            "the text says {replaced}: the record carries those statuses (status_source stated), the labels are kept as status_label"
        )
    };
    if kept_last && conflict.contradicted.contains(&last) {
        carried.push_str(
            "; the last update's closing label stands (the source closed the incident with it)",
        );
    }
    let detail = match &conflict.all_labelled {
        Some(label) => format!(
            "all {} updates are labelled {label:?}; {carried}",
            record.updates.len()
        ),
        None => {
            let described: Vec<String> = conflict
                .contradicted
                .iter()
                .map(|&i| {
                    format!(
                        "update {} is labelled {:?}",
                        i + 1,
                        record.updates[i].status_raw.as_deref().unwrap_or("")
                    )
                })
                .collect();
            let says = if described.len() == 1 {
                "but its text says"
            } else {
                "but their texts say"
            };
            format!(
                "{} {says} the team is investigating; {carried}",
                described.join(", ")
            )
        }
    };
    Anomaly::new(STATUS_LABEL_CONFLICT, detail)
}

fn ambiguous_zones(record: &IncidentRecord, out: &mut Vec<Anomaly>) {
    // Updates first: a start or resolution derived from an update names the update.
    let mut times: Vec<(String, &TimeValue)> = record
        .updates
        .iter()
        .enumerate()
        .map(|(i, u)| (format!("{}'s stamp", update_name(record, i)), &u.posted_at))
        .collect();
    for (name, t) in [
        ("created_at", &record.created_at),
        ("started_at", &record.started_at),
        ("resolved_at", &record.resolved_at),
        ("structured_started_at", &record.structured_started_at),
        ("structured_resolved_at", &record.structured_resolved_at),
        ("scheduled_for", &record.scheduled_for),
        ("scheduled_until", &record.scheduled_until),
    ] {
        if let Some(t) = t {
            times.push((name.to_string(), t));
        }
    }
    let mut seen: Vec<(&str, chrono::DateTime<chrono::Utc>)> = Vec::new();
    for (name, t) in times {
        let flags: Vec<&str> = [
            Flag::AmbiguousAbbreviation,
            Flag::AbbreviationContradictsDst,
        ]
        .into_iter()
        .filter(|f| t.flags.contains(*f))
        .map(Flag::as_str)
        .collect();
        if flags.is_empty() || seen.contains(&(t.raw.as_str(), t.utc)) {
            continue;
        }
        seen.push((t.raw.as_str(), t.utc));
        out.push(Anomaly::new(
            AMBIGUOUS_ZONE,
            format!(
                "{name} {:?} was read as {} ({}): its zone abbreviation has another reading at that date; check which the vendor meant",
                t.raw,
                format_utc(&t.utc),
                flags.join(", ")
            ),
        ));
    }
}

/// The order a source lists an incident's updates in, against their times: an update listed
/// after one it is stamped before (by a whole second or more: same-minute stamps of a feed
/// are equal, not out of order).
pub fn listing_order(observed: &ObservedIncident, source_id: &str) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for (i, pair) in observed.updates.windows(2).enumerate() {
        let (before, after) = (&pair[0], &pair[1]);
        if before.posted_at.utc - after.posted_at.utc >= Duration::seconds(1) {
            out.push(Anomaly {
                code: UPDATE_OUT_OF_ORDER.to_string(),
                detail: format!(
                    "{source_id} lists update {} of {} (oldest first), stamped {} ({:?}), after update {}, stamped {} ({:?}), {} later: the stamps or the order are wrong",
                    i + 2,
                    observed.updates.len(),
                    format_utc(&after.posted_at.utc),
                    after.posted_at.raw,
                    i + 1,
                    format_utc(&before.posted_at.utc),
                    before.posted_at.raw,
                    span_text(after.posted_at.utc, before.posted_at.utc),
                ),
                source_id: Some(source_id.to_string()),
            });
        }
    }
    out
}
