//! Times from the vendor's own words: the start and resolution an incident's updates state
//! ("Incident start: October 3, 2024, at 6:38 PM PDT", "between 14:32 and 15:10 UTC",
//! "has been resolved as of 15:12 UTC"), and the times an update gives as past, which its
//! own stamp must not precede.
//!
//! Every update's text goes through [`timetext::find_times`] with the update's posting instant
//! and its zone as context (and what the record's other stamps say, [`timetext::Evidence`]).
//! A time counts by the words around it:
//!
//! * start: after "Incident start:", "began at", "starting at", "started at", "since", ...,
//!   or the first time of a range after "between" or "from", or of a range in a sentence
//!   about the impact ("errors 0917–0955 UTC");
//! * end: after "Incident resolved:", "resolved at", "resolved as of", "ended at", "until",
//!   ..., or the second time of such a range;
//! * past (evidence about the update only): after "became aware at", "detected at", or a time
//!   followed in its sentence by "became aware", "was detected", "began", ... ("At 12:52 PM PDT
//!   on October 10, 2024, the Engineering team became aware"). A detection time is not the
//!   incident's start.
//!
//! A stated time is about the past: one written without a date is the latest reading not
//! after its update's stamp ("starting at 11:52 UTC" posted at 00:15 is the day before),
//! unless its words announce a time to come ("until", "starting at", a range, in a sentence
//! that says "will", "expected", "scheduled", ...): such a forecast keeps the update's date
//! and, when it falls after the update (by more than [`FUTURE_TOLERANCE`]), is not evidence.
//! Any other time after its update's stamp is kept as evidence that the update is stamped too
//! early (`update_out_of_order`).
//!
//! Several windows in one update ("from 14:05 to 14:11 UTC and again from 14:30 to 14:52
//! UTC") are one statement: the earliest start and the latest end, and the words of every
//! window are kept as the evidence (the raw text of both). The latest update that states a
//! start gives the incident's stated start (a postmortem corrects the first updates); likewise
//! for the end, except a stated end that an open update posted after it contradicts (the vendor
//! was still investigating): it is set aside, kept as evidence, and the next best statement is
//! taken. A window whose end is so set aside, which closed before the incident's first
//! update and is stated more than an hour after it (the incident long open) describes
//! something else (an earlier event, the data affected): its start is set aside too.

use crate::model::{IncidentRecord, Status, TimeValue, UpdateRecord};
use chrono::{DateTime, Duration, Utc};
use std::ops::Range;
use timetext::{Context, Evidence, Found, Role};

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
/// 15:00 UTC"), as ranges do: with words of the future in their sentence, a forecast.
const FORECAST_LABELS: &[&str] = &["starting at", "starting on", "until"];

/// Words (lower case, whole words) that make a sentence about the future.
const FUTURE_WORDS: &[&str] = &[
    "will",
    "we'll",
    "expect",
    "expecting",
    "scheduled",
    "planned",
    "estimated",
    "eta",
    "anticipate",
    "anticipated",
    "upcoming",
    "tonight",
    "tomorrow",
    "shall",
];

/// Phrases (lower case) that make a sentence about the future where their words alone do not
/// ("as expected" is about the past).
const FUTURE_PHRASES: &[&str] = &[
    "expected to",
    "plan to",
    "planning to",
    "going to",
    "next update",
];

/// Words (lower case, whole words) of a sentence about the impact, which make a range there
/// a window of impact even without "between" or "from".
const IMPACT_WORDS: &[&str] = &[
    "impact",
    "impacted",
    "affected",
    "degraded",
    "degradation",
    "outage",
    "errors",
    "failed",
    "failures",
    "unavailable",
    "disruption",
    "down",
    "elevated",
    "delays",
    "delayed",
    "latency",
    "experienced",
];

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

