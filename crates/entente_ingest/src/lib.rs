//! Ingest: raw article bytes to [`Document`] rows, plus a [`Reject`] for every record that
//! cannot become one.
//!
//! The core is pure: the runner (in `entente_cli`) lists and reads the files and hands each
//! one in as `(source, bytes)`, where `source` is the path relative to the input root.
//!
//! A file goes through three steps:
//!
//! 1. **Decompression.** gzip (multi-member), zstd and bzip2 are undone, found by their magic
//!    bytes (`.gz`, `.zst`, `.bz2` name them). Output over `max_file_bytes` is a reject; a
//!    stream that breaks off keeps the records decoded before the break.
//! 2. **Format**, from the extension under any compression extension, or a pipeline's
//!    `[ingest.formats]` override, or else sniffed from the content (WARC, HTML, JSON Lines):
//!
//!    | format | extensions | records | title | other columns |
//!    |---|---|---|---|---|
//!    | txt | `.txt`, `.text` | one per file | first non-empty line | — |
//!    | md | `.md`, `.markdown` | one per file | first heading, else first line | syntax stripped |
//!    | jsonl | `.jsonl`, `.ndjson` | one per line | mapped field | [`FieldMap`] |
//!    | csv, tsv | `.csv`, `.tsv`, `.tab` | one per data row | mapped field | [`FieldMap`] |
//!    | html | `.html`, `.htm`, `.xhtml` | one per file | page metadata | article text, author, site, date, URL, language |
//!    | warc | `.warc` | one per HTML response | page metadata | URL and date from the WARC headers |
//!
//! 3. **Decoding**: byte-order mark, declared charset (HTTP header, `<meta>`), valid UTF-8, or
//!    the detected legacy encoding; the encoding used is the `encoding` column.
//!
//! A record's title opens its text, then a blank line, unless the text already opens with it
//! ([`IngestConfig::headline`]): every format's headline is analysed, as a text file's first
//! line is.
//!
//! Every record becomes a document or a reject: `documents + rejects = records seen`. The
//! only records that become neither are WARC records that are not HTML responses (requests,
//! metadata, images, redirects); they are counted in [`Ingested::skipped`].
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
pub use crate::records::FieldMap;
pub use crate::stream::{Chunk, ChunkReader, FilePlan, Position, ingest_chunk, scan};

mod compression;
mod dates;
mod encoding;
pub mod eval;
mod html;
mod records;
mod stream;
mod text;
mod warc;

use std::collections::BTreeMap;

use entente_schema::{Document, Reject, RejectReason, SourceFormat, doc_id, hash_hex};
use serde::{Deserialize, Serialize};

use crate::compression::Compression;
use crate::encoding::Decoded;

/// The stage name written in `rejects.stage`.
pub const STAGE: entente_schema::Stage = entente_schema::Stage::Ingest;

/// Options of the ingest stage (`[ingest]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Records whose text is longer than this many bytes are rejected, so one huge record
    /// cannot exhaust memory downstream. Offsets are `u32`, so the cap is below 4 GiB.
    pub max_text_bytes: usize,
    /// A file read whole (a single document: text, Markdown, HTML; or a small multi-record
    /// file) larger than this many bytes, or a compressed one that decompresses to more, is
    /// rejected. A single document is one record, so it is also held to 8 ×
    /// `max_text_bytes`. Big JSON Lines, CSV, TSV and WARC files are read a chunk of records
    /// at a time and have no size limit; each record is held to 8 × `max_text_bytes`.
    pub max_file_bytes: usize,
    /// A file's records after this many (JSONL lines, CSV rows, WARC responses) are not read:
    /// one reject row says where reading stopped.
    pub max_records_per_file: u32,
    /// Formats by file extension (without the dot, lower case), overriding the built-in
    /// mapping and content sniffing: `{ xml = "html", log = "txt" }`.
    pub formats: BTreeMap<String, SourceFormat>,
    /// Which JSONL/CSV fields fill which columns.
    pub fields: FieldMap,
    /// Whether a record's headline opens its text: when the title (a JSONL or CSV title
    /// field, a page's headline) is not already the text's first line, the text becomes the
    /// title, a blank line and the body, so the headline is analysed as a text file's first
    /// line is. `false` keeps the body alone.
    pub headline: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            max_text_bytes: 8 * 1024 * 1024,
            max_file_bytes: 1024 * 1024 * 1024,
            max_records_per_file: 1_000_000,
            formats: BTreeMap::new(),
            fields: FieldMap::default(),
            headline: true,
        }
    }
}

