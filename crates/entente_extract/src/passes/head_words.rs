//! `head-words`: a name's head word gives its type, whatever the tagger said: "Doyt Perry
//! Stadium" is a place, "Dave Matthews Band" an organisation, "Battle of Antietam" an event
//! (`data/words/of_heads.tsv`, `data/words/last_heads.tsv`).

use entente_schema::EntityType;

use crate::words::{LAST_HEADS, OF_HEADS, ORDINALS, lookup};

/// The type a name's head word gives it, whatever the tagger said: "Doyt Perry Stadium" is a
/// place, "Dave Matthews Band" an organisation, "Battle of Antietam" an event. The head is
/// the word before the first "of" of "X of Y" names ("Federal Republic of Yugoslavia") and
/// the last word otherwise; one-word names have none.
pub(crate) fn type_of(name: &str) -> Option<EntityType> {
    let words: Vec<String> = entente_schema::words::words(name).map(str::to_lowercase).collect();
    if words.len() < 2 {
        return None;
    }
    // An ordinal before the head counts for nothing ("Second Battle of Bull Run").
    let ordinal = |w: &str| {
        ORDINALS.iter().any(|o| o.eq_ignore_ascii_case(w))
            || w.len() > 2
                && w.starts_with(|c: char| c.is_ascii_digit())
                && ["st", "nd", "rd", "th"].iter().any(|x| w.ends_with(x))
    };
    let words = if words.len() > 2 && ordinal(&words[0]) { &words[1..] } else { &words[..] };
    // "Operation Market Garden", "Operation Desert Storm": a military operation.
    if words[0] == "operation" {
        return Some(EntityType::Event);
    }
    // The head of "X of Y" is the word before the first "of" ("Federal Republic of
    // Yugoslavia", "Bulgarian Academy of Sciences").
    if let Some(of) = words.iter().position(|w| w == "of").filter(|&of| of > 0) {
        let head = &words[of - 1];
        return lookup(&OF_HEADS, head).or_else(|| lookup(&LAST_HEADS, head));
    }
    lookup(&LAST_HEADS, &words[words.len() - 1])
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
