//! Aggregate: entity co-occurrences with association statistics, per-period trends, and a
//! summary per entity.
//!
//! A *unit* is a sentence, a window of consecutive sentences, a document or a story (see
//! [`Scope`]). For each configured scope every pair of distinct entities mentioned in one unit
//! becomes a `cooccurrences` row with its counts, PMI, NPMI, G², Dice, the documents and
//! stories behind it, its first and last publication time and the units to read as evidence;
//! `cooccurrences_by_period` repeats the counts per day, week or month. Only entities of the
//! configured types that are not on the stoplist take part.
//!
//! The input is a compact [`Corpus`] (integers, not strings: 8 bytes per mention, its
//! sentence and entity, kept with its document's), fed one document and one mention at a
//! time, so a caller can stream tables from disk. Pairs are counted one range of `entity_a`
//! at a time, in one walk over the units (documents story by story, each document's
//! mentions sorted by sentence where they are): Rust adds each unit's pairs to hash maps of counts
//! per pair and per pair and time bucket; each pair's marginals are looked up by entity code
//! and the rows put in table order, polars computes the measures, and each range's rows go
//! to a sink in batches ([`aggregate_into`]). A range whose
//! pairs outgrow [`Limits`] is split and walked again, so memory stays bounded whatever the
//! number of pairs. [`entente_schema::recount_cooccurrences`] is the brute-force reference it is tested
//! against.
//!
//! ```
//! use entente_aggregate::{AggregateConfig, Corpus, aggregate};
//! # let e = |s: u32, id: &str| entente_schema::Entity {
//! #     doc_id: "d1".into(), sentence_idx: s, mention_idx: 0, char_start: 0, char_end: 1,
//! #     byte_start: 0, byte_end: 1, text: id.into(), entity_id: id.into(),
//! #     entity_name: id.into(), entity_type: entente_schema::EntityType::Gpe,
//! #     method: entente_schema::Method::Gazetteer, title: None, linked_by: None, country_id: None, value: None, unit: None,
//! #     iso_date: None };
//! let mut doc = entente_schema::Document::from_raw_text("a.txt", 0, "x");
//! doc.doc_id = "d1".into();
//! doc.n_sentences = Some(2);
//! let mut corpus = Corpus::default();
//! corpus.add_document(&doc)?;
//! for m in [e(0, "cn"), e(0, "ru"), e(1, "cn")] {
//!     corpus.add_mention(&m)?;
//! }
//! let tables = aggregate(corpus, &AggregateConfig::default())?;
//! let row = &tables.cooccurrences[0]; // sentence scope first
//! assert_eq!((row.entity_a.as_str(), row.entity_b.as_str(), row.count, row.n_units), ("cn", "ru", 1, 2));
//! # Ok::<(), entente_aggregate::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
pub use entente_schema::AggregateConfig;
use entente_schema::{Cooccurrence, CooccurrencePeriod, EntitySummary, Scope};
use polars::prelude::*;
use rustc_hash::FxHashMap;

use crate::arrays::Labels;
use crate::corpus::Coded;
pub use crate::corpus::{Corpus, DocumentKey};
use crate::count::{RangeCounter, RangeCounts, count_range, count_singles, split};
use crate::rows::write_range;

mod arrays;
mod corpus;
mod count;
mod rows;

/// Rows handed to the sink at a time: a few MB of rows (strings and evidence lists), of which
/// a writer on another thread may hold a few. The Parquet writer converts rows 16,384 at a
/// time, and how its pages encode depends on where those conversions start, so this stays
/// that number: other values write other (equally valid) bytes.
const BATCH_ROWS: usize = 1 << 14;

/// The bucket column's value for documents without a date (null in the output).
const NO_DATE: i64 = i64::MIN;

