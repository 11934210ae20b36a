//! The zone table: abbreviations with their offset and home zone, generic zone names, and the
//! multi-word names people write ("US Pacific Time", "Central European Summer Time").

use chrono::{FixedOffset, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{Africa, America, Asia, Australia, Etc, Europe, Pacific, Tz};
use std::collections::HashMap;
use std::sync::LazyLock;

/// One reading of a zone abbreviation: a fixed offset and the IANA zone it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneEntry {
    /// The abbreviation as written, upper case ("PDT").
    pub abbr: &'static str,
    /// Offset east of Greenwich, in seconds (PDT is -25200).
    pub offset_secs: i32,
    /// The zone whose clocks show this abbreviation (PDT: America/Los_Angeles).
    pub home: Tz,
    /// The spelled-out name ("Pacific Daylight Time").
    pub name: &'static str,
    /// Whether `home` switches between this abbreviation and a partner (PST/PDT). Only then
    /// can the abbreviation contradict daylight saving at a date.
    pub observes_dst: bool,
}

impl ZoneEntry {
    /// The offset as a chrono [`FixedOffset`].
    pub fn offset(&self) -> FixedOffset {
        // The table's offsets are all within ±14 h, so this never falls back.
        FixedOffset::east_opt(self.offset_secs)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
    }
}

/// The result of [`zone_abbreviation`]: every reading of an abbreviation, default first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneLookup {
    /// All readings; the first is the default when the page zone does not decide.
    pub readings: &'static [ZoneEntry],
}

impl ZoneLookup {
    /// The reading used when nothing else decides.
    pub fn default_reading(&self) -> &'static ZoneEntry {
        &self.readings[0]
    }
    /// Whether the abbreviation has more than one reading (IST, CST, BST, AST).
    pub fn is_ambiguous(&self) -> bool {
        self.readings.len() > 1
    }
    /// The reading that belongs to `home`, if any.
    pub fn reading_for(&self, home: Tz) -> Option<&'static ZoneEntry> {
        self.readings.iter().find(|e| e.home == home)
    }
}

macro_rules! z {
    ($abbr:literal, $secs:expr, $home:expr, $name:literal, $dst:literal) => {
        ZoneEntry {
            abbr: $abbr,
            offset_secs: $secs,
            home: $home,
            name: $name,
            observes_dst: $dst,
        }
    };
}

const H: i32 = 3600;

