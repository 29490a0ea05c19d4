//! What the tagger sees of a token: hashed word, shape, affix, cluster, context, casing and
//! document features, and how a line is written (its style).

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::tokenize::after_handle;
use super::words::{ByHash, CLUSTERS, GIVEN_NAMES, LEXICON, VectorClass, WordSet, vector_class};
use super::{Allowed, Token, can_name};

#[cfg(test)]
pub(crate) fn shape(w: &str) -> String {
    let mut out = String::new();
    shape_into(w, &mut out);
    out
}

/// A word's shape ("Xxx", "X.X.", "dd-dd-dd": runs of one kind cut to two) into a buffer the
/// caller reuses.
fn shape_into(w: &str, out: &mut String) {
    out.clear();
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        if !out.ends_with(k)
            || !matches!(k, 'X' | 'x' | 'd')
            || out.chars().rev().take_while(|&p| p == k).count() < 2
        {
            out.push(k);
        }
    }
}

/// A string's hash, the unit features are built from.
pub(crate) fn h(s: &str) -> u64 {
    xxh3_64_with_seed(s.as_bytes(), 0)
}

/// A feature id: template `t` over the values `a` and `b`.
pub(crate) fn mix(t: u64, a: u64, b: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    xxh3_64_with_seed(&bytes, t)
}

/// What the features of a token are made of, hashed once per token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hashes {
    pub(crate) lower: u64,
    pub(crate) shape: u64,
    pub(crate) word: u64,
    pub(crate) gazetteer: u64,
    pub(crate) prefix: [u64; 3],
    pub(crate) suffix: [u64; 4],
    pub(crate) len: u64,
    pub(crate) capitalised: bool,
    pub(crate) in_lexicon: bool,
    /// A capitalised given name ("John", "Maria").
    pub(crate) given: bool,
    /// The word's coarse and fine distributional clusters (0 when it has none).
    pub(crate) cluster: (u64, u64),
    /// The word's vector classes (all 0 when it has none).
    pub(crate) vector: VectorClass,
    /// The first and last parts of a hyphenated word ("sino", "russian").
    pub(crate) parts: Option<(u64, u64)>,
    /// What [`style`] reads of the word's letters.
    pub(crate) letters: Letters,
}

impl Hashes {
    /// The hashes of `text` (whose [`h`] hash is `word`), with no gazetteer label.
    fn new(text: &str, word: u64, lower: &str, shape_buf: &mut String) -> Self {
        // The byte offset of the `n`th character (the length past the last).
        let ascii = lower.is_ascii();
        let chars = if ascii { lower.len() } else { lower.chars().count() };
        let byte = |n: usize| {
            if ascii { n } else { lower.char_indices().nth(n).map_or(lower.len(), |(b, _)| b) }
        };
        let prefix = |n: usize| h(&lower[..byte(n.min(chars))]);
        let suffix = |n: usize| h(&lower[byte(chars.saturating_sub(n))..]);
        shape_into(text, shape_buf);
        let lower_hash = h(lower);
        let capitalised = text.chars().next().is_some_and(char::is_uppercase);
        Self {
            lower: lower_hash,
            shape: h(shape_buf),
            word,
            gazetteer: 0,
            prefix: [prefix(2), prefix(3), prefix(4)],
            suffix: [suffix(2), suffix(3), suffix(4), suffix(5)],
            len: chars.min(8) as u64,
            capitalised: text.chars().any(char::is_uppercase),
            in_lexicon: LEXICON.contains(&lower_hash),
            given: capitalised && GIVEN_NAMES.contains(&lower_hash),
            cluster: CLUSTERS
                .get(&word)
                .or_else(|| CLUSTERS.get(&lower_hash))
                .copied()
                .unwrap_or((0, 0)),
            vector: vector_class(word, lower_hash),
            parts: lower
                .split_once('-')
                .zip(lower.rsplit_once('-'))
                .map(|((first, _), (_, last))| (h(first), h(last))),
            letters: Letters::of(text),
        }
    }
}

