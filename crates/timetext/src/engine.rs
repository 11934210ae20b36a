//! Assembles items into stamps (a time with its date and zone) and links ranges, slash
//! pairs and equivalent renderings. Resolution to instants is in `resolve.rs`.

use super::lexer::{self, Token};
use super::scan::{DateM, Item, ItemKind, Mer, Scanner, TimeWord};
use super::words::Glue;
use super::{Context, Role};
use std::ops::Range;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    /// The time (or "… ago") item.
    pub item: usize,
    /// The zone item that applies (attached, shared in a range, or a free mention).
    pub zone: Option<usize>,
    /// The stamp's own date item.
    pub date: Option<usize>,
    /// A date written earlier in the text, used when the stamp has none of its own.
    pub carried: Option<usize>,
    /// First and last item of the stamp (inclusive).
    pub first: usize,
    pub last: usize,
    /// am/pm, possibly taken from a range partner.
    pub mer: Option<Mer>,
    pub role: Role,
    /// Range partner, or the main stamp of an equivalent.
    pub partner: Option<usize>,
}

pub(crate) struct Engine<'a> {
    pub text: &'a str,
    pub toks: Vec<Token>,
    pub items: Vec<Item>,
    pub stamps: Vec<Stamp>,
    pub ctx: &'a Context,
}

fn leading_glue(g: Glue) -> bool {
    matches!(
        g,
        Glue::Comma
            | Glue::Dash
            | Glue::At
            | Glue::On
            | Glue::Between
            | Glue::From
            | Glue::Filler
            | Glue::OpenParen
            | Glue::OpenBracket
            | Glue::Colon
    )
}

pub(super) fn usable_date(d: &DateM) -> bool {
    d.day.is_some() || d.weekday.is_some() || d.rel_days.is_some()
}

impl<'a> Engine<'a> {
    pub(crate) fn new(text: &'a str, ctx: &'a Context) -> Self {
        let mut toks = Vec::with_capacity(text.len() / 3 + 4);
        lexer::lex(text, &mut toks);
        let items = {
            let mut sc = Scanner::new(text, &toks);
            sc.run();
            sc.items
        };
        let mut e = Engine {
            text,
            toks,
            items,
            stamps: Vec::new(),
            ctx,
        };
        e.assemble();
        e
    }

    fn glue(&self, k: usize) -> Option<Glue> {
        self.items.get(k).and_then(Item::glue)
    }
    fn is_zone(&self, k: usize) -> bool {
        self.items.get(k).is_some_and(Item::is_zone)
    }
    fn is_date(&self, k: usize) -> bool {
        self.items
            .get(k)
            .and_then(Item::date)
            .is_some_and(usable_date)
    }

    pub(crate) fn span(&self, first: usize, last: usize) -> Range<usize> {
        self.items[first].start..self.items[last].end
    }

    pub(crate) fn stamp_span(&self, s: usize) -> Range<usize> {
        self.span(self.stamps[s].first, self.stamps[s].last)
    }

    // ---------------------------------------------------------------- assembly

