//! A statistical name tagger: an averaged perceptron over BIO labels (PER, ORG, LOC, MISC),
//! decoded greedily left to right, with word, shape, affix, context, casing, previous-label and
//! gazetteer features. Trained by `entente train ner` on `CoNLL-2003`-style JSONL; the weights
//! ship in `data/ner.model.zst`.

#![allow(clippy::string_slice, reason = "byte offsets come from char_indices")]

pub use self::label::{Kind, Label};
pub use self::text::{TextKind, TextModel};
pub use self::tokenize::tokenize;

pub(crate) mod features;
mod label;
mod model;
#[cfg(test)]
mod tests;
mod text;
pub(crate) mod tokenize;
mod train;
pub(crate) mod words;

use std::collections::HashMap;

use self::features::{DocContext, Features, Part, Prepared, Style, features, prepare};
use self::model::{Scores, Table};
use self::words::ByHash;
use crate::passes::{Pass, Passes};

/// How many perceptrons, each visiting the training documents in its own order, the model
/// averages: the mean of five scored CoNLL-2003 dev 0.8900 → 0.8941 and wikigold 0.6134 →
/// 0.6198 (one, three, five and nine: wikigold 0.613, 0.616, 0.620, 0.621); nine scored no
/// better on the tuning splits either (docs/experiments.md).
const ORDERS: u64 = 5;

/// Features of the mean whose every weight is below three perceptron updates are left out.
/// Of the model `just tune-ner` trains (`CoNLL-2003`, BTC and `CrossNER` train less the
/// tuning splits), 1.5 kept 202,274 features without a margin; with the margin
/// (`MARGIN`) and its longer training the weights grew larger, and 1.5 kept 273,926, 3.0
/// 200,214 at the same scores on every tuning split (`docs/experiments.md`); the
/// passive-aggressive step's smaller updates leave 156,223 above 3.0 in the committed model.
/// The smaller model is faster to score. A small training set makes few updates: `entente
/// train ner --prune` sets a lower threshold.
pub const PRUNE: f32 = 3.0;

/// The percentage of features left out of each training update, drawn afresh every time
/// (dropout), so that no word's weights stand in for the context and shape features that carry
/// over to names never seen: CoNLL-2003 dev 0.8981 → 0.9030 and wikigold 0.6215 → 0.6304
/// (10 %, 20 %, 30 %, 40 %, 50 %: wikigold 0.628, 0.630, 0.626, 0.628, 0.627). Leaving out only
/// a name's own word and cluster instead did not help (10 %: 0.629, 25 %: 0.625). On the
/// tuning splits 10 % scored lower on all three and 30 % on two (docs/experiments.md).
const DROPOUT: u64 = 20;

/// A training token whose gold label wins by less than this many perceptron updates' worth of
/// score over the best other label it could take is updated too (the perceptron with margin),
/// by the margin it lacks over its number of features, at most a full update (after the
/// passive-aggressive step), so that the weights separate the labels with room to spare rather
/// than just barely, which carries better to text unlike the training data. On the tuning
/// splits (news model: CoNLL-2003, BTC, `CrossNER`, Re-DocRED fifth) no margin scored 0.8869,
/// 0.6200, 0.6834, 0.6166 in 14 passes; 100 with full updates 0.8950, 0.6303, 0.6933, 0.6189
/// in the 28 passes `just train-ner` now takes, and with the passive-aggressive step 0.8964,
/// 0.6478, 0.6969, 0.6270; other margins and passes in `docs/experiments.md`.
const MARGIN: f32 = 100.0;

/// The number of labels: one weight of each feature per label.
const N: usize = Label::ALL.len();
const MAGIC: &[u8; 8] = b"entner01";

/// A token of a sentence: its text and, if the gazetteer matched it, `B-`/`I-` and the
/// gazetteer's `CoNLL` label (`B-LOC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token as written.
    pub text: &'a str,
    /// The gazetteer's label for it, or "".
    pub gazetteer: &'a str,
}

