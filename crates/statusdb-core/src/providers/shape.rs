//! Checks every fetched document passes before its kind's parser sees it: the body is there, is
//! the sort of document the kind reads (`Kind::body_formats`: JSON, XML, HTML or plain text),
//! complete JSON where it is JSON, and not a page put in front of
//! the status page (a login form, a bot challenge). One place for all kinds, so a captcha is
//! reported as a captcha whatever the source's kind, and no parser gets an empty body.
//!
//! The body decides, not the `Content-Type`: servers label JSON `text/plain` or
//! `application/octet-stream` often enough; the declared type is quoted in the reason when the
//! body is wrong.

use super::{Kind, ParseCause, ParseError};
use std::borrow::Cow;

/// What a kind's documents are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// JSON (UTF-8, or UTF-16 with a byte-order mark).
    Json,
    /// RSS or Atom feeds and other XML.
    Xml,
    /// An HTML page.
    Html,
    /// Text that is none of the above (an aggregator's page copied as text).
    Text,
}

impl BodyFormat {
    fn name(self) -> &'static str {
        match self {
            BodyFormat::Json => "JSON",
            BodyFormat::Xml => "an XML feed",
            BodyFormat::Html => "an HTML page",
            BodyFormat::Text => "plain text",
        }
    }
}

/// How much of the start of a body the markers are looked for in.
const SNIFF_BYTES: usize = 64 * 1024;

/// Checks a fetched body against what its kind expects. The error reads
/// "not a <kind> page: <why>" like a parser's.
pub fn check(kind: Kind, content_type: Option<&str>, body: &[u8]) -> Result<(), ParseError> {
    let expected = kind.body_formats();
    let fail = |cause: ParseCause, reason: String| Err(ParseError::new(kind, cause, reason));
    let declared = content_type
        .map(|t| format!(" (served as {t:?})"))
        .unwrap_or_default();

    // A UTF-16 byte-order mark decides the encoding (AWS serves JSON so); the checks read the
    // decoded text. Without one, the bytes are read as they are (UTF-8, a BOM skipped).
    let decoded: Cow<'_, [u8]> = match encoding_rs::Encoding::for_bom(body) {
        Some((encoding, bom_length)) if encoding != encoding_rs::UTF_8 => {
            let (text, had_errors) = encoding.decode_without_bom_handling(&body[bom_length..]);
            if had_errors {
                return fail(
                    ParseCause::NotUtf8,
                    format!(
                        "the body starts with a {} byte-order mark but is not valid {}{declared}",
                        encoding.name(),
                        encoding.name()
                    ),
                );
            }
            Cow::Owned(text.into_owned().into_bytes())
        }
        _ => Cow::Borrowed(strip_bom(body)),
    };
    let text = decoded.trim_ascii_start();
    // Where `text` starts in the body, for byte offsets in errors (only UTF-8 bodies have any).
    let offset = body.len().saturating_sub(text.len());
    if text.is_empty() {
        return fail(
            ParseCause::Empty,
            if body.is_empty() {
                format!("the body is empty{declared}")
            } else {
                format!("the body is only white space{declared}")
            },
        );
    }

    let head = lowercase_head(text);
    let found = sniff(&head);
    if found == Found::Html
        && let Some(why) = interstitial(&head)
    {
        return fail(
            ParseCause::LoginPage,
            format!("{why}{declared}{}", title_note(&head)),
        );
    }
    let fits = expected.iter().any(|format| match format {
        BodyFormat::Json => found == Found::Json,
        BodyFormat::Xml => found == Found::Xml,
        BodyFormat::Html => found == Found::Html,
        BodyFormat::Text => found == Found::Other,
    });
    if !fits {
        let names: Vec<&str> = expected.iter().map(|f| f.name()).collect();
        return fail(
            ParseCause::WrongFormat,
            format!(
                "{} where {} is expected{declared}{}",
                found.description(),
                names.join(" or "),
                title_note(&head)
            ),
        );
    }

    if found == Found::Json {
        check_json(kind, text, offset)?;
    }
    Ok(())
}

