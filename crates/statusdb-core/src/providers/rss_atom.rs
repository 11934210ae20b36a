//! The one feed reader: RSS 2.0 (and RSS 1.0), Atom and JSON Feed documents as every kind that
//! reads feeds sees them (`feed`, `statuspage-feed`, `incidentio` and `instatus` Atom, `aws`
//! RSS, `azure`, `okta`, and the detectors through `Sniff`). One entry walker keeps each
//! entry's fields as the text the feed wrote, dates included, so each kind decides how a date
//! becomes an instant and keeps the raw text (`PDT` stamps, the empty Azure feed's literal
//! `Z`); one rule gives an entry's text (its content, else its summary) and one its link.

use super::support::{decode_text, html_text, json_error, opening, refuse_html};
use super::{Kind, ParseCause, ParseError};
use crate::model::TimeValue;
use chrono::{DateTime, Utc};
use regex::Regex;
use roxmltree::{Document, Node};
use serde_json::Value;
use std::sync::LazyLock;
use url::Url;

const ATOM: &str = "http://www.w3.org/2005/Atom";
/// RSS 1.0's own namespace (RSS 2.0 elements have none).
const RSS1: &str = "http://purl.org/rss/1.0/";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const DUBLIN_CORE: &str = "http://purl.org/dc/elements/1.1/";

/// Which kind of feed a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// RSS 2.0, or RSS 1.0 (RDF).
    Rss,
    Atom,
    /// JSON Feed 1.x.
    Json,
}

impl Format {
    /// The format with its article, for messages ("an Atom feed").
    pub fn described(self) -> &'static str {
        match self {
            Format::Rss => "an RSS feed",
            Format::Atom => "an Atom feed",
            Format::Json => "a JSON Feed",
        }
    }
}

/// A text field as the feed wrote it, and whether the feed declares it HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    /// Trimmed; markup kept (escaped HTML unescaped once, as XML does; inline elements as
    /// written).
    pub value: String,
    /// Declared HTML: Atom `type="html"` or `"xhtml"`, an RSS description or
    /// `content:encoded`, a JSON Feed `content_html`.
    pub html: bool,
}

impl Text {
    /// The text for people: HTML (declared, or with markup in it) read as HTML, else trimmed.
    pub fn plain(&self) -> String {
        if self.html || self.value.contains('<') {
            html_text(&self.value)
        } else {
            self.value.clone()
        }
    }
}

/// A feed with its entries in document order.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub format: Format,
    /// Atom `<id>`.
    pub id: Option<String>,
    pub title: Option<Text>,
    /// The page the feed is about: RSS `<link>`, the Atom `<link>` by [`link_of`]'s rule, JSON
    /// Feed `home_page_url` (else `feed_url`).
    pub link: Option<String>,
    /// RSS `lastBuildDate` or Atom `<updated>`, as written.
    pub updated: Option<String>,
    pub entries: Vec<Entry>,
}

/// One RSS `<item>`, Atom `<entry>` or JSON Feed item.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entry {
    /// `items[3]` or `entries[3]`, for notes and errors.
    pub place: String,
    /// The entry's position in the feed, from 0.
    pub index: usize,
    /// RSS `<guid>`, Atom `<id>`, JSON Feed `id`.
    pub id: Option<String>,
    pub title: Option<Text>,
    /// FeedBurner's `<feedburner:origLink>` (the publisher's own link), else the RSS `<link>`
    /// or Atom `<link>` by [`link_of`]'s rule; as a URL writes it (`http://host/` for
    /// `http://host`), or as written when it is no absolute URL.
    pub link: Option<String>,
    /// RSS `<pubDate>` (or `dc:date`), Atom `<published>`, JSON Feed `date_published`: as
    /// written.
    pub published: Option<String>,
    /// Atom `<updated>` (also in RSS), JSON Feed `date_modified`: as written.
    pub updated: Option<String>,
    /// The entry's text: its content (Atom `<content>`, RSS `content:encoded`, JSON Feed
    /// `content_html`, else `content_text`), else its summary (Atom `<summary>`, RSS
    /// `<description>`, JSON Feed `summary`).
    pub content: Option<Text>,
}