/// A sentence ready for tagging: lower-cased tokens, their hashes and styles.
pub(crate) struct Prepared {
    /// Which names each token may be part of ([`can_name`]).
    pub(crate) name_ok: Vec<Allowed>,
    pub(crate) hashes: Vec<Hashes>,
    pub(crate) styles: Vec<Style>,
    /// The run of capitalised words each token is part of, as `start..end` token indices
    /// (`0..0` outside one).
    pub(crate) runs: Vec<std::ops::Range<usize>>,
}

/// Runs of two or more capitalised words (or numbered ones: "139th Fighter Squadron"),
/// joined across "of (the)", "and", "&", "de" and a possessive between capitalised words
/// ("Army of the Potomac", "Couch 's Division"), for every token the run it is in. The type
/// of a name is often said by its last word ("Reading Railroad", "Victoria Hockey Club"),
/// which a left-to-right tagger has not reached when it labels the first.
pub(crate) fn runs(tokens: &[Token<'_>]) -> Vec<std::ops::Range<usize>> {
    let in_run = |t: &Token<'_>| {
        t.text.chars().next().is_some_and(|c| {
            c.is_uppercase() || c.is_ascii_digit() && t.text.chars().any(char::is_alphabetic)
        })
    };
    let mut out = vec![0..0; tokens.len()];
    let mut i = 0;
    while i < tokens.len() {
        let mut j = i;
        while j < tokens.len() {
            if in_run(&tokens[j]) {
                j += 1;
                continue;
            }
            let joins = j > i && matches!(tokens[j].text, "of" | "and" | "&" | "de" | "'s" | "’s");
            let next = |k: usize| tokens.get(k).is_some_and(&in_run);
            if joins && next(j + 1) {
                j += 1;
            } else if joins && tokens.get(j + 1).is_some_and(|t| t.text == "the") && next(j + 2) {
                j += 2;
            } else {
                break;
            }
        }
        if j >= i + 2 {
            out[i..j].fill(i..j);
        }
        i = j.max(i + 1);
    }
    out
}

/// How many words' [`Hashes`] each thread keeps (about 200 bytes each): BBC news, a million
/// tokens, has 34,000 distinct words. A full cache is emptied and fills again.
const CACHED_WORDS: usize = 1 << 16;

/// Each thread's [`Hashes`] of the words it has seen, and which names each can be part of
/// ([`can_name`]), by the hash of the word as written (the word itself beside them, so that
/// two words of one hash are never confused). A word's hashes depend on the word alone, so
/// a word the thread met before costs one lookup instead of a dozen hashes and three table
/// lookups.
type Cache = ByHash<Seen>;

/// A word a thread has seen: see [`Cache`].
struct Seen {
    spelling: Spelling,
    hashes: Hashes,
    allowed: Allowed,
}

/// A word as written: kept in place when short (most words), so that telling it from another
/// word of the same hash reads no other memory.
enum Spelling {
    Short { len: u8, bytes: [u8; 22] },
    Long(Box<str>),
}

impl Spelling {
    fn of(text: &str) -> Self {
        let mut bytes = [0; 22];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(short), Ok(len)) => {
                short.copy_from_slice(text.as_bytes());
                Spelling::Short { len, bytes }
            }
            _ => Spelling::Long(text.into()),
        }
    }

    fn is(&self, text: &str) -> bool {
        match self {
            Spelling::Short { len, bytes } => {
                bytes.get(..usize::from(*len)) == Some(text.as_bytes())
            }
            Spelling::Long(long) => **long == *text,
        }
    }
}

thread_local! {
    static CACHE: std::cell::RefCell<Cache> = std::cell::RefCell::default();
}