/// What ingest made of some input: documents and rejects, each sorted by source and record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ingested {
    /// One row per record that has text.
    pub documents: Vec<Document>,
    /// One row per record (or file) that does not.
    pub rejects: Vec<Reject>,
    /// Records that are deliberately not documents (WARC requests, metadata, non-HTML
    /// responses), counted by kind.
    pub skipped: BTreeMap<String, u64>,
}

impl Ingested {
    /// Adds `other`'s rows to this one's.
    pub fn extend(&mut self, other: Ingested) {
        self.documents.extend(other.documents);
        self.rejects.extend(other.rejects);
        for (kind, n) in other.skipped {
            *self.skipped.entry(kind).or_default() += n;
        }
    }

    /// Sorts both tables by source and record, so the output never depends on the order in
    /// which files were read.
    pub fn sort(&mut self) {
        self.documents
            .sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
        self.rejects
            .sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
    }

    /// Records seen that were meant to be documents: `documents + rejects`.
    pub fn records_seen(&self) -> usize {
        self.documents.len() + self.rejects.len()
    }
}

/// The format of a file name's extension, if it is one entente reads.
fn format_of_extension(ext: &str) -> Option<SourceFormat> {
    match ext {
        "txt" | "text" => Some(SourceFormat::Txt),
        "md" | "markdown" => Some(SourceFormat::Md),
        "jsonl" | "ndjson" => Some(SourceFormat::Jsonl),
        "csv" => Some(SourceFormat::Csv),
        "tsv" | "tab" => Some(SourceFormat::Tsv),
        "html" | "htm" | "xhtml" | "shtml" => Some(SourceFormat::Html),
        "warc" => Some(SourceFormat::Warc),
        _ => None,
    }
}

/// The lower-cased extensions of a file name, last first (`a.Warc.GZ` gives `gz`, `warc`).
fn extensions(source: &str) -> Vec<String> {
    let name = source.rsplit('/').next().unwrap_or(source);
    let mut exts: Vec<String> = name.split('.').skip(1).map(str::to_ascii_lowercase).collect();
    exts.reverse();
    exts
}

/// The format entente reads a file as, from its extension (under any compression
/// extension), `overrides` first; `None` when the name does not say.
pub fn format_of(source: &str, overrides: &BTreeMap<String, SourceFormat>) -> Option<SourceFormat> {
    let exts = extensions(source);
    let ext = exts.iter().find(|e| Compression::from_extension(e).is_none())?;
    overrides.get(ext.as_str()).copied().or_else(|| format_of_extension(ext))
}

/// The format of content whose name does not say: WARC, HTML or JSON Lines.
fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let head = head[start..].to_ascii_lowercase();
    if head.starts_with(b"warc/1.") {
        Some(SourceFormat::Warc)
    } else if head.starts_with(b"<!doctype html")
        || head.windows(5).any(|w| w == b"<html")
        || head.windows(5).any(|w| w == b"<body")
    {
        Some(SourceFormat::Html)
    } else if head.starts_with(b"{") {
        Some(SourceFormat::Jsonl)
    } else {
        None
    }
}

/// Why a file of no format entente reads is rejected.
const UNSUPPORTED: &str = "not a format entente reads (txt, md, jsonl, csv, tsv, html, warc, \
                           optionally .gz/.zst/.bz2); map the extension in [ingest.formats]";

/// A known binary file signature (images, PDF, archives, executables).
fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF file"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x7fELF", "an executable"),
        (b"RIFF", "a RIFF media file"),
    ];
    SIGNATURES.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, what)| *what)
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
        stage: STAGE,
        reason,
        detail: detail.into(),
    }
}

