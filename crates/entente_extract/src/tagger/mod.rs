//! A statistical name tagger: an averaged perceptron over BIO labels (PER, ORG, LOC, MISC),
//! decoded greedily left to right, with word, shape, affix, context, casing, previous-label and
//! gazetteer features. Trained by `entente train ner` on `CoNLL-2003`-style JSONL; the weights
//! ship in `data/ner.model.zst`.

#![allow(clippy::string_slice, reason = "byte offsets come from char_indices")]

pub use self::label::{Kind, Label};
pub use self::tokenize::tokenize;

pub(crate) mod features;
mod label;
#[cfg(test)]
mod tests;
pub(crate) mod tokenize;
mod train;
pub(crate) mod words;

use std::collections::HashMap;
use std::io::{Read, Write};

use self::features::{DocContext, Prepared, Style, features, prepare};
use crate::passes::{Pass, Passes};

/// How many perceptrons, each visiting the training documents in its own order, the model
/// averages: the mean of five scored CoNLL-2003 dev 0.8900 → 0.8941 and wikigold 0.6134 →
/// 0.6198 (one, three, five and nine: wikigold 0.613, 0.616, 0.620, 0.621).
const ORDERS: u64 = 5;

/// Features of the mean whose every weight is below one and a half perceptron updates are
/// left out. Trained on `CoNLL-2003`, BTC and `CrossNER` train less the tuning splits, 0.5
/// kept 286,442 features, 1.0 kept 208,783 and 1.5 keeps 162,049, all within a few mentions
/// on every tuning split (`docs/entities.md`); the smaller model is faster to score. A small
/// training set makes few updates: `entente train ner --prune` sets a lower threshold.
pub const PRUNE: f32 = 1.5;

/// The percentage of features left out of each training update, drawn afresh every time
/// (dropout), so that no word's weights stand in for the context and shape features that carry
/// over to names never seen: CoNLL-2003 dev 0.8981 → 0.9030 and wikigold 0.6215 → 0.6304
/// (10 %, 20 %, 30 %, 40 %, 50 %: wikigold 0.628, 0.630, 0.626, 0.628, 0.627). Leaving out only
/// a name's own word and cluster instead did not help (10 %: 0.629, 25 %: 0.625).
const DROPOUT: u64 = 20;

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

type Weights = HashMap<u64, [f32; N], std::hash::BuildHasherDefault<IdHasher>>;

/// The tagger's weights.
#[derive(Debug, Clone, Default)]
pub struct Tagger {
    weights: Weights,
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
    fn best(scores: &[f32; N], prev: Option<usize>, name_ok: Allowed) -> usize {
        let mut best = 0;
        let first = match name_ok {
            Allowed::Nothing => return best,
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
        let mut doc = DocContext::new(sentences, &prepared);
        let mut out = vec![Vec::new(); sentences.len()];
        let mut feats = Vec::new();
        // Sentences in capitals (headlines) are read after the rest, when there is a rest:
        // "YEUTTER" there then takes what the story made of "Yeutter", and the story is not
        // led by labels read where capitals say nothing.
        let caps = |p: &Prepared| p.styles.first() == Some(&Style::Caps);
        let mut order: Vec<usize> = (0..prepared.len()).collect();
        if passes.contains(Pass::Capitals) && !prepared.iter().all(caps) {
            order.sort_by_key(|&k| caps(&prepared[k]));
        }
        for k in order {
            let p = &prepared[k];
            let mut labels = Vec::with_capacity(p.hashes.len());
            for i in 0..p.hashes.len() {
                // Nothing to score where no name can be: punctuation, and a lower-case word
                // outside a name (most tokens).
                let outside = labels.last().is_none_or(|&l| l == 0);
                if p.name_ok[i] == Allowed::Nothing || (p.name_ok[i] == Allowed::Inside && outside)
                {
                    labels.push(0);
                    continue;
                }
                features(p, i, &labels, &doc, &mut feats);
                let label = Self::best(
                    &scores(&self.weights, &feats),
                    labels.last().copied(),
                    p.name_ok[i],
                );
                labels.push(label);
            }
            doc.remember(p, &labels);
            out[k] = labels.into_iter().map(|l| Label::ALL[l]).collect::<Vec<_>>();
        }
        label_passes(sentences, &prepared, &doc, &mut out, passes);
        out
    }

    /// The model as zstd-compressed bytes: features sorted, weights as `i16` at a fixed scale,
    /// so the same weights always give the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let max = self
            .weights
            .values()
            .flat_map(|w| w.iter())
            .fold(0f32, |m, x| m.max(x.abs()))
            .max(1e-6);
        let scale = f32::from(i16::MAX) / max;
        let mut keys: Vec<&u64> = self.weights.keys().collect();
        keys.sort_unstable();
        let mut raw = Vec::with_capacity(16 + keys.len() * (8 + 2 * N));
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&scale.to_le_bytes());
        raw.extend_from_slice(&u32::try_from(keys.len()).unwrap_or(u32::MAX).to_le_bytes());
        for k in keys {
            raw.extend_from_slice(&k.to_le_bytes());
            for x in self.weights[k] {
                #[allow(clippy::cast_possible_truncation, reason = "scaled into the i16 range")]
                let q = (x * scale).round() as i16;
                raw.extend_from_slice(&q.to_le_bytes());
            }
        }
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 19)?;
        enc.write_all(&raw)?;
        Ok(enc.finish()?)
    }

    /// Reads a model written by [`Tagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut raw = Vec::new();
        zstd::stream::Decoder::new(bytes)?.read_to_end(&mut raw)?;
        if raw.len() < 16 || &raw[..8] != MAGIC {
            return Err(ModelError::Format);
        }
        let scale = f32::from_le_bytes(raw[8..12].try_into().map_err(|_| ModelError::Format)?);
        let n =
            u32::from_le_bytes(raw[12..16].try_into().map_err(|_| ModelError::Format)?) as usize;
        let entry = 8 + 2 * N;
        if raw.len() != 16 + n * entry {
            return Err(ModelError::Format);
        }
        let mut weights =
            Weights::with_capacity_and_hasher(n, std::hash::BuildHasherDefault::default());
        for chunk in raw[16..].chunks_exact(entry) {
            let key = u64::from_le_bytes(chunk[..8].try_into().map_err(|_| ModelError::Format)?);
            let mut w = [0f32; N];
            for (l, x) in w.iter_mut().enumerate() {
                let q = i16::from_le_bytes([chunk[8 + 2 * l], chunk[9 + 2 * l]]);
                *x = f32::from(q) / scale;
            }
            weights.insert(key, w);
        }
        Ok(Tagger { weights })
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}
