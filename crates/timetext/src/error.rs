//! Typed refusals: every way a text fails to become an exact instant.

use thiserror::Error;

/// Why a text could not be read as an exact instant. Each message says what was refused and
/// why; nothing is ever replaced silently by UTC, today or the fetch time.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    /// No clock time (and no relative "… ago") in the text.
    #[error(
        "no time of day found in {text:?}: a date alone or prose without a clock time is not an instant"
    )]
    NoTime {
        /// The text that was searched.
        text: String,
    },
    /// A zone-like word next to the time is not in the zone table, or an IANA-like name is unknown.
    #[error(
        "unknown time zone {zone:?}: it is not in the abbreviation table nor an IANA zone name, so its offset cannot be known"
    )]
    UnknownZone {
        /// The zone text as written.
        zone: String,
    },
    /// "GMT+15" and the like.
    #[error(
        "invalid UTC offset {offset:?}: an offset must lie between -12:00 and +14:00 with minutes below 60"
    )]
    InvalidOffset {
        /// The offset text as written.
        offset: String,
    },
    /// The time names no zone and the context gives no page zone.
    #[error(
        "{time:?} names no time zone and the context gives no page zone; refusing to assume UTC"
    )]
    NoZone {
        /// The time as written.
        time: String,
    },
    /// The time has no date and the context gives no posting date.
    #[error(
        "{time:?} has no date and the context gives no posting date (a fetch instant is not one); refusing to assume today"
    )]
    NoDate {
        /// The time as written.
        time: String,
    },
    /// The date has no year (or is only a weekday or "the 16th", or "yesterday") and the context gives no date to place it.
    #[error(
        "{date:?} needs a posting date to be placed (year, month or relative day missing) and the context gives none"
    )]
    NoAnchorDate {
        /// The date as written.
        date: String,
    },
    /// "3 hours ago" without a fetch instant.
    #[error(
        "{text:?} is relative and needs the fetch instant as context; a posting date alone is not exact enough"
    )]
    NoInstantForRelative {
        /// The relative text.
        text: String,
    },
    /// Digits that look like part of a date or time were not understood.
    #[error(
        "date-like digits {digits:?} at byte {at} were not understood; refusing to ignore them"
    )]
    LeftoverDigits {
        /// The digits as written.
        digits: String,
        /// Byte offset in the text.
        at: usize,
    },
    /// [`parse_date`](super::parse_date) found no date.
    #[error("no date found in {text:?}")]
    NoDateFound {
        /// The text that was searched.
        text: String,
    },
    /// Year, month and day that do not form a calendar date (February 30).
    #[error("{date:?} is not a calendar date: {reason}")]
    InvalidDate {
        /// The date as written.
        date: String,
        /// Why, e.g. "2023 has no February 29".
        reason: String,
    },
    /// Hours or minutes out of range ("25:00", "10:75").
    #[error("{time:?} is not a time of day: {reason}")]
    InvalidTime {
        /// The time as written.
        time: String,
        /// Why.
        reason: String,
    },
}

/// Why a context specification (`YYYY-MM-DD`, `YYYY-MM-DD tz=Area/City`, or an RFC 3339
/// instant) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContextError {
    /// The first word is neither a date nor an RFC 3339 instant.
    #[error("context {0:?} is neither a YYYY-MM-DD date nor an RFC 3339 instant")]
    BadAnchor(String),
    /// `tz=` names no IANA zone (or `hint=` neither a zone nor an offset).
    #[error("context zone {0:?} is not an IANA zone name (like Europe/Berlin)")]
    BadZone(String),
    /// `order=` is not `mdy` or `dmy`.
    #[error("context order {0:?} is not mdy or dmy")]
    BadOrder(String),
    /// `posted=` or `prev=` is not an RFC 3339 instant.
    #[error("context {0:?} is not an RFC 3339 instant")]
    BadInstant(String),
    /// A word that is none of the above.
    #[error(
        "unexpected {0:?} in context; expected `tz=Area/City`, `order=mdy|dmy`, `posted=`, `prev=` or `hint=`"
    )]
    Unexpected(String),
}