/// Parses one input file. `source` is its path relative to the input root, with `/`
/// separators; it names the file in every row and reject.
pub fn ingest_file(source: &str, bytes: &[u8], config: &IngestConfig) -> Ingested {
    let mut ctx = FileCtx::new(source, config, Position::whole());
    read_file(&mut ctx, bytes);
    ctx.out
}

/// The largest record (JSON line, CSV row, WARC record) a multi-record file may hold, in
/// bytes: eight times `max_text_bytes`, room for markup and escaping around the text. A
/// larger record is a `too_large` reject, skipped without being held in memory when the file
/// is read a chunk at a time.
pub fn max_record_bytes(config: &IngestConfig) -> usize {
    config.max_text_bytes.saturating_mul(8)
}

/// How many (decompressed) bytes the file `source` may have when it is read whole, and the
/// option that says so: `max_file_bytes`, or for a single document (by its name) the record
/// limit ([`max_record_bytes`]) when that is lower, so a decompression bomb is stopped early.
pub fn whole_file_limit(source: &str, config: &IngestConfig) -> (usize, &'static str) {
    let single = format_of(source, &config.formats).is_some_and(|f| !multi_record(f));
    let record = max_record_bytes(config);
    if single && record < config.max_file_bytes {
        (record, "8 × max_text_bytes (a single document is one record)")
    } else {
        (config.max_file_bytes, "max_file_bytes")
    }
}

/// Whether files of `format` hold many records, read a chunk at a time when large.
fn multi_record(format: SourceFormat) -> bool {
    matches!(
        format,
        SourceFormat::Jsonl | SourceFormat::Csv | SourceFormat::Tsv | SourceFormat::Warc
    )
}

fn read_file(ctx: &mut FileCtx<'_>, bytes: &[u8]) {
    let named = extensions(ctx.source).first().and_then(|e| Compression::from_extension(e));
    let decompressed;
    let bytes = match (Compression::sniff(bytes), named) {
        (Some(format), _) => {
            match compression::decompress(format, bytes, whole_file_limit(ctx.source, ctx.config)) {
                Ok(d) => {
                    ctx.damage = d.damage;
                    decompressed = d.bytes;
                    &decompressed[..]
                }
                Err((reason, detail)) => return ctx.reject(0, reason, detail),
            }
        }
        (None, Some(format)) if !bytes.is_empty() => {
            let detail = format!("the name says {} but the content is not", format.name());
            return ctx.reject(0, RejectReason::Corrupt, detail);
        }
        _ => bytes,
    };
    if let Some(what) = binary_signature(bytes) {
        return ctx.reject(0, RejectReason::Binary, format!("the file is {what}"));
    }
    let format = format_of(ctx.source, &ctx.config.formats).or_else(|| sniff(bytes));
    let Some(format) = format else {
        return ctx.reject(0, RejectReason::UnsupportedFormat, UNSUPPORTED);
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let detail =
            if bytes.is_empty() { "the file is empty" } else { "the file is only whitespace" };
        return ctx.reject(0, RejectReason::Empty, detail);
    }
    if format == SourceFormat::Warc {
        return warc::warc(ctx, bytes);
    }
    let utf16 = bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff");
    let unmarked = if utf16 { None } else { encoding::utf16_without_bom(bytes) };
    let records = matches!(format, SourceFormat::Jsonl | SourceFormat::Csv | SourceFormat::Tsv);
    // A multi-record file is judged on its first bytes, as when it is read a chunk at a time.
    let sample = if records { &bytes[..bytes.len().min(encoding::SAMPLE_BYTES)] } else { bytes };
    if !utf16 && unmarked.is_none() && sample.contains(&0) {
        return ctx.reject(0, RejectReason::Binary, "the file contains NUL bytes");
    }
    let decoded = match (unmarked, format) {
        (Some(utf16), _) => encoding::decode_as(utf16, bytes),
        (None, SourceFormat::Html) => FileCtx::decode_html(bytes, None, None),
        (None, _) if records && !utf16 => {
            let (encoding, bom) = encoding::choose(sample, sample.len() < bytes.len());
            ctx.per_record = true;
            Ok(Decoded { text: encoding::decode_lossy(encoding, &bytes[bom..]), encoding })
        }
        (None, _) => encoding::decode(bytes, None, None),
    };
    let decoded = match decoded {
        Ok(d) => d,
        Err((reason, detail)) => return ctx.reject(0, reason, detail),
    };
    ctx.encoding = Some(decoded.encoding);
    let text = decoded.text.as_str();
    match format {
        SourceFormat::Jsonl => records::jsonl(ctx, text),
        SourceFormat::Csv | SourceFormat::Tsv => records::delimited(ctx, text, format, None),
        _ => single(ctx, format, text),
    }
}

