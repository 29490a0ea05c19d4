//! `and-split`: two one-word names the tagger joined with "and" are two names ("Siemens and
//! Ericsson", "Coldplay and Gorillaz"). `CoNLL-2003` train has 186 such pairs and 6 one-word
//! and one-word names, 2 of them "Trinidad and Tobago", which the gazetteer holds. Two common
//! words are rather the end of a longer name ("... for Trade and Industry", "... Arts and
//! Sciences").

use crate::tagger::words::is_common_word;

/// The two names `surface` is, if it is two such names.
pub(crate) fn split(surface: &str) -> Option<(&str, &str)> {
    let (a, b) = surface.split_once(" and ")?;
    let names = [a, b].iter().all(|w| !w.contains(' ') && w.starts_with(char::is_uppercase));
    let common = [a, b].iter().all(|w| is_common_word(&w.to_lowercase()));
    (names && !common).then_some((a, b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_word_names_joined_by_and_are_two() {
        assert_eq!(super::split("Siemens and Ericsson"), Some(("Siemens", "Ericsson")));
        assert_eq!(super::split("Trade and Industry"), None);
        assert_eq!(super::split("Securities and Exchange Commission"), None);
        assert_eq!(super::split("Siemens and others"), None);
    }
}