/// The abbreviation table. Readings of one abbreviation are adjacent, default first.
pub static ZONES: &[ZoneEntry] = &[
    z!("UTC", 0, Etc::UTC, "Coordinated Universal Time", false),
    z!("GMT", 0, Etc::GMT, "Greenwich Mean Time", false),
    z!("UT", 0, Etc::UTC, "Universal Time", false),
    z!("Z", 0, Etc::UTC, "Zulu (UTC)", false),
    z!("WET", 0, Europe::Lisbon, "Western European Time", true),
    z!(
        "WEST",
        H,
        Europe::Lisbon,
        "Western European Summer Time",
        true
    ),
    z!("BST", H, Europe::London, "British Summer Time", true),
    z!("BST", 6 * H, Asia::Dhaka, "Bangladesh Standard Time", false),
    z!(
        "IST",
        5 * H + 1800,
        Asia::Kolkata,
        "India Standard Time",
        false
    ),
    z!("IST", H, Europe::Dublin, "Irish Standard Time", true),
    z!("IST", 2 * H, Asia::Jerusalem, "Israel Standard Time", true),
    z!("IDT", 3 * H, Asia::Jerusalem, "Israel Daylight Time", true),
    z!("CET", H, Europe::Berlin, "Central European Time", true),
    z!(
        "CEST",
        2 * H,
        Europe::Berlin,
        "Central European Summer Time",
        true
    ),
    z!("MEZ", H, Europe::Berlin, "Mitteleuropäische Zeit", true),
    z!(
        "MESZ",
        2 * H,
        Europe::Berlin,
        "Mitteleuropäische Sommerzeit",
        true
    ),
    z!("EET", 2 * H, Europe::Athens, "Eastern European Time", true),
    z!(
        "EEST",
        3 * H,
        Europe::Athens,
        "Eastern European Summer Time",
        true
    ),
    z!("MSK", 3 * H, Europe::Moscow, "Moscow Time", false),
    z!("GST", 4 * H, Asia::Dubai, "Gulf Standard Time", false),
    z!("PKT", 5 * H, Asia::Karachi, "Pakistan Standard Time", false),
    z!("NPT", 5 * H + 2700, Asia::Kathmandu, "Nepal Time", false),
    z!("ICT", 7 * H, Asia::Bangkok, "Indochina Time", false),
    z!("WIB", 7 * H, Asia::Jakarta, "Western Indonesia Time", false),
    z!("SGT", 8 * H, Asia::Singapore, "Singapore Time", false),
    z!("HKT", 8 * H, Asia::Hong_Kong, "Hong Kong Time", false),
    z!(
        "AWST",
        8 * H,
        Australia::Perth,
        "Australian Western Standard Time",
        false
    ),
    z!("PHT", 8 * H, Asia::Manila, "Philippine Time", false),
    z!("JST", 9 * H, Asia::Tokyo, "Japan Standard Time", false),
    z!("KST", 9 * H, Asia::Seoul, "Korea Standard Time", false),
    z!(
        "ACST",
        9 * H + 1800,
        Australia::Adelaide,
        "Australian Central Standard Time",
        true
    ),
    z!(
        "ACDT",
        10 * H + 1800,
        Australia::Adelaide,
        "Australian Central Daylight Time",
        true
    ),
    z!(
        "AEST",
        10 * H,
        Australia::Sydney,
        "Australian Eastern Standard Time",
        true
    ),
    z!(
        "AEDT",
        11 * H,
        Australia::Sydney,
        "Australian Eastern Daylight Time",
        true
    ),
    z!(
        "NZST",
        12 * H,
        Pacific::Auckland,
        "New Zealand Standard Time",
        true
    ),
    z!(
        "NZDT",
        13 * H,
        Pacific::Auckland,
        "New Zealand Daylight Time",
        true
    ),
    z!(
        "HST",
        -10 * H,
        Pacific::Honolulu,
        "Hawaii Standard Time",
        false
    ),
    z!(
        "AKST",
        -9 * H,
        America::Anchorage,
        "Alaska Standard Time",
        true
    ),
    z!(
        "AKDT",
        -8 * H,
        America::Anchorage,
        "Alaska Daylight Time",
        true
    ),
    z!(
        "PST",
        -8 * H,
        America::Los_Angeles,
        "Pacific Standard Time",
        true
    ),
    z!(
        "PDT",
        -7 * H,
        America::Los_Angeles,
        "Pacific Daylight Time",
        true
    ),
    z!(
        "MST",
        -7 * H,
        America::Denver,
        "Mountain Standard Time",
        true
    ),
    z!(
        "MDT",
        -6 * H,
        America::Denver,
        "Mountain Daylight Time",
        true
    ),
    z!(
        "CST",
        -6 * H,
        America::Chicago,
        "Central Standard Time (North America)",
        true
    ),
    z!("CST", 8 * H, Asia::Shanghai, "China Standard Time", false),
    z!("CST", -5 * H, America::Havana, "Cuba Standard Time", true),
    z!(
        "CDT",
        -5 * H,
        America::Chicago,
        "Central Daylight Time",
        true
    ),
    z!(
        "EST",
        -5 * H,
        America::New_York,
        "Eastern Standard Time",
        true
    ),
    z!(
        "EDT",
        -4 * H,
        America::New_York,
        "Eastern Daylight Time",
        true
    ),
    z!(
        "AST",
        -4 * H,
        America::Halifax,
        "Atlantic Standard Time",
        true
    ),
    z!("AST", 3 * H, Asia::Riyadh, "Arabia Standard Time", false),
    z!(
        "ADT",
        -3 * H,
        America::Halifax,
        "Atlantic Daylight Time",
        true
    ),
    z!(
        "NST",
        -3 * H - 1800,
        America::St_Johns,
        "Newfoundland Standard Time",
        true
    ),
    z!(
        "NDT",
        -2 * H - 1800,
        America::St_Johns,
        "Newfoundland Daylight Time",
        true
    ),
    z!("BRT", -3 * H, America::Sao_Paulo, "Brasília Time", false),
    z!(
        "ART",
        -3 * H,
        America::Argentina::Buenos_Aires,
        "Argentina Time",
        false
    ),
    z!(
        "SAST",
        2 * H,
        Africa::Johannesburg,
        "South Africa Standard Time",
        false
    ),
    z!("WAT", H, Africa::Lagos, "West Africa Time", false),
    z!("CAT", 2 * H, Africa::Maputo, "Central Africa Time", false),
    z!("EAT", 3 * H, Africa::Nairobi, "East Africa Time", false),
];