/// JSON must be UTF-8 (RFC 8259) and complete: a body cut short says so, rather than leaving
/// each parser to word an end-of-input error of its own.
fn check_json(kind: Kind, text: &[u8], offset: usize) -> Result<(), ParseError> {
    if let Err(e) = std::str::from_utf8(text) {
        return Err(ParseError::at(
            kind,
            ParseCause::NotUtf8,
            format!("byte {}", offset + e.valid_up_to()),
            "the body is not valid UTF-8",
        ));
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(text) {
        Ok(_) => Ok(()),
        Err(e) => {
            let reason = if e.is_eof() {
                "the JSON ends early (a truncated body)".to_string()
            } else {
                // The position goes in the error's place.
                format!(
                    "the body is not valid JSON: {}",
                    super::support::json_message(&e)
                )
            };
            Err(ParseError::at(
                kind,
                ParseCause::of_json(&e),
                format!("line {} column {}", e.line(), e.column()),
                reason,
            ))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Json,
    Xml,
    Html,
    Other,
}

impl Found {
    fn description(self) -> &'static str {
        match self {
            Found::Json => "JSON",
            Found::Xml => "an XML document",
            Found::Html => "an HTML page",
            Found::Other => "plain text (neither JSON, XML nor HTML)",
        }
    }
}

/// What the body is, from its first element: JSON (`{`, `[`), HTML (a doctype html, or a first
/// element HTML has and XML documents do not), another XML document, or something else.
/// Declarations, processing instructions and comments before the first element are skipped.
fn sniff(head: &str) -> Found {
    let mut rest = head.trim_start();
    match rest.as_bytes().first() {
        Some(b'{' | b'[') => return Found::Json,
        Some(b'<') => {}
        _ => return Found::Other,
    }
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>").map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("<!doctype") {
            let (doctype, r) = after.split_once('>').unwrap_or((after, ""));
            if doctype.trim_start().starts_with("html") {
                return Found::Html;
            }
            rest = r;
        } else if let Some(after) = rest.strip_prefix('<') {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
                .collect();
            return if HTML_FIRST_ELEMENTS.contains(&name.as_str()) {
                Found::Html
            } else {
                Found::Xml
            };
        } else {
            // Past the sniffed head, or text before the first element.
            return if rest.is_empty() {
                Found::Xml
            } else {
                Found::Other
            };
        }
    }
}

/// Elements an HTML page (or fragment: an error page, a CDN's block page) starts with and a
/// feed or other XML document does not.
const HTML_FIRST_ELEMENTS: &[&str] = &[
    "html", "head", "body", "meta", "link", "script", "style", "title", "div", "p", "span",
    "center", "noscript", "br", "h1", "h2", "table", "form", "pre",
];

/// A page served in place of the status page: a bot challenge or a login form.
fn interstitial(head: &str) -> Option<&'static str> {
    if !head.starts_with('<') {
        return None;
    }
    let title = title(head).unwrap_or_default();
    let challenge_markers = [
        "cf-browser-verification",
        "cf_chl_opt",
        "/cdn-cgi/challenge-platform/",
        "_incapsula_resource",
        "captcha-delivery.com",
        "px-captcha",
    ];
    // Titles are matched at their start: "hCaptcha Status" and "Login.gov Status" are status
    // pages.
    let challenge_titles = [
        "just a moment",
        "attention required",
        "captcha",
        "are you a robot",
        "verify you are human",
        "security check",
        "access denied",
        "ddos protection",
    ];
    if challenge_markers.iter().any(|m| head.contains(m))
        || challenge_titles.iter().any(|t| title.starts_with(t))
    {
        return Some("a bot challenge (captcha) page instead of the status page");
    }
    let login_titles = ["sign in", "sign-in", "signin", "log in", "log-in"];
    let login_title = login_titles.iter().any(|t| title.starts_with(t))
        || title == "login"
        || ["login ", "login -", "login |", "login:"]
            .iter()
            .any(|t| title.starts_with(t));
    if has_password_field(head) || login_title {
        return Some("a login page instead of the status page");
    }
    None
}

fn has_password_field(head: &str) -> bool {
    ["type=\"password\"", "type='password'", "type=password"]
        .iter()
        .any(|m| head.contains(m))
}

