//! Identities settled over a whole document: short forms of people named earlier ("Kim" after
//! "Kim Jong Un") and acronyms defined in parentheses ("Eurasian Economic Union (EAEU)").

#![allow(clippy::string_slice, reason = "byte offsets come from matches on the same text")]

use entente_schema::{EntityType, LinkedBy, Sentence};
use rustc_hash::FxHashMap as HashMap;

use crate::Found;
use crate::gazetteer::on_word_boundaries;
use crate::words::capitalised_runs;

/// Short forms of people the document names in full: with "Kim Jong Un" or "Dmitry Peskov"
/// in it, a lone "Kim" or "Peskov" is the same person. Each capitalised part of two letters
/// or more of a PERSON's name counts, unless two people in the document share it. A one-word
/// person found on its own takes the full name wherever it is (a headline's "Putin"); a word
/// of three letters or more that nothing found is added only after the first full mention,
/// overlapping nothing.
pub(crate) fn short_forms(
    text: &str,
    sentences: &[&Sentence],
    found: &mut [(u32, Found)],
) -> Vec<(u32, Found)> {
    let mut parts: HashMap<String, Option<Found>> = HashMap::default();
    for (_, f) in found.iter().filter(|(_, f)| f.entity_type == EntityType::Person) {
        if !f.entity_name.contains([' ', '-']) {
            continue;
        }
        for part in f.entity_name.split([' ', '-']) {
            if part.chars().nth(1).is_some() && part.chars().next().is_some_and(char::is_uppercase)
            {
                match parts.get_mut(part) {
                    Some(entry) => {
                        if entry.as_ref().is_some_and(|e| e.entity_id != f.entity_id) {
                            *entry = None;
                        }
                    }
                    None => {
                        parts.insert(part.to_owned(), Some(f.clone()));
                    }
                }
            }
        }
    }
    if parts.is_empty() {
        return Vec::new();
    }
    // The people whose parts may stand for them; their first mentions are looked up in one
    // walk over the mentions (linear: a document of thousands of names must not cost their
    // square).
    let people: Vec<&str> = parts.values().flatten().map(|p| p.entity_id.as_str()).collect();
    let first = first_mentions(found, &people);
    let first_mention =
        |first: &HashMap<&str, usize>, id: &str| first.get(id).copied().unwrap_or(usize::MAX);
    // The tagger's own "Kim" after "Kim Jong Un" is that person too.
    let firsts: Vec<usize> = found
        .iter()
        .map(|(_, f)| match parts.get(f.entity_name.as_str()) {
            Some(Some(person))
                if f.linked_by == Some(LinkedBy::Own) && f.entity_type == EntityType::Person =>
            {
                first_mention(&first, &person.entity_id)
            }
            _ => usize::MAX,
        })
        .collect();
    // Before the full name too: a headline's "Putin" is the body's Vladimir Putin.
    for ((_, f), first) in found.iter_mut().zip(firsts) {
        if first != usize::MAX
            && first != f.start
            && let Some(Some(person)) = parts.get(f.entity_name.as_str())
        {
            *f = Found {
                start: f.start,
                end: f.end,
                title: f.title.take(),
                linked_by: Some(LinkedBy::ShortForm),
                ..person.clone()
            };
        }
    }
    let found: &[(u32, Found)] = found;
    let first = first_mentions(found, &people);
    // Mentions by start, with the furthest end so far: whether any mention overlaps a word
    // is one binary search.
    let mut spans: Vec<(usize, usize)> = found.iter().map(|(_, f)| (f.start, f.end)).collect();
    spans.sort_unstable();
    let furthest: Vec<usize> = spans
        .iter()
        .scan(0, |end, &(_, e)| {
            *end = e.max(*end);
            Some(*end)
        })
        .collect();
    let overlaps = |ws: usize, we: usize| {
        let before = spans.partition_point(|&(s, _)| s < we);
        before > 0 && furthest[before - 1] > ws
    };
    let mut out = Vec::new();
    for s in sentences {
        let (start, end) = (s.byte_start as usize, s.byte_end as usize);
        let Some(sentence) = text.get(start..end) else { continue };
        // Every part starts with a capital: the other words are only passed over.
        for (a, b) in capitalised_runs(sentence) {
            let (word, ws, we) = (&sentence[a..b], start + a, start + b);
            // Two letters make a name only where something found it ("Xi").
            if word.chars().nth(2).is_none() {
                continue;
            }
            let Some(Some(person)) = parts.get(word) else { continue };
            if ws <= first_mention(&first, &person.entity_id) || overlaps(ws, we) {
                continue;
            }
            out.push((
                s.sentence_idx,
                Found {
                    start: ws,
                    end: we,
                    title: None,
                    linked_by: Some(LinkedBy::ShortForm),
                    ..person.clone()
                },
            ));
        }
    }
    out
}

