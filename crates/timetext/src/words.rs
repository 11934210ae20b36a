//! Word lists: months, weekdays, meridiems, units and the small words that glue a stamp
//! together. All comparisons are case-insensitive for ASCII letters.

use chrono::Weekday;

fn is(word: &str, options: &[&str]) -> bool {
    options.iter().any(|o| word.eq_ignore_ascii_case(o))
}

/// The word in ASCII lower case in `buf` (other bytes kept), or `None` when longer than the
/// buffer: no word of interest is that long.
pub(crate) fn lower<'b>(word: &str, buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let b = word.as_bytes();
    if b.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..b.len()])
}

/// Month number of an English, German or French month name or abbreviation.
pub(crate) fn month(word: &str) -> Option<u32> {
    let mut buf = [0u8; 16];
    Some(match lower(word, &mut buf)? {
        b"jan" | b"january" | b"januar" | b"j\xc3\xa4nner" | b"janvier" => 1,
        b"feb" | b"february" | b"februar" | b"f\xc3\xa9vrier" | b"fevrier" => 2,
        b"mar" | b"march" | b"m\xc3\xa4rz" | b"maerz" | b"mars" => 3,
        b"apr" | b"april" | b"avril" => 4,
        b"may" | b"mai" => 5,
        b"jun" | b"june" | b"juni" | b"juin" => 6,
        b"jul" | b"july" | b"juli" | b"juillet" => 7,
        b"aug" | b"august" | b"ao\xc3\xbbt" | b"aout" => 8,
        b"sep" | b"sept" | b"september" | b"septembre" => 9,
        b"oct" | b"october" | b"oktober" | b"octobre" => 10,
        b"nov" | b"november" | b"novembre" => 11,
        b"dec" | b"december" | b"dezember" | b"d\xc3\xa9cembre" | b"decembre" => 12,
        _ => return None,
    })
}

/// Weekday of a weekday name; the flag says whether it is a full name (which may stand alone).
pub(crate) fn weekday(word: &str) -> Option<(Weekday, bool)> {
    let mut buf = [0u8; 16];
    Some(match lower(word, &mut buf)? {
        b"monday" | b"montag" | b"lundi" => (Weekday::Mon, true),
        b"tuesday" | b"dienstag" | b"mardi" => (Weekday::Tue, true),
        b"wednesday" | b"mittwoch" | b"mercredi" => (Weekday::Wed, true),
        b"thursday" | b"donnerstag" | b"jeudi" => (Weekday::Thu, true),
        b"friday" | b"freitag" | b"vendredi" => (Weekday::Fri, true),
        b"saturday" | b"samstag" | b"sonnabend" | b"samedi" => (Weekday::Sat, true),
        b"sunday" | b"sonntag" | b"dimanche" => (Weekday::Sun, true),
        b"mon" => (Weekday::Mon, false),
        b"tue" | b"tues" => (Weekday::Tue, false),
        b"wed" => (Weekday::Wed, false),
        b"thu" | b"thur" | b"thurs" => (Weekday::Thu, false),
        b"fri" => (Weekday::Fri, false),
        b"sat" => (Weekday::Sat, false),
        b"sun" => (Weekday::Sun, false),
        _ => return None,
    })
}

/// "st", "nd", "rd", "th" after a day number.
pub(crate) fn is_ordinal_suffix(word: &str) -> bool {
    is(word, &["st", "nd", "rd", "th"])
}

/// Words that mark a clock time without being part of it ("1400 Uhr", "14:00 hrs").
pub(crate) fn is_clock_marker(word: &str) -> bool {
    is(word, &["uhr", "hrs", "h"])
}

