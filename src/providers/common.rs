//! What several kinds share: body decoding, JSON with a located error, machine times (RFC 3339,
//! RFC 2822, epoch numbers), parse notes, and the visible text of HTML.

use super::{Kind, ParseError};
use crate::model::{ParseNote, TimeValue};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// The notes one parse collects: unknown words kept raw, entries skipped, doubts.
#[derive(Debug, Default)]
pub(crate) struct Notes(Vec<ParseNote>);

impl Notes {
    pub fn add(&mut self, place: impl Into<String>, message: impl Into<String>) {
        self.0.push(ParseNote {
            place: place.into(),
            message: message.into(),
        });
    }

    pub fn into_vec(self) -> Vec<ParseNote> {
        self.0
    }
}

/// A body as text. A byte-order mark decides the encoding (UTF-8, UTF-16 LE or BE: AWS serves
/// `currentevents` as UTF-16 with a BOM); without one the body must be UTF-8.
pub(crate) fn decode_text(kind: Kind, body: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(body) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&body[bom_length..]);
        if had_errors {
            return Err(ParseError::new(
                kind,
                format!(
                    "body starts with a {} byte-order mark but is not valid {}",
                    encoding.name(),
                    encoding.name()
                ),
            ));
        }
        return Ok(text);
    }
    std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
        ParseError::at(
            kind,
            format!("byte {}", e.valid_up_to()),
            "body is neither UTF-8 nor UTF-16 with a byte-order mark",
        )
    })
}

/// The first characters of a body, for error messages.
pub(crate) fn opening(text: &str) -> String {
    text.trim_start().chars().take(40).collect()
}

/// Deserializes JSON, naming the line and column where it stops being what `expected` says.
pub(crate) fn json<T: DeserializeOwned>(
    kind: Kind,
    text: &str,
    expected: &str,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        ParseError::at(
            kind,
            format!("line {} column {}", e.line(), e.column()),
            format!(
                "body is not {expected} ({e}); it starts with {:?}",
                opening(text)
            ),
        )
    })
}

/// A JSON value vendors write either as a number or as a string (`"1772369485"`, `1576`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Scalar {
    Integer(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    /// The value as written (numbers in their shortest decimal form).
    pub fn text(&self) -> String {
        match self {
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(s) => s.clone(),
        }
    }
}

/// An RFC 3339 machine time, offset kept exact.
pub(crate) fn rfc3339(kind: Kind, text: &str, place: &str) -> Result<TimeValue, ParseError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| TimeValue::structured(t.with_timezone(&Utc), text))
        .map_err(|e| ParseError::at(kind, place, format!("time {text:?} is not RFC 3339: {e}")))
}

/// An RFC 822/2822 feed date (`Mon, 17 Aug 2026 21:01:19 PDT`, `Mon, 07 Sep 2026 06:52:00 Z`).
pub(crate) fn rfc2822(kind: Kind, text: &str, place: &str) -> Result<TimeValue, ParseError> {
    DateTime::parse_from_rfc2822(text.trim())
        .map(|t| TimeValue::structured(t.with_timezone(&Utc), text))
        .map_err(|e| ParseError::at(kind, place, format!("date {text:?} is not RFC 822: {e}")))
}

/// An epoch time written as digits: seconds (up to 11 digits, which reach the year 5138) or
/// milliseconds (13 digits and more, from 2001 on). AWS mixes both in one document.
pub(crate) fn epoch(kind: Kind, raw: &str, place: &str) -> Result<TimeValue, ParseError> {
    let digits = raw.trim();
    let refuse = |why: &str| ParseError::at(kind, place, format!("epoch time {raw:?} {why}"));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse("is not a whole number"));
    }
    let value: i64 = digits.parse().map_err(|_| refuse("is out of range"))?;
    let instant = match digits.len() {
        0..=11 => DateTime::from_timestamp(value, 0),
        12 => {
            return Err(refuse(
                "has 12 digits: neither seconds nor milliseconds of a plausible date",
            ));
        }
        _ => DateTime::from_timestamp_millis(value),
    };
    instant
        .map(|t| TimeValue::structured(t, raw))
        .ok_or_else(|| refuse("is out of range"))
}

/// HTML elements that start a new line in rendered text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not shown.
const HIDDEN_ELEMENTS: &[&str] = &["head", "noscript", "script", "style", "template", "title"];

/// The text a browser shows for an HTML document or fragment: one line per block element,
/// runs of white space collapsed, empty lines dropped.
pub(crate) fn visible_text(html: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let mut raw = String::new();
    collect_text(document.tree.root(), &mut raw);
    raw.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn collect_text(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut String) {
    match node.value() {
        scraper::Node::Text(text) => {
            // Source line breaks inside text are spaces when rendered.
            out.extend(text.chars().map(|c| if c == '\n' { ' ' } else { c }));
        }
        scraper::Node::Element(element) => {
            let name = element.name();
            if HIDDEN_ELEMENTS.contains(&name) {
                return;
            }
            if name == "br" {
                out.push('\n');
                return;
            }
            let block = BLOCK_ELEMENTS.contains(&name);
            if block {
                out.push('\n');
            }
            for child in node.children() {
                collect_text(child, out);
            }
            if block {
                out.push('\n');
            }
        }
        _ => {
            for child in node.children() {
                collect_text(child, out);
            }
        }
    }
}

/// `text` without `prefix`, compared without regard to ASCII case.
pub(crate) fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_and_milliseconds() {
        let s = epoch(Kind::Aws, "1772369485", "x").unwrap();
        assert_eq!(crate::model::format_utc(&s.utc), "2026-03-01T12:51:25Z");
        let ms = epoch(Kind::Aws, "1772369485000", "x").unwrap();
        assert_eq!(ms.utc, s.utc);
        assert_eq!(ms.raw, "1772369485000");
        assert!(epoch(Kind::Aws, "177236948500", "x").is_err());
        assert!(epoch(Kind::Aws, "17723694.85", "x").is_err());
        assert!(epoch(Kind::Aws, "", "x").is_err());
    }

    #[test]
    fn utf16_with_bom_both_orders_and_utf8() {
        let text = "[{\"a\":\"é\"}]";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode_text(Kind::Aws, &le).unwrap(), text);
        assert_eq!(decode_text(Kind::Aws, &be).unwrap(), text);
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend(text.as_bytes());
        assert_eq!(decode_text(Kind::Aws, &utf8_bom).unwrap(), text);
        assert_eq!(decode_text(Kind::Aws, text.as_bytes()).unwrap(), text);
        let e = decode_text(Kind::Aws, &[0x5B, 0xFF, 0x5D]).unwrap_err();
        assert_eq!(e.place.as_deref(), Some("byte 1"));
    }

    #[test]
    fn visible_text_puts_blocks_on_lines() {
        let html = "<html><head><title>x</title><style>p{}</style></head><body><h1>Okta \
                    incident</h1><p>O365   OIN\nIssue</p><ul><li>a<b>b</b></li><li>c</li></ul>\
                    <span>d</span><span>e</span><br>f</body></html>";
        assert_eq!(
            visible_text(html),
            "Okta incident\nO365 OIN Issue\nab\nc\nde\nf"
        );
    }
}
