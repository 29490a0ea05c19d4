//! The row types. Each field's doc comment is its column's entry in the data dictionary.

use serde::{Deserialize, Serialize};

use crate::table;

/// How an input record was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SourceFormat {
    /// A plain-text file; its first non-empty line is the title.
    Txt,
    /// A Markdown file: syntax stripped, headings kept as their own lines.
    Md,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row, one record per row.
    Csv,
    /// Tab-separated values with a header row, one record per row.
    Tsv,
    /// A web page: the main article text, boilerplate removed.
    Html,
    /// A WARC archive: one document per HTTP response with an HTML payload.
    Warc,
}

impl SourceFormat {
    /// The name used in the `source_format` column and in pipeline configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Md => "md",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Html => "html",
            Self::Warc => "warc",
        }
    }

    /// Every format, in declaration order.
    pub const ALL: [SourceFormat; 7] =
        [Self::Txt, Self::Md, Self::Jsonl, Self::Csv, Self::Tsv, Self::Html, Self::Warc];

    /// The format named `name` (as in [`SourceFormat::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// How a document copies its story's canonical member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DuplicateKind {
    /// The same normalised text, up to whitespace and line breaks.
    Exact,
    /// A similar text: estimated Jaccard similarity of word 5-grams at or over the threshold.
    Near,
}

impl DuplicateKind {
    /// The name written in the `duplicate_kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Near => "near",
        }
    }
}

/// The kind of thing an entity mention names (`OntoNotes` labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum EntityType {
    /// A person.
    Person,
    /// An organisation: companies, agencies, international organisations, alliances.
    Org,
    /// A geopolitical entity: countries, cities, states.
    Gpe,
    /// A non-GPE location: continents, regions, seas.
    Loc,
    /// A nationality, religious or political group (demonyms such as "Chinese").
    Norp,
    /// A named event.
    Event,
    /// A named law, treaty or programme.
    Law,
    /// Another named thing found by the statistical tagger (a product, a work, an event, a
    /// nationality it could not place).
    Misc,
    /// A monetary amount.
    Money,
    /// A percentage.
    Percent,
    /// A date or year.
    Date,
    /// A measurement.
    Quantity,
}

impl EntityType {
    /// Every entity type, in the order used for sorting and reports.
    pub const ALL: [EntityType; 12] = [
        Self::Person,
        Self::Org,
        Self::Gpe,
        Self::Loc,
        Self::Norp,
        Self::Event,
        Self::Law,
        Self::Misc,
        Self::Money,
        Self::Percent,
        Self::Date,
        Self::Quantity,
    ];

    /// The label written in the `entity_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "PERSON",
            Self::Org => "ORG",
            Self::Gpe => "GPE",
            Self::Loc => "LOC",
            Self::Norp => "NORP",
            Self::Event => "EVENT",
            Self::Law => "LAW",
            Self::Misc => "MISC",
            Self::Money => "MONEY",
            Self::Percent => "PERCENT",
            Self::Date => "DATE",
            Self::Quantity => "QUANTITY",
        }
    }

    /// Parses a label as written in the `entity_type` column (case-insensitive).
    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(label))
    }

    /// Whether the type names something (a node in a co-occurrence network), as opposed to a
    /// value such as an amount or a date.
    pub fn is_named(self) -> bool {
        !matches!(self, Self::Money | Self::Percent | Self::Date | Self::Quantity)
    }
}

/// How an entity mention was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// An alias from the gazetteer shipped with entente (or the user's overrides).
    Gazetteer,
    /// A pattern rule for amounts, percentages and dates.
    Rule,
    /// The statistical name tagger (a name no gazetteer lists).
    Model,
}

/// How a mention got its `entity_id` (`entities.linked_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LinkedBy {
    /// An entity of the gazetteer shipped with entente or the user's.
    Gazetteer,
    /// A shorter form of a name its document gives in full ("Volcker" after "Paul Volcker").
    ShortForm,
    /// A short form its document leaves open, resolved over the whole corpus.
    Corpus,
    /// An acronym defined in parentheses in its document.
    Acronym,
    /// The user's `[[merge]]` override.
    Override,
    /// An id made from the mention's own words.
    Own,
}