/// An error while counting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// polars failed: a bug or resource exhaustion, never bad input.
    #[error("counting co-occurrences ({scope} scope): {source}")]
    Polars {
        /// The scope being counted.
        scope: &'static str,
        /// The underlying error.
        source: PolarsError,
    },
    /// The configuration is invalid.
    #[error("{0}")]
    Config(String),
    /// A mention names a document that was not added (the tables do not belong together).
    #[error("mention {mention_idx} of document {doc_id}: no such document in `documents`")]
    UnknownDocument {
        /// The mention's document.
        doc_id: String,
        /// The mention's index.
        mention_idx: u32,
    },
    /// A batch of `entities` lacks a column the corpus reads, or holds nulls or values of
    /// another type in it (a file not written by entente).
    #[error("column {0} of `entities` is missing, has nulls or is of another type")]
    Column(&'static str),
    /// A mention's `entity_type` is none of the contract's.
    #[error("mention {mention_idx} of document {doc_id}: unknown entity_type {value:?}")]
    EntityType {
        /// The mention's document.
        doc_id: String,
        /// The mention's index.
        mention_idx: u32,
        /// The type as written.
        value: String,
    },
    /// A document was added twice.
    #[error("document {0} appears twice in `documents`")]
    DuplicateDocument(String),
    /// Arrow refused a batch: a bug, never bad input.
    #[error("building a batch of co-occurrences: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A table's schema could not be traced or its rows read back: a bug.
    #[error("{0}")]
    Schema(Box<entente_parquet::Error>),
    /// A batch's evidence units overflow a list's 32-bit offsets.
    #[error("a batch of co-occurrences holds more than 2^31 evidence units")]
    TooManyUnits,
    /// The sink refused a batch of rows (e.g. a write failed).
    #[error("{0}")]
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

/// How much the stage holds at once. The defaults keep the working set of a scope within a
/// few hundred MB whatever the corpus size; smaller values trade time for memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Distinct pairs, and pairs per time bucket, held at once (about 100 bytes each).
    /// The pairs of a scope are counted in ranges of `entity_a`, as many as it takes to stay
    /// within this: a walk over the units that passes it stops, and its range is split and
    /// walked again. A single `entity_a` is never split, so the bound is the larger of this
    /// and the pairs of the entity with the most partners; with more than one thread, the
    /// next range is counted while one is written, so twice that is held.
    pub partition_pairs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { partition_pairs: 1 << 20 }
    }
}

/// A batch of output rows of one scope, in table order, as Arrow arrays in the table's
/// full schema ([`entente_parquet::schema`], partition columns included), except that the
/// entities' ids, names and types are dictionaries of those strings (keyed by an entity
/// code): the Parquet writer takes them for the string columns and writes the same file.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Rows of `cooccurrences`.
    Cooccurrences {
        /// The scope of every row.
        scope: Scope,
        /// The rows.
        rows: RecordBatch,
    },
    /// Rows of `cooccurrences_by_period`.
    ByPeriod {
        /// The scope of every row.
        scope: Scope,
        /// The rows.
        rows: RecordBatch,
    },
}

/// What [`aggregate_into`] returns once the rows went to its sink.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// `entity_summary`, sorted by `entity_id`.
    pub summary: Vec<EntitySummary>,
    /// Per scope, the units left out for mentioning more than
    /// [`AggregateConfig::max_unit_entities`] distinct entities (scopes without any left out).
    pub crowded_units: BTreeMap<Scope, u64>,
}

/// The tables the stage writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    /// `cooccurrences`, sorted by scope, `entity_a`, `entity_b`.
    pub cooccurrences: Vec<Cooccurrence>,
    /// `cooccurrences_by_period`, sorted by scope, `entity_a`, `entity_b`, period,
    /// `period_start` (null first).
    pub by_period: Vec<CooccurrencePeriod>,
    /// `entity_summary`, sorted by `entity_id`.
    pub summary: Vec<EntitySummary>,
}

/// Counts every configured scope and period, and summarises every entity, in memory (see
/// [`aggregate_into`] to stream the rows instead).
pub fn aggregate(corpus: Corpus, config: &AggregateConfig) -> Result<Aggregates, Error> {
    let mut out = Aggregates::default();
    out.summary = aggregate_into(corpus, config, Limits::default(), |rows| {
        match rows {
            Rows::Cooccurrences { rows, .. } => {
                out.cooccurrences.extend(entente_parquet::rows_of::<Cooccurrence>(&rows)?);
            }
            Rows::ByPeriod { rows, .. } => {
                out.by_period.extend(entente_parquet::rows_of::<CooccurrencePeriod>(&rows)?);
            }
        }
        Ok(())
    })?
    .summary;
    Ok(out)
}