    fn assemble(&mut self) {
        for (k, it) in self.items.iter().enumerate() {
            let mer = match it.kind {
                ItemKind::Time(t) => t.mer,
                ItemKind::Ago(_) => None,
                _ => continue,
            };
            self.stamps.push(Stamp {
                item: k,
                zone: None,
                date: None,
                carried: None,
                first: k,
                last: k,
                mer,
                role: Role::Single,
                partner: None,
            });
        }
        if self.stamps.is_empty() {
            return;
        }
        let n = self.items.len();
        let mut claimed_zone = vec![false; n];
        let mut claimed_date = vec![false; n];
        for s in 0..self.stamps.len() {
            let ti = self.stamps[s].item;
            if !self.items[ti].is_time() {
                continue;
            }
            let mut st = self.stamps[s];
            // Zone right after the time, bare or in parentheses.
            let k = ti + 1;
            if self.is_zone(k) {
                st.zone = Some(k);
                st.last = k;
            } else if self.glue(k) == Some(Glue::OpenParen) && self.is_zone(k + 1) {
                st.zone = Some(k + 1);
                st.last = if self.glue(k + 2) == Some(Glue::CloseParen) {
                    k + 2
                } else {
                    k + 1
                };
            }
            // Leading date: only glue between it and the time.
            let mut j = ti;
            while j > 0 {
                j -= 1;
                let it = &self.items[j];
                if let Some(d) = it.date() {
                    if usable_date(d) && !claimed_date[j] {
                        st.date = Some(j);
                        st.first = j;
                    }
                    break;
                }
                match it.glue() {
                    Some(g) if leading_glue(g) => continue,
                    Some(Glue::Period) if j > 0 && self.glue(j - 1) == Some(Glue::Filler) => {
                        continue;
                    }
                    _ => break,
                }
            }
            // Trailing date: "… on October 20", "…, today, September 23, 2024".
            if st.date.is_none() {
                let mut k = st.last + 1;
                let mut saw_on = false;
                while let Some(g) = self.glue(k) {
                    match g {
                        Glue::On => saw_on = true,
                        Glue::Comma => {}
                        _ => break,
                    }
                    k += 1;
                }
                if self.is_date(k) && !claimed_date[k] && (saw_on || !self.date_leads_time(k)) {
                    st.date = Some(k);
                    st.last = k;
                    if st.zone.is_none() && self.is_zone(k + 1) {
                        st.zone = Some(k + 1);
                        st.last = k + 1;
                    }
                }
            }
            // "Thu Jul 11 15:23:00 UTC 2024": the year after the time.
            if let Some(d) = st.date
                && let ItemKind::Date(dm) = self.items[d].kind
                && dm.year.is_none()
                && dm.month.is_some()
                && self.glue(st.last + 1) == Some(Glue::Num)
            {
                let y = self.toks[self.items[st.last + 1].tok0];
                if y.digits == 4 && (1900..=2100).contains(&y.val) {
                    if let ItemKind::Date(dm) = &mut self.items[d].kind {
                        dm.year = Some(y.val as i32);
                    }
                    self.items[st.last + 1].kind = ItemKind::Glue(Glue::Consumed);
                    st.last += 1;
                }
            }
            if let Some(z) = st.zone {
                claimed_zone[z] = true;
            }
            if let Some(d) = st.date {
                claimed_date[d] = true;
            }
            self.stamps[s] = st;
        }
        self.link_pairs(&mut claimed_zone);
        self.link_equivalents();
        self.link_ranges();
        // Free zone mentions ("(all times are US/Pacific)") apply to stamps without a zone:
        // the nearest one after the stamp, else the nearest one before.
        for s in 0..self.stamps.len() {
            let st = self.stamps[s];
            if st.zone.is_some() || !self.items[st.item].is_time() {
                continue;
            }
            let free = |k: &usize| self.items[*k].is_zone() && !claimed_zone[*k];
            let after = (st.last + 1..n).find(free);
            let before = (0..st.first).rev().find(free);
            self.stamps[s].zone = after.or(before);
        }
        // Dates written earlier in the text carry forward.
        for s in 0..self.stamps.len() {
            let st = self.stamps[s];
            if st.date.is_none() {
                self.stamps[s].carried = (0..st.first).rev().find(|k| self.is_date(*k));
            }
        }
    }

    /// Whether the date at `k` is followed, through leading glue, by a time.
    fn date_leads_time(&self, k: usize) -> bool {
        let mut j = k + 1;
        while let Some(it) = self.items.get(j) {
            if it.is_time() {
                return true;
            }
            match it.glue() {
                Some(g) if leading_glue(g) => j += 1,
                _ => return false,
            }
        }
        false
    }