impl Entry {
    /// The entry as notes name it: `entry <its id>`, else `entry <its number>` (from 1).
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("entry {id}"),
            None => format!("entry {}", self.index + 1),
        }
    }

    /// The title as written.
    pub fn title_text(&self) -> Option<&str> {
        self.title.as_ref().map(|t| t.value.as_str())
    }

    /// The entry's text as written ([`Entry::content`]'s rule).
    pub fn content_text(&self) -> Option<&str> {
        self.content.as_ref().map(|t| t.value.as_str())
    }

    /// `<published>` as an instant, when it reads as one ([`feed_time`]).
    pub fn published_time(&self) -> Option<TimeValue> {
        self.published.as_deref().and_then(feed_time)
    }

    /// `<updated>` as an instant, when it reads as one ([`feed_time`]).
    pub fn updated_time(&self) -> Option<TimeValue> {
        self.updated.as_deref().and_then(feed_time)
    }
}

/// A feed date as a structured time with the text it was written as: RFC 3339 (Atom, JSON
/// Feed) or RFC 2822 (RSS `pubDate`, whose zone names such as `PST` are the fixed offsets RFC
/// 2822 defines). `None` for anything else.
pub(crate) fn feed_time(text: &str) -> Option<TimeValue> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .ok()
        .map(|t| TimeValue::structured(t.with_timezone(&Utc), text))
}

/// Reads an RSS, Atom or JSON Feed document; anything else is refused as not a `kind` page,
/// saying what it is.
pub(crate) fn read(kind: Kind, body: &[u8]) -> Result<Feed, ParseError> {
    refuse_html(kind, body, "an RSS or Atom feed")?;
    read_text(kind, &decode_text(kind, body)?)
}

/// [`read`] of a body already decoded.
pub(crate) fn read_text(kind: Kind, text: &str) -> Result<Feed, ParseError> {
    if text.trim_start().starts_with('{') {
        let json: Value = serde_json::from_str(text).map_err(|e| {
            json_error(
                kind,
                &e,
                "an RSS or Atom feed nor a JSON Feed",
                &opening(text),
            )
        })?;
        return json_feed(kind, &json);
    }
    read_xml(kind, text)
}

/// An RSS or Atom document. Feeds written by HTML tools often carry HTML's named entities
/// (`&nbsp;`, `&mdash;`), which XML does not declare: such a feed is read with them as the
/// characters they name rather than refused (feed readers tolerate them; vendors ship them).
fn read_xml(kind: Kind, text: &str) -> Result<Feed, ParseError> {
    match Document::parse(text) {
        Err(roxmltree::Error::UnknownEntityReference(..)) => {
            match with_html_entities_as_numbers(text) {
                Some(declared) => read_xml_document(kind, &declared),
                None => read_xml_document(kind, text),
            }
        }
        _ => read_xml_document(kind, text),
    }
}

/// `text` with every HTML named entity that XML does not predefine written as a numeric
/// character reference, or `None` when it has none. Unknown names are left for the XML parser
/// to refuse.
fn with_html_entities_as_numbers(text: &str) -> Option<String> {
    static ENTITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&([A-Za-z][A-Za-z0-9]{1,31});").expect("a valid regex"));
    let mut replaced = false;
    let out = ENTITY.replace_all(text, |caps: &regex::Captures<'_>| {
        let name = &caps[1];
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            return caps[0].to_string();
        }
        match markup5ever::data::NAMED_ENTITIES.get(&format!("{name};")[..]) {
            Some(&(first, second)) => {
                replaced = true;
                let mut numeric = format!("&#x{first:X};");
                if second != 0 {
                    numeric.push_str(&format!("&#x{second:X};"));
                }
                numeric
            }
            None => caps[0].to_string(),
        }
    });
    replaced.then(|| out.into_owned())
}

/// An RSS or Atom document, parsed as it is.
fn read_xml_document(kind: Kind, text: &str) -> Result<Feed, ParseError> {
    let document = Document::parse(text).map_err(|e| {
        let position = e.pos();
        let cause = match e {
            roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
                ParseCause::Truncated
            }
            _ if text.trim_start().starts_with('<') => ParseCause::InvalidSyntax,
            _ => ParseCause::WrongFormat,
        };
        ParseError::at(
            kind,
            cause,
            format!("line {} column {}", position.row, position.col),
            format!(
                "body is not an RSS or Atom feed: {e}; it starts with {:?}",
                opening(text)
            ),
        )
    })?;
    let root = document.root_element();
    match (root.tag_name().name(), root.tag_name().namespace()) {
        ("rss", _) => {
            let channel = child(root, "channel").ok_or_else(|| {
                ParseError::at(
                    kind,
                    ParseCause::SchemaMismatch,
                    "rss",
                    "RSS document has no <channel>",
                )
            })?;
            Ok(rss(channel, channel))
        }
        // RSS 1.0: the items are the channel's siblings.
        ("RDF", _) => match child(root, "channel") {
            Some(channel) => Ok(rss(channel, root)),
            None => Err(ParseError::at(
                kind,
                ParseCause::SchemaMismatch,
                "RDF",
                "RSS 1.0 document has no <channel>",
            )),
        },
        ("feed", Some(ATOM) | None) => Ok(atom(root)),
        (name, _) => Err(ParseError::at(
            kind,
            ParseCause::WrongFormat,
            "root element",
            format!("root element is <{name}>, not an RSS <rss> or Atom <feed>"),
        )),
    }
}

