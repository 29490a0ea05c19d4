//! Normalise on the shared article and on random text.

use entente_normalise::{NormaliseConfig, clean_text, normalise};
use entente_schema::{Tables, check_tables};
use entente_test::{ARTICLE, document, messy_text, render_table};
use proptest::prelude::*;

/// The shared article's sentences and final document row.
#[test]
fn article() {
    let out = normalise(&[document("article.txt", ARTICLE)], &NormaliseConfig::default());
    insta::assert_snapshot!(render_table(&out.sentences, &["doc_id"]));
    insta::assert_snapshot!(render_table(&out.documents, &["text", "raw_text"]));
}

/// A document with no visible text is rejected, not silently dropped.
#[test]
fn invisible_text_is_rejected() {
    let out =
        normalise(&[document("blank.txt", "\u{200b}\u{feff} \n")], &NormaliseConfig::default());
    assert!(out.documents.is_empty());
    assert_eq!(out.rejects.len(), 1);
    assert_eq!(out.rejects[0].source, "blank.txt");
}

proptest! {
    /// Cleaning is idempotent, and the sentence rows obey the contract's offset invariants.
    #[test]
    fn offsets_hold_on_random_text(raw in messy_text()) {
        let once = clean_text(&raw);
        prop_assert_eq!(clean_text(&once), once.clone());
        let out = normalise(&[document("r.txt", &raw)], &NormaliseConfig::default());
        let violations = check_tables(Tables {
            documents: &out.documents,
            sentences: &out.sentences,
            entities: &[],
            cooccurrences: None,
        });
        prop_assert!(violations.is_empty(), "{violations:#?}");
        prop_assert_eq!(out.documents.len() + out.rejects.len(), 1);
    }
}
