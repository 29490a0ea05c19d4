//! Duplicates as data: documents reporting the same story share a `story_id`.
//!
//! Exact copies have the same text up to whitespace (one copy may break a paragraph where the
//! other runs on): [`layout_free_hash`]. Near copies are found with `MinHash` over word 5-grams
//! and locality-sensitive hashing: each distinct text gets a signature of [`HASHES`] minimum
//! hashes, cut into [`BANDS`] bands of [`ROWS`] rows; texts that agree on a whole band become
//! candidates, and a candidate is a copy when the share of equal minimum hashes (an estimate
//! of the Jaccard similarity of the two 5-gram sets) reaches the threshold. Each text is
//! compared with at most [`PER_BUCKET`] earlier texts per band bucket, so the work is
//! `O(n · BANDS · PER_BUCKET)` comparisons, linear in the number of documents. Copies are
//! grouped transitively (union-find); the canonical member of a group is the earliest
//! `published_at`, then the first seen in input order.

use std::collections::HashMap;

use entente_schema::{Document, DuplicateKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// Length of a signature.
pub(crate) const HASHES: usize = 128;
/// Number of LSH bands.
pub(crate) const BANDS: usize = 32;
/// Rows per band: `BANDS * ROWS == HASHES`.
pub(crate) const ROWS: usize = HASHES / BANDS;
/// Most earlier texts a text is compared with in one band bucket.
pub(crate) const PER_BUCKET: usize = 8;

/// Duplicate detection (`[normalise.dedup]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Group exact copies (same normalised text).
    pub exact: bool,
    /// Group near copies.
    pub near: bool,
    /// Estimated Jaccard similarity of word 5-gram sets at or over which two texts are copies
    /// of one story (README "Duplicate stories" shows how the default was chosen).
    pub threshold: f64,
    /// Words per shingle.
    pub shingle_words: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self { exact: true, near: true, threshold: 0.5, shingle_words: 5 }
    }
}

/// XXH3-64 of `text` with every run of whitespace read as one space: equal for texts that
/// differ only in spacing and line breaks.
pub fn layout_free_hash(text: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
    }
    hasher.digest()
}

/// A `MinHash` signature.
pub type Signature = [u64; HASHES];

/// The signature of `text`: the minimum, over its word `k`-grams, of 128 hash
/// functions. Words are maximal runs of letters and digits, lower-cased. A text shorter than
/// `k` words is one shingle. Empty text has a signature of `u64::MAX`.
pub fn signature(text: &str, k: usize) -> Signature {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut sig = [u64::MAX; HASHES];
    let k = k.max(1);
    let mut buf = String::new();
    let n_shingles = if words.is_empty() { 0 } else { words.len().saturating_sub(k) + 1 };
    for i in 0..n_shingles {
        buf.clear();
        for w in &words[i..(i + k).min(words.len())] {
            buf.push_str(w);
            buf.push(' ');
        }
        let h = xxh3_64(buf.as_bytes());
        for (j, slot) in sig.iter_mut().enumerate() {
            let v = mix(h ^ SEEDS[j]);
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

/// Share of equal slots: an unbiased estimate of the Jaccard similarity (standard error
/// `sqrt(J(1-J)/128)`, 0.044 at J = 0.5).
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    // Both are at most 128: exact in f64.
    f64::from(u8::try_from(same).unwrap_or(u8::MAX))
        / f64::from(u8::try_from(HASHES).unwrap_or(u8::MAX))
}

/// The 64-bit finaliser of `MurmurHash3`: a bijection that scrambles the bits.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// One fixed seed per hash function (`SplitMix64` from 0), the same on every machine.
const SEEDS: [u64; HASHES] = {
    let mut out = [0u64; HASHES];
    let mut state = 0u64;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out[i] = z ^ (z >> 31);
        i += 1;
    }
    out
};

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    /// Joins the groups of `a` and `b`; the smaller root (the earlier text) stays the root.
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.0[hi] = lo;
    }
}

