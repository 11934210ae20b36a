//! Typed values passed between pipeline stages: the canonical vocabulary, the `Observation`
//! a parser produces from one page, and the canonical records the normalizer hands the store.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use timetext::Flags;

/// The hand-off types between ingest and the store (`SourceResult` and what it holds) are
/// defined in [`crate::handoff`] and belong with the model.
pub use crate::handoff::*;

/// Formats an instant the one way statusdb writes times: RFC 3339, UTC, `Z`, with
/// fractional seconds only when the source had them.
pub fn format_utc(t: &DateTime<Utc>) -> String {
    fixed_width(t, false).unwrap_or_else(|| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Formats an instant for the database: fixed-width milliseconds, so that SQL comparisons and
/// `ORDER BY` on the text agree with time order.
pub fn db_time(t: &DateTime<Utc>) -> String {
    fixed_width(t, true).unwrap_or_else(|| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Parses a time as the database stores it.
pub fn parse_db_time(text: &str) -> Option<DateTime<Utc>> {
    parse_fixed_width(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` written directly, for instants in whole milliseconds of years
/// 0 to 9999 (every time statusdb keeps): chrono's general formatter costs about ten times as
/// much, and the store and the export write several times per update. `None` for anything
/// else, which chrono then writes (the same text: tests compare the two).
fn fixed_width(t: &DateTime<Utc>, always_millis: bool) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let nanos = t.timestamp_subsec_nanos();
    let year = t.year();
    if !nanos.is_multiple_of(1_000_000) || nanos >= 1_000_000_000 || !(0..=9999).contains(&year) {
        return None;
    }
    let millis = nanos / 1_000_000;
    let mut out = String::with_capacity(24);
    push_two(&mut out, year as u32 / 100);
    push_two(&mut out, year as u32 % 100);
    out.push('-');
    push_two(&mut out, t.month());
    out.push('-');
    push_two(&mut out, t.day());
    out.push('T');
    push_two(&mut out, t.hour());
    out.push(':');
    push_two(&mut out, t.minute());
    out.push(':');
    push_two(&mut out, t.second());
    if always_millis || millis != 0 {
        out.push('.');
        out.push(char::from(b'0' + (millis / 100) as u8));
        push_two(&mut out, millis % 100);
    }
    out.push('Z');
    Some(out)
}

fn push_two(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Reads `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form `db_time` writes, without chrono's general
/// RFC 3339 parser; `None` for any other text.
fn parse_fixed_width(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_milli_opt(
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
        number(20..23)?,
    )?;
    Some(date.and_time(time).and_utc())
}

/// Times are kept to the millisecond: finer digits on status pages are noise, and a fixed
/// precision makes a re-read value equal to the one written.
pub fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(3)
}

/// Defines a vocabulary enum whose canonical strings are used verbatim in the DB and export.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[doc = concat!("`", $text, "`")] #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// Every value, in the vocabulary's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The canonical word, as the database and the export write it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownWord { vocabulary: stringify!($name), word: s.to_string() }),
                }
            }
        }
    };
}

/// A word that is not in a canonical vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{word:?} is not a known {vocabulary} value")]
pub struct UnknownWord {
    /// The vocabulary's name (`Status`).
    pub vocabulary: &'static str,
    /// The word as given.
    pub word: String,
}

vocabulary! {
    /// Whether a record is an unplanned incident or planned maintenance; the two never meet.
    IncidentKind { Incident => "incident", Maintenance => "maintenance" }
}

vocabulary! {
    /// Incident statuses (first five) and maintenance statuses (last four).
    Status {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
        Postmortem => "postmortem",
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
}

impl Status {
    /// True for statuses that end an incident or maintenance.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Resolved | Status::Postmortem | Status::Completed
        )
    }

    /// True for the four maintenance statuses.
    pub fn is_maintenance(self) -> bool {
        matches!(
            self,
            Status::Scheduled | Status::InProgress | Status::Verifying | Status::Completed
        )
    }
}

impl IncidentKind {
    /// A maintenance when the status is one of maintenance, else an incident.
    pub fn of_status(status: Option<Status>) -> IncidentKind {
        if status.is_some_and(Status::is_maintenance) {
            IncidentKind::Maintenance
        } else {
            IncidentKind::Incident
        }
    }
}

vocabulary! {
    /// How severe the vendor says an incident is.
    Impact { None => "none", Minor => "minor", Major => "major", Critical => "critical" }
}

vocabulary! {
    /// A component's status.
    ComponentStatus {
        Operational => "operational",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
        UnderMaintenance => "under_maintenance",
        Unknown => "unknown",
    }
}

vocabulary! {
    /// Where a time came from: a machine field, the vendor's prose, or a computation.
    TimeSource { Structured => "structured", Stated => "stated", Derived => "derived" }
}

