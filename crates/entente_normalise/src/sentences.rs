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

const ABBREVIATIONS: &str = include_str!("../data/abbreviations.txt");

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
}

impl Splitter {
    /// A splitter with entente's abbreviation lists plus those in `config`.
    pub fn new(config: &SentenceConfig) -> Self {
        let mut s = Self { titles: HashSet::new(), weak: HashSet::new(), starters: HashSet::new() };
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
        let chars: Vec<(usize, char)> = segment.char_indices().collect();
        let mut cuts = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            if is_cjk_terminal(c) {
                let mut j = i + 1;
                while j < chars.len() && (is_cjk_terminal(chars[j].1) || is_closing(chars[j].1)) {
                    j += 1;
                }
                if let Some(&(at, _)) = chars.get(j) {
                    cuts.push(at);
                }
                i = j;
                continue;
            }
            if !is_terminal(c) {
                i += 1;
                continue;
            }
            let run_start = i;
            let mut j = i;
            while j < chars.len() && is_terminal(chars[j].1) {
                j += 1;
            }
            let run_end = j;
            while j < chars.len() && is_closing(chars[j].1) {
                j += 1;
            }
            i = j;
            // Whitespace must follow, then the next sentence's first character.
            if j >= chars.len() || !chars[j].1.is_whitespace() {
                continue;
            }
            let mut n = j;
            while n < chars.len() && chars[n].1.is_whitespace() {
                n += 1;
            }
            if n >= chars.len() {
                continue;
            }
            let single_period = run_end - run_start == 1 && chars[run_start].1 == '.';
            if self.is_boundary(segment, &chars, run_start, n, single_period) {
                cuts.push(chars[n].0);
            }
        }
        cuts
    }

    fn is_boundary(
        &self,
        segment: &str,
        chars: &[(usize, char)],
        run_start: usize,
        next: usize,
        single_period: bool,
    ) -> bool {
        let first = chars[next..].iter().map(|&(_, c)| c).find(|c| !is_opening(*c));
        if first.is_none_or(char::is_lowercase) {
            return false;
        }
        if !single_period {
            return true;
        }
        // The word before the period, without leading brackets or quotes.
        let word_start =
            chars[..run_start].iter().rposition(|&(_, c)| c.is_whitespace()).map_or(0, |p| p + 1);
        let word_bytes = chars[word_start].0..chars[run_start].0;
        let word = segment.get(word_bytes).unwrap_or("").trim_start_matches(is_opening);
        if word.is_empty() {
            return true;
        }
        let lower = word.to_lowercase();
        if self.titles.contains(&lower) {
            return false;
        }
        let mut letters = word.chars();
        if letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none() {
            return false; // an initial
        }
        if word_start == 0 && word.len() <= 3 && word.chars().all(|c| c.is_ascii_digit()) {
            return false; // "1. " numbering a list item
        }
        if first.is_some_and(|c| c.is_ascii_digit())
            && word.len() <= 4
            && word.chars().all(|c| c.is_ascii_lowercase())
        {
            return false; // "ch. 4", "p. 12", "art. 5"
        }
        let dotted = word.contains('.') && word.chars().any(char::is_alphabetic);
        if dotted || self.weak.contains(&lower) {
            let next_word: String = chars[next..]
                .iter()
                .map(|&(_, c)| c)
                .skip_while(|c| is_opening(*c))
                .take_while(|c| c.is_alphanumeric())
                .collect();
            return self.starters.contains(&next_word.to_lowercase());
        }
        true
    }
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

/// Splits `text` into the byte ranges that sentences never cross: lines, or paragraphs when
/// the text is hard-wrapped.
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
    if !is_hard_wrapped(text, &lines) {
        return lines.into_iter().filter(|l| !line(l).is_empty()).collect();
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut open = false;
    for l in &lines {
        let content = line(l);
        if content.is_empty() {
            open = false;
        } else if open && !starts_list_item(content) {
            if let Some(last) = out.last_mut() {
                last.1 = l.1;
            }
        } else {
            out.push(*l);
            open = true;
        }
    }
    out
}

/// Whether single line breaks in `text` are wrapping rather than structure: at least two
/// line breaks inside paragraphs and at least 30% of them followed by a lower-case word.
fn is_hard_wrapped(text: &str, lines: &[(usize, usize)]) -> bool {
    let (mut inner, mut lower) = (0usize, 0usize);
    for pair in lines.windows(2) {
        let a = text.get(pair[0].0..pair[0].1).unwrap_or("").trim();
        let b = text.get(pair[1].0..pair[1].1).unwrap_or("").trim();
        if a.is_empty() || b.is_empty() {
            continue;
        }
        inner += 1;
        if b.chars().next().is_some_and(char::is_lowercase) {
            lower += 1;
        }
    }
    inner >= 2 && lower * 10 >= inner * 3
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
    use super::{SentenceConfig, Splitter};

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
}
