//! Fuzz harnesses: each takes arbitrary bytes, runs one parser or stage on them and panics
//! when an invariant breaks (a panic inside the code under test is a finding too).
//!
//! `fuzz/` (cargo-fuzz, `just fuzz SECONDS`) has one target per harness, named as in
//! [`TARGETS`]; the replay test of this crate runs every committed seed and every input that
//! once crashed (`fuzz/regressions/<target>/`) through the same functions on stable Rust, so a
//! fixed crash stays fixed.

#![allow(clippy::missing_panics_doc, reason = "a harness panics on purpose: that is a finding")]

use std::sync::OnceLock;

use entente_extract::{ExtractConfig, Extractor};
use entente_ingest::{IngestConfig, Ingested, ingest_file};
use entente_normalise::{NormaliseConfig, Normalised, Normaliser, SentenceConfig, Splitter};
use entente_schema::{Document, Entity, Tables, check_tables};

/// A harness: panics when the code under test breaks an invariant on `data`.
pub type Harness = fn(&[u8]);

/// Every harness by target name.
pub const TARGETS: &[(&str, Harness)] = &[
    ("ingest_text", ingest_text),
    ("ingest_records", ingest_records),
    ("ingest_html", ingest_html),
    ("ingest_warc", ingest_warc),
    ("ingest_compressed", ingest_compressed),
    ("ingest_dates", ingest_dates),
    ("normalise", normalise),
    ("sentences", sentences),
    ("extract", extract),
];

/// Plain text and Markdown files (`.txt`, `.md`), the first byte choosing which.
pub fn ingest_text(data: &[u8]) {
    ingest_as(data, &["a.txt", "a.md"]);
}

/// JSON Lines, CSV and TSV files, the first byte choosing which.
pub fn ingest_records(data: &[u8]) {
    ingest_as(data, &["a.jsonl", "a.csv", "a.tsv"]);
}

/// Web pages: encoding detection, DOM cleaning, article extraction, page metadata.
pub fn ingest_html(data: &[u8]) {
    ingest_as(data, &["a.html"]);
}

/// WARC archives: record framing, HTTP headers, per-record encodings.
pub fn ingest_warc(data: &[u8]) {
    ingest_as(data, &["a.warc"]);
}

/// Compressed files (gzip, zstd, bzip2) of every format, and files whose name does not say
/// their format (content sniffing), the first byte choosing the name.
pub fn ingest_compressed(data: &[u8]) {
    ingest_as(
        data,
        &["a.jsonl.gz", "a.warc.gz", "a.txt.zst", "a.html.zst", "a.csv.bz2", "a", "a.gz"],
    );
}

/// Publication dates in the formats of feeds, pages and newswires.
pub fn ingest_dates(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    if let Some(us) = entente_ingest::parse_published(&raw) {
        // Microseconds of a four-digit year: 1000-01-01 to 9999-12-31.
        let years = -30_610_224_000_000_000..253_402_300_800_000_000;
        assert!(years.contains(&us), "{raw:?} -> {us}");
    }
}

/// The normalise stage on arbitrary text: repair, boilerplate, language, sentences, stories.
pub fn normalise(data: &[u8]) {
    let documents = documents_of(data);
    let out = normaliser().run(&documents);
    assert_valid(&out, &[]);
}

/// The sentence splitter alone: spans in order, not overlapping, on char boundaries, trimmed.
pub fn sentences(data: &[u8]) {
    static SPLITTER: OnceLock<Splitter> = OnceLock::new();
    let splitter = SPLITTER.get_or_init(|| Splitter::new(&SentenceConfig::default()));
    let text = String::from_utf8_lossy(data);
    let mut last_end = 0;
    for (start, end) in splitter.split(&text) {
        assert!(last_end <= start && start < end && end <= text.len(), "{start}..{end}");
        let sentence = text.get(start..end).expect("a sentence on char boundaries");
        assert_eq!(sentence, sentence.trim(), "an untrimmed sentence");
        last_end = end;
    }
}

/// Normalise then extract: every mention inside its sentence, on char boundaries, with
/// code-point offsets that agree with its bytes, never across a line break.
pub fn extract(data: &[u8]) {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(|| {
        Extractor::new(&ExtractConfig::default(), &[]).expect("the built-in extractor loads")
    });
    let documents = documents_of(data);
    let out = normaliser().run(&documents);
    let entities = entente_extract::extract(&out.documents, &out.sentences, extractor);
    assert_valid(&out, &entities);
    for e in &entities {
        assert!(!e.text.contains(['\n', '\r']), "a mention across a line break: {e:?}");
    }
}

fn normaliser() -> &'static Normaliser {
    static NORMALISER: OnceLock<Normaliser> = OnceLock::new();
    NORMALISER.get_or_init(|| {
        Normaliser::new(&NormaliseConfig::default()).expect("the default rules compile")
    })
}

/// One document per part of `data` split at form feeds, so dedup sees several.
fn documents_of(data: &[u8]) -> Vec<Document> {
    let text = String::from_utf8_lossy(data);
    text.split('\u{c}')
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| {
            let record = u32::try_from(i).unwrap_or(u32::MAX);
            Document::from_raw_text("fuzz.txt", record, t)
        })
        .collect()
}

fn assert_valid(out: &Normalised, entities: &[Entity]) {
    let violations = check_tables(Tables {
        documents: &out.documents,
        sentences: &out.sentences,
        text_edits: &out.text_edits,
        boilerplate: &out.boilerplate,
        entities,
        aggregated: None,
    });
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Ingests `data[1..]` under the name `data[0]` picks from `names`, and checks that every
/// record became a document or a reject that says why.
fn ingest_as(data: &[u8], names: &[&str]) {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let name = names[usize::from(pick) % names.len()];
    let config = IngestConfig { max_file_bytes: 64 << 20, ..IngestConfig::default() };
    let out = ingest_file(name, bytes, &config);
    assert_ingested(name, &out, &config);
}

fn assert_ingested(name: &str, out: &Ingested, config: &IngestConfig) {
    let mut records: Vec<u32> = out.documents.iter().map(|d| d.source_record).collect();
    records.extend(out.rejects.iter().map(|r| r.source_record));
    let n = records.len();
    records.sort_unstable();
    records.dedup();
    assert_eq!(records.len(), n, "{name}: a record is both a document and a reject, or twice");
    for d in &out.documents {
        assert!(!d.text.trim().is_empty(), "{name}: a document without text");
        assert!(d.text.len() <= config.max_text_bytes, "{name}: a document over the cap");
        assert_eq!(d.source, name);
    }
    for r in &out.rejects {
        assert!(!r.detail.is_empty(), "{name}: a reject that does not say why");
        assert_eq!(r.source, name);
    }
}