/// A one-document file: text, Markdown or a web page. A damaged stream rejects it whole.
fn single(ctx: &mut FileCtx<'_>, format: SourceFormat, text: &str) {
    if ctx.finish_partial_tail(0, text) {
        return;
    }
    let parsed = match format {
        SourceFormat::Md => {
            let (body, heading) = text::markdown(text);
            Ok(Record {
                title: heading.or_else(|| text::first_line(&body)),
                text: body,
                ..Record::default()
            })
        }
        SourceFormat::Html => html::extract(text, None).map_err(|e| (RejectReason::NoContent, e)),
        _ => {
            Ok(Record { title: text::first_line(text), text: text.to_owned(), ..Record::default() })
        }
    };
    ctx.record(0, format, parsed, "file");
}

/// The fields a record may carry besides its text.
#[derive(Debug, Default)]
pub(crate) struct Record {
    id: Option<String>,
    title: Option<String>,
    author: Option<String>,
    site_name: Option<String>,
    url: Option<String>,
    published: Option<String>,
    language: Option<String>,
    encoding: Option<&'static encoding_rs::Encoding>,
    text: String,
}

/// One file being read: where rows go, and what decompression left damaged.
pub(crate) struct FileCtx<'a> {
    source: &'a str,
    config: &'a IngestConfig,
    out: Ingested,
    /// Set when the compressed stream broke off or is corrupt part-way.
    damage: Option<(RejectReason, String)>,
    /// The encoding the whole file was decoded from (not set for WARC, whose records each
    /// have their own).
    encoding: Option<&'static encoding_rs::Encoding>,
    /// Records made so far in the file (documents, rejects and skipped WARC records).
    records: u32,
    /// Where the text being read sits in its file.
    pos: Position,
    /// Each record's text is checked for bytes that did not decode (multi-record text files),
    /// rather than the whole file's.
    per_record: bool,
}

impl<'a> FileCtx<'a> {
    fn new(source: &'a str, config: &'a IngestConfig, pos: Position) -> Self {
        FileCtx {
            source,
            config,
            out: Ingested::default(),
            damage: None,
            encoding: None,
            records: pos.records_before,
            pos,
            per_record: false,
        }
    }

    fn reject(&mut self, record: u32, reason: RejectReason, detail: impl Into<String>) {
        self.records = self.records.saturating_add(1);
        self.out.rejects.push(reject(self.source, record, reason, detail));
    }

    /// Whether the file already gave `max_records_per_file` records. The first time, record
    /// `next` becomes a reject that stands for the rest of the file, which is not read.
    fn full(&mut self, next: u32) -> bool {
        let cap = self.config.max_records_per_file;
        if self.records < cap {
            return false;
        }
        self.damage = None;
        let detail = format!(
            "this record and the rest of the file were not read: the file has more than \
             max_records_per_file = {cap} records"
        );
        self.reject(next, RejectReason::TooLarge, detail);
        true
    }

    fn skip(&mut self, kind: String) {
        self.records = self.records.saturating_add(1);
        *self.out.skipped.entry(kind).or_default() += 1;
    }

