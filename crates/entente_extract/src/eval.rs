//! Entity recognition scored against gold spans (`entente eval ner`): exact span and type,
//! micro-averaged, with entente's types mapped to the `CoNLL-2003` labels.

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
}

/// The `CoNLL` label of an entente type (`../shared/eval/README.md`): PERSON → PER, ORG → ORG,
/// GPE and LOC → LOC, NORP, EVENT and LAW → MISC; values (MONEY, DATE, ...) are not scored.
pub fn conll_label(t: EntityType) -> Option<&'static str> {
    match t {
        EntityType::Person => Some("PER"),
        EntityType::Org => Some("ORG"),
        EntityType::Gpe | EntityType::Loc => Some("LOC"),
        EntityType::Norp | EntityType::Event | EntityType::Law => Some("MISC"),
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
