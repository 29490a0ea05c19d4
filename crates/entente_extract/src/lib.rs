//! Extract: entity mentions with canonical identities, from the `documents` and `sentences`
//! tables.
//!
//! Two recognisers run over every sentence: the value [rules](find_values) (MONEY, PERCENT,
//! DATE) and the [`Gazetteer`] (countries and territories with their short forms, demonyms
//! and capitals; international organisations; political leaders; regions; events and
//! treaties), matched leftmost-longest on word boundaries. Where both match, the rule wins.
//! Every mention carries its canonical `entity_id`, so "SCO", "Shanghai Cooperation
//! Organisation" and "Shanghai Cooperation Organization" count as one entity.
//!
//! ```
//! use entente_extract::{ExtractConfig, Extractor};
//! let extractor = Extractor::new(&ExtractConfig::default(), &[])?;
//! let found = extractor.find("Xi Jinping hosted the SCO summit in 2025.");
//! let ids: Vec<&str> = found.iter().map(|m| m.entity_id.as_str()).collect();
//! assert_eq!(ids, ["person:xi-jinping", "org:sco", "date:2025"]);
//! # Ok::<(), entente_extract::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

pub use crate::gazetteer::{BUILTIN_FILES, Entry, Gazetteer, GazetteerMatch, HINT_FILES};
pub use crate::identity::{
    ChosenNames, DOMINANCE, Decided, Decisions, Link, MIN_SUPPORT, Mention, Names, Surnames,
};
pub use crate::overrides::{Add, Alias, Block, Merge, Overrides};
pub use crate::passes::{Pass, Passes};
pub use crate::places::READING_FILES;
pub use crate::rules::{RuleMatch, find_values};

pub mod eval;
pub mod passes;
pub mod tagger;

mod gazetteer;
mod identity;
mod overrides;
mod places;
mod resolve;
mod rules;
mod tagged;
mod titles;
mod words;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use entente_schema::{
    Document, Entity, EntityType, LinkedBy, Method, Reject, RejectReason, Sentence,
    spans_from_byte_ranges,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::passes::hint_places::Hints;

/// An error building the extractor from its configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A gazetteer file is malformed.
    #[error("gazetteer {file}, line {line}: {detail}")]
    Gazetteer {
        /// The file's name.
        file: String,
        /// 1-based line number (0 for the whole file).
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// The tagger's model does not load.
    #[error("NER model: {0}")]
    Model(String),
    /// The overrides file asks for something impossible.
    #[error("overrides: {0}")]
    Overrides(String),
}

/// Options of the extract stage (`[extract]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Whether to find MONEY, PERCENT, DATE and QUANTITY mentions.
    pub values: bool,
    /// Whether to use the gazetteer shipped with entente (files given in `gazetteers` are
    /// used either way).
    pub builtin_gazetteer: bool,
    /// Whether to find names no gazetteer lists with the statistical tagger (README, "Entity
    /// recognition").
    pub model: bool,
    /// What kind of text the pipeline reads, and so which weights the tagger reads it with:
    /// "auto" (the default: each document as the kind it reads like, a post, an encyclopedia
    /// article or news), "news", "social" (tweets and other posts) or "encyclopedia"
    /// (Wikipedia articles) (README, "Quality").
    pub text: tagger::TextKind,
    /// A document whose extraction takes longer than this many milliseconds is a `timed_out`
    /// reject (its mentions are left out) instead of holding up the run; 0 for no limit.
    /// Checked between the steps of a document's extraction by the clock [`TimeBudget`]
    /// gives, so only a run that hits it depends on the machine's speed.
    pub max_ms_per_document: u64,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        Self {
            values: true,
            builtin_gazetteer: true,
            model: true,
            text: tagger::TextKind::Auto,
            max_ms_per_document: 30_000,
        }
    }
}

