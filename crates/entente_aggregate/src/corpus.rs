//! The compact corpus the stage counts over: documents and mentions as integers, and the
//! walk over a scope's units.

use std::collections::{BTreeMap, HashSet};
use std::ops::ControlFlow;

use arrow::array::{Array, RecordBatch, StringArray, UInt32Array};
use entente_schema::AggregateConfig;
use entente_schema::{Document, Entity, EntityType, Period, Scope};
use rustc_hash::FxHashMap;

use crate::{Error, NO_DATE};

/// What the stage reads, in compact form: per document its story, date and sentence count;
/// per entity its id, name and type; per mention its sentence and entity (8 bytes; the
/// document is where the mention sits); per entity its surface forms with counts.
#[derive(Debug, Default)]
pub struct Corpus {
    pub(crate) docs: Vec<Doc>,
    pub(crate) doc_index: FxHashMap<String, u32>,
    pub(crate) entity_index: FxHashMap<String, u32>,
    pub(crate) entities: Vec<(String, String, EntityType)>,
    /// The mentions in the order added: a document's mentions usually come together.
    pub(crate) mentions: Vec<Mention>,
    /// Where each run of mentions of one document starts: (document, first mention).
    pub(crate) runs: Vec<(u32, usize)>,
    pub(crate) surfaces: Vec<FxHashMap<String, u32>>,
}

/// A document as the counts need it: 56 bytes and its id.
#[derive(Debug)]
#[allow(clippy::struct_field_names, reason = "named as the columns they come from")]
pub(crate) struct Doc {
    pub(crate) doc_id: Box<str>,
    /// Its `story_id` when that is another document's: a story's canonical document is its
    /// own story (so is a document without a `story_id`), and most documents are canonical.
    pub(crate) story: Option<Box<str>>,
    pub(crate) published_at: Option<i64>,
    pub(crate) n_sentences: u32,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Doc>() == 56);

impl Doc {
    /// The key of its story: the canonical document's id.
    pub(crate) fn story_key(&self) -> &str {
        self.story.as_deref().unwrap_or(&self.doc_id)
    }
}

/// A mention of a document as integers: sentence, entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Mention {
    pub(crate) sentence: u32,
    pub(crate) entity: u32,
}

/// The columns of a `documents` row the corpus keeps: a reader can decode these alone and
/// leave the texts.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DocumentKey {
    /// `doc_id`.
    pub doc_id: String,
    /// `story_id`.
    pub story_id: Option<String>,
    /// `published_at`, microseconds since the epoch.
    pub published_at: Option<i64>,
    /// `n_sentences`.
    pub n_sentences: Option<u32>,
}

impl DocumentKey {
    /// The `documents` columns of a [`DocumentKey`].
    pub const COLUMNS: &[&str] = &["doc_id", "story_id", "published_at", "n_sentences"];
}

/// What the corpus keeps of a mention's entity: id, name, type and the text as written.
trait Named {
    fn named(&self) -> (&str, &str, EntityType, &str);
}

impl Named for Entity {
    fn named(&self) -> (&str, &str, EntityType, &str) {
        (&self.entity_id, &self.entity_name, self.entity_type, &self.text)
    }
}

impl Named for (&str, &str, EntityType, &str) {
    fn named(&self) -> (&str, &str, EntityType, &str) {
        *self
    }
}

impl Corpus {
    /// Makes room for `documents` more documents and `mentions` more mentions, so that adding
    /// them never copies what was added before.
    pub fn reserve(&mut self, documents: usize, mentions: usize) {
        self.docs.reserve_exact(documents);
        self.doc_index.reserve(documents);
        self.mentions.reserve_exact(mentions);
    }

    /// Adds a document (a `documents` row); only its id, story, date and sentence count are
    /// kept.
    pub fn add_document(&mut self, d: &Document) -> Result<(), Error> {
        self.add_doc(&d.doc_id, d.story_id.as_deref(), d.published_at, d.n_sentences)
    }

    /// Adds a document from the columns of `documents` it needs ([`DocumentKey::COLUMNS`]).
    pub fn add_document_key(&mut self, d: &DocumentKey) -> Result<(), Error> {
        self.add_doc(&d.doc_id, d.story_id.as_deref(), d.published_at, d.n_sentences)
    }

