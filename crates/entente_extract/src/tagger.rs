//! A statistical name tagger: an averaged perceptron over BIO labels (PER, ORG, LOC, MISC),
//! decoded greedily left to right, with word, shape, affix, context, casing, previous-label and
//! gazetteer features. Trained by `entente train ner` on `CoNLL-2003`-style JSONL; the weights
//! ship in `data/ner.model.zst`.

#![allow(clippy::string_slice, reason = "byte offsets come from char_indices")]

use std::collections::HashMap;
use std::io::{Read, Write};

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The labels, in weight order.
pub const LABELS: [&str; 9] =
    ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
const N: usize = LABELS.len();
const MAGIC: &[u8; 8] = b"entner01";

/// A token of a sentence: its text and, if the gazetteer matched it, `B-`/`I-` and the
/// gazetteer's `CoNLL` label (`B-LOC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token as written.
    pub text: &'a str,
    /// The gazetteer's label for it, or "".
    pub gazetteer: &'a str,
}

/// The tagger's weights.
#[derive(Debug, Clone, Default)]
pub struct Tagger {
    weights: HashMap<u64, [f32; N]>,
}

/// An error reading a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The bytes are not a model of this version.
    #[error("not an entente NER model (bad header or length)")]
    Format,
    /// Decompression failed.
    #[error("cannot decompress the NER model: {0}")]
    Io(#[from] std::io::Error),
}

fn shape(w: &str) -> String {
    let mut out = String::new();
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
    out
}