/// The per-document time limit with the clock that measures it. Stages do not read the clock
/// themselves (their output must not depend on it): the CLI passes [`std::time::Instant::now`].
#[derive(Debug, Clone, Copy)]
pub struct TimeBudget {
    /// The longest a document's extraction may take.
    pub limit: std::time::Duration,
    /// The clock.
    pub now: fn() -> std::time::Instant,
}

impl TimeBudget {
    /// The budget of `config` on `clock`, or `None` when it has no limit.
    pub fn of(config: &ExtractConfig, now: fn() -> std::time::Instant) -> Option<Self> {
        (config.max_ms_per_document > 0).then(|| Self {
            limit: std::time::Duration::from_millis(config.max_ms_per_document),
            now,
        })
    }
}

/// Starts a document's clock; `over` says, between steps, whether the budget is spent.
struct Stopwatch(Option<(TimeBudget, std::time::Instant)>);

impl Stopwatch {
    fn start(budget: Option<TimeBudget>) -> Self {
        Self(budget.map(|b| (b, (b.now)())))
    }

    /// `Some(elapsed)` once the budget is spent.
    fn over(&self) -> Option<std::time::Duration> {
        let (budget, started) = self.0?;
        let elapsed = (budget.now)().saturating_duration_since(started);
        (elapsed > budget.limit).then_some(elapsed)
    }
}

/// The tagger's weights shipped with entente (`entente train ner`, `just train-ner`); an empty
/// file means no model.
const MODEL: &[u8] = include_bytes!("../data/ner.model.zst");

/// The tagger's weights for the kinds of text other than news (`just train-ner`): shared
/// weights and each kind's own ([`tagger::TextModel`]).
const TEXT_MODEL: &[u8] = include_bytes!("../data/ner-texts.model.zst");

