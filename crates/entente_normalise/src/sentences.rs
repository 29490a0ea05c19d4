//! A rule-based sentence splitter for news text.
//!
//! 1. **Lines.** A blank line always ends a sentence. A single line break ends one too, unless
//!    the text is hard-wrapped (newswire: many lines continue in lower case on the next line),
//!    in which case single line breaks inside a paragraph are spaces.
//! 2. **Punctuation.** Inside a line or paragraph, a sentence ends after `.`, `!`, `?` or `…`
//!    (any run of them, plus closing quotes and brackets) when whitespace follows and the next
//!    word does not start in lower case. CJK full stops end a sentence without whitespace.
//! 3. **Periods that do not end sentences.** Not after a title (`Mr.`, `Gen.`), a single-letter
//!    initial (`J. R. R. Tolkien`) or a list number at the start of a line (`1. `). After other
//!    abbreviations (`Inc.`, `Jan.`, `U.S.`, `e.g.`) only when the next word is one that
//!    usually starts a sentence (`The`, `He`, …). Decimals (`3.5`) and URLs never qualify as
//!    no whitespace follows the period.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub(crate) const ABBREVIATIONS: &str = include_str!("../data/abbreviations.txt");

/// Options of the sentence splitter (`[normalise.sentences]` in a pipeline file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SentenceConfig {
    /// More abbreviations after which a sentence never ends (like `Gen`), without the period.
    pub extra_title_abbreviations: Vec<String>,
    /// More abbreviations that end a sentence only before a typical sentence start (like
    /// `Inc`), without the period.
    pub extra_abbreviations: Vec<String>,
}

/// A sentence splitter with its abbreviation lists loaded.
#[derive(Debug, Clone)]
pub struct Splitter {
    titles: HashSet<String>,
    weak: HashSet<String>,
    starters: HashSet<String>,
    letter: LetterParts,
}

/// The parts of letters and e-mails that end a sentence without punctuation: a closing
/// ("Regards," before a name), a date-and-time header ("02/13/2001 08:02 PM"), an attachment
/// marker ("<< File: a.doc >>") and a separator line ("*****").
#[derive(Debug, Clone)]
struct LetterParts {
    closing: regex::Regex,
    stamp: regex::Regex,
    marker: regex::Regex,
}

impl LetterParts {
    fn new() -> Self {
        let build =
            |p: &str| regex::Regex::new(p).unwrap_or_else(|_| unreachable!("constant pattern"));
        Self {
            closing: build(
                r"\b(?:Thanks|Thank you|Many thanks|Regards|Best regards|Kind regards|Best wishes|Sincerely|Yours sincerely|Yours truly|Cheers),\s+\p{Lu}",
            ),
            stamp: build(r"\b\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?"),
            marker: build(r">>|\*{3,}|-{4,}|_{4,}|={4,}"),
        }
    }

    /// Byte offsets in `segment` where one of these parts makes a sentence start.
    fn cuts(&self, segment: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let upper_after = |end: usize| {
            let rest = segment.get(end..).unwrap_or("");
            let trimmed = rest.trim_start();
            (trimmed.len() < rest.len())
                .then(|| trimmed.chars().next())
                .flatten()
                .is_some_and(|c| !c.is_lowercase())
                .then_some(segment.len() - trimmed.len())
        };
        // Cheap byte checks first: most segments hold none of these parts.
        let bytes = segment.as_bytes();
        let has = |b: u8| bytes.contains(&b);
        if has(b',') {
            self.closing_cuts(segment, &mut out);
        }
        if has(b'/') && has(b':') {
            self.stamp_cuts(segment, &upper_after, &mut out);
        }
        let run = |b: u8, n: usize| has(b) && bytes.split(|&x| x != b).any(|r| r.len() >= n);
        if has(b'>') || run(b'*', 3) || run(b'-', 4) || run(b'_', 4) || run(b'=', 4) {
            for m in self.marker.find_iter(segment) {
                out.extend(upper_after(m.end()));
            }
        }
        out
    }

