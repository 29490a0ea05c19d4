//! The title or role written before a person's name ("Treasury Secretary James Baker",
//! "Foreign Minister Eduard Shevardnadze"): kept as the mention's `title`, never part of the
//! name.

#![allow(clippy::string_slice, reason = "byte offsets come from matches on the same text")]

use entente_schema::EntityType;

use crate::Found;
use crate::tagger::words::is_common_word;
use crate::words::{is_function_word, is_title};

/// The longest title this reads: "Chancellor of the Exchequer", "Federal Reserve Board
/// Chairman".
const MAX_WORDS: usize = 6;

/// Honorifics say nothing about a role.
const HONORIFICS: &[&str] = &["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "sir"];

/// Gives each person mention of a document (`found`, with the byte offset where its sentence
/// starts) the title written right before it, if any: a run of up to six capitalised words,
/// title words ("secretary", "minister") and "of"/"the"/"for"/"and" between them, that ends
/// with a title word and stops at punctuation, at a possessive, at the sentence's first word
/// when that is a common word, and at a place, people or person ("U.S. Treasury Secretary"
/// is "Treasury Secretary").
pub(crate) fn assign(
    text: &str,
    found: &mut [(u32, Found)],
    sentence_start: impl Fn(u32) -> usize,
) {
    let stops: Vec<(usize, usize)> = found
        .iter()
        .filter(|(_, f)| {
            matches!(
                f.entity_type,
                EntityType::Gpe | EntityType::Norp | EntityType::Loc | EntityType::Person
            )
        })
        .map(|(_, f)| (f.start, f.end))
        .collect();
    for (sentence, f) in found.iter_mut() {
        if f.entity_type != EntityType::Person {
            continue;
        }
        f.title = title_before(text, f.start, sentence_start(*sentence), &stops);
    }
}

/// The title that ends right before byte `end` (see [`assign`]).
fn title_before(text: &str, end: usize, from: usize, stops: &[(usize, usize)]) -> Option<String> {
    let before = text.get(from.min(end)..end)?;
    if !before.ends_with(' ') {
        return None;
    }
    // Words backwards, with their byte ranges in `text`.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut rest = before.trim_end_matches(' ');
    while words.len() < MAX_WORDS && !rest.is_empty() {
        let start = rest.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &rest[start..];
        let (ws, we) = (from + start, from + rest.len());
        let last_char = word.chars().next_back().unwrap_or(' ');
        let lower = word.to_lowercase();
        let connector = matches!(lower.as_str(), "of" | "the" | "for" | "and")
            && word.starts_with(char::is_lowercase);
        let capitalised = word.starts_with(char::is_uppercase);
        let ok = (capitalised || is_title(word) || connector)
            && (last_char.is_alphanumeric() || last_char == '.' && word.len() > 1)
            && !word.contains(['\'', '’'])
            && !stops.iter().any(|&(s, e)| s < we && ws < e)
            && !(start == 0
                && !is_title(word)
                && (is_common_word(&lower) || is_function_word(word)));
        if !ok {
            break;
        }
        words.push((ws, we));
        rest = rest[..start].trim_end_matches(' ');
        if start == 0 {
            break;
        }
    }
    // It ends with a title word, and opens with no connector.
    let first_is_title = words.first().is_some_and(|&(s, e)| is_title(&text[s..e]));
    if !first_is_title {
        return None;
    }
    while words.last().is_some_and(|&(s, e)| {
        let w = text[s..e].to_lowercase();
        matches!(w.as_str(), "of" | "the" | "for" | "and")
    }) {
        words.pop();
    }
    let (&(start, _), &(_, last_end)) = (words.last()?, words.first()?);
    let title = &text[start..last_end];
    if words.len() == 1 && HONORIFICS.contains(&title.to_lowercase().as_str()) {
        return None;
    }
    Some(title.to_owned())
}

#[cfg(test)]
mod tests {
    fn title(text: &str, name: &str) -> Option<String> {
        let end = text.find(name).unwrap();
        let stops: Vec<(usize, usize)> =
            text.find("U.S.").map(|s| vec![(s, s + 4)]).unwrap_or_default();
        super::title_before(text, end, 0, &stops)
    }

    #[test]
    fn titles_before_names() {
        let t = "Sources said U.S. Treasury Secretary James Baker met them.";
        assert_eq!(title(t, "James").as_deref(), Some("Treasury Secretary"));
        let t = "He met Chancellor of the Exchequer Nigel Lawson.";
        assert_eq!(title(t, "Nigel").as_deref(), Some("Chancellor of the Exchequer"));
        assert_eq!(title("President Reagan said.", "Reagan").as_deref(), Some("President"));
        assert_eq!(title("He told Mr. Baker so.", "Baker"), None);
        assert_eq!(title("He told Paul Volcker so.", "Paul"), None);
        assert_eq!(
            title("Japan's Finance Minister Kiichi Miyazawa", "Kiichi").as_deref(),
            Some("Finance Minister")
        );
    }
}