/// A unit of a duration or a relative time, in seconds; `None` inside means a vague unit
/// (months, years) that cannot be exact.
pub(crate) fn unit(word: &str) -> Option<Option<i64>> {
    let mut buf = [0u8; 16];
    Some(match lower(word, &mut buf)? {
        b"second" | b"seconds" | b"sec" | b"secs" | b"s" => Some(1),
        b"minute" | b"minutes" | b"min" | b"mins" | b"m" | b"minuten" => Some(60),
        b"hour" | b"hours" | b"hr" | b"hrs" | b"stunde" | b"stunden" => Some(3600),
        b"day" | b"days" | b"tag" | b"tage" | b"tagen" => Some(86_400),
        b"week" | b"weeks" => Some(7 * 86_400),
        b"month" | b"months" | b"year" | b"years" => None,
        _ => return None,
    })
}

/// What a glue token is for the assembly of stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Glue {
    Comma,
    Dash,
    Slash,
    Pipe,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Period,
    Colon,
    /// at, @, um, T (in ISO date-times)
    At,
    /// on
    On,
    /// and
    And,
    /// between
    Between,
    /// from, since, starting, beginning
    From,
    /// to, until, till, through
    To,
    /// approximately, around, shortly after, …
    Filler,
    /// "local time", "Ortszeit"
    Local,
    /// Any other word.
    Word,
    /// A month name that formed no date ("Mar 32").
    MonthWord,
    /// A number that is no part of a date, time or duration.
    Num,
    /// A duration ("1 hour", "26 minutes") or a month-year ("June 2024"): consumed, not a time.
    Consumed,
    /// Other punctuation.
    Other,
}

/// Classifies a word that is not part of a date, time or zone.
pub(crate) fn glue_word(word: &str) -> Glue {
    let mut buf = [0u8; 16];
    let Some(w) = lower(word, &mut buf) else {
        return Glue::Word;
    };
    match w {
        b"at" | b"um" | b"\xc3\xa0" => Glue::At,
        b"on" | b"am" | b"le" => Glue::On,
        b"and" | b"und" | b"et" => Glue::And,
        b"between" | b"zwischen" | b"entre" => Glue::Between,
        b"from" | b"since" | b"starting" | b"beginning" | b"von" | b"seit" | b"ab" | b"de"
        | b"depuis" => Glue::From,
        b"to" | b"until" | b"till" | b"til" | b"through" | b"thru" | b"bis" | b"au" | b"jusqu" => {
            Glue::To
        }
        b"approximately" | b"approx" | b"around" | b"about" | b"roughly" | b"circa" | b"ca"
        | b"gegen" | b"shortly" | b"after" | b"before" | b"by" | b"as" | b"of" | b"vers"
        | b"environ" => Glue::Filler,
        b"local" | b"ortszeit" | b"locale" => Glue::Local,
        _ => Glue::Word,
    }
}

/// Classifies punctuation.
pub(crate) fn glue_punct(c: char) -> Glue {
    match c {
        ',' => Glue::Comma,
        '-' | '–' | '—' | '‒' | '―' => Glue::Dash,
        '/' => Glue::Slash,
        '|' => Glue::Pipe,
        '(' => Glue::OpenParen,
        ')' => Glue::CloseParen,
        '[' => Glue::OpenBracket,
        ']' => Glue::CloseBracket,
        '.' => Glue::Period,
        ':' => Glue::Colon,
        '@' | '~' => Glue::At,
        '&' => Glue::And,
        _ => Glue::Other,
    }
}

/// Upper-case words ending in T that are no zone, so they never count as an unknown zone.
pub(crate) fn is_plain_upper_word(word: &str) -> bool {
    matches!(
        word,
        "AT" | "IT"
            | "BUT"
            | "NOT"
            | "OUT"
            | "EDIT"
            | "LAST"
            | "NEXT"
            | "FIRST"
            | "START"
            | "POST"
            | "SET"
            | "GET"
            | "LET"
            | "PUT"
            | "JUST"
            | "MUST"
            | "LIST"
            | "TEXT"
            | "ALERT"
            | "EVENT"
            | "REST"
            | "TEST"
            | "HOST"
            | "BOT"
            | "CUT"
            | "HIT"
            | "LOT"
    )
}
