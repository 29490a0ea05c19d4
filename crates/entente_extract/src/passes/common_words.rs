//! `common-words`: where capitals prove nothing, names of common words are dropped, and
//! titles and function words are trimmed off names; a title or a given name opens a person.
//! This pass edits the tagger's labels, before they are read into names
//! (`data/words/titles.txt`, `function_words.txt`, `derived_prefixes.txt`).

use std::sync::LazyLock;

use crate::tagger::features::{DocContext, Prepared, Style, h};
use crate::tagger::tokenize::after_handle;
use crate::tagger::words::{CLUSTERS, WordSet, is_derived_word};
use crate::tagger::{Kind, Label, Token};
use crate::words::{FUNCTION_WORDS, TITLES};

/// [`TITLES`] and [`FUNCTION_WORDS`] by the hashes of the words ([`h`]): the tokens' hashes
/// of their lower-case forms are made already ([`Prepared`]), so a token is looked up
/// without lower-casing it again.
static TITLE_HASHES: LazyLock<WordSet> = LazyLock::new(|| TITLES.iter().map(|w| h(w)).collect());
static FUNCTION_WORD_HASHES: LazyLock<WordSet> =
    LazyLock::new(|| FUNCTION_WORDS.iter().map(|w| h(w)).collect());

/// Labels the tokens of `labels` (the first is token `first`) as the names `[start, end)` of
/// the given kinds, in order; every other token is outside. An empty range names nothing.
fn relabel(labels: &mut [Label], first: usize, names: &[(usize, usize, Kind)]) {
    for (m, l) in labels.iter_mut().enumerate() {
        let k = first + m;
        *l = names.iter().find(|&&(start, end, _)| start <= k && k < end).map_or(
            Label::Outside,
            |&(start, _, kind)| {
                if k == start { Label::Begin(kind) } else { Label::Inside(kind) }
            },
        );
    }
}

/// For every token, whether it is in the short subtitle of a heading: a segment after a
/// colon that follows a title-case segment and has no lower-case word of four letters or more
/// ("Xi Jinping And Putin's Meeting: A New Era?"). Its names are trimmed as a heading's are;
/// its style, a feature of the tagger, stays prose (as a heading there, CoNLL-2003 dev lost
/// 0.0016).
fn subtitles(tokens: &[Token<'_>], styles: &[Style]) -> Vec<bool> {
    let lower_long = |t: &Token<'_>| {
        t.text.chars().next().is_some_and(char::is_lowercase)
            && t.text.chars().filter(|c| c.is_alphabetic()).count() >= 4
    };
    let mut out = vec![false; tokens.len()];
    let mut start = 0;
    for segment in tokens.split_inclusive(|t| t.text == ":") {
        let end = start + segment.len();
        let after_title = start > 0 && styles[start - 1] == Style::Title;
        if after_title && styles[start] == Style::Prose && !segment.iter().any(lower_long) {
            out[start..end].fill(true);
        }
        start = end;
    }
    out
}

