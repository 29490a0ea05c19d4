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
//! The input is a compact [`Corpus`] (integers, not strings: about 12 bytes per mention), fed
//! one document and one mention at a time, so a caller can stream tables from disk. Pairs are
//! counted one range of `entity_a` at a time, in one walk over the units (the mentions are
//! sorted by story, document, sentence): Rust adds each unit's pairs to hash maps of counts
//! per pair and per pair and time bucket; polars joins the marginals, computes the measures
//! and sorts; each range's rows go to a sink in batches ([`aggregate_into`]). A range whose
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
//! #     method: entente_schema::Method::Gazetteer, country_id: None, value: None, unit: None,
//! #     iso_date: None };
//! let mut doc = entente_schema::Document::from_raw_text("a.txt", 0, "x");
//! doc.doc_id = "d1".into();
//! doc.n_sentences = Some(2);
//! let mut corpus = Corpus::default();
//! corpus.add_document(&doc)?;
//! for m in [e(0, "cn"), e(0, "ru"), e(1, "cn")] {
//!     corpus.add_mention(&m)?;
//! }
//! let tables = aggregate(&corpus, &AggregateConfig::default())?;
//! let row = &tables.cooccurrences[0]; // sentence scope first
//! assert_eq!((row.entity_a.as_str(), row.entity_b.as_str(), row.count, row.n_units), ("cn", "ru", 1, 2));
//! # Ok::<(), entente_aggregate::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;

pub use entente_schema::AggregateConfig;
use entente_schema::{
    Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, EntityType, Evidence,
    Period, Scope, SurfaceCount,
};
use polars::prelude::*;
use rustc_hash::FxHashMap;

/// Rows handed to the sink at a time.
const BATCH_ROWS: usize = 1 << 16;

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
    /// A document was added twice.
    #[error("document {0} appears twice in `documents`")]
    DuplicateDocument(String),
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
    /// and the pairs of the entity with the most partners.
    pub partition_pairs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { partition_pairs: 1 << 20 }
    }
}

/// A batch of output rows, in table order.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Rows of `cooccurrences`.
    Cooccurrences(Vec<Cooccurrence>),
    /// Rows of `cooccurrences_by_period`.
    ByPeriod(Vec<CooccurrencePeriod>),
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

/// What the stage reads, in compact form: per document its story, date and sentence count;
/// per entity its id, name and type; per mention three integers; per entity its surface
/// forms with counts.
#[derive(Debug, Default)]
pub struct Corpus {
    docs: Vec<Doc>,
    doc_index: HashMap<String, u32>,
    entity_index: HashMap<String, u32>,
    entities: Vec<(String, String, EntityType)>,
    mentions: Vec<Mention>,
    surfaces: Vec<HashMap<String, u32>>,
}

#[derive(Debug)]
#[allow(clippy::struct_field_names, reason = "named as the columns they come from")]
struct Doc {
    doc_id: String,
    story_id: Option<String>,
    published_at: Option<i64>,
    n_sentences: u32,
}

/// A mention as integers: document, sentence, entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Mention {
    doc: u32,
    sentence: u32,
    entity: u32,
}

impl Corpus {
    /// Adds a document (a `documents` row); only its id, story, date and sentence count are
    /// kept.
    pub fn add_document(&mut self, d: &Document) -> Result<(), Error> {
        let next = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        if self.doc_index.insert(d.doc_id.clone(), next).is_some() {
            return Err(Error::DuplicateDocument(d.doc_id.clone()));
        }
        self.docs.push(Doc {
            doc_id: d.doc_id.clone(),
            story_id: d.story_id.clone(),
            published_at: d.published_at,
            n_sentences: d.n_sentences.unwrap_or(0),
        });
        Ok(())
    }

    /// Sets the story of every document added so far (a run that groups stories after the
    /// documents were added); documents `story_of` does not know keep theirs.
    pub fn set_stories<'a>(&mut self, story_of: impl Fn(&str) -> Option<&'a str>) {
        for doc in &mut self.docs {
            if let Some(story) = story_of(&doc.doc_id) {
                doc.story_id = Some(story.to_owned());
            }
        }
    }

    /// Renames every entity `name_of` gives a name (a run that chooses names after the
    /// mentions were added).
    pub fn set_names<'a>(&mut self, name_of: impl Fn(&str) -> Option<&'a str>) {
        for (id, name, _) in &mut self.entities {
            if let Some(chosen) = name_of(id) {
                chosen.clone_into(name);
            }
        }
    }

    /// Adds a mention (an `entities` row) of a document added before.
    pub fn add_mention(&mut self, e: &Entity) -> Result<(), Error> {
        let Some(&doc) = self.doc_index.get(&e.doc_id) else {
            return Err(Error::UnknownDocument {
                doc_id: e.doc_id.clone(),
                mention_idx: e.mention_idx,
            });
        };
        let entity = if let Some(&i) = self.entity_index.get(&e.entity_id) {
            i
        } else {
            let i = u32::try_from(self.entities.len()).unwrap_or(u32::MAX);
            self.entity_index.insert(e.entity_id.clone(), i);
            self.entities.push((e.entity_id.clone(), e.entity_name.clone(), e.entity_type));
            self.surfaces.push(HashMap::new());
            i
        };
        let surfaces = &mut self.surfaces[entity as usize];
        match surfaces.get_mut(e.text.as_str()) {
            Some(n) => *n += 1,
            None => {
                surfaces.insert(e.text.clone(), 1);
            }
        }
        self.mentions.push(Mention { doc, sentence: e.sentence_idx, entity });
        Ok(())
    }

    /// Number of mentions added.
    pub fn mentions(&self) -> usize {
        self.mentions.len()
    }
}