/// The shipped tagger for text of `kind`, decoded on first use and shared by every extractor
/// of the process: a library caller that runs many small pipelines decodes it once.
fn shipped_tagger(kind: tagger::TextKind) -> Result<Arc<tagger::Tagger>, Error> {
    type Shipped = OnceLock<Result<Arc<tagger::Tagger>, String>>;
    static TAGGERS: [Shipped; tagger::TextKind::READ.len()] =
        [const { OnceLock::new() }; tagger::TextKind::READ.len()];
    let slot = tagger::TextKind::READ.iter().position(|&k| k == kind).unwrap_or(0);
    TAGGERS[slot]
        .get_or_init(|| {
            let decoded = if kind == tagger::TextKind::News {
                tagger::Tagger::from_bytes(MODEL)
            } else {
                tagger::TextModel::from_bytes(TEXT_MODEL).map(|m| m.tagger(kind))
            };
            decoded.map(Arc::new).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(Error::Model)
}

/// A hash of the data compiled into the extractor: the tagger's model and word lists and the
/// built-in gazetteers. A build with other data extracts again rather than reusing the tables
/// an earlier run left (it is part of the extract stage's configuration hash).
pub fn builtin_data_hash() -> String {
    let mut bytes = MODEL.to_vec();
    bytes.extend_from_slice(TEXT_MODEL);
    let lists = tagger::words::WORD_LISTS.into_iter();
    let files = BUILTIN_FILES
        .iter()
        .chain(HINT_FILES)
        .chain(READING_FILES)
        .chain(&words::FILES)
        .map(|(_, contents)| *contents);
    for text in lists.chain(files).chain([places::COUNTRY_YEARS]) {
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    bytes.extend_from_slice(tagger::words::VECTORS_FILE);
    entente_schema::hash_hex(&bytes)
}

/// A mention found in some text, in byte offsets of that text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Canonical key.
    pub entity_id: String,
    /// Canonical name.
    pub entity_name: String,
    /// Type.
    pub entity_type: EntityType,
    /// How it was found.
    pub method: Method,
    /// The title or role written before a person's name ("Treasury Secretary").
    pub title: Option<String>,
    /// How it got its id; `None` for values.
    pub linked_by: Option<LinkedBy>,
    /// The country of a demonym, capital or national body.
    pub country_id: Option<String>,
    /// Value of a MONEY or PERCENT mention.
    pub value: Option<f64>,
    /// Unit of `value`.
    pub unit: Option<String>,
    /// ISO date of a DATE mention.
    pub iso_date: Option<String>,
}

/// The recognisers, built once and shared by all threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    gazetteer: Gazetteer,
    /// Places never reported on their own, whose ids go to the places the tagger finds there
    /// ([`HINT_FILES`]); none when the built-in gazetteer is off.
    hints: Hints,
    /// The other readings of place names that places in several countries share (none when
    /// the built-in gazetteer is off).
    readings: Option<Gazetteer>,
    /// The post-tagger rules that run.
    passes: Passes,
    values: bool,
    tagger: Option<Arc<tagger::Tagger>>,
    /// Whether each document is read with the shipped weights of the kind it reads like
    /// ([`tagger::TextKind::of_document`], `[extract] text = "auto"`), each kind's decoded
    /// when its first document comes.
    auto: bool,
    corrections: overrides::Corrections,
    budget: Option<TimeBudget>,
}

impl Extractor {
    /// Builds the extractor; `extra_gazetteers` are `(name, contents)` TSV files in the format
    /// of [`Gazetteer::from_files`], added after the built-in ones.
    pub fn new(config: &ExtractConfig, extra_gazetteers: &[(&str, &str)]) -> Result<Self, Error> {
        let (gazetteer, hints, readings) = if config.builtin_gazetteer {
            (
                Gazetteer::builtin_with(extra_gazetteers)?,
                Some(Gazetteer::hints()?),
                Some(Gazetteer::for_lookups(READING_FILES)?),
            )
        } else {
            (Gazetteer::from_files(extra_gazetteers)?, None, None)
        };
        let model = config.model && !MODEL.is_empty();
        let auto = config.text == tagger::TextKind::Auto;
        let kind = if auto { tagger::TextKind::News } else { config.text };
        let tagger = if model { Some(shipped_tagger(kind)?) } else { None };
        Ok(Self {
            gazetteer,
            hints: Hints(hints),
            readings,
            passes: Passes::all(),
            values: config.values,
            tagger,
            auto,
            corrections: overrides::Corrections::default(),
            budget: None,
        })
    }

    /// The same extractor with a per-document time budget (see
    /// [`ExtractConfig::max_ms_per_document`]); without one, extraction never times out.
    #[must_use]
    pub fn with_time_budget(mut self, budget: Option<TimeBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// The `[[merge]]` ids and `[[block]]` ids and texts of the overrides that have changed no
    /// mention this extractor found so far ("merge #2: id org:acme-widgets-inc",
    /// "block #1: text \"Deeper Dive\""): merges first, then blocks, each in the file's order.
    #[must_use]
    pub fn unused_overrides(&self) -> Vec<String> {
        self.corrections.unused()
    }

    /// The same extractor with the user's [`Overrides`]: their entities and aliases join the
    /// gazetteer, their merges and blocks apply to every document's mentions.
    pub fn with_overrides(mut self, overrides: &Overrides) -> Result<Self, Error> {
        let (gazetteer, corrections) = overrides.apply_to(&self.gazetteer)?;
        self.gazetteer = gazetteer;
        self.corrections = corrections;
        Ok(self)
    }

    /// The same extractor running only `passes` of the post-tagger rules (all by default):
    /// `entente eval ner --without-pass` scores without some.
    #[must_use]
    pub fn with_passes(mut self, passes: Passes) -> Self {
        self.passes = passes;
        self
    }

    /// The same extractor with `tagger` as its statistical tagger for every document (or
    /// none).
    #[must_use]
    pub fn with_tagger(mut self, tagger: Option<tagger::Tagger>) -> Self {
        self.tagger = tagger.map(Arc::new);
        self.auto = false;
        self
    }

    /// The `CoNLL` label (`B-LOC`, `I-PER`, or "") the gazetteer gives each token.
    pub fn gazetteer_labels(found: &[Found], tokens: &[(usize, usize)]) -> Vec<&'static str> {
        tokens
            .iter()
            .map(|&(s, e)| {
                found
                    .iter()
                    .filter(|f| f.method == Method::Gazetteer && f.start <= s && e <= f.end)
                    .find_map(|f| {
                        let kind = tagger::Kind::parse(eval::conll_label(f.entity_type)?)?;
                        let label = if f.start == s {
                            tagger::Label::Begin(kind)
                        } else {
                            tagger::Label::Inside(kind)
                        };
                        Some(label.as_str())
                    })
                    .unwrap_or("")
            })
            .collect()
    }

    /// Names the tagger finds in each sentence of a document that overlap nothing the rules
    /// and gazetteers found there, after the passes: `sentences` are `(text, listed
    /// mentions)`.
    fn tagged(&self, sentences: &[(&str, &[Found])]) -> Vec<Vec<Found>> {
        let Some(mut tagger) = self.tagger.clone() else {
            return vec![Vec::new(); sentences.len()];
        };
        if self.auto {
            let texts: Vec<&str> = sentences.iter().map(|&(text, _)| text).collect();
            let kind = tagger::TextKind::of_document(&texts);
            // The compiled-in weights load (`shipped_weights_load_for_every_kind_of_text`);
            // a build whose other weights did not would read every document as news.
            if kind != tagger::TextKind::News
                && let Ok(own) = shipped_tagger(kind)
            {
                tagger = own;
            }
        }
        let ranges: Vec<Vec<(usize, usize)>> =
            sentences.iter().map(|(text, _)| tagger::tokenize(text)).collect();
        let tokens: Vec<Vec<tagger::Token<'_>>> = sentences
            .iter()
            .zip(&ranges)
            .map(|(&(text, found), ranges)| {
                let gaz = Self::gazetteer_labels(found, ranges);
                ranges
                    .iter()
                    .zip(gaz)
                    .map(|(&(s, e), g)| tagger::Token {
                        text: text.get(s..e).unwrap_or(""),
                        gazetteer: g,
                    })
                    .collect()
            })
            .collect();
        let labels = tagger.tag_doc(&tokens, self.passes);
        tagged::names(sentences, &ranges, &labels, &self.hints, self.passes)
    }

    /// The one-word aliases of the gazetteer's people, for [`Names::choose_with`].
    pub fn surnames(&self) -> Surnames {
        Surnames::of(&self.gazetteer)
    }

    /// The gazetteer in use.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The mentions in `text`, read as one sentence, sorted by position, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        self.find_sentences(&[text]).pop().unwrap_or_default()
    }

    /// The mentions in each of a document's sentences, in order: the tagger reads the
    /// sentences together, so how the document writes a word elsewhere counts.
    pub fn find_sentences(&self, sentences: &[&str]) -> Vec<Vec<Found>> {
        self.find_sentences_checked(sentences, &|_| Ok::<(), ()>(())).unwrap_or_default()
    }

    /// [`Extractor::find_sentences`], calling `check` with the name of each step done (every
    /// 256 sentences of the rules and gazetteer, then the tagger) and stopping at its error.
    fn find_sentences_checked<E>(
        &self,
        sentences: &[&str],
        check: &dyn Fn(&str) -> Result<(), E>,
    ) -> Result<Vec<Vec<Found>>, E> {
        let mut listed: Vec<Vec<Found>> = Vec::with_capacity(sentences.len());
        for chunk in sentences.chunks(256) {
            listed.extend(chunk.iter().map(|t| self.find_listed(t)));
            check("rules and gazetteer")?;
        }
        let input: Vec<(&str, &[Found])> =
            sentences.iter().copied().zip(listed.iter().map(Vec::as_slice)).collect();
        let tagged = self.tagged(&input);
        check("tagger")?;
        Ok(listed
            .into_iter()
            .zip(tagged)
            .zip(sentences)
            .map(|((listed, tagged), text)| self.combine(text, listed, tagged))
            .collect())
    }

    /// A sentence's mentions: the lists' (`listed`) that no tagged name overlaps, the tagged
    /// names, the user's corrections applied, sorted by start.
    fn combine(&self, text: &str, listed: Vec<Found>, tagged: Vec<Found>) -> Vec<Found> {
        let mut out: Vec<((), Found)> = listed
            .into_iter()
            .filter(|f| !tagged.iter().any(|t| f.start < t.end && t.start < f.end))
            .map(|f| ((), f))
            .collect();
        out.extend(tagged.into_iter().map(|f| ((), f)));
        self.corrections.apply(text, &mut out);
        let mut out: Vec<Found> = out.into_iter().map(|((), f)| f).collect();
        out.sort_by_key(|f| f.start);
        out
    }

    /// The mentions the rules and gazetteers find in `text` (not the tagger), sorted.
    pub fn find_listed(&self, text: &str) -> Vec<Found> {
        let values = if self.values { find_values(text) } else { Vec::new() };
        let mut out: Vec<Found> = Vec::with_capacity(values.len());
        for v in values {
            let (entity_id, entity_name) = v.identity();
            out.push(Found {
                start: v.start,
                end: v.end,
                entity_id,
                entity_name,
                entity_type: v.entity_type,
                method: Method::Rule,
                title: None,
                linked_by: None,
                country_id: None,
                value: v.value,
                unit: v.unit,
                iso_date: v.iso_date,
            });
        }
        let taken: Vec<(usize, usize)> = out.iter().map(|f| (f.start, f.end)).collect();
        let mut listed = Vec::new();
        for m in self.gazetteer.find(text) {
            if taken.iter().any(|&(s, e)| m.start < e && s < m.end) {
                continue;
            }
            let entry = &self.gazetteer.entries()[m.entry];
            let surface = text.get(m.start..m.end).unwrap_or_default();
            if entry.entity_type == EntityType::Person && !surface.contains(char::is_whitespace) {
                // A surname alone ("Stoltenberg") is only a name here: whose, a full name in
                // the document (`resolve::short_forms`) or the corpus (`Names::choose`) says.
                listed.push(Found {
                    method: Method::Gazetteer,
                    ..tagged::tagged_name(text, m.start, m.end, EntityType::Person)
                });
                continue;
            }
            listed.push(Found {
                start: m.start,
                end: m.end,
                entity_id: entry.id.clone(),
                entity_name: entry.name.clone(),
                entity_type: entry.entity_type,
                method: Method::Gazetteer,
                title: None,
                linked_by: Some(LinkedBy::Gazetteer),
                country_id: entry.country_id.clone(),
                value: None,
                unit: None,
                iso_date: None,
            });
        }
        places::drop_inside_hyphenated(text, &mut listed);
        out.extend(listed);
        out.sort_by_key(|f| f.start);
        out
    }
}

