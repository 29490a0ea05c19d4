//! Aggregate: snapshots of a hand-checkable corpus, and the polars path against the
//! brute-force recount of `entente_schema` on random corpora.

use std::collections::{BTreeMap, BTreeSet};

use entente_aggregate::{AggregateConfig, Corpus, Limits, Rows, aggregate, aggregate_into};
use entente_schema::{
    Cooccurrence, CooccurrencePeriod, Counted, Document, Entity, EntityType, Method, Period, Scope,
    Sentence, Tables, compare_counted, recount_cooccurrences,
};
use entente_test::render_table;
use proptest::prelude::*;

const DAY: i64 = 86_400_000_000;

fn mention(doc: &str, sentence_idx: u32, mention_idx: u32, id: &str, ty: EntityType) -> Entity {
    Entity {
        doc_id: doc.into(),
        sentence_idx,
        mention_idx,
        char_start: 0,
        char_end: 1,
        byte_start: 0,
        byte_end: 1,
        text: if mention_idx.is_multiple_of(2) { id.to_uppercase() } else { id.to_owned() },
        entity_id: id.into(),
        entity_name: id.to_uppercase(),
        entity_type: ty,
        method: Method::Gazetteer,
        title: None,
        linked_by: None,
        country_id: None,
        value: None,
        unit: None,
        iso_date: None,
    }
}

/// A document with `n` sentences, its story and its date (days since 1970).
fn document(id: &str, n: u32, story: &str, day: Option<i64>) -> Document {
    let mut d = entente_test::document(id, "x");
    d.doc_id = id.into();
    d.n_sentences = Some(n);
    d.story_id = Some(story.into());
    d.published_at = day.map(|t| t * DAY);
    d
}

fn sentences(documents: &[Document]) -> Vec<Sentence> {
    documents
        .iter()
        .flat_map(|d| {
            (0..d.n_sentences.unwrap_or(0)).map(|i| Sentence {
                doc_id: d.doc_id.clone(),
                sentence_idx: i,
                char_start: 0,
                char_end: 1,
                byte_start: 0,
                byte_end: 1,
                text: "x".into(),
            })
        })
        .collect()
}

fn run(
    documents: &[Document],
    entities: &[Entity],
    config: &AggregateConfig,
) -> entente_aggregate::Aggregates {
    aggregate(corpus_of(documents, entities), config).unwrap()
}

/// A corpus of `documents` and `entities`.
fn corpus_of(documents: &[Document], entities: &[Entity]) -> Corpus {
    let mut corpus = Corpus::default();
    for d in documents {
        corpus.add_document(d).unwrap();
    }
    for e in entities {
        corpus.add_mention(e).unwrap();
    }
    corpus
}

/// Three documents over two months; d3 is a copy of d1 (same story); d4 has no sentences.
fn tiny() -> (Vec<Document>, Vec<Entity>) {
    use EntityType::{Date, Gpe, Person};
    let documents = vec![
        document("d1", 4, "d1", Some(19_859)),
        document("d2", 3, "d2", Some(19_890)),
        document("d3", 4, "d1", Some(19_860)),
        document("d4", 0, "d4", None),
    ];
    let entities = vec![
        mention("d1", 0, 0, "cn", Gpe),
        mention("d1", 0, 1, "ru", Gpe),
        mention("d1", 0, 2, "cn", Gpe),
        mention("d1", 1, 3, "xi", Person),
        mention("d1", 3, 4, "ru", Gpe),
        mention("d2", 0, 0, "ru", Gpe),
        mention("d2", 0, 1, "2024", Date),
        mention("d2", 2, 2, "cn", Gpe),
        mention("d3", 0, 0, "cn", Gpe),
        mention("d3", 0, 1, "ru", Gpe),
        mention("d3", 2, 2, "xi", Person),
    ];
    (documents, entities)
}