    fn closing_cuts(&self, segment: &str, out: &mut Vec<usize>) {
        for m in self.closing.find_iter(segment) {
            // Only a closing that starts its own sentence: at the start or after . ! ?
            let before = segment.get(..m.start()).unwrap_or("").trim_end();
            if !(before.is_empty() || before.ends_with(['.', '!', '?'])) {
                continue;
            }
            // The match ends with the name's first letter.
            let name =
                segment.get(..m.end()).and_then(|s| s.char_indices().next_back()).map(|(i, _)| i);
            out.extend(name);
        }
    }

    fn stamp_cuts(
        &self,
        segment: &str,
        upper_after: &dyn Fn(usize) -> Option<usize>,
        out: &mut Vec<usize>,
    ) {
        for m in self.stamp.find_iter(segment) {
            out.extend(upper_after(m.end()));
            let before = segment.get(..m.start()).unwrap_or("").trim_end();
            if before.chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '>')
                && before
                    .split_whitespace()
                    .next_back()
                    .is_some_and(|w| !w.chars().next().is_some_and(char::is_lowercase))
            {
                out.push(m.start());
            }
        }
    }
}

impl Splitter {
    /// A splitter with entente's abbreviation lists plus those in `config`.
    pub fn new(config: &SentenceConfig) -> Self {
        let mut s = Self {
            titles: HashSet::new(),
            weak: HashSet::new(),
            starters: HashSet::new(),
            letter: LetterParts::new(),
        };
        for line in ABBREVIATIONS.lines().map(str::trim) {
            let Some((kind, word)) = line.split_once(' ') else { continue };
            let word = word.trim().to_lowercase();
            match kind {
                "title" => s.titles.insert(word),
                "weak" => s.weak.insert(word),
                "starter" => s.starters.insert(word),
                _ => false,
            };
        }
        s.titles.extend(config.extra_title_abbreviations.iter().map(|w| norm_abbrev(w)));
        s.weak.extend(config.extra_abbreviations.iter().map(|w| norm_abbrev(w)));
        s
    }

    /// The sentences of `text` as byte ranges, in order, non-empty, without leading or
    /// trailing whitespace, each starting and ending on a char boundary.
    ///
    /// ```
    /// use entente_normalise::{SentenceConfig, Splitter};
    /// let text = "Gen. Li met Mr. Lavrov in the U.S. on Jan. 5. They spoke for 2.5 hours.";
    /// let splitter = Splitter::new(&SentenceConfig::default());
    /// let sentences: Vec<&str> =
    ///     splitter.split(text).into_iter().filter_map(|(s, e)| text.get(s..e)).collect();
    /// assert_eq!(sentences, ["Gen. Li met Mr. Lavrov in the U.S. on Jan. 5.", "They spoke for 2.5 hours."]);
    /// ```
    pub fn split(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (start, end) in segments(text) {
            let Some(segment) = text.get(start..end) else { continue };
            let mut from = 0;
            for cut in self.cuts(segment) {
                push_trimmed(&mut out, segment, start, from, cut);
                from = cut;
            }
            push_trimmed(&mut out, segment, start, from, segment.len());
        }
        out
    }

    /// Byte offsets inside `segment` where a new sentence starts.
    fn cuts(&self, segment: &str) -> Vec<usize> {
        if segment.is_ascii() {
            self.cuts_in(segment, &Ascii::new(segment))
        } else {
            let chars: Vec<(usize, char)> = segment.char_indices().collect();
            self.cuts_in(segment, chars.as_slice())
        }
    }