/// Finds the entity mentions of every document's sentences, in parallel on the current rayon
/// pool. Rows are sorted by `doc_id` and `mention_idx`; mentions are numbered in text order.
/// Sentences whose document is missing, or whose offsets do not fit its text, yield nothing
/// (`entente validate` reports such tables). Documents with `extractable = false` (a language
/// the extractor does not read) are skipped, and so are documents over the time budget (see
/// [`extract_batch`] for their rejects).
pub fn extract(
    documents: &[Document],
    sentences: &[Sentence],
    extractor: &Extractor,
) -> Vec<Entity> {
    let mut entities = extract_batch(documents, sentences, extractor).entities.into_vec();
    let mut names = Names::default();
    names.add(&entities);
    names.choose_with(&extractor.surnames()).apply(&mut entities);
    entities
}

/// What extraction made of a batch of documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// The mentions, in table order.
    pub entities: Mentions,
    /// One `timed_out` reject per document over the time budget, sorted by source and record.
    pub rejects: Vec<Reject>,
}

/// A batch's mentions in table order (by `doc_id`, then `mention_idx`), left in the vectors
/// their documents were extracted into: gathering them into one would copy every row once
/// more, on one thread while the others wait, into memory the kernel must first zero. Two are
/// equal when they hold the same mentions in the same order, however they lie in vectors.
#[derive(Debug, Clone, Default)]
pub struct Mentions(Vec<Vec<Entity>>);