/// Every table on a hand-checkable corpus; the recount agrees.
#[test]
fn tiny_corpus() {
    let (documents, entities) = tiny();
    let config = AggregateConfig {
        periods: vec![Period::Month, Period::Week],
        ..AggregateConfig::default()
    };
    let tables = run(&documents, &entities, &config);
    insta::assert_snapshot!(
        "cooccurrences",
        render_table(&tables.cooccurrences, &["name_a", "name_b", "type_a", "type_b", "evidence"])
    );
    let evidence: Vec<String> = tables
        .cooccurrences
        .iter()
        .map(|r| {
            let units: Vec<String> = r
                .evidence
                .iter()
                .map(|e| format!("{} sentences {}..{}", e.doc_id, e.sentence_idx, e.sentence_end))
                .collect();
            let (scope, a, b) = (r.scope.as_str(), &r.entity_a, &r.entity_b);
            format!("{scope:<8} {a}–{b}: {}", units.join(", "))
        })
        .collect();
    insta::assert_snapshot!("evidence", evidence.join("\n"));
    insta::assert_snapshot!("by_period", render_table(&tables.by_period, &["name_a", "name_b"]));
    insta::assert_snapshot!("summary", render_table(&tables.summary, &[]));
    let sentences = sentences(&documents);
    let expected = recount(&documents, &sentences, &entities, &config);
    let actual = Counted { cooccurrences: tables.cooccurrences, by_period: tables.by_period };
    assert_eq!(compare_counted(&actual, &expected), vec![]);
}

/// The stoplist, the types and `min_count` filter pairs; self-pairs never appear.
#[test]
fn filters() {
    let (documents, entities) = tiny();
    let config = AggregateConfig {
        scopes: vec![Scope::Document],
        stoplist: vec!["xi".into()],
        min_count: 2,
        ..AggregateConfig::default()
    };
    let tables = run(&documents, &entities, &config);
    let pairs: Vec<(&str, &str, u32)> = tables
        .cooccurrences
        .iter()
        .map(|r| (r.entity_a.as_str(), r.entity_b.as_str(), r.count))
        .collect();
    assert_eq!(pairs, [("cn", "ru", 3)]);
    assert!(
        tables.by_period.iter().all(|r| (r.entity_a.as_str(), r.entity_b.as_str()) == ("cn", "ru"))
    );
    // The stoplisted entity is still summarised.
    assert!(tables.summary.iter().any(|s| s.entity_id == "xi" && s.mentions == 2));
    let bad = AggregateConfig { window_sentences: 0, ..AggregateConfig::default() };
    let mut corpus = Corpus::default();
    corpus.add_document(&documents[0]).unwrap();
    let err = aggregate(corpus, &bad).unwrap_err();
    assert_eq!(err.to_string(), "aggregate.window_sentences must be at least 1");
}

/// A mention of a document that was never added is an error naming it.
#[test]
fn unknown_document() {
    let mut corpus = Corpus::default();
    let err = corpus.add_mention(&mention("nope", 0, 7, "cn", EntityType::Gpe)).unwrap_err();
    assert_eq!(err.to_string(), "mention 7 of document nope: no such document in `documents`");
}

/// Mentions read from record batches of `entities` (as the pipeline reads its tables) count
/// as the same mentions added one by one, in batches of any size; a batch without a column
/// the corpus reads, or with an entity type the contract lacks, is an error naming it.
#[test]
fn mentions_from_record_batches() {
    let (documents, entities) = tiny();
    let config = AggregateConfig { periods: vec![Period::Month], ..AggregateConfig::default() };
    let expected = run(&documents, &entities, &config);
    for size in [1, 4, entities.len()] {
        let mut corpus = Corpus::default();
        for d in &documents {
            corpus.add_document(d).unwrap();
        }
        for chunk in entities.chunks(size) {
            corpus.add_mentions(&entente_parquet::batch_of(chunk).unwrap()).unwrap();
        }
        assert_eq!(aggregate(corpus, &config).unwrap(), expected, "batches of {size}");
    }
    let batch = entente_parquet::batch_of(&entities).unwrap();
    let mut corpus = Corpus::default();
    corpus.add_document(&documents[0]).unwrap();
    let others: Vec<usize> = Corpus::MENTION_COLUMNS
        .iter()
        .filter(|&&c| c != "text")
        .map(|c| batch.schema_ref().index_of(c).unwrap())
        .collect();
    let without_text = batch.project(&others).unwrap();
    let err = corpus.add_mentions(&without_text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column text of `entities` is missing, has nulls or is of another type"
    );
    let at = batch.schema_ref().index_of("entity_type").unwrap();
    let mut columns = batch.columns().to_vec();
    columns[at] =
        std::sync::Arc::new(arrow::array::StringArray::from(vec!["ALIEN"; batch.num_rows()]));
    let alien = arrow::array::RecordBatch::try_new(batch.schema(), columns).unwrap();
    let err = corpus.add_mentions(&alien).unwrap_err();
    assert_eq!(err.to_string(), "mention 0 of document d1: unknown entity_type \"ALIEN\"");
}