/// Counts every configured scope and period, handing the rows of `cooccurrences` and
/// `cooccurrences_by_period` to `sink` in batches (each table's batches in table order), and
/// returns `entity_summary`. Memory stays within `limits` plus one batch, not the size of the
/// tables; `corpus` is taken so that its mentions are sorted where they are, not copied.
///
/// When the rayon pool has more than one thread, `entity_summary` is made on a thread of its
/// own beside the counting, and when a scope takes more than one range, the next range is
/// counted on a second thread while the rows of one are made and handed to `sink`, so two
/// ranges' counts are held at once. The ranges, and so the rows and their
/// batches, are the same either way: a range's counts depend on the range alone.
pub fn aggregate_into(
    mut corpus: Corpus,
    config: &AggregateConfig,
    limits: Limits,
    mut sink: impl FnMut(Rows) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
) -> Result<Summary, Error> {
    config.check().map_err(Error::Config)?;
    let mentions = std::mem::take(&mut corpus.mentions);
    let runs = std::mem::take(&mut corpus.runs);
    // The indexes of ids served adding mentions: none come now.
    corpus.doc_index = FxHashMap::default();
    corpus.entity_index = FxHashMap::default();
    let coded = Coded::new(&corpus, mentions, &runs, config);
    drop(runs);
    let beside = rayon::current_num_threads() > 1;
    if !beside {
        let summary = crate::rows::summary(&coded);
        let crowded_units = count_scopes(&coded, limits, beside, &mut sink)?;
        return Ok(Summary { summary, crowded_units });
    }
    // The summary walks every mention once, on a thread of its own beside the first scope's
    // walk (which leaves its thread idle while the pairs are counted).
    std::thread::scope(|threads| {
        let summary = threads.spawn(|| crate::rows::summary(&coded));
        let crowded_units = count_scopes(&coded, limits, beside, &mut sink);
        let summary = summary.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        Ok(Summary { summary, crowded_units: crowded_units? })
    })
}

/// Counts every configured scope's pairs and hands their rows to `sink` (see
/// [`aggregate_into`]); the units left out of each scope for having too many entities.
fn count_scopes(
    coded: &Coded<'_>,
    limits: Limits,
    beside: bool,
    sink: &mut Sink<'_>,
) -> Result<BTreeMap<Scope, u64>, Error> {
    let config = coded.config;
    let budget = usize::try_from(limits.partition_pairs).unwrap_or(usize::MAX).max(1);
    let mut crowded_units = BTreeMap::new();
    let labels = Labels::new(coded);
    for scope in config.sorted_scopes() {
        // Ranges of `entity_a` still to count, the next one last. A range whose pairs do not
        // fit the budget is split by the share of the walk it filled the budget in.
        let all = u32::try_from(coded.entity_at.len()).unwrap_or(u32::MAX);
        let mut todo = vec![(0, all)];
        // The whole range is counted in the walk that counts the entities, until it goes
        // over the budget.
        let mut first = RangeCounter::new(coded, (0, all), budget);
        let singles = count_singles(coded, scope, &mut first, beside);
        if singles.crowded > 0 {
            crowded_units.insert(scope, singles.crowded);
        }
        // The next range's walk, made beside writing the last one.
        let mut ahead: Option<((u32, u32), Result<RangeCounts, f64>)> =
            Some(((0, all), first.finish(singles.walked)));
        while let Some(range) = todo.pop() {
            let counted = match ahead.take() {
                Some((r, counted)) if r == range => counted,
                _ => count_range(coded, scope, range, budget, singles.walked),
            };
            let counted = match counted {
                Ok(counted) => counted,
                Err(share) => {
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "a small positive count"
                    )]
                    let parts = (1.25 / share.max(1e-6)).ceil().min(1e6) as u64;
                    todo.extend(split(&singles.pair_weight, range, parts).into_iter().rev());
                    continue;
                }
            };
            let Some(&next) = todo.last().filter(|_| beside) else {
                write_range(coded, &labels, scope, counted, &singles, sink)?;
                continue;
            };
            // A thread of its own: run on the pool's other worker (`rayon::join`), the
            // aggregate bench's peak RSS went from 799 to 984 MiB.
            let written = std::thread::scope(|threads| {
                let counting =
                    threads.spawn(|| count_range(coded, scope, next, budget, singles.walked));
                let written = write_range(coded, &labels, scope, counted, &singles, sink);
                let next_counted = counting.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                ahead = Some((next, next_counted));
                written
            });
            written?;
        }
    }
    Ok(crowded_units)
}

/// The sink of [`aggregate_into`].
type Sink<'s> = dyn FnMut(Rows) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + 's;
