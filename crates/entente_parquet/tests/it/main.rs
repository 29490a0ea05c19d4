//! The Parquet edge: derived schemas, round trips, metadata and atomic writes.

use entente_parquet::{
    Codec, FileMetadata, KEY_CONFIG_HASH, KEY_CONTRACT, KEY_TABLE, Staging, TableWriter, part_name,
    parts, read_metadata, read_table, schema, write_table,
};
use entente_schema::{
    Boilerplate, Cooccurrence, Document, Entity, EntitySummary, Reject, Scope, Sentence, Table,
    TextEdit,
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
    // The output directory inside the temporary one, so its lock file is too.
    let out = dir.path().join("out");
    let mut doc = entente_test::document("a/b.txt", "Xi met Putin.\n");
    doc.published_at = Some(1_715_823_000_000_000);
    doc.url = Some("https://example.org".into());
    let docs = vec![doc.clone(), entente_test::document("c.txt", "Ça va? 北京")];
    let path =
        write_table(&out, &docs, &FileMetadata::new("abc").with("entente.extra", "1")).unwrap();
    assert_eq!(read_table::<Document>(&out).unwrap(), docs);
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
    write_table(&out, &summary, &FileMetadata::new("abc")).unwrap();
    assert_eq!(read_table::<EntitySummary>(&out).unwrap(), summary);
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
    write_table(&out, &pair, &FileMetadata::new("abc")).unwrap();
    assert_eq!(read_table::<entente_schema::Cooccurrence>(&out).unwrap(), pair);
}

/// Writing the same rows twice gives byte-identical files.
#[test]
fn deterministic_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let docs = vec![entente_test::document("x.txt", "Russia and China.")];
    let pa = write_table(&a.path().join("out"), &docs, &FileMetadata::new("h")).unwrap();
    let pb = write_table(&b.path().join("out"), &docs, &FileMetadata::new("h")).unwrap();
    assert_eq!(std::fs::read(pa).unwrap(), std::fs::read(pb).unwrap());
}

/// A write that fails leaves the previous table untouched and no temporary file behind.
#[test]
fn failed_write_keeps_old_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let old = vec![entente_test::document("old.txt", "Old text.")];
    let path = write_table(&out, &old, &FileMetadata::new("h")).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A directory where the staged table should go makes the write fail half-way.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"x").unwrap();
    let new = vec![entente_test::document("new.txt", "New text.")];
    let staged = Staging::new(&out).unwrap();
    let staging = staged.root().to_owned();
    // The table's staging directory is a file: creating the part fails.
    std::fs::rename(&blocker, staged.table_dir::<Document>()).unwrap();
    let err = TableWriter::<Document>::create(
        &staged.table_dir::<Document>(),
        &part_name(0),
        &FileMetadata::new("h"),
        Codec::Zstd,
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("documents"), "{err}");
    drop(staged);
    assert!(!staging.exists());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(read_table::<Document>(&out).unwrap(), old);
    // A write that succeeds replaces the table.
    write_table(&out, &new, &FileMetadata::new("h")).unwrap();
    assert_eq!(read_table::<Document>(&out).unwrap(), new);
    assert!(!staging.exists());
}