    /// "2:20/1:20 PM EST/CST": one moment written twice; the first takes the second's am/pm
    /// and the first of the two zones.
    fn link_pairs(&mut self, claimed_zone: &mut [bool]) {
        for s in 0..self.stamps.len().saturating_sub(1) {
            let (a, b) = (self.stamps[s], self.stamps[s + 1]);
            if a.role != Role::Single
                || !self.items[a.item].is_time()
                || !self.items[b.item].is_time()
                || a.last + 2 != b.first
                || self.glue(a.last + 1) != Some(Glue::Slash)
                || a.zone.is_some()
            {
                continue;
            }
            let mut b2 = b;
            if let Some(z) = b.zone {
                if self.glue(z + 1) == Some(Glue::Slash) && self.is_zone(z + 2) {
                    self.stamps[s].zone = Some(z);
                    b2.zone = Some(z + 2);
                    b2.last = b2.last.max(z + 2);
                    claimed_zone[z + 2] = true;
                } else {
                    self.stamps[s].zone = Some(z);
                }
            }
            if a.mer.is_none() {
                self.stamps[s].mer = b.mer;
            }
            b2.role = Role::Equivalent;
            b2.partner = Some(s);
            self.stamps[s + 1] = b2;
        }
    }

    /// "09:00 CEST (03:00 AM EDT, 00:00 PDT)", "18:07 UTC | 10:07 PT".
    fn link_equivalents(&mut self) {
        for s in 0..self.stamps.len() {
            if self.stamps[s].role != Role::Single || !self.items[self.stamps[s].item].is_time() {
                continue;
            }
            let mut k = self.stamps[s].last + 1;
            while self.glue(k) == Some(Glue::Local) {
                k += 1;
            }
            match self.glue(k) {
                Some(Glue::OpenParen) => {
                    let close = (k + 1..self.items.len())
                        .find(|j| self.glue(*j) == Some(Glue::CloseParen))
                        .unwrap_or(self.items.len());
                    for t in s + 1..self.stamps.len() {
                        let st = self.stamps[t];
                        if st.item <= k || st.item >= close {
                            break;
                        }
                        if st.role == Role::Single && self.items[st.item].is_time() {
                            self.stamps[t].role = Role::Equivalent;
                            self.stamps[t].partner = Some(s);
                        }
                    }
                }
                Some(Glue::Pipe) => {
                    if let Some(t) = self.stamps.get(s + 1)
                        && t.first == k + 1
                        && t.role == Role::Single
                    {
                        self.stamps[s + 1].role = Role::Equivalent;
                        self.stamps[s + 1].partner = Some(s);
                    }
                }
                _ => {}
            }
        }
    }

