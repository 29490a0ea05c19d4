//! Text repair: each step finds what to change in the current text and returns it as
//! [`Replacement`]s, so every change stays traceable to `raw_text`.
#![allow(
    clippy::string_slice,
    reason = "every byte offset here comes from char_indices or a char-boundary search"
)]

use std::collections::HashSet;

use icu_normalizer::ComposingNormalizerBorrowed;
use serde::{Deserialize, Serialize};

use crate::tracked::Replacement;

/// Which repairs run (`[normalise.repair]` in a pipeline file). All are on by default; README
/// "Text repair" shows each with an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one switch per repair step, as in the pipeline file"
)]
pub struct RepairConfig {
    /// Repair mojibake: UTF-8 that was decoded as Windows-1252 or Latin-1 (`â€™` → `’`,
    /// `Ã©` → `é`), also when it happened twice.
    pub mojibake: bool,
    /// Remove control characters and invisible ones (zero-width space, BOM, soft hyphen, word
    /// joiner); turn `\r\n`, `\r`, U+2028 and U+2029 into `\n`.
    pub controls: bool,
    /// Unicode NFC, so "é" is one code point whatever the source did.
    pub nfc: bool,
    /// Join hard-wrapped lines inside a paragraph (newswire), rejoining a word hyphenated at
    /// the line end when the document also spells it without the hyphen.
    pub unwrap_lines: bool,
    /// Collapse runs of spaces, tabs and Unicode spaces to one space, trim every line, make any
    /// run of blank lines one blank line, trim the text.
    pub whitespace: bool,
    /// Insert the missing space after `.`, `!`, `?`, `,`, `;` or `:` between two words
    /// (`order.This` → `order. This`), leaving `U.S.`, `e.g.`, `3.5`, `1,000`, `10:30`, URLs,
    /// e-mail addresses and names like `Node.js` alone.
    pub punctuation_spacing: bool,
}

impl Default for RepairConfig {
    fn default() -> Self {
        Self {
            mojibake: true,
            controls: true,
            nfc: true,
            unwrap_lines: true,
            whitespace: true,
            punctuation_spacing: true,
        }
    }
}

/// The byte of Windows-1252 (or, for C1 controls, Latin-1) that decodes to `c`.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{80}'..='\u{ff}' => return u8::try_from(u32::from(c)).ok(),
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => return None,
    };
    Some(b)
}

/// Mojibake: a run of characters that are each one Windows-1252 byte, whose bytes contain
/// valid multi-byte UTF-8 sequences. Each such sequence becomes the character it encodes;
/// other characters of the run stay (so "Café" is left alone: `é` alone is not UTF-8).
pub(crate) fn mojibake(text: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    // (byte offset, byte length, Windows-1252 byte) of each char of the current run.
    let mut run: Vec<(usize, usize, u8)> = Vec::new();
    // Only non-ASCII characters join a run: any other character, skipped here, ends it.
    let mut end = 0;
    for (b, c) in picked_chars(text, |_| false) {
        if b != end || cp1252_byte(c).is_none() {
            decode_run(&run, &mut out);
            run.clear();
        }
        if let Some(byte) = cp1252_byte(c) {
            run.push((b, c.len_utf8(), byte));
        }
        end = b + c.len_utf8();
    }
    decode_run(&run, &mut out);
    out
}

/// The characters of `text` that are not ASCII or whose byte `ascii` picks, with their byte
/// offsets: the steps that act only on those skip plain ASCII a byte at a time.
fn picked_chars(text: &str, ascii: impl Fn(u8) -> bool) -> impl Iterator<Item = (usize, char)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(&b) = bytes.get(at) {
            at += 1;
            if !b.is_ascii() {
                let c = text.get(at - 1..).and_then(|rest| rest.chars().next())?;
                at += c.len_utf8() - 1;
                return Some((at - c.len_utf8(), c));
            }
            if ascii(b) {
                return Some((at - 1, char::from(b)));
            }
        }
        None
    })
}

fn decode_run(run: &[(usize, usize, u8)], out: &mut Vec<Replacement>) {
    let bytes: Vec<u8> = run.iter().map(|&(_, _, b)| b).collect();
    let mut k = 0;
    while k < bytes.len() {
        let len = match bytes[k] {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        if len > 0
            && let Some(seq) = bytes.get(k..k + len)
            && let Ok(decoded) = std::str::from_utf8(seq)
        {
            let (start, _, _) = run[k];
            let (last, last_len, _) = run[k + len - 1];
            out.push(Replacement::new(start, last + last_len, decoded));
            k += len;
        } else {
            k += 1;
        }
    }
}

/// Characters that take no space and carry no meaning in news text. U+200D (zero-width
/// joiner) is not one of them: it builds emoji sequences.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' | '\u{180e}')
        || (c.is_control() && c != '\n' && c != '\t')
}