pub(crate) fn prepare(tokens: &[Token<'_>]) -> Prepared {
    // One buffer for the lower-case forms: most tokens are ASCII and need no allocation.
    let (mut lower, mut shape_buf) = (String::new(), String::new());
    let no_gazetteer = h("");
    let mut name_ok = Vec::with_capacity(tokens.len());
    let words: Vec<u64> = tokens.iter().map(|t| h(t.text)).collect();
    let hashes: Vec<Hashes> = CACHE.with_borrow_mut(|cache| {
        // The sentence's words looked up together first: the first read of a word's entry
        // is mostly a cache miss, and independent lookups wait for theirs at once, where
        // the loop below, with a word's work between lookups, would wait for each in turn.
        let seen = words.iter().fold(0, |acc, w| acc ^ cache.get(w).map_or(0, |s| s.hashes.lower));
        std::hint::black_box(seen);
        tokens
            .iter()
            .zip(&words)
            .map(|(t, &word)| {
                let (mut hashes, allowed) = match cache.get(&word) {
                    Some(seen) if seen.spelling.is(t.text) => (seen.hashes, seen.allowed),
                    cached => {
                        lower.clear();
                        if t.text.is_ascii() {
                            lower.extend(t.text.chars().map(|c| c.to_ascii_lowercase()));
                        } else {
                            lower.push_str(&t.text.to_lowercase());
                        }
                        let hashes = Hashes::new(t.text, word, &lower, &mut shape_buf);
                        let allowed = can_name(t.text);
                        if cached.is_none() {
                            if cache.len() >= CACHED_WORDS {
                                cache.clear();
                            }
                            let spelling = Spelling::of(t.text);
                            cache.insert(word, Seen { spelling, hashes, allowed });
                        }
                        (hashes, allowed)
                    }
                };
                name_ok.push(allowed);
                hashes.gazetteer =
                    if t.gazetteer.is_empty() { no_gazetteer } else { h(t.gazetteer) };
                hashes
            })
            .collect()
    });
    for (i, allowed) in name_ok.iter_mut().enumerate() {
        if !matches!(allowed, Allowed::Inside | Allowed::NotPerson) {
            continue;
        }
        if after_handle(tokens, i) {
            *allowed = Allowed::Any;
        } else if i > 0
            && after_handle(tokens, i - 1)
            && !tokens[i - 1].text.chars().any(char::is_uppercase)
        {
            // A handle is one word, so a lower-case word after it goes on with no name of it
            // ("@ bbcnews the Lakers"). After a capitalised word the "@" may stand for "at"
            // ("@ Cork City", as check-ins write it).
            *allowed = Allowed::AfterHandle;
        }
    }
    let letters: Vec<Letters> = hashes.iter().map(|t| t.letters).collect();
    Prepared { name_ok, styles: styles_with(tokens, &letters), hashes, runs: runs(tokens) }
}

/// What a feature of a token depends on. The features of the word itself, those of the
/// words one and two places before and after it in their role there ("the word before is
/// 'said'"), those of the word with the word just before or after it ("'Mr' before a
/// capitalised word"), and those of the word after a label are the same wherever the word
/// stands: the tagger sums their weights once per word (or pair of words) and remembers the
/// sums; the contexts a document gives a word are the same wherever it stands in that
/// document. The rest depend on the token's place: the labels before it, the words on both
/// sides together, its gazetteer match, its run of capitalised words, its sentence and its
/// document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Word = 0,
    Before = 1,
    After = 2,
    Before2 = 3,
    After2 = 4,
    /// The word with the word just before it.
    PairBefore = 5,
    /// The word with the word just after it.
    PairAfter = 6,
    /// The word after the label before it.
    AfterLabel = 7,
    /// The words around the word's occurrences in the document.
    Contexts = 8,
    Place = 9,
}

impl Part {
    /// Every part, in the order of their numbers.
    pub(crate) const ALL: [Part; 10] = [
        Part::Word,
        Part::Before,
        Part::After,
        Part::Before2,
        Part::After2,
        Part::PairBefore,
        Part::PairAfter,
        Part::AfterLabel,
        Part::Contexts,
        Part::Place,
    ];

    /// The parts whose weights depend on one word alone, each with the offset of that word
    /// from the token.
    pub(crate) const OF_WORDS: [(Part, isize); 5] = [
        (Part::Word, 0),
        (Part::Before, -1),
        (Part::After, 1),
        (Part::Before2, -2),
        (Part::After2, 2),
    ];

    /// The number of parts whose sums are remembered: all but [`Part::Place`].
    pub(crate) const REMEMBERED: usize = 9;
}