/// Where `found` first mentions each of the entities `ids` (byte offset; `usize::MAX` for
/// none).
fn first_mentions<'a>(found: &[(u32, Found)], ids: &[&'a str]) -> HashMap<&'a str, usize> {
    let mut first: HashMap<&str, usize> = ids.iter().map(|&id| (id, usize::MAX)).collect();
    for (_, f) in found {
        if let Some(at) = first.get_mut(f.entity_id.as_str()) {
            *at = (*at).min(f.start);
        }
    }
    first
}

/// Acronyms defined in parentheses right after a name ("Eurasian Economic Union (EAEU)",
/// "Belt and Road Initiative (BRI)") name that entity from there to the end of the document:
/// the acronym in the parentheses and every later one get its identity, whether something
/// else found them (with another id) or nothing did. The acronym must abbreviate the name, so
/// "Vladimir Putin (KGB)" defines nothing.
pub(crate) fn acronyms(text: &str, sentences: &[&Sentence], found: &mut Vec<(u32, Found)>) {
    found.sort_by_key(|(_, f)| f.start);
    let mut definitions: Vec<(&str, usize, Found)> = Vec::new();
    for (_, f) in found.iter() {
        if !f.entity_type.is_named() {
            continue;
        }
        let Some((acronym, at)) = parenthesised(text, f.end) else { continue };
        if abbreviates(acronym, text.get(f.start..f.end).unwrap_or_default()) {
            definitions.push((acronym, at, f.clone()));
        }
    }
    for (k, (acronym, at, entity)) in definitions.iter().enumerate() {
        // Up to the next definition of the same acronym, if any.
        let until = definitions[k + 1..]
            .iter()
            .find(|(a, ..)| a == acronym)
            .map_or(text.len(), |(_, next, _)| *next);
        let occurrences: Vec<usize> = text[*at..until]
            .match_indices(acronym)
            .map(|(i, _)| at + i)
            .filter(|&s| on_word_boundaries(text, s, s + acronym.len()))
            .collect();
        for start in occurrences {
            let end = start + acronym.len();
            let identity = |f: &Found| Found {
                start,
                end,
                method: f.method,
                title: None,
                linked_by: Some(LinkedBy::Acronym),
                ..entity.clone()
            };
            if let Some((_, f)) = found.iter_mut().find(|(_, f)| f.start == start && f.end == end) {
                *f = identity(f);
            } else if !found.iter().any(|(_, f)| f.start < end && start < f.end)
                && let Some(s) = sentences
                    .iter()
                    .find(|s| s.byte_start as usize <= start && end <= s.byte_end as usize)
            {
                found.push((s.sentence_idx, identity(entity)));
            }
        }
    }
    found.sort_by_key(|(_, f)| f.start);
}

/// The acronym in "(ABC)" right after byte `end` (spaces allowed before it), and where it
/// starts: two to ten letters, digits, '&' or '-', at least two of them capitals, starting
/// with one.
fn parenthesised(text: &str, end: usize) -> Option<(&str, usize)> {
    let rest = text.get(end..)?;
    let open = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
    let inner = rest.get(open..)?.strip_prefix('(')?;
    let close = inner.find(')')?;
    let acronym = &inner[..close];
    let capitals = acronym.chars().filter(char::is_ascii_uppercase).count();
    let ok = (2..=10).contains(&acronym.len())
        && acronym.starts_with(|c: char| c.is_ascii_uppercase())
        && capitals >= 2
        && acronym.chars().all(|c| c.is_ascii_alphanumeric() || c == '&' || c == '-');
    ok.then_some((acronym, end + open + 1))
}

/// Whether `acronym` abbreviates `name`, as Schwartz and Hearst's rule has it: its first
/// letter is the name's, and its other letters and digits appear in the name in order.
fn abbreviates(acronym: &str, name: &str) -> bool {
    let mut letters =
        name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase());
    let mut wanted =
        acronym.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase());
    wanted.next().is_some_and(|first| letters.next() == Some(first))
        && wanted.all(|c| letters.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    #[test]
    fn acronyms_must_abbreviate_the_name() {
        assert!(super::abbreviates("SCO", "Shanghai Cooperation Organisation"));
        assert!(super::abbreviates("BRI", "Belt and Road Initiative"));
        assert!(super::abbreviates("OPEC", "Organization of the Petroleum Exporting Countries"));
        assert!(super::abbreviates("EAEU", "Eurasian Economic Union"));
        assert!(!super::abbreviates("KGB", "Vladimir Putin"));
        assert!(!super::abbreviates("SCO", "China"));
        assert_eq!(super::parenthesised("X (SCO) y", 1), Some(("SCO", 3)));
        assert_eq!(super::parenthesised("X (Russia) y", 1), None);
    }
}
