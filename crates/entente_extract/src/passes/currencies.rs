//! `currencies`: a currency written capitalised ("the Ruble and the Yuan") is no name of any
//! kind this pipeline reports (`data/words/currencies.txt`).

use crate::words::CURRENCIES;

/// Whether a name is the name of a currency.
pub(crate) fn is_currency(name: &str) -> bool {
    crate::words::with_lower(name, |lower| CURRENCIES.contains(lower))
}

#[cfg(test)]
mod tests {
    #[test]
    fn currencies_are_no_names() {
        for name in ["Yuan", "Roubles", "RUBLE"] {
            assert!(super::is_currency(name), "{name}");
        }
        // The euro is a name too ("Euro 96").
        for name in ["Euro", "Yuan Shikai", "Franc"] {
            assert!(!super::is_currency(name), "{name}");
        }
    }
}