impl PartialEq for Mentions {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Mentions {
    /// How many mentions there are.
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// The mentions in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Entity> + Clone {
        self.into_iter()
    }

    /// The mentions in table order, in one vector.
    pub fn into_vec(self) -> Vec<Entity> {
        let mut all = Vec::with_capacity(self.len());
        for entities in self.0 {
            all.extend(entities);
        }
        all
    }
}

impl From<Vec<Entity>> for Mentions {
    /// Mentions already in table order, in one vector.
    fn from(entities: Vec<Entity>) -> Self {
        Mentions(vec![entities])
    }
}

impl<'a> IntoIterator for &'a Mentions {
    type Item = &'a Entity;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Entity>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().flatten()
    }
}

/// [`extract`] without choosing one name per id across documents: each mention keeps the
/// name its own document gave it. A run over batches counts each batch's names in [`Names`]
/// and applies [`Names::choose`] once all are seen.
pub fn extract_batch(
    documents: &[Document],
    sentences: &[Sentence],
    extractor: &Extractor,
) -> Extracted {
    let mut by_doc: rustc_hash::FxHashMap<&str, Vec<&Sentence>> = rustc_hash::FxHashMap::default();
    for s in sentences {
        by_doc.entry(s.doc_id.as_str()).or_default().push(s);
    }
    let mut results: Vec<(&str, Result<Vec<Entity>, Reject>)> = documents
        .par_iter()
        .filter(|doc| doc.extractable != Some(false))
        .map(|doc| {
            let sentences = by_doc.get(doc.doc_id.as_str()).map_or(&[][..], Vec::as_slice);
            (doc.doc_id.as_str(), extract_document(doc, sentences, extractor))
        })
        .collect();
    // The mentions in table order: documents sorted by id, each one's mentions as numbered.
    // Sorting the documents, not the mentions, keeps this end of the batch (on one thread)
    // short; the mentions are sorted only if that order is not already theirs (two
    // documents of one id). A document's mentions all carry its id.
    results.sort_by_key(|r| r.0);
    let mut in_order = results.windows(2).all(|w| w[0].0 < w[1].0);
    let mut out = Extracted::default();
    for (_, result) in results {
        match result {
            Ok(entities) if !entities.is_empty() => {
                in_order &= entities.is_sorted_by_key(|e| e.mention_idx);
                out.entities.0.push(entities);
            }
            Ok(_) => {}
            Err(reject) => out.rejects.push(reject),
        }
    }
    if !in_order {
        let mut all = std::mem::take(&mut out.entities).into_vec();
        all.sort_by(|a, b| table_order(a).cmp(&table_order(b)));
        out.entities.0.push(all);
    }
    out.rejects.sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
    out
}

