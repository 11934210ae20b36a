//! Why a reading was chosen: the evidence a page offers beyond the text itself ([`Evidence`]),
//! what decided each choice between readings ([`Basis`], [`Why`]), and the sentence that says
//! so ([`Parsed::reason`]).

use super::engine::Engine;
use super::flags::Flag;
use super::scan::ItemKind;
use super::zones::{ZoneRef, zone_abbreviation};
use super::{Context, DateOrder, Parsed, ZoneUsed};
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use std::fmt::Write;

/// What a page says about its times beyond the stamp being read: an offset its machine stamps
/// carry, the zone and the numeric date order its other stamps use. It decides between the
/// readings of an ambiguous abbreviation (after the context's zone) and of a numeric date
/// (after the posting date and the context's zone). Build it with [`Evidence::from_stamps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Evidence {
    /// A UTC offset written elsewhere on the page ("+08:00" in its machine stamps).
    pub offset: Option<FixedOffset>,
    /// The zone the vendor's other stamps name without ambiguity ("PDT", "US/Pacific":
    /// America/Los_Angeles).
    pub zone: Option<Tz>,
    /// The numeric date order the vendor's other stamps show ("28/11/2022": day first).
    pub date_order: Option<DateOrder>,
}

/// One kind of evidence seen in a page's stamps: kept while every stamp agrees.
#[derive(Clone, Copy)]
enum Seen<T> {
    None,
    One(T),
    Conflict,
}

impl<T: PartialEq + Copy> Seen<T> {
    fn add(&mut self, value: T) {
        *self = match *self {
            Seen::None => Seen::One(value),
            Seen::One(v) if v == value => Seen::One(v),
            _ => Seen::Conflict,
        };
    }
    fn get(self) -> Option<T> {
        match self {
            Seen::One(v) => Some(v),
            _ => None,
        }
    }
}

impl Evidence {
    /// What a page's other stamps agree on: the home zone of the unambiguous abbreviations and
    /// zone names they write (ambiguous ones like CST say nothing; UTC says nothing of a
    /// locale), the UTC offset they write (zero says nothing), and the order of the numeric
    /// dates that show one (a part above 12, or dots). Where the stamps disagree, that kind of
    /// evidence is left out.
    ///
    /// ```
    /// use timetext::{DateOrder, Evidence};
    /// let e = Evidence::from_stamps(["Oct 2, 2024 3:05 PM EDT", "28/11/2022 12:06"]);
    /// assert_eq!(e.zone, Some(chrono_tz::America::New_York));
    /// assert_eq!(e.date_order, Some(DateOrder::DayFirst));
    /// let e = Evidence::from_stamps(["2019-02-21T08:31:24.239+08:00"]);
    /// assert_eq!(e.offset.map(|o| o.local_minus_utc()), Some(8 * 3600));
    /// ```
    pub fn from_stamps<'a>(stamps: impl IntoIterator<Item = &'a str>) -> Evidence {
        let ctx = Context::new();
        let (mut zone, mut offset, mut order) = (Seen::None, Seen::None, Seen::None);
        for text in stamps {
            let engine = Engine::new(text, &ctx);
            for item in &engine.items {
                match item.kind {
                    ItemKind::Zone(ZoneRef::Abbr(l)) if !l.is_ambiguous() => {
                        let home = l.default_reading().home;
                        if !home.name().starts_with("Etc/") {
                            zone.add(home);
                        }
                    }
                    ItemKind::Zone(ZoneRef::Named(tz)) => zone.add(tz),
                    ItemKind::Zone(ZoneRef::Fixed(secs)) if secs != 0 => offset.add(secs),
                    ItemKind::Date(d) => {
                        if let Some(o) = d.written_order {
                            order.add(o);
                        }
                    }
                    _ => {}
                }
            }
        }
        Evidence {
            offset: offset.get().and_then(FixedOffset::east_opt),
            zone: zone.get(),
            date_order: order.get(),
        }
    }

    /// Whether the page offers no evidence at all.
    pub fn is_empty(&self) -> bool {
        *self == Evidence::default()
    }
}