/// Control and invisible characters removed; `\r\n`, `\r`, U+2028 and U+2029 become `\n`.
pub(crate) fn controls(text: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    let ascii_control = |b: u8| b.is_ascii_control() && b != b'\n' && b != b'\t';
    for (b, c) in picked_chars(text, ascii_control) {
        match c {
            '\r' => {
                // "\r\n" is one break; the "\n" is not picked, so nothing skips it.
                if text.as_bytes().get(b + 1) == Some(&b'\n') {
                    out.push(Replacement::new(b, b + 2, "\n"));
                } else {
                    out.push(Replacement::new(b, b + 1, "\n"));
                }
            }
            '\u{2028}' | '\u{2029}' => out.push(Replacement::new(b, b + c.len_utf8(), "\n")),
            _ if is_invisible(c) => out.push(Replacement::new(b, b + c.len_utf8(), "")),
            _ => {}
        }
    }
    out
}

/// NFC, one stretch at a time: each run of non-ASCII characters together with the character
/// before it (composition never reaches across an ASCII character).
pub(crate) fn nfc(text: &str) -> Vec<Replacement> {
    let nfc = ComposingNormalizerBorrowed::new_nfc();
    if nfc.is_normalized(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut prev: Option<usize> = None; // start of the last ASCII char
    let mut run_start: Option<usize> = None;
    for (b, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        if c.is_ascii() {
            if let Some(start) = run_start.take() {
                let chunk = &text[start..b];
                if let std::borrow::Cow::Owned(composed) = nfc.normalize(chunk) {
                    out.push(Replacement::new(start, b, composed));
                }
            }
            prev = Some(b);
        } else if run_start.is_none() {
            run_start = Some(prev.unwrap_or(b));
        }
    }
    out
}

/// ASCII bytes that are not whitespace, by byte.
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut x: u8 = 0;
    while x < 128 {
        plain[x as usize] = !matches!(x, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
        x += 1;
    }
    plain
};

/// Whitespace: every run of whitespace becomes what it should be — nothing at the start and
/// end of the text, `\n\n` when it holds two or more line breaks, `\n` for one, else a space.
pub(crate) fn whitespace(text: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    let mut run: Option<(usize, usize)> = None; // (start, line breaks)
    let bytes = text.as_bytes();
    let mut at = 0;
    while at <= text.len() {
        // Outside a run of whitespace, ASCII that is not whitespace changes nothing.
        if run.is_none() {
            while bytes.get(at).is_some_and(|&x| PLAIN[usize::from(x)]) {
                at += 1;
            }
        }
        // ASCII is checked byte by byte (`char::is_whitespace` also counts the vertical tab
        // and the form feed); only other characters are decoded.
        let (space, width) = match bytes.get(at) {
            None => (false, 1),
            Some(&x) if x.is_ascii() => {
                (matches!(x, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c), 1)
            }
            Some(_) => text
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        if space {
            let (start, breaks) = run.unwrap_or((at, 0));
            run = Some((start, breaks + usize::from(bytes[at] == b'\n')));
        } else if let Some((start, breaks)) = run.take() {
            let want = if start == 0 || at == text.len() {
                ""
            } else if breaks >= 2 {
                "\n\n"
            } else if breaks == 1 {
                "\n"
            } else {
                " "
            };
            // Most runs are one space between words: no string compare for those.
            let same = if at - start == 1 && bytes[start] == b' ' {
                want == " "
            } else {
                &text[start..at] == want
            };
            if !same {
                out.push(Replacement::new(start, at, want));
            }
        }
        at += width;
    }
    out
}

/// One line of text: its byte range, without the `\n`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

pub(crate) fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split('\n') {
        out.push(Line { start, end: start + piece.len(), text: piece });
        start += piece.len() + 1;
    }
    out
}

/// Longest line length, in chars, that still counts as hard-wrapped: newswire wraps at 60–80.
const MAX_WRAP_WIDTH: usize = 100;
/// Shortest wrap width considered: narrower blocks are lists, names or headings.
const MIN_WRAP_WIDTH: usize = 40;

/// Joins hard-wrapped lines. A block (lines between blank lines) is hard-wrapped when its
/// longest line is [`MIN_WRAP_WIDTH`] to [`MAX_WRAP_WIDTH`] characters and at least two
/// thirds (and two) of the lines that run on into the next fill 60% of that width. In such
/// a block a line break is a space when the next line is not indented more than the block's
/// least-indented line and does not start a list item, and either the line is full (its
/// first word of the next line would not have fitted) or the next line starts in lower case.
/// A word hyphenated at the line end is rejoined without the hyphen when the document spells
/// it that way elsewhere, and with the hyphen otherwise.
pub(crate) fn unwrap_lines(text: &str) -> Vec<Replacement> {
    let all = lines(text);
    let mut out = Vec::new();
    let mut words: Option<HashSet<String>> = None;
    for block in all.split(|l| l.text.trim().is_empty()) {
        if block.len() < 2 {
            continue;
        }
        let lengths: Vec<usize> = block.iter().map(|l| l.text.trim().chars().count()).collect();
        let width = lengths.iter().copied().max().unwrap_or(0);
        let indent = |l: &Line<'_>| l.text.len() - l.text.trim_start().len();
        let min_indent = block.iter().map(indent).min().unwrap_or(0);
        let new_paragraph =
            |l: &Line<'_>| indent(l) > min_indent || starts_list_item(l.text.trim_start());
        // Lines that run on into the next one must mostly fill the width (two thirds of them,
        // and two at least); a paragraph's last line may be short.
        let running: Vec<usize> = (0..block.len() - 1)
            .filter(|&i| !new_paragraph(&block[i + 1]))
            .map(|i| lengths[i])
            .collect();
        let filled = running.iter().filter(|&&n| n * 5 >= width * 3).count();
        if !(MIN_WRAP_WIDTH..=MAX_WRAP_WIDTH).contains(&width)
            || filled < 2
            || filled * 3 < running.len() * 2
        {
            continue;
        }
        for pair in block.windows(2) {
            let (line, next) = (pair[0], pair[1]);
            let cur = line.text.trim();
            let following = next.text.trim_start();
            if new_paragraph(&next) {
                continue;
            }
            let first_word = following.split_whitespace().next().unwrap_or("");
            let full = cur.chars().count() + 1 + first_word.chars().count() > width * 4 / 5;
            let lower = following.chars().next().is_some_and(char::is_lowercase)
                && !cur.ends_with(['.', '!', '?', ':'])
                && cur.chars().count() * 2 >= width;
            if !(full || lower) {
                continue;
            }
            let gap_start = line.start + line.text.trim_end().len();
            let gap_end = next.start + indent(&next);
            let hyphenated = cur.ends_with('-')
                && !cur.ends_with("--")
                && cur.chars().rev().nth(1).is_some_and(char::is_alphabetic)
                && following.chars().next().is_some_and(char::is_lowercase);
            if hyphenated {
                let head =
                    cur.rsplit(|c: char| !c.is_alphanumeric() && c != '-').next().unwrap_or("");
                let head = head.trim_end_matches('-');
                let tail: String = following.chars().take_while(|c| c.is_alphanumeric()).collect();
                let joined = format!("{head}{tail}").to_lowercase();
                let known = words.get_or_insert_with(|| word_set(text)).contains(&joined);
                let start = if known { gap_start - 1 } else { gap_start };
                out.push(Replacement::new(start, gap_end, ""));
            } else {
                out.push(Replacement::new(gap_start, gap_end, " "));
            }
        }
    }
    out
}

fn starts_list_item(line: &str) -> bool {
    if line.starts_with(['-', '*', '•', '·', '–', '—', '>']) {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && digits < 4 && line[digits..].starts_with(['.', ')'])
}

/// The lower-cased words of `text` (letters and digits).
fn word_set(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The punctuation [`punctuation_spacing`] looks after, by byte.
const MARKS: [bool; 256] = {
    let mut marks = [false; 256];
    let mut k = 0;
    while k < 6 {
        marks[b".!?,;:"[k] as usize] = true;
        k += 1;
    }
    marks
};

/// Inserts the missing space after sentence and clause punctuation glued to the next word.
pub(crate) fn punctuation_spacing(text: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    // Only a mark right before a letter is looked at, from the text around it: most texts
    // have few.
    let bytes = text.as_bytes();
    for (b, pair) in bytes.windows(2).enumerate().skip(1) {
        let mark = pair[0];
        if !MARKS[usize::from(mark)] {
            continue;
        }
        // A letter starts with an ASCII letter or a byte past ASCII.
        if pair[1].is_ascii() && !pair[1].is_ascii_alphabetic() {
            continue;
        }
        // The mark is ASCII, so a character starts on each side of it.
        let (Some(before), Some(rest)) = (text.get(..b), text.get(b + 1..)) else { continue };
        let c = char::from(mark);
        let mut ahead = rest.chars();
        let Some(next) = ahead.next().filter(|n| n.is_alphabetic()) else { continue };
        let after = ahead.next();
        let Some(previous) = before.chars().next_back() else { continue };
        // The word before the punctuation (past any run of the same mark, as in "...").
        let run = if matches!(c, '.' | '!' | '?') {
            before.bytes().rev().take_while(|&x| x == mark).count()
        } else {
            0
        };
        let word = before.get(..before.len() - run).unwrap_or("");
        let word_len = word.chars().rev().take_while(|ch| ch.is_alphabetic()).count();
        // "bought 1,000.That is", "grew 5%.Officials": a number, then a capitalised word.
        let after_number = c == '.'
            && run == 0
            && (previous.is_ascii_digit() || previous == '%')
            && next.is_uppercase()
            && after.is_some_and(char::is_lowercase);
        if after_number && !in_address(text, b) {
            out.push(Replacement::new(b + 1, b + 1, " "));
            continue;
        }
        if word_len == 0 {
            continue;
        }
        let wanted = match c {
            '.' => {
                let following: String = rest.chars().take_while(|ch| ch.is_alphabetic()).collect();
                // "order.This": an upper-case letter starting a lower-case word; not "U.S.",
                // "e.g." (one-letter words), not "Node.js" or "example.com" (lower case).
                next.is_uppercase()
                    && after.is_some_and(char::is_lowercase)
                    && !is_top_level_domain(&following)
                    && (word_len >= 2 || run > 0)
                    && !(run == 0 && before.chars().rev().nth(word_len) == Some('.'))
            }
            '!' | '?' => next.is_uppercase(),
            _ => true,
        };
        if wanted && !in_address(text, b) {
            out.push(Replacement::new(b + 1, b + 1, " "));
        }
    }
    out
}

/// Common top-level domains, which follow a period without a space even when capitalised
/// ("Newsfeed.Com", "Amazon.Co.Uk").
fn is_top_level_domain(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "com" | "net" | "org" | "edu" | "gov" | "info" | "biz" | "co" | "uk" | "io" | "int"
    )
}

/// Whether the byte `at` sits inside a URL, an e-mail address or a `www.` host name: the
/// whitespace-delimited token around it contains `://`, `@` or starts with `www.`.
fn in_address(text: &str, at: usize) -> bool {
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |p| p + 1);
    let end = text[at..].find(char::is_whitespace).map_or(text.len(), |p| at + p);
    let token = &text[start..end];
    token.contains("://") || token.contains('@') || token.to_ascii_lowercase().starts_with("www.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracked::Tracked;

    fn run(step: fn(&str) -> Vec<Replacement>, text: &str) -> String {
        let mut t = Tracked::new(text);
        t.apply(&step(text));
        t.text
    }

    proptest::proptest! {
        /// Whitespace done once leaves nothing to do: normalise runs it a second time only
        /// when punctuation spacing changed the text in between.
        #[test]
        fn whitespace_is_idempotent(
            text in "[ a.\\t\\n\\r\\x0b\\x0c\\u{85}\\u{a0}\\u{2028}\\u{3000}é]{0,40}"
        ) {
            let once = run(whitespace, &text);
            proptest::prop_assert!(whitespace(&once).is_empty(), "{:?} -> {:?}", text, once);
        }
    }

    #[test]
    fn mojibake_is_repaired_and_legitimate_accents_are_not() {
        assert_eq!(run(mojibake, "donâ€™t say â€œnoâ€\u{9d}"), "don’t say “no”");
        assert_eq!(run(mojibake, "CafÃ© in ZÃ¼rich"), "Café in Zürich");
        for fine in ["Café", "Zürich", "Ångström", "naïve – “quoted”", "São Paulo", "façade"]
        {
            assert_eq!(run(mojibake, fine), fine);
        }
    }

    #[test]
    fn punctuation_spacing_keeps_abbreviations_numbers_and_addresses() {
        assert_eq!(
            run(punctuation_spacing, "order.This issues,such as"),
            "order. This issues, such as"
        );
        for fine in [
            "the U.S. and e.g. this",
            "3.5 and 1,000 at 10:30",
            "see https://example.com/a,b:c or www.Example.Com",
            "mail me@x.org now",
            "Node.js and example.com",
            "U.S.The",
        ] {
            assert_eq!(run(punctuation_spacing, fine), fine);
        }
    }
}
