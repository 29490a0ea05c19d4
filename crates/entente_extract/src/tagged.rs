//! From the tagger's labels to a document's names: the labels read into names, the
//! [`crate::passes`] in their order, and the merge with the mentions the lists found.

use entente_schema::{EntityType, LinkedBy, Method};

use crate::Found;
use crate::passes::hint_places::Hints;
use crate::passes::{self, Pass, Passes};
use crate::tagger::{Kind, Label};
use crate::words::is_function_word;

/// The names of a document's sentences (`sentences`: text and the lists' mentions; `ranges`:
/// their tokens; `labels`: the tagger's labels of the tokens), after `passes`, that overlap
/// nothing the lists found but what they hold inside words of their own.
pub(crate) fn names(
    sentences: &[(&str, &[Found])],
    ranges: &[Vec<(usize, usize)>],
    labels: &[Vec<Label>],
    hints: &Hints,
    passes: Passes,
) -> Vec<Vec<Found>> {
    let mut out: Vec<Vec<Found>> = sentences
        .iter()
        .zip(ranges)
        .zip(labels)
        .map(|((&(text, found), ranges), labels)| {
            let names = sentence_names(text, ranges, labels, passes);
            merge(text, found, names, hints, passes)
        })
        .collect();
    let defined = if passes.contains(Pass::Definitions) {
        passes::definitions::apply(sentences, &mut out)
    } else {
        Vec::new()
    };
    if passes.contains(Pass::CompanyShortForms) {
        passes::company_short_forms::apply(sentences, &mut out);
    }
    if passes.contains(Pass::Surnames) {
        passes::surnames::apply(hints, sentences, &mut out, &defined);
    }
    if passes.contains(Pass::PlacePeople) {
        passes::place_people::apply(hints, sentences, &mut out, &defined);
    }
    out
}

/// The names of a tagged sentence, in order: BIO `labels` over `ranges`, after the passes on
/// names.
pub(crate) fn sentence_names(
    text: &str,
    ranges: &[(usize, usize)],
    labels: &[Label],
    passes: Passes,
) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        let Some(mut kind) = labels[i].kind() else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        // A name never runs across a line break.
        while j < labels.len()
            && labels[j] == Label::Inside(kind)
            && !text.get(ranges[j - 1].1..ranges[j].0).is_some_and(|gap| gap.contains('\n'))
        {
            j += 1;
        }
        let head = if passes.contains(Pass::OfHeads) {
            passes::of_heads::start(text, ranges, labels, i)
        } else {
            i
        };
        let first = if passes.contains(Pass::Articles) {
            passes::articles::start(text, ranges, labels, head)
        } else {
            head
        };
        // No person's name opens with an article: "The Eddy Duchin Story" is a work.
        if first < head && kind == Kind::Per {
            kind = Kind::Misc;
        }
        i = j;
        let Some((start, end)) = trimmed(text, ranges[first].0, ranges[j - 1].1) else {
            continue;
        };
        let surface = text.get(start..end).unwrap_or("");
        let typed = |pass: Pass, type_of: fn(&str) -> Option<EntityType>| {
            passes.contains(pass).then(|| type_of(surface)).flatten()
        };
        let entity_type = typed(Pass::HeadWords, passes::head_words::type_of)
            .or_else(|| typed(Pass::StageNames, passes::stage_names::type_of))
            .unwrap_or(match kind {
                Kind::Per => EntityType::Person,
                Kind::Org => EntityType::Org,
                Kind::Loc => EntityType::Gpe,
                Kind::Misc => EntityType::Misc,
            });
        out.push(tagged_name(text, start, end, entity_type));
    }
    out
}

/// `text[start..end]` without the punctuation the tokenizer left on its words ("China。",
/// "«Gazprom") or a possessive it could not split off ("Organization’s。China", "Putin's’s");
/// none when no letter is left.
fn trimmed(text: &str, mut start: usize, mut end: usize) -> Option<(usize, usize)> {
    let edge = |c: char| !c.is_alphanumeric() && c != '.';
    let surface = text.get(start..end).unwrap_or("");
    let trimmed = surface.trim_start_matches(|c: char| !c.is_alphanumeric());
    start += surface.len() - trimmed.len();
    end -= trimmed.len() - trimmed.trim_end_matches(edge).len();
    while let Some(stem) = text
        .get(start..end)
        .and_then(|surface| ["'s", "’s", "'S", "’S"].iter().find_map(|p| surface.strip_suffix(p)))
    {
        end = start + stem.trim_end_matches(edge).len();
    }
    let surface = text.get(start..end).unwrap_or("");
    surface.chars().any(char::is_alphabetic).then_some((start, end))
}

