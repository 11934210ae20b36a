//! Flags: what a reading of a time had to assume or could not decide.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One thing a caller should know about how an instant was read.
///
/// Serialises to its snake_case name (`Flag::DstGap` is `"dst_gap"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The zone abbreviation has several readings (IST, CST, BST, AST) and nothing in the
    /// context picked one: the default (first) reading is used and `alternative` holds the
    /// next. Where the evidence decides, the flag is [`Flag::AbbreviationFromContext`].
    AmbiguousAbbreviation,
    /// The abbreviation names standard time while its home zone is on daylight time at that
    /// date, or the reverse ("PST" in July). The home zone's wall-clock reading is used and
    /// the literal offset is in `alternative`.
    AbbreviationContradictsDst,
    /// The wall time does not exist in the zone (spring-forward gap).
    DstGap,
    /// The wall time happens twice in the zone (fall-back fold); the earlier is used and the
    /// later is in `alternative`.
    DstFold,
    /// The year was not written; the one nearest the posting date was taken.
    YearInferred,
    /// The date (or the month and year of "the 16th", or the day of "Monday") came from
    /// the context: the posting date, or the previous update in a sequence.
    DateFromContext,
    /// The text named no zone; the page's zone from the context was used.
    ZoneFromPage,
    /// A numeric date such as 03/10/2024 reads both ways and the evidence picked one (a
    /// weekday, the posting date, the previous update, the context's order, the page zone's
    /// region, the vendor's other stamps, the zone in the text; [`crate::Why::date_order`]
    /// says which); the other reading is in `alternative`. Where nothing decides, the flag
    /// is [`Flag::AmbiguousDate`] instead.
    AmbiguousDateOrder,
    /// Relative text ("3 hours ago", "yesterday") was resolved against the context.
    Relative,
    /// "midnight" on a date: the start of that day is used, the end is in `alternative`.
    AmbiguousMidnight,
    /// A time-only stamp in a sequence fell more than an hour before the previous update, so
    /// it was moved to the next day.
    DayRollover,
    /// A time-only stamp in a sequence is (up to an hour) before the previous update; it was
    /// left on its day.
    BeforePrevious,
    /// The written weekday does not match the date.
    WeekdayMismatch,
    /// The same moment written in several zones ("09:00 CEST (03:00 AM EDT)") does not agree.
    EquivalentsDisagree,
    /// A range's explicitly dated end is before its start; the end was dropped.
    RangeEndBeforeStart,
    /// The zone abbreviation has several readings (CST, IST, BST, AST) and the context's
    /// evidence picked one: the page's zone, an offset the page writes, or the zone of the
    /// vendor's other stamps ([`crate::Why::zone`] says which); the next reading is in
    /// `alternative`.
    AbbreviationFromContext,
    /// A numeric date reads both ways ("04/11/2022") and no evidence decides (no posting
    /// date within a day of one reading, no date order, page zone, other stamps or zone in
    /// the text): month first was taken and the other reading is in `alternative`.
    AmbiguousDate,
}

impl Flag {
    /// Every flag, in bit order.
    pub const ALL: [Flag; 17] = [
        Flag::AmbiguousAbbreviation,
        Flag::AbbreviationContradictsDst,
        Flag::DstGap,
        Flag::DstFold,
        Flag::YearInferred,
        Flag::DateFromContext,
        Flag::ZoneFromPage,
        Flag::AmbiguousDateOrder,
        Flag::Relative,
        Flag::AmbiguousMidnight,
        Flag::DayRollover,
        Flag::BeforePrevious,
        Flag::WeekdayMismatch,
        Flag::EquivalentsDisagree,
        Flag::RangeEndBeforeStart,
        Flag::AbbreviationFromContext,
        Flag::AmbiguousDate,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::AmbiguousAbbreviation => "ambiguous_abbreviation",
            Flag::AbbreviationContradictsDst => "abbreviation_contradicts_dst",
            Flag::DstGap => "dst_gap",
            Flag::DstFold => "dst_fold",
            Flag::YearInferred => "year_inferred",
            Flag::DateFromContext => "date_from_context",
            Flag::ZoneFromPage => "zone_from_page",
            Flag::AmbiguousDateOrder => "ambiguous_date_order",
            Flag::Relative => "relative",
            Flag::AmbiguousMidnight => "ambiguous_midnight",
            Flag::DayRollover => "day_rollover",
            Flag::BeforePrevious => "before_previous",
            Flag::WeekdayMismatch => "weekday_mismatch",
            Flag::EquivalentsDisagree => "equivalents_disagree",
            Flag::RangeEndBeforeStart => "range_end_before_start",
            Flag::AbbreviationFromContext => "abbreviation_from_context",
            Flag::AmbiguousDate => "ambiguous_date",
        }
    }

    /// The flag with this snake_case name.
    pub fn from_name(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == name)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of [`Flag`]s. Serialises as a JSON array of names, in bit order.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(u32);

impl Flags {
    /// The empty set.
    pub const fn empty() -> Self {
        Flags(0)
    }
    /// Adds a flag.
    pub fn insert(&mut self, flag: Flag) {
        self.0 |= flag.bit();
    }
    /// Removes a flag.
    pub fn remove(&mut self, flag: Flag) {
        self.0 &= !flag.bit();
    }
    /// Whether the flag is set.
    pub fn contains(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }
    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// How many flags are set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// Every flag of `other` added to this set.
    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    /// The flags, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(iter: I) -> Self {
        let mut flags = Flags::empty();
        for f in iter {
            flags.insert(f);
        }
        flags
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(Flag::as_str))
            .finish()
    }
}

impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Flag::as_str))
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        names
            .iter()
            .map(|n| {
                Flag::from_name(n)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown time flag {n:?}")))
            })
            .collect()
    }
}

impl Flags {
    /// The flags as their names joined by commas (`ambiguous_abbreviation,dst_fold`), the way
    /// the database stores them; `None` for the empty set.
    pub fn to_list(self) -> Option<String> {
        (!self.is_empty()).then(|| self.iter().map(Flag::as_str).collect::<Vec<_>>().join(","))
    }

    /// Reads [`Flags::to_list`] back; unknown names (a newer statusdb wrote them) are skipped.
    pub fn from_list(text: Option<&str>) -> Flags {
        text.into_iter()
            .flat_map(|t| t.split(','))
            .filter_map(|n| Flag::from_name(n.trim()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_and_names() {
        let mut f = Flags::empty();
        assert!(f.is_empty());
        f.insert(Flag::DstGap);
        f.insert(Flag::Relative);
        assert!(f.contains(Flag::DstGap));
        assert!(!f.contains(Flag::DstFold));
        assert_eq!(f.len(), 2);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"["dst_gap","relative"]"#
        );
        let back: Flags = serde_json::from_str(r#"["dst_gap","relative"]"#).unwrap();
        assert_eq!(back, f);
        assert_eq!(f.to_list().as_deref(), Some("dst_gap,relative"));
        assert_eq!(Flags::from_list(Some("dst_gap,relative")), f);
        assert_eq!(Flags::empty().to_list(), None);
        f.remove(Flag::DstGap);
        assert_eq!(format!("{f:?}"), r#"["relative"]"#);
        for flag in Flag::ALL {
            assert_eq!(
                serde_json::to_string(&flag).unwrap(),
                format!("\"{}\"", flag.as_str())
            );
        }
    }
}