impl LinkedBy {
    /// Every way, in declaration order.
    pub const ALL: [LinkedBy; 6] =
        [Self::Gazetteer, Self::ShortForm, Self::Corpus, Self::Acronym, Self::Override, Self::Own];

    /// The name written in the `linked_by` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gazetteer => "gazetteer",
            Self::ShortForm => "short_form",
            Self::Corpus => "corpus",
            Self::Acronym => "acronym",
            Self::Override => "override",
            Self::Own => "own",
        }
    }
}

/// The unit a co-occurrence is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scope {
    /// Both entities are mentioned in the same sentence.
    Sentence,
    /// Both entities are mentioned within `k` consecutive sentences of one document
    /// (`aggregate.window_sentences`): a document of `s` sentences has `max(s - k + 1, 1)`
    /// windows (none when it has no sentences), the one starting at sentence `w` covering
    /// sentences `w` to `w + k - 1`; a pair counts once per window start.
    Window,
    /// Both entities are mentioned in the same document.
    Document,
    /// Both entities are mentioned in the same document of a story (the documents sharing a
    /// `story_id`): a story counts once however many copies of it there are.
    Story,
}

impl Scope {
    /// Every scope, in order.
    pub const ALL: [Scope; 4] = [Self::Sentence, Self::Window, Self::Document, Self::Story];

    /// The name written in the `scope` column and used in pipeline configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sentence => "sentence",
            Self::Window => "window",
            Self::Document => "document",
            Self::Story => "story",
        }
    }

    /// Parses a name as written in the `scope` column.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The length of a time bucket of `cooccurrences_by_period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// A calendar day (UTC).
    Day,
    /// An ISO week, Monday to Sunday (UTC).
    Week,
    /// A calendar month (UTC).
    Month,
}

impl Period {
    /// Every period, in order.
    pub const ALL: [Period; 3] = [Self::Day, Self::Week, Self::Month];

    /// The name written in the `period` column and used in pipeline configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The start (00:00 UTC, in microseconds since the Unix epoch) of the bucket holding the
    /// instant `micros`: the day itself, the Monday of its ISO week, the 1st of its month.
    ///
    /// ```
    /// use entente_schema::Period;
    /// let t = 1_715_860_800_000_000; // 2024-05-16 12:00 UTC, a Thursday
    /// assert_eq!(Period::Day.bucket_start(t), 1_715_817_600_000_000); // 2024-05-16
    /// assert_eq!(Period::Week.bucket_start(t), 1_715_558_400_000_000); // 2024-05-13
    /// assert_eq!(Period::Month.bucket_start(t), 1_714_521_600_000_000); // 2024-05-01
    /// ```
    pub fn bucket_start(self, micros: i64) -> i64 {
        const DAY: i64 = 86_400_000_000;
        let day = micros.div_euclid(DAY);
        let start = match self {
            Self::Day => day,
            // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
            Self::Week => day - (day + 3).rem_euclid(7),
            Self::Month => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, m, 1)
            }
        };
        start * DAY
    }
}

/// The UTC year of the instant `micros` (microseconds since the Unix epoch).
///
/// ```
/// assert_eq!(entente_schema::year_of(1_715_860_800_000_000), 2024);
/// assert_eq!(entente_schema::year_of(-1), 1969);
/// ```
pub fn year_of(micros: i64) -> i64 {
    civil_from_days(micros.div_euclid(86_400_000_000)).0
}

/// The UTC calendar date of the instant `micros` (microseconds since the Unix epoch): year,
/// month (1–12) and day (1–31).
///
/// ```
/// assert_eq!(entente_schema::civil_date(1_715_860_800_000_000), (2024, 5, 16));
/// assert_eq!(entente_schema::civil_date(-1), (1969, 12, 31));
/// ```
pub fn civil_date(micros: i64) -> (i64, u32, u32) {
    civil_from_days(micros.div_euclid(86_400_000_000))
}

