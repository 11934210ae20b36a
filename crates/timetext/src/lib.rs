//! Exact UTC instants from the times people write on status pages.
//!
//! Status pages write times for people: "6:38 PM PDT", "October 3, 2024, at 6:38 PM PDT",
//! "Aug 21, 00:37 UTC" (no year), "3:23 PM PST" in July, "between 12:15 UTC and 14:22 UTC",
//! "6.30pm", "Posted 3 hours ago". This module is the one place where such text becomes an
//! exact instant, or a typed refusal ([`TimeError`]); it never falls back silently to UTC,
//! today or the fetch time.
//!
//! * [`parse`] reads one stamp (the first time in the text; a range's end goes to
//!   [`Parsed::end`]). RFC 3339 and RFC 2822 go through chrono.
//! * [`parse_sequence`] reads a vendor's list of update stamps, oldest first, so that a
//!   time-only stamp after midnight lands on the next day.
//! * [`find_times`] finds every time in prose and says which is a range start, a range end or
//!   the same moment in another zone, with the words before it ("Incident start:").
//! * [`parse_date`] reads a date alone (a day header).
//! * [`zone_abbreviation`] looks up the zone table.
//! * [`run_parse_time`] is the line runner behind `statusdb parse-time`.
//!
//! Where the text allows several readings, the context's evidence decides (the page's zone,
//! the posting date or instant, the previous update, [`Evidence`] from the page's other
//! stamps); a choice is always flagged, [`Parsed::why`] says on what evidence, and
//! [`Parsed::reason`] puts it in words. The rules are documented in statusdb's
//! `docs/TIMES.md`.

#![warn(missing_docs)]

mod engine;
mod error;
mod flags;
mod lexer;
mod resolve;
mod runner;
mod scan;
mod why;
mod words;
mod zones;

pub use error::{ContextError, TimeError};
pub use flags::{Flag, Flags};
pub use runner::{RunSummary, run_parse_time};
pub use why::{Basis, DayBasis, Evidence, Why};
pub use zones::{ZONES, ZoneEntry, ZoneLookup, zone_abbreviation};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use engine::Engine;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// What the page says about when its text was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextAnchor {
    /// The posting date (an entry's date, a day header, the URL's date). A time alone takes it;
    /// a date without a year takes the year nearest it.
    Date(NaiveDate),
    /// The fetch instant. Only relative text ("3 hours ago") and missing years use it; a time
    /// alone is refused rather than put on the fetch date.
    Instant(DateTime<Utc>),
    /// The instant the text was posted (an update's own stamp). A time without a date takes
    /// the latest reading that is not after it (by more than [`POST_TOLERANCE`]): "starting at
    /// 11:52 UTC" in an update posted at 00:15 is the day before. Its date in the stamp's zone
    /// is the posting date for everything else.
    Posted(DateTime<Utc>),
}

/// How far after its post a time without a date may fall and still be read on the post's
/// day: posts are stamped to the minute, sometimes rounded, and an update may state a time a
/// little after the moment it is stamped.
pub const POST_TOLERANCE: chrono::Duration = chrono::Duration::hours(1);

/// How numeric dates like 03/10/2024 are read when both readings are possible. Either way the
/// result is flagged [`Flag::AmbiguousDateOrder`] with the other reading as the alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Month first, unless the page zone is outside the month-first regions (the US, Canada,
    /// the Philippines), in which case day first. With no page zone, the zone written in the
    /// text decides the same way ("CEST" day first, "EDT" month first); with neither (or only
    /// UTC or an offset): month first.
    #[default]
    FromZone,
    /// 03/10/2024 is March 10.
    MonthFirst,
    /// 03/10/2024 is 3 October.
    DayFirst,
}

/// What the page tells about its times. Build it with [`Context::on_date`] or
/// [`Context::at_instant`] and the `with_*` methods, or from a spec with [`Context::from_spec`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Context {
    /// The posting date or the fetch instant.
    pub posted: Option<ContextAnchor>,
    /// The page's own IANA zone, used for text that names no zone (flagged
    /// [`Flag::ZoneFromPage`]) and to pick the reading of ambiguous abbreviations.
    pub zone: Option<Tz>,
    /// How ambiguous numeric dates are read.
    pub date_order: DateOrder,
    /// The previous update's instant when reading a sequence: a time-only stamp is placed on or
    /// after it (see [`parse_sequence`]).
    pub previous: Option<DateTime<Utc>>,
    /// What the page's other stamps say (an offset, a zone, a date order): used after the
    /// context's zone to pick the reading of an ambiguous abbreviation or numeric date.
    pub evidence: Evidence,
}

