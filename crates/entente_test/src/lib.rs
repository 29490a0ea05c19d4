//! Test helpers for entente: tables rendered as aligned text for insta snapshots, and small
//! fixtures.
//!
//! ```
//! use entente_test::render;
//! #[derive(serde::Serialize)]
//! struct Row { a: u32, b: Option<String> }
//! let text = render(&[Row { a: 1, b: None }, Row { a: 22, b: Some("x\ny".into()) }], &[]);
//! assert_eq!(text, "a  | b\n---+----\n1  | ·\n22 | x⏎y\n");
//! ```
#![warn(missing_docs)]

pub use crate::fixtures::{document, mention, messy_text};

pub mod hostile;

mod fixtures;

use serde::Serialize;
use serde_json::Value;

/// Every file below `dir` (its path relative to `dir`, `/`-separated) with its bytes, for
/// comparing two output directories byte for byte. Panics when `dir` cannot be read.
pub fn files_below(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(rel) = path.strip_prefix(root) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("a readable file"));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Cells longer than this many characters are cut, with `…` and the full length.
pub const MAX_CELL: usize = 60;

/// A short article used across the crates' tests: two paragraphs, an abbreviation, a
/// decimal, accents, a curly apostrophe, money, a percentage and a date.
pub const ARTICLE: &str = "Xi and Putin meet in Moscow\n\nChinese President Xi Jinping met Russian President Vladimir Putin in Moscow on May 16, 2024. The U.S. State Department said trade hit $240 billion, up 2.5% on 2023.\n\nThe Shanghai Cooperation Organisation (SCO) welcomed the talks; Peskov called them “très productive”. Russia’s ties with North Korea were not discussed.";

/// Renders `rows` as a text table: one line per row, `|` between columns, `·` for null, line
/// breaks as `⏎`, floats to six decimals. `columns` picks and orders columns (all, in
/// alphabetical order, when empty). Rows keep their order: sort them by key first.
pub fn render<T: Serialize>(rows: &[T], columns: &[&str]) -> String {
    let values: Vec<serde_json::Map<String, Value>> = rows
        .iter()
        .filter_map(|r| match serde_json::to_value(r) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        })
        .collect();
    let names: Vec<String> = if columns.is_empty() {
        values.first().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    } else {
        columns.iter().map(|&c| c.to_owned()).collect()
    };
    let mut grid: Vec<Vec<String>> = vec![names.clone()];
    for row in &values {
        grid.push(names.iter().map(|n| cell(row.get(n).unwrap_or(&Value::Null))).collect());
    }
    let widths: Vec<usize> = (0..names.len())
        .map(|i| grid.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (line_no, row) in grid.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        out.push_str(cells.join(" | ").trim_end());
        out.push('\n');
        if line_no == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            out.push_str(&rule.join("-+-"));
            out.push('\n');
        }
    }
    out
}

/// Renders rows of an entente table with the columns in contract order, leaving out
/// `skip` (e.g. long text columns shown elsewhere).
pub fn render_table<T: entente_schema::Table>(rows: &[T], skip: &[&str]) -> String {
    let columns: Vec<&str> =
        T::COLUMNS.iter().map(|c| c.name).filter(|n| !skip.contains(n)).collect();
    render(rows, &columns)
}

fn cell(v: &Value) -> String {
    let text = match v {
        Value::Null => "·".to_owned(),
        Value::String(s) => s.replace('\n', "⏎"),
        Value::Number(n) if n.is_f64() => format!("{:.6}", n.as_f64().unwrap_or_default()),
        other => other.to_string(),
    };
    let len = text.chars().count();
    if len > MAX_CELL {
        let head: String = text.chars().take(MAX_CELL - 8).collect();
        format!("{head}…({len})")
    } else {
        text
    }
}

/// Runs `pass` `passes` times and returns the shortest time in seconds with the last
/// pass's result: a benchmark's best of several passes over the same input.
pub fn best_of<T>(passes: usize, mut pass: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut result = None;
    for _ in 0..passes.max(1) {
        let started = std::time::Instant::now();
        result = Some(pass());
        best = best.min(started.elapsed().as_secs_f64());
    }
    (best, result.unwrap_or_else(pass))
}

/// The `text` of every record of the JSONL file named by a benchmark's first non-flag
/// argument (`cargo bench ... -- ARTICLES.jsonl`), as documents ready for normalise; exits
/// with a message when the argument is missing or the file unreadable.
#[allow(clippy::print_stderr, reason = "benchmarks report on the terminal")]
pub fn bench_documents(bench: &str) -> Vec<entente_schema::Document> {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("usage: {bench} ARTICLES.jsonl");
        std::process::exit(2);
    };
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(1);
    });
    data.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(Value::as_str).map(str::to_owned))
        .enumerate()
        .map(|(i, raw)| document(&i.to_string(), &raw))
        .collect()
}
