//! Resolution: a stamp's date, clock time and zone to an instant, with flags and an
//! alternative reading; range ends, equivalents and relative times.

use super::engine::{Engine, apply_mer, usable_date};
use super::error::TimeError;
use super::flags::{Flag, Flags};
use super::scan::{ItemKind, TimeM, TimeWord};
use super::why::{Basis, DayBasis, Why};
use super::words::Glue;
use super::zones::{self, ZoneLookup, ZoneRef};
use super::{ContextAnchor, DateOrder, POST_TOLERANCE, Parsed, Role, ZoneUsed};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use std::ops::Range;

/// Where a stamp's zone comes from, ready to apply to a wall time.
#[derive(Debug, Clone, Copy)]
enum ZoneSel {
    Utc,
    Fixed(i32),
    Abbr(ZoneLookup),
    Named(Tz),
    Page(Tz),
}

/// Which date a stamp's wall time is on.
#[derive(Debug, Clone, Copy)]
enum DateChoice {
    Item(usize),
    Local(NaiveDate),
    Context,
}

/// A resolved stamp.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Res {
    pub utc: DateTime<Utc>,
    pub alt: Option<DateTime<Utc>>,
    pub flags: Flags,
    pub zone_used: ZoneUsed,
    pub date: NaiveDate,
    pub wall: NaiveDateTime,
    pub why: Why,
}

/// A wall time placed in a zone.
struct Localized {
    utc: DateTime<Utc>,
    alt: Option<DateTime<Utc>>,
    flags: Flags,
    used: ZoneUsed,
    /// What picked the reading of an abbreviation with several.
    basis: Option<Basis>,
}

