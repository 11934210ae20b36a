//! Times from the vendor's own words: the start and resolution an incident's updates state
//! ("Incident start: October 3, 2024, at 6:38 PM PDT", "between 14:32 and 15:10 UTC",
//! "has been resolved as of 15:12 UTC"), and the times an update gives as past, which its
//! own stamp must not precede.
//!
//! Every update's text goes through [`timetext::find_times`] with the update's posting date (in
//! its zone) and its zone as context. A time counts by the words around it:
//!
//! * start: after "Incident start:", "began at", "starting at", "started at", "since", ...,
//!   or the first time of a range after "between" or "from";
//! * end: after "Incident resolved:", "resolved at", "resolved as of", "ended at", "until",
//!   ..., or the second time of such a range;
//! * past (evidence about the update only): after "became aware at", "detected at", or a time
//!   followed in its sentence by "became aware", "was detected", "began", ... ("At 12:52 PM PDT
//!   on October 10, 2024, the Engineering team became aware"). A detection time is not the
//!   incident's start.
//!
//! A start or end is a statement about the past: one later than its update's own stamp (by
//! more than [`FUTURE_TOLERANCE`]) is not taken as the incident's time ("until 15:00 UTC" in a
//! forecast), but a start, end or past time so placed is kept as evidence that the update is
//! stamped too early (`update_out_of_order`), except after words that also announce times to
//! come ("until", "starting at", a range). A time
//! written without a date takes the update's date, or (for words that do not announce times to
//! come) the day before when that would put it after the update.
//!
//! The latest update that states a start gives the incident's stated start (a postmortem
//! corrects the first updates), its first such time; likewise for the end.

use crate::model::{IncidentRecord, TimeValue, UpdateRecord};
use chrono::{DateTime, Duration, Utc};
use timetext::{Context, Flag, Found, Role};

/// How far after its update's stamp a stated time may fall and still be read as past: stamps
/// are minutes, sometimes rounded, and a page may post the update a little before its text's
/// last time.
pub const FUTURE_TOLERANCE: Duration = Duration::hours(1);

/// Labels (lower case) whose time is the incident's start; matched at the end of the words
/// before the time.
const START_LABELS: &[&str] = &[
    "incident start:",
    "start time:",
    "impact start:",
    "began at",
    "began on",
    "beginning at",
    "starting at",
    "starting on",
    "started at",
    "started on",
    "since",
];

/// Labels whose time is the incident's end.
const END_LABELS: &[&str] = &[
    "incident resolved:",
    "incident end:",
    "end time:",
    "impact end:",
    "resolved at",
    "resolved as of",
    "resolved on",
    "mitigated at",
    "mitigated as of",
    "recovered at",
    "ended at",
    "ended on",
    "until",
];

/// Labels that also announce times to come ("starting at 22:00 UTC we will ...", "until
/// 15:00 UTC"), as ranges do: such a time after its update is a forecast, not evidence.
const FORECAST_LABELS: &[&str] = &["starting at", "starting on", "until"];

/// Labels before a time that say something was noticed then.
const PAST_LABELS: &[&str] = &[
    "became aware at",
    "became aware on",
    "detected at",
    "detected on",
    "alerted at",
    "noticed at",
];

/// Words after a time, in its sentence, that say something happened then.
const PAST_FOLLOWERS: &[&str] = &[
    "became aware",
    "was detected",
    "were detected",
    "detected",
    "began",
    "started",
    "noticed",
    "observed",
    "received reports",
    "were alerted",
    "was alerted",
];

/// What a labelled time says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Start,
    End,
    /// Something happened then (a detection); says nothing of the incident's start or end.
    Past,
}

/// One time an update's text states, with what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedTime {
    /// Source `stated`, raw = the time's text, with the reading's flags.
    pub value: TimeValue,
    /// Position of the update (oldest first).
    pub update: usize,
    pub meaning: Meaning,
    /// The words that gave the meaning, as written ("Incident start:"), or
    /// `followed by "became aware"`, or `between/from` for a range.
    pub label: String,
    /// Whether the words may announce a future time ("until", a range).
    pub may_be_forecast: bool,
}

/// Everything the updates' texts state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextTimes {
    /// The incident's stated start and end (see the module documentation).
    pub start: Option<StatedTime>,
    pub end: Option<StatedTime>,
    /// Stated times later than their own update's stamp by more than the tolerance, which
    /// are not forecasts: the update is stamped before what it reports.
    pub after_own_stamp: Vec<StatedTime>,
}

