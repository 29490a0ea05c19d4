//! The hand-written word tables the tokenizer, the tagger's decoding and the passes read,
//! compiled in from `data/words/` (one word, or word and type, per line; `#` comments) and
//! hashed into [`crate::builtin_data_hash`].

use std::sync::LazyLock;

use entente_schema::EntityType;
pub(crate) use entente_schema::words::{
    HIGH, alphanumeric_at, alphanumeric_runs, ascii_in, next_marked, run_end,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// A word table file: its name under `data/words/` and its contents.
macro_rules! table {
    ($name:literal) => {
        ($name, include_str!(concat!("../data/words/", $name)))
    };
}

/// Every table, for [`crate::builtin_data_hash`] and the tests that check they parse.
pub(crate) const FILES: [(&str, &str); 14] = [
    table!("abbreviations.txt"),
    table!("after_names.txt"),
    table!("currencies.txt"),
    table!("definition_stops.txt"),
    table!("derived_prefixes.txt"),
    table!("function_words.txt"),
    table!("kind_nouns.tsv"),
    table!("last_heads.tsv"),
    table!("minor_words.txt"),
    table!("name_particles.txt"),
    table!("of_heads.tsv"),
    table!("ordinals.txt"),
    table!("titles.txt"),
    table!("tokenizer_abbreviations.txt"),
];

/// The lines of a table that are not comments or blank, in file order.
fn lines(name: &str) -> impl Iterator<Item = &'static str> {
    let contents = FILES.iter().find(|(n, _)| *n == name).map_or("", |(_, c)| *c);
    contents.lines().filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A set of words.
pub(crate) type Words = LazyLock<FxHashSet<&'static str>>;

/// Words with the entity type each gives (a word's first line, if it has two).
pub(crate) type Typed = LazyLock<FxHashMap<&'static str, EntityType>>;

/// Reads a set of words.
fn words(name: &str) -> FxHashSet<&'static str> {
    lines(name).collect()
}

/// Reads a list of `word<TAB>TYPE` lines; a line whose type does not parse is left out (the
/// tests check that none is).
fn typed(name: &str) -> FxHashMap<&'static str, EntityType> {
    let mut table = FxHashMap::default();
    for line in lines(name) {
        if let Some((word, label)) = line.split_once('\t')
            && let Some(entity_type) = EntityType::parse(label)
        {
            table.entry(word).or_insert(entity_type);
        }
    }
    table
}

/// Abbreviations of common nouns (pass `abbreviations`).
pub(crate) static ABBREVIATIONS: Words = LazyLock::new(|| words("abbreviations.txt"));
/// Words that may follow a name a kind noun precedes (pass `definitions`).
pub(crate) static AFTER_NAMES: Words = LazyLock::new(|| words("after_names.txt"));
/// Currency names (pass `currencies`).
pub(crate) static CURRENCIES: Words = LazyLock::new(|| words("currencies.txt"));
/// Words that end a definition before its kind noun (pass `definitions`).
pub(crate) static DEFINITION_STOPS: Words = LazyLock::new(|| words("definition_stops.txt"));
/// Prefixes that derive new words (pass `common-words`).
pub(crate) static DERIVED_PREFIXES: Words = LazyLock::new(|| words("derived_prefixes.txt"));
/// Words that begin or end a name only by mistake.
pub(crate) static FUNCTION_WORDS: Words = LazyLock::new(|| words("function_words.txt"));
/// Kind nouns of definitions (pass `definitions`).
pub(crate) static KIND_NOUNS: Typed = LazyLock::new(|| typed("kind_nouns.tsv"));
/// Last words of names (pass `head-words`).
pub(crate) static LAST_HEADS: Typed = LazyLock::new(|| typed("last_heads.tsv"));
/// Short words a title leaves in lower case (pass `quoted-titles`).
pub(crate) static MINOR_WORDS: Words = LazyLock::new(|| words("minor_words.txt"));
/// Particles of people's names (the tagger's decoding).
pub(crate) static NAME_PARTICLES: Words = LazyLock::new(|| words("name_particles.txt"));
/// Heads of "X of Y" names (passes `head-words`, `of-heads`).
pub(crate) static OF_HEADS: Typed = LazyLock::new(|| typed("of_heads.tsv"));
/// Ordinal words before a head (passes `head-words`, `of-heads`).
pub(crate) static ORDINALS: Words = LazyLock::new(|| words("ordinals.txt"));
/// Titles and honorifics (pass `common-words`).
pub(crate) static TITLES: Words = LazyLock::new(|| words("titles.txt"));
/// Abbreviations that keep their period (the tokenizer).
pub(crate) static TOKENIZER_ABBREVIATIONS: Words =
    LazyLock::new(|| words("tokenizer_abbreviations.txt"));

/// Whether `word`, lower-cased, is a short word a title leaves in lower case ("Time to Wake
/// Up", "Taste of Chaos").
pub(crate) fn is_minor_word(word: &str) -> bool {
    with_lower(word, |lower| MINOR_WORDS.contains(lower))
}

/// Whether `word`, lower-cased, begins or ends a name only by mistake ("As China", "Putin
/// And", "Hey").
pub(crate) fn is_function_word(word: &str) -> bool {
    with_lower(word, |lower| FUNCTION_WORDS.contains(lower))
}

