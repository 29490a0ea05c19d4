//! whatlang's detection of Latin-script text (its default "combined" method), computed the
//! same way but far cheaper. whatlang scores a text against each of its 37 Latin trigram
//! profiles by looking up all 300 of the profile's trigrams in the text's trigrams: 11,100
//! lookups per document whatever its length, which was most of the normalise stage's time.
//! Here an inverted index from trigram to (language, rank) walks the text's trigrams
//! instead (at most 600), and sums the same distances. The alphabet scores, their weight
//! against the trigram scores, the order of ties and the confidence follow whatlang's
//! definitions step for step, so the language and the confidence are whatlang's to the last
//! bit; the tests compare the two on every kind of text. The profiles and alphabets are
//! whatlang's (MIT), copied into `data/whatlang_latin.txt` by `just whatlang-data`.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use whatlang::{Info, Lang, Script};

const DATA: &str = include_str!("../data/whatlang_latin.txt");

/// A text trigram further from a profile trigram's rank than this counts as missing.
const MAX_DISTANCE: u32 = 300;
/// How many of the text's most frequent trigrams are compared.
const TEXT_TRIGRAMS: usize = 600;

/// The copied profiles and alphabets, indexed for lookups.
struct Profiles {
    /// The languages with a trigram profile, in whatlang's order.
    langs: Vec<Lang>,
    /// For each trigram of any profile, where its entries are in `entries`.
    index: FxHashMap<u64, std::ops::Range<u32>>,
    /// Each trigram's (index into `langs`, rank in that profile), one trigram after another:
    /// one block of memory, not a vector per trigram.
    entries: Vec<(u8, u16)>,
    /// Every letter of any alphabet, sorted, with the languages whose alphabet has it
    /// (a language once per time its alphabet lists the letter).
    letters: Vec<char>,
    letter_langs: Vec<Vec<Lang>>,
    /// The index into `letters` of each ASCII character, if it is one.
    ascii: [Option<usize>; 128],
}

static PROFILES: LazyLock<Profiles> = LazyLock::new(|| Profiles::parse(DATA));

impl Profiles {
    /// Reads the data file; a line it cannot read is a bug caught by the tests, so it is
    /// skipped rather than reported.
    fn parse(data: &str) -> Self {
        let mut langs = Vec::new();
        let mut by_trigram: FxHashMap<u64, Vec<(u8, u16)>> = FxHashMap::default();
        let mut rank = 0u16;
        let mut letters: BTreeMap<char, Vec<Lang>> = BTreeMap::new();
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            if let Some(code) = line.strip_prefix("profile ") {
                if let Some(lang) = Lang::from_code(code) {
                    langs.push(lang);
                    rank = 0;
                }
            } else if let Some(rest) = line.strip_prefix("alphabet ") {
                let Some((code, alphabet)) = rest.split_once(' ') else { continue };
                let Some(lang) = Lang::from_code(code) else { continue };
                for c in alphabet.trim_matches('|').chars() {
                    letters.entry(c).or_default().push(lang);
                }
            } else if let Some(trigram) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) {
                let mut chars = trigram.chars();
                if let (Some(a), Some(b), Some(c), None, Some(l)) = (
                    chars.next(),
                    chars.next(),
                    chars.next(),
                    chars.next(),
                    langs.len().checked_sub(1),
                ) {
                    let l = u8::try_from(l).unwrap_or(u8::MAX);
                    by_trigram.entry(pack(a, b, c)).or_default().push((l, rank));
                    rank += 1;
                }
            }
        }
        let (letters, letter_langs): (Vec<char>, _) = letters.into_iter().unzip();
        let mut ascii = [None; 128];
        for (k, &c) in letters.iter().enumerate() {
            if let Some(slot) = ascii.get_mut(c as usize) {
                *slot = Some(k);
            }
        }
        let mut trigrams: Vec<(u64, Vec<(u8, u16)>)> = by_trigram.into_iter().collect();
        trigrams.sort_unstable_by_key(|&(t, _)| t);
        let (mut index, mut entries) = (FxHashMap::default(), Vec::new());
        for (trigram, of) in trigrams {
            let start = u32::try_from(entries.len()).unwrap_or(u32::MAX);
            entries.extend(of);
            index.insert(trigram, start..u32::try_from(entries.len()).unwrap_or(u32::MAX));
        }
        Self { langs, index, entries, letters, letter_langs, ascii }
    }
}

/// A trigram as one number whose order is that of its characters (21 bits each).
fn pack(a: char, b: char, c: char) -> u64 {
    (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c)
}