/// A token's feature ids in training's order, each with the [`Part`] it belongs to; the
/// parts marked in `skip` are left out (their ids are not even computed).
#[derive(Debug, Default)]
pub(crate) struct Features {
    pub(crate) ids: Vec<u64>,
    pub(crate) parts: Vec<Part>,
    pub(crate) skip: [bool; Part::ALL.len()],
}

impl Features {
    fn add<const K: usize>(&mut self, part: Part, ids: impl FnOnce() -> [u64; K]) {
        if !self.skip[part as usize] {
            self.ids.extend(ids());
            self.parts.extend([part; K]);
        }
    }
}

/// Writes the feature ids of token `i` into `out`, given the labels chosen for the tokens
/// before it.
pub(crate) fn features(
    p: &Prepared,
    i: usize,
    prev: &[usize],
    doc: &DocContext,
    out: &mut Features,
) {
    use Part::{
        After, After2, AfterLabel, Before, Before2, Contexts, PairAfter, PairBefore, Place, Word,
    };
    const START: u64 = 0x0053_5441_5254; // no label or word before the sentence
    const END: u64 = 0x0045_4e44; // no word after it
    const NONE: u64 = 0; // no shape or gazetteer label there
    let t = &p.hashes[i];
    let at = |k: isize| i.checked_add_signed(k).and_then(|j| p.hashes.get(j));
    let word = |k: isize| at(k).map_or(if k < 0 { START } else { END }, |x| x.lower);
    let shape = |k: isize| at(k).map_or(NONE, |x| x.shape);
    let gazetteer = |k: isize| at(k).map_or(NONE, |x| x.gazetteer);
    let p1 = prev.last().map_or(START, |&l| l as u64);
    let p2 = if prev.len() >= 2 { prev[prev.len() - 2] as u64 } else { START };
    let style = p.styles[i];
    out.ids.clear();
    out.parts.clear();
    out.add(Word, || {
        [
            mix(0, 0, 0),
            mix(1, t.lower, 0),
            mix(2, t.shape, 0),
            mix(3, t.prefix[0], 0),
            mix(4, t.prefix[1], 0),
            mix(29, t.prefix[2], 0),
            mix(5, t.suffix[0], 0),
            mix(6, t.suffix[1], 0),
            mix(7, t.suffix[2], 0),
            mix(30, t.suffix[3], 0),
        ]
    });
    out.add(Before, || [mix(8, word(-1), 0)]);
    out.add(After, || [mix(9, word(1), 0)]);
    out.add(Before2, || [mix(10, word(-2), 0)]);
    out.add(After2, || [mix(11, word(2), 0)]);
    out.add(Before, || [mix(12, shape(-1), 0)]);
    out.add(After, || [mix(13, shape(1), 0)]);
    out.add(Place, || [mix(14, p1, 0), mix(15, p2, p1)]);
    out.add(AfterLabel, || [mix(16, p1, t.lower)]);
    out.add(Word, || [mix(17, t.word, 0)]);
    out.add(PairBefore, || [mix(18, word(-1), t.lower)]);
    out.add(PairAfter, || [mix(19, t.lower, word(1)), mix(20, t.shape, shape(1))]);
    out.add(PairBefore, || [mix(21, shape(-1), t.shape)]);
    out.add(Place, || {
        [
            mix(22, t.gazetteer, 0),
            mix(23, t.gazetteer, t.shape),
            mix(24, gazetteer(1), 0),
            mix(25, gazetteer(-1), 0),
        ]
    });
    out.add(PairBefore, || [mix(31, word(-1), t.shape)]);
    out.add(PairAfter, || [mix(32, t.shape, word(1))]);
    out.add(AfterLabel, || [mix(33, p1, t.shape)]);
    out.add(Word, || [mix(34, t.len, 0)]);
    if i == 0 {
        out.add(Place, || [mix(26, t.shape, 0)]);
    }
    let suffix = |k: isize| at(k).map_or(NONE, |x| x.suffix[1]);
    out.add(Place, || [mix(35, word(-1), word(1))]);
    out.add(Before, || [mix(36, suffix(-1), 0)]);
    out.add(After, || [mix(37, suffix(1), 0)]);
    out.add(Place, || [mix(38, mix(0, shape(-1), t.shape), shape(1))]);
    let coarse = |k: isize| at(k).map_or(START, |x| x.cluster.0);
    let fine = |k: isize| at(k).map_or(START, |x| x.cluster.1);
    out.add(Word, || [mix(51, fine(0), 0), mix(52, coarse(0), 0)]);
    out.add(Before, || [mix(53, coarse(-1), 0)]);
    out.add(After, || [mix(54, coarse(1), 0)]);
    out.add(Before, || [mix(55, fine(-1), 0)]);
    out.add(After, || [mix(56, fine(1), 0)]);
    out.add(Word, || [mix(57, fine(0), t.shape)]);
    out.add(PairBefore, || [mix(58, coarse(-1), coarse(0))]);
    out.add(PairAfter, || [mix(59, coarse(0), coarse(1))]);
    out.add(AfterLabel, || [mix(60, p1, coarse(0))]);
    let vector = |k: isize| at(k).map_or(VectorClass::default(), |x| x.vector);
    let (v, before, after) = (vector(0), vector(-1), vector(1));
    out.add(Word, || {
        [
            mix(70, u64::from(v.row), 0),
            mix(71, u64::from(v.mid), 0),
            mix(72, u64::from(v.coarse), 0),
        ]
    });
    out.add(Before, || [mix(73, u64::from(before.mid), 0)]);
    out.add(After, || [mix(74, u64::from(after.mid), 0)]);
    out.add(Word, || [mix(75, u64::from(v.mid), t.shape)]);
    out.add(AfterLabel, || [mix(76, p1, u64::from(v.mid))]);
    out.add(PairBefore, || [mix(77, u64::from(before.coarse), u64::from(v.coarse))]);
    out.add(PairAfter, || [mix(78, u64::from(v.coarse), u64::from(after.coarse))]);
    let given = |k: isize| at(k).map_or(2, |x| u64::from(x.given));
    out.add(Word, || [mix(47, given(0), u64::from(t.in_lexicon))]);
    out.add(PairBefore, || [mix(48, given(-1), t.shape)]);
    out.add(PairAfter, || [mix(49, given(0), shape(1))]);
    out.add(PairBefore, || [mix(50, given(-1), given(0))]);
    let run = &p.runs[i];
    if style == Style::Prose && !run.is_empty() {
        let last = &p.hashes[run.end - 1];
        let offset = |k: usize| isize::try_from(k).unwrap_or(0) - isize::try_from(i).unwrap_or(0);
        out.add(Place, || {
            [
                mix(61, last.lower, u64::from(i + 1 == run.end)),
                mix(62, last.cluster.1, 0),
                mix(68, u64::from(last.vector.mid), 0),
                mix(63, last.suffix[1], 0),
                mix(64, word(offset(run.end)), 0),
                mix(65, word(offset(run.start) - 1), 0),
                mix(66, run.len().min(5) as u64, (i - run.start).min(3) as u64),
            ]
        });
        if i > run.start {
            out.add(Place, || [mix(67, p.hashes[run.start].lower, 0)]);
        }
    }
    if let Some((first, last)) = t.parts {
        out.add(Word, || [mix(45, first, 0), mix(46, last, 0)]);
    }
    if style != Style::Prose {
        out.add(Place, || [mix(27, style as u64, t.lower), mix(28, p1, style as u64)]);
    }
    if t.capitalised {
        // How the document writes this word elsewhere: a capitalised word that also appears
        // in lower case is likely a common word at a sentence start or in a headline.
        let position = match style {
            Style::Prose if i == 0 => 10,
            Style::Prose => 11,
            other => other as u64,
        };
        let seen = u64::from(doc.lower.contains(&t.lower)) * 2
            + u64::from(doc.capitalised.contains(&t.lower));
        out.add(Place, || {
            [
                mix(44, position, u64::from(t.in_lexicon)),
                mix(40, position, seen),
                mix(41, position * 4 + seen, t.shape),
            ]
        });
        if let Some(kind) = doc.history.get(&t.lower).map(|h| h.majority()) {
            out.add(Place, || [mix(42, kind, 0), mix(43, kind, position)]);
        }
        // How the whole document uses the word: the words around its every occurrence.
        if let Some(contexts) = doc.contexts.get(&t.lower) {
            for &c in contexts.words() {
                out.add(Contexts, || [mix(80, c, 0)]);
            }
        }
    }
}

