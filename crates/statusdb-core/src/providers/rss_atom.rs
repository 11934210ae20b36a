//! RSS 2.0 and Atom documents as the feed kinds (`aws` RSS, `azure`, `okta`) read them: every
//! field as the text the feed wrote, dates included, so that each kind decides how a date
//! becomes an instant and keeps the raw text. (feed-rs turns dates into UTC instants and drops
//! what was written, e.g. the `PDT` of AWS feeds.)

use super::{Kind, ParseCause, ParseError};
use roxmltree::{Document, Node};

const ATOM: &str = "http://www.w3.org/2005/Atom";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Rss,
    Atom,
}

/// A feed with its entries in document order.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub format: Format,
    pub title: Option<String>,
    pub link: Option<String>,
    /// RSS `lastBuildDate` or Atom `<updated>`, as written.
    pub updated: Option<String>,
    pub entries: Vec<Entry>,
}

/// One RSS `<item>` or Atom `<entry>`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entry {
    /// `items[3]` or `entries[3]`, for notes and errors.
    pub place: String,
    /// RSS `<guid>` or Atom `<id>`.
    pub id: Option<String>,
    pub title: Option<String>,
    /// RSS `<link>`, or the Atom `<link>` with `rel="alternate"` (or no `rel`);
    /// FeedBurner's `<feedburner:origLink>` wins, being the publisher's own link.
    pub link: Option<String>,
    /// RSS `<pubDate>` or Atom `<published>`, as written.
    pub published: Option<String>,
    /// Atom `<updated>`, as written.
    pub updated: Option<String>,
    /// RSS `<description>`, or Atom `<content>` (else `<summary>`): HTML as text.
    pub content: Option<String>,
}

/// Reads an RSS 2.0 or Atom document. Anything else is not a `kind` page.
pub(crate) fn read(kind: Kind, text: &str) -> Result<Feed, ParseError> {
    let document = Document::parse(text).map_err(|e| {
        let position = e.pos();
        let cause = match e {
            roxmltree::Error::UnexpectedEndOfStream => ParseCause::Truncated,
            _ => ParseCause::InvalidSyntax,
        };
        ParseError::at(
            kind,
            cause,
            format!("line {} column {}", position.row, position.col),
            format!(
                "body is not an RSS or Atom feed: {e}; it starts with {:?}",
                super::support::opening(text)
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
            let entries = channel
                .children()
                .filter(|n| n.is_element() && n.tag_name().name() == "item")
                .enumerate()
                .map(|(i, item)| Entry {
                    place: format!("items[{i}]"),
                    id: child_text(item, "guid"),
                    title: child_text(item, "title"),
                    link: orig_link(item).or_else(|| child_text(item, "link")),
                    published: child_text(item, "pubDate"),
                    updated: None,
                    content: child_text(item, "description"),
                })
                .collect();
            Ok(Feed {
                format: Format::Rss,
                title: child_text(channel, "title"),
                link: child_text(channel, "link"),
                updated: child_text(channel, "lastBuildDate"),
                entries,
            })
        }
        ("feed", Some(ATOM)) => {
            let entries = root
                .children()
                .filter(|n| n.is_element() && n.tag_name().name() == "entry")
                .enumerate()
                .map(|(i, entry)| Entry {
                    place: format!("entries[{i}]"),
                    id: child_text(entry, "id"),
                    title: child_text(entry, "title"),
                    link: orig_link(entry).or_else(|| atom_link(entry)),
                    published: child_text(entry, "published"),
                    updated: child_text(entry, "updated"),
                    content: child_text(entry, "content").or_else(|| child_text(entry, "summary")),
                })
                .collect();
            Ok(Feed {
                format: Format::Atom,
                title: child_text(root, "title"),
                link: atom_link(root),
                updated: child_text(root, "updated"),
                entries,
            })
        }
        (name, _) => Err(ParseError::at(
            kind,
            ParseCause::WrongFormat,
            "root element",
            format!("root element is <{name}>, not an RSS <rss> or Atom <feed>"),
        )),
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The text of a child element (CDATA included), trimmed; `None` when absent or empty.
fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    let element = child(node, name)?;
    let text: String = element
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn atom_link(node: Node<'_, '_>) -> Option<String> {
    node.children()
        .filter(|n| n.is_element() && n.tag_name().name() == "link")
        .find(|n| matches!(n.attribute("rel"), None | Some("alternate")))
        .and_then(|n| n.attribute("href"))
        .map(str::to_string)
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
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_keep_raw_text() {
        let text = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <lastBuildDate>Mon, 07 Sep 2026 06:52:00 Z</lastBuildDate>
            <item><title><![CDATA[Service impact: X]]></title><guid isPermaLink="false">g#a_1</guid>
            <pubDate>Mon, 17 Aug 2026 21:01:19 PDT</pubDate><description><![CDATA[<p>a</p>]]></description></item>
            </channel></rss>"#;
        let feed = read(Kind::Aws, text).unwrap();
        assert_eq!(feed.format, Format::Rss);
        assert_eq!(feed.updated.as_deref(), Some("Mon, 07 Sep 2026 06:52:00 Z"));
        let e = &feed.entries[0];
        assert_eq!(e.place, "items[0]");
        assert_eq!(e.title.as_deref(), Some("Service impact: X"));
        assert_eq!(e.id.as_deref(), Some("g#a_1"));
        assert_eq!(
            e.published.as_deref(),
            Some("Mon, 17 Aug 2026 21:01:19 PDT")
        );
        assert_eq!(e.content.as_deref(), Some("<p>a</p>"));
    }

    #[test]
    fn html_is_not_a_feed() {
        let e = read(Kind::Azure, "<html><body>Access denied</body></html>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a azure page: root element is <html>, not an RSS <rss> or Atom <feed> (at root element)"
        );
        let e = read(Kind::Azure, "{\"a\":1}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("not a azure page: body is not an RSS or Atom feed"),
            "{e}"
        );
    }
}