impl Context {
    /// No posting date, no zone: only complete stamps parse.
    pub fn new() -> Self {
        Context::default()
    }
    /// Text posted on `date`.
    pub fn on_date(date: NaiveDate) -> Self {
        Context {
            posted: Some(ContextAnchor::Date(date)),
            ..Context::default()
        }
    }
    /// Text fetched at `instant` (for "3 hours ago").
    pub fn at_instant(instant: DateTime<Utc>) -> Self {
        Context {
            posted: Some(ContextAnchor::Instant(instant)),
            ..Context::default()
        }
    }
    /// Text posted at `instant` (an update's stamp): a time without a date is the latest
    /// reading not after it (see [`ContextAnchor::Posted`]).
    pub fn posted_at(instant: DateTime<Utc>) -> Self {
        Context {
            posted: Some(ContextAnchor::Posted(instant)),
            ..Context::default()
        }
    }
    /// With what the page's other stamps say.
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self
    }
    /// With the page's IANA zone.
    pub fn with_zone(mut self, zone: Tz) -> Self {
        self.zone = Some(zone);
        self
    }
    /// With a date order.
    pub fn with_date_order(mut self, order: DateOrder) -> Self {
        self.date_order = order;
        self
    }
    /// With the previous update's instant.
    pub fn with_previous(mut self, previous: DateTime<Utc>) -> Self {
        self.previous = Some(previous);
        self
    }
    /// Reads a context spec: `YYYY-MM-DD` (posting date), or an RFC 3339 instant (fetch time),
    /// optionally followed, separated by spaces, by `tz=Area/City` (the page zone),
    /// `order=mdy|dmy`, `posted=<RFC 3339>` (the posting instant, instead of a first word),
    /// `prev=<RFC 3339>` (the previous update of a timeline) and `hint=<offset or Area/City>`
    /// (an offset or zone the page's other stamps show, [`Evidence`]).
    ///
    /// ```
    /// use timetext::Context;
    /// let c = Context::from_spec("2024-10-03 tz=Europe/Paris").unwrap();
    /// assert_eq!(c.zone, Some(chrono_tz::Europe::Paris));
    /// let c = Context::from_spec("posted=2024-05-02T00:15:00Z hint=+08:00").unwrap();
    /// assert!(c.posted.is_some() && c.evidence.offset.is_some());
    /// ```
    pub fn from_spec(spec: &str) -> Result<Context, ContextError> {
        let mut parts = spec.split_whitespace().peekable();
        let first = parts
            .peek()
            .copied()
            .ok_or_else(|| ContextError::BadAnchor(spec.to_string()))?;
        let mut ctx = if let Ok(d) = NaiveDate::parse_from_str(first, "%Y-%m-%d")
            && (1..=9999).contains(&d.year())
        {
            parts.next();
            Context::on_date(d)
        } else if let Ok(i) = DateTime::parse_from_rfc3339(first) {
            parts.next();
            Context::at_instant(i.with_timezone(&Utc))
        } else if first.starts_with("posted=") {
            Context::new()
        } else {
            return Err(ContextError::BadAnchor(first.to_string()));
        };
        let instant = |key: &str, v: &str| {
            DateTime::parse_from_rfc3339(v)
                .map(|i| i.with_timezone(&Utc))
                .map_err(|_| ContextError::BadInstant(format!("{key}{v}")))
        };
        for part in parts {
            if let Some(v) = part.strip_prefix("posted=") {
                ctx.posted = Some(ContextAnchor::Posted(instant("posted=", v)?));
            } else if let Some(v) = part.strip_prefix("prev=") {
                ctx.previous = Some(instant("prev=", v)?);
            } else if let Some(v) = part.strip_prefix("hint=") {
                if let Ok(tz) = v.parse::<Tz>() {
                    ctx.evidence.zone = Some(tz);
                } else if let Ok(o) = v.parse::<FixedOffset>() {
                    ctx.evidence.offset = Some(o);
                } else {
                    return Err(ContextError::BadZone(v.to_string()));
                }
            } else if let Some(z) = part.strip_prefix("tz=") {
                ctx.zone = Some(
                    z.parse::<Tz>()
                        .map_err(|_| ContextError::BadZone(z.to_string()))?,
                );
            } else if let Some(o) = part.strip_prefix("order=") {
                ctx.date_order = match o {
                    "mdy" => DateOrder::MonthFirst,
                    "dmy" => DateOrder::DayFirst,
                    _ => return Err(ContextError::BadOrder(o.to_string())),
                };
            } else {
                return Err(ContextError::Unexpected(part.to_string()));
            }
        }
        Ok(ctx)
    }
}