    fn cuts_in<C: Chars + ?Sized>(&self, segment: &str, chars: &C) -> Vec<usize> {
        let len = chars.count();
        let (mut cuts, list_marks) = inline_list(chars);
        cuts.extend(self.letter.cuts(segment));
        let mut i = 0;
        loop {
            i = chars.next_candidate(i);
            if i >= len {
                break;
            }
            let c = chars.char_at(i);
            if list_marks.contains(&i) {
                i += 1;
                continue;
            }
            if c == '.'
                && let Some((cut, after)) = spaced_ellipsis(chars, i)
            {
                cuts.extend(cut.map(|k| chars.offset(k)));
                i = after;
                continue;
            }
            if is_cjk_terminal(c) {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|c| is_cjk_terminal(c) || is_closing(c)) {
                    j += 1;
                }
                if j < len {
                    cuts.push(chars.offset(j));
                }
                i = j;
                continue;
            }
            // An emoticon after a word ends a sentence when a capitalised word follows
            // ("isn't it :) Now I have").
            if let Some(emoticon) = emoticon_at(chars, i)
                && i > 0
                && chars.char_at(i - 1).is_whitespace()
            {
                let mut n = i + emoticon;
                let spaced = chars.get(n).is_some_and(char::is_whitespace);
                n = chars.skip_whitespace(n);
                if spaced && chars.get(n).is_some_and(char::is_uppercase) {
                    cuts.push(chars.offset(n));
                }
                i += emoticon;
                continue;
            }
            if !is_terminal(c) {
                i += 1;
                continue;
            }
            let run_start = i;
            let mut j = i;
            while chars.get(j).is_some_and(is_terminal) {
                j += 1;
            }
            let run_end = j;
            while chars.get(j).is_some_and(is_closing) {
                j += 1;
            }
            i = j;
            // Whitespace must follow, then the next sentence's first character.
            if !chars.get(j).is_some_and(char::is_whitespace) {
                continue;
            }
            let mut n = chars.skip_whitespace(j);
            // An emoticon right after the punctuation belongs to its sentence ("I love her. :)").
            if let Some(emoticon) = emoticon_at(chars, n) {
                i = n + emoticon;
                n = chars.skip_whitespace(i);
            }
            if n >= len {
                continue;
            }
            let run = Run { start: run_start, end: run_end, closed: j > run_end, next: n };
            if self.is_boundary(segment, chars, &run) {
                cuts.push(chars.offset(n));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.retain(|&c| c > 0);
        cuts
    }

    /// Whether the terminal punctuation `run` ends a sentence.
    fn is_boundary<C: Chars + ?Sized>(&self, segment: &str, chars: &C, run: &Run) -> bool {
        let next = run.next;
        let first = chars.from(next).find(|c| !is_opening(*c));
        let Some(first) = first else { return false };
        let marks: String = (run.start..run.end).map(|k| chars.char_at(k)).collect();
        // An omission mark in brackets ("[...]") is not an ending.
        if run.start > 0 && chars.char_at(run.start - 1) == '[' && chars.get(run.end) == Some(']') {
            return false;
        }
        let next_word: String = chars
            .from(next)
            .skip_while(|c| is_opening(*c))
            .take_while(|c| c.is_alphanumeric())
            .collect();
        let starter = self.starters.contains(&next_word.to_lowercase());
        if marks != "." {
            // "?", "!", "...": a lower-case word after them continues the sentence after an
            // ellipsis, a closing quote ("'Why?' he asked") or a single "!" after a
            // capitalised word ("Yahoo! in"); else it starts one ("great place!!! it was").
            if !first.is_lowercase() {
                return true;
            }
            let before =
                (0..run.start).rev().map(|k| chars.char_at(k)).take_while(|c| c.is_alphanumeric());
            let capitalised = before.last().is_some_and(char::is_uppercase);
            let ellipsis_only = marks.contains(['.', '…']) && !marks.ends_with(['?', '!']);
            return !(ellipsis_only || run.closed || (marks == "!" && capitalised));
        }
        // The word before the period, without leading brackets or quotes.
        let word_start =
            (0..run.start).rev().find(|&k| chars.char_at(k).is_whitespace()).map_or(0, |p| p + 1);
        let word_bytes = chars.offset(word_start)..chars.offset(run.start);
        let word = segment
            .get(word_bytes)
            .unwrap_or("")
            .trim_start_matches(|c| is_opening(c) || is_bullet(c));
        if word.is_empty() {
            return !first.is_lowercase();
        }
        let lower = word.to_lowercase();
        if self.titles.contains(&lower) {
            return false;
        }
        let mut letters = word.chars();
        if letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none() {
            // An initial ("J. K. Rowling"), unless a sentence plainly starts after it
            // ("you and I. Did you").
            return first.is_uppercase() && starter && !word.chars().all(char::is_lowercase);
        }
        let at_item_start = (0..word_start).all(|k| {
            let c = chars.char_at(k);
            c.is_whitespace() || is_bullet(c)
        });
        if at_item_start && word.len() <= 3 && word.chars().all(|c| c.is_ascii_digit()) {
            return false; // "1. " or "• 9. " numbering a list item
        }
        if first.is_ascii_digit()
            && word.chars().count() <= 4
            && !word.chars().any(|c| c.is_ascii_digit())
        {
            return false; // "ch. 4", "p. 12", "No. 10", "N°. 5"
        }
        let abbreviation = is_dotted_abbreviation(word) || self.weak.contains(&lower);
        if first.is_lowercase() {
            // "the memorial. they have": a plain word ends the sentence even when the next
            // starts in lower case (web text); not an abbreviation, nor inside quotes.
            return !abbreviation
                && !run.closed
                && word.chars().count() >= 2
                && word.chars().all(char::is_alphabetic);
        }
        if abbreviation {
            return starter;
        }
        true
    }
}

/// A segment's characters by index, each with its byte offset: decoded once for any text,
/// or read straight from the bytes of an ASCII one (most news), where index and offset are
/// the same and nothing is decoded or copied.
trait Chars {
    /// How many characters there are.
    fn count(&self) -> usize;
    /// The character at index `i` (below [`Chars::count`]).
    fn char_at(&self, i: usize) -> char;
    /// The byte offset of the character at index `i` (below [`Chars::count`]).
    fn offset(&self, i: usize) -> usize;

