//! Big multi-record files a chunk at a time. [`scan`] cuts a file (JSON Lines, CSV, TSV,
//! WARC, plain or compressed) into chunks of whole records while streaming it, so no more than
//! a chunk and one record are in memory; [`ChunkReader`] reads the chunks back in order and
//! [`ingest_chunk`] parses one into exactly the rows [`crate::ingest_file`] gives for its
//! records when it parses the whole file.
//!
//! Chunks are content-defined: a record ends its chunk with probability `size /
//! chunk_bytes`, decided by a hash of the record's bytes (and always at twice `chunk_bytes`:
//! a batch's memory at its peak is many times its input, so this cap is what bounds a run's
//! memory on one big file), so the same file always gives the same chunks and appending
//! records to it changes only its last chunk. Nothing a record becomes depends on the cut: the file's
//! encoding is chosen from its first MiB, each record's text is judged on its own, and a CSV
//! file's header row is handed to every chunk.

use std::io::{BufRead, BufReader, Read};

use entente_schema::{RejectReason, SourceFormat};
use serde::{Deserialize, Serialize};

use crate::compression::Compression;
use crate::encoding::{self, SAMPLE_BYTES};
use crate::records::oversized_detail;
use crate::{FileCtx, IngestConfig, Ingested, warc};

/// How many bytes a read from the stream adds at most.
const READ_BYTES: usize = 1 << 20;

/// Where some text sits in its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// `source_record` of its first record (JSON Lines: its first line).
    pub first_index: u32,
    /// Records before it in the file (documents, rejects and skipped WARC records).
    pub records_before: u32,
    /// Lines before it in the file.
    pub lines_before: u64,
    /// Whether it ends the file.
    pub last: bool,
}

impl Position {
    /// A whole file.
    pub(crate) fn whole() -> Self {
        Self { last: true, ..Self::default() }
    }

    /// Whether this text ends its file and no record came before it: a file with no
    /// records, if this text has none either.
    pub(crate) fn no_records_before(&self) -> bool {
        self.last && self.records_before == 0
    }
}

/// One chunk of a file: a run of whole records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// Where it starts in the decompressed file.
    pub offset: u64,
    /// Its length in decompressed bytes.
    pub len: u64,
    /// XXH3-64 of its bytes, hex.
    pub hash: String,
    /// Where it sits in the file.
    pub pos: Position,
    /// A record over [`crate::max_record_bytes`] is a chunk of its own that is never read:
    /// these are its rejects (`source_record`, reason, detail).
    pub rejects: Vec<(u32, RejectReason, String)>,
}

/// A file cut into chunks by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePlan {
    /// Its format.
    pub format: SourceFormat,
    /// JSON Lines, CSV, TSV: the encoding chosen from the file's first MiB.
    pub encoding: Option<String>,
    /// The length of the byte-order mark the file starts with.
    pub bom: u8,
    /// CSV, TSV: the header row's bytes with its line break, given to every chunk after the
    /// first.
    pub header: Vec<u8>,
    /// The chunks, in order.
    pub chunks: Vec<Chunk>,
    /// How the compressed stream broke off, if it did: the last chunk's damage.
    pub damage: Option<(RejectReason, String)>,
}

