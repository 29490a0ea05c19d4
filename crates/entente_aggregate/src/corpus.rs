//! The compact corpus the stage counts over: documents and mentions as integers, and the
//! walk over a scope's units.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;

use entente_schema::AggregateConfig;
use entente_schema::{Document, Entity, EntitySummary, EntityType, Period, Scope};

use crate::{Error, NO_DATE};

/// What the stage reads, in compact form: per document its story, date and sentence count;
/// per entity its id, name and type; per mention three integers; per entity its surface
/// forms with counts.
#[derive(Debug, Default)]
pub struct Corpus {
    pub(crate) docs: Vec<Doc>,
    pub(crate) doc_index: HashMap<String, u32>,
    pub(crate) entity_index: HashMap<String, u32>,
    pub(crate) entities: Vec<(String, String, EntityType)>,
    pub(crate) mentions: Vec<Mention>,
    pub(crate) surfaces: Vec<HashMap<String, u32>>,
}

#[derive(Debug)]
#[allow(clippy::struct_field_names, reason = "named as the columns they come from")]
pub(crate) struct Doc {
    pub(crate) doc_id: String,
    pub(crate) story_id: Option<String>,
    pub(crate) published_at: Option<i64>,
    pub(crate) n_sentences: u32,
}

/// A mention as integers: document, sentence, entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Mention {
    pub(crate) doc: u32,
    pub(crate) sentence: u32,
    pub(crate) entity: u32,
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
    /// The mentions that take part, re-coded, sorted by story, document, sentence, entity.
    pub(crate) counted: Vec<Mention>,
    /// `entity_summary`'s rows, of every entity.
    pub(crate) summary: Vec<EntitySummary>,
}

impl<'a> Coded<'a> {
    /// Codes `corpus`, whose mentions the caller took out of it (`mentions`).
    pub(crate) fn new(
        corpus: &'a Corpus,
        mentions: Vec<Mention>,
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
        let included: Vec<bool> = entity_at
            .iter()
            .map(|&i| {
                let (id, _, t) = &corpus.entities[i as usize];
                config.entity_types.contains(t) && !stop.contains(id.as_str())
            })
            .collect();

        // One buffer serves both orders, so the mentions are in memory once: re-coded, by
        // entity, document and sentence for the summary, then only the counted ones, story by
        // story, then document, sentence and entity: the order the counts need.
        let mut mentions = mentions;
        for m in &mut mentions {
            m.doc = rank[m.doc as usize];
            m.entity = code[m.entity as usize];
        }
        mentions.sort_unstable_by_key(|m| (m.entity, m.doc, m.sentence));
        let mut coded = Self {
            corpus,
            config,
            doc_at,
            story,
            story_date,
            story_docs,
            canonical,
            entity_at,
            counted: mentions,
            summary: Vec::new(),
        };
        coded.summary = crate::rows::summary(&coded);
        let story = &coded.story;
        coded.counted.retain(|m| included[m.entity as usize]);
        coded.counted.sort_unstable_by_key(|m| (story[m.doc as usize], *m));
        coded
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

/// Each unit of `scope` among `mentions` (whole documents, each document's mentions together
/// and sorted by sentence, entity) that mentions an entity: its document and its distinct
/// entities in code order, each with the first sentence of the unit mentioning it. Stops when
/// `each` breaks.
pub(crate) fn for_each_unit(
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
