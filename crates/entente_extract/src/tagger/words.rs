//! The word lists the tagger's features read: common lower-case words, distributional
//! clusters and given names (built by `scripts/ner/`).

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::IdHasher;
use super::features::h;

/// The word lists compiled into the tagger.
const LEXICON_FILE: &str = include_str!("../../data/lexicon.txt");
const CLUSTERS_FILE: &str = include_str!("../../data/clusters.tsv");
const GIVEN_NAMES_FILE: &str = include_str!("../../data/given_names.txt");
/// The vector classes, zstd-compressed (`scripts/ner/build_vectors.py`).
pub(crate) const VECTORS_FILE: &[u8] = include_bytes!("../../data/vectors.tsv.zst");

/// Every word list the tagger's features read, for [`crate::builtin_data_hash`].
pub(crate) const WORD_LISTS: [&str; 3] = [LEXICON_FILE, CLUSTERS_FILE, GIVEN_NAMES_FILE];

/// Common lower-case English words (`scripts/ner/build_lexicon.py`): a capitalised word that
/// news writes in lower case is a name only with other evidence.
pub(crate) static LEXICON: std::sync::LazyLock<WordSet> =
    std::sync::LazyLock::new(|| list_lines(LEXICON_FILE).map(|fields| h(fields[0])).collect());

/// A set or map keyed by the [`h`] hash of a word, so lookups reuse the hashes a token's
/// features are made of.
pub(crate) type ByHash<V> = HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// A set of words by their [`h`] hashes.
pub(crate) type WordSet = std::collections::HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>;

/// The words of a list file (`#` comments), each line split at tabs.
fn list_lines(contents: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    contents
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

/// Distributional word clusters (`scripts/ner/build_clusters.py`): the hash of a word as
/// written → its (coarse, fine) clusters, counted from 1.
pub(crate) static CLUSTERS: std::sync::LazyLock<ByHash<(u64, u64)>> =
    std::sync::LazyLock::new(|| {
        list_lines(CLUSTERS_FILE)
            .filter_map(|fields| {
                let [word, coarse, fine] = fields[..] else { return None };
                let (coarse, fine): (u64, u64) = (coarse.parse().ok()?, fine.parse().ok()?);
                Some((h(word), (coarse + 1, fine + 1)))
            })
            .collect()
    });

/// A word's classes from spaCy's `en_core_web_md` vectors (`scripts/ner/build_vectors.py`):
/// the vector row it shares with similar words, and the mid and coarse k-means classes of
/// that row, each counted from 1.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct VectorClass {
    pub(crate) row: u32,
    pub(crate) mid: u16,
    pub(crate) coarse: u16,
}

/// The hash of a word as written → its [`VectorClass`]. A file that does not decompress or
/// parse gives no classes (a test checks that it does).
pub(crate) static VECTORS: std::sync::LazyLock<ByHash<VectorClass>> =
    std::sync::LazyLock::new(|| {
        let Ok(text) = zstd::stream::decode_all(VECTORS_FILE) else { return ByHash::default() };
        let lines = memchr::memchr_iter(b'\n', &text).count();
        let mut out =
            ByHash::with_capacity_and_hasher(lines, std::hash::BuildHasherDefault::default());
        // Read as bytes, a field at a time: lines split by `str`'s pattern searchers took most
        // of the time the tagger's first document waits for.
        for line in text.split(|&b| b == b'\n').filter(|l| l.first() != Some(&b'#')) {
            if let Some((word, class)) = vector_line(line) {
                out.insert(xxh3_64_with_seed(word, 0), class);
            }
        }
        out
    });

/// The classes of a word whose [`h`] hashes are `word` as written and `lower` lower-cased:
/// the file leaves out a capitalised form with the classes of its lower-case one.
pub(crate) fn vector_class(word: u64, lower: u64) -> VectorClass {
    VECTORS.get(&word).or_else(|| VECTORS.get(&lower)).copied().unwrap_or_default()
}

/// A line of the vector classes file, `word<TAB>row<TAB>mid<TAB>coarse`: the word's bytes and
/// its classes, counted from 1.
pub(crate) fn vector_line(line: &[u8]) -> Option<(&[u8], VectorClass)> {
    fn number(field: &[u8]) -> Option<u32> {
        if field.is_empty() || field.len() > 9 {
            return None;
        }
        field
            .iter()
            .try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    }
    let mut fields = line.split(|&b| b == b'\t');
    let (Some(word), Some(row), Some(mid), Some(coarse), None) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    std::str::from_utf8(word).ok()?;
    let row = number(row)?.checked_add(1)?;
    let mid = u16::try_from(number(mid)?).ok()?.checked_add(1)?;
    let coarse = u16::try_from(number(coarse)?).ok()?.checked_add(1)?;
    Some((word, VectorClass { row, mid, coarse }))
}

/// Given names (`scripts/ner/build_names.py`, US Census 1990): hashes of the lower-case names.
pub(crate) static GIVEN_NAMES: std::sync::LazyLock<WordSet> =
    std::sync::LazyLock::new(|| list_lines(GIVEN_NAMES_FILE).map(|fields| h(fields[0])).collect());

/// Whether `lower` (a lower-cased word) is a given name.
pub(crate) fn is_given_name(lower: &str) -> bool {
    GIVEN_NAMES.contains(&h(lower))
}

/// Whether `lower` (a lower-cased word) is in the lexicon of common lower-case words.
pub(crate) fn is_common_word(lower: &str) -> bool {
    LEXICON.contains(&h(lower))
}

/// Whether `word` is a common word of the lexicon behind a prefix that makes new words
/// ("Redesignated", "Counterstrategies", "Non-binding"). The rest must have five letters or
/// more, so that names that happen to start like a prefix ("Reading", "Reeves") are not
/// taken apart, and the word must be too rare for the clusters' news vocabulary, which
/// knows "Republic" and "Unilever" as they are.
pub(crate) fn is_derived_word(word: &str) -> bool {
    if CLUSTERS.contains_key(&h(word)) {
        return false;
    }
    let lower = word.to_lowercase();
    crate::words::DERIVED_PREFIXES.iter().any(|p| {
        lower.strip_prefix(p).map(|rest| rest.strip_prefix('-').unwrap_or(rest)).is_some_and(
            |rest| {
                rest.chars().count() >= 5 && rest.chars().all(char::is_alphabetic) && {
                    LEXICON.contains(&h(rest))
                }
            },
        )
    })
}
