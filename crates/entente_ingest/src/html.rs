//! Web pages: the main article text and the page's metadata.
//!
//! Extraction is readability's algorithm (the `dom_smoothie` port) over a DOM that entente
//! first clears of page furniture: navigation, asides, footers, forms, figures and captions,
//! and every element whose class or id names a boilerplate role (share, related, newsletter,
//! advert, comments, byline, ...). Two guards keep that from eating the article: an element
//! whose class or id also names content (`article`, `body`, `content`, `story`, ...) stays,
//! and so does any element holding a quarter or more of the page's text. If extraction finds
//! nothing on the cleared DOM it runs again on the untouched page.
//!
//! Metadata comes from JSON-LD `NewsArticle`/`Article`, `OpenGraph` and `article:*`, `<meta>`
//! and `<title>` (through `dom_smoothie`), plus `<link rel=canonical>` for the URL.

use dom_query::Document as Dom;
use dom_smoothie::{Config, Readability, TextMode};

use crate::Record;

/// Class/id words (split at `-` and `_`) that mark page furniture.
const BOILERPLATE: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "author",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "caption",
    "comment",
    "comments",
    "consent",
    "cookie",
    "credit",
    "dateline",
    "meta",
    "newsletter",
    "outbrain",
    "popular",
    "promo",
    "readmore",
    "recommendations",
    "recommended",
    "related",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "social",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "timestamp",
    "toolbar",
    "trending",
];

/// Class/id words that mark the article itself; an element carrying one is never removed.
const CONTENT: &[&str] =
    &["article", "blog", "body", "content", "entry", "main", "post", "story", "text"];

/// Elements that are page furniture whatever their class.
const FURNITURE: &str = "figcaption, figure, aside, nav, footer, form, button, iframe, \
                         [role=complementary], [role=navigation], [hidden]";

/// Fewer letters and digits than this is page furniture ("Home", "Loading..."), not an
/// article. Counted in characters, not words, so that it means the same in Japanese.
const MIN_CHARS: usize = 50;

/// Elements nested deeper than this are not an article page (browsers stop nesting at a few
/// hundred): readability scores every node against its ancestors and descendants, so its time
/// grows with the square of the depth (10,000 levels took 20 s).
const MAX_DEPTH: usize = 512;

/// html5ever 0.40's serializer, which readability calls, scans a text node to its end for
/// every `&` or no-break space it escapes: time ~ the node's bytes × its escapes (a 10 MB
/// node of 2 million `&amp;` took 65 s). Pages over this product are rejected (~1 s).
const MAX_ESCAPE_WORK: u64 = 100_000_000_000;

/// What a page yields: the article text and its metadata. `Err` when no article text was
/// found.
pub(crate) fn extract(html: &str, url_hint: Option<&str>) -> Result<Record, String> {
    let url = url_hint.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let dom = Dom::from(html);
    check_shape(&dom)?;
    // JSON-LD stays: readability reads its metadata from it.
    dom.select(r#"script:not([type="application/ld+json"]), style, noscript, template, svg"#)
        .remove();
    let canonical = dom
        .select("link[rel=canonical]")
        .attr("href")
        .map(|h| h.trim().to_owned())
        .filter(|h| h.starts_with("http"));
    let published_fallback = dom
        .select("[itemprop=datePublished]")
        .iter()
        .find_map(|n| n.attr("content").or_else(|| n.attr("datetime")))
        .map(|d| d.trim().to_owned());
    clear_furniture(&dom);
    let article = match readable(dom, url) {
        Some(article) => article,
        None => readable(Dom::from(html), url).ok_or("no article text found in the page")?,
    };
    let text = crate::text::paragraphs(&article.text_content);
    let chars = text.chars().filter(|c| c.is_alphanumeric()).count();
    if chars < MIN_CHARS {
        return Err(format!(
            "no article text found in the page (the best candidate has {chars} letters and \
             digits, under {MIN_CHARS})"
        ));
    }
    Ok(Record {
        title: Some(squeeze(&article.title)).filter(|t| !t.is_empty()),
        author: article.byline.as_deref().and_then(author),
        site_name: article.site_name.as_deref().map(squeeze).filter(|s| !s.is_empty()),
        url: canonical.or(article.url).or_else(|| url_hint.map(str::to_owned)),
        published: article.published_time.or(published_fallback).filter(|p| !p.is_empty()),
        language: article.lang.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        text,
        ..Record::default()
    })
}

/// Refuses pages whose shape would make extraction take minutes (see [`MAX_DEPTH`] and
/// [`MAX_ESCAPE_WORK`]); one pass over the parsed tree.
fn check_shape(dom: &Dom) -> Result<(), String> {
    let mut stack = vec![(dom.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!(
                "the page nests elements more than {MAX_DEPTH} levels deep: not an article page"
            ));
        }
        if node.is_text() {
            let text = node.text();
            let escapes = text.bytes().filter(|&b| b == b'&' || b == 0xC2).count() as u64;
            if (text.len() as u64).saturating_mul(escapes) > MAX_ESCAPE_WORK {
                return Err(format!(
                    "a text run of {} bytes holds {escapes} '&' or no-break spaces: too costly \
                     to extract (over {MAX_ESCAPE_WORK} steps), not an article page",
                    text.len()
                ));
            }
        }
        stack.extend(node.children_it(false).map(|child| (child, depth + 1)));
    }
    Ok(())
}

fn readable(dom: Dom, url: Option<&str>) -> Option<dom_smoothie::Article> {
    let config = Config { text_mode: TextMode::Formatted, ..Config::default() };
    let article = Readability::with_document(dom, url, Some(config)).ok()?.parse().ok()?;
    (!article.text_content.trim().is_empty()).then_some(article)
}

fn clear_furniture(dom: &Dom) {
    let total = dom.select("body").text().len().max(1); // JSON-LD lives in <head>
    let small = |len: usize| len.saturating_mul(4) < total;
    let mut doomed = Vec::new();
    for node in dom.select(FURNITURE).nodes() {
        if small(node.text().len()) {
            doomed.push(*node);
        }
    }
    for node in dom.select("[class], [id]").nodes() {
        if matches!(node.node_name().as_deref(), Some("html" | "body" | "article" | "main")) {
            continue;
        }
        let class = node.attr("class").unwrap_or_default();
        let id = node.attr("id").unwrap_or_default();
        let words = || {
            class
                .split_whitespace()
                .chain(std::iter::once(&*id))
                .flat_map(|t| t.split(['-', '_']))
                .map(str::to_ascii_lowercase)
        };
        if words().any(|w| CONTENT.contains(&w.as_str())) {
            continue;
        }
        if words().any(|w| BOILERPLATE.contains(&w.as_str())) && small(node.text().len()) {
            doomed.push(*node);
        }
    }
    for node in doomed {
        node.remove_from_parent();
    }
}

/// Whitespace runs to one space, ends trimmed.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A byline as an author: "By " dropped; over 120 characters it is page noise, not a name.
fn author(byline: &str) -> Option<String> {
    let s = squeeze(byline);
    let s = s.strip_prefix("By ").or_else(|| s.strip_prefix("by ")).unwrap_or(&s).trim();
    (!s.is_empty() && s.chars().count() <= 120).then(|| s.to_owned())
}