    /// "between A and B", "from A to B", "A - B", "A until B".
    fn link_ranges(&mut self) {
        let mut s = 0;
        while s + 1 < self.stamps.len() {
            // The next stamp that is not an equivalent rendering of this one: "from 09:00 CEST
            // (03:00 AM EDT) to 11:00 CEST (05:00 AM EDT)".
            let mut t = s + 1;
            let mut gap_from = self.stamps[s].last + 1;
            while t < self.stamps.len()
                && self.stamps[t].role == Role::Equivalent
                && self.stamps[t].partner == Some(s)
            {
                gap_from = gap_from.max(self.stamps[t].last + 1);
                t += 1;
            }
            if t > s + 1 && self.glue(gap_from) == Some(Glue::CloseParen) {
                gap_from += 1;
            }
            if t >= self.stamps.len() {
                break;
            }
            let (a, b) = (self.stamps[s], self.stamps[t]);
            let timed = self.items[a.item].is_time() && self.items[b.item].is_time();
            if !timed || a.role != Role::Single || b.role != Role::Single || gap_from > b.first {
                s += 1;
                continue;
            }
            let mut conn = None;
            let mut ok = true;
            for k in gap_from..b.first {
                match self.glue(k) {
                    Some(Glue::Filler | Glue::At) => {}
                    Some(g @ (Glue::Dash | Glue::To | Glue::And)) if conn.is_none() => {
                        conn = Some(g)
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            let is_range = ok
                && match conn {
                    Some(Glue::Dash | Glue::To) => true,
                    Some(Glue::And) => self.between_before(a.item),
                    _ => false,
                };
            if !is_range {
                s += 1;
                continue;
            }
            let (mut a2, mut b2) = (a, b);
            a2.role = Role::RangeStart;
            a2.partner = Some(t);
            b2.role = Role::RangeEnd;
            b2.partner = Some(s);
            if a2.zone.is_none() {
                a2.zone = b2.zone;
            } else if b2.zone.is_none() {
                b2.zone = a2.zone;
            }
            // "12:06 - 12:20 pm": the am/pm written once applies to both ends.
            if let (None, Some(m), ItemKind::Time(ta), ItemKind::Time(tb)) = (
                a2.mer,
                b2.mer,
                self.items[a.item].kind,
                self.items[b.item].kind,
            ) && ta.word == TimeWord::None
                && ta.h <= 12
            {
                let end = apply_mer(tb.h, Some(m)) * 60 + tb.m;
                let start = apply_mer(ta.h, Some(m)) * 60 + ta.m;
                a2.mer = Some(if start <= end {
                    m
                } else if m == Mer::Am {
                    Mer::Pm
                } else {
                    Mer::Am
                });
            }
            self.stamps[s] = a2;
            self.stamps[t] = b2;
            s = t + 1;
        }
    }

    /// Whether "between" comes before the time item `ti`, with only glue or a date between.
    fn between_before(&self, ti: usize) -> bool {
        let mut j = ti;
        while j > 0 {
            j -= 1;
            let it = &self.items[j];
            if it.date().is_some() {
                continue;
            }
            match it.glue() {
                Some(Glue::Between) => return true,
                Some(g) if leading_glue(g) => continue,
                _ => return false,
            }
        }
        false
    }

    // ---------------------------------------------------------------- checks

    /// The first date-like number that nothing understood, if any.
    pub(crate) fn leftover_digits(&self) -> Option<Range<usize>> {
        for (k, it) in self.items.iter().enumerate() {
            if it.glue() != Some(Glue::Num) {
                continue;
            }
            let ti = it.tok0;
            let t = self.toks[ti];
            let sep = |i: usize| matches!(self.toks.get(i), Some(p) if matches!(p.kind, lexer::Kind::Punct('/' | ':' | '.' | '-')) && !p.space);
            let num_tight = |i: usize| matches!(self.toks.get(i), Some(n) if n.kind == lexer::Kind::Num && !n.space);
            // The digit group this number belongs to ("2.3.1", "32/13/2024").
            let mut g0 = ti;
            while g0 >= 2
                && sep(g0 - 1)
                && !self.toks[g0].space
                && self.toks[g0 - 2].kind == lexer::Kind::Num
            {
                g0 -= 2;
            }
            // Version numbers and identifiers ("v2.3.1", "#2024", "INC-2024") are no dates.
            let named = g0 > 0
                && !self.toks[g0].space
                && matches!(
                    self.toks[g0 - 1].kind,
                    lexer::Kind::Word | lexer::Kind::Punct('#')
                );
            if named {
                continue;
            }
            let sep_before = g0 < ti;
            let sep_after = sep(ti + 1) && num_tight(ti + 2);
            let year_like = t.digits == 4 && (1900..=2100).contains(&t.val);
            let near_month = t.digits <= 2 && {
                let is_m = |j: usize| {
                    self.items
                        .get(j)
                        .is_some_and(|x| x.date().is_some() || x.glue() == Some(Glue::MonthWord))
                };
                (k > 0 && is_m(k - 1))
                    || is_m(k + 1)
                    || (k > 1 && self.glue(k - 1) == Some(Glue::Comma) && is_m(k - 2))
            };
            if year_like || sep_before || sep_after || near_month {
                return Some(t.start..t.end);
            }
        }
        None
    }
}

/// Applies am/pm to an hour.
pub(super) fn apply_mer(h: u32, mer: Option<Mer>) -> u32 {
    match mer {
        Some(Mer::Am) if h == 12 => 0,
        Some(Mer::Pm) if h < 12 => h + 12,
        _ => h,
    }
}