/// A commit makes the output directory the staged tables plus every other entry it had
/// (other tables, a user's notes), minus the discarded ones, in one exchange; the old files
/// are untouched until then; leftovers of a killed run are cleared by the next staging, a
/// killed writer's temporary file by the commit.
#[test]
fn commit_exchanges_the_whole_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let docs = vec![entente_test::document("a.txt", "Text.")];
    write_table(&out, &docs, &FileMetadata::new("h")).unwrap();
    write_table(&out, &[hi()], &FileMetadata::new("h")).unwrap();
    std::fs::create_dir(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/todo.md"), "mine").unwrap();
    std::fs::write(out.join("sentences.parquet"), "an old single-file table").unwrap();
    // A killed run's leftovers beside the output.
    let stale = dir.path().join(".out.entente-staging-1");
    std::fs::create_dir_all(stale.join("documents")).unwrap();

    let staging = Staging::new(&out).unwrap();
    assert!(!stale.exists());
    let new_docs = vec![entente_test::document("b.txt", "New.")];
    let mut w = TableWriter::<Document>::create(
        &staging.table_dir::<Document>(),
        &part_name(0),
        &FileMetadata::new("h2"),
        Codec::Zstd,
    )
    .unwrap();
    w.write(&new_docs).unwrap();
    w.finish().unwrap();
    std::fs::create_dir_all(staging.scratch("x")).unwrap();
    // A writer killed before its rename (a Spark task attempt) leaves its temporary file.
    let killed = staging.table_dir::<Document>().join(".part-00001.parquet.tmp-7-1f-0");
    std::fs::write(&killed, "half a part").unwrap();
    staging.discard("sentences");
    // Until the commit, readers see the old output.
    assert_eq!(read_table::<Document>(&out).unwrap(), docs);
    staging.commit().unwrap();

    assert_eq!(read_table::<Document>(&out).unwrap(), new_docs);
    assert!(!out.join("sentences").exists() && !out.join("sentences.parquet").exists());
    assert_eq!(std::fs::read_to_string(out.join("notes/todo.md")).unwrap(), "mine");
    assert!(!out.join(".scratch-x").exists());
    let documents: Vec<_> = std::fs::read_dir(out.join("documents")).unwrap().collect();
    assert_eq!(documents.len(), 1, "{documents:?}");
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}"); // out and its lock file
}

/// Two stagings of one output directory cannot exist at once.
#[test]
fn a_second_staging_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = Staging::new(&out).unwrap();
    let err = Staging::new(&out).unwrap_err();
    assert!(err.to_string().contains("another entente run"), "{err}");
    drop(first);
    Staging::new(&out).unwrap();
}

/// Reading a file of another table is an error naming the file, not a panic; so is a table
/// directory without parts.
#[test]
fn wrong_table_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_table(&out, &[entente_test::document("x.txt", "Text.")], &FileMetadata::new("h"))
        .unwrap();
    std::fs::rename(out.join("documents"), out.join("sentences")).unwrap();
    let err = read_table::<Sentence>(&out).unwrap_err();
    assert!(err.to_string().contains("sentences/part-00000.parquet"), "{err}");
    std::fs::create_dir(out.join("entities")).unwrap();
    let err = read_table::<Entity>(&out).unwrap_err();
    assert!(err.to_string().contains("no Parquet part files"), "{err}");
}

/// A partitioned table: one Hive directory per value, the column left out of the files and
/// put back on reading; parts of several writers read back in path order.
#[test]
fn hive_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("cooccurrences");
    let meta = FileMetadata::new("h");
    for (i, rows) in [
        vec![
            pair_row(Scope::Sentence, "a"),
            pair_row(Scope::Document, "b"),
            pair_row(Scope::Sentence, "c"),
        ],
        vec![pair_row(Scope::Sentence, "d")],
    ]
    .iter()
    .enumerate()
    {
        let mut writer =
            TableWriter::<Cooccurrence>::create(&table, &part_name(i), &meta, Codec::Zstd).unwrap();
        writer.partition(&["story"]).unwrap();
        writer.write(rows).unwrap();
        writer.finish().unwrap();
    }
    let found: Vec<String> = parts(&table)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(&table).unwrap().display().to_string())
        .collect();
    assert_eq!(
        found,
        [
            "scope=document/part-00000.parquet",
            "scope=sentence/part-00000.parquet",
            "scope=sentence/part-00001.parquet",
            "scope=story/part-00000.parquet",
            "scope=story/part-00001.parquet",
        ]
    );
    let stored = entente_parquet::read_metadata(&table.join("scope=sentence/part-00000.parquet"));
    assert_eq!(stored.unwrap()[KEY_TABLE], "cooccurrences");
    let file = std::fs::File::open(table.join("scope=sentence/part-00000.parquet")).unwrap();
    let builder =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert!(builder.schema().column_with_name("scope").is_none());
    let read: Vec<(Scope, String)> = read_table::<Cooccurrence>(dir.path())
        .unwrap()
        .into_iter()
        .map(|r| (r.scope, r.entity_a))
        .collect();
    assert_eq!(
        read,
        [
            (Scope::Document, "b".to_owned()),
            (Scope::Sentence, "a".to_owned()),
            (Scope::Sentence, "c".to_owned()),
            (Scope::Sentence, "d".to_owned()),
        ]
    );
    assert_eq!(entente_parquet::row_count(&table).unwrap(), 4);
}