/// Sets `story_id`, `duplicate_of`, `duplicate_kind` and `story_similarity` on every document.
/// The result does not depend on the order of `documents` or on the number of threads.
pub fn assign_stories(documents: &mut [Document], config: &DedupConfig) {
    // Every document in canonical order: earliest published_at (unknown last), then input order.
    let mut order: Vec<usize> = (0..documents.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&documents[a], &documents[b]);
        (x.published_at.is_none(), x.published_at, &x.source, x.source_record, &x.doc_id).cmp(&(
            y.published_at.is_none(),
            y.published_at,
            &y.source,
            y.source_record,
            &y.doc_id,
        ))
    });
    // Distinct texts, numbered in canonical order of their first document.
    let mut text_of_doc = vec![0usize; documents.len()];
    let mut texts: Vec<usize> = Vec::new(); // text -> its first document
    let keys: Vec<u64> = if config.exact {
        documents.par_iter().map(|d| layout_free_hash(&d.text)).collect()
    } else {
        (0..documents.len() as u64).collect()
    };
    let mut by_hash: HashMap<u64, usize> = HashMap::new();
    for &d in &order {
        let t = *by_hash.entry(keys[d]).or_insert_with(|| {
            texts.push(d);
            texts.len() - 1
        });
        text_of_doc[d] = t;
    }
    drop(by_hash);
    let mut groups = UnionFind((0..texts.len()).collect());
    let signatures: Vec<Signature> = if config.near {
        texts.par_iter().map(|&d| signature(&documents[d].text, config.shingle_words)).collect()
    } else {
        Vec::new()
    };
    if config.near {
        for band in 0..BANDS {
            let mut buckets: HashMap<&[u64], Vec<usize>> = HashMap::new();
            for (t, sig) in signatures.iter().enumerate() {
                if sig[0] == u64::MAX {
                    continue; // no words
                }
                let key = &sig[band * ROWS..(band + 1) * ROWS];
                let bucket = buckets.entry(key).or_default();
                for &earlier in bucket.iter().take(PER_BUCKET) {
                    if groups.find(earlier) != groups.find(t)
                        && similarity(&signatures[earlier], sig) >= config.threshold
                    {
                        groups.union(earlier, t);
                    }
                }
                bucket.push(t);
            }
        }
    }
    // The root of each group is its earliest text, whose first document is canonical.
    for d in 0..documents.len() {
        let t = text_of_doc[d];
        let root = groups.find(t);
        let canonical = texts[root];
        let story = documents[canonical].doc_id.clone();
        let doc = &mut documents[d];
        if d == canonical {
            doc.duplicate_of = None;
            doc.duplicate_kind = None;
            doc.story_similarity = None;
        } else {
            let exact = t == root;
            doc.duplicate_of = Some(story.clone());
            doc.duplicate_kind =
                Some(if exact { DuplicateKind::Exact } else { DuplicateKind::Near });
            doc.story_similarity =
                Some(if exact { 1.0 } else { similarity(&signatures[t], &signatures[root]) });
        }
        doc.story_id = Some(story);
    }
}

#[cfg(test)]
mod tests {
    use super::{signature, similarity};

    #[test]
    fn similarity_estimates_jaccard() {
        let words = |changed: bool| -> String {
            let word = |i: usize| {
                if changed && i.is_multiple_of(10) { format!("x{i}") } else { format!("w{i}") }
            };
            (0..400).map(word).collect::<Vec<_>>().join(" ")
        };
        let (a, b) = (words(false), words(true));
        let (sa, sb) = (signature(&a, 5), signature(&b, 5));
        assert!((similarity(&sa, &sa) - 1.0).abs() < f64::EPSILON);
        // 40 changed words break about 200 of 396 shingles: J = 196 / 596 ≈ 0.33.
        let s = similarity(&sa, &sb);
        assert!((0.2..0.45).contains(&s), "{s}");
        assert!(similarity(&sa, &signature("something else entirely here now", 5)) < 0.05);
    }
}
