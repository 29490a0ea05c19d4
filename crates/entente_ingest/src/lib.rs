//! Ingest: raw article bytes to [`Document`] rows, plus a [`Reject`] for every record that
//! cannot become one.
//!
//! The core is pure: the runner (in `entente_cli`) lists and reads the files and hands each
//! one in as `(source, bytes)`, where `source` is the path relative to the input root. The
//! format follows the extension:
//!
//! | extension | records | title | other fields |
//! |---|---|---|---|
//! | `.txt`, `.text` | one per file | first non-empty line | — |
//! | `.md`, `.markdown` | one per file | first non-empty line, `#` marks removed | — |
//! | `.jsonl`, `.ndjson` | one per line | `title` | `id`, `text`, `published`, `url`, `language` |
//!
//! Rows come out with `text` equal to `raw_text`; normalise replaces `text` and fills in
//! `n_sentences`.
//!
//! ```
//! use entente_ingest::{IngestConfig, ingest_file};
//!
//! let out = ingest_file("news/a.txt", b"Summit in Beijing\n\nXi met Putin.", &IngestConfig::default());
//! assert_eq!(out.documents[0].title.as_deref(), Some("Summit in Beijing"));
//! assert!(out.rejects.is_empty());
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

pub use crate::dates::parse_published;

mod dates;

use entente_schema::{Document, Reject, RejectReason, SourceFormat, doc_id, hash_hex};
use serde::{Deserialize, Serialize};

/// The stage name written in `rejects.stage`.
pub const STAGE: &str = "ingest";

/// Options of the ingest stage (`[ingest]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Records whose text is longer than this many bytes are rejected, so one huge file
    /// cannot exhaust memory downstream. Offsets are `u32`, so the cap is below 4 GiB.
    pub max_text_bytes: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self { max_text_bytes: 64 * 1024 * 1024 }
    }
}

/// What ingest made of some input: documents and rejects, each sorted by source and record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ingested {
    /// One row per record that has text.
    pub documents: Vec<Document>,
    /// One row per record (or file) that does not.
    pub rejects: Vec<Reject>,
}

impl Ingested {
    /// Adds `other`'s rows to this one's.
    pub fn extend(&mut self, other: Ingested) {
        self.documents.extend(other.documents);
        self.rejects.extend(other.rejects);
    }

    /// Sorts both tables by source and record, so the output never depends on the order in
    /// which files were read.
    pub fn sort(&mut self) {
        self.documents
            .sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
        self.rejects
            .sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
    }
}

/// The format entente reads a file as, from its extension (case-insensitive); `None` when
/// entente does not read such files.
pub fn format_of(source: &str) -> Option<SourceFormat> {
    let ext = source.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match ext.as_str() {
        "txt" | "text" => Some(SourceFormat::Txt),
        "md" | "markdown" => Some(SourceFormat::Md),
        "jsonl" | "ndjson" => Some(SourceFormat::Jsonl),
        _ => None,
    }
}

/// A reject of the ingest stage.
pub fn reject(
    source: &str,
    record: u32,
    reason: RejectReason,
    detail: impl Into<String>,
) -> Reject {
    Reject {
        source: source.to_owned(),
        source_record: record,
        stage: STAGE.to_owned(),
        reason,
        detail: detail.into(),
    }
}

