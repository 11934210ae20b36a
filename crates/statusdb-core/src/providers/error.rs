//! Why a page could not be read as its kind: a cause from a closed set, for machines (alerts,
//! metrics, the fetch log), and the detail beside it, for people.

use super::Kind;
use std::fmt;

/// Why a page was refused, as a stable machine word ([`ParseCause::as_str`]). An operator
/// alerts on these: `wrong_format` or `schema_mismatch` says the vendor changed its page,
/// `login_page` that something stands in front of it, `empty` or `truncated` that the
/// transfer went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParseCause {
    /// No body, or only white space.
    Empty,
    /// Another sort of document than the kind reads: HTML where JSON is expected, JSON where a
    /// feed is, another product's JSON or feed.
    WrongFormat,
    /// A login form or a bot challenge (captcha) served in place of the status page.
    LoginPage,
    /// The body ends early (JSON or XML cut short).
    Truncated,
    /// Bytes that are not text in their encoding (not UTF-8, or not the UTF-16 a byte-order
    /// mark announces).
    NotUtf8,
    /// JSON or XML that is not well formed (other than cut short).
    InvalidSyntax,
    /// The kind's document, but not in the shape it reads: a field or element missing or of
    /// another type.
    SchemaMismatch,
    /// A version of the format statusdb does not read.
    UnsupportedVersion,
    /// A field whose value cannot be read: a time that is not RFC 3339, a stamp in prose that
    /// names no instant, an epoch out of range.
    InvalidValue,
    /// Times written without a zone, and the source sets none (`zone = "..."` in the config).
    MissingZone,
    /// `kind = "auto"`: no kind recognises the page.
    Unrecognised,
    /// `kind = "auto"`: the page fits more than one product, and statusdb does not guess.
    Ambiguous,
}

impl ParseCause {
    /// Every cause, in declaration order (for documentation and metrics).
    pub const ALL: &'static [ParseCause] = &[
        ParseCause::Empty,
        ParseCause::WrongFormat,
        ParseCause::LoginPage,
        ParseCause::Truncated,
        ParseCause::NotUtf8,
        ParseCause::InvalidSyntax,
        ParseCause::SchemaMismatch,
        ParseCause::UnsupportedVersion,
        ParseCause::InvalidValue,
        ParseCause::MissingZone,
        ParseCause::Unrecognised,
        ParseCause::Ambiguous,
    ];

    /// The cause as a stable snake_case word (`wrong_format`), the same in every release.
    pub fn as_str(self) -> &'static str {
        match self {
            ParseCause::Empty => "empty",
            ParseCause::WrongFormat => "wrong_format",
            ParseCause::LoginPage => "login_page",
            ParseCause::Truncated => "truncated",
            ParseCause::NotUtf8 => "not_utf8",
            ParseCause::InvalidSyntax => "invalid_syntax",
            ParseCause::SchemaMismatch => "schema_mismatch",
            ParseCause::UnsupportedVersion => "unsupported_version",
            ParseCause::InvalidValue => "invalid_value",
            ParseCause::MissingZone => "missing_zone",
            ParseCause::Unrecognised => "unrecognised",
            ParseCause::Ambiguous => "ambiguous",
        }
    }

    /// The cause of a serde_json error: cut short, not JSON, or JSON of another shape.
    pub(crate) fn of_json(e: &serde_json::Error) -> ParseCause {
        match e.classify() {
            serde_json::error::Category::Eof => ParseCause::Truncated,
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                ParseCause::InvalidSyntax
            }
            serde_json::error::Category::Data => ParseCause::SchemaMismatch,
        }
    }
}

impl fmt::Display for ParseCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a page could not be read as its kind: the cause, where in the page, and the detail.
/// Displays as one line, `not a <kind> page: <detail> (at <place>)`; for `kind = "auto"`, the
/// detail alone (it says that no kind, or more than one, fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: Kind,
    cause: ParseCause,
    place: Option<String>,
    detail: String,
}

impl ParseError {
    /// A refusal of the whole page.
    pub(crate) fn new(kind: Kind, cause: ParseCause, detail: impl Into<String>) -> Self {
        ParseError {
            kind,
            cause,
            place: None,
            detail: detail.into(),
        }
    }

    /// A refusal at a place in the page (a JSON path, an entry, a line and column).
    pub(crate) fn at(
        kind: Kind,
        cause: ParseCause,
        place: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ParseError {
            kind,
            cause,
            place: Some(place.into()),
            detail: detail.into(),
        }
    }

    /// Why, as a word from a closed set.
    pub fn cause(&self) -> ParseCause {
        self.cause
    }

    /// The kind that refused the page.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Where in the page, when the refusal is about one place.
    pub fn place(&self) -> Option<&str> {
        self.place.as_deref()
    }

    /// What was wrong, for people.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind != Kind::Auto {
            write!(f, "not a {} page: ", self.kind)?;
        }
        // One line, whatever a library's message holds.
        for (i, line) in self.detail.lines().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(if i > 0 { line.trim() } else { line.trim_end() })?;
        }
        if let Some(place) = &self.place {
            write!(f, " (at {place})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_distinct_snake_case_words() {
        let mut words: Vec<&str> = ParseCause::ALL.iter().map(|c| c.as_str()).collect();
        assert!(
            words.iter().all(|w| w
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')),
            "{words:?}"
        );
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), ParseCause::ALL.len());
    }

    #[test]
    fn display_is_one_line_with_the_place_once() {
        let e = ParseError::at(
            Kind::Gcp,
            ParseCause::SchemaMismatch,
            "[3].updates[0]",
            "update has neither `when` nor `created`\n  (see docs)",
        );
        assert_eq!(
            e.to_string(),
            "not a gcp page: update has neither `when` nor `created` (see docs) (at [3].updates[0])"
        );
        assert_eq!(e.cause().as_str(), "schema_mismatch");
        let auto = ParseError::new(
            Kind::Auto,
            ParseCause::Unrecognised,
            "no known kind recognises the page",
        );
        assert_eq!(auto.to_string(), "no known kind recognises the page");
    }
}