/// The text of the `<title>`, lowercased, when the page has one near its start.
fn title(head: &str) -> Option<String> {
    let open = head.find("<title")?;
    let after = &head[open..];
    let start = after.find('>')? + 1;
    let end = after[start..].find("</title")?;
    let text: String = after[start..start + end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(text)
}

fn title_note(head: &str) -> String {
    match title(head) {
        Some(t) if !t.is_empty() => {
            let t: String = t.chars().take(80).collect();
            format!(", titled {t:?}")
        }
        _ => String::new(),
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// The start of the body as lowercase text, invalid bytes replaced, for marker searches.
fn lowercase_head(text: &[u8]) -> String {
    String::from_utf8_lossy(&text[..text.len().min(SNIFF_BYTES)]).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(body: &[u8], content_type: Option<&str>) -> String {
        check(Kind::Statuspage, content_type, body)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn good_json_passes() {
        assert_eq!(check(Kind::Statuspage, None, b"{\"page\": {}}"), Ok(()));
        assert_eq!(
            check(
                Kind::Statuspage,
                Some("text/plain"),
                b"\xEF\xBB\xBF  [1, 2]"
            ),
            Ok(())
        );
    }

    #[test]
    fn empty_bodies_are_refused() {
        assert_eq!(
            why(b"", Some("application/json")),
            "not a statuspage page: the body is empty (served as \"application/json\")"
        );
        assert_eq!(
            why(b" \n\t", None),
            "not a statuspage page: the body is only white space"
        );
    }

    #[test]
    fn html_where_json_is_expected() {
        assert_eq!(
            why(
                b"<!DOCTYPE html><html><head><title>GitHub Status</title></head></html>",
                Some("text/html; charset=utf-8")
            ),
            "not a statuspage page: an HTML page where JSON is expected \
             (served as \"text/html; charset=utf-8\"), titled \"github status\""
        );
        assert_eq!(
            why(b"<?xml version=\"1.0\"?><feed/>", None),
            "not a statuspage page: an XML document where JSON is expected"
        );
        assert_eq!(
            why(b"Service Unavailable", None),
            "not a statuspage page: plain text (neither JSON, XML nor HTML) where JSON is expected"
        );
    }

    #[test]
    fn login_and_captcha_pages_are_named() {
        let login = b"<html><head><title>Sign in - Okta</title></head><body>\
            <form><input name=\"u\"><input type=\"password\" name=\"p\"></form></body></html>";
        assert_eq!(
            why(login, Some("text/html")),
            "not a statuspage page: a login page instead of the status page \
             (served as \"text/html\"), titled \"sign in - okta\""
        );
        let cloudflare =
            b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>\
            <script>window._cf_chl_opt={cvId: '3'};</script></head></html>";
        assert_eq!(
            why(cloudflare, None),
            "not a statuspage page: a bot challenge (captcha) page instead of the status page, \
             titled \"just a moment...\""
        );
    }

    #[test]
    fn kinds_that_read_json_and_feeds_take_both() {
        let atom = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- generated -->\n\
            <feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">\
            &lt;p&gt;<![CDATA[<html><body>x</body></html>]]></content></entry></feed>";
        assert_eq!(check(Kind::Instatus, None, atom), Ok(()));
        assert_eq!(
            check(Kind::Incidentio, None, b"{\"incidents\": []}"),
            Ok(())
        );
        assert_eq!(
            check(Kind::Feed, None, b"<rss version=\"2.0\"><channel/></rss>"),
            Ok(())
        );
        assert_eq!(
            check(Kind::Feed, None, b"{\"incidents\": []}")
                .unwrap_err()
                .to_string(),
            "not a feed page: JSON where an XML feed is expected"
        );
        assert_eq!(
            check(
                Kind::Instatus,
                None,
                b"<html><head><title>Acme</title></head></html>"
            )
            .unwrap_err()
            .to_string(),
            "not a instatus page: an HTML page where JSON or an XML feed is expected, \
             titled \"acme\""
        );
        // An atom feed is an XML document, not HTML, for a JSON-only kind.
        assert_eq!(
            why(atom, Some("application/atom+xml")),
            "not a statuspage page: an XML document where JSON is expected \
             (served as \"application/atom+xml\")"
        );
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read_decoded() {
        let json = "[{\"summary\": \"Increased API error rates\"}]";
        let mut le = vec![0xFF, 0xFE];
        for unit in json.encode_utf16() {
            le.extend(unit.to_le_bytes());
        }
        assert_eq!(check(Kind::Aws, None, &le), Ok(()));
        // Cut 4 characters short (38 of 42 left): found truncated in the decoded text.
        let cut = &le[..le.len() - 8];
        assert_eq!(
            check(Kind::Aws, None, cut).unwrap_err().to_string(),
            "not a aws page: the JSON ends early (a truncated body) (at line 1 column 38)"
        );
        // A lone surrogate is not UTF-16.
        assert_eq!(
            check(Kind::Aws, None, &[0xFF, 0xFE, 0x00, 0xD8, 0x5B, 0x00])
                .unwrap_err()
                .to_string(),
            "not a aws page: the body starts with a UTF-16LE byte-order mark but is not valid UTF-16LE"
        );
    }

    #[test]
    fn an_aggregator_page_may_be_html_or_text() {
        assert_eq!(
            check(
                Kind::Aggregator,
                None,
                b"Okta incident\nO365 OIN Provisioning Setup Issue\n"
            ),
            Ok(())
        );
        assert_eq!(
            check(
                Kind::Aggregator,
                Some("text/html"),
                b"<!DOCTYPE html><html><body><h1>Okta incident</h1></body></html>"
            ),
            Ok(())
        );
        assert_eq!(
            check(Kind::Aggregator, None, b"{\"incident\": 1}")
                .unwrap_err()
                .to_string(),
            "not a aggregator page: JSON where an HTML page or plain text is expected"
        );
    }

    #[test]
    fn status_pages_named_like_markers_are_not_mistaken() {
        for title in [
            "hCaptcha Status",
            "Login.gov Status",
            "Okta Status - Sign in issues",
        ] {
            let page = format!("<html><head><title>{title}</title></head><body></body></html>");
            let e = why(page.as_bytes(), None);
            assert!(
                e.contains("an HTML page where JSON is expected"),
                "{title}: {e}"
            );
        }
    }

    /// Each refusal carries its cause, as machines read it.
    #[test]
    fn each_refusal_names_its_cause() {
        let cause = |kind: Kind, body: &[u8]| check(kind, None, body).unwrap_err().cause();
        let login = b"<html><head><title>Log in</title></head></html>";
        let captcha = b"<html><head><title>Attention Required! | Cloudflare</title></head></html>";
        let cases: [(Kind, &[u8], ParseCause); 9] = [
            (Kind::Statuspage, b"", ParseCause::Empty),
            (Kind::Statuspage, b"\n ", ParseCause::Empty),
            (Kind::Statuspage, login, ParseCause::LoginPage),
            (Kind::Feed, captcha, ParseCause::LoginPage),
            (Kind::Feed, b"{\"a\": 1}", ParseCause::WrongFormat),
            (Kind::Statuspage, b"{\"a\": [1, 2", ParseCause::Truncated),
            (Kind::Statuspage, b"{\"a\": 1} x", ParseCause::InvalidSyntax),
            (Kind::Statuspage, b"{\"a\": \"\xE9\"}", ParseCause::NotUtf8),
            (Kind::Aws, &[0xFF, 0xFE, 0x00, 0xD8], ParseCause::NotUtf8),
        ];
        for (kind, body, expected) in cases {
            assert_eq!(cause(kind, body), expected, "{kind} {body:?}");
        }
    }

    #[test]
    fn truncated_and_invalid_json() {
        assert_eq!(
            why(b"{\"components\": [{\"name\": \"API\"", None),
            "not a statuspage page: the JSON ends early (a truncated body) (at line 1 column 30)"
        );
        assert_eq!(
            why(b"{\"a\": 1} trailing", None),
            "not a statuspage page: the body is not valid JSON: trailing characters \
             (at line 1 column 10)"
        );
        assert_eq!(
            why(b"{\"name\": \"caf\xE9\"}", Some("application/json")),
            "not a statuspage page: the body is not valid UTF-8 (at byte 13)"
        );
    }
}
