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
    let mut words: Vec<&str> =
        name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if prefix == "org" {
        while words.len() > 1
            && words.last().is_some_and(|w| LEGAL_FORMS.contains(&w.to_lowercase().as_str()))
        {
            words.pop();
        }
    }
    let mut slug = String::with_capacity(name.len());
    for word in words {
        if !slug.is_empty() {
            slug.push('-');
        }
        let lower = word.to_lowercase();
        // British and American spellings of the same name ("Organisation", "Organization").
        let folded = ["isation", "isations"]
            .iter()
            .find_map(|ending| {
                lower
                    .strip_suffix(ending)
                    .map(|stem| format!("{stem}{}", ending.replacen("is", "iz", 1)))
            })
            .unwrap_or(lower);
        slug.push_str(&folded);
    }
    format!("{prefix}:{slug}")
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
    }
}