/// The corpus re-coded for counting: documents numbered in evidence order (date, undated
/// last, then id), entities numbered in id order, stories numbered in order of their first
/// document.
struct Coded<'a> {
    corpus: &'a Corpus,
    config: &'a AggregateConfig,
    /// Input position of the document of each rank.
    doc_at: Vec<u32>,
    /// Story code of each document rank.
    story: Vec<u32>,
    /// Date of each story: its earliest document's.
    story_date: Vec<Option<i64>>,
    /// Documents of each story, and the first and last date among them.
    story_docs: Vec<(u32, Option<i64>, Option<i64>)>,
    /// Whether each document rank is its story's canonical document (the one `story` reads).
    canonical: Vec<bool>,
    /// Input position of the entity of each code.
    entity_at: Vec<u32>,
    /// The mentions that take part, re-coded, sorted by story, document, sentence, entity.
    counted: Vec<Mention>,
}

impl<'a> Coded<'a> {
    fn new(corpus: &'a Corpus, config: &'a AggregateConfig) -> Self {
        let mut doc_at: Vec<u32> =
            (0..u32::try_from(corpus.docs.len()).unwrap_or(u32::MAX)).collect();
        doc_at.sort_by(|&x, &y| {
            let (x, y) = (&corpus.docs[x as usize], &corpus.docs[y as usize]);
            (x.published_at.is_none(), x.published_at, &x.doc_id).cmp(&(
                y.published_at.is_none(),
                y.published_at,
                &y.doc_id,
            ))
        });
        let mut rank = vec![0u32; doc_at.len()];
        for (r, &i) in doc_at.iter().enumerate() {
            rank[i as usize] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        let mut story_code: HashMap<&str, u32> = HashMap::new();
        let mut story = Vec::with_capacity(doc_at.len());
        let mut story_date = Vec::new();
        let mut story_docs: Vec<(u32, Option<i64>, Option<i64>)> = Vec::new();
        let mut canonical = Vec::with_capacity(doc_at.len());
        for &i in &doc_at {
            let d = &corpus.docs[i as usize];
            let key = d.story_id.as_deref().unwrap_or(&d.doc_id);
            canonical.push(key == d.doc_id);
            let next = u32::try_from(story_code.len()).unwrap_or(u32::MAX);
            let code = *story_code.entry(key).or_insert_with(|| {
                // Documents come in date order, so a story's first document has its date.
                story_date.push(d.published_at);
                story_docs.push((0, None, None));
                next
            });
            let members = &mut story_docs[code as usize];
            members.0 += 1;
            if let Some(t) = d.published_at {
                members.1 = Some(members.1.map_or(t, |x| x.min(t)));
                members.2 = Some(members.2.map_or(t, |x| x.max(t)));
            }
            story.push(code);
        }
        let mut entity_at: Vec<u32> =
            (0..u32::try_from(corpus.entities.len()).unwrap_or(u32::MAX)).collect();
        entity_at
            .sort_by(|&x, &y| corpus.entities[x as usize].0.cmp(&corpus.entities[y as usize].0));
        let mut code = vec![0u32; entity_at.len()];
        for (c, &i) in entity_at.iter().enumerate() {
            code[i as usize] = u32::try_from(c).unwrap_or(u32::MAX);
        }
        let stop: HashSet<&str> = config.stoplist.iter().map(String::as_str).collect();
        let included: Vec<bool> = corpus
            .entities
            .iter()
            .map(|(id, _, t)| config.entity_types.contains(t) && !stop.contains(id.as_str()))
            .collect();

        // Story by story, then document, sentence and entity: the order the counts need.
        let mut counted: Vec<Mention> = corpus
            .mentions
            .iter()
            .filter(|m| included[m.entity as usize])
            .map(|m| Mention {
                doc: rank[m.doc as usize],
                sentence: m.sentence,
                entity: code[m.entity as usize],
            })
            .collect();
        counted.sort_unstable_by_key(|m| (story[m.doc as usize], *m));
        Self {
            corpus,
            config,
            doc_at,
            story,
            story_date,
            story_docs,
            canonical,
            entity_at,
            counted,
        }
    }

    fn doc(&self, rank: u32) -> &Doc {
        &self.corpus.docs[self.doc_at[rank as usize] as usize]
    }

    fn entity(&self, code: u32) -> &(String, String, EntityType) {
        &self.corpus.entities[self.entity_at[code as usize] as usize]
    }

    /// The date that puts a unit of `scope` in document `rank` into a time bucket.
    fn unit_date(&self, scope: Scope, rank: u32) -> Option<i64> {
        match scope {
            Scope::Story => self.story_date[self.story[rank as usize] as usize],
            _ => self.doc(rank).published_at,
        }
    }

    /// Units of `scope` per bucket of `period` (`None`: the whole run, one bucket).
    fn units_per_bucket(&self, scope: Scope, period: Option<Period>) -> BTreeMap<i64, u32> {
        let bucket = |date: Option<i64>| match (period, date) {
            (Some(p), Some(t)) => p.bucket_start(t),
            _ => NO_DATE,
        };
        let mut out: BTreeMap<i64, u32> = BTreeMap::new();
        for rank in 0..u32::try_from(self.doc_at.len()).unwrap_or(u32::MAX) {
            let n = self.doc(rank).n_sentences;
            let units = match scope {
                Scope::Sentence => n,
                Scope::Window => self.config.windows(n),
                Scope::Story => u32::from(self.canonical[rank as usize]),
                _ => 1,
            };
            *out.entry(bucket(self.unit_date(scope, rank))).or_default() += units;
        }
        out
    }
}

/// Counts every configured scope and period, and summarises every entity, in memory (see
/// [`aggregate_into`] to stream the rows instead).
pub fn aggregate(corpus: &Corpus, config: &AggregateConfig) -> Result<Aggregates, Error> {
    let mut out = Aggregates::default();
    out.summary = aggregate_into(corpus, config, Limits::default(), |rows| {
        match rows {
            Rows::Cooccurrences(rows) => out.cooccurrences.extend(rows),
            Rows::ByPeriod(rows) => out.by_period.extend(rows),
        }
        Ok(())
    })?
    .summary;
    Ok(out)
}

/// Counts every configured scope and period, handing the rows of `cooccurrences` and
/// `cooccurrences_by_period` to `sink` in batches (each table's batches in table order), and
/// returns `entity_summary`. Memory stays within `limits` plus one batch, not the size of the
/// tables.
pub fn aggregate_into(
    corpus: &Corpus,
    config: &AggregateConfig,
    limits: Limits,
    mut sink: impl FnMut(Rows) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
) -> Result<Summary, Error> {
    config.check().map_err(Error::Config)?;
    let coded = Coded::new(corpus, config);
    let budget = usize::try_from(limits.partition_pairs).unwrap_or(usize::MAX).max(1);
    let mut crowded_units = BTreeMap::new();
    for scope in config.sorted_scopes() {
        let err = |source| Error::Polars { scope: scope.as_str(), source };
        let singles = count_singles(&coded, scope).map_err(err)?;
        if singles.crowded > 0 {
            crowded_units.insert(scope, singles.crowded);
        }
        // Ranges of `entity_a` still to count, the next one last. A range whose pairs do not
        // fit the budget is split by the share of the walk it filled the budget in.
        let all = u32::try_from(coded.entity_at.len()).unwrap_or(u32::MAX);
        let mut todo = vec![(0, all)];
        while let Some(range) = todo.pop() {
            match count_range(&coded, scope, range, budget, singles.walked) {
                Ok(counted) => write_range(&coded, scope, counted, &singles, &mut sink)?,
                Err(share) => {
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "a small positive count"
                    )]
                    let parts = (1.25 / share.max(1e-6)).ceil().min(1e6) as u64;
                    todo.extend(split(&singles.pair_weight, range, parts).into_iter().rev());
                }
            }
        }
    }
    Ok(Summary { summary: summary(&coded), crowded_units })
}

