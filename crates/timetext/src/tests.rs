//! Unit tests: one or more exact instants per rule.

use super::*;
use chrono::TimeZone;
use chrono_tz::{America, Asia, Europe};

fn ctx(spec: &str) -> Context {
    Context::from_spec(spec).expect("context spec")
}

fn utc(text: &str, spec: &str) -> String {
    match parse(text, &ctx(spec)) {
        Ok(p) => p.utc.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        Err(e) => panic!("{text:?} [{spec}] refused: {e}"),
    }
}

fn full(text: &str, spec: &str) -> Parsed {
    parse(text, &ctx(spec)).unwrap_or_else(|e| panic!("{text:?} [{spec}] refused: {e}"))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

/// The flag every time-only stamp carries.
fn ctx_only() -> Flags {
    Flags::from_iter([Flag::DateFromContext])
}

fn err(text: &str, spec: &str) -> TimeError {
    match parse(text, &ctx(spec)) {
        Ok(p) => panic!("{text:?} [{spec}] should be refused, got {}", p.utc),
        Err(e) => e,
    }
}

// ---- zones: abbreviations, generic names, offsets

#[test]
fn abbreviations_use_their_table_offset() {
    assert_eq!(utc("6:38 PM PDT", "2024-10-03"), "2024-10-04T01:38:00Z");
    assert_eq!(utc("11:05 CEST", "2024-10-10"), "2024-10-10T09:05:00Z");
    assert_eq!(utc("08:00 SGT", "2024-10-10"), "2024-10-10T00:00:00Z");
    assert_eq!(utc("4am AEDT", "2023-11-08"), "2023-11-07T17:00:00Z");
    assert_eq!(utc("9am CET", "2012-12-07"), "2012-12-07T08:00:00Z");
    assert_eq!(utc("10:00 MESZ", "2024-07-01"), "2024-07-01T08:00:00Z");
    let p = full("6:38 PM PDT", "2024-10-03");
    assert!(
        matches!(p.zone_used, ZoneUsed::Abbreviation(e) if e.abbr == "PDT" && e.home == America::Los_Angeles)
    );
}

#[test]
fn generic_names_follow_the_zone_rules_at_the_date() {
    // PT in summer is PDT, in winter PST.
    assert_eq!(utc("2:53pm PT", "2024-09-23"), "2024-09-23T21:53:00Z");
    assert_eq!(utc("2:53pm PT", "2024-01-23"), "2024-01-23T22:53:00Z");
    assert_eq!(
        utc("10:00pm US Pacific Time", "2024-01-15"),
        "2024-01-16T06:00:00Z"
    );
    assert_eq!(
        utc("4:00pm US/Pacific", "2019-06-02"),
        "2019-06-02T23:00:00Z"
    );
    assert_eq!(utc("9:25 a.m. ET", "2022-02-22"), "2022-02-22T14:25:00Z");
    assert_eq!(
        utc("10:00 AM Eastern Time", "2024-07-01"),
        "2024-07-01T14:00:00Z"
    );
    assert_eq!(utc("10:00 Eastern", "2024-07-01"), "2024-07-01T14:00:00Z");
    assert_eq!(utc("10:50 AM (ET)", "2023-06-05"), "2023-06-05T14:50:00Z");
    assert_eq!(utc("10:00 CT", "2024-01-10"), "2024-01-10T16:00:00Z");
    assert_eq!(utc("10:00 MT", "2024-07-10"), "2024-07-10T16:00:00Z");
    assert_eq!(
        utc("10:00 America/Sao_Paulo", "2024-07-10"),
        "2024-07-10T13:00:00Z"
    );
    let p = full("10:00 PT", "2024-07-10");
    assert_eq!(p.zone_used, ZoneUsed::Named(America::Los_Angeles));
    assert_eq!(p.flags, ctx_only());
}

#[test]
fn written_offsets_read_east_as_plus() {
    assert_eq!(utc("9:00 AM GMT+1", "2024-10-10"), "2024-10-10T08:00:00Z");
    assert_eq!(utc("09:00 UTC+05:30", "2024-10-10"), "2024-10-10T03:30:00Z");
    assert_eq!(
        utc("12:06 (GMT +08:00)", "2022-11-28"),
        "2022-11-28T04:06:00Z"
    );
    assert_eq!(utc("12:00 GMT+0", "2024-10-10"), "2024-10-10T12:00:00Z");
    assert_eq!(utc("12:00 UTC-5", "2024-10-10"), "2024-10-10T17:00:00Z");
    assert_eq!(utc("12:00 GMT-03:30", "2024-10-10"), "2024-10-10T15:30:00Z");
    assert_eq!(
        utc("2019-02-21 08:31:24-06:00", "2019-02-21"),
        "2019-02-21T14:31:24Z"
    );
    assert_eq!(utc("10:00 +0200", "2024-10-10"), "2024-10-10T08:00:00Z");
    assert!(matches!(
        err("9:00 GMT+15", "2024-10-10"),
        TimeError::InvalidOffset { .. }
    ));
}

#[test]
fn ambiguous_abbreviations_are_resolved_by_page_zone_else_flagged() {
    // IST without a page zone: India, flagged, Irish reading as alternative.
    let p = full("14:00 IST", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T08:30:00Z"));
    assert!(p.flags.contains(Flag::AmbiguousAbbreviation));
    assert_eq!(p.alternative, Some(t("2024-10-10T13:00:00Z")));
    assert_eq!(p.why.zone, Some(Basis::Default));
    // With an Irish page, Irish Standard Time, flagged as decided by the page's zone, with
    // the first other reading (India) as the alternative.
    let p = full("14:00 IST", "2024-10-10 tz=Europe/Dublin");
    assert_eq!(p.utc, t("2024-10-10T13:00:00Z"));
    assert_eq!(
        p.flags,
        Flags::from_iter([Flag::DateFromContext, Flag::AbbreviationFromContext])
    );
    assert_eq!(p.alternative, Some(t("2024-10-10T08:30:00Z")));
    assert_eq!(p.why.zone, Some(Basis::PageZone(Europe::Dublin)));
    // Israel.
    assert_eq!(
        utc("14:00 IST", "2024-01-10 tz=Asia/Jerusalem"),
        "2024-01-10T12:00:00Z"
    );
    // India page.
    let p = full("14:00 IST", "2024-10-10 tz=Asia/Kolkata");
    assert_eq!(p.utc, t("2024-10-10T08:30:00Z"));
    assert_eq!(
        p.flags,
        Flags::from_iter([Flag::DateFromContext, Flag::AbbreviationFromContext])
    );
    // CST: US Central by default (flagged), China on a Chinese page.
    let p = full("10:00 CST", "2024-01-10");
    assert_eq!(p.utc, t("2024-01-10T16:00:00Z"));
    assert!(p.flags.contains(Flag::AmbiguousAbbreviation));
    assert_eq!(p.alternative, Some(t("2024-01-10T02:00:00Z")));
    assert_eq!(
        utc("10:00 CST", "2024-01-10 tz=Asia/Shanghai"),
        "2024-01-10T02:00:00Z"
    );
    // BST: British by default, Bangladesh on a Dhaka page.
    assert_eq!(utc("10:00 BST", "2020-08-30"), "2020-08-30T09:00:00Z");
    assert_eq!(
        utc("10:00 BST", "2020-08-30 tz=Asia/Dhaka"),
        "2020-08-30T04:00:00Z"
    );
    // AST: Atlantic by default, Arabia on a Riyadh page.
    assert_eq!(utc("10:00 AST", "2024-01-10"), "2024-01-10T14:00:00Z");
    assert_eq!(
        utc("10:00 AST", "2024-01-10 tz=Asia/Riyadh"),
        "2024-01-10T07:00:00Z"
    );
    // Spelled-out names pick one reading and are not ambiguous.
    let p = full("14:00 Irish Standard Time", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T13:00:00Z"));
    assert_eq!(p.flags, ctx_only());
}

#[test]
fn abbreviation_contradicting_dst_takes_local_reading_and_flags() {
    // PST in July: Los Angeles wall clock (PDT), literal PST as alternative.
    let p = full("3:23 PM PST", "2024-07-11");
    assert_eq!(p.utc, t("2024-07-11T22:23:00Z"));
    assert_eq!(p.alternative, Some(t("2024-07-11T23:23:00Z")));
    assert!(p.flags.contains(Flag::AbbreviationContradictsDst));
    // EDT in January: New York wall clock (EST).
    let p = full("10:00 EDT", "2024-01-10");
    assert_eq!(p.utc, t("2024-01-10T15:00:00Z"));
    assert_eq!(p.alternative, Some(t("2024-01-10T14:00:00Z")));
    // A page zone whose clocks use the abbreviation at that date settles it (Arizona MST).
    let p = full("10:00 MST", "2024-07-10 tz=America/Phoenix");
    assert_eq!(p.utc, t("2024-07-10T17:00:00Z"));
    assert_eq!(p.flags, ctx_only());
    // Consistent abbreviations are not flagged.
    assert_eq!(full("10:00 PST", "2024-01-10").flags, ctx_only());
}

#[test]
fn dst_gaps_and_folds() {
    // Explicit abbreviation inside the spring-forward gap: literal offset, flagged.
    let p = full("Mar 10, 2024, 2:30 AM PST", "2024-03-10");
    assert_eq!(p.utc, t("2024-03-10T10:30:00Z"));
    assert!(p.flags.contains(Flag::DstGap));
    // Abbreviation picks the side of a fold.
    assert_eq!(
        utc("Nov 3, 2024 1:30 AM PDT", "2024-11-03"),
        "2024-11-03T08:30:00Z"
    );
    assert_eq!(
        utc("Nov 3, 2024 1:30 AM PST", "2024-11-03"),
        "2024-11-03T09:30:00Z"
    );
    assert_eq!(
        utc("Oct 27, 2024, 02:30 CET", "2024-10-27"),
        "2024-10-27T01:30:00Z"
    );
    assert_eq!(
        utc("Oct 27, 2024, 02:30 CEST", "2024-10-27"),
        "2024-10-27T00:30:00Z"
    );
    // Generic name in a fold: earlier reading, flagged, later as alternative.
    let p = full("1:30 AM PT on Nov 3, 2024", "2024-11-03");
    assert_eq!(p.utc, t("2024-11-03T08:30:00Z"));
    assert_eq!(p.alternative, Some(t("2024-11-03T09:30:00Z")));
    assert!(p.flags.contains(Flag::DstFold));
    // Generic name in a gap: the offset from before the gap.
    let p = full("2:30 AM PT on Mar 10, 2024", "2024-03-10");
    assert_eq!(p.utc, t("2024-03-10T10:30:00Z"));
    assert_eq!(p.alternative, Some(t("2024-03-10T09:30:00Z")));
    assert!(p.flags.contains(Flag::DstGap));
    // Either side of the switch.
    assert_eq!(
        utc("1:30 AM ET on March 10, 2024", "2024-03-10"),
        "2024-03-10T06:30:00Z"
    );
    assert_eq!(
        utc("10:00 AM Eastern Time on March 10, 2024", "2024-03-10"),
        "2024-03-10T14:00:00Z"
    );
}

#[test]
fn page_zone_is_used_and_flagged_when_text_names_none() {
    let p = full("Jun 06, 2019 09:42", "2019-06-06 tz=America/Los_Angeles");
    assert_eq!(p.utc, t("2019-06-06T16:42:00Z"));
    assert!(p.flags.contains(Flag::ZoneFromPage));
    assert_eq!(p.zone_used, ZoneUsed::Page(America::Los_Angeles));
    assert_eq!(
        utc(
            "Tuesday 15th May 2018 00:20:00",
            "2018-05-15 tz=Europe/London"
        ),
        "2018-05-14T23:20:00Z"
    );
}

// ---- dates

#[test]
fn month_names_ordinals_and_day_first() {
    assert_eq!(
        utc("Oct 2nd, 2024 at 3:05 p.m. EDT", "2024-10-01"),
        "2024-10-02T19:05:00Z"
    );
    assert_eq!(
        utc("22nd October 2024 at 23:30 BST", "2024-10-22"),
        "2024-10-22T22:30:00Z"
    );
    assert_eq!(
        utc("18. April 2022, 23:57 UTC", "2022-04-22"),
        "2022-04-18T23:57:00Z"
    );
    assert_eq!(
        utc(
            "Donnerstag, 9. Oktober 2025 19:42",
            "2025-10-09 tz=Europe/Berlin"
        ),
        "2025-10-09T17:42:00Z"
    );
    assert_eq!(
        utc("On 18 December 2025 at 11:38 AM UTC", "2025-12-20"),
        "2025-12-18T11:38:00Z"
    );
    assert_eq!(
        utc("Sept. 5, 2024 10:00 UTC", "2024-09-01"),
        "2024-09-05T10:00:00Z"
    );
    assert_eq!(
        utc("the 16th of October 2024 at 10:00 UTC", "2024-10-01"),
        "2024-10-16T10:00:00Z"
    );
    assert_eq!(
        utc("12 mars 2024 à 10:00 UTC", "2024-03-01"),
        "2024-03-12T10:00:00Z"
    );
}

#[test]
fn numeric_dates_and_order() {
    // Unambiguous either way.
    assert_eq!(
        utc("01/24/2024 at 11:53 AM PST", "2024-01-31"),
        "2024-01-24T19:53:00Z"
    );
    assert_eq!(
        utc("28/11/2022 12:06 UTC", "2022-11-28"),
        "2022-11-28T12:06:00Z"
    );
    assert_eq!(
        utc("am 20.05.2022 um 1400 Uhr", "2022-05-21 tz=Europe/Berlin"),
        "2022-05-20T12:00:00Z"
    );
    assert_eq!(
        utc("2024-10-10 22:14:00 UTC", "2024-10-10"),
        "2024-10-10T22:14:00Z"
    );
    assert_eq!(
        utc("2024/10/10 22:14 UTC", "2024-10-10"),
        "2024-10-10T22:14:00Z"
    );
    // Both readings possible and nothing decides: month first, flagged undecided, the other
    // reading as alternative.
    let p = full("03/10/2024 14:00 UTC", "2024-06-20");
    assert_eq!(p.utc, t("2024-03-10T14:00:00Z"));
    assert_eq!(p.alternative, Some(t("2024-10-03T14:00:00Z")));
    assert!(p.flags.contains(Flag::AmbiguousDate));
    assert!(!p.flags.contains(Flag::AmbiguousDateOrder));
    assert_eq!(p.why.date_order, Some(Basis::Default));
    // The posting date decides: the reading within a day of it.
    let p = full("03/10/2024 14:00 UTC", "2024-10-03");
    assert_eq!(p.utc, t("2024-10-03T14:00:00Z"));
    assert_eq!(p.alternative, Some(t("2024-03-10T14:00:00Z")));
    assert!(p.flags.contains(Flag::AmbiguousDateOrder));
    assert_eq!(
        p.why.date_order,
        Some(Basis::PostingDate(
            NaiveDate::from_ymd_opt(2024, 10, 3).unwrap()
        ))
    );
    // A European page reads day first.
    let p = full("03/10/2024 14:00 UTC", "2024-06-20 tz=Europe/Paris");
    assert_eq!(p.utc, t("2024-10-03T14:00:00Z"));
    assert!(p.flags.contains(Flag::AmbiguousDateOrder));
    // Without a page zone, the zone in the text decides: CEST is a day-first region.
    let p = full("11/07/2024 15:23 CEST", "2024-09-20");
    assert_eq!(p.utc, t("2024-07-11T13:23:00Z"));
    assert!(p.flags.contains(Flag::AmbiguousDateOrder));
    assert_eq!(p.why.date_order, Some(Basis::WrittenZone(Europe::Berlin)));
    assert_eq!(
        utc("11/07/2024 15:23 EDT", "2024-09-20"),
        "2024-11-07T20:23:00Z"
    );
    // Explicit order.
    assert_eq!(
        utc("03/10/2024 14:00 UTC", "2024-06-20 order=dmy"),
        "2024-10-03T14:00:00Z"
    );
    // Two-digit years: the century nearest the posting date.
    assert_eq!(
        utc("01/24/24 10:00 UTC", "2024-01-31"),
        "2024-01-24T10:00:00Z"
    );
    assert_eq!(
        utc("01/24/99 10:00 UTC", "2001-01-31"),
        "1999-01-24T10:00:00Z"
    );
}

#[test]
fn missing_year_is_the_one_nearest_the_posting_date() {
    let p = full("Aug 21, 00:37 UTC", "2024-08-25");
    assert_eq!(p.utc, t("2024-08-21T00:37:00Z"));
    assert!(p.flags.contains(Flag::YearInferred));
    assert_eq!(
        utc("Dec 31, 23:50 UTC", "2025-01-01"),
        "2024-12-31T23:50:00Z"
    );
    assert_eq!(
        utc("Jan 1, 00:10 UTC", "2024-12-31"),
        "2025-01-01T00:10:00Z"
    );
    assert_eq!(
        utc("Feb 29 09:00 UTC", "2025-03-01"),
        "2024-02-29T09:00:00Z"
    );
    // The weekday picks the year when it can.
    assert_eq!(
        utc("Thursday 13th July @ 12:00 PM BST", "2017-07-13"),
        "2017-07-13T11:00:00Z"
    );
    // From a fetch instant too.
    assert_eq!(
        utc("Mar 12, 01:00 UTC", "2024-03-20T10:00:00Z"),
        "2024-03-12T01:00:00Z"
    );
}

#[test]
fn weekday_mismatch_is_flagged() {
    let p = full("Monday, October 10, 2024 at 10:00 UTC", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T10:00:00Z"));
    assert!(p.flags.contains(Flag::WeekdayMismatch));
}

#[test]
fn time_alone_takes_the_posting_date() {
    let p = full("3:22 PM PDT", "2024-07-15");
    assert_eq!(p.utc, t("2024-07-15T22:22:00Z"));
    assert!(p.flags.contains(Flag::DateFromContext));
    assert_eq!(utc("16:13:00 UTC", "2022-06-08"), "2022-06-08T16:13:00Z");
}

#[test]
fn day_only_weekday_only_and_relative_days() {
    assert_eq!(
        utc("on the 1st at 9am ET", "2024-10-05"),
        "2024-10-01T13:00:00Z"
    );
    assert_eq!(
        utc("shortly after 5pm EDT on the 16th", "2007-08-16"),
        "2007-08-16T21:00:00Z"
    );
    assert_eq!(
        utc("around 5 a.m. PT on Monday morning", "2020-08-26"),
        "2020-08-24T12:00:00Z"
    );
    let p = full("yesterday at 4:15 PM UTC", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-09T16:15:00Z"));
    assert!(p.flags.contains(Flag::Relative));
    assert_eq!(
        utc("today at 4:15 PM UTC", "2024-10-10"),
        "2024-10-10T16:15:00Z"
    );
    assert_eq!(
        utc("tomorrow at 4:15 PM UTC", "2024-10-10"),
        "2024-10-11T16:15:00Z"
    );
    // A written date after "today" wins.
    assert_eq!(
        utc(
            "10:00pm US Pacific Time, today, September 23, 2024",
            "2024-09-20"
        ),
        "2024-09-24T05:00:00Z"
    );
}

#[test]
fn invalid_dates_are_refused() {
    assert!(matches!(
        err("Feb 30, 2024 10:00 UTC", "2024-02-01"),
        TimeError::InvalidDate { .. }
    ));
    assert!(matches!(
        err("Feb 29, 2023 10:00 UTC", "2023-02-01"),
        TimeError::InvalidDate { .. }
    ));
    assert!(matches!(
        err("Feb 30 10:00 UTC", "2024-02-01"),
        TimeError::InvalidDate { .. }
    ));
    assert!(matches!(
        err("2024-13-01 10:00 UTC", "2024-02-01"),
        TimeError::InvalidDate { .. }
    ));
}

// ---- clock times

#[test]
fn clock_forms() {
    assert_eq!(
        utc("Thu Jul 11 15:23:00 PDT 2024", "2024-07-20"),
        "2024-07-11T22:23:00Z"
    );
    let p = full("between 3 and 5pm BST", "2024-07-11");
    assert_eq!(
        (p.utc, p.end),
        (t("2024-07-11T14:00:00Z"), Some(t("2024-07-11T16:00:00Z")))
    );
    assert_eq!(utc("12:00 noon ET", "2024-10-11"), "2024-10-11T16:00:00Z");
    assert_eq!(
        utc("12:00 midnight UTC", "2024-10-11"),
        "2024-10-11T00:00:00Z"
    );
    assert_eq!(
        utc("noon PT on Oct 10, 2024", "2024-10-10"),
        "2024-10-10T19:00:00Z"
    );
    assert_eq!(utc("12 noon UTC", "2024-10-10"), "2024-10-10T12:00:00Z");
    assert_eq!(utc("12:00 AM UTC", "2024-10-10"), "2024-10-10T00:00:00Z");
    assert_eq!(utc("12:00 PM UTC", "2024-10-10"), "2024-10-10T12:00:00Z");
    assert_eq!(utc("12:30 AM PDT", "2024-10-10"), "2024-10-10T07:30:00Z");
    assert_eq!(utc("24:00 UTC", "2024-10-10"), "2024-10-11T00:00:00Z");
    assert_eq!(utc("0328 UTC", "2024-10-10"), "2024-10-10T03:28:00Z");
    assert_eq!(utc("1400Z", "2024-10-10"), "2024-10-10T14:00:00Z");
    assert_eq!(
        utc("1400 Uhr", "2022-05-20 tz=Europe/Berlin"),
        "2022-05-20T12:00:00Z"
    );
    assert_eq!(
        utc("19 Uhr", "2022-05-20 tz=Europe/Berlin"),
        "2022-05-20T17:00:00Z"
    );
    assert_eq!(
        utc("6.30pm", "2024-10-08 tz=Asia/Singapore"),
        "2024-10-08T10:30:00Z"
    );
    assert_eq!(
        utc("10. 40 IST", "2024-07-19 tz=Asia/Kolkata"),
        "2024-07-19T05:10:00Z"
    );
    assert_eq!(utc("4:20 a.m. PST", "2021-12-22"), "2021-12-22T12:20:00Z");
    assert_eq!(utc("4:20 A.M. PST", "2021-12-22"), "2021-12-22T12:20:00Z");
    assert_eq!(
        utc("3:02PM", "2021-06-03 tz=Europe/London"),
        "2021-06-03T14:02:00Z"
    );
    assert_eq!(utc("14h30 UTC", "2024-10-10"), "2024-10-10T14:30:00Z");
    assert_eq!(
        utc("08:31:24.239 UTC", "2019-02-21"),
        "2019-02-21T08:31:24.239Z"
    );
    assert!(matches!(
        err("25:00 UTC", "2024-10-10"),
        TimeError::InvalidTime { .. }
    ));
}

#[test]
fn midnight_is_start_of_day_and_flagged() {
    let p = full("midnight UTC on October 10, 2024", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T00:00:00Z"));
    assert_eq!(p.alternative, Some(t("2024-10-11T00:00:00Z")));
    assert!(p.flags.contains(Flag::AmbiguousMidnight));
    assert!(
        !full("00:00 UTC", "2024-10-10")
            .flags
            .contains(Flag::AmbiguousMidnight)
    );
}

#[test]
fn relative_to_fetch_instant() {
    let p = full("Posted 3 hours ago", "2024-10-10T22:14:00Z");
    assert_eq!(p.utc, t("2024-10-10T19:14:00Z"));
    assert!(p.flags.contains(Flag::Relative));
    assert_eq!(
        utc("Updated 5 minutes ago", "2024-10-10T22:14:00Z"),
        "2024-10-10T22:09:00Z"
    );
    assert_eq!(
        utc("an hour ago", "2024-10-10T22:14:00Z"),
        "2024-10-10T21:14:00Z"
    );
    assert_eq!(
        utc("2 days ago", "2024-10-10T22:14:00Z"),
        "2024-10-08T22:14:00Z"
    );
    assert!(matches!(
        err("Posted 3 hours ago", "2024-10-10"),
        TimeError::NoInstantForRelative { .. }
    ));
}

#[test]
fn machine_formats_through_chrono() {
    assert_eq!(
        utc("2019-02-21T08:31:24.239-06:00", "2019-02-21"),
        "2019-02-21T14:31:24.239Z"
    );
    assert_eq!(
        utc("2026-07-05T12:23:38.214Z", "2026-07-05"),
        "2026-07-05T12:23:38.214Z"
    );
    assert_eq!(
        utc("Thu, 10 Oct 2024 22:14:00 +0000", "2024-10-10"),
        "2024-10-10T22:14:00Z"
    );
    assert_eq!(
        utc("Thu, 10 Oct 2024 22:14:00 GMT", "2024-10-10"),
        "2024-10-10T22:14:00Z"
    );
    assert_eq!(
        utc("Thu, 10 Oct 2024 15:14:00 PDT", "2024-10-10"),
        "2024-10-10T22:14:00Z"
    );
    assert_eq!(
        utc("Wed, 10 Jan 2024 15:14:00 PST", "2024-01-10"),
        "2024-01-10T23:14:00Z"
    );
    // Military zone letters other than Z have no known offset.
    assert!(matches!(
        err("Tue, 08 Oct 2024 19:28:41 A", "2024-10-10"),
        TimeError::NoZone { .. }
    ));
    // RFC 3339 inside prose goes through the general reader.
    assert_eq!(
        utc("as of 2019-02-21T08:31:24Z", "2019-02-21"),
        "2019-02-21T08:31:24Z"
    );
    // No context needed at all for complete stamps.
    assert_eq!(
        parse("2024-10-10T22:14:00Z", &Context::new()).map(|p| p.utc),
        Ok(t("2024-10-10T22:14:00Z"))
    );
}

// ---- ranges and prose

#[test]
fn ranges_give_start_and_end() {
    let p = full("between 14:32 and 15:10 UTC", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T14:32:00Z"));
    assert_eq!(p.end, Some(t("2024-10-10T15:10:00Z")));
    let p = full("from 4:20 a.m. to 9:30 a.m. PST", "2021-12-22");
    assert_eq!(p.utc, t("2021-12-22T12:20:00Z"));
    assert_eq!(p.end, Some(t("2021-12-22T17:30:00Z")));
    let p = full("from 21:38-22:25 UTC", "2017-08-16");
    assert_eq!(p.utc, t("2017-08-16T21:38:00Z"));
    assert_eq!(p.end, Some(t("2017-08-16T22:25:00Z")));
    // Across midnight: the end moves to the next day.
    let p = full(
        "between 11:45 PM and 12:30 AM PDT on October 9",
        "2024-10-10",
    );
    assert_eq!(p.utc, t("2024-10-10T06:45:00Z"));
    assert_eq!(p.end, Some(t("2024-10-10T07:30:00Z")));
    // Each end with its own date; zone only on the second.
    let p = full(
        "Between 07:15 on 08 Apr 2017 and 04:00 UTC on 11 Apr 2017",
        "2017-04-11",
    );
    assert_eq!(p.utc, t("2017-04-08T07:15:00Z"));
    assert_eq!(p.end, Some(t("2017-04-11T04:00:00Z")));
    // am/pm written once.
    let p = full("28/11/2022 12:06 - 12:20 pm. (GMT +08:00)", "2022-11-28");
    assert_eq!(p.utc, t("2022-11-28T04:06:00Z"));
    assert_eq!(p.end, Some(t("2022-11-28T04:20:00Z")));
    let p = full("10 - 2 pm UTC", "2024-10-10");
    assert_eq!(p.utc, t("2024-10-10T10:00:00Z"));
    assert_eq!(p.end, Some(t("2024-10-10T14:00:00Z")));
    // Equivalent renderings between the two ends do not break the range.
    let p = full(
        "from 09:00 CEST (03:00 AM EDT) to 11:00 CEST (05:00 AM EDT)",
        "2023-09-29",
    );
    assert_eq!(
        (p.utc, p.end),
        (t("2023-09-29T07:00:00Z"), Some(t("2023-09-29T09:00:00Z")))
    );
    assert!(!p.flags.contains(Flag::EquivalentsDisagree));
    // An explicitly dated end before the start is dropped and flagged.
    let p = full(
        "from Oct 10, 2024 10:00 UTC to Oct 9, 2024 09:00 UTC",
        "2024-10-10",
    );
    assert_eq!(p.end, None);
    assert!(p.flags.contains(Flag::RangeEndBeforeStart));
}

#[test]
fn bracket_stamp_comes_first_and_and_is_not_a_range_without_between() {
    let p = full(
        "[03:16 AM PDT] Between 2:10 AM and 2:59 AM PDT",
        "2020-04-21",
    );
    assert_eq!(p.utc, t("2020-04-21T10:16:00Z"));
    assert_eq!(p.end, None);
    let p = full(
        "Incident began at 2019-06-02 11:45 and ended at 2019-06-02 15:40 (all times are US/Pacific)",
        "2019-06-06",
    );
    assert_eq!(p.utc, t("2019-06-02T18:45:00Z"));
    assert_eq!(p.end, None);
}

#[test]
fn equivalents_are_checked_and_can_supply_the_zone() {
    let p = full(
        "Friday 2023-09-29 at 09:00 CEST (03:00 AM EDT, 00:00 PDT)",
        "2023-09-29",
    );
    assert_eq!(p.utc, t("2023-09-29T07:00:00Z"));
    assert!(!p.flags.contains(Flag::EquivalentsDisagree));
    let p = full("2023-09-29 at 09:00 CEST (04:00 AM EDT)", "2023-09-29");
    assert!(p.flags.contains(Flag::EquivalentsDisagree));
    // Local time with no zone, the zone'd equivalent decides, on the day before.
    assert_eq!(
        utc("gegen 04:00 Uhr Ortszeit (17:00 GMT)", "2023-11-08"),
        "2023-11-07T17:00:00Z"
    );
    assert_eq!(
        utc("18:07 UTC | 10:07 PT", "2024-01-10"),
        "2024-01-10T18:07:00Z"
    );
    assert!(
        full("18:07 UTC | 10:07 PT", "2024-07-10")
            .flags
            .contains(Flag::EquivalentsDisagree)
    );
    // EST and CST in April both contradict DST: the Eastern wall clock is used, flagged.
    let p = full(
        "April 18, 2018, at approximately 2:20/1:20 PM EST/CST",
        "2018-04-18 tz=America/New_York",
    );
    assert_eq!(p.utc, t("2018-04-18T18:20:00Z"));
    assert_eq!(p.alternative, Some(t("2018-04-18T19:20:00Z")));
    assert!(p.flags.contains(Flag::AbbreviationContradictsDst));
    assert!(!p.flags.contains(Flag::EquivalentsDisagree));
}

#[test]
fn find_times_labels_roles_and_durations() {
    let c = ctx("2024-10-10");
    let text = "Incident start: October 3, 2024, at 6:38 PM PDT Incident resolved: October 10, 2024, at 3:22 PM PDT";
    let f = find_times(text, &c);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].preceding, "Incident start:");
    assert_eq!(f[0].text, "October 3, 2024, at 6:38 PM PDT");
    assert_eq!(
        f[0].result.as_ref().map(|p| p.utc),
        Ok(t("2024-10-04T01:38:00Z"))
    );
    assert_eq!(f[1].preceding, "Incident resolved:");
    assert_eq!(
        f[1].result.as_ref().map(|p| p.utc),
        Ok(t("2024-10-10T22:22:00Z"))
    );

    let text = "On May 15, 2023, between 02:36 and 04:08 UTC, users saw errors. The issue was resolved as of 04:30 UTC.";
    let f = find_times(text, &c);
    let roles: Vec<Role> = f.iter().map(|x| x.role).collect();
    assert_eq!(roles, vec![Role::RangeStart, Role::RangeEnd, Role::Single]);
    assert_eq!(
        f[0].result.as_ref().map(|p| (p.utc, p.end)),
        Ok((t("2023-05-15T02:36:00Z"), Some(t("2023-05-15T04:08:00Z"))))
    );
    assert_eq!(
        f[1].result.as_ref().map(|p| p.utc),
        Ok(t("2023-05-15T04:08:00Z"))
    );
    assert_eq!(f[2].preceding, "The issue was resolved as of");
    assert_eq!(
        f[2].result.as_ref().map(|p| p.utc),
        Ok(t("2023-05-15T04:30:00Z"))
    );

    let text =
        "[03:16 AM PDT] Between 2:10 AM and 2:59 AM PDT we saw errors. [04:02 AM PDT] Resolved.";
    let f = find_times(text, &ctx("2020-04-21"));
    let got: Vec<(Role, &str, &str)> = f.iter().map(|x| (x.role, x.preceding, x.text)).collect();
    assert_eq!(
        got,
        vec![
            (Role::Single, "", "03:16 AM PDT"),
            (Role::RangeStart, "Between", "2:10 AM"),
            (Role::RangeEnd, "and", "2:59 AM PDT"),
            (Role::Single, "", "04:02 AM PDT"),
        ]
    );
    assert_eq!(f[2].span, 35..46);
    // The range end's date came from the context too, and says so.
    assert!(f[2].result.as_ref().is_ok_and(
        |p| p.utc == t("2020-04-21T09:59:00Z") && p.flags.contains(Flag::DateFromContext)
    ));

    let f = find_times(
        "February 28 15:42 UTC (lasting 1 hour and 26 minutes)",
        &ctx("2023-04-05"),
    );
    assert_eq!(f.len(), 1);

    let f = find_times(
        "Friday 2023-09-29 at 09:00 CEST (03:00 AM EDT, 00:00 PDT)",
        &c,
    );
    let roles: Vec<Role> = f.iter().map(|x| x.role).collect();
    assert_eq!(
        roles,
        vec![Role::Single, Role::Equivalent, Role::Equivalent]
    );
    for x in &f {
        assert_eq!(
            x.result.as_ref().map(|p| p.utc),
            Ok(t("2023-09-29T07:00:00Z"))
        );
    }
}

// ---- sequences

#[test]
fn sequence_moves_after_midnight_stamps_to_the_next_day() {
    let c = ctx("2022-04-12");
    let r = parse_sequence(
        &[
            "10:04 PM PDT",
            "11:04 PM PDT",
            "10:28 PM PST",
            "2:31 AM PST",
            "3:10 AM PST",
        ],
        &c,
    );
    let got: Vec<DateTime<Utc>> = r
        .iter()
        .map(|x| x.as_ref().map(|p| p.utc).unwrap_or_default())
        .collect();
    assert_eq!(
        got,
        vec![
            t("2022-04-13T05:04:00Z"),
            t("2022-04-13T06:04:00Z"),
            t("2022-04-13T05:28:00Z"),
            t("2022-04-13T09:31:00Z"),
            t("2022-04-13T10:10:00Z"),
        ]
    );
    // 10:28 PM is before 11:04 PM but within an hour: kept and flagged.
    assert!(
        r[2].as_ref()
            .is_ok_and(|p| p.flags.contains(Flag::BeforePrevious))
    );
    assert!(
        r[3].as_ref()
            .is_ok_and(|p| p.flags.contains(Flag::DayRollover))
    );
    // Stamps with dates are never moved.
    let r = parse_sequence(&["Oct 10, 2024 10:00 UTC", "Oct 9, 2024 09:00 UTC"], &c);
    assert_eq!(r[1].as_ref().map(|p| p.utc), Ok(t("2024-10-09T09:00:00Z")));
    // A fold: the later reading follows the previous update.
    let c = ctx("2024-11-03");
    let r = parse_sequence(&["1:50 AM PT", "1:10 AM PT"], &c);
    assert_eq!(r[0].as_ref().map(|p| p.utc), Ok(t("2024-11-03T08:50:00Z")));
    assert_eq!(r[1].as_ref().map(|p| p.utc), Ok(t("2024-11-03T09:10:00Z")));
}

#[test]
fn previous_alone_can_date_a_time() {
    let c = Context::new().with_previous(Utc.with_ymd_and_hms(2024, 10, 10, 6, 0, 0).unwrap());
    assert_eq!(
        parse("12:53 AM PDT", &c).map(|p| p.utc),
        Ok(t("2024-10-10T07:53:00Z"))
    );
}

// ---- refusals

#[test]
fn refusals_are_typed() {
    assert!(matches!(
        err("10:00", "2024-10-10"),
        TimeError::NoZone { .. }
    ));
    assert!(matches!(
        err("10:00 UTC", "2024-10-10T10:00:00Z"),
        TimeError::NoDate { .. }
    ));
    assert!(matches!(
        parse("10:00 UTC", &Context::new()),
        Err(TimeError::NoDate { .. })
    ));
    assert!(matches!(
        parse("Aug 21, 10:00 UTC", &Context::new()),
        Err(TimeError::NoAnchorDate { .. })
    ));
    assert!(matches!(
        err("10:00 XYZT", "2024-10-10"),
        TimeError::UnknownZone { .. }
    ));
    assert!(matches!(
        err("10:00 America/Atlantis", "2024-10-10"),
        TimeError::UnknownZone { .. }
    ));
    assert!(matches!(
        err("Mar 32, 10:00 UTC", "2024-10-10"),
        TimeError::LeftoverDigits { .. }
    ));
    assert!(matches!(
        err("32/13/2024 10:00 UTC", "2024-10-10"),
        TimeError::LeftoverDigits { .. }
    ));
    assert!(matches!(
        err("10:00 UTC in 2024", "2024-10-10"),
        TimeError::LeftoverDigits { .. }
    ));
    assert!(matches!(
        err("Version 2.3.1 deployed at 10:00 UTC", "2024-10-10"),
        TimeError::LeftoverDigits { .. }
    ));
    // Identifiers are not date-like.
    assert_eq!(
        utc(
            "v2.3.1 deployed at 10:00 UTC (incident #2024)",
            "2024-10-10"
        ),
        "2024-10-10T10:00:00Z"
    );
    assert!(matches!(
        err("October 3, 2024", "2024-10-10"),
        TimeError::NoTime { .. }
    ));
    assert!(matches!(
        err("the service is back", "2024-10-10"),
        TimeError::NoTime { .. }
    ));
    assert!(matches!(err("", "2024-10-10"), TimeError::NoTime { .. }));
    // Messages say what and why.
    let msg = err("10:00", "2024-10-10").to_string();
    assert!(
        msg.contains("no time zone") && msg.contains("refusing to assume UTC"),
        "{msg}"
    );
}

#[test]
fn parse_date_reads_day_headers() {
    let d = parse_date("Tuesday April 12, 2022", &Context::new()).expect("date");
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2022, 4, 12).unwrap());
    let d = parse_date("Aug 21", &ctx("2024-08-25")).expect("date");
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2024, 8, 21).unwrap());
    assert!(d.flags.contains(Flag::YearInferred));
}

#[test]
fn zone_lookup_is_public() {
    let l = zone_abbreviation("BST").expect("BST");
    assert_eq!(l.default_reading().home, Europe::London);
    assert_eq!(
        l.reading_for(Asia::Dhaka).map(|e| e.offset_secs),
        Some(6 * 3600)
    );
}

// ---- issue 19: evidence decides, or both readings are given

#[test]
fn the_posting_instant_puts_a_dateless_time_at_or_before_the_post() {
    // "starting at 11:52 UTC" posted at 00:15: the day before.
    let p = full("starting at 11:52 UTC", "posted=2024-05-02T00:15:00Z");
    assert_eq!(p.utc, t("2024-05-01T11:52:00Z"));
    assert_eq!(
        p.why.day,
        Some(DayBasis::Post {
            at: t("2024-05-02T00:15:00Z"),
            day_before: true
        })
    );
    assert!(p.reason().unwrap().contains("the day before the post"));
    // Within the hour a rounded stamp allows: the post's own day.
    assert_eq!(
        utc("as of 00:40 UTC", "posted=2024-05-02T00:15:00Z"),
        "2024-05-02T00:40:00Z"
    );
    // The date of the post in the stamp's own zone: 16:22 PST on 22 Dec is 00:22Z on the
    // 23rd, and "4:11 AM PST" is that morning.
    assert_eq!(
        utc("Starting at 4:11 AM PST", "posted=2021-12-23T00:22:00Z"),
        "2021-12-22T12:11:00Z"
    );
    // One instant in two zones, posted the next day in UTC, with a page in Los Angeles.
    let p = full(
        "02:07 UTC | 19:07 PT",
        "posted=2024-05-02T03:00:00Z tz=America/Los_Angeles",
    );
    assert_eq!(p.utc, t("2024-05-02T02:07:00Z"));
    assert!(!p.flags.contains(Flag::EquivalentsDisagree));
    // A written date that would put the time after the post gives way to an earlier one:
    // "by 11 July" is a plan, the windows are of 20 May.
    let text = "On Friday, 20 May 2022 at 13:47 US/Pacific the issue began. We intend to complete the work by 11 July 2022. Errors from 13:47 to 14:07 US/Pacific.";
    let found = find_times(text, &ctx("posted=2022-06-02T19:11:24Z"));
    let window = found.iter().find(|f| f.role == Role::RangeStart).unwrap();
    let read = window.result.as_ref().unwrap();
    assert_eq!(read.utc, t("2022-05-20T20:47:00Z"));
    assert_eq!(read.end, Some(t("2022-05-20T21:07:00Z")));
}

#[test]
fn a_timeline_of_entries_keeps_its_order() {
    let text = "23:40 UTC - We are investigating.\n03:10 UTC - The fix is rolling out.\n03:45 UTC - Resolved.";
    let found = find_times(text, &ctx("2024-05-01"));
    let read: Vec<DateTime<Utc>> = found
        .iter()
        .map(|f| f.result.as_ref().unwrap().utc)
        .collect();
    assert_eq!(
        read,
        [
            t("2024-05-01T23:40:00Z"),
            t("2024-05-02T03:10:00Z"),
            t("2024-05-02T03:45:00Z")
        ]
    );
    assert!(
        found[1]
            .result
            .as_ref()
            .unwrap()
            .flags
            .contains(Flag::DayRollover)
    );
    // Prose is no timeline: a time mentioned later may be earlier.
    let prose = "We are investigating since 14:00 UTC. The issue began at 13:40 UTC.";
    let found = find_times(prose, &ctx("2024-05-01"));
    assert_eq!(
        found[1].result.as_ref().unwrap().utc,
        t("2024-05-01T13:40:00Z")
    );
}

#[test]
fn compact_ranges_and_several_windows() {
    let p = full("0917–0955 UTC", "2024-05-14");
    assert_eq!(p.utc, t("2024-05-14T09:17:00Z"));
    assert_eq!(p.end, Some(t("2024-05-14T09:55:00Z")));
    let p = full("from 2305-0012 UTC", "2024-05-14");
    assert_eq!(p.end, Some(t("2024-05-15T00:12:00Z")));
    let p = full("between 1412 and 1436 UTC", "2024-05-14");
    assert_eq!(p.end, Some(t("2024-05-14T14:36:00Z")));
    // A bare four-digit number is still no time.
    assert!(matches!(
        err("ticket 1412 closed", "2024-05-14"),
        TimeError::NoTime { .. }
    ));
    // Windows in one sentence: the first start and the last end.
    let p = full(
        "failed from 14:05UTC to 14:11UTC and again from 14:30UTC to 14:52UTC",
        "2024-05-14",
    );
    assert_eq!(p.utc, t("2024-05-14T14:05:00Z"));
    assert_eq!(p.end, Some(t("2024-05-14T14:52:00Z")));
    // In find_times each window keeps its own end.
    let found = find_times(
        "failed from 14:05UTC to 14:11UTC and again from 14:30UTC to 14:52UTC",
        &ctx("2024-05-14"),
    );
    let ends: Vec<DateTime<Utc>> = found
        .iter()
        .filter(|f| f.role == Role::RangeEnd)
        .map(|f| f.result.as_ref().unwrap().utc)
        .collect();
    assert_eq!(ends, [t("2024-05-14T14:11:00Z"), t("2024-05-14T14:52:00Z")]);
    // A window of the next sentence is another statement.
    let p = full(
        "between 09:35 and 10:10 US/Pacific. Customer impact from 10:10 to 11:28 US/Pacific",
        "2021-11-16",
    );
    assert_eq!(p.end, Some(t("2021-11-16T18:10:00Z")));
}

#[test]
fn numeric_dates_follow_the_evidence_in_order() {
    // The posting date; else the previous update; else the context's order, the page zone,
    // the vendor's other stamps, the zone in the text; else month first, undecided.
    let p = full("04/11/2022 10:00:00 AM (GMT)", "2022-11-04");
    assert_eq!(p.utc, t("2022-11-04T10:00:00Z"));
    assert_eq!(p.alternative, Some(t("2022-04-11T10:00:00Z")));
    let p = full(
        "06/07/2023 01:10 UTC",
        "2023-07-20 prev=2023-07-05T23:40:00Z",
    );
    assert_eq!(p.utc, t("2023-07-06T01:10:00Z"));
    assert_eq!(
        p.why.date_order,
        Some(Basis::PreviousUpdate(t("2023-07-05T23:40:00Z")))
    );
    let evidence = Evidence::from_stamps(["28/11/2022 12:06 (GMT +08:00)"]);
    assert_eq!(evidence.date_order, Some(DateOrder::DayFirst));
    let p = parse(
        "05/12/2022 09:30 UTC",
        &ctx("2023-03-01").with_evidence(evidence),
    )
    .unwrap();
    assert_eq!(p.utc, t("2022-12-05T09:30:00Z"));
    assert_eq!(
        p.why.date_order,
        Some(Basis::OtherStampsOrder(DateOrder::DayFirst))
    );
    let p = full("Thursday 03/10/2024 14:00 UTC", "2024-06-20");
    assert_eq!(p.utc, t("2024-10-03T14:00:00Z"));
    assert_eq!(p.why.date_order, Some(Basis::Weekday));
    assert!(!p.flags.contains(Flag::WeekdayMismatch));
    let p = full("04/11/2022 10:00:00 AM (GMT)", "2022-07-01");
    assert_eq!(p.utc, t("2022-04-11T10:00:00Z"));
    assert_eq!(p.flags, Flags::from_iter([Flag::AmbiguousDate]));
    assert!(p.reason().unwrap().contains("cannot decide"));
}

#[test]
fn abbreviations_follow_the_evidence_in_order() {
    // The configured or page zone: a US page's CST in October is its wall clock (CDT).
    let p = full("10:00 CST", "2024-10-15 tz=America/Chicago");
    assert_eq!(p.utc, t("2024-10-15T15:00:00Z"));
    assert_eq!(p.alternative, Some(t("2024-10-15T16:00:00Z")));
    assert!(p.flags.contains(Flag::AbbreviationFromContext));
    assert!(p.flags.contains(Flag::AbbreviationContradictsDst));
    assert_eq!(p.why.zone, Some(Basis::PageZone(America::Chicago)));
    // An offset the page writes elsewhere.
    let p = full("10:00 CST", "2024-10-15 hint=+08:00");
    assert_eq!(p.utc, t("2024-10-15T02:00:00Z"));
    assert_eq!(
        p.why.zone,
        Some(Basis::PageOffset(FixedOffset::east_opt(8 * 3600).unwrap()))
    );
    // The zone of the vendor's other stamps (EDT: the American reading).
    let evidence = Evidence::from_stamps(["Oct 2, 2024 3:05 PM EDT", "Oct 3 11:00 UTC"]);
    assert_eq!(evidence.zone, Some(America::New_York));
    let p = parse("10:00 CST", &ctx("2024-10-15").with_evidence(evidence)).unwrap();
    assert_eq!(p.utc, t("2024-10-15T15:00:00Z"));
    assert_eq!(p.why.zone, Some(Basis::OtherStamps(America::New_York)));
    // Stamps that disagree say nothing.
    let mixed = Evidence::from_stamps(["10:00 EDT", "10:00 CEST"]);
    assert_eq!(mixed.zone, None);
    // The page zone comes before the other evidence.
    let p = parse(
        "14:00 IST",
        &ctx("2024-10-10 tz=Europe/Dublin").with_evidence(Evidence {
            offset: FixedOffset::east_opt(19800),
            ..Evidence::default()
        }),
    )
    .unwrap();
    assert_eq!(p.utc, t("2024-10-10T13:00:00Z"));
}

#[test]
fn context_specs_carry_the_post_the_previous_update_and_hints() {
    let c = ctx("posted=2024-05-02T00:15:00Z tz=Europe/Paris");
    assert_eq!(
        c.posted,
        Some(ContextAnchor::Posted(t("2024-05-02T00:15:00Z")))
    );
    let c = ctx("2024-05-02 prev=2024-05-01T23:40:00Z hint=Asia/Shanghai");
    assert_eq!(c.previous, Some(t("2024-05-01T23:40:00Z")));
    assert_eq!(c.evidence.zone, Some(Asia::Shanghai));
    assert!(matches!(
        Context::from_spec("2024-05-02 prev=yesterday"),
        Err(ContextError::BadInstant(_))
    ));
    assert!(matches!(
        Context::from_spec("2024-05-02 hint=Nowhere"),
        Err(ContextError::BadZone(_))
    ));
}
