//! Duplicates as data: documents reporting the same story share a `story_id`.
//!
//! Exact copies have the same text up to whitespace (one copy may break a paragraph where the
//! other runs on): [`layout_free_hash`]. Near copies are found with `MinHash` over word 5-grams
//! and locality-sensitive hashing: each distinct text gets a signature of [`HASHES`] minimum
//! hashes (one hash per 5-gram, spread over [`HASHES`] bins: [`signature`]), cut into
//! [`BANDS`] bands of [`ROWS`] rows; texts that agree on a whole band become
//! candidates, and a candidate is a copy when the share of equal minimum hashes (an estimate
//! of the Jaccard similarity of the two 5-gram sets) reaches the threshold. Each text is
//! compared with at most [`PER_BUCKET`] earlier texts per band bucket, so the work is
//! `O(n · BANDS · PER_BUCKET)` comparisons, linear in the number of documents. Copies are
//! grouped transitively (union-find); the canonical member of a group is the earliest
//! `published_at`, then the first seen in input order.

use std::collections::HashMap;

use entente_schema::{Document, DuplicateKind, StoryKey};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// Length of a signature, a power of two (bins are picked by a hash's top bits).
pub(crate) const HASHES: usize = 128;
/// Names the way [`signature`] hashes, part of the normaliser's built-in data hash: signatures
/// an earlier build kept in a run's state are not compared with other ones.
pub(crate) const SCHEME: &str = "minhash one-permutation densified xxh3 words 128 bins";
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
    // The words joined in one buffer and hashed at once: the same hash as fed word by word,
    // without the streaming hasher's cost per call.
    let mut joined = Vec::with_capacity(text.len());
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            joined.push(b' ');
        }
        joined.extend_from_slice(word.as_bytes());
    }
    xxh3_64(&joined)
}

/// A `MinHash` signature.
pub type Signature = [u64; HASHES];

/// The signature of `text`: one-permutation `MinHash` with optimal densification (Shrivastava,
/// 2017). Each word `k`-gram is hashed once; the hash's top bits pick one of 128 bins and the
/// bin keeps the least hash it is given. A bin no shingle reached copies the bin a fixed probe
/// sequence of its own finds first among those reached, so that two texts agree on a bin with
/// probability about their Jaccard similarity, as with 128 hash functions at a hundred and
/// twenty-eighth of the hashing. Words are maximal runs of letters and digits, lower-cased. A
/// text shorter than `k` words is one shingle. Empty text has a signature of `u64::MAX`.
pub fn signature(text: &str, k: usize) -> Signature {
    // Each word's hash as little-endian bytes, one after another: a shingle is the bytes of
    // its `k` words, hashed where they lie.
    let mut lower = String::new();
    let mut hashes = Vec::with_capacity(text.len());
    for w in entente_schema::words::words(text) {
        lower.clear();
        if w.is_ascii() {
            lower.push_str(w);
            lower.make_ascii_lowercase();
        } else {
            lower.push_str(&w.to_lowercase());
        }
        hashes.extend_from_slice(&xxh3_64(lower.as_bytes()).to_le_bytes());
    }
    let n_words = hashes.len() / 8;
    let mut sig = NO_WORDS;
    let k = k.max(1);
    let n_shingles = if n_words == 0 { 0 } else { n_words.saturating_sub(k) + 1 };
    for i in 0..n_shingles {
        let shingle = hashes.get(8 * i..8 * (i + k).min(n_words)).unwrap_or_default();
        let h = mix(xxh3_64(shingle));
        let slot = &mut sig[bin(h)];
        *slot = (*slot).min(h);
    }
    densify(&mut sig);
    sig
}

/// The bin of a shingle's hash: its top bits.
fn bin(h: u64) -> usize {
    const BITS: u32 = HASHES.trailing_zeros();
    usize::try_from(h >> (64 - BITS)).unwrap_or(0)
}

