//! `CoNLL-2003`-style tokens.

#![allow(clippy::string_slice, reason = "byte offsets come from char_indices")]

use crate::words::{HIGH, TOKENIZER_ABBREVIATIONS, ascii_in, next_marked};

/// The bytes of `word` (eight bytes of a text) that are ASCII white space or not ASCII, marked
/// by their high bits ([`next_marked`]).
fn space_or_non_ascii(word: u64) -> u64 {
    ascii_in(word, b'\t', b'\r') | ascii_in(word, b' ', b' ') | word & HIGH
}

/// Splits a sentence into tokens the way `CoNLL-2003` does, as byte ranges: at whitespace,
/// with leading and trailing quotes, brackets and punctuation as tokens of their own, a final
/// period split off a word (but not off "U.S." or an initial), and a possessive "'s" apart.
/// A social-media handle's "@" is a token of its own, so the name after it can be a
/// mention (`@BBCNews` → `@`, `BBCNews`), as the Broad Twitter Corpus tags handles.
pub fn tokenize(text: &str) -> Vec<(usize, usize)> {
    // English news has a token per five bytes or so: room for a sentence's tokens at once.
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    let bytes = text.as_bytes();
    let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    // The character at `i`: whether it is whitespace (`char::is_whitespace`), and its width.
    let at = |i: usize| match bytes.get(i) {
        None => None,
        Some(&b) if b.is_ascii() => Some((space(b), 1)),
        Some(_) => text[i..].chars().next().map(|c| (c.is_whitespace(), c.len_utf8())),
    };
    let mut i = 0;
    loop {
        // The whitespace before a chunk.
        let start = loop {
            match at(i) {
                None => return out,
                Some((true, width)) => i += width,
                Some((false, _)) => break i,
            }
        };
        // The chunk: ASCII bytes eight at a time, any other character decoded.
        loop {
            i = next_marked(bytes, i, space_or_non_ascii, |b| space(b) || !b.is_ascii());
            match at(i) {
                Some((false, width)) => i += width,
                _ => break,
            }
        }
        split_chunk(text, start, i, &mut out);
    }
}

/// Whether token `i` follows a handle's "@" (see [`tokenize`]): such a word is a name however
/// it is written ("@ bbcnews").
pub(crate) fn after_handle(tokens: &[super::Token<'_>], i: usize) -> bool {
    i > 0 && tokens.get(i - 1).is_some_and(|t| t.text == "@")
}

fn split_chunk(text: &str, mut s: usize, mut e: usize, out: &mut Vec<(usize, usize)>) {
    const LEADING: &[char] = &['"', '\'', '“', '‘', '(', '[', '{', '«'];
    const TRAILING: &[char] = &['"', '\'', '”', '’', ')', ']', '}', '»', ',', ';', ':', '!', '?'];
    // "'s" and "'re" written apart from their word, as CoNLL text writes them, stay whole.
    const CLITICS: &[&str] = &["s", "S", "re", "ve", "ll", "d", "m"];
    // Most chunks are a word that starts and ends with an ASCII letter or digit: nothing to
    // split off but a possessive ("'s" after the word).
    let chunk = &text.as_bytes()[s..e];
    let possessive = |stem: &[u8]| stem.ends_with(b"'") || stem.ends_with("’".as_bytes());
    if chunk[0].is_ascii_alphanumeric()
        && chunk[chunk.len() - 1].is_ascii_alphanumeric()
        && !(matches!(chunk[chunk.len() - 1], b's' | b'S') && possessive(&chunk[..chunk.len() - 1]))
    {
        out.push((s, e));
        return;
    }
    while let Some(c) = text[s..e].chars().next().filter(|c| LEADING.contains(c)) {
        let rest = &text[s + c.len_utf8()..e];
        if s + c.len_utf8() >= e || matches!(c, '\'' | '’') && CLITICS.contains(&rest) {
            break;
        }
        out.push((s, s + c.len_utf8()));
        s += c.len_utf8();
    }
    if text[s..e].starts_with('@')
        && text[s + 1..e].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    {
        out.push((s, s + 1));
        s += 1;
    }
    // Trailing punctuation is cut off one character at a time; each is a token of its own.
    let end = e;
    loop {
        let word = &text[s..e];
        let Some(c) = word.chars().next_back() else { break };
        let cut = if TRAILING.contains(&c) && word.len() > c.len_utf8() {
            true
        } else if c == '.' && word.len() > 1 {
            let stem = &word[..word.len() - 1];
            // Keep the period of "U.S.", of initials like "J." and of abbreviations like
            // "St." and "Inc.", as the CoNLL tokens the tagger learnt from do.
            !(stem.contains('.')
                || stem.chars().count() == 1
                || TOKENIZER_ABBREVIATIONS.contains(&stem))
        } else {
            false
        };
        if !cut {
            break;
        }
        e -= c.len_utf8();
    }
    let word = &text[s..e];
    let possessive =
        ["'s", "’s", "'S", "’S"].iter().find(|p| word.len() > p.len() && word.ends_with(*p));
    if let Some(p) = possessive {
        out.push((s, e - p.len()));
        out.push((e - p.len(), e));
    } else if s < e {
        out.push((s, e));
    }
    out.extend(text[e..end].char_indices().map(|(k, c)| (e + k, e + k + c.len_utf8())));
}