impl FromStr for Context {
    type Err = ContextError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::from_spec(s)
    }
}

/// What decided the zone of a parsed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneUsed {
    /// UTC, GMT, Z, "Coordinated Universal Time".
    Utc,
    /// A written offset ("GMT+1", "+08:00", RFC 3339 / RFC 2822).
    Offset(FixedOffset),
    /// A table abbreviation, with the reading that was used.
    Abbreviation(&'static ZoneEntry),
    /// A generic name or IANA name in the text ("PT", "Eastern Time", "US/Pacific").
    Named(Tz),
    /// The page zone from the context (the text named none).
    Page(Tz),
    /// Relative text ("3 hours ago"): no zone needed.
    Relative,
}

impl fmt::Display for ZoneUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoneUsed::Utc => f.write_str("UTC"),
            ZoneUsed::Offset(o) => write!(f, "{o}"),
            ZoneUsed::Abbreviation(e) => {
                write!(f, "{} ({}, {})", e.abbr, e.offset(), e.home.name())
            }
            ZoneUsed::Named(tz) => write!(f, "{}", tz.name()),
            ZoneUsed::Page(tz) => write!(f, "page zone {}", tz.name()),
            ZoneUsed::Relative => f.write_str("relative"),
        }
    }
}

/// A time read from text.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The instant (a range's start).
    pub utc: DateTime<Utc>,
    /// A range's end ("between 14:32 and 15:10 UTC"), never before `utc`.
    pub end: Option<DateTime<Utc>>,
    /// The other reading when a flag says the text is ambiguous: the literal offset of an
    /// abbreviation that contradicts DST, the next reading of an ambiguous abbreviation, the
    /// later instant of a DST fold, the offset after a DST gap, the other numeric date order,
    /// or the end of the day for "midnight" (in that order of precedence).
    pub alternative: Option<DateTime<Utc>>,
    /// What had to be assumed or could not be decided.
    pub flags: Flags,
    /// What decided the zone.
    pub zone_used: ZoneUsed,
    /// The byte span of the text that was read (the whole range for a range).
    pub matched: Range<usize>,
    /// On what evidence each choice was made (see [`Parsed::reason`]).
    pub why: Why,
}

/// Where a found time stands in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A time on its own.
    Single,
    /// The first time of a range; its [`Parsed::end`] is the range's end.
    RangeStart,
    /// The second time of a range.
    RangeEnd,
    /// The same moment as an earlier time, written in another zone ("(03:00 AM EDT)",
    /// "2:20/1:20 PM EST/CST", "18:07 UTC | 10:07 PT").
    Equivalent,
}

/// A time found in prose by [`find_times`].
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    /// Byte span of the stamp (its date, time and zone) in the text.
    pub span: Range<usize>,
    /// The stamp's text.
    pub text: &'a str,
    /// Up to six words before the stamp, after the previous stamp and the last sentence break:
    /// a label such as "Incident start:", "began at", "resolved as of".
    pub preceding: &'a str,
    /// Start, end, single or equivalent.
    pub role: Role,
    /// The reading, or why there is none.
    pub result: Result<Parsed, TimeError>,
}

fn looks_like_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && (b[10] == b'T' || b[10] == b't')
}

fn looks_like_rfc2822(s: &str) -> bool {
    let b = s.as_bytes();
    // chrono reads RFC 822 military zones ("A".."Y") as UTC; their offset is unknown, so they
    // do not take this path (and are then refused for want of a zone).
    let military = s
        .rsplit(' ')
        .next()
        .is_some_and(|z| z.len() == 1 && !z.eq_ignore_ascii_case("z"));
    b.len() >= 20
        && b.len() <= 40
        && !military
        && (b[0].is_ascii_digit() || (b[0].is_ascii_alphabetic() && b.get(3) == Some(&b',')))
}

