//! Turns tokens into items: clock times, dates, zones, relative times and glue.

use super::DateOrder;
use super::lexer::{Kind, Token};
use super::words::{self, Glue};
use super::zones::{self, PHRASES, ZoneRef, zone_abbreviation};
use chrono::Weekday;
use chrono_tz::Tz;

/// am or pm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mer {
    Am,
    Pm,
}

/// "noon" / "midnight" written as words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TimeWord {
    #[default]
    None,
    Noon,
    Midnight,
}

/// A clock time as written (before am/pm is applied).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TimeM {
    pub h: u32,
    pub m: u32,
    pub s: u32,
    pub nanos: u32,
    pub mer: Option<Mer>,
    pub word: TimeWord,
    pub has_seconds: bool,
}

/// A date as written; any part may be missing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateM {
    pub year: Option<i32>,
    pub two_digit_year: bool,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub weekday: Option<Weekday>,
    /// today = 0, yesterday = -1, tomorrow = 1.
    pub rel_days: Option<i32>,
    /// The other (month, day) reading of an ambiguous numeric date (the first is month
    /// first; the resolver decides between them).
    pub alt: Option<(u32, u32)>,
    /// The order a numeric date shows by itself: a part above 12 ("28/11/2022", "01/24/2024")
    /// or dots ("20.05.2022", day first). A vendor's other stamps reveal its convention so.
    pub written_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ItemKind {
    Time(TimeM),
    Date(DateM),
    Zone(ZoneRef),
    /// "3 hours ago": seconds before the fetch instant.
    Ago(i64),
    Glue(Glue),
}

/// One item with its byte span and token span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub kind: ItemKind,
    pub start: usize,
    pub end: usize,
    pub tok0: usize,
    pub tok1: usize,
}

impl Item {
    pub(crate) fn glue(&self) -> Option<Glue> {
        match self.kind {
            ItemKind::Glue(g) => Some(g),
            _ => None,
        }
    }
    pub(crate) fn is_time(&self) -> bool {
        matches!(self.kind, ItemKind::Time(_))
    }
    pub(crate) fn is_zone(&self) -> bool {
        matches!(self.kind, ItemKind::Zone(_))
    }
    pub(crate) fn date(&self) -> Option<&DateM> {
        match &self.kind {
            ItemKind::Date(d) => Some(d),
            _ => None,
        }
    }
}