/// Identifiers and types carry minimum and maximum statistics, for readers to skip files
/// and pages by; names, measures and evidence, which no filter could skip by, carry none.
#[test]
fn statistics_only_where_a_reader_can_skip_data() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("cooccurrences");
    let meta = FileMetadata::new("h");
    let mut row = pair_row(Scope::Sentence, "a");
    row.evidence =
        vec![entente_schema::Evidence { doc_id: "d".into(), sentence_idx: 0, sentence_end: 1 }];
    (row.first_published_at, row.last_published_at) = (Some(0), Some(1));
    let mut writer =
        TableWriter::<Cooccurrence>::create(&table, &part_name(0), &meta, Codec::Zstd).unwrap();
    writer.write(&[row, pair_row(Scope::Sentence, "b")]).unwrap();
    writer.finish().unwrap();
    let file = std::fs::File::open(table.join("scope=sentence/part-00000.parquet")).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    let group = parquet::file::reader::FileReader::metadata(&reader).row_group(0);
    let with_min_max: Vec<String> = group
        .columns()
        .iter()
        .filter(|c| c.statistics().is_some_and(|s| s.min_bytes_opt().is_some()))
        .map(|c| c.column_path().string())
        .collect();
    assert_eq!(
        with_min_max,
        ["entity_a", "entity_b", "type_a", "type_b", "first_published_at", "last_published_at"]
    );
}

/// A `cooccurrences` row of `scope` whose `entity_a` is `a`.
fn pair_row(scope: Scope, a: &str) -> Cooccurrence {
    Cooccurrence {
        scope,
        entity_a: a.into(),
        entity_b: "z".into(),
        name_a: "A".into(),
        name_b: "Z".into(),
        type_a: entente_schema::EntityType::Gpe,
        type_b: entente_schema::EntityType::Person,
        count: 1,
        count_a: 1,
        count_b: 1,
        n_units: 1,
        pmi: 0.0,
        npmi: 1.0,
        llr: 0.0,
        dice: 1.0,
        n_docs: 1,
        n_stories: 1,
        first_published_at: None,
        last_published_at: None,
        first_doc_id: "d".into(),
        first_sentence_idx: 0,
        evidence: Vec::new(),
    }
}

/// Completing a partition's files early writes the same bytes as finishing them at the end,
/// and rows for a completed partition are refused.
#[test]
fn completed_partitions() {
    let meta = FileMetadata::new("h");
    let sentences = [pair_row(Scope::Sentence, "a"), pair_row(Scope::Sentence, "b")];
    let documents = [pair_row(Scope::Document, "c")];
    let write = |complete: bool| {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("cooccurrences");
        let mut writer =
            TableWriter::<Cooccurrence>::create(&table, &part_name(0), &meta, Codec::Zstd).unwrap();
        writer.write(&sentences).unwrap();
        if complete {
            writer.complete(&["sentence"]).unwrap();
            let err = writer.write(&sentences[..1]).unwrap_err();
            assert!(err.to_string().contains("already completed"), "{err}");
        }
        writer.write(&documents).unwrap();
        writer.finish().unwrap();
        let bytes: Vec<Vec<u8>> =
            parts(&table).unwrap().iter().map(|p| std::fs::read(p).unwrap()).collect();
        (dir, bytes)
    };
    let (_kept, early) = write(true);
    let (_dir, late) = write(false);
    assert_eq!(early.len(), 2);
    assert_eq!(early, late);

    // A writer dropped after completing a partition leaves no file behind.
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("cooccurrences");
    let mut writer =
        TableWriter::<Cooccurrence>::create(&table, &part_name(0), &meta, Codec::Zstd).unwrap();
    writer.write(&sentences).unwrap();
    writer.complete(&[]).unwrap();
    drop(writer);
    let left: Vec<_> = walkdir(&table);
    assert!(left.is_empty(), "{left:?}");
}