/// Reads the first time in `text` (a stamp such as "Oct 2nd, 2024 at 3:05 p.m. EDT" or a
/// sentence such as "between 11:45 PM and 12:30 AM PDT on October 9") as an exact instant.
///
/// Refuses (see [`TimeError`]) rather than guess: no zone and no page zone, no date and no
/// posting date, an unknown zone, date-like digits left over, an impossible date.
///
/// ```
/// use chrono::NaiveDate;
/// use timetext::{parse, Context, Flag};
/// let ctx = Context::on_date(NaiveDate::from_ymd_opt(2024, 7, 11).unwrap());
/// let p = parse("3:23 PM PST", &ctx).unwrap();
/// assert_eq!(p.utc.to_rfc3339(), "2024-07-11T22:23:00+00:00");
/// assert!(p.flags.contains(Flag::AbbreviationContradictsDst));
/// assert_eq!(p.alternative.unwrap().to_rfc3339(), "2024-07-11T23:23:00+00:00");
/// ```
pub fn parse(text: &str, ctx: &Context) -> Result<Parsed, TimeError> {
    let trimmed = text.trim();
    let lead = text.len() - text.trim_start().len();
    let matched = lead..lead + trimmed.len();
    if looks_like_rfc3339(trimmed)
        && let Ok(dt) = DateTime::parse_from_rfc3339(trimmed)
    {
        return Ok(machine(dt, matched));
    }
    if looks_like_rfc2822(trimmed)
        && let Ok(dt) = DateTime::parse_from_rfc2822(trimmed)
    {
        return Ok(machine(dt, matched));
    }
    let engine = Engine::new(text, ctx);
    if let Some(r) = engine.leftover_digits() {
        return Err(TimeError::LeftoverDigits {
            digits: engine.text_of(r.clone()),
            at: r.start,
        });
    }
    match engine.stamps.first() {
        Some(_) => engine.resolve_main(0),
        None => Err(TimeError::NoTime {
            text: text.to_string(),
        }),
    }
}

fn machine(dt: DateTime<FixedOffset>, matched: Range<usize>) -> Parsed {
    Parsed {
        utc: dt.with_timezone(&Utc),
        end: None,
        alternative: None,
        flags: Flags::empty(),
        zone_used: if dt.offset().local_minus_utc() == 0 {
            ZoneUsed::Utc
        } else {
            ZoneUsed::Offset(*dt.offset())
        },
        matched,
        why: Why::default(),
    }
}

/// Reads a vendor's update stamps, given **oldest first** (for a newest-first page, reverse
/// the slice and then the results). Each stamp is read with the previous successful instant
/// as [`Context::previous`]: a time-only stamp starts on the later of the posting date and
/// the previous update's local date, and if it still falls more than an hour before the
/// previous update it moves to the next day ([`Flag::DayRollover`]); up to an hour before, it
/// stays and is flagged [`Flag::BeforePrevious`]. Stamps with a written date are never moved.
///
/// ```
/// use chrono::NaiveDate;
/// use timetext::{parse_sequence, Context};
/// let ctx = Context::on_date(NaiveDate::from_ymd_opt(2024, 10, 9).unwrap());
/// let r = parse_sequence(&["11:40 PM PDT", "12:53 AM PDT"], &ctx);
/// assert_eq!(r[1].as_ref().unwrap().utc.to_rfc3339(), "2024-10-10T07:53:00+00:00");
/// ```
pub fn parse_sequence(stamps: &[&str], ctx: &Context) -> Vec<Result<Parsed, TimeError>> {
    let mut c = *ctx;
    let mut out = Vec::with_capacity(stamps.len());
    for s in stamps {
        let r = parse(s, &c);
        if let Ok(p) = &r {
            c.previous = Some(p.utc);
        }
        out.push(r);
    }
    out
}