/// How many words around a capitalised word's occurrences [`DocContext`] keeps for it.
const CONTEXTS: usize = 16;

/// What the rest of a document says about its words: which appear in lower case, which are
/// capitalised inside a sentence, which words stand around each capitalised word, and which
/// kinds of name earlier tokens of the same word were tagged with.
#[derive(Debug, Default)]
pub(crate) struct DocContext {
    /// For each capitalised word, the words just before and after its occurrences, up to
    /// [`CONTEXTS`] of them in document order (Ratinov and Roth's context aggregation): a
    /// name the story also writes as "the Kings won" or "said Mr Kings" is typed by that
    /// wherever it stands.
    pub(crate) contexts: ByHash<Contexts>,
    pub(crate) lower: WordSet,
    pub(crate) capitalised: WordSet,
    pub(crate) history: ByHash<History>,
}

/// The distinct words around a capitalised word's occurrences, up to [`CONTEXTS`] of them in
/// document order, kept in place (no allocation per word).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Contexts {
    len: usize,
    words: [u64; CONTEXTS],
}

impl Contexts {
    /// Adds `word` unless it is there or the list is full.
    fn add(&mut self, word: u64) {
        if self.len < CONTEXTS && !self.words().contains(&word) {
            self.words[self.len] = word;
            self.len += 1;
        }
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words[..self.len]
    }
}

