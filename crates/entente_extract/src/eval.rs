//! Entity recognition scored against gold spans (`entente eval ner`): exact span and type,
//! micro-averaged, with entente's types mapped to the `CoNLL-2003` labels.

#![allow(clippy::string_slice, reason = "byte offsets come from char_indices")]

use std::collections::{BTreeMap, BTreeSet};

use entente_schema::EntityType;
use serde::Deserialize;

/// One gold entity: code-point offsets into the record's text, end-exclusive.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldEntity {
    /// First code point.
    pub start: u32,
    /// One past the last code point.
    pub end: u32,
    /// PER, ORG, LOC or MISC.
    pub label: String,
}

/// One gold record: `{"doc_id", "text", "entities": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDoc {
    /// The record's id.
    #[serde(alias = "id")]
    pub doc_id: String,
    /// Its text.
    pub text: String,
    /// Its entities.
    pub entities: Vec<GoldEntity>,
    /// Its sentences as code-point spans (the whole text when absent).
    #[serde(default)]
    pub sentence_spans: Vec<(u32, u32)>,
}

impl GoldDoc {
    /// The text with each gold sentence on a line of its own, as in the original `CoNLL`
    /// files and in real articles, where headlines and datelines stand on their own lines:
    /// the space before every sentence becomes a line break, so offsets do not move.
    pub fn lines(&self) -> String {
        let starts: std::collections::HashSet<u32> =
            self.sentence_spans.iter().map(|&(s, _)| s).collect();
        let mut out = String::with_capacity(self.text.len());
        for (i, c) in (1u32..).zip(self.text.chars()) {
            out.push(if c == ' ' && starts.contains(&i) { '\n' } else { c });
        }
        out
    }
}

/// The training sentences of a gold record whose text is tokens joined by single spaces
/// (`CoNLL` style): each sentence's tokens with the gazetteer's labels, and the gold label
/// of every token (BIO over PER, ORG, LOC, MISC).
pub fn training_sentences<'a>(
    extractor: &crate::Extractor,
    doc: &'a GoldDoc,
) -> Vec<(Vec<crate::tagger::Token<'a>>, Vec<crate::tagger::Label>)> {
    use crate::tagger::{Kind, Label, Token};
    let text = doc.text.as_str();
    let bytes_of =
        |chars: &[(usize, char)], c: u32| chars.get(c as usize).map_or(text.len(), |&(b, _)| b);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = u32::try_from(chars.len()).unwrap_or(u32::MAX);
    let spans =
        if doc.sentence_spans.is_empty() { vec![(0, n)] } else { doc.sentence_spans.clone() };
    // Gold label of every byte that starts a token: B-X at an entity start, I-X inside.
    let mut gold_at: std::collections::HashMap<usize, Label> = std::collections::HashMap::new();
    for e in &doc.entities {
        let (from, to) = (bytes_of(&chars, e.start), bytes_of(&chars, e.end));
        let Some(kind) = Kind::parse(&e.label) else { continue };
        let (begin, inside) = (Label::Begin(kind), Label::Inside(kind));
        let entity = &text[from..to];
        let starts = entity
            .match_indices(|c: char| !c.is_whitespace())
            .filter(|&(off, _)| off == 0 || entity[..off].ends_with(' '));
        for (k, (off, _)) in starts.enumerate() {
            gold_at.insert(from + off, if k == 0 { begin } else { inside });
        }
    }
    let mut out = Vec::new();
    for (cs, ce) in spans {
        let (s, e) = (bytes_of(&chars, cs), bytes_of(&chars, ce));
        let Some(sentence) = text.get(s..e) else { continue };
        let mut ranges = Vec::new();
        let mut at = 0;
        for piece in sentence.split(' ') {
            if !piece.is_empty() {
                ranges.push((at, at + piece.len()));
            }
            at += piece.len() + 1;
        }
        let found = extractor.find_listed(sentence);
        let gaz = crate::Extractor::gazetteer_labels(&found, &ranges);
        let tokens: Vec<Token<'a>> = ranges
            .iter()
            .zip(gaz)
            .map(|(&(a, b), g)| Token { text: &text[s + a..s + b], gazetteer: g })
            .collect();
        let labels: Vec<Label> = ranges
            .iter()
            .map(|&(a, _)| gold_at.get(&(s + a)).copied().unwrap_or(Label::Outside))
            .collect();
        if !tokens.is_empty() {
            out.push((tokens, labels));
        }
    }
    out
}

