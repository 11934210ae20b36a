//! What Statuspage's rendered views (`statuspage-feed`, `statuspage-html`) share: the update
//! labels as people read them ("In progress", "Update"), reading a stamp through
//! [`timetext`], and the text of HTML fragments.

use crate::model::{ParseNote, Status, TimeValue};
use chrono::{DateTime, Days, NaiveDate, Utc};
use scraper::{ElementRef, Node, Selector};
use timetext::{Context, Flag, Parsed};

/// What an update label says about the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// A status word.
    Status(Status),
    /// "Update": the update only adds text and keeps the status before it.
    TextOnly,
    /// A word this table does not know: kept raw, reported, no status.
    Unknown,
}

/// The one table of Statuspage's rendered update labels (feeds and HTML alike), compared
/// without regard to case and spacing.
pub fn label(raw: &str) -> Label {
    let word = collapse_whitespace(raw);
    if word.eq_ignore_ascii_case("update") {
        return Label::TextOnly;
    }
    match super::support::status_label(&word) {
        Some(status) => Label::Status(status),
        None => Label::Unknown,
    }
}

/// Statuspage's impact classes (`impact-major`) on rendered pages: the JSON API's words.
pub fn impact_from_classes(element: &ElementRef<'_>) -> Option<String> {
    element
        .value()
        .classes()
        .find_map(|c| c.strip_prefix("impact-"))
        .map(str::to_string)
}

/// Runs of whitespace (HTML source indentation, `&nbsp;`) as one space, trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A context anchored half a year before `instant`, so that a month and day without a year
/// take the latest year that does not put them after `instant`: timetext takes the year
/// nearest its anchor, and an update shown on a page was posted before the page was
/// rendered (an unresolved incident may be months old; the nearest year would put its
/// March stamps of last year into this year's future).
pub fn posted_before(instant: DateTime<Utc>) -> NaiveDate {
    let date = instant.date_naive();
    date.checked_sub_days(Days::new(182)).unwrap_or(date)
}

/// Reads one stamp as people see it ("Aug 21, 00:37 UTC") through timetext. The time is
/// `stated` when the text is complete and `derived` when its year or date came from the
/// context. Readings timetext flags (an abbreviation that contradicts daylight time, an
/// ambiguous abbreviation, ...) are reported in `notes` with the other reading; a refusal is
/// reported and gives `None`: the update is then not stored rather than stored wrong.
pub fn read_stamp(
    raw: &str,
    context: &Context,
    place: &str,
    notes: &mut Vec<ParseNote>,
) -> Option<(TimeValue, Parsed)> {
    let text = collapse_whitespace(raw);
    match timetext::parse(&text, context) {
        Ok(parsed) => {
            note_flags(&text, &parsed, place, notes);
            Some((value_at(parsed.utc, text, &parsed), parsed))
        }
        Err(e) => {
            notes.push(ParseNote {
                place: place.to_string(),
                message: format!("stamp {text:?} not read, update skipped: {e}"),
            });
            None
        }
    }
}

/// A time read from text: `derived` when its year or date came from the context, else
/// `stated`; with the reading's flags, for the normalizer to weigh.
pub fn value_at(utc: DateTime<Utc>, text: impl Into<String>, parsed: &Parsed) -> TimeValue {
    let value = if parsed.flags.contains(Flag::YearInferred)
        || parsed.flags.contains(Flag::DateFromContext)
    {
        TimeValue::derived(utc, text)
    } else {
        TimeValue::stated(utc, text)
    };
    value.with_flags(parsed.flags)
}

