//! Small helpers the parsers share: reading JSON with a loud error that names what the page was
//! instead, collecting parse notes, exact machine times, decoding bodies and the visible text
//! of HTML.

use super::{Kind, ParseCause, ParseError};
use crate::model::{ComponentStatus, ParseNote, Status, TimeValue};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::cell::OnceCell;
use url::Url;

/// The first characters of a body, for error messages.
pub(crate) fn start_of(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(60)]);
    text.trim_start_matches('\u{feff}').trim_start().to_string()
}

/// The body without a byte-order mark and leading whitespace.
pub(crate) fn trimmed(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[start..]
}

/// True for an HTML page (a status page's home, an error or login page) rather than a data
/// document.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let head = trimmed(body);
    let head = String::from_utf8_lossy(&head[..head.len().min(200)]).to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head>")
}

/// Refuses an HTML page (a status page's home, an error or login page) where `expected` was
/// expected, quoting its start.
pub(crate) fn refuse_html(kind: Kind, body: &[u8], expected: &str) -> Result<(), ParseError> {
    if looks_like_html(body) {
        return Err(ParseError::new(
            kind,
            ParseCause::WrongFormat,
            format!(
                "an HTML page where {expected} was expected; it starts with {:?}",
                start_of(body)
            ),
        ));
    }
    Ok(())
}

/// A body that does not start as `expected` does: wrong format, quoting its start.
pub(crate) fn unexpected_start(kind: Kind, expected: &str, text: &str) -> ParseError {
    ParseError::new(
        kind,
        ParseCause::WrongFormat,
        format!("expected {expected}, body starts with {:?}", opening(text)),
    )
}

/// Reads a JSON document, failing loudly (with the place and the body's start) when the body is
/// HTML or not the JSON expected. `T` may borrow from the body (raw JSON slices).
pub(crate) fn read_json<'a, T: Deserialize<'a>>(
    kind: Kind,
    body: &'a [u8],
    what: &str,
) -> Result<T, ParseError> {
    refuse_html(kind, body, what)?;
    serde_json::from_slice(trimmed(body)).map_err(|e| json_error(kind, &e, what, &start_of(body)))
}

/// A body that is not the JSON `expected` names, refused at the line and column where it stops
/// being that: cut short, not JSON, or JSON of another shape (the cause says which).
pub(crate) fn json_error(
    kind: Kind,
    e: &serde_json::Error,
    expected: &str,
    start: &str,
) -> ParseError {
    ParseError::at(
        kind,
        ParseCause::of_json(e),
        format!("line {} column {}", e.line(), e.column()),
        format!(
            "body is not {expected} ({}); it starts with {start:?}",
            json_message(e)
        ),
    )
}

/// serde_json's message without the position it appends (the error's place carries that).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

/// For fields a product writes as `null`, `[]` or leaves out alike: all read as the default.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A status as people write it ("Investigating", "In progress"): a canonical word in any case,
/// with a space for its underscore.
pub(crate) fn status_label(word: &str) -> Option<Status> {
    word.trim()
        .to_ascii_lowercase()
        .replace(' ', "_")
        .parse()
        .ok()
}

/// A component status word mapped, else `unknown` with a note that the word was kept raw.
pub(crate) fn component_status_or_unknown(
    mapped: Option<ComponentStatus>,
    what: &str,
    raw: &str,
    place: &str,
    notes: &mut Notes,
) -> ComponentStatus {
    mapped.unwrap_or_else(|| {
        notes.add(
            place,
            format!("unknown {what} {raw:?} kept raw, mapped to unknown"),
        );
        ComponentStatus::Unknown
    })
}

/// Parse notes of one page, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Notes(pub Vec<ParseNote>);

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

/// Reads an RFC 3339 machine field exactly, offset included.
pub(crate) fn rfc3339(kind: Kind, text: &str, place: &str) -> Result<TimeValue, ParseError> {
    machine_time(
        kind,
        text,
        place,
        DateTime::parse_from_rfc3339(text),
        "time",
        "RFC 3339",
    )
}

/// A machine field's instant as read, or the refusal naming the form it is not in.
fn machine_time(
    kind: Kind,
    text: &str,
    place: &str,
    read: chrono::ParseResult<DateTime<chrono::FixedOffset>>,
    what: &str,
    form: &str,
) -> Result<TimeValue, ParseError> {
    read.map(|t| TimeValue::structured(t.with_timezone(&Utc), text))
        .map_err(|e| {
            ParseError::at(
                kind,
                ParseCause::InvalidValue,
                place,
                format!("{what} {text:?} is not {form}: {e}"),
            )
        })
}