/// The label a time's preceding words end with, as written there ("Incident start:").
fn ends_with_label(preceding: &str, labels: &[&str]) -> Option<String> {
    let written = preceding.trim_end();
    let lower = written.to_lowercase();
    let label = labels.iter().copied().find(|l| {
        lower.ends_with(l)
            && lower[..lower.len() - l.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    })?;
    // Lower-casing keeps the length of ASCII text; otherwise give the table's spelling.
    Some(
        written
            .get(written.len().saturating_sub(label.len())..)
            .filter(|w| w.eq_ignore_ascii_case(label))
            .unwrap_or(label)
            .to_string(),
    )
}

/// The words after a time up to the end of its sentence (at most 8).
fn following_words(text: &str, from: usize) -> String {
    let rest = text.get(from..).unwrap_or("");
    let sentence = rest
        .split(['.', ';', '\n', '!', '?'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    sentence
        .split_whitespace()
        .take(8)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a range start is introduced by "between" or "from" (in the words before it, or
/// inside the stamp: "June 1, between 09:40").
fn is_labelled_range(found: &Found<'_>) -> bool {
    let words = format!("{} {}", found.preceding, found.text).to_lowercase();
    words
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "between" || w == "from")
}

/// The context an update's text is read in: its posting date in its zone (UTC without one).
fn context(update: &UpdateRecord, day_before: bool) -> Context {
    let posted = update.posted_at.utc;
    let date = match update.zone {
        Some(zone) => posted.with_timezone(&zone).date_naive(),
        None => posted.date_naive(),
    };
    let date = if day_before {
        date.pred_opt().unwrap_or(date)
    } else {
        date
    };
    let ctx = Context::on_date(date);
    match update.zone {
        Some(zone) => ctx.with_zone(zone),
        None => ctx,
    }
}

/// Reads one found time; a time without a written date that falls after its update is read
/// again on the day before, unless its words may announce a time to come (`forecast`).
fn read(found: &Found<'_>, update: &UpdateRecord, forecast: bool) -> Option<TimeValue> {
    let parsed = found.result.as_ref().ok()?;
    let mut utc = parsed.utc;
    let mut flags = parsed.flags;
    if !forecast
        && parsed.flags.contains(Flag::DateFromContext)
        && utc > update.posted_at.utc + FUTURE_TOLERANCE
    {
        let earlier = timetext::find_times(&update.body, &context(update, true));
        if let Some(again) = earlier
            .iter()
            .find(|f| f.span == found.span)
            .and_then(|f| f.result.as_ref().ok())
        {
            utc = again.utc;
            flags = again.flags;
        }
    }
    Some(TimeValue::stated(utc, found.text).with_flags(flags))
}

/// The stated times of one update, in text order.
pub fn update_times(update: &UpdateRecord, position: usize) -> Vec<StatedTime> {
    let found = timetext::find_times(&update.body, &context(update, false));
    let mut out = Vec::new();
    let mut range_labelled = false;
    for f in &found {
        let (meaning, label, forecast) = match f.role {
            Role::Equivalent => continue,
            Role::RangeStart => {
                range_labelled = is_labelled_range(f);
                if !range_labelled {
                    continue;
                }
                (Meaning::Start, "between/from".to_string(), true)
            }
            Role::RangeEnd => {
                if !std::mem::take(&mut range_labelled) {
                    continue;
                }
                (Meaning::End, "between/from".to_string(), true)
            }
            Role::Single => {
                let forecast = |l: &str| FORECAST_LABELS.iter().any(|f| f.eq_ignore_ascii_case(l));
                if let Some(l) = ends_with_label(f.preceding, START_LABELS) {
                    let may = forecast(&l);
                    (Meaning::Start, l, may)
                } else if let Some(l) = ends_with_label(f.preceding, END_LABELS) {
                    let may = forecast(&l);
                    (Meaning::End, l, may)
                } else if let Some(l) = ends_with_label(f.preceding, PAST_LABELS) {
                    (Meaning::Past, l, false)
                } else {
                    let after = following_words(&update.body, f.span.end);
                    match PAST_FOLLOWERS.iter().find(|w| after.contains(*w)) {
                        Some(w) => (Meaning::Past, format!("followed by \"{w}\""), false),
                        None => continue,
                    }
                }
            }
        };
        let Some(value) = read(f, update, forecast) else {
            continue;
        };
        out.push(StatedTime {
            value,
            update: position,
            meaning,
            label,
            may_be_forecast: forecast,
        });
    }
    out
}

/// What the record's updates state (see the module documentation).
pub fn text_times(record: &IncidentRecord) -> TextTimes {
    let mut times = TextTimes::default();
    for (i, update) in record.updates.iter().enumerate() {
        let mut start = None;
        let mut end = None;
        for t in update_times(update, i) {
            let late = t.value.utc > update.posted_at.utc + FUTURE_TOLERANCE;
            if late {
                if !t.may_be_forecast {
                    times.after_own_stamp.push(t);
                }
                continue;
            }
            match t.meaning {
                Meaning::Start if start.is_none() => start = Some(t),
                Meaning::End if end.is_none() => end = Some(t),
                _ => {}
            }
        }
        // Later updates overrule earlier ones.
        if start.is_some() {
            times.start = start;
        }
        if end.is_some() {
            times.end = end;
        }
    }
    times
}

/// The later of two instants' difference, for details: `6d 20h 44m`.
pub fn span_text(a: DateTime<Utc>, b: DateTime<Utc>) -> String {
    let seconds = (b - a).num_seconds().abs();
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::format_utc;

    fn update(posted: &str, body: &str, zone: Option<chrono_tz::Tz>) -> UpdateRecord {
        UpdateRecord {
            id: "u".into(),
            native_id: None,
            status: None,
            status_raw: None,
            stated_status: None,
            posted_at: TimeValue::structured(
                DateTime::parse_from_rfc3339(posted).unwrap().to_utc(),
                posted,
            ),
            body: body.into(),
            components: Vec::new(),
            source_id: "s".into(),
            first_seen_at: Utc::now(),
            zone,
        }
    }

    fn read(posted: &str, body: &str) -> Vec<(Meaning, String, String, bool)> {
        update_times(&update(posted, body, None), 0)
            .into_iter()
            .map(|t| {
                (
                    t.meaning,
                    format_utc(&t.value.utc),
                    t.label,
                    t.may_be_forecast,
                )
            })
            .collect()
    }

    #[test]
    fn labelled_times_and_what_they_mean() {
        assert_eq!(
            read(
                "2024-10-21T17:20:00Z",
                "Timing: Incident start: October 3, 2024, at 6:38 PM PDT Incident resolved: October 10, 2024, at 3:22 PM PDT Detection: Customers began reporting."
            ),
            vec![
                (
                    Meaning::Start,
                    "2024-10-04T01:38:00Z".into(),
                    "Incident start:".into(),
                    false
                ),
                (
                    Meaning::End,
                    "2024-10-10T22:22:00Z".into(),
                    "Incident resolved:".into(),
                    false
                ),
            ]
        );
        assert_eq!(
            read(
                "2023-08-11T20:44:37.976Z",
                "From 16:45-20:01 UTC, OAuth App tokens were not SAML authorized as expected."
            ),
            vec![
                (
                    Meaning::Start,
                    "2023-08-11T16:45:00Z".into(),
                    "between/from".into(),
                    true
                ),
                (
                    Meaning::End,
                    "2023-08-11T20:01:00Z".into(),
                    "between/from".into(),
                    true
                ),
            ]
        );
        assert_eq!(
            read(
                "2024-06-01T11:00:00Z",
                "The issue began at 09:35 UTC and has been resolved as of 10:30 UTC. We will post a review until 18:00 UTC."
            ),
            vec![
                (
                    Meaning::Start,
                    "2024-06-01T09:35:00Z".into(),
                    "began at".into(),
                    false
                ),
                (
                    Meaning::End,
                    "2024-06-01T10:30:00Z".into(),
                    "resolved as of".into(),
                    false
                ),
                (
                    Meaning::End,
                    "2024-06-01T18:00:00Z".into(),
                    "until".into(),
                    true
                ),
            ]
        );
        // A detection time is about the update, not the incident's start.
        assert_eq!(
            read(
                "2024-10-10T20:08:00Z",
                "At 12:52 PM PDT on October 10, 2024, the Engineering team became aware of an issue."
            ),
            vec![(
                Meaning::Past,
                "2024-10-10T19:52:00Z".into(),
                "followed by \"became aware\"".into(),
                false
            )]
        );
        // Times nobody labels are not evidence.
        assert_eq!(
            read("2024-06-01T11:00:00Z", "Next update at 12:00 UTC."),
            vec![]
        );
    }

    #[test]
    fn a_time_without_a_date_after_its_update_is_of_the_day_before() {
        // Posted 00:30 UTC; "began at 23:50 UTC" is the evening before.
        assert_eq!(
            read("2024-06-02T00:30:00Z", "The issue began at 23:50 UTC."),
            vec![(
                Meaning::Start,
                "2024-06-01T23:50:00Z".into(),
                "began at".into(),
                false
            )]
        );
    }

    #[test]
    fn the_latest_statement_wins_and_forecasts_are_not_evidence() {
        let mut record = crate::normalize::tests_support::empty_record();
        record.updates = vec![
            update("2024-06-01T10:00:00Z", "Errors since 09:40 UTC.", None),
            update(
                "2024-06-01T12:00:00Z",
                "Between 09:35 and 10:50 UTC some requests failed. Degraded until 14:00 UTC.",
                None,
            ),
        ];
        let times = text_times(&record);
        assert_eq!(
            format_utc(&times.start.unwrap().value.utc),
            "2024-06-01T09:35:00Z"
        );
        assert_eq!(
            format_utc(&times.end.unwrap().value.utc),
            "2024-06-01T10:50:00Z"
        );
        // "until 14:00" is after its update: a forecast, neither the end nor evidence.
        assert!(times.after_own_stamp.is_empty());
    }
}