    fn get(&self, i: usize) -> Option<char> {
        (i < self.count()).then(|| self.char_at(i))
    }

    /// The characters from index `i` on.
    fn from(&self, i: usize) -> impl Iterator<Item = char> {
        (i..self.count()).map(|k| self.char_at(k))
    }

    /// The index of the first character at or after `i` that may start a cut (see
    /// [`may_start_cut`]), or [`Chars::count`].
    fn next_candidate(&self, mut i: usize) -> usize {
        while self.get(i).is_some_and(|c| !may_start_cut(c)) {
            i += 1;
        }
        i
    }

    /// The index of the first character at or after `i` that is not whitespace.
    fn skip_whitespace(&self, mut i: usize) -> usize {
        while self.get(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        i
    }
}

impl Chars for [(usize, char)] {
    fn count(&self) -> usize {
        self.len()
    }
    fn char_at(&self, i: usize) -> char {
        self[i].1
    }
    fn offset(&self, i: usize) -> usize {
        self[i].0
    }
}

/// The characters of an ASCII segment: its bytes.
struct Ascii<'a> {
    bytes: &'a [u8],
    /// Whether it holds a colon or semicolon (an emoticon's start).
    colons: bool,
}

impl<'a> Ascii<'a> {
    fn new(segment: &'a str) -> Self {
        let bytes = segment.as_bytes();
        Self { bytes, colons: memchr::memchr2(b':', b';', bytes).is_some() }
    }
}

impl Chars for Ascii<'_> {
    fn count(&self) -> usize {
        self.bytes.len()
    }
    fn char_at(&self, i: usize) -> char {
        char::from(self.bytes[i])
    }
    fn offset(&self, i: usize) -> usize {
        i
    }
    fn next_candidate(&self, i: usize) -> usize {
        let rest = self.bytes.get(i..).unwrap_or_default();
        let found = if self.colons {
            rest.iter().position(|&b| may_start_cut(char::from(b)))
        } else {
            memchr::memchr3(b'.', b'!', b'?', rest)
        };
        i + found.unwrap_or(rest.len())
    }
}

/// Whether a cut can start at `c`: terminal punctuation, an emoticon's first character, or
/// any character outside ASCII (CJK full stops, the ellipsis).
fn may_start_cut(c: char) -> bool {
    !c.is_ascii() || matches!(c, '.' | '!' | '?' | ':' | ';')
}

/// The length in chars of an emoticon (":)", ":-(", ";)", ":D", ":P") starting at `i` and
/// followed by whitespace or the end.
fn emoticon_at<C: Chars + ?Sized>(chars: &C, i: usize) -> Option<usize> {
    let at = |k: usize| chars.get(k);
    if !matches!(at(i), Some(':' | ';')) {
        return None;
    }
    let mut k = i + 1;
    if at(k) == Some('-') {
        k += 1;
    }
    if !matches!(at(k), Some(')' | '(' | 'D' | 'P' | 'p')) {
        return None;
    }
    k += 1;
    while at(k).is_some_and(|c| matches!(c, ')' | '(')) {
        k += 1;
    }
    at(k).is_none_or(char::is_whitespace).then_some(k - i)
}

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '⁃' | '◦' | '▪' | '‣' | '·')
}

