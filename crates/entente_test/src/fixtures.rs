//! Rows for tests.

use entente_schema::{Document, Entity, EntityType, LinkedBy, Method};

/// An ingested document (text = raw text) from `source` with `raw_text`.
pub fn document(source: &str, raw_text: &str) -> Document {
    Document {
        title: raw_text.lines().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()),
        ..Document::from_raw_text(source, 0, raw_text)
    }
}

/// Random text built from the pieces that break naive offset code: accents precomposed and
/// combining, CJK, emoji with joiners, invisible and control characters, curly quotes, line
/// breaks of every kind, abbreviations, amounts and entity names, and the things text repair
/// rewrites (mojibake, hyphenated and indented lines, boilerplate, glued punctuation).
pub fn messy_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pieces = prop::sample::select(vec![
        "China",
        "Russia",
        "Xi Jinping",
        "U.S.",
        "US",
        "us",
        "Mr.",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        ". ",
        "! ",
        "? ",
        "e\u{301}",
        "é",
        "北京",
        "。",
        "😀",
        "👨\u{200d}👩",
        "\u{200b}",
        "\u{a0}",
        "\t",
        "“",
        "”",
        "’s",
        "3.5",
        "$240 billion",
        "5%",
        "2024",
        "May 16, 2024",
        "People’s Republic of China",
        "SCO",
        "Shanghai Cooperation Organization",
        "Ω",
        "\u{0}",
        "\u{7}",
        "ǅ",
        "ß",
        "İ",
        "-",
        "$",
        "€3m",
        "â€™",
        "Ã©",
        "Ã¢â‚¬â„¢",
        "inter-\n",
        "\n    ",
        "Loading...\n",
        "order.This",
        "issues,such",
        "\u{2028}",
        "\r",
        "(",
        ")",
        "[",
        "]",
        "(SCO)",
        "Putin's",
        "Dmitry Peskov",
        "Kim",
        "Acme Widgets",
        "Regional Responses",
        "38 bcm",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

/// A tagger's mention of `text` in document `d` with the given id, type and `linked_by`; its
/// name is its text, and it has no title, country or value.
pub fn mention(
    text: &str,
    id: &str,
    entity_type: EntityType,
    linked_by: Option<LinkedBy>,
) -> Entity {
    Entity {
        doc_id: "d".into(),
        sentence_idx: 0,
        mention_idx: 0,
        char_start: 0,
        char_end: 1,
        byte_start: 0,
        byte_end: 1,
        text: text.into(),
        entity_id: id.into(),
        entity_name: text.into(),
        entity_type,
        method: Method::Model,
        title: None,
        linked_by,
        country_id: None,
        value: None,
        unit: None,
        iso_date: None,
    }
}
