//! Scoring main-text extraction the way the Zyte article-extraction benchmark does: precision
//! and recall of the extracted text's word 4-gram shingles (a multiset) against the expected
//! text's, per page; the benchmark's F1 is the harmonic mean of precision and recall averaged
//! over pages.

// Counts are far below 2^52, so converting them to f64 is exact.
#![allow(clippy::cast_precision_loss)]

use std::collections::HashMap;

/// Shingle length in tokens.
const SHINGLE: usize = 4;

/// How one extracted text compares with the expected one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Share of the extracted shingles that are expected.
    pub precision: f64,
    /// Share of the expected shingles that were extracted.
    pub recall: f64,
}

impl Score {
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> f64 {
        harmonic(self.precision, self.recall)
    }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

/// Word tokens: maximal runs of alphanumeric characters and `_` (Python's `\w+`), lower-cased.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Shingles with their counts; a text shorter than a shingle is one shingle of all its tokens.
fn shingles(text: &str) -> HashMap<String, usize> {
    let tokens = tokens(text);
    let mut out = HashMap::new();
    if tokens.is_empty() {
        return out;
    }
    let n = SHINGLE.min(tokens.len());
    for window in tokens.windows(n) {
        *out.entry(window.join(" ")).or_insert(0) += 1;
    }
    out
}

/// Scores `extracted` against `expected`. Empty against empty is perfect; anything against
/// empty has precision 0 unless it is empty too.
pub fn score(expected: &str, extracted: &str) -> Score {
    let want = shingles(expected);
    let got = shingles(extracted);
    let n_want: usize = want.values().sum();
    let n_got: usize = got.values().sum();
    let hits: usize = got.iter().map(|(s, &n)| n.min(want.get(s).copied().unwrap_or(0))).sum();
    let ratio = |hits: usize, n: usize, empty: f64| {
        if n == 0 { empty } else { hits as f64 / n as f64 }
    };
    let precision = ratio(hits, n_got, if n_want == 0 { 1.0 } else { 0.0 });
    let recall = ratio(hits, n_want, 1.0);
    Score { precision, recall }
}

/// Scores over many pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Pages scored.
    pub pages: usize,
    /// Mean precision over pages.
    pub precision: f64,
    /// Mean recall over pages.
    pub recall: f64,
    /// The benchmark's F1: harmonic mean of the mean precision and mean recall.
    pub f1: f64,
    /// Mean of the per-page F1 (stricter: one bad page counts fully).
    pub mean_page_f1: f64,
}

/// Averages page scores.
pub fn summarize(scores: &[Score]) -> Summary {
    let n = scores.len().max(1) as f64;
    let precision = scores.iter().map(|s| s.precision).sum::<f64>() / n;
    let recall = scores.iter().map(|s| s.recall).sum::<f64>() / n;
    let mean_page_f1 = scores.iter().map(Score::f1).sum::<f64>() / n;
    Summary {
        pages: scores.len(),
        precision,
        recall,
        f1: harmonic(precision, recall),
        mean_page_f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp, reason = "exact ratios of small counts")]
    fn shingle_scores() {
        let expected = "Xi met Putin in Beijing on Monday to talk trade.";
        let perfect = score(expected, "xi met putin in beijing, on Monday to talk trade");
        assert_eq!((perfect.precision, perfect.recall), (1.0, 1.0));
        // Extra boilerplate costs precision only.
        let noisy =
            score(expected, &format!("{expected} Subscribe to our newsletter today please"));
        assert!(noisy.precision < 1.0 && noisy.recall == 1.0);
        // Half the text costs recall only.
        let half = score(expected, "Xi met Putin in Beijing");
        assert_eq!(half.precision, 1.0);
        assert!(half.recall < 0.5);
        assert_eq!(score("", "").f1(), 1.0);
        assert_eq!(score(expected, "").f1(), 0.0);
        let s = summarize(&[perfect, half]);
        assert_eq!(s.pages, 2);
        assert!(s.mean_page_f1 < s.f1);
    }
}