/// An exact instant together with the text it was read from and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeValue {
    /// The instant, in whole milliseconds.
    #[serde(serialize_with = "ser_utc", deserialize_with = "de_utc")]
    pub utc: DateTime<Utc>,
    /// The text it was read from, as written.
    pub raw: String,
    /// How it was obtained.
    pub source: TimeSource,
    /// What reading the text had to assume or could not decide (`timetext` flags such as
    /// `ambiguous_abbreviation`), so that the normalizer can flag the record that uses it.
    #[serde(default, skip_serializing_if = "no_flags")]
    pub flags: Flags,
}

fn no_flags(flags: &Flags) -> bool {
    flags.is_empty()
}

impl TimeValue {
    /// An instant (cut to the millisecond) with its text and how it was obtained.
    pub fn new(utc: DateTime<Utc>, raw: impl Into<String>, source: TimeSource) -> Self {
        TimeValue {
            utc: to_millis(utc),
            raw: raw.into(),
            source,
            flags: Flags::empty(),
        }
    }
    /// The same value with the flags its reading raised.
    pub fn with_flags(mut self, flags: Flags) -> Self {
        self.flags = flags;
        self
    }
    /// A machine field's instant.
    pub fn structured(utc: DateTime<Utc>, raw: impl Into<String>) -> Self {
        TimeValue::new(utc, raw, TimeSource::Structured)
    }
    /// An instant the vendor's prose states.
    pub fn stated(utc: DateTime<Utc>, raw: impl Into<String>) -> Self {
        TimeValue::new(utc, raw, TimeSource::Stated)
    }
    /// An instant computed from others (a year inferred, an end taken from the last update).
    pub fn derived(utc: DateTime<Utc>, raw: impl Into<String>) -> Self {
        TimeValue::new(utc, raw, TimeSource::Derived)
    }
}

/// Serializes an instant as statusdb writes times ([`format_utc`]).
pub fn ser_utc<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(t))
}

/// Reads an RFC 3339 instant back.
pub fn de_utc<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

/// What a parser read from one page: pure data, no identity decisions yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The page's own description of itself, where it gives one.
    pub page: Option<PageInfo>,
    /// Components with their current status. Empty when the page does not list them.
    pub components: Vec<ObservedComponent>,
    /// The incidents and maintenances the page shows.
    pub incidents: Vec<ObservedIncident>,
    /// Things the parser kept but could not map (unknown words, skipped entries), with where.
    pub notes: Vec<ParseNote>,
    /// Absolute URLs of further documents of the same source that this page links to (the
    /// next page of a paginated list). Ingest fetches them after this document, bounded.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub follow: Vec<String>,
}

/// What a page says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// The page's name ("GitHub").
    pub name: Option<String>,
    /// The page's own URL.
    pub url: Option<String>,
    /// The page's IANA zone as it declares it (Statuspage `time_zone`).
    pub time_zone: Option<String>,
}

/// Something a parser kept but could not map, or left out, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseNote {
    /// Where in the page: a JSON path, an entry id, a line.
    pub place: String,
    /// What, for people.
    pub message: String,
}

/// A component as one page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedComponent {
    /// The vendor's id for it.
    pub native_id: Option<String>,
    /// Its name as shown.
    pub name: String,
    /// The group it is shown in.
    pub group: Option<String>,
    /// Its status, mapped.
    pub status: ComponentStatus,
    /// The vendor's own word for the status, kept even when it mapped cleanly.
    pub status_raw: String,
    /// When the page says it last changed.
    pub updated_at: Option<TimeValue>,
}

/// An incident or maintenance as one page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedIncident {
    /// The vendor's id for the incident (Statuspage code, Google Cloud id, ...).
    pub native_id: Option<String>,
    /// Other ids the same incident is known by on this vendor (feed entry ids, short links).
    pub aliases: Vec<String>,
    /// Incident or maintenance.
    pub kind: IncidentKind,
    /// Its title as shown.
    pub title: String,
    /// Its page.
    pub url: Option<String>,
    /// Its impact, mapped.
    pub impact: Option<Impact>,
    /// The vendor's word for the impact.
    pub impact_raw: Option<String>,
    /// The incident's own status field, where the page has one.
    pub status: Option<Status>,
    /// The vendor's word for the status.
    pub status_raw: Option<String>,
    /// When the vendor created it.
    pub created_at: Option<TimeValue>,
    /// When the page says it started.
    pub started_at: Option<TimeValue>,
    /// When the page says it was resolved.
    pub resolved_at: Option<TimeValue>,
    /// A maintenance's planned start.
    pub scheduled_for: Option<TimeValue>,
    /// A maintenance's planned end.
    pub scheduled_until: Option<TimeValue>,
    /// Names of the components the incident affects, as the page lists them.
    pub components: Vec<String>,
    /// In the order the source lists them, oldest first: a parser of a newest-first page
    /// reverses its list, a parser of a format without an order sorts by time. The normalizer
    /// sorts by time, and flags a list whose order its times contradict.
    pub updates: Vec<ObservedUpdate>,
    /// Set when the page is a third party's account of the vendor's incident (an aggregator),
    /// not the vendor's own: everything above is then evidence to weigh, not the vendor's word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_hand: Option<SecondHand>,
}