/// Spaces, ASCII punctuation and digits: whatlang's characters that say nothing.
fn is_stop_char(c: char) -> bool {
    matches!(c, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// What `whatlang::detect` says of `text` when `whatlang::detect_script` calls it Latin.
pub(crate) fn detect(text: &str) -> Info {
    let lower = text.to_lowercase();
    let profiles = &*PROFILES;
    let (alphabet_count, alphabet) = alphabet_scores(&lower, profiles);
    let (trigram_count, trigrams) = trigram_scores(&lower, profiles);
    // Each language's two scores by its index, in the order whatlang combines them: the
    // alphabet's languages best first, then any other language with a trigram score.
    let mut by_lang = vec![(None, 0.0, 0.0); Lang::all().len()];
    for (order, &(lang, score)) in alphabet.iter().enumerate() {
        by_lang[lang as usize] = (Some((order, lang)), score, 0.0);
    }
    let mut next = alphabet.len();
    for &(lang, score) in &trigrams {
        let entry = &mut by_lang[lang as usize];
        if entry.0.is_none() {
            entry.0 = Some((next, lang));
            next += 1;
        }
        entry.2 = score;
    }
    #[allow(clippy::cast_precision_loss, reason = "whatlang's own arithmetic, kept as is")]
    let alphabet_weight =
        (-(alphabet_count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
    let trigram_weight = 1.0 - alphabet_weight;
    let mut scores = vec![(Lang::Eng, 0.0); next];
    for &(place, a, t) in &by_lang {
        if let Some((order, lang)) = place {
            scores[order] = (lang, a * alphabet_weight + t * trigram_weight);
        }
    }
    scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
    let (lang, first) = scores.first().copied().unwrap_or((Lang::Eng, 0.0));
    let confidence =
        scores.get(1).map_or(1.0, |&(_, second)| confidence(first, second, trigram_count));
    Info::new(Script::Latin, lang, confidence)
}

/// whatlang's confidence that the best score's language is right, given the second best.
fn confidence(first: f64, second: f64, count: usize) -> f64 {
    if first == 0.0 {
        return 0.0;
    }
    if second == 0.0 {
        return first;
    }
    #[allow(clippy::cast_precision_loss, reason = "whatlang's own arithmetic, kept as is")]
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (first - second) / second;
    if rate > confident_rate { 1.0 } else { rate / confident_rate }
}

/// Alphabet scores: each letter counts for every language whose alphabet has it and against
/// the others. Returns the number of letters and the scores, best first.
fn alphabet_scores(lower: &str, profiles: &Profiles) -> (usize, Vec<(Lang, f64)>) {
    let script_langs = Script::Latin.langs();
    let mut letter_scores = vec![0usize; profiles.letters.len()];
    let mut count = 0usize;
    for c in lower.chars().filter(|&c| !is_stop_char(c)) {
        count += 1;
        let k = match profiles.ascii.get(c as usize) {
            Some(&k) => k,
            None => profiles.letters.binary_search(&c).ok(),
        };
        if let Some(k) = k {
            letter_scores[k] += 2;
        }
    }
    let mut lang_scores = vec![0usize; Lang::all().len()];
    let mut common = 0usize;
    for (k, &s) in letter_scores.iter().enumerate().filter(|(_, s)| **s > 0) {
        let langs = &profiles.letter_langs[k];
        if langs.len() == script_langs.len() {
            common += s;
        } else {
            for &l in langs {
                lang_scores[l as usize] += s;
            }
        }
    }
    let mut raw: Vec<(Lang, usize)> = script_langs
        .iter()
        .map(|&l| (l, (lang_scores[l as usize] + common).saturating_sub(count)))
        .collect();
    raw.sort_unstable_by_key(|&(_, s)| Reverse(s));
    #[allow(clippy::cast_precision_loss, reason = "whatlang's own arithmetic, kept as is")]
    let scores = raw.into_iter().map(|(l, s)| (l, s as f64 / count as f64)).collect();
    (count, scores)
}

/// Trigram scores: the out-of-place distance between the ranks of the text's most frequent
/// trigrams and each profile's. Returns the number of distinct trigrams compared and the
/// scores, best first.
fn trigram_scores(lower: &str, profiles: &Profiles) -> (usize, Vec<(Lang, f64)>) {
    let mut counts: FxHashMap<u64, u32> =
        FxHashMap::with_capacity_and_hasher(lower.len().min(2048), rustc_hash::FxBuildHasher);
    let mut chars = lower.chars().map(|c| if is_stop_char(c) { ' ' } else { c }).chain([' ']);
    let (mut c1, mut c2) = (' ', chars.next().unwrap_or(' '));
    for c3 in chars {
        if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
            *counts.entry(pack(c1, c2, c3)).or_insert(0) += 1;
        }
        (c1, c2) = (c2, c3);
    }
    // Most frequent first, ties by the trigram's characters, highest first (all distinct).
    let mut ranked: Vec<u128> =
        counts.into_iter().map(|(t, n)| (u128::from(n) << 64) | u128::from(t)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    ranked.truncate(TEXT_TRIGRAMS);
    let unique = ranked.len();
    // Each profile trigram found in the text is |position - rank| away, a missing one 300:
    // the sum is 300 × 300 less (300 - distance) for each one found.
    let mut found = vec![0i64; profiles.langs.len()];
    for (position, key) in ranked.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation, reason = "the low 64 bits are the trigram")]
        let trigram = *key as u64;
        let entries = profiles.index.get(&trigram).and_then(|r| {
            profiles.entries.get(usize::try_from(r.start).ok()?..usize::try_from(r.end).ok()?)
        });
        for &(l, rank) in entries.unwrap_or_default() {
            let distance = (i64::try_from(position).unwrap_or(i64::MAX) - i64::from(rank)).abs();
            found[usize::from(l)] += i64::from(MAX_DISTANCE) - distance;
        }
    }
    let unique_u32 = u32::try_from(unique).unwrap_or(u32::MAX);
    let mut distances: Vec<(Lang, u32)> = profiles
        .langs
        .iter()
        .zip(&found)
        .map(|(&lang, &f)| {
            let total = i64::from(MAX_DISTANCE * MAX_DISTANCE) - f;
            let mut total = u32::try_from(total).unwrap_or(u32::MAX);
            if MAX_DISTANCE > unique_u32 {
                total -= (MAX_DISTANCE - unique_u32) * MAX_DISTANCE;
            }
            (lang, total.clamp(0, MAX_DISTANCE * MAX_DISTANCE))
        })
        .collect();
    distances.sort_unstable_by_key(|&(_, d)| d);
    let max = unique_u32 * MAX_DISTANCE;
    let scores = distances
        .into_iter()
        .map(|(lang, d)| (lang, f64::from(max - d) / f64::from(max)))
        .collect();
    (unique, scores)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The same language and the same confidence, bit for bit, as whatlang.
    fn same_as_whatlang(text: &str) {
        if whatlang::detect_script(text) != Some(Script::Latin) {
            return;
        }
        let ours = detect(text);
        let theirs = whatlang::detect(text).expect("whatlang detects Latin text");
        assert_eq!(
            (ours.lang(), ours.confidence().to_bits()),
            (theirs.lang(), theirs.confidence().to_bits()),
            "{:?}: {} {} against whatlang's {} {}",
            text.chars().take(80).collect::<String>(),
            ours.lang(),
            ours.confidence(),
            theirs.lang(),
            theirs.confidence()
        );
    }

    #[test]
    fn profiles_are_all_read() {
        let p = &*PROFILES;
        assert_eq!(p.langs.len(), 37);
        assert_eq!(p.entries.len(), 37 * 300);
        assert_eq!(p.index.values().map(ExactSizeIterator::len).sum::<usize>(), 37 * 300);
        assert!(p.letter_langs.iter().all(|l| !l.is_empty()));
        assert_eq!(p.letters.len(), p.letter_langs.len());
        assert!(p.letters.contains(&'ŵ') && p.letters.contains(&'ɔ'));
    }

    #[test]
    fn languages_and_confidences_match_whatlang() {
        for text in [
            "The government said on Tuesday that talks would resume next week.",
            "Die Regierung hat am Dienstag erklärt, dass die Gespräche weitergehen.",
            "Le gouvernement a déclaré mardi que les négociations reprendraient.",
            "El gobierno dijo el martes que las conversaciones se reanudarían.",
            "O governo disse na terça-feira que as negociações seriam retomadas.",
            "Il governo ha detto martedì che i colloqui riprenderanno.",
            "De regering zei dinsdag dat de gesprekken volgende week worden hervat.",
            "Rząd oświadczył we wtorek, że rozmowy zostaną wznowione.",
            "Hükümet salı günü görüşmelerin gelecek hafta yeniden başlayacağını söyledi.",
            "Chính phủ cho biết các cuộc đàm phán sẽ được nối lại vào tuần tới.",
            "Regeringen sa på tisdagen att samtalen återupptas nästa vecka.",
            "Pemerintah mengatakan pada hari Selasa bahwa perundingan akan dilanjutkan.",
            "Shr seven cts vs nine cts Net 168,000 vs 212,000 Revs 4.1 mln vs 3.9 mln",
            "Loading...",
            "a",
            "Ok",
            "US-led talks: 3-2, 1.5%",
            "Façade of the Schönheitstraße, où l'on mange",
            "ŵŷẁ ɔɛ ə̇ ʻ ĳ ¡¿",
        ] {
            same_as_whatlang(text);
        }
        for text in [
            include_str!("../../../data/000_312e11fc82cdb06b.txt"),
            include_str!("../../../data/003_7596fa3d6cc802f4.txt"),
        ] {
            for end in [64, 256, 1024, 4096, text.len()] {
                let mut end = end.min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                same_as_whatlang(text.get(..end).unwrap_or(text));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_latin_text_matches_whatlang(
            text in "[a-zA-Z äöüßéèàçñõãıışğąęłńśźżčšžåæøœĳŵɔɛ.,'0-9-]{1,300}|[a-z ]{1000,3000}"
        ) {
            same_as_whatlang(&text);
        }

        #[test]
        fn words_of_many_languages_match_whatlang(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "the", "and", "of", "der", "und", "die", "le", "la", "les", "et", "el", "los",
                    "que", "o", "os", "não", "il", "che", "een", "het", "nie", "się", "ve", "bir",
                    "và", "của", "och", "att", "yang", "dan", "ja", "ei", "és", "hogy", "și",
                    "în", "je", "na", "kaj", "estas", "Talks", "Regierung", "négociations",
                ]),
                1..120,
            )
        ) {
            same_as_whatlang(&words.join(" "));
        }
    }
}
