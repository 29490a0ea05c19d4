//! Text that remembers where each of its characters came from in the raw text, so that the
//! repair steps can be chained and the final `text_edits` derived at the end.
#![allow(
    clippy::string_slice,
    reason = "every byte offset here comes from char_indices or a char-boundary search"
)]

use entente_schema::TextEdit;

/// Replace the bytes `start..end` of the current text (char boundaries) with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) with: String,
}

impl Replacement {
    pub(crate) fn new(start: usize, end: usize, with: impl Into<String>) -> Self {
        Self { start, end, with: with.into() }
    }
}

/// The current text and, for each of its characters, the raw characters `[start, end)` it
/// stands for. Ranges never decrease along the text.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub(crate) text: String,
    /// The raw range of each character; `None` while no replacement was applied and the text
    /// is the raw text, character `i` standing for raw character `i` (most news texts need no
    /// repair, and then no per-character table is built).
    src: Option<Vec<(u32, u32)>>,
    raw_chars: u32,
}

impl Tracked {
    pub(crate) fn new(raw: &str) -> Self {
        Self { text: raw.to_owned(), src: None, raw_chars: to_u32(raw.chars().count()) }
    }

    /// The raw character range behind the current text's bytes `start..end`.
    pub(crate) fn raw_range(&self, start: usize, end: usize) -> (u32, u32) {
        let first = self.text.get(..start).map_or(0, |s| s.chars().count());
        let n = self.text.get(start..end).map_or(0, |s| s.chars().count());
        let Some(src) = &self.src else {
            let at = to_u32(first).min(self.raw_chars);
            return (at, to_u32(first + n).min(self.raw_chars));
        };
        if n == 0 {
            let at = src.get(first).map_or(self.raw_chars, |r| r.0);
            return (at, at);
        }
        (src[first].0, src[first + n - 1].1)
    }

    /// Applies `replacements` (sorted, not overlapping, on char boundaries; others are
    /// ignored). A replacement with as many characters as it replaces maps them one to one;
    /// otherwise its characters all stand for the whole replaced range, and an insertion for
    /// the empty range where it sits.
    pub(crate) fn apply(&mut self, replacements: &[Replacement]) {
        if replacements.is_empty() {
            return;
        }
        let old = match self.src.take() {
            Some(src) => src,
            None => (0..self.raw_chars).map(|i| (i, i + 1)).collect(),
        };
        let mut text = String::with_capacity(self.text.len());
        let mut src = Vec::with_capacity(old.len());
        let mut chars = self.text.char_indices().peekable();
        let mut ci = 0usize; // index of the next char in self.src
        let mut at = 0usize; // byte position reached in self.text
        for r in replacements {
            if r.start < at
                || r.end < r.start
                || !self.text.is_char_boundary(r.start)
                || !self.text.is_char_boundary(r.end)
                || r.end > self.text.len()
            {
                continue;
            }
            while let Some(&(b, c)) = chars.peek() {
                if b >= r.start {
                    break;
                }
                text.push(c);
                src.push(old[ci]);
                ci += 1;
                chars.next();
            }
            let first = ci;
            while let Some(&(b, _)) = chars.peek() {
                if b >= r.end {
                    break;
                }
                ci += 1;
                chars.next();
            }
            let replaced = &old[first..ci];
            let n_new = r.with.chars().count();
            for (k, c) in r.with.chars().enumerate() {
                text.push(c);
                src.push(if n_new == replaced.len() {
                    replaced[k]
                } else if let (Some(a), Some(z)) = (replaced.first(), replaced.last()) {
                    (a.0, z.1)
                } else {
                    let here = src.last().map_or_else(
                        || old.get(first).map_or(self.raw_chars, |s| s.0),
                        |p: &(u32, u32)| p.1,
                    );
                    (here, here)
                });
            }
            at = r.end;
        }
        for (_, c) in chars {
            text.push(c);
            src.push(old[ci]);
            ci += 1;
        }
        self.text = text;
        self.src = Some(src);
    }