/// The batches hold the entities' ids, names and types by code (dictionaries of their
/// strings); written, they make the same file, byte for byte, as the same rows with their
/// strings, so readers get strings.
#[test]
fn labels_by_code_write_the_file_of_their_strings() {
    use entente_parquet::{Codec, FileMetadata, TableWriter, batch_of, part_name, rows_of};
    let (documents, entities) = tiny();
    let corpus = corpus_of(&documents, &entities);
    let mut batches = Vec::new();
    aggregate_into(corpus, &AggregateConfig::default(), Limits::default(), |rows| {
        if let Rows::Cooccurrences { rows, .. } = rows {
            batches.push(rows);
        }
        Ok(())
    })
    .unwrap();
    let by_code = |b: &arrow::array::RecordBatch| {
        let field = b.schema().field_with_name("name_a").unwrap().clone();
        matches!(field.data_type(), arrow::datatypes::DataType::Dictionary(..))
    };
    assert!(!batches.is_empty() && batches.iter().all(by_code));
    let plain: Vec<_> =
        batches.iter().map(|b| batch_of(&rows_of::<Cooccurrence>(b).unwrap()).unwrap()).collect();
    assert!(!plain.iter().any(by_code));
    let files = |batches: &[arrow::array::RecordBatch]| {
        let dir = tempfile::tempdir().unwrap();
        let meta = FileMetadata::new("h");
        let mut writer =
            TableWriter::<Cooccurrence>::create(dir.path(), &part_name(0), &meta, Codec::Zstd)
                .unwrap();
        for batch in batches {
            writer.write_batch(batch).unwrap();
        }
        writer.finish().unwrap();
        entente_test::files_below(dir.path())
    };
    let (coded, strings) = (files(&batches), files(&plain));
    assert_eq!(coded.len(), 4);
    assert!(coded == strings, "the files differ");
}

fn recount(
    documents: &[Document],
    sentences: &[Sentence],
    entities: &[Entity],
    config: &AggregateConfig,
) -> Counted {
    let tables = Tables {
        documents,
        sentences,
        text_edits: &[],
        boilerplate: &[],
        entities,
        aggregated: None,
    };
    recount_cooccurrences(tables, config)
}

/// A random corpus: documents with 0–5 sentences, shared stories, dates over three months
/// (some missing, some equal), and mentions of six entities of four types.
fn corpus() -> impl Strategy<Value = (Vec<Document>, Vec<Entity>)> {
    let doc = (0u32..6, prop::option::weighted(0.7, 0i64..80), any::<prop::sample::Index>());
    (
        prop::collection::vec(doc, 1..7),
        prop::collection::vec((any::<prop::sample::Index>(), 0u32..5, 0usize..6), 0..50),
    )
        .prop_map(|(docs, raw)| {
            let documents: Vec<Document> = docs
                .iter()
                .enumerate()
                .map(|(i, &(n, day, story))| {
                    let story = format!("d{}", story.index(i + 1));
                    document(&format!("d{i}"), n, &story, day.map(|d| 19_800 + d))
                })
                .collect();
            let ids = ["a", "b", "c", "d", "e", "f"];
            let types = [
                EntityType::Gpe,
                EntityType::Org,
                EntityType::Person,
                EntityType::Money,
                EntityType::Norp,
                EntityType::Gpe,
            ];
            let mut next: BTreeMap<usize, u32> = BTreeMap::new();
            let entities = raw
                .iter()
                .filter_map(|&(d, s, e)| {
                    let d = d.index(documents.len());
                    let n = documents[d].n_sentences.unwrap_or(0);
                    let idx = next.entry(d).or_default();
                    *idx += 1;
                    (n > 0).then(|| mention(&format!("d{d}"), s % n, *idx, ids[e], types[e]))
                })
                .collect();
            (documents, entities)
        })
}