/// Looks up a zone abbreviation (exact, upper case; "utc" and "gmt" are also accepted in
/// lower case). Returns every reading with its offset and home zone; ambiguous abbreviations
/// (IST, CST, BST, AST) have several, the default first.
///
/// ```
/// use timetext::zone_abbreviation;
/// let pdt = zone_abbreviation("PDT").unwrap();
/// assert_eq!(pdt.default_reading().offset_secs, -7 * 3600);
/// assert_eq!(pdt.default_reading().home, chrono_tz::America::Los_Angeles);
/// assert!(!pdt.is_ambiguous());
/// assert!(zone_abbreviation("IST").unwrap().is_ambiguous());
/// ```
pub fn zone_abbreviation(abbr: &str) -> Option<ZoneLookup> {
    let key_is_utc_like = abbr.eq_ignore_ascii_case("utc") || abbr.eq_ignore_ascii_case("gmt");
    let start = if key_is_utc_like {
        ZONES
            .iter()
            .position(|e| e.abbr == abbr || e.abbr.eq_ignore_ascii_case(abbr))?
    } else {
        *FIRST_READING.get(abbr)?
    };
    let key = ZONES[start].abbr;
    let len = ZONES[start..].iter().take_while(|e| e.abbr == key).count();
    Some(ZoneLookup {
        readings: &ZONES[start..start + len],
    })
}

/// Each abbreviation's first entry in [`ZONES`]: the scanner looks up every upper-case word
/// ("AM", "PDT", "API"), and a scan of the table per word was a fifth of a short stamp's parse.
static FIRST_READING: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    let mut first = HashMap::with_capacity(ZONES.len());
    for (at, entry) in ZONES.iter().enumerate() {
        first.entry(entry.abbr).or_insert(at);
    }
    first
});

/// A zone named in text, before it is applied to a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZoneRef {
    /// UTC, GMT, Z, "Coordinated Universal Time".
    Utc,
    /// A written offset ("GMT+1", "UTC+05:30", "-06:00"), seconds east.
    Fixed(i32),
    /// An abbreviation with its readings (a phrase like "Irish Standard Time" picks one).
    Abbr(ZoneLookup),
    /// A generic name resolved through the zone's rules at the date (PT, "Eastern Time",
    /// "US/Pacific", "America/Los_Angeles").
    Named(Tz),
    /// Something that looks like a zone but is not in the table.
    Unknown,
    /// "GMT+15" and other offsets out of range.
    BadOffset,
}

/// Two-letter generic names: only upper case, only next to a time.
pub(crate) fn generic_two_letter(word: &str) -> Option<Tz> {
    Some(match word {
        "PT" => America::Los_Angeles,
        "ET" => America::New_York,
        "CT" => America::Chicago,
        "MT" => America::Denver,
        _ => return None,
    })
}