/// Reports the flags that say a reading could be wrong. A year taken from the entry's date is
/// the normal case for these pages and is not reported.
pub fn note_flags(text: &str, parsed: &Parsed, place: &str, notes: &mut Vec<ParseNote>) {
    let doubtful: Vec<&str> = parsed
        .flags
        .iter()
        // A year, a day, or a reading the page's own evidence picked is no doubt.
        .filter(|f| {
            !matches!(
                f,
                Flag::YearInferred
                    | Flag::DateFromContext
                    | Flag::AbbreviationFromContext
                    | Flag::AmbiguousDateOrder
            )
        })
        .map(Flag::as_str)
        .collect();
    if doubtful.is_empty() {
        return;
    }
    let other = parsed
        .alternative
        .map(|a| format!("; other reading {}", crate::model::format_utc(&a)))
        .unwrap_or_default();
    notes.push(ParseNote {
        place: place.to_string(),
        message: format!(
            "stamp {text:?} read as {} ({}): {}{other}",
            crate::model::format_utc(&parsed.utc),
            parsed.zone_used,
            doubtful.join(", ")
        ),
    });
}

/// A selector from a compile-time constant.
pub fn selector(css: &'static str) -> Selector {
    Selector::parse(css).expect("selector constants are valid CSS")
}

/// The text of an element as a reader sees it: `<br>` as a line break, source whitespace
/// collapsed, lines trimmed; the children for which `skip` is true are left out.
pub fn text_of(element: ElementRef<'_>, skip: &dyn Fn(&ElementRef<'_>) -> bool) -> String {
    let mut out = String::new();
    collect_text(element, skip, &mut out);
    let lines: Vec<String> = out.split('\n').map(collapse_whitespace).collect();
    lines.join("\n").trim().to_string()
}

fn collect_text(element: ElementRef<'_>, skip: &dyn Fn(&ElementRef<'_>) -> bool, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.push_str(&text.replace('\n', " ")),
            Node::Element(e) if e.name() == "br" => out.push('\n'),
            Node::Element(e) if matches!(e.name(), "p" | "div") => {
                if let Some(el) = ElementRef::wrap(child)
                    && !skip(&el)
                {
                    out.push('\n');
                    collect_text(el, skip, out);
                    out.push('\n');
                }
            }
            Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(child)
                    && !skip(&el)
                {
                    collect_text(el, skip, out);
                }
            }
            _ => {}
        }
    }
}

/// The body of a rendered update: its text without the label and stamp, and without the
/// " - " that separates the label from the text.
pub fn update_body(update: ElementRef<'_>) -> String {
    let text = text_of(update, &|e| matches!(e.value().name(), "strong" | "small"));
    let text = text.trim_start();
    let text = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('–'))
        .unwrap_or(text);
    text.trim().to_string()
}

/// The incident code in a link such as `https://www.githubstatus.com/incidents/fbx6ysfb4mff`
/// or `/incidents/fbx6ysfb4mff`.
pub fn incident_code(link: &str) -> Option<String> {
    let path = link.split(['?', '#']).next().unwrap_or(link);
    let (_, rest) = path.rsplit_once("/incidents/")?;
    let code = rest.trim_end_matches('/');
    (!code.is_empty() && !code.contains('/') && code.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_through_one_table() {
        assert_eq!(label("In progress"), Label::Status(Status::InProgress));
        assert_eq!(label(" Resolved "), Label::Status(Status::Resolved));
        assert_eq!(label("Postmortem"), Label::Status(Status::Postmortem));
        assert_eq!(label("Update"), Label::TextOnly);
        assert_eq!(label("Mitigated"), Label::Unknown);
    }

    #[test]
    fn incident_codes_come_from_links() {
        assert_eq!(
            incident_code("https://www.githubstatus.com/incidents/fbx6ysfb4mff").as_deref(),
            Some("fbx6ysfb4mff")
        );
        assert_eq!(
            incident_code("/incidents/4zgm7ysssq2t").as_deref(),
            Some("4zgm7ysssq2t")
        );
        assert_eq!(incident_code("https://status.example.com/history"), None);
        assert_eq!(incident_code("https://x/incidents/a/b"), None);
    }

    #[test]
    fn posted_before_rolls_back_half_a_year() {
        let t = DateTime::parse_from_rfc3339("2021-01-22T19:48:15Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            posted_before(t),
            NaiveDate::from_ymd_opt(2020, 7, 24).unwrap()
        );
    }
}