/// Counts of the kinds (O, PER, ORG, LOC, MISC) a word was tagged with so far.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct History([u16; 5]);

impl History {
    /// The kind (0 = O, 1 = PER, ...) most often given.
    fn majority(self) -> u64 {
        let mut best = 0;
        for k in 1..5 {
            if self.0[k] > self.0[best] {
                best = k;
            }
        }
        best as u64
    }
}

impl DocContext {
    pub(crate) fn new(prepared: &[Prepared]) -> Self {
        let mut doc = Self::default();
        doc.fill(prepared);
        doc
    }

    /// Empties it and reads the document `prepared`, keeping the maps' memory: a thread
    /// reads one document after another.
    pub(crate) fn fill(&mut self, prepared: &[Prepared]) {
        self.contexts.clear();
        self.lower.clear();
        self.capitalised.clear();
        self.history.clear();
        let doc = self;
        for p in prepared {
            for i in 0..p.hashes.len() {
                let (has_lower, has_upper) = (p.hashes[i].letters.lower, p.hashes[i].capitalised);
                if has_lower && !has_upper {
                    doc.lower.insert(p.hashes[i].lower);
                } else if has_lower && i > 0 && p.styles[i] == Style::Prose {
                    doc.capitalised.insert(p.hashes[i].lower);
                }
                if has_upper {
                    let entry = doc.contexts.entry(p.hashes[i].lower).or_default();
                    let before = i.checked_sub(1).map(|j| mix(1, p.hashes[j].lower, 0));
                    let after = p.hashes.get(i + 1).map(|x| mix(2, x.lower, 0));
                    for c in [before, after].into_iter().flatten() {
                        entry.add(c);
                    }
                }
            }
        }
    }

    /// Records the labels given to a sentence's capitalised tokens.
    pub(crate) fn remember(&mut self, p: &Prepared, labels: &[usize]) {
        for (t, &l) in p.hashes.iter().zip(labels) {
            if t.capitalised {
                let h = self.history.entry(t.lower).or_default();
                let kind = l.div_ceil(2);
                h.0[kind] = h.0[kind].saturating_add(1);
            }
        }
    }
}

/// How a sentence is written: capitalisation says less about names in a headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Ordinary sentence case.
    Prose,
    /// Capitals throughout ("JAPAN GET LUCKY WIN"), as newswire headlines are.
    Caps,
    /// Most words capitalised and no final punctuation ("Regional Responses and Western
    /// Counterstrategies"): a heading, a table cell or a list of names.
    Title,
}

