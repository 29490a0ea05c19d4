//! `definitions`: a name gets the kind a sentence of its document defines it as, in any
//! casing ("Korn is an American nu metal band", "the island of Divar", "CALOI is a
//! manufacturer" types "Caloi"; `data/words/kind_nouns.tsv`).

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::tagged::tagged_name;
use crate::words::{AFTER_NAMES, DEFINITION_STOPS, KIND_NOUNS};

/// The kind a sentence gives the name ending at byte `end` of `text`: "is a" / "was an" /
/// ", the" followed by up to six words, the first of them a `kind_nouns.tsv` noun ("is an
/// American rock band"). The words stop at a preposition, conjunction or relative pronoun, so
/// "is a member of the band" defines nothing.
fn defined_kind(text: &str, end: usize) -> Option<EntityType> {
    let rest = text.get(end..)?;
    let rest = rest
        .strip_prefix(" is ")
        .or_else(|| rest.strip_prefix(" was "))
        .or_else(|| rest.strip_prefix(", "))?;
    let mut words = rest.split(' ');
    if !matches!(words.next()?, "a" | "an" | "the") {
        return None;
    }
    for word in words.take(6) {
        let bare = word.trim_end_matches([',', '.', ';', ':']);
        let lower = bare.to_lowercase();
        if DEFINITION_STOPS.contains(&lower.as_str())
            || !bare.chars().all(|c| c.is_alphanumeric() || c == '-')
        {
            return None;
        }
        if let Some(&kind) = KIND_NOUNS.get(lower.as_str()) {
            return Some(kind);
        }
        if bare.len() != word.len() {
            return None;
        }
    }
    None
}

/// The kind the words around the name at bytes `start..end` of `text` give it: a
/// `kind_nouns.tsv` noun in lower case right before it ("the band Gigi", "the island Divar"),
/// before "of" if the noun is a place ("the island of Divar", "the city of Aleppo"), or
/// before "called" / "named" ("a band called Squirrel"). The noun must head the phrase and the
/// name must not modify a noun of its own: a lower-case word after the name other than a
/// function word or a verb ending in "s" or "ed" ("county Labour group", "a single AAA
/// battery") or "best" before the noun (an award: "the best actor Bafta") defines nothing.
fn preceding_kind(text: &str, start: usize, end: usize) -> Option<EntityType> {
    let next = text.get(end..)?.split_whitespace().next().unwrap_or_default();
    let next = next.trim_end_matches([',', '.', ';', ':']);
    // A verb in the present or past ("lies", "played") may follow, a noun may not.
    let verb = (next.ends_with('s') && !next.ends_with("ss")) || next.ends_with("ed");
    if next.starts_with(char::is_lowercase) && !verb && !AFTER_NAMES.contains(&next) {
        return None;
    }
    let before = text.get(..start)?.strip_suffix(' ')?;
    let mut words = before.rsplit(' ');
    let mut noun = words.next()?;
    let mut place_only = false;
    if matches!(noun, "called" | "named") {
        noun = words.next()?;
    } else if noun == "of" {
        noun = words.next()?;
        place_only = true;
    }
    // People are broadcasters and publishers too ("fellow broadcaster Michael Pointon").
    if matches!(noun, "broadcaster" | "publisher") {
        return None;
    }
    let kind = *KIND_NOUNS.get(noun)?;
    if words.next() == Some("best") {
        return None;
    }
    (!place_only || matches!(kind, EntityType::Gpe | EntityType::Loc)).then_some(kind)
}

/// Gives every name the tagger found in a document the kind a sentence of the document
/// defines it as ([`defined_kind`], [`preceding_kind`]), in any casing ("CALOI is a
/// manufacturer" types "Caloi"): the tagger types an unknown name from its letters and
/// context, the definition says what it is. Returns the defined names, folded, with their kinds.
pub(crate) fn apply(
    sentences: &[(&str, &[Found])],
    names: &mut [Vec<Found>],
) -> Vec<(String, EntityType)> {
    let mut kinds: Vec<(String, EntityType)> = Vec::new();
    for ((text, _), found) in sentences.iter().zip(names.iter()) {
        for name in found.iter().filter(|n| n.method == Method::Model) {
            if let Some(kind) =
                defined_kind(text, name.end).or_else(|| preceding_kind(text, name.start, name.end))
            {
                let folded = name.entity_name.to_lowercase();
                if !kinds.iter().any(|(n, _)| *n == folded) {
                    kinds.push((folded, kind));
                }
            }
        }
    }
    if kinds.is_empty() {
        return kinds;
    }
    for ((text, _), found) in sentences.iter().zip(names.iter_mut()) {
        for name in found.iter_mut().filter(|n| n.method == Method::Model) {
            let folded = name.entity_name.to_lowercase();
            if let Some(&(_, kind)) = kinds.iter().find(|(n, _)| *n == folded)
                && name.entity_type != kind
            {
                *name = tagged_name(text, name.start, name.end, kind);
            }
        }
    }
    kinds
}

/// Whether the document defines `name` ([`apply`]'s list, folded).
pub(crate) fn is_defined(defined: &[(String, EntityType)], name: &str) -> bool {
    if defined.is_empty() {
        return false;
    }
    let folded = name.to_lowercase();
    defined.iter().any(|(n, _)| *n == folded)
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    #[test]
    fn definitions_say_what_a_name_is() {
        let kind = |text: &str, name: &str| super::defined_kind(text, name.len());
        assert_eq!(kind("Korn is an American nu metal band.", "Korn"), Some(EntityType::Org));
        assert_eq!(
            kind("Harbin Electric, a state-owned company", "Harbin Electric"),
            Some(EntityType::Org)
        );
        assert_eq!(kind("Aisby was a village in Lincolnshire", "Aisby"), Some(EntityType::Gpe));
        assert_eq!(kind("Home is the second album by", "Home"), Some(EntityType::Misc));
        assert_eq!(kind("Lenkova, a Russian singer,", "Lenkova"), Some(EntityType::Person));
        // A preposition or punctuation before the noun ends the definition.
        assert_eq!(kind("Tate is a member of the band", "Tate"), None);
        assert_eq!(kind("Tate, a friend, and the band", "Tate"), None);
        assert_eq!(kind("Tate is a very very very very very very old band", "Tate"), None);
        assert_eq!(kind("Tate said a band", "Tate"), None);
        // The noun before the name.
        let before = |text: &str, name: &str| {
            let start = text.find(name).unwrap();
            super::preceding_kind(text, start, start + name.len())
        };
        assert_eq!(before("songwriter of the band Gigi.", "Gigi"), Some(EntityType::Org));
        assert_eq!(before("a band called Squirrel", "Squirrel"), Some(EntityType::Org));
        assert_eq!(before("The island of Divar lies", "Divar"), Some(EntityType::Loc));
        assert_eq!(before("the city of Aleppo", "Aleppo"), Some(EntityType::Gpe));
        // Only a place noun reaches over "of"; only a lower-case noun right before the name.
        assert_eq!(before("the first album of Korn", "Korn"), None);
        assert_eq!(before("the Band Gigi", "Gigi"), None);
        assert_eq!(before("the band leader Tate", "Tate"), None);
        assert_eq!(before("Gigi played", "Gigi"), None);
        // Nor a name that modifies a noun, nor an award.
        assert_eq!(before("the county Labour group", "Labour"), None);
        assert_eq!(before("the best actor Bafta to Foxx", "Bafta"), None);
        assert_eq!(before("US firm Skype has said", "Skype"), Some(EntityType::Org));
        assert_eq!(before("fellow broadcaster Michael Pointon.", "Michael Pointon"), None);
    }
}