/// Each unit of `scope` among `mentions` (whole documents, each document's mentions together
/// and sorted by sentence, entity) that mentions an entity: its document and its distinct
/// entities in code order, each with the first sentence of the unit mentioning it. Stops when
/// `each` breaks.
fn for_each_unit(
    coded: &Coded<'_>,
    scope: Scope,
    mentions: &[Mention],
    mut each: impl FnMut(u32, &[(u32, u32)]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let span = coded.config.window_sentences.max(1);
    let mut set: Vec<(u32, u32)> = Vec::new();
    let mut emit = |d: u32, set: &mut Vec<(u32, u32)>| {
        set.sort_unstable();
        set.dedup_by_key(|m| m.0);
        if set.is_empty() { ControlFlow::Continue(()) } else { each(d, set) }
    };
    for doc in mentions.chunk_by(|x, y| x.doc == y.doc) {
        let d = doc[0].doc;
        match scope {
            Scope::Sentence => {
                for sentence in doc.chunk_by(|x, y| x.sentence == y.sentence) {
                    set.clear();
                    set.extend(sentence.iter().map(|m| (m.entity, m.sentence)));
                    emit(d, &mut set)?;
                }
            }
            Scope::Window => {
                // The document's mentions are sorted by sentence: each window is a slice.
                for w in 0..coded.config.windows(coded.doc(d).n_sentences) {
                    set.clear();
                    let lo = doc.partition_point(|m| m.sentence < w);
                    let hi = doc.partition_point(|m| m.sentence < w.saturating_add(span));
                    set.extend(doc[lo..hi].iter().map(|m| (m.entity, m.sentence)));
                    emit(d, &mut set)?;
                }
            }
            _ if scope == Scope::Story && !coded.canonical[d as usize] => {}
            _ => {
                set.clear();
                set.extend(doc.iter().map(|m| (m.entity, m.sentence)));
                emit(d, &mut set)?;
            }
        }
    }
    ControlFlow::Continue(())
}

/// Ranges `[lo, hi)` of `entity_a` codes, each holding about `budget` unit pairs (at least
/// one code each; `weight` is the number of unit pairs of each code), covering every entity.
fn partitions(weight: &[u64], budget: u64) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let (mut lo, mut filled) = (0u32, 0u64);
    for (e, &w) in weight.iter().enumerate() {
        let e = u32::try_from(e).unwrap_or(u32::MAX);
        if filled > 0 && filled + w > budget {
            out.push((lo, e));
            (lo, filled) = (e, 0);
        }
        filled += w;
    }
    out.push((lo, u32::try_from(weight.len()).unwrap_or(u32::MAX)));
    out
}