/// Cuts the file `source` (its bytes from `file`) into chunks of about `chunk_bytes`. `None`
/// when it is read whole: it is not a multi-record file, fits in one chunk, or is something
/// the whole-file reader rejects (a wrong name, a binary or UTF-16 file, a bad start).
pub fn scan(
    source: &str,
    file: impl Read,
    config: &IngestConfig,
    chunk_bytes: u64,
) -> std::io::Result<Option<FilePlan>> {
    let Some(mut stream) = Stream::open(source, file)? else { return Ok(None) };
    stream.fill(SAMPLE_BYTES);
    if stream.damage.is_some() && stream.buf.len() < SAMPLE_BYTES {
        return Ok(None);
    }
    let head = &stream.buf[..stream.buf.len().min(SAMPLE_BYTES)];
    // A big stream the whole-file reader would reject is rejected here, without reading it.
    let big = !stream.eof;
    if let Some(what) = crate::binary_signature(head) {
        let detail = format!("the file is {what}");
        return Ok(big.then(|| refused(SourceFormat::Txt, RejectReason::Binary, detail)));
    }
    let Some(format) = crate::format_of(source, &config.formats).or_else(|| crate::sniff(head))
    else {
        let detail = crate::UNSUPPORTED.to_owned();
        return Ok(big.then(|| refused(SourceFormat::Txt, RejectReason::UnsupportedFormat, detail)));
    };
    let utf16 = head.starts_with(b"\xff\xfe")
        || head.starts_with(b"\xfe\xff")
        || encoding::utf16_without_bom(head).is_some();
    if !crate::multi_record(format) || utf16 {
        return Ok(None);
    }
    if format != SourceFormat::Warc && head.contains(&0) {
        let detail = "the file contains NUL bytes".to_owned();
        return Ok(big.then(|| refused(format, RejectReason::Binary, detail)));
    }
    let mut plan = FilePlan {
        format,
        encoding: None,
        bom: 0,
        header: Vec::new(),
        chunks: Vec::new(),
        damage: None,
    };
    let mut cutter = Cutter::new(chunk_bytes, config);
    if format == SourceFormat::Warc {
        let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
        if !head[start..].starts_with(b"WARC/") {
            return Ok(None);
        }
    } else {
        let (encoding, bom) = encoding::choose(head, stream.buf.len() > SAMPLE_BYTES);
        plan.encoding = Some(encoding.name().to_owned());
        plan.bom = u8::try_from(bom).unwrap_or(0);
        if matches!(format, SourceFormat::Csv | SourceFormat::Tsv) {
            // The header row: the first record; the whole-file reader judges a bad one.
            let Some(end) = stream.record_end(format, bom, &mut cutter) else {
                return Ok(None);
            };
            plan.header = stream.buf[bom..end].to_vec();
            let header = encoding::decode_lossy(encoding, &plan.header);
            if !good_header(&header, format) {
                return Ok(None);
            }
            cutter.lines = newlines(&plan.header);
        }
    }
    stream.cut(&mut plan, &mut cutter, config);
    plan.damage = stream.damage.take();
    Ok((plan.chunks.len() > 1).then_some(plan))
}

/// A file rejected whole: one chunk of one reject, never read.
fn refused(format: SourceFormat, reason: RejectReason, detail: String) -> FilePlan {
    let key = format!("{reason:?} {detail}");
    FilePlan {
        format,
        encoding: None,
        bom: 0,
        header: Vec::new(),
        chunks: vec![Chunk {
            offset: 0,
            len: 0,
            hash: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes())),
            pos: Position::whole(),
            rejects: vec![(0, reason, detail)],
        }],
        damage: None,
    }
}

/// Whether the CSV/TSV header row parses with at least one named field, as the whole-file
/// reader requires.
fn good_header(header: &str, format: SourceFormat) -> bool {
    let tsv = format == SourceFormat::Tsv;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .quoting(!tsv)
        .flexible(true)
        .has_headers(true)
        .from_reader(header.as_bytes());
    reader.headers().is_ok_and(|h| h.iter().any(|f| !f.trim().is_empty()))
}

/// The decompressed stream of a file, read into a buffer that holds the current chunk.
struct Stream<'a> {
    reader: Box<dyn Read + 'a>,
    /// The bytes from `offset` on that are not yet in a chunk.
    buf: Vec<u8>,
    /// Where `buf` starts in the decompressed file.
    offset: u64,
    eof: bool,
    damage: Option<(RejectReason, String)>,
    compression: Option<Compression>,
}

impl<'a> Stream<'a> {
    /// The decompressed stream of `file`; `None` when its name says it is compressed and its
    /// content is not (the whole-file reader rejects it).
    fn open(source: &str, file: impl Read + 'a) -> std::io::Result<Option<Self>> {
        let mut file = BufReader::with_capacity(64 * 1024, file);
        let head = file.fill_buf()?;
        let compression = Compression::sniff(head);
        let named = crate::extensions(source).first().and_then(|e| Compression::from_extension(e));
        if compression.is_none() && named.is_some() {
            return Ok(None);
        }
        let reader = match compression {
            Some(format) => crate::compression::reader(format, file)?,
            None => Box::new(file),
        };
        Ok(Some(Self { reader, buf: Vec::new(), offset: 0, eof: false, damage: None, compression }))
    }

    /// Reads until `buf` holds `want` bytes or the stream ends.
    fn fill(&mut self, want: usize) {
        while !self.eof && self.buf.len() < want {
            let n = (want - self.buf.len()).min(READ_BYTES);
            self.read_more(n);
        }
    }