/// An RSS channel, its items the `item` children of `items`.
fn rss(channel: Node<'_, '_>, items: Node<'_, '_>) -> Feed {
    let entries = items
        .children()
        .filter(|n| is(*n, "item", RSS_NAMESPACES))
        .enumerate()
        .map(|(i, item)| Entry {
            place: format!("items[{i}]"),
            index: i,
            id: value(item, "guid", RSS_NAMESPACES),
            title: text(item, "title", RSS_NAMESPACES, false),
            link: orig_link(item).or_else(|| rss_link(item)),
            published: value(item, "pubDate", RSS_NAMESPACES)
                .or_else(|| value(item, "date", &[Some(DUBLIN_CORE)])),
            updated: value(item, "updated", &[Some(ATOM), None]),
            content: text(item, "encoded", &[Some(CONTENT)], true)
                .or_else(|| text(item, "description", RSS_NAMESPACES, true)),
        })
        .collect();
    Feed {
        format: Format::Rss,
        id: None,
        title: text(channel, "title", RSS_NAMESPACES, false),
        link: rss_link(channel),
        updated: value(channel, "lastBuildDate", RSS_NAMESPACES),
        entries,
    }
}

/// The namespaces RSS elements come in: none (RSS 2.0) or RSS 1.0's.
const RSS_NAMESPACES: &[Option<&str>] = &[None, Some(RSS1)];
/// Atom elements: in Atom's namespace, or in none in a `<feed>` that declares none.
const ATOM_NAMESPACES: &[Option<&str>] = &[Some(ATOM), None];

fn atom(root: Node<'_, '_>) -> Feed {
    let entries = root
        .children()
        .filter(|n| is(*n, "entry", ATOM_NAMESPACES))
        .enumerate()
        .map(|(i, entry)| Entry {
            place: format!("entries[{i}]"),
            index: i,
            id: value(entry, "id", ATOM_NAMESPACES),
            title: atom_text(entry, "title"),
            link: orig_link(entry).or_else(|| atom_link(entry)),
            published: value(entry, "published", ATOM_NAMESPACES)
                .or_else(|| value(entry, "pubDate", ATOM_NAMESPACES)),
            updated: value(entry, "updated", ATOM_NAMESPACES),
            content: atom_text(entry, "content").or_else(|| atom_text(entry, "summary")),
        })
        .collect();
    Feed {
        format: Format::Atom,
        id: value(root, "id", ATOM_NAMESPACES),
        title: atom_text(root, "title"),
        link: atom_link(root),
        updated: value(root, "updated", ATOM_NAMESPACES),
        entries,
    }
}

