//! Ingest over fixture files (one snapshot per file in `resources/test/{ok,mixed,err}`), a
//! WARC archive built here, and arbitrary bytes.

mod stream;
mod warc;

use std::collections::BTreeMap;

use entente_ingest::{FieldMap, IngestConfig, Ingested, ingest_file};
use entente_schema::{RejectReason, SourceFormat};
use entente_test::render_table;
use proptest::prelude::*;

/// The documents table without its text columns, each document's text in full, and the
/// rejects: what a reviewer needs to judge a fixture.
pub fn show(out: &Ingested) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "documents:\n{}\n",
        render_table(&out.documents, &["text", "raw_text", "content_hash"])
    );
    for d in &out.documents {
        let _ = writeln!(s, "--- text of record {} ---\n{}", d.source_record, d.raw_text);
    }
    let _ = write!(s, "rejects:\n{}", render_table(&out.rejects, &[]));
    if !out.skipped.is_empty() {
        let _ = write!(s, "\nskipped: {:?}", out.skipped);
    }
    s
}

/// Every fixture through `ingest_file`: files in `ok/` give documents and no rejects, in
/// `mixed/` both, in `err/` only rejects.
#[test]
fn fixtures() {
    insta::glob!("../../resources/test", "*/*", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out = ingest_file(&name, &bytes, &IngestConfig::default());
        let dir = path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        let expect = match dir.as_str() {
            "ok" => (true, false),
            "mixed" => (true, true),
            _ => (false, true),
        };
        assert_eq!(
            (!out.documents.is_empty(), !out.rejects.is_empty()),
            expect,
            "{dir}/{name}: documents / rejects"
        );
        for d in &out.documents {
            assert_eq!(d.text, d.raw_text);
            assert_eq!(d.doc_id, entente_schema::doc_id(&d.source, d.source_record));
            assert!(!d.raw_text.trim().is_empty());
        }
        insta::assert_snapshot!(show(&out));
    });
}

/// Every record of the mixed fixtures is accounted for: documents + rejects = records.
#[test]
fn mixed_files_account_for_every_record() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/resources/test/mixed/");
    // wire.jsonl: 8 non-blank lines; export.csv: 4 data rows.
    for (name, records) in [("wire.jsonl", 8), ("export.csv", 4)] {
        let out = ingest_file(
            name,
            &std::fs::read(format!("{dir}{name}")).unwrap(),
            &IngestConfig::default(),
        );
        assert_eq!(out.records_seen(), records, "{name}");
        let mut indexes: Vec<u32> = out.documents.iter().map(|d| d.source_record).collect();
        indexes.extend(out.rejects.iter().map(|r| r.source_record));
        indexes.sort_unstable();
        indexes.dedup();
        assert_eq!(indexes.len(), records, "{name}: one row per record, none twice");
    }
}

/// The page fixture: furniture gone, metadata in the columns.
#[test]
fn html_article_and_metadata() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/resources/test/ok/page.html");
    let out = ingest_file("page.html", &std::fs::read(path).unwrap(), &IngestConfig::default());
    let d = &out.documents[0];
    assert_eq!(d.source_format, SourceFormat::Html);
    assert_eq!(d.title.as_deref(), Some("Rail freight accord signed in Tashkent"));
    assert_eq!(d.author.as_deref(), Some("Dilnoza Karimova, Tom Reed"));
    assert_eq!(d.site_name.as_deref(), Some("Example Wire"));
    assert_eq!(d.url.as_deref(), Some("https://news.example.org/2024/05/rail-accord"));
    assert_eq!(d.published_raw.as_deref(), Some("2024-05-14T08:30:00+05:00"));
    assert_eq!(d.language_declared.as_deref(), Some("en-GB"));
    let (headline, body) = d.raw_text.split_once("\n\n").unwrap();
    assert_eq!(headline, "Rail freight accord signed in Tashkent");
    assert_eq!(body.split("\n\n").count(), 5, "five paragraphs:\n{}", d.raw_text);
    for furniture in [
        "cookies",
        "Share on",
        "Related",
        "Port upgrade",
        "First!",
        "Copyright",
        "Sign up",
        "Photo:",
    ] {
        assert!(!d.raw_text.contains(furniture), "{furniture:?} left in:\n{}", d.raw_text);
    }
}