    /// Appends up to `n` bytes; at the end of the stream (or where it breaks) sets `eof`.
    fn read_more(&mut self, n: usize) {
        let len = self.buf.len();
        self.buf.resize(len + n, 0);
        let got = loop {
            match self.reader.read(&mut self.buf[len..]) {
                Ok(got) => break got,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let at = self.offset + len as u64;
                    self.damage = Some(crate::compression::damage(self.compression, &e, at));
                    break 0;
                }
            }
        };
        self.buf.truncate(len + got);
        if got == 0 {
            self.eof = true;
        }
    }

    /// The end (in `buf`) of the record of `format` that starts at `from`, reading as needed;
    /// `None` when it is longer than `cutter.cap` or the file ends inside it.
    fn record_end(
        &mut self,
        format: SourceFormat,
        from: usize,
        cutter: &mut Cutter,
    ) -> Option<usize> {
        let mut quotes = Quotes::default();
        let mut at = from;
        loop {
            let found = match format {
                SourceFormat::Csv => quotes.record_end(&self.buf, at),
                _ => self.buf[at..].iter().position(|&b| b == b'\n').map(|i| at + i + 1),
            };
            if let Some(end) = found {
                return Some(end);
            }
            at = self.buf.len();
            if self.eof || at - from > cutter.cap {
                return None;
            }
            self.read_more(READ_BYTES);
        }
    }

    /// Cuts the rest of the stream into chunks.
    fn cut(&mut self, plan: &mut FilePlan, cutter: &mut Cutter, config: &IngestConfig) {
        // `start`: the current chunk's first byte in `buf`; `at`: the next record's;
        // `resume`: where the search for that record's end goes on.
        let mut start = 0;
        let mut at = usize::from(plan.bom) + plan.header.len();
        let mut resume = at;
        let mut quotes = Quotes::default();
        let mut capped = false;
        loop {
            if at == self.buf.len() && !self.eof {
                self.read_more(READ_BYTES);
                continue;
            }
            if at == self.buf.len() {
                cutter.cut(self, plan, start, at, true);
                return;
            }
            let step = match plan.format {
                SourceFormat::Warc => match warc::span(&self.buf, at, self.eof, cutter.cap) {
                    warc::Span::Need => Step::Need,
                    warc::Span::Record { end, numbers } => Step::Record { end, numbers, lines: 0 },
                    warc::Span::Oversized { body_end } => Step::Oversized { end: body_end },
                },
                SourceFormat::Csv => match quotes.record_end(&self.buf, resume) {
                    Some(end) => self.line_step(at, end, true),
                    None => self.need_or_end(at),
                },
                _ => match self.buf[resume..].iter().position(|&b| b == b'\n') {
                    Some(i) => self.line_step(at, resume + i + 1, plan.format == SourceFormat::Tsv),
                    None => self.need_or_end(at),
                },
            };
            match step {
                Step::Need if self.buf.len() - at > cutter.cap => {
                    // A record over the limit: a chunk of its own, dropped as it streams by.
                    let (index, detail, from) = self.oversized(cutter, plan, start, at, config);
                    if plan.format == SourceFormat::Warc {
                        // Its header block alone is over the limit: the rest is not read.
                        let n = self.buf.len();
                        self.discard_until(n);
                        while !self.eof {
                            self.read_more(READ_BYTES);
                            let n = self.buf.len();
                            self.discard_until(n);
                        }
                        let rejects = vec![(index, RejectReason::TooLarge, detail)];
                        cutter.oversized(plan, from, self.offset, rejects, 1, 0);
                        Cutter::finish_last(plan);
                        return;
                    }
                    let lines = self.skip_record(plan.format, &mut Quotes::default());
                    quotes = Quotes::default();
                    let rejects = vec![(index, RejectReason::TooLarge, detail)];
                    cutter.oversized(plan, from, self.offset, rejects, 1, lines);
                    (start, at, resume) = (0, 0, 0);
                    if self.at_end() {
                        Cutter::finish_last(plan);
                        return;
                    }
                }
                Step::Need => {
                    resume = self.buf.len();
                    self.read_more(READ_BYTES);
                }
                Step::Oversized { end } => {
                    let (index, detail, from) = self.oversized(cutter, plan, start, at, config);
                    self.discard_until(end - at);
                    self.warc_tail_after_skip(cutter, plan, from, index, detail);
                    (start, at, resume) = (0, 0, 0);
                    if self.at_end() {
                        Cutter::finish_last(plan);
                        return;
                    }
                }
                Step::Record { end, numbers, lines } => {
                    cutter.add(&self.buf[at..end], numbers, lines, plan.format);
                    at = end;
                    resume = end;
                    if capped {
                        // The record after the cap: the chunk that says where reading stopped.
                        cutter.cut(self, plan, start, at, true);
                        return;
                    }
                    capped = cutter.records >= config.max_records_per_file;
                    // CSV labels a row with the line after the row before it, blank lines
                    // between them included: a chunk never starts after a blank line.
                    let blank_row = numbers == 0 && plan.format != SourceFormat::Jsonl;
                    if capped || (!blank_row && cutter.ends(&self.buf[..at], start)) {
                        let last = self.eof && at == self.buf.len() && !capped;
                        cutter.cut(self, plan, start, at, last);
                        if last {
                            return;
                        }
                        (start, at, resume) = (0, 0, 0);
                    }
                }
            }
        }
    }

    /// Ends the chunk before the record at `at`, which is over the limit: its record number,
    /// its reject's detail and where it starts in the decompressed file.
    fn oversized(
        &mut self,
        cutter: &mut Cutter,
        plan: &mut FilePlan,
        start: usize,
        at: usize,
        config: &IngestConfig,
    ) -> (u32, String, u64) {
        cutter.cut(self, plan, start, at, false);
        let (index, label) = cutter.label(plan.format);
        (index, oversized_detail(&label, config), self.offset)
    }

    /// Whether the stream has no bytes left.
    fn at_end(&mut self) -> bool {
        if self.buf.is_empty() {
            self.fill(1);
        }
        self.buf.is_empty()
    }

    /// A line-based record from `at` to `end`: one record number unless it is blank (JSON
    /// Lines skips blank lines; CSV and TSV skip empty ones).
    fn line_step(&self, at: usize, end: usize, delimited: bool) -> Step {
        let line = &self.buf[at..end];
        let lines = newlines(line);
        let blank = if delimited {
            line.iter().all(|&b| b == b'\n' || b == b'\r')
        } else {
            line.iter().all(u8::is_ascii_whitespace)
                || (!line.is_ascii() && String::from_utf8_lossy(line).trim().is_empty())
        };
        Step::Record { end, numbers: u32::from(!blank), lines }
    }

    /// The last record when the stream ends without a line break, else more bytes.
    fn need_or_end(&self, at: usize) -> Step {
        if self.eof {
            let line = &self.buf[at..];
            let blank = line.iter().all(u8::is_ascii_whitespace);
            Step::Record { end: self.buf.len(), numbers: u32::from(!blank), lines: 0 }
        } else {
            Step::Need
        }
    }

    /// Drops `buf` up to `end` (which may lie beyond it: those bytes are read and dropped).
    fn discard_until(&mut self, end: usize) {
        let mut left = end;
        loop {
            let n = left.min(self.buf.len());
            self.buf.drain(..n);
            self.offset += n as u64;
            left -= n;
            if left == 0 || self.eof {
                return;
            }
            self.read_more(READ_BYTES);
        }
    }

    /// Reads past the record of `format` at the start of `buf` (over the limit), dropping
    /// its bytes; returns how many lines it had.
    fn skip_record(&mut self, format: SourceFormat, quotes: &mut Quotes) -> u64 {
        let mut lines = 0;
        loop {
            let found = match format {
                SourceFormat::Csv => quotes.record_end(&self.buf, 0),
                _ => self.buf.iter().position(|&b| b == b'\n').map(|i| i + 1),
            };
            let n = found.unwrap_or(self.buf.len());
            lines += newlines(&self.buf[..n]);
            self.discard_until(n);
            if found.is_some() || self.eof {
                return lines;
            }
            self.read_more(READ_BYTES);
        }
    }

    /// After a WARC record over the limit: the white space and bytes that are not a record
    /// up to the next one belong to it (a second reject when there are such bytes).
    fn warc_tail_after_skip(
        &mut self,
        cutter: &mut Cutter,
        plan: &mut FilePlan,
        from: u64,
        index: u32,
        detail: String,
    ) {
        let body_end = self.offset;
        loop {
            if let Some((end, garbage)) = warc::tail(&self.buf, 0, self.eof) {
                let numbers = 1 + u32::from(garbage);
                let mut rejects = vec![(index, RejectReason::TooLarge, detail)];
                if garbage {
                    let ws = self.buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let bytes = self.offset - body_end - ws as u64;
                    rejects.push((
                        index + 1,
                        RejectReason::Corrupt,
                        format!("{bytes} bytes after record {index} are not a WARC record"),
                    ));
                }
                cutter.oversized(plan, from, self.offset + end as u64, rejects, numbers, 0);
                self.discard_until(end);
                return;
            }
            if self.buf.len() > cutter.cap {
                // Bytes that are not a record, on and on: the rest is not read.
                let n = self.buf.len();
                self.discard_until(n);
                if self.eof {
                    continue;
                }
            }
            self.read_more(READ_BYTES);
        }
    }
}