/// Fills every empty bin with the value of the first reached bin its probe sequence finds
/// (the `j`th probe of bin `b` is the bin of `mix(SEEDS[b] + j)`), reading only bins a shingle
/// reached. A signature with no reached bin (empty text) stays as it is.
fn densify(sig: &mut Signature) {
    if sig.iter().all(|&v| v == u64::MAX) {
        return;
    }
    let reached = *sig;
    for (b, slot) in sig.iter_mut().enumerate() {
        let mut probe = 0u64;
        while *slot == u64::MAX {
            probe += 1;
            let from = reached[bin(mix(SEEDS[b].wrapping_add(probe)))];
            if from != u64::MAX {
                *slot = from;
            }
        }
    }
}

/// Share of equal slots: an estimate of the Jaccard similarity (standard error about
/// `sqrt(J(1-J)/128)`, 0.044 at J = 0.5, for texts of a few hundred words).
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

/// One fixed seed per bin (`SplitMix64` from 0), the same on every machine.
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

/// The story columns of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// The canonical document of the story.
    pub story_id: String,
    /// The canonical document, unless this is it.
    pub duplicate_of: Option<String>,
    /// Exact or near copy, unless this is the canonical document.
    pub duplicate_kind: Option<DuplicateKind>,
    /// Estimated similarity to the canonical document (1 for an exact copy).
    pub story_similarity: Option<f64>,
}

impl Story {
    /// Sets the story columns of `doc`.
    pub fn apply(self, doc: &mut Document) {
        doc.story_id = Some(self.story_id);
        doc.duplicate_of = self.duplicate_of;
        doc.duplicate_kind = self.duplicate_kind;
        doc.story_similarity = self.story_similarity;
    }
}

/// What grouping needs of a document; the text itself is reduced to its hash and signature.
#[derive(Debug)]
struct Key {
    doc_id: String,
    published_at: Option<i64>,
    source: std::sync::Arc<str>,
    source_record: u32,
    text: u64,
}

/// The signature of a text without words.
const NO_WORDS: Signature = [u64::MAX; HASHES];

/// The signatures of distinct texts, by text hash: in memory, in blocks that are filled and
/// never moved, and once given a file ([`Stories::spill_to`]) those after the first `memory`
/// in that file, 1 KiB each in the order added, read back where a comparison or the run state
/// needs one. Each text's band
/// keys (a hash of each band of its signature, 256 bytes) stay in memory either way: they are
/// what grouping reads of every text.
#[derive(Debug, Default)]
struct SignatureStore {
    at: HashMap<u64, u32>,
    bands: Vec<[u64; BANDS]>,
    blocks: Vec<Vec<Signature>>,
    file: Option<std::fs::File>,
    /// How many signatures stay in memory when there is a file.
    memory: usize,
}

impl SignatureStore {
    /// Signatures per block (1 MiB).
    const BLOCK: usize = 1024;
    /// Bytes of a signature in the file.
    const BYTES: usize = 8 * HASHES;

    fn contains(&self, text: u64) -> bool {
        self.at.contains_key(&text)
    }

    /// Keeps `signature` for `text` unless it has one.
    fn insert(&mut self, text: u64, signature: &Signature) -> std::io::Result<()> {
        let n = self.at.len();
        let Ok(i) = u32::try_from(n) else { return Ok(()) };
        let std::collections::hash_map::Entry::Vacant(slot) = self.at.entry(text) else {
            return Ok(());
        };
        if let Some(file) = self.file.as_ref().filter(|_| n >= self.memory) {
            let mut bytes = [0u8; Self::BYTES];
            for (b, v) in bytes.chunks_exact_mut(8).zip(signature) {
                b.copy_from_slice(&v.to_le_bytes());
            }
            write_at(file, &bytes, (n - self.memory) as u64 * Self::BYTES as u64)?;
        } else {
            if self.blocks.last().is_none_or(|b| b.len() == Self::BLOCK) {
                self.blocks.push(Vec::with_capacity(Self::BLOCK));
            }
            if let Some(block) = self.blocks.last_mut() {
                block.push(*signature);
            }
        }
        slot.insert(i);
        self.bands.push(band_keys(signature));
        Ok(())
    }

    /// The number of the signature of `text`.
    fn index(&self, text: u64) -> Option<u32> {
        self.at.get(&text).copied()
    }

