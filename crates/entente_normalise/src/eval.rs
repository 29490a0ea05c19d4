//! Sentence segmentation scored against gold sentences (`entente eval sentences`).
//!
//! A record is a text and its gold sentences. It goes through the whole normalise stage, as
//! in `entente run`, and the predicted sentences are mapped back to the record's text through
//! `text_edits`. Two measures, both ignoring whitespace: **exact** (the record's sentence list
//! equals the gold list, each sentence compared with runs of whitespace read as one space) and
//! **boundaries** (sentence ends, counted as the number of non-whitespace characters before
//! them; the end of the text is not counted, so a record that should stay one sentence adds
//! nothing unless it is split).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::{Normaliser, text_to_raw};

/// One gold record: `{"id" | "doc_id" | "issue", "text", "sentences": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldRecord {
    /// The record's id (empty when the file gives none).
    #[serde(default, alias = "doc_id", alias = "issue")]
    pub id: String,
    /// The text to split.
    pub text: String,
    /// The gold sentences, in order.
    pub sentences: Vec<String>,
}

/// How one record came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordResult {
    /// The record's id.
    pub id: String,
    /// Whether the sentence lists match.
    pub exact: bool,
    /// Predicted boundaries that are gold boundaries.
    pub correct: usize,
    /// Predicted boundaries.
    pub predicted: usize,
    /// Gold boundaries.
    pub gold: usize,
    /// The predicted sentences, whitespace collapsed.
    pub sentences: Vec<String>,
}

/// Totals over records.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Records scored.
    pub records: usize,
    /// Records whose sentence lists match exactly.
    pub exact: usize,
    /// Boundary precision.
    pub precision: f64,
    /// Boundary recall.
    pub recall: f64,
    /// Boundary F1.
    pub f1: f64,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_space(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Splits `record.text` with `normaliser` and scores the result.
pub fn evaluate(normaliser: &Normaliser, record: &GoldRecord) -> RecordResult {
    let doc = entente_schema::Document::from_raw_text(&record.id, 0, &record.text);
    let (sentences, ends) = match normaliser.document(&doc) {
        Ok(out) => {
            let raw: Vec<char> = record.text.chars().collect();
            let mut seen = 0usize;
            let mut at = 0usize;
            let ends: Vec<usize> = out
                .sentences
                .iter()
                .map(|s| {
                    let (_, end) = text_to_raw(&out.text_edits, s.char_start, s.char_end);
                    let end = (end as usize).min(raw.len());
                    if end > at {
                        seen += raw[at..end].iter().filter(|c| !c.is_whitespace()).count();
                        at = end;
                    }
                    seen
                })
                .collect();
            (out.sentences.iter().map(|s| collapse(&s.text)).collect(), ends)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    let total = non_space(&record.text);
    let predicted: BTreeSet<usize> = ends.into_iter().filter(|&e| e > 0 && e < total).collect();
    let mut seen = 0;
    let gold: BTreeSet<usize> = record
        .sentences
        .iter()
        .map(|s| {
            seen += non_space(s);
            seen
        })
        .filter(|&e| e > 0 && e < total)
        .collect();
    let expected: Vec<String> = record.sentences.iter().map(|s| collapse(s)).collect();
    RecordResult {
        id: record.id.clone(),
        exact: sentences == expected,
        correct: predicted.intersection(&gold).count(),
        predicted: predicted.len(),
        gold: gold.len(),
        sentences,
    }
}

/// Micro-averaged boundary precision, recall and F1, and the exact count.
pub fn summarize(results: &[RecordResult]) -> Summary {
    let sum = |f: fn(&RecordResult) -> usize| results.iter().map(f).sum::<usize>();
    let (correct, predicted, gold) = (sum(|r| r.correct), sum(|r| r.predicted), sum(|r| r.gold));
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { to_f64(a) / to_f64(b) };
    let (precision, recall) = (ratio(correct, predicted), ratio(correct, gold));
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Summary { records: results.len(), exact: sum(|r| usize::from(r.exact)), precision, recall, f1 }
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn to_f64(n: usize) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::{GoldRecord, evaluate, summarize};
    use crate::{NormaliseConfig, Normaliser};

    #[test]
    fn boundaries_ignore_whitespace_and_count_misses() {
        let normaliser = Normaliser::new(&NormaliseConfig::default()).unwrap();
        let record = |text: &str, gold: &[&str]| GoldRecord {
            id: "r".into(),
            text: text.into(),
            sentences: gold.iter().map(|s| (*s).to_owned()).collect(),
        };
        let good = evaluate(
            &normaliser,
            &record("Hello  World. My name is Jonas.", &["Hello World.", "My name is Jonas."]),
        );
        assert!(good.exact);
        assert_eq!((good.correct, good.predicted, good.gold), (1, 1, 1));
        let missed = evaluate(
            &normaliser,
            &record("He left at 5 p.m. Then I slept.", &["He left at 5 p.m.", "Then I slept."]),
        );
        let s = summarize(&[good.clone(), missed.clone()]);
        assert_eq!(s.records, 2);
        assert!(missed.exact || (s.recall < 1.0), "{missed:?}");
    }
}