/// What the next record is.
enum Step {
    /// More bytes are needed.
    Need,
    /// A record ending at `end` that takes `numbers` record numbers and `lines` lines.
    Record { end: usize, numbers: u32, lines: u64 },
    /// A WARC record over the limit whose body ends at `end`.
    Oversized { end: usize },
}

/// Where a CSV record ends, reading quotes as the `csv` crate does: a quote opens a quoted
/// field only at the start of a field, `""` inside one is a quote, and a line break ends the
/// record only outside quotes.
#[derive(Debug, Default)]
struct Quotes {
    state: QuoteState,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl Quotes {
    /// The end (after its line break) of the record whose bytes from `from` on are in `buf`,
    /// carrying the state over calls; `None` when `buf` ends first.
    fn record_end(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        use QuoteState::{FieldStart, QuoteInQuoted, Quoted, Unquoted};
        for (i, &b) in buf.iter().enumerate().skip(from) {
            self.state = match (self.state, b) {
                (Quoted, b'"') => QuoteInQuoted,
                (FieldStart | QuoteInQuoted, b'"') | (Quoted, _) => Quoted,
                (_, b'\n') => {
                    self.state = FieldStart;
                    return Some(i + 1);
                }
                (_, b',') => FieldStart,
                (_, _) => Unquoted,
            };
        }
        None
    }
}

/// Line breaks in `bytes`.
#[allow(clippy::naive_bytecount, reason = "once per record: not worth a dependency")]
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Decides where chunks end and counts records and lines on the way.
struct Cutter {
    chunk_bytes: u64,
    cap: usize,
    /// Record numbers, records and lines before the next record.
    index: u32,
    records: u32,
    lines: u64,
    /// The same at the start of the current chunk.
    chunk_index: u32,
    chunk_records: u32,
    chunk_lines: u64,
    /// The hash and size of the last record added.
    last: (u64, u64),
}

impl Cutter {
    fn new(chunk_bytes: u64, config: &IngestConfig) -> Self {
        Self {
            chunk_bytes: chunk_bytes.max(1),
            cap: crate::max_record_bytes(config),
            index: 0,
            records: 0,
            lines: 0,
            chunk_index: 0,
            chunk_records: 0,
            chunk_lines: 0,
            last: (0, 0),
        }
    }

