//! Extract on the shared article and on random text.

use entente_extract::{ExtractConfig, Extractor, extract};
use entente_normalise::{NormaliseConfig, Normalised, Normaliser};
use entente_schema::{Tables, check_tables};
use entente_test::{ARTICLE, document, messy_text, render_table};
use proptest::prelude::*;

fn normalise(documents: &[entente_schema::Document]) -> Normalised {
    Normaliser::new(&NormaliseConfig::default()).unwrap().run(documents)
}

fn extractor() -> Extractor {
    Extractor::new(&ExtractConfig::default(), &[]).unwrap()
}

/// Every mention in the shared article with its identity.
#[test]
fn article() {
    let out = normalise(&[document("article.txt", ARTICLE)]);
    let entities = extract(&out.documents, &out.sentences, &extractor());
    insta::assert_snapshot!(render_table(&entities, &["doc_id", "byte_start", "byte_end"]));
}

/// A user gazetteer adds entities; a malformed one is an error naming the file and line.
#[test]
fn user_gazetteer() {
    let header = "entity_id\tentity_type\tname\tcountry_id\taliases\n";
    let good = format!("{header}org:gazprom\tORG\tGazprom\tiso3166:RU\tGazprom|Gazprom PJSC\n");
    let ex = Extractor::new(&ExtractConfig::default(), &[("mine.tsv", &good)]).unwrap();
    let ids: Vec<String> =
        ex.find("Gazprom PJSC signs with China").into_iter().map(|f| f.entity_id).collect();
    assert_eq!(ids, ["org:gazprom", "iso3166:CN"]);
    let bad = format!("{header}org:x\tCOMPANY\tX\t\tX\n");
    let err = Extractor::new(&ExtractConfig::default(), &[("bad.tsv", &bad)]).unwrap_err();
    assert_eq!(err.to_string(), "gazetteer bad.tsv, line 2: unknown entity type \"COMPANY\"");
}

/// A document in a language the extractor does not read gets no mentions, and says why.
#[test]
fn other_languages_are_skipped() {
    let german = "Die Außenminister Chinas und Russlands trafen sich am Montag in Moskau, um über \
                  die Zusammenarbeit beider Länder zu sprechen. China und Russland wollen enger \
                  zusammenarbeiten, den Handel ausbauen und die Zahlungen in eigenen Währungen \
                  abwickeln, sagte ein Sprecher des Außenministeriums nach dem Treffen.";
    let out = normalise(&[document("de.txt", german), document("en.txt", ARTICLE)]);
    let by_source = |s: &str| out.documents.iter().find(|d| d.source == s).unwrap();
    assert_eq!(by_source("de.txt").extractable, Some(false));
    assert_eq!(by_source("en.txt").extractable, Some(true));
    let entities = extract(&out.documents, &out.sentences, &extractor());
    let de_id = &by_source("de.txt").doc_id;
    assert!(entities.iter().all(|e| &e.doc_id != de_id));
    assert!(!entities.is_empty());
}

proptest! {
    /// Mentions found in random Unicode text obey every offset invariant of the contract.
    #[test]
    fn offsets_hold_on_random_text(raw in messy_text()) {
        let out = normalise(&[document("r.txt", &raw)]);
        let entities = extract(&out.documents, &out.sentences, &extractor());
        let violations = check_tables(Tables {
            documents: &out.documents,
            sentences: &out.sentences,
            text_edits: &out.text_edits,
            boilerplate: &out.boilerplate,
            entities: &entities,
            cooccurrences: None,
        });
        prop_assert!(violations.is_empty(), "{violations:#?}");
    }
}

/// A lone surname or family name after the full name is the same person; before it, or
/// shared by two people of the document, it keeps an id of its own.
#[test]
fn short_forms_resolve_to_people_named_earlier() {
    let text = "Kim said nothing. Kim Jong Un met Vladimir Putin in Moscow. Later Kim spoke and \
                Putin listened. Dmitry Peskov and Dmitry Medvedev attended; Dmitry left early.";
    let out = normalise(&[document("a.txt", text)]);
    let entities = extract(&out.documents, &out.sentences, &extractor());
    let found: Vec<(&str, &str)> = entities
        .iter()
        .filter(|e| e.entity_type == entente_schema::EntityType::Person)
        .map(|e| (e.text.as_str(), e.entity_id.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("Kim", "person:kim"),
            ("Kim Jong Un", "person:kim-jong-un"),
            ("Vladimir Putin", "person:vladimir-putin"),
            ("Kim", "person:kim-jong-un"),
            ("Putin", "person:vladimir-putin"),
            ("Dmitry Peskov", "person:dmitry-peskov"),
            ("Dmitry Medvedev", "person:dmitry-medvedev"),
            ("Dmitry", "person:dmitry"),
        ]
    );
}
