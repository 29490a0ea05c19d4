//! Stable identifiers. Everything here is part of the contract: changing it changes ids.

use xxhash_rust::xxh3::xxh3_64;

/// 16 lowercase hex digits of XXH3-64 over `bytes`.
pub fn hash_hex(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
}

/// The `doc_id` of record `record` in the file at `source` (relative to the input root).
///
/// ```
/// assert_eq!(entente_schema::doc_id("a/b.txt", 0), entente_schema::doc_id("a/b.txt", 0));
/// assert_ne!(entente_schema::doc_id("a/b.txt", 0), entente_schema::doc_id("a/b.txt", 1));
/// ```
pub fn doc_id(source: &str, record: u32) -> String {
    let mut key = Vec::with_capacity(source.len() + 5);
    key.extend_from_slice(source.as_bytes());
    key.push(0);
    key.extend_from_slice(&record.to_le_bytes());
    hash_hex(&key)
}

/// The id of an entity that no gazetteer knows: its type and its name folded to lowercase
/// words joined by `-`, e.g. `person:jhon-lennon`; "-isation" is spelled "-ization", so
/// "Kim Jong-un" and "Kim Jong Un", "Organisation" and "Organization" get one id, and an
/// organisation's legal form is left out, so "Harbin Electric Company", "Harbin Electric Co."
/// and "Harbin Electric" get one id. Identical names of the same type get the same id in every
/// document and run.
pub fn entity_id_for_name(prefix: &str, name: &str) -> String {
    const LEGAL_FORMS: &[&str] = &[
        "ag",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "inc",
        "incorporated",
        "jsc",
        "llc",
        "limited",
        "ltd",
        "nv",
        "ojsc",
        "pjsc",
        "plc",
    ];
    let mut id = String::with_capacity(prefix.len() + 1 + name.len());
    id.push_str(prefix);
    id.push(':');
    let body = id.len();
    for word in crate::words::words(name) {
        if id.len() > body {
            id.push('-');
        }
        let start = id.len();
        if word.is_ascii() {
            id.push_str(word);
            if let Some(pushed) = id.get_mut(start..) {
                pushed.make_ascii_lowercase();
            }
        } else {
            id.push_str(&word.to_lowercase());
        }
        // British and American spellings of the same name ("Organisation", "Organization"):
        // the "s" after the ending's "i" becomes "z".
        let lower = id.get(start..).unwrap_or_default();
        if let Some(stem) = ["isation", "isations"].iter().find_map(|e| lower.strip_suffix(e)) {
            let s = start + stem.len() + 1;
            id.replace_range(s..=s, "z");
        }
    }
    if prefix == "org" {
        // The last words while more than one is left, read lower-cased: the forms are ASCII,
        // and no other character lower-cases to ASCII but the Kelvin sign, whose "k" no form
        // has. A word has no `-`.
        while let Some(dash) = id.get(body..).and_then(|w| w.rfind('-')).map(|d| body + d) {
            if !id.get(dash + 1..).is_some_and(|last| LEGAL_FORMS.contains(&last)) {
                break;
            }
            id.truncate(dash);
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::entity_id_for_name;

    #[test]
    fn spelling_variants_share_an_id() {
        let id = |name| entity_id_for_name("org", name);
        assert_eq!(id("Kim Jong-un"), id("Kim Jong Un"));
        assert_eq!(
            id("Collective Security Treaty Organisation"),
            "org:collective-security-treaty-organization"
        );
        assert_eq!(id("Organizations"), id("ORGANISATIONS"));
        assert_eq!(id("Harbin Electric Company"), "org:harbin-electric");
        assert_eq!(id("Acme Widgets Co., Ltd."), "org:acme-widgets");
        assert_eq!(id("Company"), "org:company");
        assert_eq!(entity_id_for_name("gpe", "Harbin Co"), "gpe:harbin-co");
        // Beyond ASCII: lower-cased as Unicode says, legal forms still left out.
        assert_eq!(id("Société Générale Ltd"), "org:société-générale");
        assert_eq!(id("ＡＣＭＥ Corp."), "org:ａｃｍｅ");
        assert_eq!(
            entity_id_for_name("gpe", "İSTANBUL Organisations"),
            "gpe:i\u{307}stanbul-organizations"
        );
        assert_eq!(
            entity_id_for_name("person", "ÉMILE  ZOLA-ORGANISATIONS"),
            "person:émile-zola-organizations"
        );
        assert_eq!(entity_id_for_name("misc", "Realisations"), "misc:realizations");
        assert_eq!(id("Ltd"), "org:ltd");
    }

    #[test]
    fn id_prefixes_are_the_labels_in_lower_case() {
        for t in crate::EntityType::ALL {
            assert_eq!(t.id_prefix(), t.as_str().to_lowercase());
        }
    }
}