impl Engine<'_> {
    // ---------------------------------------------------------------- resolution

    fn time_of(&self, s: usize) -> TimeM {
        match self.items[self.stamps[s].item].kind {
            ItemKind::Time(t) => t,
            _ => TimeM::default(),
        }
    }

    pub(crate) fn text_of(&self, r: Range<usize>) -> String {
        self.text.get(r).unwrap_or_default().to_string()
    }

    fn zone_sel(&self, s: usize, page: Option<Tz>) -> Result<(ZoneSel, Flags), TimeError> {
        let st = &self.stamps[s];
        let mut flags = Flags::empty();
        let Some(z) = st.zone else {
            return match page {
                Some(tz) => {
                    flags.insert(Flag::ZoneFromPage);
                    Ok((ZoneSel::Page(tz), flags))
                }
                None => Err(TimeError::NoZone {
                    time: self.text_of(self.stamp_span(s)),
                }),
            };
        };
        let zi = &self.items[z];
        let ItemKind::Zone(zr) = zi.kind else {
            return Err(TimeError::NoZone {
                time: self.text_of(self.stamp_span(s)),
            });
        };
        let sel = match zr {
            ZoneRef::Utc => ZoneSel::Utc,
            ZoneRef::Fixed(secs) => ZoneSel::Fixed(secs),
            ZoneRef::Abbr(l) => ZoneSel::Abbr(l),
            ZoneRef::Named(tz) => ZoneSel::Named(tz),
            ZoneRef::Unknown => {
                return Err(TimeError::UnknownZone {
                    zone: self.text_of(zi.start..zi.end),
                });
            }
            ZoneRef::BadOffset => {
                return Err(TimeError::InvalidOffset {
                    offset: self.text_of(zi.start..zi.end),
                });
            }
        };
        Ok((sel, flags))
    }

    /// The date an instant falls on in a zone.
    fn local_date(inst: DateTime<Utc>, z: &ZoneSel) -> NaiveDate {
        match *z {
            ZoneSel::Utc => inst.date_naive(),
            ZoneSel::Fixed(s) => (inst + Duration::seconds(s as i64)).date_naive(),
            ZoneSel::Abbr(l) => {
                (inst + Duration::seconds(l.default_reading().offset_secs as i64)).date_naive()
            }
            ZoneSel::Named(tz) | ZoneSel::Page(tz) => inst.with_timezone(&tz).date_naive(),
        }
    }

    /// The date that places partial dates: the posting date, or the fetch instant's date,
    /// or the previous update's date.
    fn anchor(&self, z: &ZoneSel) -> Option<NaiveDate> {
        match self.ctx.posted {
            Some(ContextAnchor::Date(d)) => Some(d),
            Some(ContextAnchor::Posted(i)) => Some(Self::local_date(i, z)),
            Some(ContextAnchor::Instant(i)) => Some(match self.ctx.zone {
                Some(tz) => i.with_timezone(&tz).date_naive(),
                None => Self::local_date(i, z),
            }),
            None => self.ctx.previous.map(|p| Self::local_date(p, z)),
        }
    }

    fn date_from_item(
        &self,
        k: usize,
        z: &ZoneSel,
        flags: &mut Flags,
        why: &mut Why,
    ) -> Result<(NaiveDate, Option<NaiveDate>), TimeError> {
        let it = &self.items[k];
        let Some(d) = it.date() else {
            return Err(TimeError::NoDate {
                time: self.text_of(it.start..it.end),
            });
        };
        let written = || self.text_of(it.start..it.end);
        let d = *d;
        let (date, alt) = self.date_readings(&d, z, flags, &written)?;
        // A numeric date that reads both ways: the evidence decides (see `date_order`).
        let Some(other) = alt else {
            return Ok((date, None));
        };
        let (month_first, basis) = self.date_order(date, other, &d, z);
        why.date_order = Some(basis);
        flags.insert(if basis == Basis::Default {
            Flag::AmbiguousDate
        } else {
            Flag::AmbiguousDateOrder
        });
        if !month_first && d.weekday.is_some() {
            flags.remove(Flag::WeekdayMismatch);
            if d.weekday.is_some_and(|w| w != other.weekday()) {
                flags.insert(Flag::WeekdayMismatch);
            }
        }
        Ok(if month_first {
            (date, Some(other))
        } else {
            (other, Some(date))
        })
    }

    /// Which reading of a numeric date that reads both ways to take: `true` for the first
    /// (month first), with what decided. In order: a written weekday that falls on one of
    /// them; the posting date (else the previous update) within a day of one of them only;
    /// the context's date order; the page zone's region; the vendor's other stamps; the zone
    /// written in the text; else month first, undecided.
    fn date_order(
        &self,
        month_first: NaiveDate,
        day_first: NaiveDate,
        d: &super::scan::DateM,
        z: &ZoneSel,
    ) -> (bool, Basis) {
        if let Some(w) = d.weekday
            && (month_first.weekday() == w) != (day_first.weekday() == w)
        {
            return (month_first.weekday() == w, Basis::Weekday);
        }
        let near = |r: NaiveDate| {
            let close = |c: NaiveDate| (c - r).num_days().abs() <= 1;
            (close(month_first) != close(day_first)).then(|| close(month_first))
        };
        let posted = match self.ctx.posted {
            Some(ContextAnchor::Date(p)) => Some(p),
            Some(ContextAnchor::Posted(i)) => Some(Self::local_date(i, z)),
            _ => None,
        };
        if let Some(p) = posted
            && let Some(first) = near(p)
        {
            return (first, Basis::PostingDate(p));
        }
        if let Some(prev) = self.ctx.previous
            && let Some(first) = near(Self::local_date(prev, z))
        {
            return (first, Basis::PreviousUpdate(prev));
        }
        match self.ctx.date_order {
            DateOrder::MonthFirst => return (true, Basis::ContextOrder(DateOrder::MonthFirst)),
            DateOrder::DayFirst => return (false, Basis::ContextOrder(DateOrder::DayFirst)),
            DateOrder::FromZone => {}
        }
        let regional = |tz: Tz| !tz.name().starts_with("Etc/") && tz.name() != "UTC";
        if let Some(tz) = self.ctx.zone.filter(|tz| regional(*tz)) {
            return (zones::zone_writes_month_first(tz), Basis::PageLocale(tz));
        }
        if let Some(o) = self
            .ctx
            .evidence
            .date_order
            .filter(|o| *o != DateOrder::FromZone)
        {
            return (o == DateOrder::MonthFirst, Basis::OtherStampsOrder(o));
        }
        if let Some(tz) = zone_home(z).filter(|tz| regional(*tz)) {
            return (zones::zone_writes_month_first(tz), Basis::WrittenZone(tz));
        }
        (true, Basis::Default)
    }

    /// The date a date item names (month first where it reads both ways) and its other
    /// reading, with the flags of what was inferred.
    fn date_readings(
        &self,
        d: &super::scan::DateM,
        z: &ZoneSel,
        flags: &mut Flags,
        written: &dyn Fn() -> String,
    ) -> Result<(NaiveDate, Option<NaiveDate>), TimeError> {
        let invalid = |y: i32, m: u32, dd: u32| TimeError::InvalidDate {
            date: written(),
            reason: format!("{y:04}-{m:02}-{dd:02} does not exist"),
        };
        let anchor = self.anchor(z);
        if let Some(rel) = d.rel_days {
            let a = anchor.ok_or_else(|| TimeError::NoAnchorDate { date: written() })?;
            flags.insert(Flag::Relative);
            return Ok((a + Duration::days(rel as i64), None));
        }
        match (d.year, d.month, d.day) {
            (Some(y), Some(m), Some(day)) => {
                let y = if d.two_digit_year {
                    let base = anchor.map_or(2000, |a| a.year() - a.year().rem_euclid(100));
                    [base - 100, base, base + 100]
                        .into_iter()
                        .map(|c| c + y)
                        .min_by_key(|c| (c - anchor.map_or(2000 + y, |a| a.year())).abs())
                        .unwrap_or(2000 + y)
                } else {
                    y
                };
                let date = NaiveDate::from_ymd_opt(y, m, day).ok_or_else(|| invalid(y, m, day))?;
                if d.weekday.is_some_and(|w| w != date.weekday()) {
                    flags.insert(Flag::WeekdayMismatch);
                }
                let alt = d
                    .alt
                    .and_then(|(am, ad)| NaiveDate::from_ymd_opt(y, am, ad));
                Ok((date, alt))
            }
            (None, Some(m), Some(day)) => {
                let a = anchor.ok_or_else(|| TimeError::NoAnchorDate { date: written() })?;
                let (date, mismatch) =
                    infer_year(m, day, d.weekday, a).ok_or_else(|| TimeError::InvalidDate {
                        date: written(),
                        reason: format!("month {m} has no day {day} in any year near {a}"),
                    })?;
                flags.insert(Flag::YearInferred);
                if mismatch {
                    flags.insert(Flag::WeekdayMismatch);
                }
                let alt = d
                    .alt
                    .and_then(|(am, ad)| NaiveDate::from_ymd_opt(date.year(), am, ad));
                Ok((date, alt))
            }
            (_, None, Some(day)) => {
                // "the 16th": the nearest such day to the anchor.
                let a = anchor.ok_or_else(|| TimeError::NoAnchorDate { date: written() })?;
                let mut best: Option<NaiveDate> = None;
                for dm in -1i32..=1 {
                    let first = a.with_day(1).and_then(|f| {
                        if dm < 0 {
                            f.checked_sub_months(chrono::Months::new(1))
                        } else {
                            f.checked_add_months(chrono::Months::new(dm as u32))
                        }
                    });
                    if let Some(c) = first.and_then(|f| f.with_day(day))
                        && best.is_none_or(|b| (c - a).num_days().abs() < (b - a).num_days().abs())
                    {
                        best = Some(c);
                    }
                }
                flags.insert(Flag::DateFromContext);
                best.map(|b| (b, None))
                    .ok_or_else(|| TimeError::InvalidDate {
                        date: written(),
                        reason: format!("no month near {a} has a day {day}"),
                    })
            }
            (_, _, None) => {
                let a = anchor.ok_or_else(|| TimeError::NoAnchorDate { date: written() })?;
                let Some(wd) = d.weekday else {
                    return Err(TimeError::NoAnchorDate { date: written() });
                };
                let date = (-3i64..=3)
                    .map(|o| a + Duration::days(o))
                    .filter(|c| c.weekday() == wd)
                    .min_by_key(|c| (*c - a).num_days().abs())
                    .unwrap_or(a);
                flags.insert(Flag::DateFromContext);
                Ok((date, None))
            }
        }
    }

    /// Resolves stamp `s` on a given date choice.
    fn resolve_on(&self, s: usize, choice: DateChoice) -> Result<Res, TimeError> {
        self.resolve_with(s, choice, self.ctx.zone)
    }

    /// Resolves stamp `s` on a date choice, with `page` as the page zone.
    fn resolve_with(
        &self,
        s: usize,
        choice: DateChoice,
        page: Option<Tz>,
    ) -> Result<Res, TimeError> {
        let st = self.stamps[s];
        let tm = self.time_of(s);
        let (h, plus_day) = {
            let h = apply_mer(tm.h, st.mer.or(tm.mer));
            let time_text = || self.text_of(self.items[st.item].start..self.items[st.item].end);
            if tm.m > 59 || tm.s > 59 {
                return Err(TimeError::InvalidTime {
                    time: time_text(),
                    reason: "minutes and seconds run from 00 to 59".into(),
                });
            }
            if h == 24 && tm.m == 0 && tm.s == 0 {
                (0, true)
            } else if h > 23 {
                return Err(TimeError::InvalidTime {
                    time: time_text(),
                    reason: "hours run from 0 to 23 (or 24:00)".into(),
                });
            } else {
                (h, false)
            }
        };
        let (zone, mut flags) = self.zone_sel(s, page)?;
        let mut why = Why::default();
        let (mut date, date_alt, from_context) = match choice {
            DateChoice::Item(k) => {
                let (d, alt) = self.date_from_item(k, &zone, &mut flags, &mut why)?;
                (d, alt, false)
            }
            DateChoice::Local(d) => (d, None, false),
            DateChoice::Context => {
                let posted = match self.ctx.posted {
                    Some(ContextAnchor::Date(d)) => Some((d, DayBasis::PostingDate(d))),
                    Some(ContextAnchor::Posted(i)) => Some((
                        Self::local_date(i, &zone),
                        DayBasis::Post {
                            at: i,
                            day_before: false,
                        },
                    )),
                    _ => None,
                };
                let prev = self.ctx.previous.map(|p| Self::local_date(p, &zone));
                let (d, basis) = match (posted, prev) {
                    (Some((a, _)), Some(b)) if b > a => (
                        b,
                        DayBasis::PreviousUpdate(self.ctx.previous.unwrap_or_default()),
                    ),
                    (Some((a, basis)), _) => (a, basis),
                    (None, Some(b)) => (
                        b,
                        DayBasis::PreviousUpdate(self.ctx.previous.unwrap_or_default()),
                    ),
                    (None, None) => {
                        return Err(TimeError::NoDate {
                            time: self.text_of(self.stamp_span(s)),
                        });
                    }
                };
                why.day = Some(basis);
                flags.insert(Flag::DateFromContext);
                (d, None, true)
            }
        };
        let clock =
            chrono::NaiveTime::from_hms_nano_opt(h, tm.m, tm.s, tm.nanos).ok_or_else(|| {
                TimeError::InvalidTime {
                    time: self.text_of(self.items[st.item].start..self.items[st.item].end),
                    reason: "not a time of day".into(),
                }
            })?;
        let wall_on = |d: NaiveDate| {
            let w = d.and_time(clock);
            if plus_day { w + Duration::days(1) } else { w }
        };
        let mut wall = wall_on(date);
        let first = self.localize(wall, &zone);
        let (mut utc, mut alt, zone_used) = (first.utc, first.alt, first.used);
        flags = flags.union(first.flags);
        why.zone = first.basis;
        // A stated time is never after the text that states it: a time without a date that
        // would fall after its post is of the day before.
        if let (true, Some(DayBasis::Post { at, .. })) = (from_context, why.day)
            && utc > at + POST_TOLERANCE
        {
            date -= Duration::days(1);
            wall = wall_on(date);
            let again = self.localize(wall, &zone);
            utc = again.utc;
            alt = again.alt;
            flags = flags.union(again.flags);
            why.day = Some(DayBasis::Post {
                at,
                day_before: true,
            });
        }
        if from_context
            && let Some(prev) = self.ctx.previous
            && utc < prev
        {
            if flags.contains(Flag::DstFold)
                && let Some(later) = alt.filter(|a| *a >= prev)
            {
                // The repeated hour: the later reading follows the previous update.
                alt = Some(utc);
                utc = later;
            } else if prev - utc > Duration::hours(1) {
                date += Duration::days(1);
                wall = wall_on(date);
                let again = self.localize(wall, &zone);
                utc = again.utc;
                alt = again.alt;
                flags = flags.union(again.flags);
                flags.insert(Flag::DayRollover);
            } else {
                flags.insert(Flag::BeforePrevious);
            }
        }
        if let Some(ad) = date_alt
            && alt.is_none()
        {
            alt = Some(self.localize(wall_on(ad), &zone).utc);
        }
        if tm.word == TimeWord::Midnight {
            flags.insert(Flag::AmbiguousMidnight);
            if alt.is_none() {
                alt = Some(self.localize(wall + Duration::days(1), &zone).utc);
            }
        }
        Ok(Res {
            utc,
            alt,
            flags,
            zone_used,
            date,
            wall,
            why,
        })
    }

    /// Applies a zone to a wall time: the instant, an alternative reading, flags, what was
    /// used, and what picked an abbreviation's reading.
    fn localize(&self, wall: NaiveDateTime, z: &ZoneSel) -> Localized {
        let fixed = |secs: i32| (wall - Duration::seconds(secs as i64)).and_utc();
        let plain = |utc, alt, flags, used| Localized {
            utc,
            alt,
            flags,
            used,
            basis: None,
        };
        match *z {
            ZoneSel::Utc => plain(wall.and_utc(), None, Flags::empty(), ZoneUsed::Utc),
            ZoneSel::Fixed(secs) => plain(
                fixed(secs),
                None,
                Flags::empty(),
                ZoneUsed::Offset(
                    FixedOffset::east_opt(secs)
                        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset")),
                ),
            ),
            ZoneSel::Named(tz) => {
                let (u, a, f) = in_zone(tz, wall);
                plain(u, a, f, ZoneUsed::Named(tz))
            }
            ZoneSel::Page(tz) => {
                let (u, a, f) = in_zone(tz, wall);
                plain(u, a, f, ZoneUsed::Page(tz))
            }
            ZoneSel::Abbr(l) => self.abbreviation(wall, l),
        }
    }

    /// An abbreviation's reading at a wall time. Of several readings (CST, IST, BST, AST), the
    /// one the evidence supports, in order: the context's zone (its own reading, else the
    /// reading whose offset its clocks show then, else one of its region), an offset the page
    /// writes, the zone of the vendor's other stamps; flagged `abbreviation_from_context`.
    /// Without evidence, the default, flagged `ambiguous_abbreviation`. Either way the next
    /// reading is the alternative. Then an abbreviation that contradicts daylight saving at
    /// that date is read as its zone's wall clock, the literal offset the alternative.
    fn abbreviation(&self, wall: NaiveDateTime, l: ZoneLookup) -> Localized {
        let fixed = |secs: i32| (wall - Duration::seconds(secs as i64)).and_utc();
        let mut flags = Flags::empty();
        let page = self.ctx.zone;
        let fits = |tz: Tz| {
            l.readings
                .iter()
                .find(|e| e.home == tz)
                .or_else(|| {
                    l.readings.iter().find(|e| {
                        zones::tz_offset_at_literal(tz, wall, e.offset_secs) == e.offset_secs
                    })
                })
                .or_else(|| {
                    let area = tz.name().split('/').next().unwrap_or("");
                    l.readings
                        .iter()
                        .find(|e| e.home.name().split('/').next() == Some(area))
                })
        };
        let by_offset = |off: FixedOffset| {
            let secs = off.local_minus_utc();
            l.readings
                .iter()
                .find(|e| e.offset_secs == secs)
                .or_else(|| {
                    l.readings
                        .iter()
                        .find(|e| zones::tz_offset_at_literal(e.home, wall, secs) == secs)
                })
        };
        let chosen = if !l.is_ambiguous() {
            None
        } else if let Some(e) = page.and_then(|p| fits(p).map(|e| (e, Basis::PageZone(p)))) {
            Some(e)
        } else if let Some(e) = self
            .ctx
            .evidence
            .offset
            .and_then(|o| by_offset(o).map(|e| (e, Basis::PageOffset(o))))
        {
            Some(e)
        } else {
            self.ctx
                .evidence
                .zone
                .and_then(|z| fits(z).map(|e| (e, Basis::OtherStamps(z))))
        };
        let (entry, basis) = match chosen {
            Some((e, basis)) => {
                flags.insert(Flag::AbbreviationFromContext);
                (e, Some(basis))
            }
            None if l.is_ambiguous() => {
                flags.insert(Flag::AmbiguousAbbreviation);
                (l.default_reading(), Some(Basis::Default))
            }
            None => (l.default_reading(), None),
        };
        let mut alt = l
            .readings
            .iter()
            .find(|e| e.home != entry.home)
            .filter(|_| l.is_ambiguous())
            .map(|e| fixed(e.offset_secs));
        let literal = fixed(entry.offset_secs);
        let used = ZoneUsed::Abbreviation(entry);
        let done = |utc, alt, flags| Localized {
            utc,
            alt,
            flags,
            used,
            basis,
        };
        if !entry.observes_dst
            || page.is_some_and(|p| {
                zones::tz_offset_at_literal(p, wall, entry.offset_secs) == entry.offset_secs
            })
        {
            return done(literal, alt, flags);
        }
        match entry.home.from_local_datetime(&wall) {
            LocalResult::Single(dt) => {
                if dt.offset().fix().local_minus_utc() == entry.offset_secs {
                    done(literal, alt, flags)
                } else {
                    flags.insert(Flag::AbbreviationContradictsDst);
                    alt = Some(literal);
                    done(dt.with_timezone(&Utc), alt, flags)
                }
            }
            LocalResult::Ambiguous(a, b) => {
                let off = |d: &DateTime<Tz>| d.offset().fix().local_minus_utc();
                if off(&a) == entry.offset_secs || off(&b) == entry.offset_secs {
                    done(literal, alt, flags)
                } else {
                    flags.insert(Flag::AbbreviationContradictsDst);
                    done(a.with_timezone(&Utc), Some(literal), flags)
                }
            }
            LocalResult::None => {
                flags.insert(Flag::DstGap);
                done(literal, alt, flags)
            }
        }
    }

    // ---------------------------------------------------------------- stamps to results

    /// The date choice for a stamp that is not a range end or an equivalent.
    fn own_choice(&self, s: usize) -> DateChoice {
        let st = self.stamps[s];
        if let Some(d) = st.date {
            return DateChoice::Item(d);
        }
        if st.role == Role::RangeStart
            && let Some(p) = st.partner
            && let Some(d) = self.stamps[p].date
        {
            return DateChoice::Item(d);
        }
        let Some(carried) = st.carried else {
            return DateChoice::Context;
        };
        // A date written earlier in the text is a guess: when it would put the time after the
        // text's post, an earlier written date that does not is taken ("by 11 July" written
        // after "On 20 May"), else the posting instant's own rule.
        let Some(ContextAnchor::Posted(at)) = self.ctx.posted else {
            return DateChoice::Item(carried);
        };
        let fits = |k: usize| {
            self.resolve_on(s, DateChoice::Item(k))
                .is_ok_and(|r| r.utc <= at + POST_TOLERANCE)
        };
        if fits(carried) {
            return DateChoice::Item(carried);
        }
        (0..carried)
            .rev()
            .filter(|k| {
                self.items[*k]
                    .date()
                    .is_some_and(super::engine::usable_date)
            })
            .find(|k| fits(*k))
            .map_or(DateChoice::Context, DateChoice::Item)
    }

    fn relative(&self, s: usize) -> Result<Parsed, TimeError> {
        let st = self.stamps[s];
        let ItemKind::Ago(secs) = self.items[st.item].kind else {
            return Err(TimeError::NoTime {
                text: self.text.to_string(),
            });
        };
        let span = self.stamp_span(s);
        match self.ctx.posted {
            Some(ContextAnchor::Instant(i)) => Ok(Parsed {
                utc: Duration::try_seconds(secs)
                    .and_then(|d| i.checked_sub_signed(d))
                    .ok_or_else(|| TimeError::InvalidTime {
                        time: self.text_of(span.clone()),
                        reason: "too far before the fetch instant".into(),
                    })?,
                end: None,
                alternative: None,
                flags: Flags::from_iter([Flag::Relative]),
                zone_used: ZoneUsed::Relative,
                matched: span,
                why: Why::default(),
            }),
            _ => Err(TimeError::NoInstantForRelative {
                text: self.text_of(span),
            }),
        }
    }

    /// Resolves a main stamp (single or range start), with its range end and a check of its
    /// equivalent renderings. Windows that follow a range in its sentence ("from 14:05 to
    /// 14:11 and again from 14:30 to 14:52") are one statement: the end is the last one's.
    pub(crate) fn resolve_main(&self, s: usize) -> Result<Parsed, TimeError> {
        let mut main = self.resolve_range(s)?;
        let Some(mut last) = self.stamps[s].partner.filter(|_| main.end.is_some()) else {
            return Ok(main);
        };
        while let Some(next) = self.next_window(last) {
            let Ok(window) = self.resolve_range(next) else {
                break;
            };
            let (Some(end), Some(to)) = (main.end, window.end) else {
                break;
            };
            if window.utc < main.utc {
                break;
            }
            main.end = Some(end.max(to));
            main.matched = main.matched.start..window.matched.end;
            match self.stamps[next].partner {
                Some(p) => last = p,
                None => break,
            }
        }
        Ok(main)
    }

    /// The range start that follows range end `end` in the same sentence and line: words and
    /// commas between them, no period, colon, dash, bracket or line break.
    fn next_window(&self, end: usize) -> Option<usize> {
        let t = end + 1;
        let next = self.stamps.get(t)?;
        if next.role != Role::RangeStart {
            return None;
        }
        let from = self.stamps[end].last + 1;
        let same_line = !self
            .text
            .get(self.items[from.min(next.first)].start..self.items[next.first].start)
            .unwrap_or("\n")
            .contains('\n');
        let joined = (from..next.first).all(|k| {
            matches!(
                self.items[k].glue(),
                Some(
                    Glue::And
                        | Glue::Comma
                        | Glue::From
                        | Glue::Between
                        | Glue::Filler
                        | Glue::Word
                        | Glue::At
                        | Glue::On
                        | Glue::Local
                        | Glue::Consumed
                )
            )
        });
        (same_line && joined).then_some(t)
    }

    /// Resolves a main stamp with its own range end only.
    fn resolve_range(&self, s: usize) -> Result<Parsed, TimeError> {
        let st = self.stamps[s];
        if !self.items[st.item].is_time() {
            return self.relative(s);
        }
        let choice = self.own_choice(s);
        let res = match self.resolve_on(s, choice) {
            Ok(r) => r,
            Err(TimeError::NoZone { time }) => self
                .via_equivalent(s, choice)
                .ok_or(TimeError::NoZone { time })??,
            Err(e) => return Err(e),
        };
        let mut flags = res.flags;
        let mut matched = self.stamp_span(s);
        let mut end = None;
        if st.role == Role::RangeStart
            && let Some(p) = st.partner
        {
            let shared = self.stamps[p].date.is_some()
                && self.stamps[s].date.is_none()
                && matches!(choice, DateChoice::Item(k) if Some(k) == self.stamps[p].date);
            let own = self.stamps[p].date.filter(|_| !shared);
            let r = match own {
                Some(k) => self.resolve_on(p, DateChoice::Item(k)).map(|e| (e, true)),
                None => self
                    .resolve_on(p, DateChoice::Local(res.date))
                    .and_then(|e| {
                        if e.utc < res.utc {
                            self.resolve_on(p, DateChoice::Local(res.date + Duration::days(1)))
                                .map(|e| (e, false))
                        } else {
                            Ok((e, false))
                        }
                    }),
            };
            if let Ok((e, _)) = r {
                if e.utc >= res.utc {
                    end = Some(e.utc);
                    matched = matched.start..self.stamp_span(p).end;
                } else {
                    flags.insert(Flag::RangeEndBeforeStart);
                }
            }
        }
        // Equivalent renderings must name the same instant.
        for (t, eq) in self.stamps.iter().enumerate() {
            if eq.role != Role::Equivalent || eq.partner != Some(s) {
                continue;
            }
            if let Some(ok) = self.equivalent_agrees(t, &res)
                && !ok
            {
                flags.insert(Flag::EquivalentsDisagree);
            }
        }
        Ok(Parsed {
            utc: res.utc,
            end,
            alternative: res.alt,
            flags,
            zone_used: res.zone_used,
            matched,
            why: res.why,
        })
    }

    /// Whether equivalent `t` names the instant of `main` on the main's date or a day either
    /// side; `None` when it cannot be resolved at all.
    fn equivalent_agrees(&self, t: usize, main: &Res) -> Option<bool> {
        if let Some(k) = self.stamps[t].date {
            return self
                .resolve_on(t, DateChoice::Item(k))
                .ok()
                .map(|r| r.utc == main.utc);
        }
        let mut any = false;
        for off in [0, -1, 1] {
            if let Ok(r) = self.resolve_on(t, DateChoice::Local(main.date + Duration::days(off))) {
                any = true;
                if r.utc == main.utc {
                    return Some(true);
                }
            }
        }
        any.then_some(false)
    }

    /// Resolves a zone-less main stamp through an equivalent with a zone: "04:00 Uhr
    /// Ortszeit (17:00 GMT)". The equivalent's date is the one that puts the written local
    /// time within -12:00..+14:00 of it.
    fn via_equivalent(&self, s: usize, choice: DateChoice) -> Option<Result<Res, TimeError>> {
        let eq = (0..self.stamps.len()).find(|t| {
            self.stamps[*t].role == Role::Equivalent
                && self.stamps[*t].partner == Some(s)
                && self.stamps[*t].zone.is_some()
        })?;
        // The main's wall time on its date (read through UTC only to get the wall clock).
        let main = match self.resolve_with(s, choice, Some(Tz::UTC)) {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        let mut flags = main.flags;
        flags.remove(Flag::ZoneFromPage);
        let own = self.stamps[eq].date;
        let candidates: &[i64] = if own.is_some() { &[0] } else { &[0, -1, 1] };
        for off in candidates {
            let r = match own {
                Some(k) => self.resolve_on(eq, DateChoice::Item(k)),
                None => self.resolve_on(eq, DateChoice::Local(main.date + Duration::days(*off))),
            };
            let Ok(mut r) = r else { continue };
            let diff = main.wall - r.utc.naive_utc();
            if diff >= Duration::hours(-12) && diff <= Duration::hours(14) {
                r.flags = r.flags.union(flags);
                return Some(Ok(r));
            }
        }
        None
    }

    /// Resolves any stamp for prose: range ends through their start, equivalents through
    /// their main stamp.
    pub(crate) fn resolve_any(&self, s: usize) -> Result<Parsed, TimeError> {
        let st = self.stamps[s];
        match (st.role, st.partner) {
            (Role::RangeEnd, Some(p)) => {
                let start = self.resolve_range(p);
                match start {
                    Ok(sp) if sp.end.is_some() => {
                        let span = self.stamp_span(s);
                        let (choice, own_date) = self.end_choice(s, p)?;
                        let res = self.resolve_on(s, choice)?;
                        let utc = sp.end.unwrap_or(res.utc);
                        let mut flags = res.flags;
                        let mut why = res.why;
                        if !own_date {
                            // The end's date is the start's: so is what was assumed about it.
                            for f in [
                                Flag::DateFromContext,
                                Flag::YearInferred,
                                Flag::Relative,
                                Flag::AmbiguousDateOrder,
                                Flag::AmbiguousDate,
                            ] {
                                if sp.flags.contains(f) {
                                    flags.insert(f);
                                }
                            }
                            why.date_order = sp.why.date_order;
                            why.day = sp.why.day;
                        }
                        Ok(Parsed {
                            utc,
                            end: None,
                            alternative: res.alt,
                            flags,
                            zone_used: res.zone_used,
                            matched: span,
                            why,
                        })
                    }
                    _ => self.resolve_single(s),
                }
            }
            (Role::Equivalent, Some(p)) => {
                let main = self.resolve_main(p)?;
                let span = self.stamp_span(s);
                let mut last = None;
                let own = self.stamps[s].date;
                for off in [0, -1, 1] {
                    let choice = match own {
                        Some(k) => DateChoice::Item(k),
                        None => DateChoice::Local((main.utc + Duration::days(off)).date_naive()),
                    };
                    let r = self.resolve_on(s, choice);
                    if let Ok(r) = &r
                        && r.utc == main.utc
                    {
                        return Ok(Parsed {
                            utc: r.utc,
                            end: None,
                            alternative: r.alt,
                            flags: r.flags,
                            zone_used: r.zone_used,
                            matched: span,
                            why: r.why,
                        });
                    }
                    if last.is_none() || r.is_ok() {
                        last = Some(r);
                    }
                    if own.is_some() {
                        break;
                    }
                }
                // Try the main's local dates too.
                for off in [0i64, -1, 1] {
                    if let Ok(m) = self.main_res(p)
                        && let Ok(r) =
                            self.resolve_on(s, DateChoice::Local(m.date + Duration::days(off)))
                        && r.utc == main.utc
                    {
                        return Ok(Parsed {
                            utc: r.utc,
                            end: None,
                            alternative: r.alt,
                            flags: r.flags,
                            zone_used: r.zone_used,
                            matched: span,
                            why: r.why,
                        });
                    }
                }
                match last {
                    Some(Ok(r)) => {
                        let mut flags = r.flags;
                        flags.insert(Flag::EquivalentsDisagree);
                        Ok(Parsed {
                            utc: r.utc,
                            end: None,
                            alternative: r.alt,
                            flags,
                            zone_used: r.zone_used,
                            matched: span,
                            why: r.why,
                        })
                    }
                    Some(Err(e)) => Err(e),
                    None => self.resolve_single(s),
                }
            }
            _ => self.resolve_main(s),
        }
    }

    /// Resolves single stamp `s`, whose date is not written, on the first later day that puts
    /// it no more than an hour before `previous` (a timeline's order).
    pub(crate) fn resolve_after(
        &self,
        s: usize,
        previous: DateTime<Utc>,
    ) -> Result<Parsed, TimeError> {
        let base = self.main_res(s)?;
        for days in 1..=2 {
            let r = self.resolve_on(s, DateChoice::Local(base.date + Duration::days(days)))?;
            if r.utc + Duration::hours(1) >= previous {
                let mut flags = r.flags.union(base.flags);
                flags.insert(Flag::DayRollover);
                return Ok(Parsed {
                    utc: r.utc,
                    end: None,
                    alternative: r.alt,
                    flags,
                    zone_used: r.zone_used,
                    matched: self.stamp_span(s),
                    why: base.why,
                });
            }
        }
        self.resolve_any(s)
    }

    fn main_res(&self, s: usize) -> Result<Res, TimeError> {
        self.resolve_on(s, self.own_choice(s))
    }

    /// The date choice for range end `s` of start `p`, and whether the end has its own date.
    fn end_choice(&self, s: usize, p: usize) -> Result<(DateChoice, bool), TimeError> {
        let st = self.stamps[s];
        let start = self.main_res(p)?;
        let shared = self.stamps[p].date.is_none() && st.date.is_some();
        Ok(match st.date {
            Some(k) if !shared => (DateChoice::Item(k), true),
            _ => {
                let e = self.resolve_on(s, DateChoice::Local(start.date))?;
                let d = if e.utc < start.utc {
                    start.date + Duration::days(1)
                } else {
                    start.date
                };
                (DateChoice::Local(d), false)
            }
        })
    }

    fn resolve_single(&self, s: usize) -> Result<Parsed, TimeError> {
        let r = self.resolve_on(s, self.own_choice(s))?;
        Ok(Parsed {
            utc: r.utc,
            end: None,
            alternative: r.alt,
            flags: r.flags,
            zone_used: r.zone_used,
            matched: self.stamp_span(s),
            why: r.why,
        })
    }

    /// Resolves the first date item in the text.
    pub(crate) fn first_date(&self) -> Option<Result<FirstDate, TimeError>> {
        let k = self
            .items
            .iter()
            .position(|it| it.date().is_some_and(usable_date))?;
        let mut flags = Flags::empty();
        let mut why = Why::default();
        let zone = self.ctx.zone.map_or(ZoneSel::Utc, ZoneSel::Page);
        Some(
            self.date_from_item(k, &zone, &mut flags, &mut why)
                .map(|(d, a)| (d, a, flags, self.items[k].start..self.items[k].end)),
        )
    }
}