/// Feature ids are already xxh3 hashes: the map uses them as they are instead of hashing
/// them again.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Weights as training updates them.
type Weights = HashMap<u64, [f32; N], std::hash::BuildHasherDefault<IdHasher>>;

/// The tagger's weights, scaled to `i16` as the model file stores them.
#[derive(Debug, Clone, Default)]
pub struct Tagger {
    table: Table,
    /// What a weight was multiplied by before rounding.
    scale: f32,
    /// Which tagger this is, to the sums each thread remembers of its weights.
    id: u64,
}

/// A new [`Tagger::id`].
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// How many words, and words after a label, each thread remembers sums for per tagger (208
/// and 36 bytes each: at most 27 MB): BBC news, a million tokens, has 34,000 distinct words.
/// A full memory is emptied and fills again.
const REMEMBERED_SUMS: usize = 1 << 17;

/// How many pairs of words each thread remembers sums for per tagger (44 bytes each with the
/// key: at most 12 MB).
const REMEMBERED_PAIRS: usize = 1 << 18;

/// The sums of weights a thread remembers (see [`Part`]): scores are sums of integers, so a
/// sum made once is exact wherever its features come again.
#[derive(Debug, Default)]
struct Remembered {
    /// The [`Tagger::id`] the sums are of.
    tagger: u64,
    /// For each word, by the hash of the word as written (0: no word, past a sentence's
    /// edge), the sum of its features' weights in each of [`Part::OF_WORDS`].
    words: ByHash<[Option<Scores>; 5]>,
    /// For each word and the word before or after it, the sum of [`Part::PairBefore`] or
    /// [`Part::PairAfter`].
    pairs: ByHash<Scores>,
    /// For each word and the label before it, the sum of [`Part::AfterLabel`].
    after_label: ByHash<Scores>,
    /// For each word of the document being tagged, the sum of [`Part::Contexts`].
    contexts: ByHash<Scores>,
}

impl Remembered {
    /// Readies the memory for a document tagged by tagger `id`.
    fn start(&mut self, tagger: u64) {
        if self.tagger != tagger || self.words.len() + self.after_label.len() >= REMEMBERED_SUMS {
            self.words.clear();
            self.after_label.clear();
        }
        if self.tagger != tagger || self.pairs.len() >= REMEMBERED_PAIRS {
            self.pairs.clear();
        }
        self.tagger = tagger;
        self.contexts.clear();
    }

    /// The sum of `part` for the word, pair, label or document `key`, if remembered.
    fn get(&self, part: Part, key: u64) -> Option<&Scores> {
        match part {
            Part::PairBefore | Part::PairAfter => self.pairs.get(&key),
            Part::AfterLabel => self.after_label.get(&key),
            Part::Contexts => self.contexts.get(&key),
            Part::Place => None,
            word => self.words.get(&key).and_then(|sums| sums[word as usize].as_ref()),
        }
    }

    fn put(&mut self, part: Part, key: u64, sum: Scores) {
        match part {
            Part::PairBefore | Part::PairAfter => drop(self.pairs.insert(key, sum)),
            Part::AfterLabel => drop(self.after_label.insert(key, sum)),
            Part::Contexts => drop(self.contexts.insert(key, sum)),
            Part::Place => {}
            word => self.words.entry(key).or_default()[word as usize] = Some(sum),
        }
    }
}