    /// A parsed record becomes a document, or a reject whose detail starts with `label`
    /// (`line 12`, `record 3 (url)`).
    fn record(
        &mut self,
        record: u32,
        format: SourceFormat,
        parsed: Result<Record, (RejectReason, String)>,
        label: &str,
    ) {
        let headline = self.config.headline;
        let checked = parsed
            .and_then(|r| checked_text(&r.text, self.config).map(|()| r))
            .map(|r| if headline { with_headline(r) } else { r })
            .and_then(|r| checked_text(&r.text, self.config).map(|()| r));
        let encoding = self.encoding.unwrap_or(encoding_rs::UTF_8);
        let checked = checked.and_then(|r| {
            let undecodable = self.per_record.then(|| encoding::undecodable(&r.text, encoding));
            match undecodable.flatten() {
                Some(detail) => Err((RejectReason::Undecodable, detail)),
                None => Ok(r),
            }
        });
        match checked {
            Ok(r) => {
                self.records = self.records.saturating_add(1);
                let document = document(self.source, record, format, r, self.encoding);
                self.out.documents.push(document);
            }
            Err((reason, detail)) => self.reject(record, reason, format!("{label}: {detail}")),
        }
    }

    /// When the stream is damaged, the text after its last line break is an incomplete
    /// record: splits it off.
    fn split_partial_tail<'t>(&self, text: &'t str) -> (&'t str, &'t str) {
        if self.damage.is_none() {
            return (text, "");
        }
        match text.rfind('\n') {
            Some(i) => text.split_at(i + 1),
            None => ("", text),
        }
    }

    /// Turns stream damage into a reject of record `next` (the incomplete one, or the first
    /// one that never arrived). Returns whether there was damage.
    fn finish_partial_tail(&mut self, next: u32, partial: &str) -> bool {
        let Some((reason, detail)) = self.damage.take() else {
            return false;
        };
        let detail = if partial.trim().is_empty() {
            format!("{detail}; records after this point are lost")
        } else {
            format!("{detail}; this record is incomplete")
        };
        self.reject(next, reason, detail);
        true
    }

    /// The stream damage, already reported by the format reader as a truncated record.
    fn damage_reported(&mut self) {
        self.damage = None;
    }

    /// Decodes a web page: BOM, then the HTTP `declared` charset, then its `<meta>` charset.
    fn decode_html(
        bytes: &[u8],
        declared: Option<&str>,
        tld: Option<&str>,
    ) -> Result<Decoded, (RejectReason, String)> {
        let meta = declared.is_none().then(|| encoding::html_meta_charset(bytes)).flatten();
        encoding::decode(bytes, declared.or(meta.as_deref()), tld)
    }
}

fn document(
    source: &str,
    record: u32,
    format: SourceFormat,
    r: Record,
    file_encoding: Option<&'static encoding_rs::Encoding>,
) -> Document {
    let published_at = r.published.as_deref().and_then(parse_published);
    let encoding = r.encoding.or(file_encoding).unwrap_or(encoding_rs::UTF_8);
    Document {
        doc_id: doc_id(source, record),
        source: source.to_owned(),
        source_format: format,
        source_record: record,
        source_id: r.id,
        title: r.title.filter(|t| !t.is_empty()),
        author: r.author.filter(|a| !a.is_empty()),
        site_name: r.site_name.filter(|s| !s.is_empty()),
        url: r.url.filter(|u| !u.is_empty()),
        published_at,
        published_raw: r.published.map(|p| p.trim().to_owned()),
        language: None,
        language_confidence: None,
        language_declared: r.language,
        extractable: None,
        encoding: encoding.name().to_owned(),
        n_chars: u32::try_from(r.text.chars().count()).unwrap_or(u32::MAX),
        n_words: u32::try_from(r.text.split_whitespace().count()).unwrap_or(u32::MAX),
        n_sentences: None,
        content_hash: hash_hex(r.text.as_bytes()),
        story_id: None,
        duplicate_of: None,
        duplicate_kind: None,
        story_similarity: None,
        raw_text: r.text.clone(),
        text: r.text,
    }
}

/// The record with its title opening its text, unless the text's first line already is the
/// title ([`entente_schema::is_headline`]).
fn with_headline(mut r: Record) -> Record {
    let Some(title) = r.title.as_deref().filter(|t| !t.trim().is_empty()) else {
        return r;
    };
    if text::first_line(&r.text).is_some_and(|first| entente_schema::is_headline(&first, title)) {
        return r;
    }
    let mut text = String::with_capacity(title.len() + 2 + r.text.len());
    text.push_str(title.trim());
    text.push_str("\n\n");
    text.push_str(&r.text);
    r.text = text;
    r
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