/// Where capitals prove nothing, names made of common words are dropped: at the start of a
/// sentence or after a colon ("Energy ties deepened", "Impact: As China ...") and in headings
/// ("Strategic Alignment"), but never a handle. A name's last common word stays, in headings
/// too: cutting it lost more names ("Hugo Award", "Marco Bode" in a list, "MALAYSIAN OPEN")
/// than it mended on every tuning split of `CoNLL-2003`, BTC and `CrossNER` train. A
/// possessive or a word without two letters is never a name on its own.
pub(crate) fn apply(
    tokens: &[Token<'_>],
    prepared: &Prepared,
    labels: &mut [Label],
    doc: &DocContext,
) {
    if labels.iter().all(|l| l.is_outside()) {
        return;
    }
    let styles = &prepared.styles;
    let hashes = &prepared.hashes;
    // `words::is_title` and `words::is_function_word` of token `k`, read from its hashes.
    let is_title = |k: usize| {
        let word = &hashes[k];
        TITLE_HASHES.contains(&word.lower)
            || word.parts.is_some_and(|(_, last)| TITLE_HASHES.contains(&last))
    };
    let is_function_word = |k: usize| FUNCTION_WORD_HASHES.contains(&hashes[k].lower);
    let subtitles = subtitles(tokens, styles);
    // A common word of English or of this document, or one made from a common word with a
    // prefix ("Redesignated", "Counterstrategies").
    let is_common = |i: usize| {
        let word = &hashes[i];
        word.in_lexicon || doc.lower.contains(&word.lower) || is_derived_word(tokens[i].text)
    };
    let is_junk = |i: usize| {
        let t = tokens[i].text;
        t.chars().filter(|c| c.is_alphabetic()).count() < 2
            || matches!(t, "'s" | "’s" | "'S" | "’S")
    };
    let starts_sentence = |s: usize| {
        tokens[..s].last().is_some_and(|t| matches!(t.text, ":" | "|" | "•"))
            || tokens[..s].iter().all(|t| !t.text.chars().any(char::is_alphanumeric))
    };
    let mut i = 0;
    while i < labels.len() {
        let Some(labels_kind) = labels[i].kind() else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < labels.len() && labels[j].is_inside() {
            j += 1;
        }
        let headline = styles[i] != Style::Prose || subtitles[i];
        let (mut s, mut e) = (i, j);
        let person = labels[i] == Label::Begin(Kind::Per);
        // A capitalised "The" inside a sentence belongs to the name ("signed with The Ramones").
        let titled_the = |k: usize| tokens[k].text == "The" && !headline && !starts_sentence(k);
        while s + 1 < e && (is_function_word(s) && !titled_the(s) || person && is_title(s)) {
            s += 1;
        }
        while e > s + 1 && is_function_word(e - 1) {
            e -= 1;
        }
        // Titles right before a person end no other name: "U.K. Chancellor Nigel Lawson" is
        // the country, a title and the person; the title is the person's `title`.
        if !person && labels.get(j) == Some(&Label::Begin(Kind::Per)) && e == j {
            while e > s && is_title(e - 1) {
                e -= 1;
            }
            if e == s {
                labels[i..j].fill(Label::Outside);
                i = j;
                continue;
            }
        }
        // A person's name does not end with a common word in lower case: "Reagan
        // administration" is Reagan's ("d'Orves" and "van" are parts of names).
        while person
            && e > s + 1
            && tokens[e - 1].text.chars().all(char::is_lowercase)
            && is_common(e - 1)
        {
            e -= 1;
        }
        // Titles and a given name open a person, whatever the name was tagged: "Senator Maria
        // Lindqvist of the Nordic Energy Forum" is a person of an organisation, "Brigadier
        // General Ross" a person.
        // A capitalised given name.
        let given = |k: usize| hashes[k].given;
        let named = (s..e).find(|&k| !is_title(k)).unwrap_or(e);
        // "Sheikh" opens no organisation: "Sheikh Abdul-Aziz" needs no given name after it.
        let sheikh = tokens[s].text.eq_ignore_ascii_case("sheikh")
            && (named..e).all(|k| tokens[k].text.starts_with(char::is_uppercase));
        if !person && named > s && named < e && (given(named) || sheikh) {
            let of = (named + 1..e).find(|&k| tokens[k].text == "of").unwrap_or(e);
            let rest = (of + 1..e).find(|&k| !is_function_word(k)).unwrap_or(e);
            relabel(&mut labels[i..j], i, &[(named, of, Kind::Per), (rest, e, labels_kind)]);
            i = j;
            continue;
        }
        // A title and a person inside a name: "Treasury Secretary James Baker" is the
        // Treasury, a title and a person, as CoNLL-2003 annotates it; "Exchequer Nigel Lawson"
        // a title and a person. The title stays outside every name (it is the person's
        // `title`). The person opens with a given name, or is two to four capitalised words
        // that are no titles ("Swiss National Bank Vice President Markus Lusser").
        let capitalised = |k: usize| tokens[k].text.starts_with(char::is_uppercase) && !is_title(k);
        let after_sheikh = |k: usize| tokens[k - 1].text.eq_ignore_ascii_case("sheikh");
        let person_after = |k: usize| {
            capitalised(k)
                && (given(k)
                    || (after_sheikh(k) || (2..=4).contains(&(e - k))) && (k..e).all(capitalised))
        };
        if let Some(k) = (s + 1..e).find(|&k| person_after(k) && is_title(k - 1)) {
            let run = (s..k).rev().take_while(|&m| is_title(m)).last().unwrap_or(k);
            // "Finance Secretary Jaime Ongpin and Trade and Industry Secretary Jose
            // Concepcion": the person ends at "and" when a title and a given name follow.
            let and = (k + 1..e).find(|&m| tokens[m].text == "and");
            let next = and.and_then(|a| (a + 2..e).find(|&m| given(m) && is_title(m - 1)));
            match (and, next) {
                (Some(and), Some(next)) => relabel(
                    &mut labels[i..j],
                    i,
                    &[(k, and, Kind::Per), (next, e, Kind::Per), (s, run, labels_kind)],
                ),
                _ => relabel(&mut labels[i..j], i, &[(k, e, Kind::Per), (s, run, labels_kind)]),
            }
            i = j;
            continue;
        }
        // "Militarily, ..." and "Conversely, ..." open sentences; names rarely do so.
        let adverb = e == s + 1
            && starts_sentence(s)
            && tokens.get(e).is_some_and(|t| t.text == ",")
            && ["ly", "ing"].iter().any(|x| tokens[s].text.ends_with(x));
        // A heading that labels what follows its colon ("- Energy Cooperation: Russia
        // supplies ...") names a topic, in words news also writes in lower case.
        let label = headline
            && tokens[e..]
                .iter()
                .find(|t| matches!(t.text, ":" | "|"))
                .is_some_and(|t| t.text == ":");
        let written_lower = |k: usize| is_common(k) || CLUSTERS.contains_key(&hashes[k].lower);
        let handle = after_handle(tokens, s);
        let drop = (s..e).all(|k| is_junk(k) || is_function_word(k))
            || !handle
                && (adverb
                    || (headline || starts_sentence(s)) && (s..e).all(is_common)
                    || label && (s..e).all(written_lower));
        for (k, l) in labels[i..j].iter_mut().enumerate() {
            if drop || i + k < s || i + k >= e {
                *l = Label::Outside;
            }
        }
        if !drop {
            labels[s] = Label::Begin(labels_kind);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use crate::tagger::features::{DocContext, prepare};
    use crate::tagger::{Label, Token};

    const O: Label = Label::Outside;

    fn toks<'a>(words: &[&'a str]) -> Vec<Token<'a>> {
        words.iter().map(|w| Token { text: w, gazetteer: "" }).collect()
    }

    fn label(l: &str) -> Label {
        Label::parse(l).unwrap()
    }

    #[test]
    fn common_words_are_not_names_where_capitals_prove_nothing() {
        let doc = DocContext::default();
        // A heading: the name made of common words goes, a name ending with one stays.
        let heading = toks(&["Deeper", "Dive", ":", "Hugo", "Award", "Winners"]);
        let mut labels =
            vec![label("B-PER"), label("I-PER"), O, label("B-MISC"), label("I-MISC"), O];
        super::apply(&heading, &prepare(&heading), &mut labels, &doc);
        assert_eq!(labels, [O, O, O, label("B-MISC"), label("I-MISC"), O]);
        // A heading labelling what follows its colon names a topic: "Energy", a word news
        // writes in lower case too, goes; a name of its own ("Gazprom Deal:") stays.
        for (words, kept) in [
            (["Energy", "Cooperation", ":", "Russia"], [O, O]),
            (["Gazprom", "Deal", ":", "Russia"], [label("B-ORG"), label("I-ORG")]),
        ] {
            let heading = toks(&words);
            let mut labels = vec![label("B-ORG"), label("I-ORG"), O, label("B-LOC")];
            super::apply(&heading, &prepare(&heading), &mut labels, &doc);
            assert_eq!(labels, [kept[0], kept[1], O, label("B-LOC")], "{words:?}");
        }
        // Prose: a first name that is also a word stays part of the name.
        let prose = toks(&["Bill", "Clinton", "said", "so", "."]);
        let mut labels = vec![label("B-PER"), label("I-PER"), O, O, O];
        super::apply(&prose, &prepare(&prose), &mut labels, &doc);
        assert_eq!(labels, [label("B-PER"), label("I-PER"), O, O, O]);
        // Titles are not part of a person's name.
        let titled = toks(&["Foreign", "Minister", "Wang", "Yi", "spoke", "."]);
        let mut labels = vec![label("B-PER"), label("I-PER"), label("I-PER"), label("I-PER"), O, O];
        super::apply(&titled, &prepare(&titled), &mut labels, &doc);
        assert_eq!(labels, [O, O, label("B-PER"), label("I-PER"), O, O]);
        // Two titled people joined by "and" inside one name are two people.
        let two = toks(&[
            "Finance",
            "Secretary",
            "Jaime",
            "Ongpin",
            "and",
            "Trade",
            "Secretary",
            "Jose",
            "Concepcion",
        ]);
        let mut labels = vec![label("B-ORG"); 1];
        labels.extend([label("I-ORG"); 8]);
        super::apply(&two, &prepare(&two), &mut labels, &doc);
        let (org, per, inside) = (label("B-ORG"), label("B-PER"), label("I-PER"));
        assert_eq!(labels, [org, O, per, inside, O, O, O, per, inside]);
        // "The" inside a sentence is part of a name; at its start it is not.
        let band = toks(&["They", "signed", "with", "The", "Ramones", "."]);
        let mut labels = vec![O, O, O, label("B-ORG"), label("I-ORG"), O];
        super::apply(&band, &prepare(&band), &mut labels, &doc);
        assert_eq!(labels, [O, O, O, label("B-ORG"), label("I-ORG"), O]);
        let opening = toks(&["The", "Ramones", "played", "."]);
        let mut labels = vec![label("B-ORG"), label("I-ORG"), O, O];
        super::apply(&opening, &prepare(&opening), &mut labels, &doc);
        assert_eq!(labels, [O, label("B-ORG"), O, O]);
        // Sentence-opening adverbs and interjections go.
        for first in ["Furthermore", "Militarily", "Hey"] {
            let words = toks(&[first, ",", "the", "talks", "went", "on", "."]);
            let mut labels = vec![label("B-ORG"), O, O, O, O, O, O];
            super::apply(&words, &prepare(&words), &mut labels, &doc);
            assert_eq!(labels, [O; 7], "{first}");
        }
    }
}
