//! Resolution: a stamp's date, clock time and zone to an instant, with flags and an
//! alternative reading; range ends, equivalents and relative times.

use super::engine::{Engine, apply_mer, usable_date};
use super::error::TimeError;
use super::flags::{Flag, Flags};
use super::scan::{ItemKind, TimeM, TimeWord};
use super::zones::{self, ZoneLookup, ZoneRef};
use super::{ContextAnchor, DateOrder, Parsed, Role, ZoneUsed};
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
    ) -> Result<(NaiveDate, Option<NaiveDate>), TimeError> {
        let it = &self.items[k];
        let Some(d) = it.date() else {
            return Err(TimeError::NoDate {
                time: self.text_of(it.start..it.end),
            });
        };
        let written = || self.text_of(it.start..it.end);
        // Without a page zone, an ambiguous numeric date follows the zone written in the text:
        // "11/07/2024 15:23 CEST" is day first.
        let mut d = *d;
        if let (Some((am, ad)), Some(m), Some(day)) = (d.alt, d.month, d.day)
            && self.ctx.date_order == DateOrder::FromZone
            && self.ctx.zone.is_none()
            && zone_home(z).is_some_and(|h| {
                !zones::zone_writes_month_first(h) && !h.name().starts_with("Etc/")
            })
        {
            d.alt = Some((m, day));
            d.month = Some(am);
            d.day = Some(ad);
        }
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
                if alt.is_some() {
                    flags.insert(Flag::AmbiguousDateOrder);
                }
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
                if alt.is_some() {
                    flags.insert(Flag::AmbiguousDateOrder);
                }
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
        let (mut date, date_alt, from_context) = match choice {
            DateChoice::Item(k) => {
                let (d, alt) = self.date_from_item(k, &zone, &mut flags)?;
                (d, alt, false)
            }
            DateChoice::Local(d) => (d, None, false),
            DateChoice::Context => {
                let posted = match self.ctx.posted {
                    Some(ContextAnchor::Date(d)) => Some(d),
                    _ => None,
                };
                let prev = self.ctx.previous.map(|p| Self::local_date(p, &zone));
                let d = match (posted, prev) {
                    (Some(a), Some(b)) => a.max(b),
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => {
                        return Err(TimeError::NoDate {
                            time: self.text_of(self.stamp_span(s)),
                        });
                    }
                };
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
        let (mut utc, mut alt, zflags, zone_used) = self.localize(wall, &zone);
        flags = flags.union(zflags);
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
                let (u2, a2, f2, _) = self.localize(wall, &zone);
                utc = u2;
                alt = a2;
                flags = flags.union(f2);
                flags.insert(Flag::DayRollover);
            } else {
                flags.insert(Flag::BeforePrevious);
            }
        }
        if let Some(ad) = date_alt
            && alt.is_none()
        {
            alt = Some(self.localize(wall_on(ad), &zone).0);
        }
        if tm.word == TimeWord::Midnight {
            flags.insert(Flag::AmbiguousMidnight);
            if alt.is_none() {
                alt = Some(self.localize(wall + Duration::days(1), &zone).0);
            }
        }
        Ok(Res {
            utc,
            alt,
            flags,
            zone_used,
            date,
            wall,
        })
    }

    /// Applies a zone to a wall time: the instant, an alternative reading, flags, and what was used.
    fn localize(
        &self,
        wall: NaiveDateTime,
        z: &ZoneSel,
    ) -> (DateTime<Utc>, Option<DateTime<Utc>>, Flags, ZoneUsed) {
        let mut flags = Flags::empty();
        let fixed = |secs: i32| (wall - Duration::seconds(secs as i64)).and_utc();
        match *z {
            ZoneSel::Utc => (wall.and_utc(), None, flags, ZoneUsed::Utc),
            ZoneSel::Fixed(secs) => (
                fixed(secs),
                None,
                flags,
                ZoneUsed::Offset(
                    FixedOffset::east_opt(secs)
                        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset")),
                ),
            ),
            ZoneSel::Named(tz) => {
                let (u, a, f) = in_zone(tz, wall);
                (u, a, f, ZoneUsed::Named(tz))
            }
            ZoneSel::Page(tz) => {
                let (u, a, f) = in_zone(tz, wall);
                (u, a, f, ZoneUsed::Page(tz))
            }
            ZoneSel::Abbr(l) => {
                let page = self.ctx.zone;
                let mut alt = None;
                let entry = if !l.is_ambiguous() {
                    l.default_reading()
                } else if let Some(e) = page.and_then(|p| {
                    l.readings
                        .iter()
                        .find(|e| {
                            zones::tz_offset_at_literal(p, wall, e.offset_secs) == e.offset_secs
                        })
                        .or_else(|| l.readings.iter().find(|e| e.home == p))
                        .or_else(|| {
                            let area = p.name().split('/').next().unwrap_or("");
                            l.readings
                                .iter()
                                .find(|e| e.home.name().split('/').next() == Some(area))
                        })
                }) {
                    e
                } else {
                    flags.insert(Flag::AmbiguousAbbreviation);
                    alt = l.readings.get(1).map(|e2| fixed(e2.offset_secs));
                    l.default_reading()
                };
                let literal = fixed(entry.offset_secs);
                let used = ZoneUsed::Abbreviation(entry);
                if !entry.observes_dst
                    || page.is_some_and(|p| {
                        zones::tz_offset_at_literal(p, wall, entry.offset_secs) == entry.offset_secs
                    })
                {
                    return (literal, alt, flags, used);
                }
                match entry.home.from_local_datetime(&wall) {
                    LocalResult::Single(dt) => {
                        if dt.offset().fix().local_minus_utc() == entry.offset_secs {
                            (literal, alt, flags, used)
                        } else {
                            flags.insert(Flag::AbbreviationContradictsDst);
                            (dt.with_timezone(&Utc), Some(literal), flags, used)
                        }
                    }
                    LocalResult::Ambiguous(a, b) => {
                        let off = |d: &DateTime<Tz>| d.offset().fix().local_minus_utc();
                        if off(&a) == entry.offset_secs || off(&b) == entry.offset_secs {
                            (literal, alt, flags, used)
                        } else {
                            flags.insert(Flag::AbbreviationContradictsDst);
                            (a.with_timezone(&Utc), Some(literal), flags, used)
                        }
                    }
                    LocalResult::None => {
                        flags.insert(Flag::DstGap);
                        (literal, alt, flags, used)
                    }
                }
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
        match st.carried {
            Some(d) => DateChoice::Item(d),
            None => DateChoice::Context,
        }
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
            }),
            _ => Err(TimeError::NoInstantForRelative {
                text: self.text_of(span),
            }),
        }
    }

    /// Resolves a main stamp (single or range start), with its range end and a check of its
    /// equivalent renderings.
    pub(crate) fn resolve_main(&self, s: usize) -> Result<Parsed, TimeError> {
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
                let start = self.resolve_main(p);
                match start {
                    Ok(sp) if sp.end.is_some() => {
                        let span = self.stamp_span(s);
                        let (choice, own_date) = self.end_choice(s, p)?;
                        let res = self.resolve_on(s, choice)?;
                        let utc = sp.end.unwrap_or(res.utc);
                        let mut flags = res.flags;
                        if !own_date {
                            // The end's date is the start's: so is what was assumed about it.
                            for f in [
                                Flag::DateFromContext,
                                Flag::YearInferred,
                                Flag::Relative,
                                Flag::AmbiguousDateOrder,
                            ] {
                                if sp.flags.contains(f) {
                                    flags.insert(f);
                                }
                            }
                        }
                        Ok(Parsed {
                            utc,
                            end: None,
                            alternative: res.alt,
                            flags,
                            zone_used: res.zone_used,
                            matched: span,
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
                        })
                    }
                    Some(Err(e)) => Err(e),
                    None => self.resolve_single(s),
                }
            }
            _ => self.resolve_main(s),
        }
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
        let st = self.stamps[s];
        let choice = match st.date {
            Some(k) => DateChoice::Item(k),
            None => st.carried.map_or(DateChoice::Context, DateChoice::Item),
        };
        let r = self.resolve_on(s, choice)?;
        Ok(Parsed {
            utc: r.utc,
            end: None,
            alternative: r.alt,
            flags: r.flags,
            zone_used: r.zone_used,
            matched: self.stamp_span(s),
        })
    }

    /// Resolves the first date item in the text.
    pub(crate) fn first_date(&self) -> Option<Result<FirstDate, TimeError>> {
        let k = self
            .items
            .iter()
            .position(|it| it.date().is_some_and(usable_date))?;
        let mut flags = Flags::empty();
        let zone = self.ctx.zone.map_or(ZoneSel::Utc, ZoneSel::Page);
        Some(
            self.date_from_item(k, &zone, &mut flags)
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