/// Parses one input file. `source` is its path relative to the input root, with `/`
/// separators; it names the file in every row and reject.
pub fn ingest_file(source: &str, bytes: &[u8], config: &IngestConfig) -> Ingested {
    let mut out = Ingested::default();
    let Some(format) = format_of(source) else {
        out.rejects.push(reject(
            source,
            0,
            RejectReason::UnsupportedFormat,
            "entente reads .txt, .text, .md, .markdown, .jsonl and .ndjson files",
        ));
        return out;
    };
    if bytes.contains(&0) {
        out.rejects.push(reject(source, 0, RejectReason::Binary, "the file contains NUL bytes"));
        return out;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => {
            let detail = format!("not UTF-8: invalid byte at offset {}", e.valid_up_to());
            out.rejects.push(reject(source, 0, RejectReason::InvalidUtf8, detail));
            return out;
        }
    };
    if format == SourceFormat::Jsonl {
        ingest_jsonl(source, text, config, &mut out);
    } else {
        let title = first_line_title(text, format == SourceFormat::Md);
        match checked_text(text, config) {
            Ok(()) => out.documents.push(document(
                source,
                0,
                format,
                Record { title, text: text.to_owned(), ..Record::default() },
            )),
            Err((reason, detail)) => out.rejects.push(reject(source, 0, reason, detail)),
        }
    }
    out
}

/// The fields a record may carry besides its text.
#[derive(Debug, Default)]
struct Record {
    id: Option<String>,
    title: Option<String>,
    url: Option<String>,
    published: Option<String>,
    language: Option<String>,
    text: String,
}

fn document(source: &str, record: u32, format: SourceFormat, r: Record) -> Document {
    let published_at = r.published.as_deref().and_then(parse_published);
    Document {
        doc_id: doc_id(source, record),
        source: source.to_owned(),
        source_format: format,
        source_record: record,
        source_id: r.id,
        title: r.title,
        url: r.url,
        published_at,
        published_raw: r.published,
        language: r.language,
        n_chars: u32::try_from(r.text.chars().count()).unwrap_or(u32::MAX),
        n_words: u32::try_from(r.text.split_whitespace().count()).unwrap_or(u32::MAX),
        n_sentences: None,
        content_hash: hash_hex(r.text.as_bytes()),
        raw_text: r.text.clone(),
        text: r.text,
    }
}

fn checked_text(text: &str, config: &IngestConfig) -> Result<(), (RejectReason, String)> {
    if text.trim().is_empty() {
        return Err((RejectReason::Empty, "the text is empty or only whitespace".into()));
    }
    if text.len() > config.max_text_bytes {
        return Err((
            RejectReason::TooLarge,
            format!(
                "the text is {} bytes, over max_text_bytes = {}",
                text.len(),
                config.max_text_bytes
            ),
        ));
    }
    Ok(())
}

fn first_line_title(text: &str, markdown: bool) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = if markdown { line.trim_start_matches('#').trim() } else { line };
    (!line.is_empty()).then(|| line.to_owned())
}

fn ingest_jsonl(source: &str, text: &str, config: &IngestConfig, out: &mut Ingested) {
    let mut any = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        any = true;
        let record = u32::try_from(index).unwrap_or(u32::MAX);
        let line_no = index + 1;
        let parsed =
            parse_json_record(line).and_then(|r| checked_text(&r.text, config).map(|()| r));
        match parsed {
            Ok(r) => out.documents.push(document(source, record, SourceFormat::Jsonl, r)),
            Err((reason, detail)) => {
                out.rejects.push(reject(
                    source,
                    record,
                    reason,
                    format!("line {line_no}: {detail}"),
                ));
            }
        }
    }
    if !any {
        out.rejects.push(reject(source, 0, RejectReason::Empty, "the file has no records"));
    }
}

fn parse_json_record(line: &str) -> Result<Record, (RejectReason, String)> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| (RejectReason::MalformedJson, format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(mut map) = value else {
        return Err((RejectReason::MalformedJson, "the line is JSON but not an object".into()));
    };
    let text = match map.remove("text") {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => {
            return Err((
                RejectReason::MissingText,
                format!("the \"text\" field is {}, not a string", json_kind(&other)),
            ));
        }
        None => return Err((RejectReason::MissingText, "no \"text\" field".into())),
    };
    let field = |name: &str| match map.get(name) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(Record {
        id: field("id"),
        title: field("title").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        url: field("url").filter(|u| !u.trim().is_empty()),
        published: field("published").filter(|p| !p.trim().is_empty()),
        language: field("language").filter(|l| !l.trim().is_empty()),
        text,
    })
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