    /// Counts one record (`bytes`) that takes `numbers` record numbers.
    fn add(&mut self, bytes: &[u8], numbers: u32, lines: u64, format: SourceFormat) {
        let step = match format {
            // A JSON line's number is its line's, blank or not.
            SourceFormat::Jsonl => 1,
            _ => numbers,
        };
        self.index = self.index.saturating_add(step);
        self.records = self.records.saturating_add(numbers);
        self.lines += lines;
        self.last = (xxhash_rust::xxh3::xxh3_64(bytes), bytes.len() as u64);
    }

    /// Whether the chunk `buf[start..]` ends after the last record added: with probability
    /// record size / `chunk_bytes`, or at twice `chunk_bytes`.
    fn ends(&self, buf: &[u8], start: usize) -> bool {
        let (hash, size) = self.last;
        let len = (buf.len() - start) as u64;
        u128::from(hash) * u128::from(self.chunk_bytes) < u128::from(size) << 64
            || len >= self.chunk_bytes.saturating_mul(2)
    }

    /// The record number and reject label of the next record.
    fn label(&self, format: SourceFormat) -> (u32, String) {
        let label = match format {
            SourceFormat::Warc => format!("record {}", self.index),
            SourceFormat::Jsonl => format!("line {}", u64::from(self.index) + 1),
            _ => format!("line {}", self.lines + 1),
        };
        (self.index, label)
    }

