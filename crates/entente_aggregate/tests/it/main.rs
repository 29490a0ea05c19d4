//! Aggregate: snapshots on a tiny table, and the polars path against the brute-force recount.

use entente_aggregate::{AggregateConfig, Units, cooccurrences, entity_summary};
use entente_schema::{Entity, EntityType, Method, Tables, recount_cooccurrences};
use entente_test::render_table;
use proptest::prelude::*;

fn mention(doc: &str, sentence_idx: u32, mention_idx: u32, id: &str, ty: EntityType) -> Entity {
    Entity {
        doc_id: doc.into(),
        sentence_idx,
        mention_idx,
        char_start: 0,
        char_end: 1,
        byte_start: 0,
        byte_end: 1,
        text: id.to_uppercase(),
        entity_id: id.into(),
        entity_name: id.to_uppercase(),
        entity_type: ty,
        method: Method::Gazetteer,
        country_id: None,
        value: None,
        unit: None,
        iso_date: None,
    }
}

fn tiny() -> Vec<Entity> {
    use EntityType::{Date, Gpe, Person};
    vec![
        mention("d1", 0, 0, "cn", Gpe),
        mention("d1", 0, 1, "ru", Gpe),
        mention("d1", 0, 2, "cn", Gpe),
        mention("d1", 1, 3, "xi", Person),
        mention("d1", 1, 4, "cn", Gpe),
        mention("d2", 0, 0, "ru", Gpe),
        mention("d2", 0, 1, "2024", Date),
        mention("d2", 2, 2, "cn", Gpe),
    ]
}

/// Co-occurrences and summary of a hand-checkable table: 5 sentences, 3 documents.
#[test]
fn tiny_table() {
    let units = Units { sentences: 5, documents: 3 };
    let rows = cooccurrences(&tiny(), units, &AggregateConfig::default()).unwrap();
    insta::assert_snapshot!(render_table(&rows, &[]));
    insta::assert_snapshot!(render_table(&entity_summary(&tiny()), &[]));
}

proptest! {
    /// The polars counts equal the brute-force recount on random mention tables.
    #[test]
    fn polars_equals_recount(raw in prop::collection::vec((0u8..4, 0u32..5, 0usize..6), 0..60)) {
        let ids = ["a", "b", "c", "d", "e", "f"];
        let types = [EntityType::Gpe, EntityType::Org, EntityType::Person, EntityType::Money, EntityType::Norp, EntityType::Gpe];
        let entities: Vec<Entity> = raw
            .iter()
            .enumerate()
            .map(|(i, &(d, s, e))| mention(&format!("d{d}"), s, u32::try_from(i).unwrap(), ids[e], types[e]))
            .collect();
        let documents: Vec<_> = (0..5).map(|d| entente_test::document(&format!("d{d}"), "x")).collect();
        let sentences: Vec<_> = (0..25).map(|i| entente_schema::Sentence {
            doc_id: format!("d{}", i / 5), sentence_idx: i % 5, char_start: 0, char_end: 1,
            byte_start: 0, byte_end: 1, text: "x".into(),
        }).collect();
        let config = AggregateConfig::default();
        let fast = cooccurrences(&entities, Units { sentences: 25, documents: 5 }, &config).unwrap();
        let slow = recount_cooccurrences(
            Tables {
                documents: &documents, sentences: &sentences, text_edits: &[], boilerplate: &[],
                entities: &entities, cooccurrences: None,
            },
            |t| config.entity_types.contains(&t),
        );
        prop_assert_eq!(fast, slow);
    }
}