/// Items of a list written on one line ("1.) First 2.) Second", "a. One b. Two", "• 9. Nine
/// • 10. Ten"): markers numbered consecutively (at least two), each at the start or after
/// whitespace or a bullet, followed by whitespace. Returns where items start (at the bullet
/// when there is one) and the indices of the markers' periods, which end no sentence.
fn inline_list<C: Chars + ?Sized>(chars: &C) -> (Vec<usize>, Vec<usize>) {
    let len = chars.count();
    // (first char of the item, number, indices of its periods)
    let mut markers: Vec<(usize, u32, Vec<usize>)> = Vec::new();
    for i in 0..len {
        // A marker starts with a digit, or a letter and a period: rare, so tested first.
        let c = chars.char_at(i);
        let letter = c.is_ascii_lowercase() & (chars.get(i + 1) == Some('.'));
        if !c.is_ascii_digit() && !letter {
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars.char_at(p));
        if prev.is_some_and(|c| !c.is_whitespace() && !is_bullet(c)) {
            continue;
        }
        let digits = chars.from(i).take_while(char::is_ascii_digit).count();
        let (value, mut j) = if (1..=2).contains(&digits) {
            let value = chars
                .from(i)
                .take(digits)
                .filter_map(|c| c.to_digit(10))
                .fold(0, |v, d| v * 10 + d);
            (value, i + digits)
        } else if letter {
            (u32::from(c) - u32::from('a') + 1, i + 1)
        } else {
            continue;
        };
        let mut periods = Vec::new();
        let mut closed = false;
        while let Some(c) = chars.get(j) {
            match c {
                '.' if periods.is_empty() && !closed => periods.push(j),
                ')' if !closed => closed = true,
                _ => break,
            }
            j += 1;
        }
        if (periods.is_empty() && !closed) || !chars.get(j).is_some_and(char::is_whitespace) {
            continue;
        }
        // Start at the bullet before the number, if any ("• 9. ", "⁃9. ").
        let mut b = i;
        while b > 0 && chars.char_at(b - 1) == ' ' {
            b -= 1;
        }
        let start = if b > 0 && is_bullet(chars.char_at(b - 1)) { b - 1 } else { i };
        markers.push((start, value, periods));
    }
    // The longest run of consecutive numbers, in text order.
    let mut best: Vec<usize> = Vec::new();
    for k in 0..markers.len() {
        let mut chain = vec![k];
        for m in k + 1..markers.len() {
            if markers[m].1 == markers[*chain.last().unwrap_or(&k)].1 + 1 {
                chain.push(m);
            }
        }
        if chain.len() > best.len() {
            best = chain;
        }
    }
    let mut cuts: Vec<usize> = (1..len)
        .filter(|&i| {
            let c = chars.char_at(i);
            is_bullet(c) && c != '·' && chars.char_at(i - 1).is_whitespace()
        })
        .map(|i| chars.offset(i))
        .collect();
    if best.len() < 2 {
        return (cuts, Vec::new());
    }
    let marks = best.iter().flat_map(|&k| markers[k].2.iter().copied()).collect();
    cuts.extend(best.iter().map(|&k| chars.offset(markers[k].0)));
    (cuts, marks)
}