/// Where a second-hand incident came from, and what its page said that has no field above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondHand {
    /// The kind of page, e.g. `aggregator`.
    pub source_kind: String,
    /// Who published the page, as it names itself ("Pingoru"), else its host.
    pub publisher: Option<String>,
    /// The vendor as the page names it ("Okta").
    pub vendor_named: Option<String>,
    /// The vendor's own page for the incident, where the page links it.
    pub vendor_url: Option<String>,
    /// The page's other statements, as written ("Duration" = "341d 21h"), for the normalizer
    /// to check against the vendor's own words.
    pub fields: Vec<StatedField>,
}

/// One labelled value as a page wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedField {
    /// The label ("Duration").
    pub label: String,
    /// The value as written ("341d 21h").
    pub text: String,
}

/// One update of an incident as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedUpdate {
    /// The vendor's id for the update.
    pub native_id: Option<String>,
    /// None when the label only adds text ("Update") and keeps the previous status.
    pub status: Option<Status>,
    /// The label as written.
    pub status_raw: Option<String>,
    /// When it was posted.
    pub posted_at: TimeValue,
    /// Its text.
    pub body: String,
    /// The component statuses it announces.
    pub components: Vec<ComponentChange>,
}

/// A component status an update announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentChange {
    /// The vendor's id for the component.
    pub native_id: Option<String>,
    /// The component's name.
    pub name: String,
    /// The status announced, mapped.
    pub status: ComponentStatus,
    /// The vendor's word for it.
    pub status_raw: String,
}

impl ObservedIncident {
    /// An empty incident of the given kind and title, for parsers to fill in.
    pub fn new(kind: IncidentKind, title: impl Into<String>) -> Self {
        ObservedIncident {
            native_id: None,
            aliases: Vec::new(),
            kind,
            title: title.into(),
            url: None,
            impact: None,
            impact_raw: None,
            status: None,
            status_raw: None,
            created_at: None,
            started_at: None,
            resolved_at: None,
            scheduled_for: None,
            scheduled_until: None,
            components: Vec::new(),
            updates: Vec::new(),
            second_hand: None,
        }
    }
}

/// The canonical record of one real incident, as the normalizer builds it and the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    /// `<vendor>/<native id>`, or `<vendor>/fp-<fingerprint>` where the vendor gives no id.
    pub id: String,
    /// The vendor (config `vendor`).
    pub vendor: String,
    /// Incident or maintenance.
    pub kind: IncidentKind,
    /// The latest title seen.
    pub title: String,
    /// Its page.
    pub url: Option<String>,
    /// Its impact, mapped.
    pub impact: Option<Impact>,
    /// The vendor's word for the impact.
    pub impact_raw: Option<String>,
    /// The latest update's status (or the page's own field when there are no updates).
    pub status: Option<Status>,
    /// The vendor's word for the status.
    pub status_raw: Option<String>,
    /// When the vendor created it.
    pub created_at: Option<TimeValue>,
    /// When it started: the best evidence (docs/NORMALIZE.md).
    pub started_at: Option<TimeValue>,
    /// When it was resolved: the best evidence.
    pub resolved_at: Option<TimeValue>,
    /// The machine field's start, kept beside the best evidence chosen above.
    pub structured_started_at: Option<TimeValue>,
    /// The machine field's resolution, kept beside the best evidence chosen above.
    pub structured_resolved_at: Option<TimeValue>,
    /// A maintenance's planned start.
    pub scheduled_for: Option<TimeValue>,
    /// A maintenance's planned end.
    pub scheduled_until: Option<TimeValue>,
    /// The components it affects, by name.
    pub components: Vec<String>,
    /// Oldest first.
    pub updates: Vec<UpdateRecord>,
    /// What the evidence disagrees on.
    pub anomalies: Vec<Anomaly>,
    /// Source ids that showed this incident, sorted.
    pub sources: Vec<String>,
    /// Every native id and alias seen, sorted.
    pub aliases: Vec<String>,
    /// When statusdb first saw it.
    pub first_seen_at: DateTime<Utc>,
    /// When statusdb last saw it.
    pub last_seen_at: DateTime<Utc>,
}

