//! Small helpers the hosted-product parsers share: reading JSON with a loud error that names
//! what the page was instead, collecting parse notes, and exact machine times.

use super::{Kind, ParseError};
use crate::model::{ParseNote, TimeValue};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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

/// Reads a JSON document, failing loudly (with the place and the body's start) when the body is
/// HTML or not the JSON expected.
pub(crate) fn read_json<T: DeserializeOwned>(
    kind: Kind,
    body: &[u8],
    what: &str,
) -> Result<T, ParseError> {
    if looks_like_html(body) {
        return Err(ParseError::new(
            kind,
            format!(
                "an HTML page where {what} was expected; it starts with {:?}",
                start_of(body)
            ),
        ));
    }
    serde_json::from_slice(trimmed(body)).map_err(|e| {
        ParseError::at(
            kind,
            format!("line {} column {}", e.line(), e.column()),
            format!(
                "body is not {what} ({e}); it starts with {:?}",
                start_of(body)
            ),
        )
    })
}

/// For fields a product writes as `null`, `[]` or leaves out alike: all read as the default.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
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
}

/// Reads an RFC 3339 machine field exactly, offset included.
pub(crate) fn rfc3339(kind: Kind, text: &str, place: &str) -> Result<TimeValue, ParseError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| TimeValue::structured(t.with_timezone(&Utc), text))
        .map_err(|e| ParseError::at(kind, place, format!("time {text:?} is not RFC 3339: {e}")))
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
}