/// Every file under `dir`, hidden ones too.
/// A sentence row.
fn hi() -> Sentence {
    Sentence {
        doc_id: "d".into(),
        sentence_idx: 0,
        char_start: 0,
        char_end: 3,
        byte_start: 0,
        byte_end: 3,
        text: "Hi.".into(),
    }
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Documents enough for several pages of the `text` column and more than one batch of a
/// rewrite (16,384 rows).
fn many_documents() -> Vec<Document> {
    (0..20_000_u16)
        .map(|i| {
            let text =
                format!("Story {i}: {}", "Xi met Putin in Beijing. ".repeat(usize::from(i % 12)));
            let mut doc = entente_test::document(&format!("d{i:05}.txt"), &text);
            doc.doc_id = format!("d{i:05}");
            doc.published_at = (i % 3 == 0).then_some(1_715_823_000_000_000 + i64::from(i));
            doc
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct DocId {
    doc_id: String,
}

#[derive(serde::Serialize)]
struct StoryOf {
    story_id: Option<String>,
    duplicate_kind: Option<entente_schema::DuplicateKind>,
}

/// The story columns `rewritten` sets: every third document a copy of the one before it.
fn with_stories(docs: &mut [Document]) {
    for (i, doc) in docs.iter_mut().enumerate() {
        if i % 3 == 1 {
            doc.story_id = Some(format!("d{:05}", i - 1));
            doc.duplicate_kind = Some(entente_schema::DuplicateKind::Exact);
        }
    }
}

/// `source` rewritten with the story columns of [`with_stories`], as zstd part `name` in `dir`.
fn rewritten(
    source: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
) -> Result<(), entente_parquet::Error> {
    let meta = FileMetadata::new("h");
    let mut writer = TableWriter::<Document>::create(dir, name, &meta, Codec::Zstd)?;
    writer.rewrite_columns(source, &["doc_id"], |batch| {
        let ids: Vec<DocId> = entente_parquet::rows_in::<Document, _>(batch)?;
        let stories: Vec<StoryOf> = ids
            .iter()
            .map(|d| {
                let i: usize = d.doc_id.trim_start_matches('d').parse().expect("numbered");
                let copy = i % 3 == 1;
                StoryOf {
                    story_id: copy.then(|| format!("d{:05}", i - 1)),
                    duplicate_kind: copy.then_some(entente_schema::DuplicateKind::Exact),
                }
            })
            .collect();
        entente_parquet::columns_of::<Document, _>(&["story_id", "duplicate_kind"], &stories)
    })?;
    writer.finish()
}

/// A part rewritten with some columns changed is byte for byte the part written with the
/// changed rows, whether its other column chunks are copied (same codec) or encoded again
/// (the source uncompressed); its rows read back as those rows.
#[test]
fn rewritten_columns_are_the_bytes_of_a_direct_write() {
    let dir = tempfile::tempdir().unwrap();
    let meta = FileMetadata::new("h");
    let write = |name: &str, codec: Codec, docs: &[Document]| {
        let mut writer = TableWriter::<Document>::create(dir.path(), name, &meta, codec).unwrap();
        writer.write(docs).unwrap();
        writer.finish().unwrap();
        dir.path().join(name)
    };
    let docs = many_documents();
    let mut changed = docs.clone();
    with_stories(&mut changed);
    let direct = write("direct.parquet", Codec::Zstd, &changed);
    for (codec, name) in [(Codec::Zstd, "zstd.parquet"), (Codec::Uncompressed, "plain.parquet")] {
        let source = write(name, codec, &docs);
        let out = tempfile::tempdir().unwrap();
        rewritten(&source, out.path(), "part-00000.parquet").unwrap();
        let bytes = std::fs::read(out.path().join("part-00000.parquet")).unwrap();
        assert!(bytes == std::fs::read(&direct).unwrap(), "{name} rewritten differs");
        let mut read: Vec<Document> = Vec::new();
        entente_parquet::read_part(
            out.path(),
            &out.path().join("part-00000.parquet"),
            |mut rows| {
                read.append(&mut rows);
                Ok::<(), entente_parquet::Error>(())
            },
        )
        .unwrap();
        assert_eq!(read, changed);
    }
    // A part without rows stays one.
    let empty = write("empty.parquet", Codec::Zstd, &[]);
    let out = tempfile::tempdir().unwrap();
    rewritten(&empty, out.path(), "empty.parquet").unwrap();
    assert_eq!(
        std::fs::read(out.path().join("empty.parquet")).unwrap(),
        std::fs::read(&empty).unwrap()
    );
}

/// Rows written from many vectors of uneven lengths (a batch's mentions, one vector per
/// document) make the bytes of the same rows written from one slice.
#[test]
fn rows_from_many_vectors_are_the_bytes_of_one_slice() {
    let dir = tempfile::tempdir().unwrap();
    let meta = FileMetadata::new("h");
    let docs = many_documents();
    let mut pieces: Vec<Vec<Document>> = Vec::new();
    let mut rest = &docs[..];
    for n in (1..).map(|i| i * 37 % 1_000) {
        let (piece, after) = rest.split_at(n.min(rest.len()));
        pieces.push(piece.to_vec());
        rest = after;
        if rest.is_empty() {
            break;
        }
    }
    let mut whole =
        TableWriter::<Document>::create(dir.path(), "whole", &meta, Codec::Zstd).unwrap();
    whole.write(&docs).unwrap();
    whole.finish().unwrap();
    let mut each = TableWriter::<Document>::create(dir.path(), "each", &meta, Codec::Zstd).unwrap();
    each.write_each(pieces.iter().flatten()).unwrap();
    each.finish().unwrap();
    let bytes = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert!(bytes("whole") == bytes("each"));
}

/// A rewrite that cannot be done is an error naming the source file, and leaves no part.
#[test]
fn rewriting_from_a_bad_source_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let meta = FileMetadata::new("h");
    let source = dir.path().join("sentences.parquet");
    let mut writer =
        TableWriter::<Sentence>::create(dir.path(), "sentences.parquet", &meta, Codec::Zstd)
            .unwrap();
    writer.write(&[hi()]).unwrap();
    writer.finish().unwrap();
    let out = tempfile::tempdir().unwrap();
    // A file of another table: without the columns of `documents`.
    let err = rewritten(&source, out.path(), "part-00000.parquet").unwrap_err().to_string();
    assert!(err.contains("sentences.parquet") && err.contains("no column source"), "{err}");
    assert!(walkdir(out.path()).is_empty(), "{:?}", walkdir(out.path()));
    // New columns for the wrong number of rows.
    let docs = many_documents();
    let mut writer =
        TableWriter::<Document>::create(dir.path(), "d.parquet", &meta, Codec::Zstd).unwrap();
    writer.write(&docs).unwrap();
    writer.finish().unwrap();
    let mut writer =
        TableWriter::<Document>::create(out.path(), "p.parquet", &meta, Codec::Zstd).unwrap();
    let err = writer
        .rewrite_columns(&dir.path().join("d.parquet"), &["doc_id"], |_| {
            entente_parquet::columns_of::<Document, StoryOf>(&["story_id", "duplicate_kind"], &[])
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("d.parquet") && err.contains("0 new values for 16384 rows"), "{err}");
    drop(writer);
    assert!(walkdir(out.path()).is_empty(), "{:?}", walkdir(out.path()));
    // Into a writer that already has rows.
    let mut writer =
        TableWriter::<Document>::create(out.path(), "p.parquet", &meta, Codec::Zstd).unwrap();
    writer.write(&docs[..1]).unwrap();
    let err = writer
        .rewrite_columns(&dir.path().join("d.parquet"), &["doc_id"], |_| {
            entente_parquet::columns_of::<Document, StoryOf>(&["story_id"], &[])
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("p.parquet") && err.contains("needs a new writer"), "{err}");
}