/// Year, month (1–12) and day (1–31) of a day count since 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let (m, d) = (i64::from(m), i64::from(d));
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A stage of the pipeline, in pipeline order (the `stage` column of `rejects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Input files into `documents` (raw text).
    Ingest,
    /// Repaired text, boilerplate removed, languages, `sentences`, duplicate stories.
    Normalise,
    /// Entity mentions in `sentences`: `entities`.
    Extract,
    /// Co-occurrences and the entity summary.
    Aggregate,
}

impl Stage {
    /// The stage's name, as written in `rejects.stage` and the metadata keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingest => "ingest",
            Self::Normalise => "normalise",
            Self::Extract => "extract",
            Self::Aggregate => "aggregate",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a record did not become a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// The file could not be read (permissions, I/O error).
    Unreadable,
    /// The bytes cannot be decoded as text in the declared or detected encoding.
    Undecodable,
    /// The file looks like binary data (NUL bytes, or a known binary signature).
    Binary,
    /// The file or record has no text.
    Empty,
    /// A JSON line that does not parse, or that is not an object.
    MalformedJson,
    /// A JSON record whose text field is missing or not a string.
    MissingText,
    /// The file's extension is not one entente reads.
    UnsupportedFormat,
    /// The record's text, or the file once decompressed, is over the configured size limit.
    TooLarge,
    /// A CSV/TSV row whose number of fields differs from the header's, or a CSV syntax error.
    MalformedCsv,
    /// A compressed stream or WARC record that ends early; the record is incomplete.
    Truncated,
    /// Compressed data or a WARC record header that is not valid.
    Corrupt,
    /// A web page in which no article text was found.
    NoContent,
    /// Extraction took longer than the per-document time budget (`[extract]
    /// max_ms_per_document`); the document is kept, its mentions are left out.
    TimedOut,
}

impl RejectReason {
    /// The code written in the `reason` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable",
            Self::Undecodable => "undecodable",
            Self::Binary => "binary",
            Self::Empty => "empty",
            Self::MalformedJson => "malformed_json",
            Self::MissingText => "missing_text",
            Self::UnsupportedFormat => "unsupported_format",
            Self::TooLarge => "too_large",
            Self::MalformedCsv => "malformed_csv",
            Self::Truncated => "truncated",
            Self::Corrupt => "corrupt",
            Self::NoContent => "no_content",
            Self::TimedOut => "timed_out",
        }
    }
}

table! {
    /// One article: its source, metadata, raw and normalised text.
    Document => "documents",
    key = ["doc_id"],
    timestamps = ["published_at"],
    {
        /// Stable id: 16 hex digits of XXH3-64 over `source` and `source_record`, the same on
        /// every machine and run.
        doc_id: String,
        /// Path of the input file relative to the input root, with `/` separators.
        source: String,
        /// How the record was read: txt, md, jsonl, csv, tsv, html or warc.
        source_format: SourceFormat,
        /// 0-based index of the record inside a multi-record file (0 for single-document files).
        source_record: u32,
        /// The record's own id where the source has one (a JSONL/CSV `id`, a WARC-Record-ID),
        /// to join back to it.
        source_id: Option<String>,
        /// Headline: the record's title field, the page's headline metadata, or the first
        /// non-empty line of a text file. It opens `text` too (unless `[ingest] headline =
        /// false`), so its names are mentions like the body's.
        title: Option<String>,
        /// Author(s) as the source names them, several joined with `; `.
        author: Option<String>,
        /// The publication or site the article comes from (a record's `source` field, a page's
        /// publisher or `og:site_name`).
        site_name: Option<String>,
        /// The article's URL where the source gives one (a page's canonical URL, the WARC
        /// target URI).
        url: Option<String>,
        /// Publication time in UTC; null when the source gives none or it does not parse.
        published_at: Option<i64>,
        /// The publication date exactly as the source wrote it.
        published_raw: Option<String>,
        /// The document's language as an ISO 639-1 code (`en`, `de`, `zh`; ISO 639-3 where a
        /// language has no two-letter code): detected from `text` when the detection is
        /// confident, else `language_declared`'s primary subtag; null when neither is known.
        language: Option<String>,
        /// Confidence of the language detection, 0 to 1; null when it did not run (empty text,
        /// or before normalisation).
        language_confidence: Option<f64>,
        /// The language code as the source declares it (`lang` attribute, a JSONL `language`
        /// field); null when it declares none.
        language_declared: Option<String>,
        /// Whether the extract stage reads the document: false when `language` is known and
        /// not one of `normalise.language.supported` (then it has no `entities` rows); null
        /// before normalisation.
        extractable: Option<bool>,
        /// The character encoding the bytes were decoded from (WHATWG name, e.g. `UTF-8`,
        /// `windows-1252`, `Shift_JIS`).
        encoding: String,
        /// Normalised text (NFC, clean whitespace) that every offset in entente points into.
        text: String,
        /// The text exactly as ingested, before normalisation: the headline, a blank line and
        /// the body, or the body alone when it already opens with the headline.
        raw_text: String,
        /// Length of `text` in Unicode code points.
        n_chars: u32,
        /// Number of whitespace-separated words in `text`.
        n_words: u32,
        /// Number of rows for this document in `sentences`; null before normalisation.
        n_sentences: Option<u32>,
        /// 16 hex digits of XXH3-64 over `text`: equal texts have equal hashes.
        content_hash: String,
        /// The story the document reports: the `doc_id` of the canonical member of its group
        /// of exact and near duplicates (its own `doc_id` when it has no copies); null before
        /// normalisation.
        story_id: Option<String>,
        /// For a copy, the `doc_id` of its story's canonical member (the earliest
        /// `published_at`, then the first seen in input order); null for the canonical member
        /// and for unique documents.
        duplicate_of: Option<String>,
        /// For a copy: `exact` (the canonical member's text, up to whitespace and line breaks)
        /// or `near` (a similar text); null otherwise.
        duplicate_kind: Option<DuplicateKind>,
        /// For a copy, the estimated Jaccard similarity of its word 5-gram set to the
        /// canonical member's (1 for exact copies); null otherwise.
        story_similarity: Option<f64>,
    }
}