/// The key of each remembered part of the score of token `i` of `p`, after `labels`: the
/// hash of the word each part of [`Part::OF_WORDS`] is of (0 past the sentence's edge), of
/// the word with the word before and after it, of the word and the label before it, and of
/// the word (for its contexts).
fn keys(p: &Prepared, i: usize, labels: &[usize]) -> [u64; Part::REMEMBERED] {
    let mut keys = [0; Part::REMEMBERED];
    let word = |offset: isize| {
        i.checked_add_signed(offset).and_then(|j| p.hashes.get(j)).map_or(0, |t| t.word)
    };
    for (part, offset) in Part::OF_WORDS {
        keys[part as usize] = word(offset);
    }
    keys[Part::PairBefore as usize] = features::mix(1, word(-1), word(0));
    keys[Part::PairAfter as usize] = features::mix(2, word(0), word(1));
    let label = labels.last().map_or(N, |&l| l) as u64;
    keys[Part::AfterLabel as usize] = features::mix(0, word(0), label);
    keys[Part::Contexts as usize] = word(0);
    keys
}

/// How many capitalised words a thread's kept [`DocContext`] may have room for (144 bytes
/// each): news articles have hundreds.
const KEPT_CONTEXTS: usize = 1 << 14;

/// How many taggers' sums each thread keeps apart: `text = "auto"` reads with up to three
/// (news, social and encyclopedia weights), and one memory for all was emptied at each change
/// of tagger.
const REMEMBERED_TAGGERS: usize = TextKind::READ.len();

/// The memory of tagger `id` among a thread's `memories` (the most recently used first),
/// moved to the front; with no room for another, the least recently used is taken over.
fn memory_of(memories: &mut Vec<Remembered>, id: u64) -> &mut Remembered {
    let at = match memories.iter().position(|m| m.tagger == id) {
        Some(at) => at,
        None if memories.len() < REMEMBERED_TAGGERS => {
            memories.push(Remembered::default());
            memories.len() - 1
        }
        None => memories.len() - 1,
    };
    memories[..=at].rotate_right(1);
    &mut memories[0]
}

thread_local! {
    /// Each tagger's remembered sums ([`memory_of`]).
    static REMEMBERED: std::cell::RefCell<Vec<Remembered>> = std::cell::RefCell::default();
    /// The last document's context, its maps' memory kept for the next (up to
    /// [`KEPT_CONTEXTS`] capitalised words).
    static DOC_CONTEXT: std::cell::Cell<DocContext> = std::cell::Cell::default();
}

/// An error reading a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The bytes are not a model of this version.
    #[error("not an entente NER model (bad header or length)")]
    Format,
    /// Decompression failed.
    #[error("cannot decompress the NER model: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the passes over labels among `passes` on the labels of a document's sentences.