    /// Signature number `i`.
    fn read(&self, i: u32) -> std::io::Result<Signature> {
        let i = i as usize;
        let Some(file) = self.file.as_ref().filter(|_| i >= self.memory) else {
            let found = self.blocks.get(i / Self::BLOCK).and_then(|b| b.get(i % Self::BLOCK));
            return Ok(found.copied().unwrap_or(NO_WORDS));
        };
        let mut bytes = [0u8; Self::BYTES];
        read_at(file, &mut bytes, (i - self.memory) as u64 * Self::BYTES as u64)?;
        let mut signature = NO_WORDS;
        for (v, b) in signature.iter_mut().zip(bytes.chunks_exact(8)) {
            *v = u64::from_le_bytes(b.try_into().unwrap_or([0xff; 8]));
        }
        Ok(signature)
    }
}

/// A hash of each band of `signature`: texts whose band keys agree share a bucket.
fn band_keys(signature: &Signature) -> [u64; BANDS] {
    let mut keys = [0; BANDS];
    let mut bytes = [0u8; 8 * ROWS];
    for (key, band) in keys.iter_mut().zip(signature.chunks_exact(ROWS)) {
        for (b, v) in bytes.chunks_exact_mut(8).zip(band) {
            b.copy_from_slice(&v.to_le_bytes());
        }
        *key = xxh3_64(&bytes);
    }
    keys
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(windows)]
fn write_at(file: &std::fs::File, mut bytes: &[u8], mut at: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, at)?;
        bytes = &bytes[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut bytes: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, bytes, at)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        bytes = &mut bytes[n..];
        at += n as u64;
    }
    Ok(())
}

/// Groups copies of a story across documents that arrive in batches: [`Stories::add`] keeps
/// about 100 bytes per document and, per distinct text, its band keys (256 bytes) and its
/// signature (1 KiB, in memory or in the file of [`Stories::spill_to`]), never the texts;
/// [`Stories::assign`] decides every document's story. The result does not depend on how the
/// documents were batched, on their order or on the number of threads.
#[derive(Debug)]
pub struct Stories {
    config: DedupConfig,
    keys: Vec<Key>,
    signatures: SignatureStore,
    last_source: Option<std::sync::Arc<str>>,
}

impl Stories {
    /// No documents yet.
    pub fn new(config: &DedupConfig) -> Self {
        Self {
            config: config.clone(),
            keys: Vec::new(),
            signatures: SignatureStore::default(),
            last_source: None,
        }
    }

    /// Number of documents added.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no document was added.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keeps the signatures after the first `memory` in `file` (an empty file open for
    /// reading and writing, e.g. in the run's scratch directory), not in memory: a corpus of a
    /// million distinct texts holds 1 GiB of them. Called before any document is added; once
    /// signatures are kept, it leaves them where they are and the file unused.
    pub fn spill_to(&mut self, file: std::fs::File, memory: usize) {
        if self.signatures.at.is_empty() {
            self.signatures.file = Some(file);
            self.signatures.memory = memory;
        }
    }

    /// Adds documents with their final text; hashes and signatures are computed in parallel on
    /// the current rayon pool. Fails only when a signature cannot be written to the file of
    /// [`Stories::spill_to`].
    pub fn add(&mut self, documents: &[Document]) -> std::io::Result<()> {
        let first = self.keys.len() as u64;
        let texts: Vec<u64> = if self.config.exact {
            documents.par_iter().map(|d| layout_free_hash(&d.text)).collect()
        } else {
            // Every document is its own text.
            (first..first + documents.len() as u64).collect()
        };
        if self.config.near {
            let mut new: Vec<(u64, &Document)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (&t, d) in texts.iter().zip(documents) {
                if !self.signatures.contains(t) && seen.insert(t) {
                    new.push((t, d));
                }
            }
            let k = self.config.shingle_words;
            let signed: Vec<(u64, Signature)> =
                new.par_iter().map(|&(t, d)| (t, signature(&d.text, k))).collect();
            for (t, signature) in &signed {
                self.signatures.insert(*t, signature)?;
            }
        }
        for (d, text) in documents.iter().zip(texts) {
            self.push(&d.doc_id, d.published_at, &d.source, d.source_record, text);
        }
        Ok(())
    }