/// One row per entity (all types, stoplisted ones too): mentions, documents, sentences,
/// stories, first and last date, most frequent surface forms.
fn summary(coded: &Coded<'_>) -> Vec<EntitySummary> {
    let corpus = coded.corpus;
    let mut rank = vec![0u32; coded.doc_at.len()];
    for (r, &i) in coded.doc_at.iter().enumerate() {
        rank[i as usize] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    let mut all: Vec<Mention> = corpus
        .mentions
        .iter()
        .map(|m| Mention { doc: rank[m.doc as usize], sentence: m.sentence, entity: m.entity })
        .collect();
    all.sort_unstable_by_key(|m| {
        (corpus.entities[m.entity as usize].0.as_str(), m.doc, m.sentence)
    });
    let mut out = Vec::new();
    for group in all.chunk_by(|x, y| x.entity == y.entity) {
        let (id, name, entity_type) = &corpus.entities[group[0].entity as usize];
        let mut documents: Vec<u32> = group.iter().map(|m| m.doc).collect();
        documents.dedup();
        let mut sentences: Vec<(u32, u32)> = group.iter().map(|m| (m.doc, m.sentence)).collect();
        sentences.dedup();
        let mut stories: Vec<u32> = documents.iter().map(|&d| coded.story[d as usize]).collect();
        stories.sort_unstable();
        stories.dedup();
        let dates = documents.iter().filter_map(|&d| coded.doc(d).published_at);
        let (first_seen, last_seen) = dates.fold((None, None), |(lo, hi), t| {
            (Some(lo.map_or(t, |x: i64| x.min(t))), Some(hi.map_or(t, |x: i64| x.max(t))))
        });
        let mut surfaces: Vec<(&str, u32)> = corpus.surfaces[group[0].entity as usize]
            .iter()
            .map(|(text, &n)| (text.as_str(), n))
            .collect();
        surfaces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        out.push(EntitySummary {
            entity_id: id.clone(),
            entity_name: name.clone(),
            entity_type: *entity_type,
            mentions: len(group.len()),
            documents: len(documents.len()),
            sentences: len(sentences.len()),
            stories: len(stories.len()),
            first_seen,
            last_seen,
            top_surfaces: surfaces
                .into_iter()
                .take(5)
                .map(|(text, count)| SurfaceCount { text: text.to_owned(), count })
                .collect(),
        });
    }
    out
}

/// An evidence candidate: pair, occurrence of its story among the pair's units, unit.
type Candidate = (u32, u32, u32, u32, u32, u32);

/// Units mentioning each entity (`entity`, `n`): in the run, and per bucket of each period;
/// and the unit pairs each entity is `entity_a` of.
struct Singles {
    all: LazyFrame,
    by_period: BTreeMap<Period, LazyFrame>,
    pair_weight: Vec<u64>,
    /// Units left out of the scope ([`AggregateConfig::max_unit_entities`]), in all and per
    /// bucket of each period.
    crowded: u64,
    /// Units that count (not crowded) per bucket: of the whole run (`None`, one bucket) and
    /// of each period.
    units_per_bucket: BTreeMap<Option<Period>, BTreeMap<i64, u32>>,
    /// Units walked (with at least one entity, crowded ones too).
    walked: u64,
}

/// Counts the units of `scope` mentioning each entity, in the run and per bucket, and the
/// unit pairs of each entity as `entity_a`, in one walk over the units.
fn count_singles(coded: &Coded<'_>, scope: Scope) -> PolarsResult<Singles> {
    let periods = coded.config.sorted_periods();
    let mut all = vec![0u32; coded.entity_at.len()];
    let mut pair_weight = vec![0u64; coded.entity_at.len()];
    let mut by_period: Vec<HashMap<(i64, u32), u32>> = vec![HashMap::new(); periods.len()];
    let mut crowded = 0u64;
    let mut crowded_by_period: BTreeMap<Option<Period>, BTreeMap<i64, u32>> = BTreeMap::new();
    let mut walked = 0u64;
    let _ = for_each_unit(coded, scope, &coded.counted, |d, set| {
        walked += 1;
        let date = coded.unit_date(scope, d);
        if !coded.config.gives_pairs(set.len()) {
            // Left out of the scope altogether, so that the counts stay a contingency table.
            crowded += 1;
            *crowded_by_period.entry(None).or_default().entry(NO_DATE).or_default() += 1;
            for p in &periods {
                let bucket = date.map_or(NO_DATE, |t| p.bucket_start(t));
                *crowded_by_period.entry(Some(*p)).or_default().entry(bucket).or_default() += 1;
            }
            return ControlFlow::Continue(());
        }
        for (i, &(e, _)) in set.iter().enumerate() {
            all[e as usize] += 1;
            pair_weight[e as usize] += (set.len() - 1 - i) as u64;
        }
        for (i, p) in periods.iter().enumerate() {
            let bucket = date.map_or(NO_DATE, |t| p.bucket_start(t));
            for &(e, _) in set {
                *by_period[i].entry((bucket, e)).or_default() += 1;
            }
        }
        ControlFlow::Continue(())
    });
    let (entity, n): (Vec<u32>, Vec<u32>) = all
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(e, &n)| (u32::try_from(e).unwrap_or(u32::MAX), n))
        .unzip();
    let all = DataFrame::new_infer_height(vec![
        Column::new("entity".into(), entity),
        Column::new("n".into(), n),
    ])?
    .lazy();
    let mut merged = BTreeMap::new();
    let mut units_per_bucket = BTreeMap::new();
    for period in std::iter::once(None).chain(periods.iter().copied().map(Some)) {
        let mut units = coded.units_per_bucket(scope, period);
        for (bucket, n) in crowded_by_period.get(&period).into_iter().flatten() {
            if let Some(units) = units.get_mut(bucket) {
                *units = units.saturating_sub(*n);
            }
        }
        units_per_bucket.insert(period, units);
    }
    for (p, counts) in periods.into_iter().zip(by_period) {
        let mut rows: Vec<((i64, u32), u32)> = counts.into_iter().collect();
        rows.sort_unstable();
        let frame = DataFrame::new_infer_height(vec![
            Column::new(bucket_col(p).into(), rows.iter().map(|r| r.0.0).collect::<Vec<i64>>()),
            Column::new("entity".into(), rows.iter().map(|r| r.0.1).collect::<Vec<u32>>()),
            Column::new("n".into(), rows.iter().map(|r| r.1).collect::<Vec<u32>>()),
        ])?
        .lazy();
        merged.insert(p, frame);
    }
    Ok(Singles { all, by_period: merged, pair_weight, crowded, units_per_bucket, walked })
}