/// A record's title opens its text, once: not when the text already opens with it, not with
/// `headline = false`, and never a record without a body.
#[test]
fn the_headline_opens_the_text() {
    let lines = concat!(
        r#"{"title": "Talks resume", "text": "Delegates met on Monday."}"#,
        "\n",
        r#"{"title": "Talks  Resume", "text": "talks resume\n\nDelegates met."}"#,
        "\n",
        r#"{"title": "Talks resume", "text": "  "}"#,
        "\n",
        r#"{"text": "Delegates met."}"#,
        "\n",
    );
    let out = ingest_file("a.jsonl", lines.as_bytes(), &IngestConfig::default());
    let texts: Vec<&str> = out.documents.iter().map(|d| d.raw_text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Talks resume\n\nDelegates met on Monday.",
            "talks resume\n\nDelegates met.",
            "Delegates met."
        ]
    );
    assert_eq!(out.rejects[0].reason, RejectReason::Empty);
    let body = IngestConfig { headline: false, ..IngestConfig::default() };
    let out = ingest_file("a.jsonl", lines.as_bytes(), &body);
    assert_eq!(out.documents[0].raw_text, "Delegates met on Monday.");
    // A .txt file's title is its first line already.
    let out = ingest_file("a.txt", b"Talks resume\n\nDelegates met.", &IngestConfig::default());
    assert_eq!(out.documents[0].raw_text, "Talks resume\n\nDelegates met.");
}

/// A decompression bomb stops at `max_file_bytes`.
#[test]
fn decompressed_size_is_capped() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &vec![b'a'; 1 << 20]).unwrap();
    let bytes = gz.finish().unwrap();
    let config = IngestConfig { max_file_bytes: 1000, ..IngestConfig::default() };
    let out = ingest_file("bomb.txt.gz", &bytes, &config);
    assert!(out.documents.is_empty());
    assert_eq!(out.rejects[0].reason, RejectReason::TooLarge);
}

/// The size cap rejects instead of passing a huge record on.
#[test]
fn oversized_record_is_rejected() {
    let config = IngestConfig { max_text_bytes: 10, ..IngestConfig::default() };
    let out = ingest_file("big.txt", b"Eleven bytes and more", &config);
    assert!(out.documents.is_empty());
    assert_eq!(out.rejects[0].reason, RejectReason::TooLarge);
}

/// `[ingest.formats]` maps an extension; `[ingest.fields]` renames fields.
#[test]
fn config_overrides_formats_and_fields() {
    let formats = BTreeMap::from([("feed".to_owned(), SourceFormat::Jsonl)]);
    let fields = FieldMap {
        text: vec!["story_body".into()],
        title: vec!["hed".into()],
        ..FieldMap::default()
    };
    let config = IngestConfig { formats, fields, ..IngestConfig::default() };
    let out = ingest_file(
        "x.feed",
        br#"{"hed": "Talks", "story_body": "Talks resumed.", "text": "not this"}"#,
        &config,
    );
    assert_eq!(out.documents[0].source_format, SourceFormat::Jsonl);
    assert_eq!(out.documents[0].title.as_deref(), Some("Talks"));
    assert_eq!(out.documents[0].raw_text, "Talks\n\nTalks resumed.");
    // Without the override the extension is unknown and the content says JSON Lines.
    let sniffed = ingest_file("x.feed", br#"{"text": "Talks resumed."}"#, &IngestConfig::default());
    assert_eq!(sniffed.documents[0].source_format, SourceFormat::Jsonl);
    let unknown = ingest_file("x.feed", b"just some words", &IngestConfig::default());
    assert_eq!(unknown.rejects[0].reason, RejectReason::UnsupportedFormat);
}

/// Names to try arbitrary bytes under: every format and compression.
const NAMES: &[&str] = &[
    "a.txt",
    "a.md",
    "a.jsonl",
    "a.csv",
    "a.tsv",
    "a.html",
    "a.warc",
    "a.warc.gz",
    "a.jsonl.gz",
    "a.txt.zst",
    "a.html.bz2",
    "noextension",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes never panic any reader, and every row names the file.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), name in prop::sample::select(NAMES)) {
        let out = ingest_file(name, &bytes, &IngestConfig::default());
        prop_assert!(out.documents.iter().all(|d| d.source == name));
        prop_assert!(out.rejects.iter().all(|r| r.source == name && !r.detail.is_empty()));
    }

    /// The same with a valid start (magic bytes, WARC header, HTML, JSON) and junk after it,
    /// which reaches deeper into each reader than random bytes do.
    #[test]
    fn valid_prefix_then_junk_never_panics(
        tail in prop::collection::vec(any::<u8>(), 0..1024),
        prefix in prop::sample::select(vec![
            &b"\x1f\x8b\x08\x00\x00\x00\x00\x00"[..],
            &b"\x28\xb5\x2f\xfd"[..],
            &b"BZh9"[..],
            &b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            &b"<!DOCTYPE html><html><body><p>"[..],
            &b"{\"text\": \""[..],
            &b"id,text\n1,\""[..],
            &b"\xff\xfe"[..],
        ]),
        name in prop::sample::select(NAMES),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(tail);
        let out = ingest_file(name, &bytes, &IngestConfig::default());
        prop_assert!(out.rejects.iter().all(|r| !r.detail.is_empty()));
    }
}