/// A sentence's names after the passes on sentences, merged with the lists' mentions
/// (`found`): a longer name around the lists' mentions wins when it has a word of its own
/// ("Dynamo Moscow", "British Masters", not "Russia-China" nor "Xi Jinping And Putin" in a
/// heading); anything else the lists found stands. Sorted by start.
fn merge(
    text: &str,
    found: &[Found],
    names: Vec<Found>,
    hints: &Hints,
    passes: Passes,
) -> Vec<Found> {
    let mut out = Vec::new();
    for mut name in names {
        if passes.contains(Pass::NationalityPrefix) {
            passes::nationality_prefix::apply(text, found, &mut name);
        }
        let overlapping: Vec<&Found> =
            found.iter().filter(|f| f.start < name.end && name.start < f.end).collect();
        let inside = || {
            overlapping.iter().all(|f| {
                f.method == Method::Gazetteer && name.start <= f.start && f.end <= name.end
            })
        };
        let own_word = || {
            word_ranges(text, name.start, name.end).any(|(s, e)| {
                !overlapping.iter().any(|f| f.start <= s && e <= f.end)
                    && !text.get(s..e).is_some_and(is_function_word)
            })
        };
        if passes.contains(Pass::Currencies) && passes::currencies::is_currency(&name.entity_name)
            || passes.contains(Pass::Abbreviations)
                && passes::abbreviations::is_abbreviation(&name.entity_name)
        {
            continue;
        }
        if overlapping.is_empty() || (inside() && own_word()) {
            if passes.contains(Pass::HyphenCompounds) {
                passes::hyphen_compounds::apply(text, &overlapping, &mut name);
            }
            if passes.contains(Pass::HintPlaces) {
                passes::hint_places::apply(hints, text, &mut name);
            }
            out.push(name);
        }
    }
    if passes.contains(Pass::QuotedTitles) {
        passes::quoted_titles::apply(text, found, &mut out);
    }
    out.sort_by_key(|n| n.start);
    out
}

/// The byte ranges of the alphanumeric runs of `text[start..end]`.
fn word_ranges(text: &str, start: usize, end: usize) -> impl Iterator<Item = (usize, usize)> {
    let slice = text.get(start..end).unwrap_or_default();
    crate::words::alphanumeric_runs(slice).map(move |(a, b)| (start + a, start + b))
}

/// The id and name a name written as `surface` has from its own words and its type.
pub(crate) fn own_identity(surface: &str, entity_type: EntityType) -> (String, String) {
    let mut name = String::with_capacity(surface.len());
    for word in surface.split_whitespace() {
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
    }
    (entente_schema::entity_id_for_name(entity_type.id_prefix(), &name), name)
}

/// A name the tagger found at `text[start..end]`, with its id from its type and words.
pub(crate) fn tagged_name(text: &str, start: usize, end: usize, entity_type: EntityType) -> Found {
    let (entity_id, entity_name) =
        own_identity(text.get(start..end).unwrap_or_default(), entity_type);
    Found {
        start,
        end,
        entity_id,
        entity_name,
        entity_type,
        method: Method::Model,
        title: None,
        linked_by: Some(LinkedBy::Own),
        country_id: None,
        value: None,
        unit: None,
        iso_date: None,
    }
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    use crate::passes::Passes;
    use crate::tagger::{Kind, Label};

    /// The names of `text` whose every token the tagger labelled as one name of `kind`.
    fn one_name(text: &str, kind: Kind) -> Vec<(String, EntityType)> {
        let ranges = crate::tagger::tokenize(text);
        let mut labels = vec![Label::Inside(kind); ranges.len()];
        labels[0] = Label::Begin(kind);
        super::sentence_names(text, &ranges, &labels, Passes::all())
            .into_iter()
            .map(|f| (f.entity_name, f.entity_type))
            .collect()
    }

    #[test]
    fn stage_names_are_people() {
        assert_eq!(
            one_name("DJ Green Lantern", Kind::Org),
            [("DJ Green Lantern".to_owned(), EntityType::Person)]
        );
    }

    #[test]
    fn punctuation_and_possessives_are_not_the_names() {
        let names = |text: &str| -> Vec<String> {
            one_name(text, Kind::Loc).into_iter().map(|(name, _)| name).collect()
        };
        assert_eq!(names("«Gazprom"), ["Gazprom"]);
        assert_eq!(names("Putin's’s"), ["Putin"]);
        assert!(names("« »").is_empty());
    }
}