/// The feature ids of token `i`, given the labels chosen for the tokens before it.
fn features(
    tokens: &[Token<'_>],
    lower: &[String],
    shapes: &[String],
    caps: bool,
    i: usize,
    prev: &[usize],
) -> Vec<u64> {
    let f = |template: u64, value: &str| xxh3_64_with_seed(value.as_bytes(), template);
    let at = |k: isize| -> &str {
        i.checked_add_signed(k)
            .and_then(|j| lower.get(j))
            .map_or(if k < 0 { "<s>" } else { "</s>" }, String::as_str)
    };
    let shape_at = |k: isize| -> &str {
        i.checked_add_signed(k).and_then(|j| shapes.get(j)).map_or("", String::as_str)
    };
    let w = tokens[i].text;
    let lw = lower[i].as_str();
    let chars: Vec<char> = lw.chars().collect();
    let affix = |n: usize, from_end: bool| -> String {
        if from_end {
            chars[chars.len().saturating_sub(n)..].iter().collect()
        } else {
            chars[..n.min(chars.len())].iter().collect()
        }
    };
    let p1 = prev.last().map_or("<s>", |&l| LABELS[l]);
    let p2 = if prev.len() >= 2 { LABELS[prev[prev.len() - 2]] } else { "<s>" };
    let mut out = vec![
        f(0, ""),
        f(1, lw),
        f(2, &shapes[i]),
        f(3, &affix(2, false)),
        f(4, &affix(3, false)),
        f(5, &affix(2, true)),
        f(6, &affix(3, true)),
        f(7, &affix(4, true)),
        f(8, at(-1)),
        f(9, at(1)),
        f(10, at(-2)),
        f(11, at(2)),
        f(12, shape_at(-1)),
        f(13, shape_at(1)),
        f(14, p1),
        f(15, &format!("{p2}|{p1}")),
        f(16, &format!("{p1}|{lw}")),
        f(17, w),
        f(18, &format!("{}|{lw}", at(-1))),
        f(19, &format!("{lw}|{}", at(1))),
        f(20, &format!("{}|{}", shapes[i], shape_at(1))),
        f(21, &format!("{}|{}", shape_at(-1), shapes[i])),
        f(22, tokens[i].gazetteer),
        f(23, &format!("{}|{}", tokens[i].gazetteer, shapes[i])),
        f(24, tokens.get(i + 1).map_or("", |t| t.gazetteer)),
        f(25, if i > 0 { tokens[i - 1].gazetteer } else { "" }),
    ];
    if i == 0 {
        out.push(f(26, &shapes[i]));
    }
    out.push(f(29, &affix(4, false)));
    out.push(f(30, &affix(5, true)));
    out.push(f(31, &format!("{}|{}", at(-1), shapes[i])));
    out.push(f(32, &format!("{}|{}", shapes[i], at(1))));
    out.push(f(33, &format!("{p1}|{}", shapes[i])));
    let len = chars.len().min(8).to_string();
    out.push(f(34, &len));
    if caps {
        out.push(f(27, lw));
        out.push(f(28, &format!("{p1}|caps")));
    }
    out
}

/// Lower-cased forms, shapes and whether the sentence is in capitals (a headline).
fn prepare(tokens: &[Token<'_>]) -> (Vec<String>, Vec<String>, bool) {
    let lower: Vec<String> = tokens.iter().map(|t| t.text.to_lowercase()).collect();
    let shapes: Vec<String> = tokens.iter().map(|t| shape(t.text)).collect();
    let letters = tokens.iter().filter(|t| t.text.chars().any(char::is_alphabetic)).count();
    let upper = tokens
        .iter()
        .filter(|t| {
            t.text.chars().any(char::is_alphabetic) && !t.text.chars().any(char::is_lowercase)
        })
        .count();
    (lower, shapes, letters >= 3 && upper * 10 >= letters * 8)
}

/// Whether label `next` may follow `prev` (no `I-X` after anything but `B-X` or `I-X`).
fn allowed(prev: Option<usize>, next: usize) -> bool {
    if next == 0 || next % 2 == 1 {
        return true;
    }
    prev.is_some_and(|p| p != 0 && p.div_ceil(2) == next.div_ceil(2))
}

fn scores(weights: &HashMap<u64, [f32; N]>, feats: &[u64]) -> [f32; N] {
    let mut s = [0f32; N];
    for f in feats {
        if let Some(w) = weights.get(f) {
            for (a, b) in s.iter_mut().zip(w) {
                *a += b;
            }
        }
    }
    s
}

impl Tagger {
    fn best(scores: &[f32; N], prev: Option<usize>) -> usize {
        let mut best = 0;
        for l in 1..N {
            if allowed(prev, l) && scores[l] > scores[best] {
                best = l;
            }
        }
        best
    }

    /// The label index of every token.
    pub fn tag(&self, tokens: &[Token<'_>]) -> Vec<usize> {
        let (lower, shapes, caps) = prepare(tokens);
        let mut out = Vec::with_capacity(tokens.len());
        for i in 0..tokens.len() {
            let feats = features(tokens, &lower, &shapes, caps, i, &out);
            let label = Self::best(&scores(&self.weights, &feats), out.last().copied());
            out.push(label);
        }
        out
    }

    /// Trains on `sentences` (tokens with gold label indices) for `epochs` passes, visiting
    /// sentences in a fixed pseudo-random order, and returns the averaged weights.
    pub fn train(sentences: &[(Vec<Token<'_>>, Vec<usize>)], epochs: usize) -> Self {
        let mut w: HashMap<u64, [f32; N]> = HashMap::new();
        let mut u: HashMap<u64, [f32; N]> = HashMap::new();
        let mut c = 1f32;
        let mut order: Vec<usize> = (0..sentences.len()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..epochs {
            // Fisher-Yates with a fixed xorshift: the same order on every machine.
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
                order.swap(i, j);
            }
            for &k in &order {
                let (tokens, gold) = &sentences[k];
                let (lower, shapes, caps) = prepare(tokens);
                let mut predicted: Vec<usize> = Vec::with_capacity(tokens.len());
                for (i, &truth) in gold.iter().enumerate().take(tokens.len()) {
                    let feats = features(tokens, &lower, &shapes, caps, i, &predicted);
                    let guess = Self::best(&scores(&w, &feats), predicted.last().copied());
                    if guess != truth {
                        for f in &feats {
                            let wf = w.entry(*f).or_insert([0.0; N]);
                            wf[truth] += 1.0;
                            wf[guess] -= 1.0;
                            let uf = u.entry(*f).or_insert([0.0; N]);
                            uf[truth] += c;
                            uf[guess] -= c;
                        }
                    }
                    predicted.push(guess);
                    c += 1.0;
                }
            }
        }
        let mut weights = HashMap::with_capacity(w.len());
        // Each feature's weights are computed on their own: the order does not matter.
        #[allow(clippy::iter_over_hash_type, reason = "independent per entry")]
        for (f, wf) in w {
            let uf = u.get(&f).copied().unwrap_or([0.0; N]);
            let mut avg = [0f32; N];
            for l in 0..N {
                avg[l] = wf[l] - uf[l] / c;
            }
            if avg.iter().any(|x| x.abs() > 1e-3) {
                weights.insert(f, avg);
            }
        }
        Tagger { weights }
    }

    /// The model as zstd-compressed bytes: features sorted, weights as `i16` at a fixed scale,
    /// so the same weights always give the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let max = self
            .weights
            .values()
            .flat_map(|w| w.iter())
            .fold(0f32, |m, x| m.max(x.abs()))
            .max(1e-6);
        let scale = f32::from(i16::MAX) / max;
        let mut keys: Vec<&u64> = self.weights.keys().collect();
        keys.sort_unstable();
        let mut raw = Vec::with_capacity(16 + keys.len() * (8 + 2 * N));
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&scale.to_le_bytes());
        raw.extend_from_slice(&u32::try_from(keys.len()).unwrap_or(u32::MAX).to_le_bytes());
        for k in keys {
            raw.extend_from_slice(&k.to_le_bytes());
            for x in self.weights[k] {
                #[allow(clippy::cast_possible_truncation, reason = "scaled into the i16 range")]
                let q = (x * scale).round() as i16;
                raw.extend_from_slice(&q.to_le_bytes());
            }
        }
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 19)?;
        enc.write_all(&raw)?;
        Ok(enc.finish()?)
    }

    /// Reads a model written by [`Tagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut raw = Vec::new();
        zstd::stream::Decoder::new(bytes)?.read_to_end(&mut raw)?;
        if raw.len() < 16 || &raw[..8] != MAGIC {
            return Err(ModelError::Format);
        }
        let scale = f32::from_le_bytes(raw[8..12].try_into().map_err(|_| ModelError::Format)?);
        let n =
            u32::from_le_bytes(raw[12..16].try_into().map_err(|_| ModelError::Format)?) as usize;
        let entry = 8 + 2 * N;
        if raw.len() != 16 + n * entry {
            return Err(ModelError::Format);
        }
        let mut weights = HashMap::with_capacity(n);
        for chunk in raw[16..].chunks_exact(entry) {
            let key = u64::from_le_bytes(chunk[..8].try_into().map_err(|_| ModelError::Format)?);
            let mut w = [0f32; N];
            for (l, x) in w.iter_mut().enumerate() {
                let q = i16::from_le_bytes([chunk[8 + 2 * l], chunk[9 + 2 * l]]);
                *x = f32::from(q) / scale;
            }
            weights.insert(key, w);
        }
        Ok(Tagger { weights })
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// Splits a sentence into tokens the way `CoNLL-2003` does, as byte ranges: at whitespace,
/// with leading and trailing quotes, brackets and punctuation as tokens of their own, a final
/// period split off a word (but not off "U.S." or an initial), and a possessive "'s" apart.
pub fn tokenize(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                split_chunk(text, s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn split_chunk(text: &str, mut s: usize, mut e: usize, out: &mut Vec<(usize, usize)>) {
    const LEADING: &[char] = &['"', '\'', '“', '‘', '(', '[', '{', '«'];
    const TRAILING: &[char] = &['"', '\'', '”', '’', ')', ']', '}', '»', ',', ';', ':', '!', '?'];
    while let Some(c) = text[s..e].chars().next().filter(|c| LEADING.contains(c)) {
        if s + c.len_utf8() >= e {
            break;
        }
        out.push((s, s + c.len_utf8()));
        s += c.len_utf8();
    }
    let mut tail = Vec::new();
    loop {
        let word = &text[s..e];
        let Some(c) = word.chars().next_back() else { break };
        let cut = if TRAILING.contains(&c) && word.len() > c.len_utf8() {
            true
        } else if c == '.' && word.len() > 1 {
            let stem = &word[..word.len() - 1];
            // Keep the period of "U.S." and of initials like "J.".
            !(stem.contains('.') || stem.chars().count() == 1)
        } else {
            false
        };
        if !cut {
            break;
        }
        tail.push((e - c.len_utf8(), e));
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
    out.extend(tail.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::{LABELS, Tagger, Token, shape};

    fn toks<'a>(words: &[&'a str]) -> Vec<Token<'a>> {
        words.iter().map(|w| Token { text: w, gazetteer: "" }).collect()
    }

    #[test]
    fn tokenizes_like_conll() {
        let text = "(Putin's \"deal\") with the U.S. and J. Smith, Corp. ended.";
        let tokens: Vec<&str> =
            super::tokenize(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(
            tokens,
            [
                "(", "Putin", "'s", "\"", "deal", "\"", ")", "with", "the", "U.S.", "and", "J.",
                "Smith", ",", "Corp", ".", "ended", "."
            ]
        );
    }

    #[test]
    fn shapes_collapse_long_runs() {
        assert_eq!(shape("Putin"), "Xxx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("1996-08-30"), "dd-dd-dd");
    }

    #[test]
    fn learns_a_toy_language_and_round_trips() {
        let label = |l: &str| LABELS.iter().position(|x| *x == l).unwrap();
        let sents: Vec<(Vec<Token<'_>>, Vec<usize>)> = (0..30)
            .map(|_| {
                (
                    toks(&["Alice", "Smith", "visited", "Paris", "."]),
                    vec![label("B-PER"), label("I-PER"), label("O"), label("B-LOC"), label("O")],
                )
            })
            .collect();
        let tagger = Tagger::train(&sents, 3);
        let tags = tagger.tag(&toks(&["Alice", "Smith", "visited", "Paris", "."]));
        assert_eq!(tags, sents[0].1);
        let back = Tagger::from_bytes(&tagger.to_bytes().unwrap()).unwrap();
        assert_eq!(back.tag(&sents[0].0), sents[0].1);
        assert!(Tagger::from_bytes(b"nonsense").is_err());
    }
}