    /// The edits that turn `raw` (the text this was made from) into the current text: maximal
    /// differing stretches between characters copied unchanged and in order.
    pub(crate) fn edits(&self, doc_id: &str, raw: &str) -> Vec<TextEdit> {
        let Some(src) = &self.src else {
            return Vec::new();
        };
        let raw_chars: Vec<char> = raw.chars().collect();
        let raw_bytes = byte_offsets(raw);
        let text_chars: Vec<char> = self.text.chars().collect();
        let text_bytes = byte_offsets(&self.text);
        let copied = |i: usize, rc: u32| {
            let (s, e) = src[i];
            e == s + 1 && s >= rc && raw_chars.get(s as usize) == Some(&text_chars[i])
        };
        let mut spans: Vec<(usize, usize, u32, u32)> = Vec::new();
        let (mut i, mut rc) = (0usize, 0u32);
        while i < text_chars.len() {
            let (s, _) = src[i];
            if copied(i, rc) {
                if s > rc {
                    spans.push((i, i, rc, s));
                }
                rc = s + 1;
                i += 1;
                continue;
            }
            let start = i;
            let mut reach = rc.max(src[i].1);
            i += 1;
            while i < text_chars.len() && !(copied(i, reach)) {
                reach = reach.max(src[i].1);
                i += 1;
            }
            let end = if i < text_chars.len() { src[i].0 } else { reach };
            spans.push((start, i, rc, end));
            rc = end;
        }
        if (rc as usize) < raw_chars.len() {
            spans.push((text_chars.len(), text_chars.len(), rc, to_u32(raw_chars.len())));
        }
        spans
            .into_iter()
            .enumerate()
            .map(|(k, (ts, te, rs, re))| {
                let (tbs, tbe) = (text_bytes[ts], text_bytes[te]);
                let (rbs, rbe) = (raw_bytes[rs as usize], raw_bytes[re as usize]);
                TextEdit {
                    doc_id: doc_id.to_owned(),
                    edit_idx: to_u32(k),
                    text_char_start: to_u32(ts),
                    text_char_end: to_u32(te),
                    raw_char_start: rs,
                    raw_char_end: re,
                    text_byte_start: to_u32(tbs),
                    text_byte_end: to_u32(tbe),
                    raw_byte_start: to_u32(rbs),
                    raw_byte_end: to_u32(rbe),
                    text: self.text[tbs..tbe].to_owned(),
                    raw: raw[rbs..rbe].to_owned(),
                }
            })
            .collect()
    }
}

/// The byte offset of every char of `s`, plus its length: `n_chars + 1` entries.
pub(crate) fn byte_offsets(s: &str) -> Vec<usize> {
    s.char_indices().map(|(b, _)| b).chain(std::iter::once(s.len())).collect()
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{Replacement, Tracked};

    fn applied(raw: &str, steps: &[&[Replacement]]) -> (String, Vec<(String, String)>) {
        let mut t = Tracked::new(raw);
        for step in steps {
            t.apply(step);
        }
        let edits = t.edits("d", raw).into_iter().map(|e| (e.raw, e.text)).collect();
        (t.text, edits)
    }

    #[test]
    fn chained_steps_compose_into_raw_edits() {
        // "a  b" -> "a b" (collapse), then "b" -> "B" and insert "!" at the end. Neighbouring
        // changes with nothing copied between them make one edit.
        let (text, edits) = applied(
            "a  bc",
            &[
                &[Replacement::new(1, 3, " ")],
                &[Replacement::new(2, 3, "B"), Replacement::new(4, 4, "!")],
            ],
        );
        assert_eq!(text, "a Bc!");
        assert_eq!(edits, [("  b".into(), " B".into()), (String::new(), "!".into())]);
    }

    #[test]
    fn deletions_at_both_ends_are_edits() {
        let (text, edits) =
            applied("  é x ", &[&[Replacement::new(0, 2, ""), Replacement::new(6, 7, "")]]);
        assert_eq!(text, "é x");
        assert_eq!(edits, [("  ".into(), String::new()), (" ".into(), String::new())]);
    }

    #[test]
    fn many_to_one_replacement_maps_to_the_whole_range() {
        let raw = "donâ€™t";
        let mut t = Tracked::new(raw);
        let start = raw.find('â').unwrap_or_default();
        let end = raw.rfind('t').unwrap_or_default();
        t.apply(&[Replacement::new(start, end, "’")]);
        assert_eq!(t.text, "don’t");
        assert_eq!(t.raw_range(3, 6), (3, 6));
        let edits = t.edits("d", raw);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].raw.as_str(), edits[0].text.as_str()), ("â€™", "’"));
    }

    /// Untouched text keeps no per-character table, and answers as one that maps each
    /// character to itself does: a replacement that changes nothing forces the table.
    #[test]
    fn untouched_text_maps_each_character_to_itself() {
        let raw = "né à Zürich";
        let lazy = Tracked::new(raw);
        let mut table = Tracked::new(raw);
        table.apply(&[Replacement::new(0, 1, "n")]);
        assert!(lazy.src.is_none() && table.src.is_some());
        assert_eq!(lazy.text, table.text);
        let bounds: Vec<usize> = raw.char_indices().map(|(b, _)| b).chain([raw.len()]).collect();
        for &start in &bounds {
            for &end in bounds.iter().filter(|&&e| e >= start) {
                assert_eq!(
                    lazy.raw_range(start, end),
                    table.raw_range(start, end),
                    "{start}..{end}"
                );
            }
        }
        assert!(lazy.edits("d", raw).is_empty());
        assert!(table.edits("d", raw).is_empty());
    }
}