impl Document {
    /// A document as ingest makes it from a text alone, without metadata (`text` =
    /// `raw_text`): the starting point of evaluations and tests.
    ///
    /// ```
    /// let d = entente_schema::Document::from_raw_text("a.txt", 0, "Xi met Putin.");
    /// assert_eq!((d.n_words, d.text.as_str()), (3, "Xi met Putin."));
    /// ```
    pub fn from_raw_text(source: &str, record: u32, raw_text: &str) -> Self {
        Self {
            doc_id: crate::doc_id(source, record),
            source: source.to_owned(),
            source_format: SourceFormat::Txt,
            source_record: record,
            source_id: None,
            title: None,
            author: None,
            site_name: None,
            url: None,
            published_at: None,
            published_raw: None,
            language: None,
            language_confidence: None,
            language_declared: None,
            extractable: None,
            encoding: "UTF-8".to_owned(),
            text: raw_text.to_owned(),
            raw_text: raw_text.to_owned(),
            n_chars: u32::try_from(raw_text.chars().count()).unwrap_or(u32::MAX),
            n_words: u32::try_from(raw_text.split_whitespace().count()).unwrap_or(u32::MAX),
            n_sentences: None,
            content_hash: crate::hash_hex(raw_text.as_bytes()),
            story_id: None,
            duplicate_of: None,
            duplicate_kind: None,
            story_similarity: None,
        }
    }
}

table! {
    /// One place where `documents.text` differs from `documents.raw_text`: the raw span
    /// `[raw_char_start, raw_char_end)` became the text span `[text_char_start, text_char_end)`.
    /// Between edits the two texts are identical, so any `text` offset maps back to
    /// `raw_text` (README, "Mapping `text` back to `raw_text`").
    TextEdit => "text_edits",
    key = ["doc_id", "edit_idx"],
    timestamps = [],
    {
        /// The document.
        doc_id: String,
        /// 0-based position of the edit in its document, in text order.
        edit_idx: u32,
        /// First code point of the edited span in `documents.text`.
        text_char_start: u32,
        /// One past its last code point in `documents.text` (equal to the start for a deletion).
        text_char_end: u32,
        /// First code point of the replaced span in `documents.raw_text`.
        raw_char_start: u32,
        /// One past its last code point in `documents.raw_text` (equal to the start for an
        /// insertion).
        raw_char_end: u32,
        /// First byte of the edited span in the UTF-8 of `documents.text`.
        text_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.text`.
        text_byte_end: u32,
        /// First byte of the replaced span in the UTF-8 of `documents.raw_text`.
        raw_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.raw_text`.
        raw_byte_end: u32,
        /// The new text: `text[text_char_start:text_char_end]`.
        text: String,
        /// The replaced raw text: `raw_text[raw_char_start:raw_char_end]`.
        raw: String,
    }
}

