//! `head-words`: a name's head word gives its type, whatever the tagger said: "Doyt Perry
//! Stadium" is a place, "Dave Matthews Band" an organisation, "Battle of Antietam" an event
//! (`data/words/of_heads.tsv`, `data/words/last_heads.tsv`).

use entente_schema::EntityType;
use entente_schema::words::words;

use crate::words::{LAST_HEADS, OF_HEADS, ORDINALS, with_lower};

/// The type a name's head word gives it, whatever the tagger said: "Doyt Perry Stadium" is a
/// place, "Dave Matthews Band" an organisation, "Battle of Antietam" an event. The head is
/// the word before the first "of" of "X of Y" names ("Federal Republic of Yugoslavia") and
/// the last word otherwise; one-word names have none.
pub(crate) fn type_of(name: &str) -> Option<EntityType> {
    let mut all = words(name);
    let (Some(mut first), Some(second)) = (all.next(), all.next()) else { return None };
    let third = all.next();
    let mut rest = std::iter::once(second).chain(third).chain(all);
    // An ordinal before the head counts for nothing ("Second Battle of Bull Run").
    let ordinal = |w: &str| {
        ORDINALS.iter().any(|o| o.eq_ignore_ascii_case(w))
            || w.len() > 2
                && w.starts_with(|c: char| c.is_ascii_digit())
                && ["st", "nd", "rd", "th"].iter().any(|x| w.ends_with(x))
    };
    if third.is_some() && with_lower(first, ordinal) {
        first = rest.next()?;
    }
    // "Operation Market Garden", "Operation Desert Storm": a military operation. (Only ASCII
    // letters lower-case to those of "operation" and "of", so ASCII casing will do.)
    if first.eq_ignore_ascii_case("operation") {
        return Some(EntityType::Event);
    }
    // The head of "X of Y" is the word before the first "of" ("Federal Republic of
    // Yugoslavia", "Bulgarian Academy of Sciences"); a name that opens with "of" has none.
    let mut last = first;
    if first.eq_ignore_ascii_case("of") {
        last = rest.last().unwrap_or(first);
    } else {
        for word in rest {
            if word.eq_ignore_ascii_case("of") {
                let head = |w: &str| OF_HEADS.get(w).or_else(|| LAST_HEADS.get(w)).copied();
                return with_lower(last, head);
            }
            last = word;
        }
    }
    with_lower(last, |w| LAST_HEADS.get(w).copied())
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    use super::type_of;

    #[test]
    fn head_words_type_names() {
        assert_eq!(type_of("Doyt Perry Stadium"), Some(EntityType::Loc));
        assert_eq!(type_of("Dave Matthews Band"), Some(EntityType::Org));
        assert_eq!(type_of("Battle of Antietam"), Some(EntityType::Event));
        assert_eq!(type_of("University of Tokyo"), Some(EntityType::Org));
        assert_eq!(type_of("Republic of Nauru"), Some(EntityType::Gpe));
        assert_eq!(type_of("Ford County"), Some(EntityType::Gpe));
        assert_eq!(type_of("Bridgton Junction"), Some(EntityType::Loc));
        assert_eq!(type_of("Cold Spring Harbor Laboratory"), Some(EntityType::Org));
        assert_eq!(type_of("Eberhard Faber Inc."), Some(EntityType::Org));
        // The head of "X of Y" is the word before "of", a first or a last word.
        assert_eq!(type_of("Federal Republic of Yugoslavia"), Some(EntityType::Gpe));
        assert_eq!(type_of("Bulgarian Academy of Sciences"), Some(EntityType::Org));
        assert_eq!(type_of("Campaign of Alto Peru"), Some(EntityType::Event));
        assert_eq!(type_of("Duke of Norfolk"), None);
        assert_eq!(type_of("Bank"), None);
        assert_eq!(type_of("West Bank"), None);
        assert_eq!(type_of("Vladimir Putin"), None);
    }

    #[test]
    fn ordinals_do_not_hide_the_head() {
        assert_eq!(type_of("Second Battle of Bull Run"), Some(EntityType::Event));
        assert_eq!(type_of("2nd Battle of Fredericksburg"), Some(EntityType::Event));
        assert_eq!(type_of("Operation Market Garden"), Some(EntityType::Event));
        assert_eq!(type_of("Hanved Parish"), Some(EntityType::Gpe));
    }
}