/// The `CoNLL` label of an entente type (`../shared/eval/README.md`): PERSON → PER, ORG → ORG,
/// GPE and LOC → LOC, NORP, EVENT and LAW → MISC; values (MONEY, DATE, ...) are not scored.
pub fn conll_label(t: EntityType) -> Option<&'static str> {
    match t {
        EntityType::Person => Some("PER"),
        EntityType::Org => Some("ORG"),
        EntityType::Gpe | EntityType::Loc => Some("LOC"),
        EntityType::Norp | EntityType::Event | EntityType::Law | EntityType::Misc => Some("MISC"),
        _ => None,
    }
}

/// True positives, predictions and gold mentions for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted mentions with the gold span and label.
    pub correct: usize,
    /// Predicted mentions.
    pub predicted: usize,
    /// Gold mentions.
    pub gold: usize,
}

impl Counts {
    /// Precision, recall and F1 (1 when there is nothing to find and nothing found).
    pub fn prf(&self) -> (f64, f64, f64) {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { to_f64(a) / to_f64(b) };
        let (p, r) = (ratio(self.correct, self.predicted), ratio(self.correct, self.gold));
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        (p, r, f)
    }

    fn add(&mut self, other: Counts) {
        self.correct += other.correct;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn to_f64(n: usize) -> f64 {
    n as f64
}

/// Scores one record: `predicted` and `gold` are (start, end, label). Returns counts per
/// label; the key `""` holds the micro total.
pub fn score(
    predicted: &[(u32, u32, &str)],
    gold: &[(u32, u32, &str)],
) -> BTreeMap<String, Counts> {
    let p: BTreeSet<(u32, u32, &str)> = predicted.iter().copied().collect();
    let g: BTreeSet<(u32, u32, &str)> = gold.iter().copied().collect();
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for &(_, _, label) in p.iter().chain(&g) {
        out.entry(label.to_owned()).or_default();
    }
    for (label, counts) in &mut out {
        counts.predicted = p.iter().filter(|m| m.2 == label).count();
        counts.gold = g.iter().filter(|m| m.2 == label).count();
        counts.correct = p.iter().filter(|m| m.2 == label && g.contains(m)).count();
    }
    let mut total = Counts::default();
    for c in out.values() {
        total.add(*c);
    }
    out.insert(String::new(), total);
    out
}

/// Sums per-record counts.
pub fn sum(records: &[BTreeMap<String, Counts>]) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for r in records {
        for (label, c) in r {
            out.entry(label.clone()).or_default().add(*c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn gold_sentences_become_lines() {
        let doc: super::GoldDoc = serde_json::from_str(
            r#"{"doc_id":"d","text":"EU rejects call . Peter Blackburn","entities":[],"sentence_spans":[[0,17],[18,33]]}"#,
        )
        .unwrap();
        assert_eq!(doc.lines(), "EU rejects call .\nPeter Blackburn");
    }

    #[test]
    fn exact_span_and_label_count() {
        let s = score(
            &[(0, 5, "PER"), (10, 15, "LOC"), (20, 22, "ORG")],
            &[(0, 5, "PER"), (10, 15, "ORG")],
        );
        let total = s[""];
        assert_eq!((total.correct, total.predicted, total.gold), (1, 3, 2));
        assert_eq!(s["ORG"].gold, 1);
        assert_eq!(s["ORG"].correct, 0);
    }
}
