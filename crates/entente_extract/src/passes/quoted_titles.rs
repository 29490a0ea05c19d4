//! `quoted-titles`: a capitalised phrase in quotation marks names a work, a programme or a
//! campaign (`MISC`), not speech.

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::tagged::tagged_name;
use crate::tagger::words::is_common_word;
use crate::words::is_minor_word;

/// Titles in quotation marks: a quoted phrase of one to ten words whose words are all
/// capitalised but for short function words, that does not end a sentence, names a work, a
/// programme or a campaign (`MISC`: "A Beautiful Lie", "Time to Wake Up", “Made in China
/// 2025”), not speech; a single quoted word must not be a common one. A quoted name the lists
/// hold stays theirs ("Russia").
pub(crate) fn find(text: &str, found: &[Found]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut at = 0;
    // Most sentences quote nothing: the first search says so.
    while let Some(open) = text.get(at..).and_then(|t| find_mark(t, '“')).map(|o| at + o) {
        let mark = text.get(open..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
        let body = open + mark;
        let Some(close) = text.get(body..).and_then(|t| find_mark(t, '”')).map(|c| body + c)
        else {
            break;
        };
        let inner = text.get(body..close).unwrap_or_default();
        let start = body + (inner.len() - inner.trim_start().len());
        let end = body + inner.trim_end().len();
        let title = text.get(start..end).unwrap_or_default();
        let words: Vec<&str> = title.split_whitespace().collect();
        let is_title = (1..=10).contains(&words.len())
            && words.first().is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
            && words
                .iter()
                .filter(|w| !is_minor_word(w))
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()))
            && !title.ends_with(['.', '!', '?', ','])
            // Nor are brackets or a possessive part of a name ("Putin's)").
            && !title.contains(['(', ')', '[', ']', '{', '}'])
            && !["'s", "’s"].iter().any(|p| title.ends_with(p))
            // One quoted common word is a word held at arm's length ("Donate", "New").
            && (words.len() > 1 || !is_common_word(&title.to_lowercase()))
            && !found.iter().any(|f| f.start <= start && end <= f.end);
        if is_title {
            let mut name = tagged_name(text, start, end, EntityType::Misc);
            name.method = Method::Rule;
            out.push(name);
        }
        // The closing mark of one quotation is never the opening of the next.
        at = close + text.get(close..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
    }
    out
}

/// Where the first straight quotation mark or `curly` is in `text`, by `memchr` on the
/// straight mark and the first byte of the curly one.
fn find_mark(text: &str, curly: char) -> Option<usize> {
    let mut buf = [0; 4];
    let curly = curly.encode_utf8(&mut buf).as_bytes();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = bytes.get(from..).and_then(|rest| memchr::memchr2(b'"', curly[0], rest)) {
        let at = from + k;
        if bytes.get(at) == Some(&b'"') || bytes.get(at..).is_some_and(|b| b.starts_with(curly)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Adds the titles of a sentence to its names (`out`), in place of the names they overlap.
pub(crate) fn apply(text: &str, found: &[Found], out: &mut Vec<Found>) {
    for title in find(text, found) {
        out.retain(|n| n.end <= title.start || title.end <= n.start);
        out.push(title);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_titles_are_works_not_speech() {
        let titles = |text: &str| -> Vec<String> {
            super::find(text, &[]).into_iter().map(|f| f.entity_name).collect()
        };
        assert_eq!(
            titles("The single \"Time to Wake Up\" and “Made in China 2025” came out."),
            ["Time to Wake Up", "Made in China 2025"]
        );
        assert!(titles("He said \"we will win\" and \"Go Home.\" twice").is_empty());
        assert_eq!(titles("Click \"Donate\" to help \"Longhorn\""), ["Longhorn"]);
        assert!(titles("an \"unclosed Title").is_empty());
        assert!(titles("“Putin's)” and \"Xi's\"").is_empty());
        // Other characters that open with the curly marks' first byte are no marks.
        assert_eq!(titles("—Their “Red Sky” — and ‘X’"), ["Red Sky"]);
    }
}
