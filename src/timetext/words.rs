//! Word lists: months, weekdays, meridiems, units and the small words that glue a stamp
//! together. All comparisons are case-insensitive for ASCII letters.

use chrono::Weekday;

fn is(word: &str, options: &[&str]) -> bool {
    options.iter().any(|o| word.eq_ignore_ascii_case(o))
}

/// Month number of an English, German or French month name or abbreviation.
pub(crate) fn month(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["jan", "january", "januar", "jänner", "janvier"],
        &["feb", "february", "februar", "février", "fevrier"],
        &["mar", "march", "märz", "maerz", "mars"],
        &["apr", "april", "avril"],
        &["may", "mai"],
        &["jun", "june", "juni", "juin"],
        &["jul", "july", "juli", "juillet"],
        &["aug", "august", "août", "aout"],
        &["sep", "sept", "september", "septembre"],
        &["oct", "october", "oktober", "octobre"],
        &["nov", "november", "novembre"],
        &["dec", "december", "dezember", "décembre", "decembre"],
    ];
    if word.len() < 3 || word.len() > 9 {
        return None;
    }
    MONTHS
        .iter()
        .position(|names| is(word, names))
        .map(|i| i as u32 + 1)
}

/// Weekday of a weekday name; the flag says whether it is a full name (which may stand alone).
pub(crate) fn weekday(word: &str) -> Option<(Weekday, bool)> {
    const DAYS: [(Weekday, &[&str], &[&str]); 7] = [
        (Weekday::Mon, &["monday", "montag", "lundi"], &["mon"]),
        (
            Weekday::Tue,
            &["tuesday", "dienstag", "mardi"],
            &["tue", "tues"],
        ),
        (
            Weekday::Wed,
            &["wednesday", "mittwoch", "mercredi"],
            &["wed"],
        ),
        (
            Weekday::Thu,
            &["thursday", "donnerstag", "jeudi"],
            &["thu", "thur", "thurs"],
        ),
        (Weekday::Fri, &["friday", "freitag", "vendredi"], &["fri"]),
        (
            Weekday::Sat,
            &["saturday", "samstag", "sonnabend", "samedi"],
            &["sat"],
        ),
        (Weekday::Sun, &["sunday", "sonntag", "dimanche"], &["sun"]),
    ];
    if word.len() < 3 || word.len() > 10 {
        return None;
    }
    for (wd, full, short) in DAYS {
        if is(word, full) {
            return Some((wd, true));
        }
        if is(word, short) {
            return Some((wd, false));
        }
    }
    None
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
    Some(if is(word, &["second", "seconds", "sec", "secs", "s"]) {
        Some(1)
    } else if is(word, &["minute", "minutes", "min", "mins", "m", "minuten"]) {
        Some(60)
    } else if is(word, &["hour", "hours", "hr", "hrs", "stunde", "stunden"]) {
        Some(3600)
    } else if is(word, &["day", "days", "tag", "tage", "tagen"]) {
        Some(86_400)
    } else if is(word, &["week", "weeks"]) {
        Some(7 * 86_400)
    } else if is(word, &["month", "months", "year", "years"]) {
        None
    } else {
        return None;
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
    if is(word, &["at", "um", "à"]) {
        Glue::At
    } else if is(word, &["on", "am", "le"]) {
        Glue::On
    } else if is(word, &["and", "und", "et"]) {
        Glue::And
    } else if is(word, &["between", "zwischen", "entre"]) {
        Glue::Between
    } else if is(
        word,
        &[
            "from",
            "since",
            "starting",
            "beginning",
            "von",
            "seit",
            "ab",
            "de",
            "depuis",
        ],
    ) {
        Glue::From
    } else if is(
        word,
        &[
            "to", "until", "till", "til", "through", "thru", "bis", "au", "jusqu",
        ],
    ) {
        Glue::To
    } else if is(
        word,
        &[
            "approximately",
            "approx",
            "around",
            "about",
            "roughly",
            "circa",
            "ca",
            "gegen",
            "shortly",
            "after",
            "before",
            "by",
            "as",
            "of",
            "vers",
            "environ",
        ],
    ) {
        Glue::Filler
    } else if is(word, &["local", "ortszeit", "locale"]) {
        Glue::Local
    } else {
        Glue::Word
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