/// The column holding a row's bucket of `p`.
fn bucket_col(p: Period) -> String {
    format!("bucket_{}", p.as_str())
}

/// The sink of [`aggregate_into`].
type Sink<'s> = dyn FnMut(Rows) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + 's;

/// A pair of entity codes as one key: `entity_a` in the high half, so keys sort by pair.
fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The entity codes of a pair key.
#[allow(clippy::cast_possible_truncation, reason = "the two halves")]
fn pair_of(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// One unit a pair occurs in, as the counts see it.
struct Occurrence {
    /// The unit's document (for `story`, the story's canonical document).
    doc: u32,
    story: u32,
    /// Documents behind the unit (for `story` every copy, else 1), and their first and last
    /// publication time (`i64::MAX` / `i64::MIN`: none dated).
    members: u32,
    first: i64,
    last: i64,
    /// The sentences to read: from the first mention of either entity to the first
    /// mention of the other, end-exclusive.
    start: u32,
    end: u32,
}

/// The counts of one pair, in the run or in one time bucket, over the units seen so far.
/// Units arrive story by story, and within a story document by document in unit order, so
/// distinct documents and stories are counted by comparing with the last one.
struct Tally {
    count: u32,
    n_docs: u32,
    n_stories: u32,
    last_doc: u32,
    last_story: u32,
}

impl Default for Tally {
    fn default() -> Self {
        Self { count: 0, n_docs: 0, n_stories: 0, last_doc: u32::MAX, last_story: u32::MAX }
    }
}

impl Tally {
    /// Counts `o`; whether it starts a new story, and a new document.
    fn add(&mut self, o: &Occurrence) -> (bool, bool) {
        self.count += 1;
        let new_story = o.story != self.last_story;
        if new_story {
            self.last_story = o.story;
            self.n_stories += 1;
        }
        let new_doc = o.doc != self.last_doc;
        if new_doc {
            self.last_doc = o.doc;
            self.n_docs += o.members;
        }
        (new_story, new_doc)
    }
}

/// The counts of one pair in the run, with its dates and its best evidence.
struct PairCounts {
    tally: Tally,
    first: i64,
    last: i64,
    last_range: (u32, u32),
    /// Distinct sentence ranges of the current story so far.
    nth: u32,
    /// The best evidence so far, sorted: (nth, document, start, end).
    evidence: Vec<(u32, u32, u32, u32)>,
}

impl PairCounts {
    fn new() -> Self {
        Self {
            tally: Tally::default(),
            first: i64::MAX,
            last: i64::MIN,
            last_range: (u32::MAX, u32::MAX),
            nth: 0,
            evidence: Vec::new(),
        }
    }

    fn add(&mut self, o: &Occurrence, k: usize) {
        let (new_story, new_doc) = self.tally.add(o);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if new_story {
            self.nth = 0;
        }
        if new_doc || (o.start, o.end) != self.last_range {
            self.last_range = (o.start, o.end);
            self.nth += 1;
            let candidate = (self.nth, o.doc, o.start, o.end);
            if self.evidence.len() < k || self.evidence.last().is_some_and(|&w| candidate < w) {
                self.evidence.truncate(k.saturating_sub(1));
                let at = self.evidence.partition_point(|&c| c < candidate);
                self.evidence.insert(at, candidate);
            }
        }
    }
}

/// What one walk over the units of a scope counted for one range of `entity_a`.
struct RangeCounts {
    pairs: FxHashMap<u64, PairCounts>,
    /// Per period (in [`AggregateConfig::sorted_periods`] order), keyed by bucket and pair.
    buckets: Vec<FxHashMap<(i64, u64), Tally>>,
}

/// Counts the pairs of one scope whose `entity_a` code is in `[lo, hi)` in one walk over
/// the units. Stops early, returning the share of units walked, once more than `budget`
/// pairs and pair-buckets are held (never for a range of one code, which cannot be split).
fn count_range(
    coded: &Coded<'_>,
    scope: Scope,
    (lo, hi): (u32, u32),
    budget: usize,
    units: u64,
) -> Result<RangeCounts, f64> {
    let periods = coded.config.sorted_periods();
    let k = coded.config.evidence_units as usize;
    let mut out = RangeCounts {
        pairs: FxHashMap::default(),
        buckets: periods.iter().map(|_| FxHashMap::default()).collect(),
    };
    let mut walked = 0u64;
    let mut bucket = Vec::with_capacity(periods.len());
    let flow = for_each_unit(coded, scope, &coded.counted, |d, set| {
        walked += 1;
        let from = set.partition_point(|m| m.0 < lo);
        if !coded.config.gives_pairs(set.len())
            || from + 1 >= set.len()
            || set.get(from).is_none_or(|m| m.0 >= hi)
        {
            return ControlFlow::Continue(());
        }
        let story = coded.story[d as usize];
        let (members, first, last) = if scope == Scope::Story {
            coded.story_docs[story as usize]
        } else {
            let published = coded.doc(d).published_at;
            (1, published, published)
        };
        let date = coded.unit_date(scope, d);
        bucket.clear();
        bucket.extend(periods.iter().map(|p| date.map_or(NO_DATE, |t| p.bucket_start(t))));
        for (i, &(a, fa)) in set.iter().enumerate().skip(from) {
            if a >= hi {
                break;
            }
            for &(b, fb) in &set[i + 1..] {
                let key = pair_key(a, b);
                let o = Occurrence {
                    doc: d,
                    story,
                    members,
                    first: first.unwrap_or(i64::MAX),
                    last: last.unwrap_or(i64::MIN),
                    start: fa.min(fb),
                    end: fa.max(fb) + 1,
                };
                out.pairs.entry(key).or_insert_with(PairCounts::new).add(&o, k);
                for (counts, &bucket) in out.buckets.iter_mut().zip(&bucket) {
                    let _ = counts.entry((bucket, key)).or_default().add(&o);
                }
            }
        }
        let held = out.pairs.len() + out.buckets.iter().map(HashMap::len).sum::<usize>();
        if held > budget && hi - lo > 1 {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    match flow {
        ControlFlow::Continue(()) => Ok(out),
        #[allow(clippy::cast_precision_loss, reason = "a share")]
        ControlFlow::Break(()) => Err(walked as f64 / units.max(1) as f64),
    }
}

/// Splits `[lo, hi)` into about `parts` ranges of equal pair weight, at least two.
fn split(weight: &[u64], (lo, hi): (u32, u32), parts: u64) -> Vec<(u32, u32)> {
    let within = &weight[lo as usize..hi as usize];
    let budget = within.iter().sum::<u64>().div_ceil(parts.max(2)).max(1);
    let ranges: Vec<(u32, u32)> =
        partitions(within, budget).into_iter().map(|(x, y)| (lo + x, lo + y)).collect();
    if ranges.len() > 1 {
        return ranges;
    }
    let mid = lo + (hi - lo) / 2;
    vec![(lo, mid), (mid, hi)]
}

/// Turns the counts of one range of `entity_a` ([`count_range`]) into rows of `cooccurrences`
/// and `cooccurrences_by_period` (marginals joined, measures computed, sorted) and hands them
/// to `sink`, in table order, a batch at a time.
fn write_range(
    coded: &Coded<'_>,
    scope: Scope,
    counted: RangeCounts,
    singles: &Singles,
    sink: &mut Sink<'_>,
) -> Result<(), Error> {
    let pe = |source| Error::Polars { scope: scope.as_str(), source };
    let periods = coded.config.sorted_periods();
    let mut pairs: Vec<(u64, PairCounts)> = counted.pairs.into_iter().collect();
    pairs.sort_unstable_by_key(|p| p.0);
    let mut evidence: Vec<Candidate> = Vec::new();
    let (mut a, mut b, mut count) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n_docs, mut n_stories, mut first, mut last) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, c) in pairs {
        let (x, y) = pair_of(key);
        a.push(x);
        b.push(y);
        count.push(c.tally.count);
        n_docs.push(c.tally.n_docs);
        n_stories.push(c.tally.n_stories);
        first.push((c.first != i64::MAX).then_some(c.first));
        last.push((c.last != i64::MIN).then_some(c.last));
        evidence.extend(c.evidence.into_iter().map(|(nth, d, s, e)| (x, y, nth, d, s, e)));
    }
    let pairs = DataFrame::new_infer_height(vec![
        Column::new("a".into(), a),
        Column::new("b".into(), b),
        Column::new("count".into(), count),
        Column::new("n_docs".into(), n_docs),
        Column::new("n_stories".into(), n_stories),
        Column::new("first".into(), first),
        Column::new("last".into(), last),
    ])
    .map_err(pe)?
    .lazy()
    .filter(col("count").gt_eq(lit(coded.config.min_count)));
    let n_units = singles.units_per_bucket.get(&None).map_or(0, |u| u.values().sum::<u32>());
    let pairs = with_marginals(pairs, &singles.all, &[])
        .with_column(lit(n_units).alias("n_units"))
        .with_columns(measures())
        .sort(["a", "b"], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    let mut cursor = 0;
    for offset in (0..pairs.height()).step_by(BATCH_ROWS) {
        let batch = pairs.slice(i64::try_from(offset).unwrap_or(i64::MAX), BATCH_ROWS);
        let rows = cooccurrence_rows(coded, scope, &batch, &evidence, &mut cursor).map_err(pe)?;
        sink(Rows::Cooccurrences(rows)).map_err(Error::Sink)?;
    }
    if periods.is_empty() {
        return Ok(());
    }

    // Every period's rows in one frame, sorted as the table is: pair, period, bucket.
    let kept = pairs.select(["a", "b"]).map_err(pe)?.lazy();
    drop(pairs);
    let mut frames = Vec::new();
    for ((index, &period), counts) in periods.iter().enumerate().zip(counted.buckets) {
        let bucket = bucket_col(period);
        let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut counts: Vec<((i64, u64), Tally)> = counts.into_iter().collect();
        counts.sort_unstable_by_key(|c| c.0);
        for ((start, key), c) in counts {
            let (x, y) = pair_of(key);
            columns.0.push(start);
            columns.1.push(x);
            columns.2.push(y);
            columns.3.push(c.count);
            columns.4.push(c.n_docs);
            columns.5.push(c.n_stories);
        }
        let pairs = DataFrame::new_infer_height(vec![
            Column::new(bucket.as_str().into(), columns.0),
            Column::new("a".into(), columns.1),
            Column::new("b".into(), columns.2),
            Column::new("count".into(), columns.3),
            Column::new("n_docs".into(), columns.4),
            Column::new("n_stories".into(), columns.5),
        ])
        .map_err(pe)?
        .lazy()
        .join(
            kept.clone(),
            [col("a"), col("b")],
            [col("a"), col("b")],
            JoinArgs::new(JoinType::Inner),
        );
        let singles_by_bucket = singles.by_period.get(&period).cloned().unwrap_or_default();
        let units = singles.units_per_bucket.get(&Some(period));
        let units = DataFrame::new_infer_height(vec![
            Column::new(
                bucket.as_str().into(),
                units.into_iter().flat_map(BTreeMap::keys).copied().collect::<Vec<i64>>(),
            ),
            Column::new(
                "n_units".into(),
                units.into_iter().flat_map(BTreeMap::values).copied().collect::<Vec<u32>>(),
            ),
        ])
        .map_err(pe)?
        .lazy();
        let columns = [
            "a",
            "b",
            "count",
            "count_a",
            "count_b",
            "n_units",
            "n_docs",
            "n_stories",
            "pmi",
            "npmi",
            "llr",
            "dice",
        ];
        let mut select: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
        select.push(lit(u32::try_from(index).unwrap_or(0)).alias("period"));
        select.push(col(&bucket).alias("start"));
        frames.push(
            with_marginals(pairs, &singles_by_bucket, &[bucket.as_str()])
                .join(units, [col(&bucket)], [col(&bucket)], JoinArgs::new(JoinType::Inner))
                .with_columns(measures())
                .select(select),
        );
    }
    let frame = concat(&frames, UnionArgs::default())
        .map_err(pe)?
        .sort(["a", "b", "period", "start"], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    for offset in (0..frame.height()).step_by(BATCH_ROWS) {
        let batch = frame.slice(i64::try_from(offset).unwrap_or(i64::MAX), BATCH_ROWS);
        let rows = period_rows_of(coded, scope, &periods, &batch).map_err(pe)?;
        sink(Rows::ByPeriod(rows)).map_err(Error::Sink)?;
    }
    Ok(())
}

/// Joins `count_a` and `count_b` (from `singles`: `entity`, `n` and the `by` columns) to a
/// frame of pairs `a`, `b`.
fn with_marginals(pairs: LazyFrame, singles: &LazyFrame, by: &[&str]) -> LazyFrame {
    let side = |name: &str, alias: &str| {
        let mut columns: Vec<Expr> = by.iter().map(|c| col(*c)).collect();
        columns.extend([col("entity").alias(name), col("n").alias(alias)]);
        singles.clone().select(columns)
    };
    let on = |name: &str| {
        let mut keys: Vec<Expr> = by.iter().map(|c| col(*c)).collect();
        keys.push(col(name));
        keys
    };
    pairs.join(side("a", "count_a"), on("a"), on("a"), JoinArgs::new(JoinType::Inner)).join(
        side("b", "count_b"),
        on("b"),
        on("b"),
        JoinArgs::new(JoinType::Inner),
    )
}

/// PMI, NPMI, G² and Dice from `count`, `count_a`, `count_b` and `n_units`, as
/// [`entente_schema::association`] defines them.
fn measures() -> [Expr; 4] {
    let f = |name: &str| col(name).cast(DataType::Float64);
    let (c, ca, cb, n) = (f("count"), f("count_a"), f("count_b"), f("n_units"));
    let pmi = (c.clone() * n.clone() / (ca.clone() * cb.clone())).log(lit(2.0));
    let h = lit(0.0) - (c.clone() / n.clone()).log(lit(2.0));
    let npmi = when(h.clone().gt(lit(0.0))).then(pmi.clone() / h).otherwise(lit(1.0));
    let term = |o: Expr, e: Expr| {
        when(o.clone().gt(lit(0.0)))
            .then(o.clone() * (o / e).log(lit(std::f64::consts::E)))
            .otherwise(lit(0.0))
    };
    let g2 = term(c.clone(), ca.clone() * cb.clone() / n.clone())
        + term(ca.clone() - c.clone(), ca.clone() * (n.clone() - cb.clone()) / n.clone())
        + term(cb.clone() - c.clone(), (n.clone() - ca.clone()) * cb.clone() / n.clone())
        + term(
            n.clone() - ca.clone() - cb.clone() + c.clone(),
            (n.clone() - ca.clone()) * (n.clone() - cb.clone()) / n,
        );
    let llr = lit(2.0) * g2;
    let llr = when(llr.clone().lt(lit(0.0))).then(lit(0.0)).otherwise(llr);
    let dice = lit(2.0) * c / (ca + cb);
    [pmi.alias("pmi"), npmi.alias("npmi"), llr.alias("llr"), dice.alias("dice")]
}

fn u32s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    let column = frame.column(name)?.cast(&DataType::UInt32)?;
    Ok(column.u32()?.iter().map(Option::unwrap_or_default).collect())
}

fn i64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let column = frame.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

fn f64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.iter().map(Option::unwrap_or_default).collect())
}

/// The counts and measures shared by both tables, column by column.
struct Counts {
    a: Vec<u32>,
    b: Vec<u32>,
    count: Vec<u32>,
    count_a: Vec<u32>,
    count_b: Vec<u32>,
    n_units: Vec<u32>,
    n_docs: Vec<u32>,
    n_stories: Vec<u32>,
    measures: [Vec<f64>; 4],
}

impl Counts {
    fn read(frame: &DataFrame) -> PolarsResult<Self> {
        Ok(Self {
            a: u32s(frame, "a")?,
            b: u32s(frame, "b")?,
            count: u32s(frame, "count")?,
            count_a: u32s(frame, "count_a")?,
            count_b: u32s(frame, "count_b")?,
            n_units: u32s(frame, "n_units")?,
            n_docs: u32s(frame, "n_docs")?,
            n_stories: u32s(frame, "n_stories")?,
            measures: [
                f64s(frame, "pmi")?,
                f64s(frame, "npmi")?,
                f64s(frame, "llr")?,
                f64s(frame, "dice")?,
            ],
        })
    }
}

/// The `cooccurrences` row of pair `i` of `c` (without evidence and dates when those are
/// `None`: the rows of `cooccurrences_by_period`).
fn pair_row(
    coded: &Coded<'_>,
    scope: Scope,
    c: &Counts,
    i: usize,
    dates: (Option<i64>, Option<i64>),
    evidence: Vec<Evidence>,
) -> Cooccurrence {
    let ((id_a, name_a, type_a), (id_b, name_b, type_b)) =
        (coded.entity(c.a[i]), coded.entity(c.b[i]));
    let (first_doc_id, first_sentence_idx) =
        evidence.first().map(|e| (e.doc_id.clone(), e.sentence_idx)).unwrap_or_default();
    let [pmi, npmi, llr, dice] = [0, 1, 2, 3].map(|m| c.measures[m][i]);
    Cooccurrence {
        scope,
        entity_a: id_a.clone(),
        entity_b: id_b.clone(),
        name_a: name_a.clone(),
        name_b: name_b.clone(),
        type_a: *type_a,
        type_b: *type_b,
        count: c.count[i],
        count_a: c.count_a[i],
        count_b: c.count_b[i],
        n_units: c.n_units[i],
        pmi,
        npmi,
        llr,
        dice,
        n_docs: c.n_docs[i],
        n_stories: c.n_stories[i],
        first_published_at: dates.0,
        last_published_at: dates.1,
        first_doc_id,
        first_sentence_idx,
        evidence,
    }
}

/// The `cooccurrences` rows of a batch of pairs (sorted by pair), with their evidence from
/// `evidence` (sorted by pair), read from `cursor` on.
fn cooccurrence_rows(
    coded: &Coded<'_>,
    scope: Scope,
    frame: &DataFrame,
    evidence: &[Candidate],
    cursor: &mut usize,
) -> PolarsResult<Vec<Cooccurrence>> {
    let c = Counts::read(frame)?;
    let (first, last) = (i64s(frame, "first")?, i64s(frame, "last")?);
    Ok((0..c.a.len())
        .map(|i| {
            let pair = (c.a[i], c.b[i]);
            while evidence.get(*cursor).is_some_and(|e| (e.0, e.1) < pair) {
                *cursor += 1;
            }
            let mut units = Vec::new();
            while let Some(&(_, _, _, doc, start, end)) =
                evidence.get(*cursor).filter(|e| (e.0, e.1) == pair)
            {
                let doc_id = coded.doc(doc).doc_id.clone();
                units.push(Evidence { doc_id, sentence_idx: start, sentence_end: end });
                *cursor += 1;
            }
            pair_row(coded, scope, &c, i, (first[i], last[i]), units)
        })
        .collect())
}

/// The `cooccurrences_by_period` rows of a batch (`period` indexes `periods`, `start` is
/// the bucket).
fn period_rows_of(
    coded: &Coded<'_>,
    scope: Scope,
    periods: &[Period],
    frame: &DataFrame,
) -> PolarsResult<Vec<CooccurrencePeriod>> {
    let c = Counts::read(frame)?;
    let (index, starts) = (u32s(frame, "period")?, i64s(frame, "start")?);
    Ok(starts
        .into_iter()
        .enumerate()
        .map(|(i, start)| {
            let pair = pair_row(coded, scope, &c, i, (None, None), Vec::new());
            let period = periods[index[i] as usize];
            CooccurrencePeriod::of(period, start.filter(|&t| t != NO_DATE), pair)
        })
        .collect())
}