/// The label of the times of a window ("between 14:32 and 15:10 UTC", "from 16:45-20:01").
const WINDOW: &str = "between/from";

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
    /// Source `stated`, raw = the time's text (for several windows, the words of all of
    /// them), with the reading's flags.
    pub value: TimeValue,
    /// Position of the update (oldest first).
    pub update: usize,
    pub meaning: Meaning,
    /// The words that gave the meaning, as written ("Incident start:"), or
    /// `followed by "became aware"`, or `between/from` for a range.
    pub label: String,
    /// Whether the words may announce a future time ("until", a range).
    pub may_be_forecast: bool,
    /// The time's byte span in the update's text.
    pub span: Range<usize>,
    /// For a range's start or end: the range's other end (its instant).
    pub partner: Option<DateTime<Utc>>,
}

/// Why a stated time was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetAsideWhy {
    /// An open update (the vendor still investigating) is posted after the stated end.
    OpenAfter {
        /// Position of the first such update.
        update: usize,
        /// Its status.
        status: Status,
    },
    /// The start of a window whose end was set aside and which closed before the incident's
    /// first update: an earlier, separate event, or the data affected.
    EarlierEvent {
        /// The window's end.
        window_end: DateTime<Utc>,
    },
}

/// A stated time that was not taken, kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub time: StatedTime,
    pub why: SetAsideWhy,
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
    /// Statements of a start or end that later evidence contradicts, not taken.
    pub set_aside: Vec<SetAside>,
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

/// Whether the character at byte `i` of `text` ends a sentence: a line break, `;`, `!`, `?`,
/// or a period before white space or the end ("12.30" and "a.m." do not).
fn ends_sentence(text: &str, i: usize, c: char) -> bool {
    matches!(c, '\n' | ';' | '!' | '?')
        || (c == '.' && text[i + 1..].chars().next().is_none_or(char::is_whitespace))
}