    /// Adds one document's key; documents of one file share one copy of its name.
    fn push(
        &mut self,
        doc_id: &str,
        published_at: Option<i64>,
        source: &str,
        record: u32,
        text: u64,
    ) {
        let source = match &self.last_source {
            Some(s) if **s == *source => s.clone(),
            _ => std::sync::Arc::from(source),
        };
        self.last_source = Some(source.clone());
        self.keys.push(Key {
            doc_id: doc_id.to_owned(),
            published_at,
            source,
            source_record: record,
            text,
        });
    }

    /// Adds documents as [`Stories::state`] described them, without their texts.
    pub fn add_state(&mut self, rows: &[StoryKey]) -> std::io::Result<()> {
        for row in rows {
            if let Some(signature) = &row.signature
                && let Ok(signature) = Signature::try_from(signature.as_slice())
            {
                self.signatures.insert(row.text_hash, &signature)?;
            }
            self.push(&row.doc_id, row.published_at, &row.source, row.source_record, row.text_hash);
        }
        Ok(())
    }

    /// The documents added as numbers `range` (in the order they were added), with the
    /// stories `assigned` to them, as rows to keep: enough to [`Stories::add_state`] them in a
    /// later run. Each distinct text's signature is kept once per call. Fails only when a
    /// signature cannot be read back from the file of [`Stories::spill_to`].
    pub fn state(
        &self,
        range: std::ops::Range<usize>,
        assigned: &HashMap<String, Story>,
    ) -> std::io::Result<Vec<StoryKey>> {
        let mut seen = std::collections::HashSet::new();
        self.keys
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|k| {
                let signature = match self.signatures.index(k.text) {
                    Some(i) if self.config.near && seen.insert(k.text) => {
                        Some(self.signatures.read(i)?.to_vec())
                    }
                    _ => None,
                };
                let story = assigned.get(&k.doc_id);
                Ok(StoryKey {
                    doc_id: k.doc_id.clone(),
                    published_at: k.published_at,
                    source: k.source.to_string(),
                    source_record: k.source_record,
                    text_hash: k.text,
                    signature,
                    story_id: story.map_or_else(|| k.doc_id.clone(), |s| s.story_id.clone()),
                    duplicate_of: story.and_then(|s| s.duplicate_of.clone()),
                    duplicate_kind: story.and_then(|s| s.duplicate_kind),
                    story_similarity: story.and_then(|s| s.story_similarity),
                })
            })
            .collect()
    }

    /// Every document's story, by `doc_id`. Copies are grouped transitively; the canonical
    /// document of a group is its earliest `published_at` (unknown last), then the first in
    /// input order (`source`, `source_record`, `doc_id`). Texts share a band's bucket when
    /// the hashes of that band agree. Fails only when a signature cannot be read back from the
    /// file of [`Stories::spill_to`].
    pub fn assign(&self) -> std::io::Result<HashMap<String, Story>> {
        let keys = &self.keys;
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&keys[a], &keys[b]);
            (x.published_at.is_none(), x.published_at, &x.source, x.source_record, &x.doc_id).cmp(
                &(y.published_at.is_none(), y.published_at, &y.source, y.source_record, &y.doc_id),
            )
        });
        // Distinct texts, numbered in canonical order of their first document.
        let mut text_of_doc = vec![0usize; keys.len()];
        let mut texts: Vec<usize> = Vec::new(); // text -> its first document
        let mut by_hash: HashMap<u64, usize> = HashMap::new();
        for &d in &order {
            let t = *by_hash.entry(keys[d].text).or_insert_with(|| {
                texts.push(d);
                texts.len() - 1
            });
            text_of_doc[d] = t;
        }
        drop(by_hash);
        let mut groups = UnionFind((0..texts.len()).collect());
        // Each text's signature number in the store; none for a text without words.
        let no_words = band_keys(&NO_WORDS);
        let signed: Vec<Option<u32>> = if self.config.near {
            texts
                .iter()
                .map(|&d| {
                    let i = self.signatures.index(keys[d].text)?;
                    (self.signatures.bands[i as usize] != no_words).then_some(i)
                })
                .collect()
        } else {
            Vec::new()
        };
        for band in 0..if self.config.near { BANDS } else { 0 } {
            let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
            for (t, &i) in signed.iter().enumerate() {
                let Some(i) = i else { continue };
                let bucket = buckets.entry(self.signatures.bands[i as usize][band]).or_default();
                let mut own = None;
                for &earlier in bucket.iter().take(PER_BUCKET) {
                    if groups.find(earlier) == groups.find(t) {
                        continue;
                    }
                    let sig = match own {
                        Some(sig) => sig,
                        None => *own.insert(self.signatures.read(i)?),
                    };
                    let other =
                        signed[earlier].map_or(Ok(NO_WORDS), |e| self.signatures.read(e))?;
                    if similarity(&other, &sig) >= self.config.threshold {
                        groups.union(earlier, t);
                    }
                }
                bucket.push(t);
            }
        }
        // The root of each group is its earliest text, whose first document is canonical.
        let mut out = HashMap::with_capacity(keys.len());
        for (d, key) in keys.iter().enumerate() {
            let t = text_of_doc[d];
            let root = groups.find(t);
            let canonical = texts[root];
            let story_id = keys[canonical].doc_id.clone();
            let story = if d == canonical {
                Story { story_id, duplicate_of: None, duplicate_kind: None, story_similarity: None }
            } else {
                let exact = t == root;
                Story {
                    duplicate_of: Some(story_id.clone()),
                    story_id,
                    duplicate_kind: Some(if exact {
                        DuplicateKind::Exact
                    } else {
                        DuplicateKind::Near
                    }),
                    story_similarity: Some(if exact {
                        1.0
                    } else {
                        let read =
                            |t: usize| signed[t].map_or(Ok(NO_WORDS), |i| self.signatures.read(i));
                        similarity(&read(t)?, &read(root)?)
                    }),
                }
            };
            out.insert(key.doc_id.clone(), story);
        }
        Ok(out)
    }
}