fn config() -> impl Strategy<Value = AggregateConfig> {
    (1u32..5, 1u32..3, 1u32..4, any::<bool>(), 0u32..5).prop_map(
        |(window, min_count, evidence, stop, max_unit_entities)| AggregateConfig {
            window_sentences: window,
            min_count,
            evidence_units: evidence,
            stoplist: if stop { vec!["c".into()] } else { vec![] },
            periods: Period::ALL.to_vec(),
            // 0 (no limit) or 1..4: units of many entities give no pairs in both counts.
            max_unit_entities,
            ..AggregateConfig::default()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every statistic of both tables equals the brute-force recount, whatever the budget of
    /// pairs held at once (down to one entity per range, walked again after every split).
    #[test]
    fn polars_equals_recount(
        (documents, entities) in corpus(),
        config in config(),
        partition_pairs in 1u64..60,
    ) {
        let corpus = corpus_of(&documents, &entities);
        let mut actual = Counted::default();
        let limits = Limits { partition_pairs };
        aggregate_into(corpus, &config, limits, |rows| {
            match rows {
                Rows::Cooccurrences { rows, .. } => {
                    actual.cooccurrences.extend(entente_parquet::rows_of::<Cooccurrence>(&rows)?);
                }
                Rows::ByPeriod { rows, .. } => {
                    actual.by_period.extend(entente_parquet::rows_of::<CooccurrencePeriod>(&rows)?);
                }
            }
            Ok(())
        })
        .unwrap();
        let expected = recount(&documents, &sentences(&documents), &entities, &config);
        let diff = compare_counted(&actual, &expected);
        prop_assert!(diff.is_empty(), "{}", diff.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    }

    /// The batches handed to the sink, in order, are the same with one thread as with two
    /// (each range after the first counted beside writing the one before), whatever the
    /// budget of pairs held at once.
    #[test]
    fn batches_do_not_depend_on_threads(
        (documents, entities) in corpus(),
        config in config(),
        partition_pairs in 1u64..60,
    ) {
        let batches = |threads: usize| {
            let corpus = corpus_of(&documents, &entities);
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut out = Vec::new();
            let limits = Limits { partition_pairs };
            pool.install(|| aggregate_into(corpus, &config, limits, |rows| {
                out.push(rows);
                Ok(())
            }))
            .unwrap();
            out
        };
        prop_assert_eq!(batches(1), batches(2));
    }

    /// The summary's counts equal a recount by hand.
    #[test]
    fn summary_equals_recount((documents, entities) in corpus()) {
        let tables = run(&documents, &entities, &AggregateConfig::default());
        let story: BTreeMap<&str, &str> = documents.iter().map(|d| (d.doc_id.as_str(), d.story_id.as_deref().unwrap_or_default())).collect();
        let date: BTreeMap<&str, Option<i64>> = documents.iter().map(|d| (d.doc_id.as_str(), d.published_at)).collect();
        let ids: BTreeSet<&str> = entities.iter().map(|e| e.entity_id.as_str()).collect();
        prop_assert_eq!(tables.summary.len(), ids.len());
        for s in &tables.summary {
            let mine: Vec<&Entity> = entities.iter().filter(|e| e.entity_id == s.entity_id).collect();
            let docs: BTreeSet<&str> = mine.iter().map(|e| e.doc_id.as_str()).collect();
            let sentences: BTreeSet<(&str, u32)> = mine.iter().map(|e| (e.doc_id.as_str(), e.sentence_idx)).collect();
            let stories: BTreeSet<&str> = docs.iter().map(|d| story[d]).collect();
            let dates: Vec<i64> = docs.iter().filter_map(|d| date[d]).collect();
            prop_assert_eq!(s.mentions as usize, mine.len());
            prop_assert_eq!(s.documents as usize, docs.len());
            prop_assert_eq!(s.sentences as usize, sentences.len());
            prop_assert_eq!(s.stories as usize, stories.len());
            prop_assert_eq!(s.first_seen, dates.iter().min().copied());
            prop_assert_eq!(s.last_seen, dates.iter().max().copied());
            let total: u32 = s.top_surfaces.iter().map(|t| t.count).sum();
            prop_assert!(total as usize <= mine.len() && s.top_surfaces.len() <= 5);
        }
    }
}