    /// Ends the chunk `stream.buf[start..end]` (nothing when it is empty and not `last`).
    fn cut(
        &mut self,
        stream: &mut Stream<'_>,
        plan: &mut FilePlan,
        start: usize,
        end: usize,
        last: bool,
    ) {
        if end > start {
            let bytes = &stream.buf[start..end];
            plan.chunks.push(Chunk {
                offset: stream.offset + start as u64,
                len: bytes.len() as u64,
                hash: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes)),
                pos: self.pos(last),
                rejects: Vec::new(),
            });
            self.begin();
        } else if last {
            Self::finish_last(plan);
        }
        stream.buf.drain(..end);
        stream.offset += end as u64;
    }

    /// Marks the last chunk as the file's end.
    fn finish_last(plan: &mut FilePlan) {
        if let Some(chunk) = plan.chunks.last_mut() {
            chunk.pos.last = true;
        }
    }

    fn pos(&self, last: bool) -> Position {
        Position {
            first_index: self.chunk_index,
            records_before: self.chunk_records,
            lines_before: self.chunk_lines,
            last,
        }
    }

    fn begin(&mut self) {
        self.chunk_index = self.index;
        self.chunk_records = self.records;
        self.chunk_lines = self.lines;
    }

    /// A record over the limit (and what belongs to it) from `from` to `to` in the
    /// decompressed file: a chunk of its `rejects` alone, taking `numbers` record numbers and
    /// `lines` lines.
    fn oversized(
        &mut self,
        plan: &mut FilePlan,
        from: u64,
        to: u64,
        rejects: Vec<(u32, RejectReason, String)>,
        numbers: u32,
        lines: u64,
    ) {
        let key = format!("{from} {to} {rejects:?}");
        plan.chunks.push(Chunk {
            offset: from,
            len: to - from,
            hash: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes())),
            pos: self.pos(false),
            rejects,
        });
        self.index = self.index.saturating_add(numbers);
        self.records = self.records.saturating_add(numbers);
        self.lines += lines;
        self.begin();
    }
}

/// Reads the chunks of one file back, in order, from its bytes.
pub struct ChunkReader<'a> {
    stream: Stream<'a>,
}

impl<'a> ChunkReader<'a> {
    /// Starts reading `file` (the file `source`) from its beginning.
    pub fn new(source: &str, file: impl Read + 'a) -> std::io::Result<Self> {
        let stream = Stream::open(source, file)?.ok_or_else(|| {
            std::io::Error::other(format!("{source}: the name says compressed, the content not"))
        })?;
        Ok(Self { stream })
    }

    /// The decompressed bytes of `chunk`, which must not start before the end of the chunk
    /// read last: the bytes between are read and dropped. A chunk of rejects only is empty.
    pub fn read(&mut self, chunk: &Chunk) -> std::io::Result<Vec<u8>> {
        let s = &mut self.stream;
        if chunk.offset < s.offset {
            return Err(std::io::Error::other("chunks must be read in order"));
        }
        let skip = usize::try_from(chunk.offset - s.offset).unwrap_or(usize::MAX);
        s.discard_until(skip);
        let len = usize::try_from(chunk.len).unwrap_or(usize::MAX);
        if !chunk.rejects.is_empty() {
            s.discard_until(len);
            return Ok(Vec::new());
        }
        s.fill(len);
        let n = len.min(s.buf.len());
        let bytes: Vec<u8> = s.buf.drain(..n).collect();
        s.offset += n as u64;
        Ok(bytes)
    }
}

/// The rows of one chunk of a file (`bytes`, as [`ChunkReader::read`] gives them): those
/// [`crate::ingest_file`] gives for the chunk's records when it reads the whole file.
pub fn ingest_chunk(
    source: &str,
    plan: &FilePlan,
    chunk: &Chunk,
    bytes: &[u8],
    config: &IngestConfig,
) -> Ingested {
    let mut ctx = FileCtx::new(source, config, chunk.pos.clone());
    if !chunk.rejects.is_empty() {
        for (record, reason, detail) in &chunk.rejects {
            ctx.reject(*record, *reason, detail.clone());
        }
        return ctx.out;
    }
    if chunk.pos.last {
        ctx.damage.clone_from(&plan.damage);
    }
    if plan.format == SourceFormat::Warc {
        warc::warc(&mut ctx, bytes);
        return ctx.out;
    }
    let encoding = plan
        .encoding
        .as_deref()
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    ctx.encoding = Some(encoding);
    ctx.per_record = true;
    let first = chunk.offset == 0;
    let body = if first { bytes.get(usize::from(plan.bom)..).unwrap_or_default() } else { bytes };
    let text = encoding::decode_lossy(encoding, body);
    match plan.format {
        SourceFormat::Jsonl => crate::records::jsonl(&mut ctx, &text),
        format => {
            let header = (!first).then(|| encoding::decode_lossy(encoding, &plan.header));
            crate::records::delimited(&mut ctx, &text, format, header.as_deref());
        }
    }
    ctx.out
}