/// What decided a choice between two readings of a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The context's zone: the source's configured zone or the page's own.
    PageZone(Tz),
    /// A UTC offset the page writes elsewhere ([`Evidence::offset`]).
    PageOffset(FixedOffset),
    /// The zone the vendor's other stamps name ([`Evidence::zone`]).
    OtherStamps(Tz),
    /// The numeric date order the vendor's other stamps show ([`Evidence::date_order`]).
    OtherStampsOrder(DateOrder),
    /// The weekday written with the date.
    Weekday,
    /// The posting date: the one reading within a day of it.
    PostingDate(NaiveDate),
    /// The previous update of a timeline: the one reading within a day of its date.
    PreviousUpdate(DateTime<Utc>),
    /// The context's explicit date order ([`Context::date_order`]).
    ContextOrder(DateOrder),
    /// The numeric date convention of the page zone's region.
    PageLocale(Tz),
    /// The convention of the region of the zone written in the text ("CEST": day first).
    WrittenZone(Tz),
    /// Nothing decided: the default reading (the first abbreviation reading, month first).
    Default,
}

/// Where a time written without a date took its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayBasis {
    /// The posting date.
    PostingDate(NaiveDate),
    /// The posting instant: the day of the post, or the day before when that reading would
    /// fall after the post (a stated time is never after the text that states it).
    Post {
        /// When the text was posted.
        at: DateTime<Utc>,
        /// Whether the day before the post's was taken.
        day_before: bool,
    },
    /// The previous update of a timeline.
    PreviousUpdate(DateTime<Utc>),
}

/// What decided the choices a reading made; the flags say that a choice was made, this says
/// on what evidence. [`Parsed::reason`] puts it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Why {
    /// What chose the reading of an abbreviation with several ([`Flag::AmbiguousAbbreviation`],
    /// [`Flag::AbbreviationFromContext`]).
    pub zone: Option<Basis>,
    /// What chose the order of a numeric date that reads both ways
    /// ([`Flag::AmbiguousDateOrder`], [`Flag::AmbiguousDate`]).
    pub date_order: Option<Basis>,
    /// Where a time without a date took its day ([`Flag::DateFromContext`]).
    pub day: Option<DayBasis>,
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn basis_text(b: Basis) -> String {
    match b {
        Basis::PageZone(tz) => format!("the page's zone is {}", tz.name()),
        Basis::PageOffset(o) => format!("the page writes the offset {o}"),
        Basis::OtherStamps(tz) => format!("the vendor's other stamps are in {}", tz.name()),
        Basis::OtherStampsOrder(o) => format!("the vendor's other stamps write {}", order(o)),
        Basis::Weekday => "the written weekday falls on it".to_string(),
        Basis::PostingDate(d) => format!("it is within a day of the posting date {d}"),
        Basis::PreviousUpdate(t) => {
            format!("it is within a day of the previous update ({})", instant(t))
        }
        Basis::ContextOrder(o) => format!("the context reads {}", order(o)),
        Basis::PageLocale(tz) => {
            format!("the page's zone {} writes dates that way", tz.name())
        }
        Basis::WrittenZone(tz) => {
            format!(
                "the zone written in the text ({}) writes dates that way",
                tz.name()
            )
        }
        Basis::Default => "nothing decides: the default".to_string(),
    }
}

fn order(o: DateOrder) -> &'static str {
    match o {
        DateOrder::DayFirst => "the day first",
        DateOrder::MonthFirst => "the month first",
        DateOrder::FromZone => "dates in the page zone's order",
    }
}