/// [`styles_with`] the tokens' own letters.
#[cfg(test)]
pub(crate) fn styles(tokens: &[Token<'_>]) -> Vec<Style> {
    let letters: Vec<Letters> = tokens.iter().map(|t| Letters::of(t.text)).collect();
    styles_with(tokens, &letters)
}

/// The [`Style`] of every token, whose [`Letters`] are `letters`: that of the whole sentence
/// when it is in capitals, else that of its segment between colons and table bars
/// ("Countering US Influence in Asia: The alliance ...", "| North Korea | Securing economic
/// assistance |").
fn styles_with(tokens: &[Token<'_>], letters: &[Letters]) -> Vec<Style> {
    if style_of(tokens, letters) == Style::Caps {
        return vec![Style::Caps; tokens.len()];
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut start = 0;
    for segment in tokens.split_inclusive(|t| matches!(t.text, ":" | "|")) {
        let end = start + segment.len();
        let words = match segment.split_last() {
            Some((last, _)) if matches!(last.text, ":" | "|") => start..end - 1,
            _ => start..end,
        };
        let style = style_of(&tokens[words.clone()], &letters[words]);
        out.extend(std::iter::repeat_n(style, segment.len()));
        start = end;
    }
    out
}

/// What [`style`] reads of a token's letters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Letters {
    /// Letters in it, up to four.
    count: u8,
    /// A lower-case letter in it.
    pub(crate) lower: bool,
    /// It starts with a capital.
    capitalised: bool,
}

impl Letters {
    fn of(text: &str) -> Self {
        let mut count = 0u8;
        let mut lower = false;
        if text.is_ascii() {
            for b in text.bytes() {
                count += u8::from(b.is_ascii_alphabetic() && count < 4);
                lower |= b.is_ascii_lowercase();
            }
        } else {
            for c in text.chars() {
                count += u8::from(c.is_alphabetic() && count < 4);
                lower |= c.is_lowercase();
            }
        }
        let capitalised = text.chars().next().is_some_and(char::is_uppercase);
        Self { count, lower, capitalised }
    }
}

pub(crate) fn style(tokens: &[Token<'_>]) -> Style {
    let letters: Vec<Letters> = tokens.iter().map(|t| Letters::of(t.text)).collect();
    style_of(tokens, &letters)
}

/// The [`Style`] of `tokens`, whose [`Letters`] are `letters`.
fn style_of(tokens: &[Token<'_>], letters: &[Letters]) -> Style {
    // Words (with a letter), those in capitals, long words (four letters or more) and those
    // capitalised, counted in one pass.
    let (mut words, mut upper, mut long, mut capitalised) = (0usize, 0usize, 0usize, 0usize);
    for l in letters {
        if l.count > 0 {
            words += 1;
            upper += usize::from(!l.lower);
        }
        if l.count >= 4 {
            long += 1;
            capitalised += usize::from(l.capitalised);
        }
    }
    if words >= 3 && upper * 10 >= words * 8 {
        return Style::Caps;
    }
    let ends_sentence =
        tokens.last().is_some_and(|t| matches!(t.text, "." | "!" | "?" | "\"" | "”" | "'" | "’"));
    // A sentence that ends like one is a heading only with every long word capitalised: "He
    // met officials of the Harbin Electric Company on Monday." is prose full of names.
    let titled = if ends_sentence {
        long >= 3 && capitalised == long
    } else {
        long >= 2 && capitalised * 10 >= long * 7
    };
    if titled { Style::Title } else { Style::Prose }
}

/// A title-case copy of a headline in capitals ("Japan Get Lucky Win"), so that the model
/// learns headings in title case from the headlines of its training data.
pub(crate) fn title_case(word: &str, first: bool) -> String {
    const SMALL: &[&str] =
        &["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"];
    if !word.chars().any(char::is_alphabetic) {
        return word.to_owned();
    }
    let lower = word.to_lowercase();
    if !first && SMALL.contains(&lower.as_str()) {
        return lower;
    }
    let mut chars = lower.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