/// A spaced ellipsis (". . ." or ". . . .") starting at the period `i`: where the sentence
/// ends in it, if it does, and the index after it. Three dots never end a sentence (an
/// omission); four end one before an upper-case word: after the first dot when it touches the
/// word before ("abandoned. . . . The"), else after the last ("a period . . . . Next").
fn spaced_ellipsis<C: Chars + ?Sized>(chars: &C, i: usize) -> Option<(Option<usize>, usize)> {
    let mut dots = 1;
    let mut j = i + 1;
    while chars.get(j) == Some(' ') && chars.get(j + 1) == Some('.') {
        dots += 1;
        j += 2;
    }
    if dots < 3 {
        return None;
    }
    let mut after = j;
    while chars.get(after).is_some_and(is_closing) {
        after += 1;
    }
    let next = chars.skip_whitespace(after);
    let upper_next = chars.get(next).is_some_and(char::is_uppercase);
    let touches = i > 0 && !chars.char_at(i - 1).is_whitespace();
    // A closing quote after the dots ends the quoted sentence there.
    let cut = match (dots >= 4 && upper_next, touches && after == j) {
        (false, _) => None,
        (true, true) => Some(i + 2),
        (true, false) => Some(next),
    };
    Some((cut, after))
}

/// A terminal punctuation run inside a segment (indices into its chars).
struct Run {
    start: usize,
    end: usize,
    /// Closing quotes or brackets follow the run.
    closed: bool,
    /// The first character of what follows, after whitespace.
    next: usize,
}

/// "U.S", "e.g", "a.m", "Ph.D": pieces of one to three letters joined by periods (the final
/// period is not part of `word`). URLs, file names and decimals are not abbreviations.
fn is_dotted_abbreviation(word: &str) -> bool {
    word.contains('.')
        && word
            .split('.')
            .all(|p| (1..=3).contains(&p.chars().count()) && p.chars().all(char::is_alphabetic))
}

fn norm_abbrev(word: &str) -> String {
    word.trim().trim_end_matches('.').to_lowercase()
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‼' | '⁇' | '⁈' | '⁉')
}

fn is_cjk_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡')
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | '›' | '」' | '』' | '）')
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '(' | '[' | '{' | '“' | '‘' | '«' | '‹' | '「' | '『' | '（' | '¿' | '¡'
    )
}

fn push_trimmed(out: &mut Vec<(usize, usize)>, segment: &str, base: usize, from: usize, to: usize) {
    let Some(piece) = segment.get(from..to) else { return };
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let s = base + from + lead;
        out.push((s, s + trimmed.len()));
    }
}

/// Splits `text` into the byte ranges that sentences never cross: lines, except where a line
/// break falls inside a sentence. That is the case in a hard-wrapped paragraph (after lines of
/// three words or more), and
/// for a single break after a line of running text (four words or more) without final
/// punctuation, followed by a lower-case word (text copied from PDFs: "This is a sentence\ncut
/// off in the middle").
fn segments(text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    lines.push((start, text.len()));
    let line = |&(s, e): &(usize, usize)| text.get(s..e).unwrap_or("").trim();
    let wrapped = is_hard_wrapped(text, &lines);
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut open = false;
    let mut previous = "";
    for l in &lines {
        let content = line(l);
        if content.is_empty() {
            open = false;
        } else if open
            && !starts_list_item(content)
            && ((wrapped && previous.split_whitespace().count() >= 3) || runs_on(previous, content))
        {
            if let Some(last) = out.last_mut() {
                last.1 = l.1;
            }
        } else {
            out.push(*l);
            open = true;
        }
        previous = content;
    }
    out
}

/// Whether the sentence on line `a` runs on into line `b`: `a` is running text (four words
/// or more, not a headline in title case) without final punctuation and `b` starts with a
/// lower-case word.
fn runs_on(a: &str, b: &str) -> bool {
    let words = a.split_whitespace().count();
    let capitalised =
        a.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count();
    words >= 4
        && capitalised * 2 < words
        && !a.ends_with(|c: char| is_terminal(c) || is_closing(c) || matches!(c, ':' | ';'))
        && b.chars().next().is_some_and(char::is_lowercase)
}

/// Whether single line breaks in `text` are wrapping rather than structure: at least two
/// line breaks inside paragraphs between lines of running text (four words on average), and
/// at least 30% of them followed by a lower-case word. A list of short lower-case lines
/// ("features\ncontact manager") is structure.
fn is_hard_wrapped(text: &str, lines: &[(usize, usize)]) -> bool {
    let (mut inner, mut lower, mut words) = (0usize, 0usize, 0usize);
    for pair in lines.windows(2) {
        let a = text.get(pair[0].0..pair[0].1).unwrap_or("").trim();
        let b = text.get(pair[1].0..pair[1].1).unwrap_or("").trim();
        if a.is_empty() || b.is_empty() {
            continue;
        }
        inner += 1;
        words += a.split_whitespace().count();
        if b.chars().next().is_some_and(char::is_lowercase) {
            lower += 1;
        }
    }
    inner >= 2 && lower * 10 >= inner * 3 && words >= inner * 4
}