pub(crate) struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Token],
    pub items: Vec<Item>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str, toks: &'a [Token]) -> Self {
        Scanner {
            text,
            toks,
            items: Vec::with_capacity(toks.len()),
        }
    }

    // ---- token helpers ----

    fn tok(&self, i: usize) -> Option<&Token> {
        self.toks.get(i)
    }
    fn word(&self, i: usize) -> Option<&'a str> {
        let t = self.toks.get(i)?;
        (t.kind == Kind::Word).then(|| &self.text[t.start..t.end])
    }
    fn word_tight(&self, i: usize) -> Option<&'a str> {
        let t = self.toks.get(i)?;
        (t.kind == Kind::Word && !t.space).then(|| &self.text[t.start..t.end])
    }
    fn is_p(&self, i: usize, c: char) -> bool {
        matches!(self.toks.get(i), Some(t) if t.kind == Kind::Punct(c))
    }
    fn is_p_tight(&self, i: usize, c: char) -> bool {
        matches!(self.toks.get(i), Some(t) if t.kind == Kind::Punct(c) && !t.space)
    }
    fn num(&self, i: usize) -> Option<&Token> {
        self.toks.get(i).filter(|t| t.kind == Kind::Num)
    }
    fn num_tight(&self, i: usize) -> Option<&Token> {
        self.toks.get(i).filter(|t| t.kind == Kind::Num && !t.space)
    }
    fn tok_start(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.text.len(), |t| t.start)
    }
    fn tok_end(&self, i: usize) -> usize {
        if i == 0 {
            return 0;
        }
        self.toks.get(i - 1).map_or(self.text.len(), |t| t.end)
    }

    fn push(&mut self, kind: ItemKind, tok0: usize, tok1: usize) {
        let start = self.tok_start(tok0);
        let end = self.tok_end(tok1);
        self.items.push(Item {
            kind,
            start,
            end,
            tok0,
            tok1,
        });
    }

    /// Whether the last item is a time ending right before token `i`, or before a `(` at `i-1`.
    fn after_time(&self, i: usize) -> bool {
        match self.items.last() {
            Some(it) if it.is_time() => it.tok1 == i || (it.tok1 + 1 == i && self.is_p(i - 1, '(')),
            _ => false,
        }
    }

    // ---- main loop ----

    pub(crate) fn run(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let t = self.toks[i];
            let next = match t.kind {
                Kind::Num => self.at_num(i),
                Kind::Word => self.at_word(i),
                Kind::Punct(c) => self.at_punct(i, c),
            };
            i = match next {
                Some(j) if j > i => j,
                _ => {
                    let g = match t.kind {
                        Kind::Num => Glue::Num,
                        Kind::Word => {
                            let w = &self.text[t.start..t.end];
                            if words::month(w).is_some() {
                                Glue::MonthWord
                            } else if w == "T" && !t.space && self.num_tight(i + 1).is_some() {
                                Glue::At
                            } else {
                                words::glue_word(w)
                            }
                        }
                        Kind::Punct(c) => words::glue_punct(c),
                    };
                    self.push(ItemKind::Glue(g), i, i + 1);
                    i + 1
                }
            };
        }
    }

    fn at_num(&mut self, i: usize) -> Option<usize> {
        if let Some((d, j)) = self.iso_date(i).or_else(|| self.numeric_date(i)) {
            self.push(ItemKind::Date(d), i, j);
            return Some(j);
        }
        if let Some((t, j)) = self.time_at(i) {
            self.push(ItemKind::Time(t), i, j);
            return Some(j);
        }
        if let Some((d, j)) = self.dayfirst_date(i) {
            self.push(ItemKind::Date(d), i, j);
            return Some(j);
        }
        let t = self.toks[i];
        if let Some(u) = self.word(i + 1).and_then(words::unit) {
            // "3 hours ago" or a duration ("1 hour and 26 minutes").
            if let (Some(secs), Some(w)) = (u, self.word(i + 2))
                && w.eq_ignore_ascii_case("ago")
            {
                self.push(ItemKind::Ago(secs * t.val as i64), i, i + 3);
                return Some(i + 3);
            }
            self.push(ItemKind::Glue(Glue::Consumed), i, i + 2);
            return Some(i + 2);
        }
        None
    }

    fn at_word(&mut self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        if let Some((wd, full)) = words::weekday(w) {
            let mut k = i + 1;
            if self.is_p(k, ',') || self.is_p_tight(k, '.') {
                k += 1;
            }
            let found = if let Some(m) = self.word(k).and_then(words::month) {
                self.monthfirst_date(k, m)
            } else if self.num(k).is_some() {
                self.iso_date(k)
                    .or_else(|| self.numeric_date(k))
                    .or_else(|| self.dayfirst_date(k))
            } else {
                None
            };
            if let Some((mut d, j)) = found {
                d.weekday = Some(wd);
                self.push(ItemKind::Date(d), i, j);
                return Some(j);
            }
            if full {
                let d = DateM {
                    weekday: Some(wd),
                    ..DateM::default()
                };
                self.push(ItemKind::Date(d), i, i + 1);
                return Some(i + 1);
            }
            return None;
        }
        if let Some(m) = words::month(w) {
            if let Some((d, j)) = self.monthfirst_date(i, m) {
                self.push(ItemKind::Date(d), i, j);
                return Some(j);
            }
            // "June 2024": a month, not a date; consumed so its year is no leftover.
            let mut k = i + 1;
            if self.is_p_tight(k, '.') {
                k += 1;
            }
            if let Some(y) = self.num(k)
                && y.digits == 4
                && !self.is_p_tight(k + 1, ':')
            {
                self.push(ItemKind::Glue(Glue::Consumed), i, k + 1);
                return Some(k + 1);
            }
            return None;
        }
        if w.eq_ignore_ascii_case("the") {
            if let Some((d, j)) = self.dayfirst_date(i + 1) {
                self.push(ItemKind::Date(d), i, j);
                return Some(j);
            }
            if let Some(n) = self.num(i + 1)
                && n.digits <= 2
                && (1..=31).contains(&n.val)
                && self.word_tight(i + 2).is_some_and(words::is_ordinal_suffix)
            {
                let d = DateM {
                    day: Some(n.val),
                    ..DateM::default()
                };
                self.push(ItemKind::Date(d), i, i + 3);
                return Some(i + 3);
            }
            return None;
        }
        if w.eq_ignore_ascii_case("noon")
            || w.eq_ignore_ascii_case("midday")
            || w.eq_ignore_ascii_case("midnight")
        {
            let word = if w.eq_ignore_ascii_case("midnight") {
                TimeWord::Midnight
            } else {
                TimeWord::Noon
            };
            let t = TimeM {
                h: if word == TimeWord::Noon { 12 } else { 0 },
                word,
                ..TimeM::default()
            };
            self.push(ItemKind::Time(t), i, i + 1);
            return Some(i + 1);
        }
        let rel = if w.eq_ignore_ascii_case("today")
            || w.eq_ignore_ascii_case("tonight")
            || w.eq_ignore_ascii_case("heute")
        {
            Some(0)
        } else if w.eq_ignore_ascii_case("yesterday") || w.eq_ignore_ascii_case("gestern") {
            Some(-1)
        } else if w.eq_ignore_ascii_case("tomorrow") {
            Some(1)
        } else {
            None
        };
        if let Some(rel) = rel {
            // "today, September 23, 2024": the written date wins.
            let mut k = i + 1;
            if self.is_p(k, ',') {
                k += 1;
            }
            let explicit = if let Some(m) = self.word(k).and_then(words::month) {
                self.monthfirst_date(k, m)
            } else if let Some((wd, _)) = self.word(k).and_then(words::weekday) {
                let mut k2 = k + 1;
                if self.is_p(k2, ',') {
                    k2 += 1;
                }
                let d = match self.word(k2).and_then(words::month) {
                    Some(m) => self.monthfirst_date(k2, m),
                    None => self.dayfirst_date(k2),
                };
                d.map(|(mut d, j)| {
                    d.weekday = Some(wd);
                    (d, j)
                })
            } else if self.num(k).is_some() {
                self.iso_date(k)
                    .or_else(|| self.numeric_date(k))
                    .or_else(|| self.dayfirst_date(k))
            } else {
                None
            };
            if let Some((d, j)) = explicit {
                self.push(ItemKind::Date(d), i, j);
                return Some(j);
            }
            let d = DateM {
                rel_days: Some(rel),
                ..DateM::default()
            };
            self.push(ItemKind::Date(d), i, i + 1);
            return Some(i + 1);
        }
        if (w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an"))
            && let Some(Some(secs)) = self.word(i + 1).and_then(words::unit)
            && self
                .word(i + 2)
                .is_some_and(|a| a.eq_ignore_ascii_case("ago"))
        {
            self.push(ItemKind::Ago(secs), i, i + 3);
            return Some(i + 3);
        }
        let after_time = self.after_time(i);
        if let Some((z, j)) = self.zone_at(i, after_time) {
            self.push(ItemKind::Zone(z), i, j);
            return Some(j);
        }
        None
    }

    fn at_punct(&mut self, i: usize, c: char) -> Option<usize> {
        if matches!(c, '+' | '-' | '−') {
            // A numeric offset right after a time: "+08:00", "-06:00" after seconds.
            let last = self.items.last()?;
            let ItemKind::Time(t) = last.kind else {
                return None;
            };
            if last.tok1 != i {
                return None;
            }
            let sign_space = self.toks[i].space;
            if c != '+' && !t.has_seconds {
                return None;
            }
            if c != '+' && sign_space && self.num_tight(i + 1).is_some_and(|n| n.digits != 4) {
                return None;
            }
            if let Some((secs, j)) = self.offset_digits(i + 1, c != '+')
                && let Some(secs) = secs
            {
                self.push(ItemKind::Zone(ZoneRef::Fixed(secs)), i, j);
                return Some(j);
            }
        }
        None
    }

    // ---- zones ----

    /// Reads the digits of an offset after its sign at `i`: `8`, `08`, `08:00`, `0800`, `5:30`.
    /// Returns `(Some(seconds), next)` or `(None, next)` when out of range.
    fn offset_digits(&self, i: usize, negative: bool) -> Option<(Option<i32>, usize)> {
        let n = self.num_tight(i)?;
        let (h, m, j) = if n.digits <= 2 {
            if self.is_p_tight(i + 1, ':')
                && let Some(mm) = self.num_tight(i + 2)
                && mm.digits == 2
            {
                (n.val, mm.val, i + 3)
            } else {
                (n.val, 0, i + 1)
            }
        } else if n.digits == 3 || n.digits == 4 {
            (n.val / 100, n.val % 100, i + 1)
        } else {
            return None;
        };
        let ok = h <= 14 && m < 60 && (h < 14 || m == 0) && (!negative || h <= 12);
        let secs = (h * 3600 + m * 60) as i32;
        Some((ok.then_some(if negative { -secs } else { secs }), j))
    }

    /// A zone starting at token `i`, if any.
    pub(crate) fn zone_at(&self, i: usize, after_time: bool) -> Option<(ZoneRef, usize)> {
        let w = self.word(i)?;
        let upper = w.bytes().all(|b| b.is_ascii_uppercase());
        if w.eq_ignore_ascii_case("utc") || w.eq_ignore_ascii_case("gmt") || w == "UT" {
            // "GMT+1", "UTC+05:30", "(GMT +08:00)", "UTC-5".
            let k = i + 1;
            if let Some(t) = self.tok(k) {
                let sign = match t.kind {
                    Kind::Punct('+') => Some(false),
                    Kind::Punct('-') | Kind::Punct('−') if !t.space => Some(true),
                    _ => None,
                };
                if let Some(neg) = sign
                    && let Some((secs, j)) = self.offset_digits(k + 1, neg)
                {
                    return Some((secs.map_or(ZoneRef::BadOffset, ZoneRef::Fixed), j));
                }
            }
            return Some((ZoneRef::Utc, i + 1));
        }
        if w == "Z" {
            return (after_time && !self.toks[i].space).then_some((ZoneRef::Utc, i + 1));
        }
        if zones::is_iana_area(w) && self.is_p_tight(i + 1, '/') && self.word_tight(i + 2).is_some()
        {
            let mut j = i + 2;
            while let Some(t) = self.tok(j) {
                let joins = matches!(
                    t.kind,
                    Kind::Word | Kind::Num | Kind::Punct('/' | '_' | '-' | '+')
                );
                if !joins || t.space {
                    break;
                }
                j += 1;
            }
            let name = &self.text[self.toks[i].start..self.toks[j - 1].end];
            return Some(match name.parse::<Tz>() {
                Ok(tz) => (ZoneRef::Named(tz), j),
                Err(_) => (ZoneRef::Unknown, j),
            });
        }
        if let Some((z, j)) = self.phrase_at(i) {
            return Some((z, j));
        }
        if upper {
            if let Some(l) = zone_abbreviation(w) {
                return Some((ZoneRef::Abbr(l), i + 1));
            }
            if let Some(tz) = zones::generic_two_letter(w) {
                return Some((ZoneRef::Named(tz), i + 1));
            }
        }
        if after_time {
            if let Some(tz) = zones::region_word(w) {
                // "Eastern" alone, optionally followed by "time".
                let j = if self
                    .word(i + 1)
                    .is_some_and(|t| t.eq_ignore_ascii_case("time"))
                {
                    i + 2
                } else {
                    i + 1
                };
                return Some((ZoneRef::Named(tz), j));
            }
            if upper
                && (3..=5).contains(&w.len())
                && w.ends_with('T')
                && !words::is_plain_upper_word(w)
                && self.num_tight(i + 1).is_none()
            {
                return Some((ZoneRef::Unknown, i + 1));
            }
        }
        None
    }

    fn phrase_at(&self, i: usize) -> Option<(ZoneRef, usize)> {
        let first = self.word(i)?;
        if !zones::may_start_phrase(first) {
            return None;
        }
        'phrases: for (words, z) in PHRASES {
            if !first.eq_ignore_ascii_case(words[0]) {
                continue;
            }
            for (k, pw) in words.iter().enumerate().skip(1) {
                match self.word(i + k) {
                    Some(w) if w.eq_ignore_ascii_case(pw) && self.toks[i + k].space => {}
                    _ => continue 'phrases,
                }
            }
            return Some((z.to_ref(), i + words.len()));
        }
        None
    }

    // ---- times ----

    fn meridiem(&self, j: usize) -> Option<(Mer, usize)> {
        let w = self.word(j)?;
        let mer = |s: &str| {
            if s.eq_ignore_ascii_case("a") || s.eq_ignore_ascii_case("am") {
                Some(Mer::Am)
            } else if s.eq_ignore_ascii_case("p") || s.eq_ignore_ascii_case("pm") {
                Some(Mer::Pm)
            } else {
                None
            }
        };
        if w.len() == 2 {
            let m = mer(w)?;
            let k = if self.is_p_tight(j + 1, '.') {
                j + 2
            } else {
                j + 1
            };
            return Some((m, k));
        }
        if w.len() == 1
            && self.is_p_tight(j + 1, '.')
            && self
                .word_tight(j + 2)
                .is_some_and(|x| x.eq_ignore_ascii_case("m"))
        {
            let m = mer(w)?;
            let k = if self.is_p_tight(j + 3, '.') {
                j + 4
            } else {
                j + 3
            };
            return Some((m, k));
        }
        None
    }

    fn marker(&self, j: usize) -> Option<usize> {
        self.word(j)
            .filter(|w| words::is_clock_marker(w))
            .map(|_| j + 1)
    }

    fn zone_follows(&self, j: usize) -> bool {
        let j = if self.is_p(j, '(') { j + 1 } else { j };
        matches!(self.zone_at(j, true), Some((z, _)) if z != ZoneRef::Unknown)
    }

    fn time_at(&self, i: usize) -> Option<(TimeM, usize)> {
        let t = self.toks[i];
        let mut tm = TimeM::default();
        if t.digits <= 2 {
            // H:MM[:SS[.fff]]
            if self.is_p_tight(i + 1, ':')
                && let Some(mm) = self.num_tight(i + 2)
                && mm.digits == 2
            {
                tm.h = t.val;
                tm.m = mm.val;
                let mut j = i + 3;
                if self.is_p_tight(j, ':')
                    && let Some(ss) = self.num_tight(j + 1)
                    && ss.digits == 2
                {
                    tm.s = ss.val;
                    tm.has_seconds = true;
                    j += 2;
                    if (self.is_p_tight(j, '.') || self.is_p_tight(j, ','))
                        && let Some(frac) = self.num_tight(j + 1)
                        && frac.digits <= 9
                    {
                        tm.nanos = frac.val * 10u32.pow(9 - frac.digits as u32);
                        j += 2;
                    }
                }
                if let Some((m, k)) = self.meridiem(j) {
                    tm.mer = Some(m);
                    j = k;
                }
                if let Some(k) = self.marker(j) {
                    j = k;
                }
                // "12:00 noon", "12:00 midnight"
                if tm.m == 0
                    && let Some(w) = self.word(j)
                {
                    if tm.h == 12
                        && (w.eq_ignore_ascii_case("noon") || w.eq_ignore_ascii_case("midday"))
                    {
                        tm.word = TimeWord::Noon;
                        tm.mer = None;
                        j += 1;
                    } else if (tm.h == 12 || tm.h == 0) && w.eq_ignore_ascii_case("midnight") {
                        tm.word = TimeWord::Midnight;
                        tm.h = 0;
                        tm.mer = None;
                        j += 1;
                    }
                }
                return Some((tm, j));
            }
            // H.MM / H. MM with am/pm, Uhr or a zone after it.
            if self.is_p_tight(i + 1, '.')
                && let Some(mm) = self.num(i + 2)
                && mm.digits == 2
                && !self.is_p_tight(i + 3, '.')
            {
                tm.h = t.val;
                tm.m = mm.val;
                let j = i + 3;
                if let Some((m, k)) = self.meridiem(j) {
                    tm.mer = Some(m);
                    return Some((tm, k));
                }
                if let Some(k) = self.marker(j) {
                    return Some((tm, k));
                }
                if self.zone_follows(j) {
                    return Some((tm, j));
                }
            }
            // 14h30
            if self
                .word_tight(i + 1)
                .is_some_and(|w| w.eq_ignore_ascii_case("h"))
                && let Some(mm) = self.num_tight(i + 2)
                && mm.digits == 2
            {
                tm.h = t.val;
                tm.m = mm.val;
                return Some((tm, i + 3));
            }
            // 5pm, 5 a.m., 19 Uhr, 12 noon
            if let Some((m, k)) = self.meridiem(i + 1) {
                tm.h = t.val;
                tm.mer = Some(m);
                return Some((tm, k));
            }
            // "10 - 2 pm", "9 to 11 a.m.": a bare hour before a range end with am/pm.
            if t.val <= 12
                && (self.is_p(i + 1, '-')
                    || self.is_p(i + 1, '–')
                    || self
                        .word(i + 1)
                        .is_some_and(|w| w.eq_ignore_ascii_case("to"))
                    || (i > 0
                        && self
                            .word(i - 1)
                            .is_some_and(|w| w.eq_ignore_ascii_case("between"))
                        && self
                            .word(i + 1)
                            .is_some_and(|w| w.eq_ignore_ascii_case("and"))))
                && let Some(n) = self.num(i + 2)
                && n.digits <= 2
                && n.val <= 12
                && self.meridiem(i + 3).is_some()
            {
                tm.h = t.val;
                return Some((tm, i + 1));
            }
            if self
                .word(i + 1)
                .is_some_and(|w| w.eq_ignore_ascii_case("uhr"))
                && t.val <= 24
            {
                let k = i + 2;
                tm.h = t.val;
                return Some((tm, k));
            }
            if t.val == 12
                && let Some(w) = self.word(i + 1)
            {
                if w.eq_ignore_ascii_case("noon") || w.eq_ignore_ascii_case("midday") {
                    tm.h = 12;
                    tm.word = TimeWord::Noon;
                    return Some((tm, i + 2));
                }
                if w.eq_ignore_ascii_case("midnight") {
                    tm.word = TimeWord::Midnight;
                    return Some((tm, i + 2));
                }
            }
        }
        if t.digits == 4 && t.val / 100 <= 24 && t.val % 100 <= 59 {
            // 0328 UTC, 1400 Uhr, 1400Z
            tm.h = t.val / 100;
            tm.m = t.val % 100;
            if let Some(k) = self.marker(i + 1) {
                return Some((tm, k));
            }
            if self.zone_follows(i + 1) {
                return Some((tm, i + 1));
            }
            // A compact range, "1412 – 1436 UTC", "0917–0955 UTC": the start is a time
            // because its end is one.
            let after_between = i > 0
                && self
                    .word(i - 1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("between"));
            let joined = self.is_p(i + 1, '-')
                || self.is_p(i + 1, '–')
                || self.is_p(i + 1, '—')
                || self.word(i + 1).is_some_and(|w| {
                    w.eq_ignore_ascii_case("to") || (after_between && w.eq_ignore_ascii_case("and"))
                });
            if joined
                && self.num(i + 2).is_some_and(|n| n.digits == 4)
                && self.time_at(i + 2).is_some()
            {
                return Some((tm, i + 1));
            }
        }
        None
    }

    // ---- dates ----

    /// YYYY-MM-DD or YYYY/MM/DD.
    fn iso_date(&self, i: usize) -> Option<(DateM, usize)> {
        let y = self.num(i)?;
        if y.digits != 4 {
            return None;
        }
        let sep = match self.tok(i + 1)?.kind {
            Kind::Punct(c @ ('-' | '/' | '.')) if !self.toks[i + 1].space => c,
            _ => return None,
        };
        let m = self.num_tight(i + 2).filter(|t| t.digits <= 2)?;
        if !self.is_p_tight(i + 3, sep) {
            return None;
        }
        let d = self.num_tight(i + 4).filter(|t| t.digits <= 2)?;
        if self.is_p_tight(i + 5, sep) && self.num_tight(i + 6).is_some() {
            return None;
        }
        Some((
            DateM {
                year: Some(y.val as i32),
                month: Some(m.val),
                day: Some(d.val),
                ..DateM::default()
            },
            i + 5,
        ))
    }

    /// 01/24/2024, 28/11/2022, 20.05.2022, 20.05., 10/03 (before a time).
    fn numeric_date(&self, i: usize) -> Option<(DateM, usize)> {
        let a = self.num(i)?;
        if a.digits > 2 {
            return None;
        }
        let sep = match self.tok(i + 1)?.kind {
            Kind::Punct(c @ ('/' | '.' | '-')) if !self.toks[i + 1].space => c,
            _ => return None,
        };
        let b = self.num_tight(i + 2).filter(|t| t.digits <= 2)?;
        let dotted = sep == '.';
        let (year, two_digit, j) = if self.is_p_tight(i + 3, sep) {
            match self.num_tight(i + 4) {
                Some(y) if y.digits == 4 || y.digits == 2 => {
                    if self.is_p_tight(i + 5, ':')
                        || (self.is_p_tight(i + 5, sep) && self.num_tight(i + 6).is_some())
                    {
                        return None;
                    }
                    (Some(y.val as i32), y.digits == 2, i + 5)
                }
                Some(_) => return None,
                None if dotted => (None, false, i + 4),
                None => return None,
            }
        } else if sep == '/' && self.num(i + 3).is_some() && self.time_at(i + 3).is_some() {
            (None, false, i + 3)
        } else {
            return None;
        };
        let (x, y) = (a.val, b.val);
        // Month first when both readings are possible; the resolver weighs the evidence.
        let (month, day, alt, written_order) = if dotted || (x > 12 && y <= 12) {
            (y, x, None, Some(DateOrder::DayFirst))
        } else if y > 12 && x <= 12 {
            (x, y, None, Some(DateOrder::MonthFirst))
        } else if x > 12 && y > 12 {
            return None;
        } else if x == y {
            (x, y, None, None)
        } else {
            (x, y, Some((y, x)), None)
        };
        if month == 0 || day == 0 || day > 31 {
            return None;
        }
        Some((
            DateM {
                year,
                two_digit_year: two_digit,
                month: Some(month),
                day: Some(day),
                alt,
                written_order,
                ..DateM::default()
            },
            j,
        ))
    }

    /// The optional year after a day: `, 2024` or ` 2024` (not a time like `20:07`).
    fn year_after(&self, k: usize) -> Option<(i32, usize)> {
        let k2 = if self.is_p(k, ',') { k + 1 } else { k };
        let y = self.num(k2)?;
        if y.digits != 4
            || self.is_p_tight(k2 + 1, ':')
            || self.is_p_tight(k2 + 1, '.') && self.num_tight(k2 + 2).is_some()
        {
            return None;
        }
        Some((y.val as i32, k2 + 1))
    }

    /// Month-first with a month name at `i`: "Oct 2nd, 2024", "Sept. 5", "March 01".
    fn monthfirst_date(&self, i: usize, month: u32) -> Option<(DateM, usize)> {
        let mut k = i + 1;
        if self.is_p_tight(k, '.') {
            k += 1;
        }
        let d = self.num(k)?;
        if d.digits > 2 || !(1..=31).contains(&d.val) || self.is_p_tight(k + 1, ':') {
            return None;
        }
        if (self.is_p_tight(k + 1, '.') || self.is_p_tight(k + 1, '/'))
            && self.num_tight(k + 2).is_some()
        {
            return None;
        }
        k += 1;
        if self.word_tight(k).is_some_and(words::is_ordinal_suffix) {
            k += 1;
        }
        let mut date = DateM {
            month: Some(month),
            day: Some(d.val),
            ..DateM::default()
        };
        if let Some((y, j)) = self.year_after(k) {
            date.year = Some(y);
            k = j;
        }
        Some((date, k))
    }

    /// Day-first with a month name: "18. April 2022", "22nd October 2024", "3 November 2024".
    fn dayfirst_date(&self, i: usize) -> Option<(DateM, usize)> {
        let d = self.num(i)?;
        if d.digits > 2 || !(1..=31).contains(&d.val) {
            return None;
        }
        let mut k = i + 1;
        if self.word_tight(k).is_some_and(words::is_ordinal_suffix) || self.is_p_tight(k, '.') {
            k += 1;
        }
        if self.word(k).is_some_and(|w| w.eq_ignore_ascii_case("of")) {
            k += 1;
        }
        let month = self.word(k).and_then(words::month)?;
        k += 1;
        if self.is_p_tight(k, '.') {
            k += 1;
        }
        let mut date = DateM {
            month: Some(month),
            day: Some(d.val),
            ..DateM::default()
        };
        if let Some((y, j)) = self.year_after(k) {
            date.year = Some(y);
            k = j;
        }
        Some((date, k))
    }
}