impl IncidentRecord {
    /// From start to resolution, when both are known.
    pub fn duration_seconds(&self) -> Option<i64> {
        match (&self.started_at, &self.resolved_at) {
            (Some(s), Some(r)) => Some((r.utc - s.utc).num_seconds()),
            _ => None,
        }
    }
}

/// One update of an incident record, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRecord {
    /// `<vendor>/<native id>`, else `<incident>@<minute>/<label>/<n>`: the id it was first
    /// stored under.
    pub id: String,
    /// The vendor's id for it.
    pub native_id: Option<String>,
    /// The status its source gave (its label, mapped), never rewritten.
    pub status: Option<Status>,
    /// The label as written.
    pub status_raw: Option<String>,
    /// The status the update's own text supports, set by the normalizer only where the
    /// source's labels are implausible (see `normalize::status`); the record then carries it
    /// with source `stated`.
    pub stated_status: Option<Status>,
    /// When it was posted.
    pub posted_at: TimeValue,
    /// Its text.
    pub body: String,
    /// The component statuses it announces.
    pub components: Vec<ComponentChange>,
    /// The source that first showed this update.
    pub source_id: String,
    /// When statusdb first saw it.
    pub first_seen_at: DateTime<Utc>,
    /// The zone of that source (its configured zone, else its page's), in which the times
    /// written in the text without a zone are read.
    pub zone: Option<Tz>,
}

impl UpdateRecord {
    /// The status the record carries for this update: the text's where the normalizer set
    /// one, else the label's.
    pub fn effective_status(&self) -> Option<Status> {
        self.stated_status.or(self.status)
    }
}

/// A disagreement in the evidence on a record, flagged rather than resolved by guessing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Anomaly {
    /// A stable word (`resolved_before_started`, ...; docs/NORMALIZE.md).
    pub code: String,
    /// What, for people.
    pub detail: String,
    /// The source whose observation alone showed it (the order a page lists updates in),
    /// kept until that source shows the incident again; `None` for an anomaly computed from
    /// the merged record on every merge.
    #[serde(skip)]
    pub source_id: Option<String>,
}

impl Anomaly {
    /// An anomaly of the merged record (no source of its own).
    pub fn new(code: &str, detail: impl Into<String>) -> Self {
        Anomaly {
            code: code.to_string(),
            detail: detail.into(),
            source_id: None,
        }
    }
}

/// A component as the store keeps it: its latest status on its vendor's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentRecord {
    /// `<vendor>/<native id or name>`.
    pub id: String,
    /// The vendor.
    pub vendor: String,
    /// The vendor's id for it.
    pub native_id: Option<String>,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: Option<String>,
    /// Its latest status, mapped.
    pub status: ComponentStatus,
    /// The vendor's word for it.
    pub status_raw: String,
    /// When the page says it last changed.
    pub updated_at: Option<TimeValue>,
    /// The source that showed it last.
    pub source_id: String,
    /// When statusdb last saw it.
    pub last_seen_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    proptest! {
        /// The direct writer and reader give exactly chrono's text and instants.
        #[test]
        fn fixed_width_times_match_chrono(
            millis in -62_167_219_200_000i64..253_402_300_800_000i64,
            sub_millis in prop_oneof![Just(0u32), 0u32..1_000_000],
        ) {
            let t = Utc.timestamp_millis_opt(millis).unwrap()
                + chrono::Duration::nanoseconds(i64::from(sub_millis));
            prop_assert_eq!(format_utc(&t), t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            prop_assert_eq!(db_time(&t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
            let text = db_time(&t);
            let chrono_read = DateTime::parse_from_rfc3339(&text).ok().map(|t| t.to_utc());
            prop_assert_eq!(parse_db_time(&text), chrono_read);
        }
    }

    #[test]
    fn fixed_width_edges() {
        let t = Utc.with_ymd_and_hms(2024, 10, 4, 1, 38, 0).unwrap();
        assert_eq!(format_utc(&t), "2024-10-04T01:38:00Z");
        assert_eq!(db_time(&t), "2024-10-04T01:38:00.000Z");
        let t = t + chrono::Duration::milliseconds(7);
        assert_eq!(format_utc(&t), "2024-10-04T01:38:00.007Z");
        assert_eq!(db_time(&t), "2024-10-04T01:38:00.007Z");
        assert_eq!(parse_db_time("2024-10-04T01:38:00.007Z"), Some(t));
        // Other RFC 3339 forms still read, through chrono.
        assert_eq!(parse_db_time("2024-10-04T03:38:00.007+02:00"), Some(t));
        assert_eq!(parse_db_time("2024-02-30T01:38:00.000Z"), None);
        assert_eq!(parse_db_time("2024-10-04T01:38:00.00xZ"), None);
        // A year past 9999 is chrono's to write.
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            format_utc(&far),
            far.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
    }
}