table! {
    /// One line or block removed from a document as boilerplate, and the rule that removed it.
    Boilerplate => "boilerplate",
    key = ["doc_id", "removal_idx"],
    timestamps = [],
    {
        /// The document.
        doc_id: String,
        /// 0-based position of the removal in its document.
        removal_idx: u32,
        /// Name of the rule (`normalise.boilerplate`), e.g. `view_counter`.
        rule: String,
        /// First code point of the removed text in `documents.raw_text`.
        raw_char_start: u32,
        /// One past its last code point in `documents.raw_text`.
        raw_char_end: u32,
        /// First byte of the removed text in the UTF-8 of `documents.raw_text`.
        raw_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.raw_text`.
        raw_byte_end: u32,
        /// The removed lines as they read after text repair.
        text: String,
    }
}

table! {
    /// One sentence of a document's normalised text.
    Sentence => "sentences",
    key = ["doc_id", "sentence_idx"],
    timestamps = [],
    {
        /// The document the sentence belongs to.
        doc_id: String,
        /// 0-based position of the sentence in its document.
        sentence_idx: u32,
        /// First code point of the sentence in `documents.text`.
        char_start: u32,
        /// One past the last code point of the sentence in `documents.text`.
        char_end: u32,
        /// First byte of the sentence in the UTF-8 of `documents.text`.
        byte_start: u32,
        /// One past the last byte of the sentence in the UTF-8 of `documents.text`.
        byte_end: u32,
        /// The sentence: `documents.text[char_start:char_end]`.
        text: String,
    }
}

table! {
    /// One mention of an entity in a sentence.
    Entity => "entities",
    key = ["doc_id", "mention_idx"],
    timestamps = [],
    {
        /// The document the mention is in.
        doc_id: String,
        /// The sentence the mention is in (`sentences.sentence_idx`).
        sentence_idx: u32,
        /// 0-based position of the mention in its document.
        mention_idx: u32,
        /// First code point of the mention in `documents.text`.
        char_start: u32,
        /// One past the last code point of the mention in `documents.text`.
        char_end: u32,
        /// First byte of the mention in the UTF-8 of `documents.text`.
        byte_start: u32,
        /// One past the last byte of the mention in the UTF-8 of `documents.text`.
        byte_end: u32,
        /// The surface form: `documents.text[char_start:char_end]`.
        text: String,
        /// Canonical key shared by every mention of the same entity (e.g. `iso3166:CN`).
        entity_id: String,
        /// Canonical display name of the entity.
        entity_name: String,
        /// PERSON, ORG, GPE, LOC, NORP, EVENT, LAW, MISC, MONEY, PERCENT, DATE or QUANTITY.
        entity_type: EntityType,
        /// How the mention was found: `gazetteer`, `rule` or `model` (the statistical tagger).
        method: Method,
        /// The title or role written before a person's name and not part of it ("Treasury
        /// Secretary", "Foreign Minister", "President"), as the text writes it; null when there
        /// is none.
        title: Option<String>,
        /// How the mention got its `entity_id`: `gazetteer` (a list's entity), `short_form` (a
        /// shorter form of a name its document gives in full: "Volcker" after "Paul Volcker"),
        /// `corpus` (a short form its document leaves open that the whole corpus resolves:
        /// README, "Entity identity"), `acronym` (defined in parentheses in its document),
        /// `override` (the user's `[[merge]]`) or `own` (an id made from its own words); null
        /// for amounts, percentages, dates and quantities.
        linked_by: Option<LinkedBy>,
        /// For a NORP demonym, a capital, a national body, or a city or region of the place
        /// lists, the `entity_id` of its country; for a former state (`iso3166-3:SUHH`, the
        /// Soviet Union) its successor (`iso3166:RU`; null when it split into several, as
        /// Czechoslovakia did); for a compound the tagger keeps whole as MISC
        /// ("US-led", "Sino-Soviet", as CoNLL-2003 annotates them), the country it opens with;
        /// else null.
        country_id: Option<String>,
        /// Numeric value of a MONEY (amount), PERCENT (percent) or QUANTITY (in its base unit)
        /// mention.
        value: Option<f64>,
        /// Unit of `value`: an ISO 4217 currency code for MONEY, `percent` for PERCENT, and for
        /// QUANTITY `m`, `m2`, `m3`, `kg`, `W`, `Wh`, `bbl` or `bbl/d`.
        unit: Option<String>,
        /// ISO 8601 form of a DATE mention (`2024`, `2024-05`, `2024-05-16`).
        iso_date: Option<String>,
    }
}

/// One unit of a scope in which both entities of a pair are mentioned: where to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The document.
    pub doc_id: String,
    /// The first sentence to read: the earliest sentence of the unit that mentions either
    /// entity.
    pub sentence_idx: u32,
    /// One past the last sentence to read: sentences `sentence_idx` to `sentence_end - 1`
    /// hold the first mention of each entity in the unit.
    pub sentence_end: u32,
}

table! {
    /// One pair of entities that appear together in at least one unit of a scope, with its
    /// association measures and where to read it. Formulas and edge cases: README,
    /// "Co-occurrence statistics".
    Cooccurrence => "cooccurrences",
    key = ["scope", "entity_a", "entity_b"],
    timestamps = ["first_published_at", "last_published_at"],
    partitions = ["scope"],
    {
        /// The unit counted: `sentence`, `window`, `document` or `story`.
        scope: Scope,
        /// The smaller of the two entity ids (byte order).
        entity_a: String,
        /// The larger of the two entity ids (byte order).
        entity_b: String,
        /// Canonical name of `entity_a`.
        name_a: String,
        /// Canonical name of `entity_b`.
        name_b: String,
        /// Type of `entity_a`.
        type_a: EntityType,
        /// Type of `entity_b`.
        type_b: EntityType,
        /// Number of units that mention both entities.
        count: u32,
        /// Number of units that mention `entity_a`.
        count_a: u32,
        /// Number of units that mention `entity_b`.
        count_b: u32,
        /// Number of units in the scope: all sentences, windows, documents or stories of the
        /// run, including those without entities.
        n_units: u32,
        /// Pointwise mutual information, `log2(count * n_units / (count_a * count_b))`.
        pmi: f64,
        /// PMI normalised to [-1, 1]: `pmi / -log2(count / n_units)`; 1 when `count = n_units`.
        npmi: f64,
        /// Dunning's log-likelihood ratio G² of the 2×2 table of units (with both, only a,
        /// only b, neither), natural logarithms; 0 when the two are independent. Above 10.83
        /// the association is significant at p < 0.001 (one degree of freedom).
        llr: f64,
        /// Dice coefficient, `2 * count / (count_a + count_b)`, in (0, 1].
        dice: f64,
        /// Number of documents holding a unit that mentions both (for `story`: the documents
        /// of the story that mention both).
        n_docs: u32,
        /// Number of stories holding a unit that mentions both.
        n_stories: u32,
        /// Earliest `published_at` of those documents; null when none has a date.
        first_published_at: Option<i64>,
        /// Latest `published_at` of those documents; null when none has a date.
        last_published_at: Option<i64>,
        /// The document of the first unit mentioning both: units ordered by their document's
        /// `published_at` (undated last), then `doc_id`, then sentence.
        first_doc_id: String,
        /// The first sentence to read in `first_doc_id` (as `evidence.sentence_idx`).
        first_sentence_idx: u32,
        /// Up to `aggregate.evidence_units` units mentioning both, as distinct sentence
        /// ranges: the first unit first, then at most one per story while other stories
        /// remain, then the rest, each time in the same order.
        evidence: Vec<Evidence>,
    }
}

table! {
    /// One pair of entities in one time bucket of one scope: the counts and measures of
    /// `cooccurrences` over the units of documents published in the bucket, for trend charts.
    /// Only pairs that `cooccurrences` keeps (after `min_count`) appear.
    CooccurrencePeriod => "cooccurrences_by_period",
    key = ["scope", "entity_a", "entity_b", "period", "period_start"],
    timestamps = ["period_start"],
    partitions = ["scope", "period"],
    {
        /// The bucket length: `day`, `week` (ISO, from Monday) or `month`.
        period: Period,
        /// Start of the bucket, 00:00 UTC; null for the bucket of documents without a
        /// `published_at` (a story's date is its earliest document's).
        period_start: Option<i64>,
        /// The unit counted, as in `cooccurrences.scope`.
        scope: Scope,
        /// The smaller of the two entity ids (byte order).
        entity_a: String,
        /// The larger of the two entity ids (byte order).
        entity_b: String,
        /// Canonical name of `entity_a`.
        name_a: String,
        /// Canonical name of `entity_b`.
        name_b: String,
        /// Units of the bucket that mention both entities.
        count: u32,
        /// Units of the bucket that mention `entity_a`.
        count_a: u32,
        /// Units of the bucket that mention `entity_b`.
        count_b: u32,
        /// All units of the scope in the bucket.
        n_units: u32,
        /// PMI within the bucket.
        pmi: f64,
        /// NPMI within the bucket.
        npmi: f64,
        /// G² within the bucket.
        llr: f64,
        /// Dice coefficient within the bucket.
        dice: f64,
        /// Documents of the bucket holding a unit that mentions both.
        n_docs: u32,
        /// Stories of the bucket holding a unit that mentions both.
        n_stories: u32,
    }
}

impl CooccurrencePeriod {
    /// The row of bucket `period_start` of `period` holding the counts and measures of
    /// `pair` (a `cooccurrences` row computed over the bucket's units).
    pub fn of(period: Period, period_start: Option<i64>, pair: Cooccurrence) -> Self {
        Self {
            period,
            period_start,
            scope: pair.scope,
            entity_a: pair.entity_a,
            entity_b: pair.entity_b,
            name_a: pair.name_a,
            name_b: pair.name_b,
            count: pair.count,
            count_a: pair.count_a,
            count_b: pair.count_b,
            n_units: pair.n_units,
            pmi: pair.pmi,
            npmi: pair.npmi,
            llr: pair.llr,
            dice: pair.dice,
            n_docs: pair.n_docs,
            n_stories: pair.n_stories,
        }
    }

    /// Sorts rows in table order: scope, `entity_a`, `entity_b`, period, `period_start`
    /// (null first), so a pair's trend rows sit together.
    pub fn sort(rows: &mut [Self]) {
        rows.sort_by(|x, y| {
            (x.scope, &x.entity_a, &x.entity_b, x.period, x.period_start).cmp(&(
                y.scope,
                &y.entity_a,
                &y.entity_b,
                y.period,
                y.period_start,
            ))
        });
    }
}

/// One surface form of an entity and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurfaceCount {
    /// The text as written in the article.
    pub text: String,
    /// Number of mentions with this exact text.
    pub count: u32,
}

table! {
    /// One entity with its totals across the run.
    EntitySummary => "entity_summary",
    key = ["entity_id"],
    timestamps = ["first_seen", "last_seen"],
    {
        /// Canonical key, as in `entities.entity_id`.
        entity_id: String,
        /// Canonical display name.
        entity_name: String,
        /// Entity type.
        entity_type: EntityType,
        /// Number of mentions.
        mentions: u32,
        /// Number of documents that mention the entity.
        documents: u32,
        /// Number of sentences that mention the entity.
        sentences: u32,
        /// Number of stories (`documents.story_id`) that mention the entity.
        stories: u32,
        /// Earliest `published_at` of a document mentioning the entity; null when none has a
        /// date.
        first_seen: Option<i64>,
        /// Latest `published_at` of a document mentioning the entity; null when none has a
        /// date.
        last_seen: Option<i64>,
        /// Up to five surface forms, most frequent first (ties by text).
        top_surfaces: Vec<SurfaceCount>,
    }
}

table! {
    /// One input record that did not become a row (or, from extract, a document left without
    /// mentions), and why.
    Reject => "rejects",
    key = ["stage", "source", "source_record"],
    timestamps = [],
    {
        /// Path of the input file relative to the input root.
        source: String,
        /// 0-based index of the record inside the file (0 for whole-file problems): the JSONL
        /// line, CSV data row or WARC record.
        source_record: u32,
        /// The stage that rejected it: ingest, normalise, extract or aggregate.
        stage: Stage,
        /// Machine-readable reason code.
        reason: RejectReason,
        /// What went wrong, for a person.
        detail: String,
    }
}
