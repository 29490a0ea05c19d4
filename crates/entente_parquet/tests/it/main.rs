//! The Parquet edge: derived schemas, round trips, metadata and atomic writes.

use entente_parquet::{
    FileMetadata, KEY_CONFIG_HASH, KEY_CONTRACT, KEY_TABLE, read_metadata, read_table, schema,
    write_table,
};
use entente_schema::{
    Boilerplate, Cooccurrence, Document, Entity, EntitySummary, Reject, Sentence, Table, TextEdit,
};

fn render_schema<T: Table>() -> String {
    schema::<T>()
        .unwrap()
        .fields()
        .iter()
        .map(|f| {
            format!(
                "{}: {}{}",
                f.name(),
                f.data_type(),
                if f.is_nullable() { " (nullable)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each table's Arrow schema, so that a renamed or retyped column shows up in review.
#[test]
fn schemas() {
    insta::assert_snapshot!("schema@documents", render_schema::<Document>());
    insta::assert_snapshot!("schema@sentences", render_schema::<Sentence>());
    insta::assert_snapshot!("schema@text_edits", render_schema::<TextEdit>());
    insta::assert_snapshot!("schema@boilerplate", render_schema::<Boilerplate>());
    insta::assert_snapshot!("schema@entities", render_schema::<Entity>());
    insta::assert_snapshot!("schema@cooccurrences", render_schema::<Cooccurrence>());
    insta::assert_snapshot!(
        "schema@cooccurrences_by_period",
        render_schema::<entente_schema::CooccurrencePeriod>()
    );
    insta::assert_snapshot!("schema@entity_summary", render_schema::<EntitySummary>());
    insta::assert_snapshot!("schema@rejects", render_schema::<Reject>());
}

/// Rows come back equal, with nulls, timestamps, enums and nested lists, and the file carries
/// its metadata.
#[test]
fn round_trip_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = entente_test::document("a/b.txt", "Xi met Putin.\n");
    doc.published_at = Some(1_715_823_000_000_000);
    doc.url = Some("https://example.org".into());
    let docs = vec![doc.clone(), entente_test::document("c.txt", "Ça va? 北京")];
    let path = write_table(dir.path(), &docs, &FileMetadata::new("abc").with("entente.extra", "1"))
        .unwrap();
    assert_eq!(read_table::<Document>(dir.path()).unwrap(), docs);
    let meta = read_metadata(&path).unwrap();
    assert_eq!(meta[KEY_CONFIG_HASH], "abc");
    assert_eq!(meta[KEY_CONTRACT], entente_schema::CONTRACT_VERSION);
    assert_eq!(meta[KEY_TABLE], "documents");
    assert_eq!(meta["entente.extra"], "1");
    let summary = vec![EntitySummary {
        entity_id: "iso3166:CN".into(),
        entity_name: "China".into(),
        entity_type: entente_schema::EntityType::Gpe,
        mentions: 3,
        documents: 1,
        sentences: 2,
        stories: 1,
        first_seen: Some(1_715_823_000_000_000),
        last_seen: None,
        top_surfaces: vec![entente_schema::SurfaceCount { text: "China".into(), count: 3 }],
    }];
    write_table(dir.path(), &summary, &FileMetadata::new("abc")).unwrap();
    assert_eq!(read_table::<EntitySummary>(dir.path()).unwrap(), summary);
    let evidence =
        |i| entente_schema::Evidence { doc_id: "d1".into(), sentence_idx: i, sentence_end: i + 2 };
    let pair = vec![entente_schema::Cooccurrence {
        scope: entente_schema::Scope::Window,
        entity_a: "a".into(),
        entity_b: "b".into(),
        name_a: "A".into(),
        name_b: "B".into(),
        type_a: entente_schema::EntityType::Gpe,
        type_b: entente_schema::EntityType::Person,
        count: 2,
        count_a: 3,
        count_b: 2,
        n_units: 9,
        pmi: 1.5,
        npmi: 0.5,
        llr: 4.2,
        dice: 0.8,
        n_docs: 1,
        n_stories: 1,
        first_published_at: None,
        last_published_at: Some(1_715_823_000_000_000),
        first_doc_id: "d1".into(),
        first_sentence_idx: 0,
        evidence: vec![evidence(0), evidence(4)],
    }];
    write_table(dir.path(), &pair, &FileMetadata::new("abc")).unwrap();
    assert_eq!(read_table::<entente_schema::Cooccurrence>(dir.path()).unwrap(), pair);
}

/// Writing the same rows twice gives byte-identical files.
#[test]
fn deterministic_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let docs = vec![entente_test::document("x.txt", "Russia and China.")];
    let pa = write_table(a.path(), &docs, &FileMetadata::new("h")).unwrap();
    let pb = write_table(b.path(), &docs, &FileMetadata::new("h")).unwrap();
    assert_eq!(std::fs::read(pa).unwrap(), std::fs::read(pb).unwrap());
}

/// A write that fails leaves the previous table untouched and no temporary file behind.
#[test]
fn failed_write_keeps_old_table() {
    let dir = tempfile::tempdir().unwrap();
    let old = vec![entente_test::document("old.txt", "Old text.")];
    let path = write_table(dir.path(), &old, &FileMetadata::new("h")).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A directory where the temporary file should go makes the write fail half-way.
    let blocker = dir.path().join(format!(".documents.parquet.tmp-{}", std::process::id()));
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("x"), b"x").unwrap();
    let new = vec![entente_test::document("new.txt", "New text.")];
    let err = write_table(dir.path(), &new, &FileMetadata::new("h")).unwrap_err();
    assert!(err.to_string().contains(".documents.parquet.tmp-"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(read_table::<Document>(dir.path()).unwrap(), old);
}

/// Reading a file of another table is an error naming the file, not a panic.
#[test]
fn wrong_table_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_table(dir.path(), &[entente_test::document("x.txt", "Text.")], &FileMetadata::new("h"))
        .unwrap();
    std::fs::rename(dir.path().join("documents.parquet"), dir.path().join("sentences.parquet"))
        .unwrap();
    let err = read_table::<Sentence>(dir.path()).unwrap_err();
    assert!(err.to_string().contains("sentences.parquet"), "{err}");
}