/// An optional RFC 3339 field.
pub(crate) fn rfc3339_opt(
    kind: Kind,
    text: Option<&str>,
    place: &str,
) -> Result<Option<TimeValue>, ParseError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| rfc3339(kind, t, place))
        .transpose()
}

/// `https://host` of a page URL, for links the page does not spell out; none for `file:` URLs.
pub(crate) fn web_root(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    match url.scheme() {
        "http" | "https" => {
            let mut root = format!("{}://{}", url.scheme(), url.host_str()?);
            if let Some(port) = url.port() {
                root.push_str(&format!(":{port}"));
            }
            Some(root)
        }
        _ => None,
    }
}

/// Plain text of an HTML fragment: the text of its block elements, one paragraph per line
/// break pair, whitespace inside a block collapsed.
pub(crate) fn html_text(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    collect_text(fragment.root_element(), &mut blocks, &mut current);
    flush(&mut blocks, &mut current);
    blocks.join("\n\n")
}

fn collect_text(element: scraper::ElementRef<'_>, blocks: &mut Vec<String>, current: &mut String) {
    for child in element.children() {
        if let Some(text) = child.value().as_text() {
            // Line breaks in HTML source are spaces; only `<br>` breaks a line.
            current.push_str(&text.replace(['\n', '\r', '\t'], " "));
        } else if let Some(el) = scraper::ElementRef::wrap(child) {
            let name = el.value().name();
            let block = matches!(
                name,
                "p" | "div"
                    | "li"
                    | "ul"
                    | "ol"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "pre"
                    | "blockquote"
                    | "table"
                    | "tr"
            );
            if name == "br" {
                current.push('\n');
                continue;
            }
            if block {
                flush(blocks, current);
            }
            collect_text(el, blocks, current);
            if block {
                flush(blocks, current);
            }
        }
    }
}

fn flush(blocks: &mut Vec<String>, current: &mut String) {
    let text = current
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if !text.is_empty() {
        blocks.push(text);
    }
    current.clear();
}

// ---------------------------------------------------------------------------------------------
// What the cloud kinds (gcp, aws, azure, slack, okta, salesforce, aggregator) add: bodies in
// UTF-16, JSON read from decoded text, values written as numbers or strings, RFC 822 and epoch
// times, the visible text of a whole HTML page.

/// A body as text. A byte-order mark decides the encoding (UTF-8, UTF-16 LE or BE: AWS serves
/// `currentevents` as UTF-16 with a BOM); without one the body must be UTF-8.
pub(crate) fn decode_text(kind: Kind, body: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(body) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&body[bom_length..]);
        if had_errors {
            return Err(ParseError::new(
                kind,
                ParseCause::NotUtf8,
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
            ParseCause::NotUtf8,
            format!("byte {}", e.valid_up_to()),
            "body is neither UTF-8 nor UTF-16 with a byte-order mark",
        )
    })
}

/// The first characters of a body, for error messages.
pub(crate) fn opening(text: &str) -> String {
    text.trim_start().chars().take(40).collect()
}

/// Deserializes JSON from decoded text (see `decode_text`), naming the line and column where it stops being what `expected` says.
pub(crate) fn read_json_text<T: DeserializeOwned>(
    kind: Kind,
    text: &str,
    expected: &str,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| json_error(kind, &e, expected, &opening(text)))
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

/// An RFC 822/2822 feed date (`Mon, 17 Aug 2026 21:01:19 PDT`, `Mon, 07 Sep 2026 06:52:00 Z`).
pub(crate) fn rfc2822(kind: Kind, text: &str, place: &str) -> Result<TimeValue, ParseError> {
    let read = DateTime::parse_from_rfc2822(text.trim());
    machine_time(kind, text, place, read, "date", "RFC 822")
}

/// An epoch time written as digits: seconds (up to 11 digits, which reach the year 5138) or
/// milliseconds (13 digits and more, from 2001 on). AWS mixes both in one document.
pub(crate) fn epoch(kind: Kind, raw: &str, place: &str) -> Result<TimeValue, ParseError> {
    let digits = raw.trim();
    let refuse = |why: &str| {
        ParseError::at(
            kind,
            ParseCause::InvalidValue,
            place,
            format!("epoch time {raw:?} {why}"),
        )
    };
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
    visible_text_of(&scraper::Html::parse_document(html))
}

