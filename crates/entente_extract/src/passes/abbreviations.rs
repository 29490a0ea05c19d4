//! `abbreviations`: an abbreviation of a common noun ("AI", "CEO", "SUVs"), which the tagger
//! takes for an organisation by its shape, is no name (`data/words/abbreviations.txt`).

use crate::words::ABBREVIATIONS;

/// Whether a name is such an abbreviation, or its plural.
pub(crate) fn is_abbreviation(name: &str) -> bool {
    let singular = name.strip_suffix('s').filter(|s| s.len() >= 2).unwrap_or(name);
    ABBREVIATIONS.contains(&name) || ABBREVIATIONS.contains(&singular)
}

#[cfg(test)]
mod tests {
    #[test]
    fn abbreviations_of_common_nouns_are_no_names() {
        for name in ["AI", "SUVs", "CEO"] {
            assert!(super::is_abbreviation(name), "{name}");
        }
        // CoNLL-2003 annotates GMT; "s" is no plural of anything.
        for name in ["GMT", "NATO", "s", "ceo"] {
            assert!(!super::is_abbreviation(name), "{name}");
        }
    }
}
