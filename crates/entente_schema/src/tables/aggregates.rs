//! The tables the aggregate stage writes over the whole corpus: co-occurrences (overall and by
//! period) and entity summaries.

use serde::{Deserialize, Serialize};

use super::values::{EntityType, Period, Scope};
use crate::table;

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