pub(crate) fn label_passes(
    sentences: &[Vec<Token<'_>>],
    prepared: &[Prepared],
    doc: &DocContext,
    labels: &mut [Vec<Label>],
    passes: Passes,
) {
    if passes.contains(Pass::CommonWords) {
        for ((tokens, p), labels) in sentences.iter().zip(prepared).zip(labels) {
            crate::passes::common_words::apply(tokens, p, labels, doc);
        }
    }
}

/// Whether label `next` may follow `prev` (no `I-X` after anything but `B-X` or `I-X`).
fn allowed(prev: Option<usize>, next: usize) -> bool {
    if next == 0 || next % 2 == 1 {
        return true;
    }
    prev.is_some_and(|p| p != 0 && p.div_ceil(2) == next.div_ceil(2))
}

/// Training's label scores: the sums of the weights of `feats`.
fn scores(weights: &Weights, feats: &[u64]) -> [f32; N] {
    let mut s = [0f32; N];
    for f in feats {
        if let Some(w) = weights.get(f) {
            for (a, b) in s.iter_mut().zip(w) {
                *a += b;
            }
        }
    }
    s
}

/// Adds the scores `b` to `a`.
fn add(a: &mut Scores, b: &Scores) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Which names a token can be part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowed {
    /// None: brackets, quotes and most punctuation.
    Nothing,
    /// Names of anything but a person: "&", numbers ("AT & T", "30 Seconds to Mars").
    NotPerson,
    /// Only inside the name of anything but a person: lower-case words ("Bank of America",
    /// "Couch 's Division", "Interior ministry"), which open no name.
    Inside,
    /// Any name.
    Any,
    /// None when reading, though the word alone could be in one: a lower-case word right
    /// after a handle, which ends its name. Training learns from the gold as it is.
    AfterHandle,
}

/// Which names a token can be part of: brackets, quotes and most punctuation never are
/// ("Benny Lee Boynton ( born ..."), while "&", "-", "." and "/" join words of one ("AT & T").
/// A person's name has no lower-case word but its particles ("Ludwig van Beethoven"), no
/// "&" and no possessive ("David Christison & Lee Tate", "Angelo 's grandfather").
pub(crate) fn can_name(token: &str) -> Allowed {
    if !(token.chars().any(char::is_alphanumeric) || matches!(token, "&" | "-" | "." | "/" | "+")) {
        Allowed::Nothing
    } else if token.chars().any(char::is_uppercase)
        || matches!(token, "-" | ".")
        || crate::words::NAME_PARTICLES.contains(&token)
    {
        Allowed::Any
    } else if token.chars().any(char::is_alphabetic) && !token.chars().any(|c| c.is_ascii_digit()) {
        Allowed::Inside
    } else {
        Allowed::NotPerson
    }
}

impl Tagger {
    fn best<T: PartialOrd>(scores: &[T; N], prev: Option<usize>, name_ok: Allowed) -> usize {
        let mut best = 0;
        let first = match name_ok {
            Allowed::Nothing | Allowed::AfterHandle => return best,
            Allowed::NotPerson | Allowed::Inside => 3,
            Allowed::Any => 1,
        };
        for l in first..N {
            if allowed(prev, l)
                && !(name_ok == Allowed::Inside && l % 2 == 1)
                && scores[l] > scores[best]
            {
                best = l;
            }
        }
        best
    }

    /// The label of every token of a sentence read on its own, after every pass.
    pub fn tag(&self, tokens: &[Token<'_>]) -> Vec<Label> {
        let sentence = vec![tokens.to_vec()];
        self.tag_doc(&sentence, Passes::all()).pop().unwrap_or_default()
    }

    /// The label of every token of a document's sentences, in order: how the document
    /// writes each word elsewhere, and what earlier tokens of the same word were tagged, are
    /// features too. Of `passes`, those over labels run on the result
    /// ([`Pass::CommonWords`]).
    pub fn tag_doc(&self, sentences: &[Vec<Token<'_>>], passes: Passes) -> Vec<Vec<Label>> {
        let prepared: Vec<Prepared> = sentences.iter().map(|t| prepare(t)).collect();
        let mut doc = DOC_CONTEXT.take();
        doc.fill(&prepared);
        let mut out = vec![Vec::new(); sentences.len()];
        let mut feats = Features::default();
        // Sentences in capitals (headlines) are read after the rest, when there is a rest:
        // "YEUTTER" there then takes what the story made of "Yeutter", and the story is not
        // led by labels read where capitals say nothing.
        let caps = |p: &Prepared| p.styles.first() == Some(&Style::Caps);
        let mut order: Vec<usize> = (0..prepared.len()).collect();
        if passes.contains(Pass::Capitals) && !prepared.iter().all(caps) {
            order.sort_by_key(|&k| caps(&prepared[k]));
        }
        REMEMBERED.with_borrow_mut(|memories| {
            let remembered = memory_of(memories, self.id);
            remembered.start(self.id);
            for k in order {
                let p = &prepared[k];
                let mut labels = Vec::with_capacity(p.hashes.len());
                for i in 0..p.hashes.len() {
                    // Nothing to score where no name can be: punctuation, and a lower-case
                    // word outside a name (most tokens).
                    let outside = labels.last().is_none_or(|&l| l == 0);
                    if matches!(p.name_ok[i], Allowed::Nothing | Allowed::AfterHandle)
                        || (p.name_ok[i] == Allowed::Inside && outside)
                    {
                        labels.push(0);
                        continue;
                    }
                    let scores = self.score(p, i, &labels, &doc, &mut feats, remembered);
                    labels.push(Self::best(&scores, labels.last().copied(), p.name_ok[i]));
                }
                doc.remember(p, &labels);
                out[k] = labels.into_iter().map(|l| Label::ALL[l]).collect::<Vec<_>>();
            }
        });
        label_passes(sentences, &prepared, &doc, &mut out, passes);
        // Kept unless a long document grew it past what ordinary ones need.
        if doc.contexts.capacity() <= KEPT_CONTEXTS {
            DOC_CONTEXT.set(doc);
        }
        out
    }

    /// The label scores of token `i` of `p` after `labels`: the sum of the weights of its
    /// [`Part::Place`] features, and of each other part, remembered under its key ([`keys`])
    /// the first time it is summed. The ids of the parts remembered are not computed.
    fn score(
        &self,
        p: &Prepared,
        i: usize,
        labels: &[usize],
        doc: &DocContext,
        feats: &mut Features,
        remembered: &mut Remembered,
    ) -> Scores {
        let keys = keys(p, i, labels);
        let mut scores = [0; N];
        feats.skip = [false; Part::ALL.len()];
        for (k, part) in Part::ALL.into_iter().enumerate().take(Part::REMEMBERED) {
            if let Some(sum) = remembered.get(part, keys[k]) {
                add(&mut scores, sum);
                feats.skip[k] = true;
            }
        }
        features(p, i, labels, doc, feats);
        // The features whose weights are looked up, fetched together first.
        self.table.touch(feats.ids.iter().copied());
        let mut fresh = [[0; N]; Part::ALL.len()];
        for (&f, &part) in feats.ids.iter().zip(&feats.parts) {
            if let Some(w) = self.table.get(f) {
                for (s, &x) in fresh[part as usize].iter_mut().zip(w) {
                    *s += i32::from(x);
                }
            }
        }
        for (k, part) in Part::ALL.into_iter().enumerate() {
            if !feats.skip[k] {
                add(&mut scores, &fresh[k]);
                remembered.put(part, keys.get(k).copied().unwrap_or(0), fresh[k]);
            }
        }
        scores
    }

    /// The tagger of trained `weights`: each scaled so that the largest of all is
    /// `i16::MAX`, and rounded.
    fn quantized(weights: &Weights) -> Self {
        let max =
            weights.values().flat_map(|w| w.iter()).fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
        let scale = f32::from(i16::MAX) / max;
        let table = Table::new(text::scaled(weights, scale).into_iter());
        Tagger { table, scale, id: next_id() }
    }

    /// The model as zstd-compressed bytes: features sorted, weights as `i16` at a fixed scale,
    /// so the same weights always give the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let mut features: Vec<(u64, &[i16; N])> = self.table.iter().collect();
        features.sort_unstable_by_key(|&(k, _)| k);
        let mut raw = Vec::with_capacity(16 + features.len() * model::ENTRY);
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.scale.to_le_bytes());
        raw.extend_from_slice(&u32::try_from(features.len()).unwrap_or(u32::MAX).to_le_bytes());
        model::write_entries(&mut raw, features.into_iter());
        Ok(model::compress(&raw)?)
    }

    /// Reads a model written by [`Tagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let raw = model::decompress_after(bytes, *MAGIC)?;
        if raw.len() < 8 {
            return Err(ModelError::Format);
        }
        let scale = f32::from_le_bytes(raw[..4].try_into().map_err(|_| ModelError::Format)?);
        let n = u32::from_le_bytes(raw[4..8].try_into().map_err(|_| ModelError::Format)?) as usize;
        if raw.len() != 8 + n * model::ENTRY {
            return Err(ModelError::Format);
        }
        Ok(Tagger { table: Table::new(model::read_entries(&raw[8..])), scale, id: next_id() })
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }
}