    fn add_doc(
        &mut self,
        doc_id: &str,
        story_id: Option<&str>,
        published_at: Option<i64>,
        n_sentences: Option<u32>,
    ) -> Result<(), Error> {
        let next = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        if self.doc_index.insert(doc_id.to_owned(), next).is_some() {
            return Err(Error::DuplicateDocument(doc_id.to_owned()));
        }
        self.docs.push(Doc {
            doc_id: doc_id.into(),
            story: story_id.filter(|s| *s != doc_id).map(Box::from),
            published_at,
            n_sentences: n_sentences.unwrap_or(0),
        });
        Ok(())
    }

    /// Adds a mention (an `entities` row) of a document added before.
    pub fn add_mention(&mut self, e: &Entity) -> Result<(), Error> {
        self.add_mention_of(&e.doc_id, e.sentence_idx, e.mention_idx, e)
    }

    /// The `entities` columns [`Corpus::add_mentions`] reads.
    pub const MENTION_COLUMNS: &[&str] = &[
        "doc_id",
        "sentence_idx",
        "mention_idx",
        "entity_id",
        "entity_name",
        "entity_type",
        "text",
    ];

    /// Adds the mentions of a record batch of `entities` holding at least the columns
    /// [`Corpus::MENTION_COLUMNS`], taking each value from the arrays (no row of owned strings
    /// per mention).
    pub fn add_mentions(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let column = |name: &'static str| {
            batch.column_by_name(name).filter(|c| c.null_count() == 0).ok_or(Error::Column(name))
        };
        let strings =
            |name| column(name)?.as_any().downcast_ref::<StringArray>().ok_or(Error::Column(name));
        let numbers =
            |name| column(name)?.as_any().downcast_ref::<UInt32Array>().ok_or(Error::Column(name));
        let (doc_id, entity_id, entity_name, text) =
            (strings("doc_id")?, strings("entity_id")?, strings("entity_name")?, strings("text")?);
        let (sentence_idx, mention_idx) = (numbers("sentence_idx")?, numbers("mention_idx")?);
        let entity_type = strings("entity_type")?;
        for row in 0..batch.num_rows() {
            let label = entity_type.value(row);
            let Some(ty) = EntityType::ALL.into_iter().find(|t| t.as_str() == label) else {
                return Err(Error::EntityType {
                    doc_id: doc_id.value(row).to_owned(),
                    mention_idx: mention_idx.value(row),
                    value: label.to_owned(),
                });
            };
            let named = (entity_id.value(row), entity_name.value(row), ty, text.value(row));
            let (sentence, mention) = (sentence_idx.value(row), mention_idx.value(row));
            self.add_mention_of(doc_id.value(row), sentence, mention, &named)?;
        }
        Ok(())
    }

    fn add_mention_of(
        &mut self,
        doc_id: &str,
        sentence: u32,
        mention_idx: u32,
        e: &impl Named,
    ) -> Result<(), Error> {
        // A document's mentions usually come together: the last one's document is checked
        // before the index.
        let last =
            self.runs.last().map(|&(d, _)| d).filter(|&d| &*self.docs[d as usize].doc_id == doc_id);
        let Some(doc) = last.or_else(|| self.doc_index.get(doc_id).copied()) else {
            return Err(Error::UnknownDocument { doc_id: doc_id.to_owned(), mention_idx });
        };
        let (entity_id, entity_name, entity_type, text) = e.named();
        let entity = if let Some(&i) = self.entity_index.get(entity_id) {
            i
        } else {
            let i = u32::try_from(self.entities.len()).unwrap_or(u32::MAX);
            self.entity_index.insert(entity_id.to_owned(), i);
            self.entities.push((entity_id.to_owned(), entity_name.to_owned(), entity_type));
            self.surfaces.push(FxHashMap::default());
            i
        };
        let surfaces = &mut self.surfaces[entity as usize];
        match surfaces.get_mut(text) {
            Some(n) => *n += 1,
            None => {
                surfaces.insert(text.to_owned(), 1);
            }
        }
        if self.runs.last().is_none_or(|&(d, _)| d != doc) {
            self.runs.push((doc, self.mentions.len()));
        }
        self.mentions.push(Mention { sentence, entity });
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
pub(crate) struct Coded<'a> {
    pub(crate) corpus: &'a Corpus,
    pub(crate) config: &'a AggregateConfig,
    /// Input position of the document of each rank.
    pub(crate) doc_at: Vec<u32>,
    /// Story code of each document rank.
    pub(crate) story: Vec<u32>,
    /// Date of each story: its earliest document's.
    pub(crate) story_date: Vec<Option<i64>>,
    /// Documents of each story, and the first and last date among them.
    pub(crate) story_docs: Vec<(u32, Option<i64>, Option<i64>)>,
    /// Whether each document rank is its story's canonical document (the one `story` reads).
    pub(crate) canonical: Vec<bool>,
    /// Input position of the entity of each code.
    pub(crate) entity_at: Vec<u32>,
    /// Whether the entity of each code takes part in the counts (its type is counted and it
    /// is not on the stoplist).
    pub(crate) included: Vec<bool>,
    /// Every mention, entities re-coded, each document's together and sorted by sentence
    /// and entity.
    pub(crate) mentions: Vec<Mention>,
    /// The mentions of the document at each input position: `mentions[start..end]`.
    pub(crate) span: Vec<(usize, usize)>,
    /// Document ranks in walk order: story by story, then by rank.
    pub(crate) walk: Vec<u32>,
}