/// Where a mention goes in the `entities` table.
fn table_order(e: &Entity) -> (&str, u32) {
    (e.doc_id.as_str(), e.mention_idx)
}

/// The stage name written in `rejects.stage`.
pub const STAGE: entente_schema::Stage = entente_schema::Stage::Extract;

/// The mentions of one document, numbered in text order; a `timed_out` reject when the
/// extractor's [`TimeBudget`] runs out (checked after each step: rules and gazetteer, tagger,
/// short forms, acronyms).
pub fn extract_document(
    doc: &Document,
    sentences: &[&Sentence],
    extractor: &Extractor,
) -> Result<Vec<Entity>, Reject> {
    let stopwatch = Stopwatch::start(extractor.budget);
    let check = |step: &str| match stopwatch.over() {
        Some(elapsed) => Err(Reject {
            source: doc.source.clone(),
            source_record: doc.source_record,
            stage: STAGE,
            reason: RejectReason::TimedOut,
            detail: format!(
                "extraction stopped after {} ms ({step}), over max_ms_per_document = {}; \
                 the document is kept without mentions",
                elapsed.as_millis(),
                extractor.budget.map_or(0, |b| b.limit.as_millis())
            ),
        }),
        None => Ok(()),
    };
    let mut sentences = sentences.to_vec();
    sentences.sort_by_key(|s| s.sentence_idx);
    sentences.retain(|s| doc.text.get(s.byte_start as usize..s.byte_end as usize).is_some());
    let texts: Vec<&str> = sentences
        .iter()
        .map(|s| doc.text.get(s.byte_start as usize..s.byte_end as usize).unwrap_or_default())
        .collect();
    let mut found: Vec<(u32, Found)> = Vec::new();
    for (s, mentions) in sentences.iter().zip(extractor.find_sentences_checked(&texts, &check)?) {
        let start = s.byte_start as usize;
        found.extend(mentions.into_iter().map(|mut f| {
            f.start += start;
            f.end += start;
            (s.sentence_idx, f)
        }));
    }
    let short = resolve::short_forms(&doc.text, &sentences, &mut found);
    found.extend(short);
    check("short forms")?;
    resolve::acronyms(&doc.text, &sentences, &mut found);
    check("acronyms")?;
    if let Some(readings) = &extractor.readings {
        let year = doc.published_at.map(entente_schema::year_of);
        places::settle(&doc.text, &mut found, readings, year);
    }
    places::national_acronyms(&doc.text, &mut found);
    if extractor.passes.contains(Pass::Capitals) {
        let ends: Vec<(u32, usize, &str)> = sentences
            .iter()
            .zip(&texts)
            .map(|(s, text)| (s.sentence_idx, s.byte_end as usize, *text))
            .collect();
        let headline = passes::capitals::headline(&doc.text, doc.title.as_deref(), &ends);
        passes::capitals::keep_vouched(&headline, &mut found);
    }
    let starts: HashMap<u32, usize> =
        sentences.iter().map(|s| (s.sentence_idx, s.byte_start as usize)).collect();
    titles::assign(&doc.text, &mut found, |s| starts.get(&s).copied().unwrap_or(0));
    // Again: short forms and acronyms may bring back a merged id or a blocked text.
    extractor.corrections.apply(&doc.text, &mut found);
    let ranges: Vec<(usize, usize)> = found.iter().map(|(_, f)| (f.start, f.end)).collect();
    let spans = spans_from_byte_ranges(&doc.text, &ranges);
    Ok(found
        .into_iter()
        .zip(spans)
        .enumerate()
        .map(|(i, ((sentence_idx, f), span))| Entity {
            doc_id: doc.doc_id.clone(),
            sentence_idx,
            mention_idx: u32::try_from(i).unwrap_or(u32::MAX),
            char_start: span.char_start,
            char_end: span.char_end,
            byte_start: span.byte_start,
            byte_end: span.byte_end,
            text: doc.text.get(f.start..f.end).unwrap_or_default().to_owned(),
            entity_id: f.entity_id,
            entity_name: f.entity_name,
            entity_type: f.entity_type,
            method: f.method,
            title: f.title,
            linked_by: f.linked_by,
            country_id: f.country_id,
            value: f.value,
            unit: f.unit,
            iso_date: f.iso_date,
        })
        .collect())
}
