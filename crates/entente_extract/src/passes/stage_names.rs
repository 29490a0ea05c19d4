//! `stage-names`: "DJ Khaled", "MC Kano", "DJ John Peel" are performers, whatever the shape of
//! the name made the tagger say.

use entente_schema::EntityType;

/// `PERSON` when the name opens with "DJ" or "MC" and has more words.
pub(crate) fn type_of(surface: &str) -> Option<EntityType> {
    surface
        .split_once(' ')
        .is_some_and(|(w, _)| matches!(w, "DJ" | "MC"))
        .then_some(EntityType::Person)
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    #[test]
    fn stage_names_are_people() {
        assert_eq!(super::type_of("DJ John Peel"), Some(EntityType::Person));
        assert_eq!(super::type_of("MC Kano"), Some(EntityType::Person));
        assert_eq!(super::type_of("DJ"), None);
        assert_eq!(super::type_of("DJI Mavic"), None);
    }
}
