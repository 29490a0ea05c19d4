//! `designations`: a name that opens with a model designation ("F-86 Sabre", "MiG-29",
//! "S-400") is a product (`MISC`), an aircraft or a weapon, not a person.

use entente_schema::EntityType;

/// Whether `word` is a model designation: up to four letters, the first a capital, a hyphen
/// and a number ("F-86", "MiG-29", "Su-57", "S-400").
pub(crate) fn is_designation(word: &str) -> bool {
    let Some((letters, number)) = word.split_once('-') else { return false };
    (1..=4).contains(&letters.len())
        && letters.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && letters.chars().all(|c| c.is_ascii_alphabetic())
        && number.chars().next().is_some_and(|c| c.is_ascii_digit())
        && number.len() <= 5
        && number.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `MISC` when the name's first word is a designation.
pub(crate) fn type_of(surface: &str) -> Option<EntityType> {
    surface.split_whitespace().next().is_some_and(is_designation).then_some(EntityType::Misc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn designations_are_products() {
        for word in ["F-86", "MiG-29", "Su-57", "S-400", "EC-130"] {
            assert!(super::is_designation(word), "{word}");
        }
        for word in ["Sino-Russian", "X-Men", "al-Assad", "COVID19", "F-", "-86", "ABCDE-1"] {
            assert!(!super::is_designation(word), "{word}");
        }
    }
}