impl Parsed {
    /// Why the reading is what it is, in words, when a flag says a choice was made or
    /// something was assumed: which reading was taken, on what evidence, and the alternative.
    /// `None` when nothing was flagged.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use timetext::{parse, Context};
    /// let ctx = Context::on_date(NaiveDate::from_ymd_opt(2024, 1, 10).unwrap())
    ///     .with_zone(chrono_tz::Asia::Shanghai);
    /// let p = parse("10:00 CST", &ctx).unwrap();
    /// assert_eq!(p.utc.to_rfc3339(), "2024-01-10T02:00:00+00:00");
    /// assert!(p.reason().unwrap().contains("China Standard Time"));
    /// ```
    pub fn reason(&self) -> Option<String> {
        if self.flags.is_empty() {
            return None;
        }
        let alt = self.alternative.map(instant);
        let mut parts: Vec<String> = Vec::new();
        let entry = match self.zone_used {
            ZoneUsed::Abbreviation(e) => Some(e),
            _ => None,
        };
        for flag in self.flags.iter() {
            let text = match flag {
                Flag::AmbiguousAbbreviation | Flag::AbbreviationFromContext => {
                    let Some(e) = entry else { continue };
                    let others: Vec<String> = zone_abbreviation(e.abbr)
                        .map(|l| {
                            l.readings
                                .iter()
                                .filter(|r| r.home != e.home)
                                .map(|r| format!("{} ({})", r.name, r.offset()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let why = self.why.zone.map_or_else(
                        || "nothing on the page picks one: the default".to_string(),
                        basis_text,
                    );
                    format!(
                        "{} has several readings: {} ({}, {}) taken because {why}; the other{} {}",
                        e.abbr,
                        e.name,
                        e.offset(),
                        e.home.name(),
                        if others.len() > 1 { "s are" } else { " is" },
                        others.join(", ")
                    )
                }
                Flag::AbbreviationContradictsDst => {
                    let Some(e) = entry else { continue };
                    format!(
                        "{} ({}) does not match {}'s clocks at that date: read as that zone's wall clock, the literal offset gives {}",
                        e.abbr,
                        e.offset(),
                        e.home.name(),
                        alt.as_deref().unwrap_or("the alternative")
                    )
                }
                Flag::AmbiguousDateOrder | Flag::AmbiguousDate => {
                    let why = self
                        .why
                        .date_order
                        .map_or_else(|| basis_text(Basis::Default), basis_text);
                    format!(
                        "the numeric date reads both ways{}: this reading taken because {why}; the other gives {}",
                        if flag == Flag::AmbiguousDate {
                            " and the evidence cannot decide"
                        } else {
                            ""
                        },
                        alt.as_deref().unwrap_or("the alternative")
                    )
                }
                Flag::DateFromContext => match self.why.day {
                    Some(DayBasis::PostingDate(d)) => {
                        format!("no date written: the posting date {d}")
                    }
                    Some(DayBasis::Post { at, day_before }) => {
                        if day_before {
                            format!(
                                "no date written: the day before the post ({}), since on the post's day it would be after the post",
                                instant(at)
                            )
                        } else {
                            format!("no date written: the day of the post ({})", instant(at))
                        }
                    }
                    Some(DayBasis::PreviousUpdate(t)) => {
                        format!("no date written: the previous update's ({})", instant(t))
                    }
                    None => "the day, month or year came from the context".to_string(),
                },
                Flag::ZoneFromPage => match self.zone_used {
                    ZoneUsed::Page(tz) => format!("no zone written: the page's zone {}", tz.name()),
                    _ => "no zone written: the page's zone".to_string(),
                },
                Flag::YearInferred => "no year written: the year nearest the posting date".into(),
                Flag::DstGap => format!(
                    "the wall time does not exist at that date (clocks spring forward); the offset after the gap gives {}",
                    alt.as_deref().unwrap_or("the alternative")
                ),
                Flag::DstFold => format!(
                    "the wall time happens twice at that date (clocks fall back): the earlier taken, the later is {}",
                    alt.as_deref().unwrap_or("the alternative")
                ),
                Flag::Relative => "relative to the context's date or fetch instant".into(),
                Flag::AmbiguousMidnight => format!(
                    "\"midnight\" taken as the start of the day; the end of the day is {}",
                    alt.as_deref().unwrap_or("the alternative")
                ),
                Flag::DayRollover => {
                    "placed on the next day: the timeline's previous time is later".into()
                }
                Flag::BeforePrevious => {
                    "up to an hour before the previous update, left on its day".into()
                }
                Flag::WeekdayMismatch => "the written weekday does not fall on the date".into(),
                Flag::EquivalentsDisagree => {
                    "the same moment written in another zone does not agree".into()
                }
                Flag::RangeEndBeforeStart => {
                    "the range's dated end is before its start and was dropped".into()
                }
            };
            parts.push(text);
        }
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            let _ = write!(out, "{p}");
        }
        Some(out)
    }
}