/// Finds every time in prose, in text order, with its role (range start or end, single,
/// equivalent rendering), its span and the words before it. Durations ("lasting 1 hour and
/// 26 minutes") are not times. Unlike [`parse`], numbers left over are not refused: prose has
/// other numbers.
///
/// A text written as a timeline, one entry per line ("23:40 UTC - investigating" then
/// "03:10 UTC - the fix is rolling out"), keeps its order: an entry's time without a date of
/// its own that would fall more than an hour before the previous entry's is read on the next
/// day, flagged [`Flag::DayRollover`].
///
/// ```
/// use chrono::NaiveDate;
/// use timetext::{find_times, Context, Role};
/// let ctx = Context::on_date(NaiveDate::from_ymd_opt(2024, 10, 10).unwrap());
/// let text = "Incident start: October 3, 2024, at 6:38 PM PDT Incident resolved: October 10, 2024, at 3:22 PM PDT";
/// let found = find_times(text, &ctx);
/// assert_eq!(found.len(), 2);
/// assert_eq!(found[0].preceding, "Incident start:");
/// assert_eq!(found[1].preceding, "Incident resolved:");
/// assert_eq!(found[0].role, Role::Single);
///
/// let timeline = "23:40 UTC - We are investigating.\n03:10 UTC - The fix is rolling out.";
/// let found = find_times(timeline, &ctx);
/// assert_eq!(found[1].result.as_ref().unwrap().utc.to_rfc3339(), "2024-10-11T03:10:00+00:00");
/// ```
pub fn find_times<'a>(text: &'a str, ctx: &Context) -> Vec<Found<'a>> {
    let engine = Engine::new(text, ctx);
    let mut out = Vec::with_capacity(engine.stamps.len());
    let mut prev_end = 0;
    let mut previous_entry: Option<DateTime<Utc>> = None;
    for (s, st) in engine.stamps.iter().enumerate() {
        let span = engine.stamp_span(s);
        let preceding = preceding_words(text, prev_end.min(span.start), span.start);
        prev_end = span.end;
        let mut result = engine.resolve_any(s);
        if st.role == Role::Single && opens_entry(text, span.start) {
            if st.date.is_none()
                && let (Ok(p), Some(prev)) = (&result, previous_entry)
                && p.utc + chrono::Duration::hours(1) < prev
            {
                result = engine.resolve_after(s, prev);
            }
            if let Ok(p) = &result {
                previous_entry = Some(p.utc);
            }
        }
        out.push(Found {
            text: text.get(span.clone()).unwrap_or_default(),
            span,
            preceding,
            role: st.role,
            result,
        });
    }
    out
}

/// Whether the time at `at` opens a line of a timeline: only white space, list marks or markup
/// ("- ", "* ", "<li>", "**") before it on its line.
fn opens_entry(text: &str, at: usize) -> bool {
    let Some(before) = text.get(..at) else {
        return false;
    };
    let line = before.rsplit('\n').next().unwrap_or(before);
    let mut in_tag = false;
    line.chars().all(|c| {
        if in_tag {
            in_tag = c != '>';
            return true;
        }
        if c == '<' {
            in_tag = true;
            return true;
        }
        c.is_whitespace() || matches!(c, '-' | '*' | '•' | '·' | '>' | '[' | '(' | '#')
    }) && !in_tag
}

/// Up to six words before `end`, not before `from`, after the last sentence break.
fn preceding_words(text: &str, from: usize, end: usize) -> &str {
    let Some(seg) = text.get(from..end) else {
        return "";
    };
    let mut start = 0;
    for (i, c) in seg.char_indices() {
        let next = seg[i + c.len_utf8()..].chars().next();
        let brk = matches!(c, '\n' | ';' | '!' | '?' | '|')
            || (matches!(c, '.' | ')' | ']') && next.is_none_or(char::is_whitespace));
        if brk {
            start = i + c.len_utf8();
        }
    }
    let seg = &seg[start..];
    let mut words = 0;
    let mut cut = 0;
    let mut in_word = false;
    for (i, c) in seg.char_indices().rev() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == 6 {
                    cut = i;
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    seg[cut..]
        .trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '-' | ']' | ')' | '–' | '—')
        })
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, '[' | '(' | ',' | '-' | '–' | '—')
        })
}

/// A date read from text without a time (a day header).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDate {
    /// The date.
    pub date: NaiveDate,
    /// The other reading of an ambiguous numeric date.
    pub alternative: Option<NaiveDate>,
    /// Year inferred, ambiguous order, weekday mismatch, relative.
    pub flags: Flags,
    /// Byte span read.
    pub matched: Range<usize>,
}

/// Reads the first date in `text` ("Tuesday April 12, 2022", "Aug 21", "yesterday").
pub fn parse_date(text: &str, ctx: &Context) -> Result<ParsedDate, TimeError> {
    let engine = Engine::new(text, ctx);
    match engine.first_date() {
        Some(r) => r.map(|(date, alternative, flags, matched)| ParsedDate {
            date,
            alternative,
            flags,
            matched,
        }),
        None => Err(TimeError::NoDateFound {
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;

/// The README's examples, run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
