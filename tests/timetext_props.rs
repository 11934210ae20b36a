//! Property tests for the time-text parser.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use statusdb::timetext::{Context, ZONES, parse, zone_abbreviation};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn ordinal(d: u32) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

fn twelve(h: u32) -> (u32, &'static str) {
    let m = if h < 12 { "AM" } else { "PM" };
    let h12 = if h.is_multiple_of(12) { 12 } else { h % 12 };
    (h12, m)
}

/// Renders a wall date and time in one of several human formats, without a zone.
fn render(date: NaiveDate, h: u32, m: u32, style: u8) -> String {
    let (y, mo, d) = (date.year(), date.month(), date.day());
    let (h12, mer) = twelve(h);
    match style % 7 {
        0 => format!("{} {d}, {y} {h:02}:{m:02}", MONTHS[mo as usize - 1]),
        1 => format!(
            "{d} {} {y} at {h12}:{m:02} {mer}",
            LONG_MONTHS[mo as usize - 1]
        ),
        2 => format!("{y}-{mo:02}-{d:02} {h:02}:{m:02}"),
        3 => format!(
            "{} {d}{}, {y}, {h12}:{m:02}{}",
            LONG_MONTHS[mo as usize - 1],
            ordinal(d),
            mer.to_lowercase()
        ),
        4 => format!("{h:02}:{m:02}"),
        5 => format!(
            "On {} {d}, {y} at {h12}.{m:02}{}",
            MONTHS[mo as usize - 1],
            mer.to_lowercase()
        ),
        _ => format!("{h:02}:{m:02} on {d:02} {} {y}", MONTHS[mo as usize - 1]),
    }
}

const PAGE_ZONES: [Tz; 5] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::Berlin,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Australia::Sydney,
    chrono_tz::America::Los_Angeles,
];

proptest! {
    /// Adding " UTC" to a zone-less time never changes its date: the UTC reading falls on the
    /// date the zone-less reading has in the page zone (the written date).
    #[test]
    fn adding_utc_keeps_the_date(
        days in 0i64..(366 * 30), h in 0u32..24, m in 0u32..60, style in 0u8..7, z in 0usize..5,
    ) {
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
        let text = render(date, h, m, style);
        let tz = PAGE_ZONES[z];
        let ctx = Context::on_date(date).with_zone(tz);
        let local = parse(&text, &ctx).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let with_utc = parse(&format!("{text} UTC"), &ctx).map_err(|e| TestCaseError::fail(format!("{text} UTC: {e}")))?;
        prop_assert_eq!(local.utc.with_timezone(&tz).date_naive(), date, "{}", text);
        prop_assert_eq!(with_utc.utc.date_naive(), date, "{} UTC", text);
        prop_assert_eq!((with_utc.utc.hour(), with_utc.utc.minute()), (h, m), "{} UTC", text);
    }

    /// Every range has start <= end, whatever the two times and however it is written.
    #[test]
    fn ranges_never_end_before_they_start(
        h1 in 0u32..24, m1 in 0u32..60, h2 in 0u32..24, m2 in 0u32..60, style in 0u8..6,
        days in 0i64..(366 * 20), zone in 0usize..4,
    ) {
        let date = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap() + chrono::Duration::days(days);
        let zone = ["UTC", "PDT", "CET", "US/Pacific"][zone];
        let (a12, am) = twelve(h1);
        let (b12, bm) = twelve(h2);
        let text = match style {
            0 => format!("between {h1:02}:{m1:02} and {h2:02}:{m2:02} {zone}"),
            1 => format!("from {a12}:{m1:02} {am} to {b12}:{m2:02} {bm} {zone}"),
            2 => format!("{h1:02}:{m1:02} - {h2:02}:{m2:02} {zone}"),
            3 => format!("{h1:02}:{m1:02}-{h2:02}:{m2:02} {zone}"),
            4 => format!("Between {a12}:{m1:02} {am} and {b12}:{m2:02} {bm} {zone} on {}", date.format("%B %-d, %Y")),
            _ => format!("from {a12}:{m1:02} to {b12}:{m2:02} {bm} {zone}"),
        };
        let p = parse(&text, &Context::on_date(date)).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let end = p.end.ok_or_else(|| TestCaseError::fail(format!("{text}: no range end")))?;
        prop_assert!(p.utc <= end, "{}: {} > {}", text, p.utc, end);
        prop_assert!(end - p.utc < chrono::Duration::hours(25), "{}: {} .. {}", text, p.utc, end);
    }

    /// Formatting an instant in a table zone, with that zone's abbreviation, and parsing it
    /// back gives the same instant.
    #[test]
    fn table_zone_round_trip(secs in 1_420_070_400i64..2_051_222_400i64, idx in 0usize..ZONES.len(), style in 0u8..3) {
        let e = &ZONES[idx];
        // Only instants at which the home zone really shows this offset: half a year on if
        // the first pick is in the other season.
        let offset_at = |t: DateTime<Utc>| e.home.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
        let first = Utc.timestamp_opt(secs - secs % 60, 0).unwrap();
        let Some(instant) = [first, first + chrono::Duration::days(182)].into_iter().find(|t| offset_at(*t) == e.offset_secs) else {
            return Ok(());
        };
        let local = instant.naive_utc() + chrono::Duration::seconds(e.offset_secs as i64);
        let (h12, mer) = twelve(local.hour());
        let text = match (e.abbr, style) {
            ("Z", _) => format!("{} {:02}:{:02}Z", local.format("%Y-%m-%d"), local.hour(), local.minute()),
            (_, 0) => format!("{} {h12}:{:02} {mer} {}", local.format("%b %-d, %Y"), local.minute(), e.abbr),
            (_, 1) => format!("{} {:02}:{:02} {}", local.format("%Y-%m-%d"), local.hour(), local.minute(), e.abbr),
            _ => format!("{h12}:{:02} {mer} {}", local.minute(), e.abbr),
        };
        let ctx = Context::on_date(local.date()).with_zone(e.home);
        let p = parse(&text, &ctx).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
        prop_assert_eq!(p.utc, instant, "{} (page zone {})", text, e.home.name());
        // Unambiguous abbreviations need no page zone.
        if !zone_abbreviation(e.abbr).is_some_and(|l| l.is_ambiguous()) {
            let p = parse(&text, &Context::on_date(local.date())).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
            prop_assert_eq!(p.utc, instant, "{} (no page zone)", text);
        }
    }

    /// Never a panic, whatever the text.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,60}") {
        let ctx = Context::on_date(NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()).with_zone(chrono_tz::Europe::Berlin);
        let _ = parse(&s, &ctx);
        let _ = statusdb::timetext::find_times(&s, &ctx);
    }

    /// Never a panic on digit-and-punctuation soup either.
    #[test]
    fn digit_soup_never_panics(s in "[0-9:./ +-]{0,30}( ?(AM|PM|UTC|PST|IST|GMT\\+1))?") {
        let ctx = Context::at_instant(DateTime::parse_from_rfc3339("2024-10-10T12:00:00Z").unwrap().with_timezone(&Utc));
        let _ = parse(&s, &ctx);
    }
}