/// [`visible_text`] of a document already parsed (for a caller that reads more of it).
pub(crate) fn visible_text_of(document: &scraper::Html) -> String {
    let mut raw = String::new();
    collect_visible(document.tree.root(), &mut raw);
    // Each line's words joined by one space, lines without words dropped; written into one
    // string (building a vector per line cost as much as parsing a short entry's HTML).
    let mut text = String::with_capacity(raw.len());
    for line in raw.split('\n') {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else {
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(first);
        for word in words {
            text.push(' ');
            text.push_str(word);
        }
    }
    text
}

fn collect_visible(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut String) {
    match node.value() {
        scraper::Node::Text(text) => {
            // Source line breaks inside text are spaces when rendered.
            let mut pieces = text.split('\n');
            if let Some(first) = pieces.next() {
                out.push_str(first);
            }
            for piece in pieces {
                out.push(' ');
                out.push_str(piece);
            }
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
                collect_visible(child, out);
            }
            if block {
                out.push('\n');
            }
        }
        _ => {
            for child in node.children() {
                collect_visible(child, out);
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

// ---------------------------------------------------------------------------------------------
// What the detectors (`Kind::detect`, for `kind = "auto"`) share: a body read leniently, as
// JSON or as a feed, `None` when it is not that; and the host a link points to.

/// One body as the detectors read it, each reading made at most once however many detectors
/// ask: `auto` runs every kind's detector on the same body, and ten of them read it as JSON,
/// seven as a feed.
pub(crate) struct Sniff<'a> {
    pub body: &'a [u8],
    json: OnceCell<Option<serde_json::Value>>,
    feed: OnceCell<Option<super::rss_atom::Feed>>,
}

impl<'a> Sniff<'a> {
    pub fn new(body: &'a [u8]) -> Self {
        Sniff {
            body,
            json: OnceCell::new(),
            feed: OnceCell::new(),
        }
    }

    /// [`json_of`] the body.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json.get_or_init(|| json_of(self.body)).as_ref()
    }

    /// The body's JSON when it is UTF-8 without a byte-order mark (what
    /// `serde_json::from_slice` reads).
    pub fn json_utf8(&self) -> Option<&serde_json::Value> {
        if encoding_rs::Encoding::for_bom(self.body).is_some() {
            return None;
        }
        self.json()
    }

    /// The body read as a feed ([`super::rss_atom::read`]), `None` when it is none.
    pub fn feed(&self) -> Option<&super::rss_atom::Feed> {
        self.feed.get_or_init(|| feed_of(self)).as_ref()
    }
}

/// A body's JSON, in any encoding [`decode_text`] reads; `None` when it is not JSON.
pub(crate) fn json_of(body: &[u8]) -> Option<serde_json::Value> {
    let text = decode_text(Kind::Auto, body).ok()?;
    serde_json::from_str(&text).ok()
}

/// A body's feed as the feed kinds read it; `None` when it is not a feed. A JSON body is a
/// feed only when it is a JSON Feed, which its JSON (read once for every detector) tells.
fn feed_of(sniff: &Sniff<'_>) -> Option<super::rss_atom::Feed> {
    let start = trimmed(sniff.body).first()?;
    match start {
        b'<' => super::rss_atom::read(Kind::Auto, sniff.body).ok(),
        b'{' => super::rss_atom::json_feed(Kind::Auto, sniff.json()?).ok(),
        // A UTF-16 body: decoded, then as above.
        _ => {
            let text = decode_text(Kind::Auto, sniff.body).ok()?;
            text.trim_start()
                .starts_with('<')
                .then(|| super::rss_atom::read(Kind::Auto, sniff.body).ok())
                .flatten()
        }
    }
}

/// True when `link` is on `domain` or one of its subdomains (`status.okta.com` is on
/// `okta.com`).
pub(crate) fn links_to(link: &str, domain: &str) -> bool {
    Url::parse(link.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| host == domain || host.ends_with(&format!(".{domain}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_before_json_parsing() {
        let err = read_json::<serde_json::Value>(
            Kind::Statuspage,
            b"\n<!DOCTYPE html><html><body>Sign in</body></html>",
            "Statuspage JSON",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a statuspage page: an HTML page where Statuspage JSON was expected; it starts \
             with \"<!DOCTYPE html><html><body>Sign in</body></html>\""
        );
    }

    #[test]
    fn html_text_keeps_paragraphs_and_drops_tags() {
        assert_eq!(
            html_text("<p>We are <b>investigating</b>\n  errors.</p><p>More soon.</p>"),
            "We are investigating errors.\n\nMore soon."
        );
    }

    #[test]
    fn web_root_keeps_the_port_and_refuses_files() {
        assert_eq!(
            web_root("http://127.0.0.1:8080/api/v2/summary.json").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(web_root("file:///tmp/x.json"), None);
    }

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
        assert_eq!(e.place(), Some("byte 1"));
        assert_eq!(e.cause(), ParseCause::NotUtf8);
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