/// Bullets (`- `, `• `) and numbered items (`1. `, `2) `) start a new sentence even inside a
/// hard-wrapped paragraph.
fn starts_list_item(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    line.starts_with(['-', '*', '•', '–', '—', '·'])
        || ((1..=3).contains(&digits)
            && line.get(digits..).is_some_and(|r| r.starts_with(". ") || r.starts_with(") ")))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Ascii, SentenceConfig, Splitter};

    fn split(text: &str) -> Vec<&str> {
        let splitter = Splitter::new(&SentenceConfig::default());
        splitter.split(text).into_iter().filter_map(|(s, e)| text.get(s..e)).collect()
    }

    #[test]
    fn quotes_initials_and_lists() {
        insta::assert_debug_snapshot!(split(concat!(
            "He said: \"We will go.\" Then he left! Did J. K. Rowling agree? Yes...\n",
            "1. First item. Second part.\n\n",
            "Apple Inc. The firm grew. Apple Inc. said so. Prices rose 3.5% on Tuesday.\n",
            "Xi Jinping 习近平说。我们同意。\n",
            "he wrote (see ch. 4). Also fine.",
        )), @r#"
        [
            "He said: \"We will go.\"",
            "Then he left!",
            "Did J. K. Rowling agree?",
            "Yes...",
            "1. First item.",
            "Second part.",
            "Apple Inc.",
            "The firm grew.",
            "Apple Inc. said so.",
            "Prices rose 3.5% on Tuesday.",
            "Xi Jinping 习近平说。",
            "我们同意。",
            "he wrote (see ch. 4).",
            "Also fine.",
        ]
        "#);
    }

    #[test]
    fn hard_wrapped_paragraphs_join_lines() {
        let text = "The central bank said on\nTuesday it would cut rates, a\nmove expected by markets.\nOfficials declined to comment\nfurther.\n\nA new paragraph.";
        insta::assert_debug_snapshot!(split(text), @r#"
        [
            "The central bank said on\nTuesday it would cut rates, a\nmove expected by markets.",
            "Officials declined to comment\nfurther.",
            "A new paragraph.",
        ]
        "#);
    }

    /// Words and marks that the splitter's rules read, joined with or without spaces.
    fn ascii_segment() -> impl Strategy<Value = String> {
        let pieces = [
            "Mr.",
            "The",
            "He",
            "he",
            "it",
            "Now",
            "J.",
            "K.",
            "I.",
            "U.S.",
            "Inc.",
            "e.g.",
            "ch.",
            "4",
            "1.",
            "2.",
            "3)",
            "1.)",
            "a.",
            "b.",
            "c)",
            "12",
            "2004.",
            ":)",
            ";-(",
            ":D",
            "?",
            "!",
            "!!",
            "...",
            ". . .",
            ". . . .",
            "\"",
            "'",
            "(",
            ")",
            "[...]",
            "Regards,",
            "Bob",
            "***",
            "----",
            "__",
            "====",
            ">>",
            "02/13/2001 08:02 PM",
            "3.5",
            "Yahoo!",
            "\t",
        ];
        (prop::collection::vec(prop::sample::select(pieces.to_vec()), 0..24), 0..3usize)
            .prop_map(|(words, gap)| words.join(["", " ", "  "][gap]))
    }

    proptest! {
        /// An ASCII segment is cut in the same places read from its bytes as from its
        /// decoded characters.
        #[test]
        fn ascii_segments_cut_as_decoded(segment in ascii_segment()) {
            let splitter = Splitter::new(&SentenceConfig::default());
            let chars: Vec<(usize, char)> = segment.char_indices().collect();
            prop_assert_eq!(
                splitter.cuts_in(&segment, &Ascii::new(&segment)),
                splitter.cuts_in(&segment, chars.as_slice())
            );
        }
    }
}