/// Sets `story_id`, `duplicate_of`, `duplicate_kind` and `story_similarity` on every document
/// ([`Stories`] over one batch). The result does not depend on the order of `documents` or on
/// the number of threads.
pub fn assign_stories(documents: &mut [Document], config: &DedupConfig) {
    let mut stories = Stories::new(config);
    // Signatures in memory: nothing is read from or written to a file, so neither fails.
    let (Ok(()), Ok(mut assigned)) = (stories.add(documents), stories.assign()) else { return };
    drop(stories);
    for doc in documents.iter_mut() {
        if let Some(story) = assigned.remove(&doc.doc_id) {
            story.apply(doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{layout_free_hash, signature, similarity};

    /// The hash is XXH3-64 of the words joined by single spaces, whatever the layout (run
    /// state written by earlier runs holds these hashes).
    #[test]
    fn layout_free_hash_is_xxh3_of_the_words_single_spaced() {
        let spaced = xxhash_rust::xxh3::xxh3_64("Ann met Bób. Then".as_bytes());
        assert_eq!(layout_free_hash("  Ann met\n\nBób.\u{2003}Then \t"), spaced);
        assert_eq!(layout_free_hash("Ann\tmet Bób. Then"), spaced);
        assert_eq!(layout_free_hash(""), xxhash_rust::xxh3::xxh3_64(b""));
    }

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

    #[test]
    fn every_bin_of_a_short_text_holds_one_of_its_shingles() {
        // Two shingles reach at most two of the 128 bins; densification fills the rest with
        // their values, and the same text always gets the same signature.
        let sig = signature("One two three four five six", 5);
        let mut values: Vec<u64> = sig.to_vec();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), 2, "{values:?}");
        assert_eq!(sig, signature("one  two three-four five SIX", 5));
        assert!(signature("", 5).iter().all(|&v| v == u64::MAX));
        // A shingle longer than any text is the whole text, however long it is set.
        assert_eq!(signature("One two three", usize::MAX), signature("One two three", 3));
    }
}