/// The sentence around a byte span, lower case.
fn sentence_around(text: &str, span: &Range<usize>) -> String {
    let before = text.get(..span.start).unwrap_or("");
    let start = before
        .char_indices()
        .rev()
        .find(|(i, c)| ends_sentence(text, *i, *c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let after = text.get(span.end..).unwrap_or("");
    let end = after
        .char_indices()
        .find(|(i, c)| ends_sentence(after, *i, *c))
        .map_or(text.len(), |(i, _)| span.end + i);
    text.get(start..end).unwrap_or("").to_lowercase()
}

fn has_word(sentence: &str, words: &[&str]) -> bool {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .any(|w| words.contains(&w))
}

/// Whether a range start is a window the text states: introduced by "between" or "from" (in
/// the words before it, or inside the stamp: "June 1, between 09:40"), or in a sentence about
/// the impact.
fn is_labelled_range(found: &Found<'_>, body: &str) -> bool {
    let words = format!("{} {}", found.preceding, found.text).to_lowercase();
    words
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "between" || w == "from")
        || has_word(&sentence_around(body, &found.span), IMPACT_WORDS)
}

/// The context an update's text is read in: its posting instant, its zone, and what the
/// record's other stamps say.
fn context(update: &UpdateRecord, evidence: Evidence) -> Context {
    let ctx = Context::posted_at(update.posted_at.utc).with_evidence(evidence);
    match update.zone {
        Some(zone) => ctx.with_zone(zone),
        None => ctx,
    }
}

/// The same context with the update's posting date instead of its instant: a forecast is read
/// on its update's day, never moved before it.
fn forecast_context(update: &UpdateRecord, evidence: Evidence) -> Context {
    let posted = update.posted_at.utc;
    let date = match update.zone {
        Some(zone) => posted.with_timezone(&zone).date_naive(),
        None => posted.date_naive(),
    };
    let ctx = Context::on_date(date).with_evidence(evidence);
    match update.zone {
        Some(zone) => ctx.with_zone(zone),
        None => ctx,
    }
}

/// What the record's update stamps say about its zone and date order.
pub fn record_evidence(record: &IncidentRecord) -> Evidence {
    Evidence::from_stamps(record.updates.iter().map(|u| u.posted_at.raw.as_str()))
}

/// The stated times of one update, in text order.
pub fn update_times(update: &UpdateRecord, position: usize, evidence: Evidence) -> Vec<StatedTime> {
    let found = timetext::find_times(&update.body, &context(update, evidence));
    let mut forecast_reading: Option<Vec<Found<'_>>> = None;
    let mut out: Vec<StatedTime> = Vec::new();
    let mut range_labelled = false;
    let mut range_start: Option<usize> = None;
    for (n, f) in found.iter().enumerate() {
        let (meaning, label, forecast) = match f.role {
            Role::Equivalent => continue,
            Role::RangeStart => {
                range_labelled = is_labelled_range(f, &update.body);
                if !range_labelled {
                    continue;
                }
                (Meaning::Start, WINDOW.to_string(), true)
            }
            Role::RangeEnd => {
                if !std::mem::take(&mut range_labelled) {
                    continue;
                }
                (Meaning::End, WINDOW.to_string(), true)
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
        // Words of the future make a forecast: read on the update's own day.
        let announces = forecast && {
            let sentence = sentence_around(&update.body, &f.span);
            has_word(&sentence, FUTURE_WORDS) || FUTURE_PHRASES.iter().any(|p| sentence.contains(p))
        };
        let reading = if announces {
            let again = forecast_reading.get_or_insert_with(|| {
                timetext::find_times(&update.body, &forecast_context(update, evidence))
            });
            again.get(n).filter(|g| g.span == f.span).unwrap_or(f)
        } else {
            f
        };
        let Ok(parsed) = reading.result.as_ref() else {
            continue;
        };
        if f.role == Role::RangeStart {
            range_start = Some(out.len());
        }
        let partner = match f.role {
            Role::RangeStart => parsed.end,
            Role::RangeEnd => range_start.and_then(|i| out.get(i).map(|t| t.value.utc)),
            _ => None,
        };
        out.push(StatedTime {
            value: TimeValue::stated(parsed.utc, f.text).with_flags(parsed.flags),
            update: position,
            meaning,
            label,
            may_be_forecast: announces || (forecast && f.role == Role::Single),
            span: f.span.clone(),
            partner,
        });
    }
    out
}

/// An update's statement of the incident's start and end.
struct Statement {
    start: Option<StatedTime>,
    end: Option<StatedTime>,
}

/// Whether nothing ends a sentence between two spans of a text.
fn same_sentence(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|between| {
        !between
            .char_indices()
            .any(|(i, c)| ends_sentence(between, i, c))
    })
}

/// What one update states: its first start and its first end, in text order. Several windows
/// in one sentence ("from 14:05 to 14:11 UTC and again from 14:30 to 14:52 UTC") are one
/// statement: the first start and the last end, with the words of every window as the
/// evidence (the raw text of both).
fn statement(update: &UpdateRecord, times: Vec<StatedTime>) -> Statement {
    let mut start = times.iter().position(|t| t.meaning == Meaning::Start);
    let mut end = times.iter().position(|t| t.meaning == Meaning::End);
    let mut words = None;
    if let Some(first) = start
        && times[first].label == WINDOW
        && times.get(first + 1).is_some_and(|t| t.label == WINDOW)
    {
        // Windows follow each other as start, end, start, end, ... in one sentence.
        let mut last = first + 1;
        let mut windows = 1;
        while let (Some(next_start), Some(next_end)) = (times.get(last + 1), times.get(last + 2)) {
            let joined = next_start.label == WINDOW
                && next_start.meaning == Meaning::Start
                && next_end.label == WINDOW
                && next_end.meaning == Meaning::End
                && same_sentence(&update.body, times[last].span.end, next_start.span.start);
            if !joined {
                break;
            }
            last += 2;
            windows += 1;
        }
        if windows > 1 {
            let latest = (first..=last)
                .filter(|i| times[*i].meaning == Meaning::End)
                .max_by_key(|i| times[*i].value.utc)
                .unwrap_or(last);
            end = Some(latest);
            words = update
                .body
                .get(times[first].span.start..times[last].span.end)
                .map(|w| (w.to_string(), format!("{windows} windows")));
        }
    }
    let take = |i: Option<usize>| {
        let mut t = i.map(|i| times[i].clone())?;
        if let Some((raw, label)) = &words
            && t.label == WINDOW
        {
            t.value.raw = raw.clone();
            t.label = label.clone();
        }
        Some(t)
    };
    let (s, e) = (take(start.take()), take(end.take()));
    Statement { start: s, end: e }
}

/// The first open update (by its carried status: an "Update" label keeps the status before
/// it) posted after `instant`: the vendor was still at work then.
pub fn open_after(record: &IncidentRecord, instant: DateTime<Utc>) -> Option<(usize, Status)> {
    let mut carried = None;
    for (i, u) in record.updates.iter().enumerate() {
        carried = u.effective_status().or(carried);
        if u.posted_at.utc > instant
            && let Some(s) = carried.filter(|s| !s.is_closed())
        {
            return Some((i, s));
        }
    }
    None
}

/// What the record's updates state (see the module documentation).
pub fn text_times(record: &IncidentRecord) -> TextTimes {
    let mut times = TextTimes::default();
    let evidence = record_evidence(record);
    let mut statements = Vec::with_capacity(record.updates.len());
    for (i, update) in record.updates.iter().enumerate() {
        let mut taken = Vec::new();
        for t in update_times(update, i, evidence) {
            let late = t.value.utc > update.posted_at.utc + FUTURE_TOLERANCE;
            if late {
                if !t.may_be_forecast {
                    times.after_own_stamp.push(t);
                }
                continue;
            }
            if t.meaning != Meaning::Past {
                taken.push(t);
            }
        }
        statements.push(statement(update, taken));
    }
    let first_update = record.updates.first().map(|u| u.posted_at.utc);
    // Later updates overrule earlier ones; a contradicted end gives way to the next.
    let mut ends_set_aside = Vec::new();
    for (i, st) in statements.iter().enumerate().rev() {
        let Some(end) = &st.end else { continue };
        match open_after(record, end.value.utc) {
            None => {
                times.end = Some(end.clone());
                break;
            }
            Some((update, status)) => {
                ends_set_aside.push(i);
                times.set_aside.push(SetAside {
                    time: end.clone(),
                    why: SetAsideWhy::OpenAfter { update, status },
                });
            }
        }
    }
    for (i, st) in statements.iter().enumerate().rev() {
        let Some(start) = &st.start else { continue };
        // The start of a window (it has a partner) whose statement's end was set aside, which
        // closed before the incident's first update, stated once the incident had been open
        // a while (more than the tolerance): not what the incident was opened for.
        let window_end = st.end.as_ref().map(|e| e.value.utc);
        let stated_at = record.updates[start.update].posted_at.utc;
        if start.partner.is_some()
            && ends_set_aside.contains(&i)
            && let (Some(e), Some(first)) = (window_end, first_update)
            && e <= first
            && stated_at - first > FUTURE_TOLERANCE
        {
            times.set_aside.push(SetAside {
                time: start.clone(),
                why: SetAsideWhy::EarlierEvent { window_end: e },
            });
            continue;
        }
        times.start = Some(start.clone());
        break;
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
        update_times(&update(posted, body, None), 0, Evidence::default())
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
                    false
                ),
                (
                    Meaning::End,
                    "2023-08-11T20:01:00Z".into(),
                    "between/from".into(),
                    false
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

    fn open_update(posted: &str, body: &str, status: crate::model::Status) -> UpdateRecord {
        let mut u = update(posted, body, None);
        u.status = Some(status);
        u
    }

    #[test]
    fn a_dateless_time_is_not_after_its_post_unless_it_announces_the_future() {
        // "starting at 11:52 UTC" posted at 00:15 is the day before (issue 19).
        assert_eq!(
            read(
                "2024-05-02T00:15:00Z",
                "Errors starting at 11:52 UTC affected pushes."
            ),
            vec![(
                Meaning::Start,
                "2024-05-01T11:52:00Z".into(),
                "starting at".into(),
                true
            )]
        );
        // With words of the future it is a forecast, read on the update's day (and, being
        // after its update, no evidence).
        let mut record = crate::normalize::tests_support::empty_record();
        record.updates = vec![update(
            "2024-06-01T14:00:00Z",
            "Degraded performance is expected to continue until 18:00 UTC.",
            None,
        )];
        let times = text_times(&record);
        assert_eq!(times.end, None);
        assert!(times.after_own_stamp.is_empty());
        // A window written in the past tense and dated after its post is evidence that the
        // update is stamped too early.
        record.updates = vec![update(
            "2024-06-01T14:00:00Z",
            "Between 15:10 and 15:40 UTC on June 1, pushes failed.",
            None,
        )];
        let times = text_times(&record);
        assert_eq!(times.after_own_stamp.len(), 2);
    }

    #[test]
    fn windows_in_one_sentence_are_one_statement() {
        use crate::model::Status;
        let mut record = crate::normalize::tests_support::empty_record();
        record.updates = vec![open_update(
            "2024-05-14T15:00:00Z",
            "Pushes failed from 14:05UTC to 14:11UTC and again from 14:30UTC to 14:52UTC. Webhooks were delayed between 13:00 and 13:20 UTC.",
            Status::Resolved,
        )];
        let times = text_times(&record);
        let (start, end) = (times.start.unwrap(), times.end.unwrap());
        assert_eq!(format_utc(&start.value.utc), "2024-05-14T14:05:00Z");
        assert_eq!(format_utc(&end.value.utc), "2024-05-14T14:52:00Z");
        let words = "14:05UTC to 14:11UTC and again from 14:30UTC to 14:52UTC";
        assert_eq!(
            (start.value.raw.as_str(), start.label.as_str()),
            (words, "2 windows")
        );
        assert_eq!(end.value.raw, words);
        assert!(times.set_aside.is_empty());
    }

    #[test]
    fn an_end_the_vendor_kept_working_after_is_set_aside() {
        use crate::model::Status;
        let mut record = crate::normalize::tests_support::empty_record();
        // Opened at 09:00; at 13:00, still investigating, a window of the data affected;
        // still investigating at 14:00; resolved at 15:00.
        record.updates = vec![
            open_update(
                "2024-05-14T09:00:00Z",
                "We are investigating delays.",
                Status::Investigating,
            ),
            open_update(
                "2024-05-14T13:00:00Z",
                "We are reprocessing events received between 07:10 and 07:40 UTC.",
                Status::Investigating,
            ),
            open_update(
                "2024-05-14T14:00:00Z",
                "Still investigating.",
                Status::Investigating,
            ),
            open_update(
                "2024-05-14T15:00:00Z",
                "This incident has been resolved.",
                Status::Resolved,
            ),
        ];
        let times = text_times(&record);
        assert_eq!(times.start, None);
        assert_eq!(times.end, None);
        let set_aside: Vec<(Meaning, String, &SetAsideWhy)> = times
            .set_aside
            .iter()
            .map(|a| (a.time.meaning, format_utc(&a.time.value.utc), &a.why))
            .collect();
        assert_eq!(
            set_aside,
            vec![
                (
                    Meaning::End,
                    "2024-05-14T07:40:00Z".to_string(),
                    &SetAsideWhy::OpenAfter {
                        update: 0,
                        status: Status::Investigating
                    }
                ),
                (
                    Meaning::Start,
                    "2024-05-14T07:10:00Z".to_string(),
                    &SetAsideWhy::EarlierEvent {
                        window_end: DateTime::parse_from_rfc3339("2024-05-14T07:40:00Z")
                            .unwrap()
                            .to_utc()
                    }
                ),
            ]
        );
        // Stated by the opening update, the window is what the incident is about: its start
        // stands, its end gives way (the vendor was still at work after it).
        record.updates.remove(1);
        record.updates[0].body =
            "We are investigating events received between 07:10 and 07:40 UTC.".into();
        let times = text_times(&record);
        assert_eq!(
            times.start.map(|t| format_utc(&t.value.utc)).as_deref(),
            Some("2024-05-14T07:10:00Z")
        );
        assert_eq!(times.end, None);
        assert_eq!(times.set_aside.len(), 1);
    }
}