/// Whether `word`, lower-cased, is a title or honorific, which comes before a person's name
/// but is not part of it ("President Vladimir Putin", "Foreign Minister Wang Yi", "Mr.
/// Smith"), hyphenated ones by their last part ("Under-Secretary", "Vice-President").
pub(crate) fn is_title(word: &str) -> bool {
    with_lower(word, |lower| {
        TITLES.contains(lower)
            || lower.rsplit_once('-').is_some_and(|(_, last)| TITLES.contains(last))
    })
}

/// `f` of `word` lower-cased: an ASCII word of up to 32 bytes (most words) is lower-cased on
/// the stack.
pub(crate) fn with_lower<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if word.is_ascii()
        && let Some(bytes) = buf.get_mut(..word.len())
    {
        bytes.copy_from_slice(word.as_bytes());
        bytes.make_ascii_lowercase();
        if let Ok(lower) = std::str::from_utf8(bytes) {
            return f(lower);
        }
    }
    f(&word.to_lowercase())
}

/// The words of `text` ([`alphanumeric_runs`]) that open with an upper-case letter. Where the
/// text is ASCII, a byte that is no upper-case letter opens no such word, so the loop stops
/// only at capitals and at the first bytes of other characters; every other byte is passed
/// over, eight at a time, without being decoded or classified.
pub(crate) fn capitalised_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            i = capital_or_non_ascii(bytes, i);
            // `i` is on a character boundary: it moved over ASCII bytes, whole characters and
            // whole runs only.
            let c = text.get(i..)?.chars().next()?;
            if !c.is_alphanumeric() {
                i += c.len_utf8();
                continue;
            }
            // A word's first letter if the character before is none; its whole run read
            // either way.
            let before = text.get(..i).and_then(|t| t.chars().next_back());
            let opens = !before.is_some_and(char::is_alphanumeric);
            let start = i;
            i = run_end(text, i);
            if opens && c.is_uppercase() {
                return Some((start, i));
            }
        }
    })
}

/// The first index from `i` of a byte of `bytes` that is an ASCII capital or not ASCII, or
/// the length.
fn capital_or_non_ascii(bytes: &[u8], i: usize) -> usize {
    let marks = |word: u64| ascii_in(word, b'A', b'Z') | word & HIGH;
    next_marked(bytes, i, marks, |b| b.is_ascii_uppercase() || !b.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::{FILES, is_function_word, is_title, lines, with_lower};

    proptest::proptest! {
        /// The capitalised words are the words that open with an upper-case letter.
        #[test]
        fn capitalised_words_are_the_words_opening_in_upper_case(text in "[ a-zA-Z0-9.,'\\-éÅÉß’\u{a0}\u{2003}二三]{0,40}") {
            let capitalised: Vec<(usize, usize)> = super::capitalised_runs(&text).collect();
            let filtered: Vec<(usize, usize)> = super::alphanumeric_runs(&text)
                .filter(|&(a, _)| text.get(a..).is_some_and(|w| w.starts_with(char::is_uppercase)))
                .collect();
            proptest::prop_assert_eq!(capitalised, filtered);
        }

        /// Eight bytes at a time, the search stops where a byte at a time does.
        #[test]
        fn capitals_found_eight_bytes_at_a_time(text in "[a-z0-9 ,.'\\-]{0,30}[A-Zé€]?[a-zA-Z ]{0,20}", from in 0usize..60) {
            let bytes = text.as_bytes();
            let mut one = from;
            while bytes.get(one).is_some_and(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                one += 1;
            }
            proptest::prop_assert_eq!(super::capital_or_non_ascii(bytes, from), one);
        }
    }

    #[test]
    fn words_lower_cased_on_the_stack_or_not() {
        let lower = |w: &str| with_lower(w, str::to_owned);
        assert_eq!(lower("President"), "president");
        assert_eq!(lower(&"AB".repeat(20)), "ab".repeat(20));
        assert_eq!(lower("ÉMILE"), "émile");
        assert_eq!(lower(""), "");
        assert!(is_title("Vice-PRESIDENT") && is_title("Mr") && !is_title("Putin"));
        assert!(is_function_word("AND") && !is_function_word("Andes"));
    }

    /// Every line of every table is a word (no blanks inside, no duplicates), or a word, a tab
    /// and a type that parses; typed words are in lower case ASCII (they are looked up so).
    #[test]
    fn tables_parse() {
        for (name, _) in FILES {
            let mut seen = Vec::new();
            for line in lines(name) {
                let word = match line.split_once('\t') {
                    Some((word, label)) => {
                        assert!(
                            entente_schema::EntityType::parse(label).is_some(),
                            "{name}: {line}"
                        );
                        assert!(
                            word.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()),
                            "{name}: {word} is not lower-case ASCII"
                        );
                        word
                    }
                    None => line,
                };
                assert!(
                    !word.is_empty() && !word.contains(char::is_whitespace),
                    "{name}: {line:?}"
                );
                assert!(!seen.contains(&word), "{name}: {word} twice");
                seen.push(word);
            }
            assert!(!seen.is_empty(), "{name} is empty");
        }
    }
}
