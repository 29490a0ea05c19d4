//! The values of the tables' enum columns (formats, types, methods, scopes, periods, stages,
//! reject reasons) and the calendar arithmetic of periods.

use serde::{Deserialize, Serialize};

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

    /// The label in lower case: the prefix of the ids made from a name of this type
    /// (`person:vladimir-putin`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Org => "org",
            Self::Gpe => "gpe",
            Self::Loc => "loc",
            Self::Norp => "norp",
            Self::Event => "event",
            Self::Law => "law",
            Self::Misc => "misc",
            Self::Money => "money",
            Self::Percent => "percent",
            Self::Date => "date",
            Self::Quantity => "quantity",
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

impl Method {
    /// The name written in the `method` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gazetteer => "gazetteer",
            Self::Rule => "rule",
            Self::Model => "model",
        }
    }
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