/// The home zone of a zone written in the text, if it has one.
fn zone_home(z: &ZoneSel) -> Option<Tz> {
    match *z {
        ZoneSel::Abbr(l) => Some(l.default_reading().home),
        ZoneSel::Named(tz) => Some(tz),
        ZoneSel::Utc | ZoneSel::Fixed(_) | ZoneSel::Page(_) => None,
    }
}

/// A date read alone: the date, the other numeric reading, flags, and its span.
pub(crate) type FirstDate = (NaiveDate, Option<NaiveDate>, Flags, Range<usize>);

/// A wall time in an IANA zone: the earlier of a fold (flagged, the later as alternative), and
/// in a gap the offset from before the gap (flagged, the offset after as alternative).
fn in_zone(tz: Tz, wall: NaiveDateTime) -> (DateTime<Utc>, Option<DateTime<Utc>>, Flags) {
    let mut flags = Flags::empty();
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(dt) => (dt.with_timezone(&Utc), None, flags),
        LocalResult::Ambiguous(a, b) => {
            flags.insert(Flag::DstFold);
            (a.with_timezone(&Utc), Some(b.with_timezone(&Utc)), flags)
        }
        LocalResult::None => {
            flags.insert(Flag::DstGap);
            let before = tz
                .offset_from_utc_datetime(&(wall - Duration::hours(26)))
                .fix()
                .local_minus_utc();
            let after = tz
                .offset_from_utc_datetime(&(wall + Duration::hours(26)))
                .fix()
                .local_minus_utc();
            let at = |o: i32| (wall - Duration::seconds(o as i64)).and_utc();
            (at(before), Some(at(after)), flags)
        }
    }
}

/// The year nearest `anchor` in which `month`/`day` exists (and falls on `weekday` if given).
/// The flag says the weekday matched none of the candidates.
fn infer_year(
    month: u32,
    day: u32,
    weekday: Option<chrono::Weekday>,
    anchor: NaiveDate,
) -> Option<(NaiveDate, bool)> {
    let near = |span: i32| {
        (-span..=span)
            .filter_map(|dy| NaiveDate::from_ymd_opt(anchor.year() + dy, month, day))
            .collect::<Vec<_>>()
    };
    let mut cands = near(1);
    if cands.is_empty() {
        cands = near(4);
    }
    let dist = |c: &NaiveDate| ((*c - anchor).num_days().abs(), *c > anchor);
    if let Some(wd) = weekday
        && let Some(c) = cands
            .iter()
            .filter(|c| c.weekday() == wd)
            .min_by_key(|c| dist(c))
    {
        return Some((*c, false));
    }
    cands
        .iter()
        .min_by_key(|c| dist(c))
        .map(|c| (*c, weekday.is_some()))
}