impl<'a> Coded<'a> {
    /// Codes `corpus`, whose mentions and runs the caller took out of it. The mentions are
    /// re-coded and sorted where they are: a document whose mentions came in more than one
    /// run has them copied together at the end first.
    pub(crate) fn new(
        corpus: &'a Corpus,
        mentions: Vec<Mention>,
        runs: &[(u32, usize)],
        config: &'a AggregateConfig,
    ) -> Self {
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
        let mut story_code: FxHashMap<&str, u32> = FxHashMap::default();
        let mut story = Vec::with_capacity(doc_at.len());
        let mut story_date = Vec::new();
        let mut story_docs: Vec<(u32, Option<i64>, Option<i64>)> = Vec::new();
        let mut canonical = Vec::with_capacity(doc_at.len());
        for &i in &doc_at {
            let d = &corpus.docs[i as usize];
            let key = d.story_key();
            canonical.push(d.story.is_none());
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
        drop(story_code);
        // Ranks are in order already, so a stable sort by story keeps them so within one.
        let mut walk: Vec<u32> = (0..u32::try_from(doc_at.len()).unwrap_or(u32::MAX)).collect();
        walk.sort_by_key(|&r| story[r as usize]);
        let mut entity_at: Vec<u32> =
            (0..u32::try_from(corpus.entities.len()).unwrap_or(u32::MAX)).collect();
        entity_at
            .sort_by(|&x, &y| corpus.entities[x as usize].0.cmp(&corpus.entities[y as usize].0));
        let mut code = vec![0u32; entity_at.len()];
        for (c, &i) in entity_at.iter().enumerate() {
            code[i as usize] = u32::try_from(c).unwrap_or(u32::MAX);
        }
        let stop: HashSet<&str> = config.stoplist.iter().map(String::as_str).collect();
        let included: Vec<bool> = entity_at
            .iter()
            .map(|&i| {
                let (id, _, t) = &corpus.entities[i as usize];
                config.entity_types.contains(t) && !stop.contains(id.as_str())
            })
            .collect();

        let mut mentions = mentions;
        for m in &mut mentions {
            m.entity = code[m.entity as usize];
        }
        let span = spans(&mut mentions, runs, corpus.docs.len());
        for &(start, end) in &span {
            mentions[start..end].sort_unstable();
        }
        Self {
            corpus,
            config,
            doc_at,
            story,
            story_date,
            story_docs,
            canonical,
            entity_at,
            included,
            mentions,
            span,
            walk,
        }
    }

    /// The mentions of document `rank`, sorted by sentence and entity (every entity, counted
    /// or not).
    pub(crate) fn mentions_of(&self, rank: u32) -> &[Mention] {
        let (start, end) = self.span[self.doc_at[rank as usize] as usize];
        &self.mentions[start..end]
    }

    pub(crate) fn doc(&self, rank: u32) -> &Doc {
        &self.corpus.docs[self.doc_at[rank as usize] as usize]
    }

    pub(crate) fn entity(&self, code: u32) -> &(String, String, EntityType) {
        &self.corpus.entities[self.entity_at[code as usize] as usize]
    }

    /// The date that puts a unit of `scope` in document `rank` into a time bucket.
    pub(crate) fn unit_date(&self, scope: Scope, rank: u32) -> Option<i64> {
        match scope {
            Scope::Story => self.story_date[self.story[rank as usize] as usize],
            _ => self.doc(rank).published_at,
        }
    }

    /// Units of `scope` per bucket of `period` (`None`: the whole run, one bucket).
    pub(crate) fn units_per_bucket(
        &self,
        scope: Scope,
        period: Option<Period>,
    ) -> BTreeMap<i64, u32> {
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

/// Where the mentions of each of `docs` documents are, given the `runs` they were added in:
/// a document with one run is where its run is; the mentions of a document with more are
/// copied together to the end of `mentions` (so only out-of-order input pays for a copy).
fn spans(mentions: &mut Vec<Mention>, runs: &[(u32, usize)], docs: usize) -> Vec<(usize, usize)> {
    // A run is never empty, so (0, 0) is a document with no run yet; (MAX, 0) one whose runs
    // are in `scattered`.
    const SCATTERED: (usize, usize) = (usize::MAX, 0);
    let mut span = vec![(0usize, 0usize); docs];
    let mut scattered: Vec<(u32, usize, usize)> = Vec::new();
    for (i, &(doc, start)) in runs.iter().enumerate() {
        let end = runs.get(i + 1).map_or(mentions.len(), |r| r.1);
        match span[doc as usize] {
            (0, 0) => span[doc as usize] = (start, end),
            SCATTERED => scattered.push((doc, start, end)),
            (first, last) => {
                scattered.extend([(doc, first, last), (doc, start, end)]);
                span[doc as usize] = SCATTERED;
            }
        }
    }
    if scattered.is_empty() {
        return span;
    }
    scattered.sort_by_key(|r| r.0);
    mentions.reserve_exact(scattered.iter().map(|r| r.2 - r.1).sum());
    for group in scattered.chunk_by(|x, y| x.0 == y.0) {
        let start = mentions.len();
        for &(_, from, to) in group {
            mentions.extend_from_within(from..to);
        }
        span[group[0].0 as usize] = (start, mentions.len());
    }
    span
}

/// Each unit of `scope` that mentions a counted entity, documents in walk order: its
/// document and its distinct counted entities in code order, each with the first sentence
/// of the unit mentioning it. Stops when `each` breaks.
pub(crate) fn for_each_unit(
    coded: &Coded<'_>,
    scope: Scope,
    mut each: impl FnMut(u32, &[(u32, u32)]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let span = coded.config.window_sentences.max(1);
    let included = &coded.included;
    let mut set: Vec<(u32, u32)> = Vec::new();
    let mut emit = |d: u32, set: &mut Vec<(u32, u32)>| {
        set.sort_unstable();
        set.dedup_by_key(|m| m.0);
        if set.is_empty() { ControlFlow::Continue(()) } else { each(d, set) }
    };
    for &d in &coded.walk {
        let doc = coded.mentions_of(d);
        if doc.is_empty() {
            continue;
        }
        match scope {
            Scope::Sentence => {
                for sentence in doc.chunk_by(|x, y| x.sentence == y.sentence) {
                    set.clear();
                    set.extend(counted(included, sentence));
                    emit(d, &mut set)?;
                }
            }
            Scope::Window => {
                // The document's mentions are sorted by sentence: each window is a slice.
                for w in 0..coded.config.windows(coded.doc(d).n_sentences) {
                    set.clear();
                    let lo = doc.partition_point(|m| m.sentence < w);
                    let hi = doc.partition_point(|m| m.sentence < w.saturating_add(span));
                    set.extend(counted(included, &doc[lo..hi]));
                    emit(d, &mut set)?;
                }
            }
            _ if scope == Scope::Story && !coded.canonical[d as usize] => {}
            _ => {
                set.clear();
                set.extend(counted(included, doc));
                emit(d, &mut set)?;
            }
        }
    }
    ControlFlow::Continue(())
}

/// The (entity, sentence) of each of `mentions` whose entity is `included`.
fn counted<'m>(
    included: &'m [bool],
    mentions: &'m [Mention],
) -> impl Iterator<Item = (u32, u32)> + 'm {
    mentions.iter().filter(|m| included[m.entity as usize]).map(|m| (m.entity, m.sentence))
}