/// Single region words that are a zone only right after a time ("10:00 Eastern").
pub(crate) fn region_word(word: &str) -> Option<Tz> {
    let w = |s: &str| word.eq_ignore_ascii_case(s);
    Some(if w("pacific") {
        America::Los_Angeles
    } else if w("eastern") {
        America::New_York
    } else if w("central") {
        America::Chicago
    } else if w("mountain") {
        America::Denver
    } else {
        return None;
    })
}

#[derive(Clone, Copy)]
pub(crate) enum PhraseZone {
    Utc,
    Named(Tz),
    /// An abbreviation, optionally pinned to the reading of one home zone.
    Abbr(&'static str, Option<Tz>),
}

/// Multi-word zone names, longest first within a first word. Matching is case-insensitive
/// and words must be separated by white space only.
pub(crate) static PHRASES: &[(&[&str], PhraseZone)] = &[
    (&["coordinated", "universal", "time"], PhraseZone::Utc),
    (&["universal", "time", "coordinated"], PhraseZone::Utc),
    (&["greenwich", "mean", "time"], PhraseZone::Utc),
    (
        &["us", "pacific", "time"],
        PhraseZone::Named(America::Los_Angeles),
    ),
    (
        &["us", "eastern", "time"],
        PhraseZone::Named(America::New_York),
    ),
    (
        &["us", "central", "time"],
        PhraseZone::Named(America::Chicago),
    ),
    (
        &["us", "mountain", "time"],
        PhraseZone::Named(America::Denver),
    ),
    (&["us", "pacific"], PhraseZone::Named(America::Los_Angeles)),
    (&["us", "eastern"], PhraseZone::Named(America::New_York)),
    (&["us", "central"], PhraseZone::Named(America::Chicago)),
    (&["us", "mountain"], PhraseZone::Named(America::Denver)),
    (
        &["pacific", "standard", "time"],
        PhraseZone::Abbr("PST", None),
    ),
    (
        &["pacific", "daylight", "time"],
        PhraseZone::Abbr("PDT", None),
    ),
    (
        &["pacific", "time"],
        PhraseZone::Named(America::Los_Angeles),
    ),
    (
        &["eastern", "standard", "time"],
        PhraseZone::Abbr("EST", None),
    ),
    (
        &["eastern", "daylight", "time"],
        PhraseZone::Abbr("EDT", None),
    ),
    (
        &["eastern", "european", "summer", "time"],
        PhraseZone::Abbr("EEST", None),
    ),
    (
        &["eastern", "european", "time"],
        PhraseZone::Abbr("EET", None),
    ),
    (&["eastern", "time"], PhraseZone::Named(America::New_York)),
    (
        &["central", "european", "summer", "time"],
        PhraseZone::Abbr("CEST", None),
    ),
    (
        &["central", "european", "time"],
        PhraseZone::Abbr("CET", None),
    ),
    (
        &["central", "standard", "time"],
        PhraseZone::Abbr("CST", Some(America::Chicago)),
    ),
    (
        &["central", "daylight", "time"],
        PhraseZone::Abbr("CDT", None),
    ),
    (&["central", "time"], PhraseZone::Named(America::Chicago)),
    (
        &["mountain", "standard", "time"],
        PhraseZone::Abbr("MST", None),
    ),
    (
        &["mountain", "daylight", "time"],
        PhraseZone::Abbr("MDT", None),
    ),
    (&["mountain", "time"], PhraseZone::Named(America::Denver)),
    (
        &["western", "european", "summer", "time"],
        PhraseZone::Abbr("WEST", None),
    ),
    (
        &["western", "european", "time"],
        PhraseZone::Abbr("WET", None),
    ),
    (&["alaska", "time"], PhraseZone::Named(America::Anchorage)),
    (&["hawaii", "time"], PhraseZone::Named(Pacific::Honolulu)),
    (
        &["atlantic", "standard", "time"],
        PhraseZone::Abbr("AST", Some(America::Halifax)),
    ),
    (&["atlantic", "time"], PhraseZone::Named(America::Halifax)),
    (
        &["british", "summer", "time"],
        PhraseZone::Abbr("BST", Some(Europe::London)),
    ),
    (&["uk", "time"], PhraseZone::Named(Europe::London)),
    (&["london", "time"], PhraseZone::Named(Europe::London)),
    (
        &["irish", "standard", "time"],
        PhraseZone::Abbr("IST", Some(Europe::Dublin)),
    ),
    (
        &["india", "standard", "time"],
        PhraseZone::Abbr("IST", Some(Asia::Kolkata)),
    ),
    (
        &["indian", "standard", "time"],
        PhraseZone::Abbr("IST", Some(Asia::Kolkata)),
    ),
    (
        &["israel", "standard", "time"],
        PhraseZone::Abbr("IST", Some(Asia::Jerusalem)),
    ),
    (
        &["china", "standard", "time"],
        PhraseZone::Abbr("CST", Some(Asia::Shanghai)),
    ),
    (
        &["bangladesh", "standard", "time"],
        PhraseZone::Abbr("BST", Some(Asia::Dhaka)),
    ),
    (
        &["arabia", "standard", "time"],
        PhraseZone::Abbr("AST", Some(Asia::Riyadh)),
    ),
    (
        &["japan", "standard", "time"],
        PhraseZone::Abbr("JST", None),
    ),
    (
        &["singapore", "standard", "time"],
        PhraseZone::Abbr("SGT", None),
    ),
    (&["singapore", "time"], PhraseZone::Abbr("SGT", None)),
    (
        &["australian", "eastern", "standard", "time"],
        PhraseZone::Abbr("AEST", None),
    ),
    (
        &["australian", "eastern", "daylight", "time"],
        PhraseZone::Abbr("AEDT", None),
    ),
    (&["moscow", "time"], PhraseZone::Abbr("MSK", None)),
];

impl PhraseZone {
    pub(crate) fn to_ref(self) -> ZoneRef {
        match self {
            PhraseZone::Utc => ZoneRef::Utc,
            PhraseZone::Named(tz) => ZoneRef::Named(tz),
            PhraseZone::Abbr(abbr, home) => match zone_abbreviation(abbr) {
                Some(l) => match home.and_then(|h| {
                    let i = l.readings.iter().position(|e| e.home == h)?;
                    Some(ZoneLookup {
                        readings: &l.readings[i..=i],
                    })
                }) {
                    Some(pinned) => ZoneRef::Abbr(pinned),
                    None => ZoneRef::Abbr(l),
                },
                None => ZoneRef::Unknown,
            },
        }
    }
}

/// Whether a word can start one of [`PHRASES`] (a fast gate before the phrase scan).
pub(crate) fn may_start_phrase(word: &str) -> bool {
    let mut buf = [0u8; 16];
    let Some(w) = super::words::lower(word, &mut buf) else {
        return false;
    };
    matches!(
        w,
        b"coordinated"
            | b"universal"
            | b"greenwich"
            | b"us"
            | b"pacific"
            | b"eastern"
            | b"central"
            | b"mountain"
            | b"western"
            | b"alaska"
            | b"hawaii"
            | b"atlantic"
            | b"british"
            | b"uk"
            | b"london"
            | b"irish"
            | b"india"
            | b"indian"
            | b"israel"
            | b"china"
            | b"bangladesh"
            | b"arabia"
            | b"japan"
            | b"singapore"
            | b"australian"
            | b"moscow"
    )
}

/// First words of IANA names people paste into prose ("US/Pacific", "Europe/Berlin").
pub(crate) fn is_iana_area(word: &str) -> bool {
    matches!(
        word,
        "America"
            | "Europe"
            | "Asia"
            | "Africa"
            | "Australia"
            | "Pacific"
            | "Atlantic"
            | "Indian"
            | "Antarctica"
            | "Etc"
            | "US"
            | "Canada"
            | "Brazil"
            | "Mexico"
            | "Chile"
    )
}

/// The offset of `tz` at the instant that the wall time `wall` names when read at `offset_secs`.
pub(crate) fn tz_offset_at_literal(tz: Tz, wall: NaiveDateTime, offset_secs: i32) -> i32 {
    let utc = wall - chrono::Duration::seconds(offset_secs as i64);
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// Whether numeric dates on a page in `tz` are written month first (the US, Canada, the
/// Philippines); elsewhere day first.
pub(crate) fn zone_writes_month_first(tz: Tz) -> bool {
    let name = tz.name();
    if name.starts_with("US/") || name.starts_with("Canada/") {
        return true;
    }
    if let Some(city) = name.strip_prefix("America/") {
        return city.starts_with("Indiana/")
            || city.starts_with("Kentucky/")
            || city.starts_with("North_Dakota/")
            || matches!(
                city,
                "New_York"
                    | "Chicago"
                    | "Denver"
                    | "Los_Angeles"
                    | "Phoenix"
                    | "Anchorage"
                    | "Juneau"
                    | "Sitka"
                    | "Yakutat"
                    | "Nome"
                    | "Metlakatla"
                    | "Adak"
                    | "Boise"
                    | "Detroit"
                    | "Menominee"
                    | "Indianapolis"
                    | "Louisville"
                    | "Toronto"
                    | "Vancouver"
                    | "Edmonton"
                    | "Winnipeg"
                    | "Regina"
                    | "Halifax"
                    | "St_Johns"
                    | "Moncton"
                    | "Whitehorse"
                    | "Yellowknife"
                    | "Iqaluit"
                    | "Puerto_Rico"
            );
    }
    matches!(name, "Pacific/Honolulu" | "Pacific/Guam" | "Asia/Manila")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_gives_offset_home_and_ambiguity() {
        let cest = zone_abbreviation("CEST").unwrap();
        assert_eq!(cest.default_reading().offset_secs, 7200);
        assert_eq!(cest.default_reading().home, Europe::Berlin);
        let ist = zone_abbreviation("IST").unwrap();
        assert!(ist.is_ambiguous());
        assert_eq!(ist.readings.len(), 3);
        assert_eq!(ist.default_reading().home, Asia::Kolkata);
        assert_eq!(ist.reading_for(Europe::Dublin).unwrap().offset_secs, 3600);
        assert_eq!(
            zone_abbreviation("utc").unwrap().default_reading().abbr,
            "UTC"
        );
        assert!(zone_abbreviation("pst").is_none());
        assert!(zone_abbreviation("XYZT").is_none());
        for abbr in ["CST", "BST", "AST"] {
            assert!(zone_abbreviation(abbr).unwrap().is_ambiguous(), "{abbr}");
        }
    }

    #[test]
    fn table_offsets_match_home_zones_somewhere_in_2024() {
        // Every entry's offset is one its home zone actually uses (on Jan 15 or Jul 15 2024).
        for e in ZONES {
            let jan = chrono::NaiveDate::from_ymd_opt(2024, 1, 15)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap();
            let jul = chrono::NaiveDate::from_ymd_opt(2024, 7, 15)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap();
            let offs: Vec<i32> = [jan, jul]
                .iter()
                .map(|w| e.home.offset_from_utc_datetime(w).fix().local_minus_utc())
                .collect();
            assert!(
                offs.contains(&e.offset_secs),
                "{} {:?} {:?}",
                e.abbr,
                e.home,
                offs
            );
        }
    }

    #[test]
    fn phrases_resolve() {
        let r = PHRASES
            .iter()
            .find(|(w, _)| w == &["irish", "standard", "time"])
            .unwrap()
            .1
            .to_ref();
        match r {
            ZoneRef::Abbr(l) => {
                assert!(!l.is_ambiguous());
                assert_eq!(l.default_reading().home, Europe::Dublin);
            }
            _ => panic!("not an abbreviation"),
        }
    }

    #[test]
    fn month_first_regions() {
        assert!(zone_writes_month_first(America::New_York));
        assert!(zone_writes_month_first(chrono_tz::US::Pacific));
        assert!(!zone_writes_month_first(Europe::Paris));
        assert!(!zone_writes_month_first(America::Sao_Paulo));
    }
}