fn is(node: Node<'_, '_>, name: &str, namespaces: &[Option<&str>]) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && namespaces.contains(&node.tag_name().namespace())
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The first child `name` in one of `namespaces`, as a [`Text`]: its text (CDATA and
/// entities included), or, when it holds elements, its markup as written; trimmed, `None`
/// when absent or empty.
fn text(node: Node<'_, '_>, name: &str, namespaces: &[Option<&str>], html: bool) -> Option<Text> {
    let element = node.children().find(|n| is(*n, name, namespaces))?;
    let value = match (element.first_child(), element.last_child()) {
        (Some(first), Some(last)) if element.children().any(|n| n.is_element()) => {
            element.document().input_text()[first.range().start..last.range().end]
                .trim()
                .to_string()
        }
        _ => element
            .children()
            .filter_map(|n| n.text())
            .collect::<String>()
            .trim()
            .to_string(),
    };
    (!value.is_empty()).then_some(Text { value, html })
}

/// The text of a child element that holds a value (an id, a date), trimmed.
fn value(node: Node<'_, '_>, name: &str, namespaces: &[Option<&str>]) -> Option<String> {
    text(node, name, namespaces, false).map(|t| t.value)
}

/// An Atom text construct: HTML when its `type` says so.
fn atom_text(node: Node<'_, '_>, name: &str) -> Option<Text> {
    let element = node.children().find(|n| is(*n, name, ATOM_NAMESPACES))?;
    let html = matches!(
        element.attribute("type"),
        Some("html" | "xhtml" | "text/html")
    );
    text(node, name, ATOM_NAMESPACES, html)
}

/// The one link rule for Atom: the `<link>` with `rel="alternate"` or no `rel`, else the first
/// link of any `rel`.
fn atom_link(node: Node<'_, '_>) -> Option<String> {
    let links = || {
        node.children()
            .filter(|n| is(*n, "link", ATOM_NAMESPACES))
            .filter_map(|n| Some((n.attribute("rel"), n.attribute("href")?)))
    };
    links()
        .find(|(rel, _)| matches!(rel, None | Some("alternate")))
        .or_else(|| links().next())
        .map(|(_, href)| link_of(href))
}

fn rss_link(node: Node<'_, '_>) -> Option<String> {
    value(node, "link", RSS_NAMESPACES).map(|href| link_of(&href))
}

fn orig_link(node: Node<'_, '_>) -> Option<String> {
    node.children()
        .find(|n| {
            n.is_element()
                && n.tag_name().name() == "origLink"
                && n.tag_name()
                    .namespace()
                    .is_some_and(|ns| ns.contains("feedburner"))
        })
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(link_of)
}

/// A link as a URL writes it (`https://host/` for `https://host`, the host in lower case),
/// or as written when it is no absolute URL.
fn link_of(href: &str) -> String {
    let href = href.trim();
    Url::parse(href).map_or_else(|_| href.to_string(), |url| url.to_string())
}

/// A JSON Feed (version 1.x) as a feed; any other JSON is no feed.
pub(crate) fn json_feed(kind: Kind, json: &Value) -> Result<Feed, ParseError> {
    let refuse = |cause: ParseCause, why: String| Err(ParseError::new(kind, cause, why));
    let Some(version) = json.get("version").and_then(Value::as_str) else {
        return refuse(
            ParseCause::WrongFormat,
            "body is not an RSS or Atom feed (JSON, without a JSON Feed version)".into(),
        );
    };
    if !version.starts_with("https://jsonfeed.org/version/1") {
        return refuse(
            ParseCause::UnsupportedVersion,
            format!("JSON Feed version {version:?} (statusdb reads version 1)"),
        );
    }
    let string = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let plain = |value: String| Text { value, html: false };
    let items = json.get("items").and_then(Value::as_array);
    let entries = items
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, item)| Entry {
            place: format!("items[{i}]"),
            index: i,
            id: string(item, "id"),
            title: string(item, "title").map(plain),
            link: string(item, "url")
                .or_else(|| string(item, "external_url"))
                .map(|l| link_of(&l)),
            published: string(item, "date_published"),
            updated: string(item, "date_modified"),
            content: string(item, "content_html")
                .map(|value| Text { value, html: true })
                .or_else(|| string(item, "content_text").map(plain))
                .or_else(|| string(item, "summary").map(plain)),
        })
        .collect();
    Ok(Feed {
        format: Format::Json,
        id: None,
        title: string(json, "title").map(plain),
        link: string(json, "home_page_url")
            .or_else(|| string(json, "feed_url"))
            .map(|l| link_of(&l)),
        updated: None,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_keep_raw_text() {
        let text = br#"<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>
            <atom:link href="https://x.example/rss" rel="self"/><link>https://x.example</link>
            <lastBuildDate>Mon, 07 Sep 2026 06:52:00 Z</lastBuildDate>
            <item><title><![CDATA[Service impact: X]]></title><guid isPermaLink="false">g#a_1</guid>
            <pubDate>Mon, 17 Aug 2026 21:01:19 PDT</pubDate><description><![CDATA[<p>a</p>]]></description></item>
            </channel></rss>"#;
        let feed = read(Kind::Aws, text).unwrap();
        assert_eq!(feed.format, Format::Rss);
        assert_eq!(feed.updated.as_deref(), Some("Mon, 07 Sep 2026 06:52:00 Z"));
        // The RSS link, not the Atom self link; as a URL writes it.
        assert_eq!(feed.link.as_deref(), Some("https://x.example/"));
        let e = &feed.entries[0];
        assert_eq!(e.place, "items[0]");
        assert_eq!(e.title.as_ref().unwrap().value, "Service impact: X");
        assert_eq!(e.id.as_deref(), Some("g#a_1"));
        assert_eq!(
            e.published.as_deref(),
            Some("Mon, 17 Aug 2026 21:01:19 PDT")
        );
        let published = e.published_time().unwrap();
        assert_eq!(
            crate::model::format_utc(&published.utc),
            "2026-08-18T04:01:19Z"
        );
        assert_eq!(published.raw, "Mon, 17 Aug 2026 21:01:19 PDT");
        assert_eq!(
            e.content,
            Some(Text {
                value: "<p>a</p>".into(),
                html: true
            })
        );
    }

    #[test]
    fn html_named_entities_are_read_as_the_characters_they_name() {
        // Feeds written by HTML tools carry `&nbsp;` and `&mdash;`, which XML does not
        // declare; XML's own entities keep their meaning and unknown names are still refused.
        let text = br#"<rss version="2.0"><channel><title>Status&nbsp;feed</title>
            <item><title>Delays &mdash; EU &amp; US</title><guid>g1</guid>
            <description>a&nbsp;&lt;b&gt;</description></item></channel></rss>"#;
        let feed = read(Kind::Feed, text).unwrap();
        let e = &feed.entries[0];
        assert_eq!(e.title.as_ref().unwrap().value, "Delays \u{2014} EU & US");
        assert_eq!(e.content.as_ref().unwrap().value, "a\u{a0}<b>");
        let unknown = br#"<rss version="2.0"><channel><item><title>a &nosuch; b</title></item></channel></rss>"#;
        let refused = read(Kind::Feed, unknown).unwrap_err();
        assert_eq!(refused.cause(), ParseCause::InvalidSyntax);
        assert!(refused.to_string().contains("nosuch"), "{refused}");
    }

    #[test]
    fn atom_content_else_summary_and_the_link_rule() {
        let text = br#"<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:f</id>
            <entry><id> urn:1 </id><title type="html">A &amp;amp; B</title>
            <link rel="self" href="https://x.example/self"/>
            <link href="https://x.example/1"/>
            <summary>short</summary><content type="xhtml"><div><p>One</p><p>Two</p></div></content></entry>
            <entry><title>Second</title><link rel="related" href="https://x.example/r"/>
            <summary type="text">only a summary</summary></entry></feed>"#;
        let feed = read(Kind::Okta, text).unwrap();
        assert_eq!(feed.format, Format::Atom);
        assert_eq!(feed.id.as_deref(), Some("urn:f"));
        let [first, second] = feed.entries.as_slice() else {
            panic!("two entries")
        };
        assert_eq!(first.id.as_deref(), Some("urn:1"));
        assert_eq!(first.title.as_ref().unwrap().plain(), "A & B");
        assert_eq!(first.link.as_deref(), Some("https://x.example/1"));
        let content = first.content.as_ref().unwrap();
        assert_eq!(content.value, "<div><p>One</p><p>Two</p></div>");
        assert_eq!(content.plain(), "One\n\nTwo");
        assert_eq!(second.link.as_deref(), Some("https://x.example/r"));
        assert_eq!(
            second.content.as_ref().map(Text::plain).as_deref(),
            Some("only a summary")
        );
    }

    #[test]
    fn json_feeds_are_feeds_and_other_json_is_not() {
        let json_feed = br#"{"version": "https://jsonfeed.org/version/1.1", "title": "Status",
            "home_page_url": "https://status.example.com",
            "items": [{"id": "1", "title": "Elevated errors", "content_text": "Investigating",
                       "date_published": "2024-10-04T01:38:00Z"}]}"#;
        let feed = read(Kind::Feed, json_feed).unwrap();
        assert_eq!(feed.format, Format::Json);
        assert_eq!(feed.link.as_deref(), Some("https://status.example.com/"));
        assert_eq!(
            feed.entries[0].published.as_deref(),
            Some("2024-10-04T01:38:00Z")
        );
        let e = read(Kind::Feed, br#"{"incidents": []}"#).unwrap_err();
        assert_eq!(e.cause(), ParseCause::WrongFormat);
        let e = read(
            Kind::Feed,
            br#"{"version": "https://jsonfeed.org/version/2", "items": []}"#,
        )
        .unwrap_err();
        assert_eq!(e.cause(), ParseCause::UnsupportedVersion);
    }

    #[test]
    fn what_is_not_a_feed_says_what_it_is() {
        let e = read(Kind::Azure, b"<html><body>Access denied</body></html>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a azure page: an HTML page where an RSS or Atom feed was expected; it starts \
             with \"<html><body>Access denied</body></html>\""
        );
        assert_eq!(e.cause(), ParseCause::WrongFormat);
        let e = read(Kind::Azure, b"<svg><g/></svg>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a azure page: root element is <svg>, not an RSS <rss> or Atom <feed> (at root element)"
        );
        let e = read(Kind::Azure, b"<rss><channel><item>").unwrap_err();
        assert_eq!(e.cause(), ParseCause::Truncated);
        let e = read(Kind::Azure, b"<rss><channel></item></rss>").unwrap_err();
        assert_eq!(e.cause(), ParseCause::InvalidSyntax);
    }
}
