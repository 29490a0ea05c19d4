//! What a run's output holds: [`RunSummary`], read back from the files it wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use entente_parquet::{read_metadata, read_table, row_count, table_dir};
use entente_schema::{Document, Reject};

use crate::meta::{KEY_NOT_EXTRACTED, KEY_SKIPPED};

/// What an output directory holds after a run: its tables with their row counts (from the
/// files' footers), the rejects by stage and reason, and the records not read or not
/// extracted.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The output directory.
    pub output: PathBuf,
    /// How long the run took.
    pub elapsed: Duration,
    /// The process's peak resident memory so far, in MiB (Linux only).
    pub peak_memory_mib: Option<u64>,
    /// Every table present, in the contract's order.
    pub tables: Vec<TableSummary>,
    /// Rejected records, one entry per stage and reason, in that order.
    pub rejects: Vec<RejectSummary>,
    /// Input records deliberately not read as documents (WARC requests, non-HTML responses,
    /// ...), by kind.
    pub skipped: BTreeMap<String, u64>,
    /// Documents the extract stage skipped for their language, by language code.
    pub not_extracted: BTreeMap<String, u64>,
}

/// One table of a [`RunSummary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    /// The table's name (its directory).
    pub name: &'static str,
    /// Its directory.
    pub path: PathBuf,
    /// Rows over all its parts.
    pub rows: u64,
    /// Its part files.
    pub parts: usize,
}

/// The rejects of one stage and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectSummary {
    /// The stage that rejected them.
    pub stage: entente_schema::Stage,
    /// Why (`RejectReason::as_str`).
    pub reason: &'static str,
    /// How many.
    pub count: usize,
    /// The first of them (by stage, source and record).
    pub example: Reject,
}

impl RunSummary {
    /// All rejected records.
    pub fn rejected(&self) -> usize {
        self.rejects.iter().map(|r| r.count).sum()
    }

    /// The row count of table `name`, if it is present.
    pub fn rows(&self, name: &str) -> Option<u64> {
        self.tables.iter().find(|t| t.name == name).map(|t| t.rows)
    }

    /// Reads what `out` holds; `started` is when the run began.
    pub(crate) fn read(out: &Path, started: Instant) -> anyhow::Result<Self> {
        let mut tables = Vec::new();
        for name in entente_schema::TABLE_NAMES {
            let path = out.join(name);
            if path.is_dir() {
                let rows = row_count(&path)?;
                let parts = entente_parquet::parts(&path)?.len();
                tables.push(TableSummary { name, path, rows, parts });
            }
        }
        let all = if table_dir::<Reject>(out).is_dir() {
            read_table::<Reject>(out).context("cannot read table rejects")?
        } else {
            Vec::new()
        };
        let mut by_reason: BTreeMap<(&str, &'static str), (usize, &Reject)> = BTreeMap::new();
        for r in &all {
            by_reason.entry((r.stage.as_str(), r.reason.as_str())).or_insert((0, r)).0 += 1;
        }
        let rejects = by_reason
            .into_iter()
            .map(|((_, reason), (count, first))| RejectSummary {
                stage: first.stage,
                reason,
                count,
                example: first.clone(),
            })
            .collect();
        let documents = table_dir::<Document>(out).is_dir();
        let counts = |key| if documents { read_counts(out, key) } else { Ok(BTreeMap::new()) };
        Ok(Self {
            output: out.to_path_buf(),
            elapsed: started.elapsed(),
            peak_memory_mib: peak_memory_mib(),
            tables,
            rejects,
            skipped: counts(KEY_SKIPPED)?,
            not_extracted: counts(KEY_NOT_EXTRACTED)?,
        })
    }
}

/// A JSON object of counts in the metadata of the `documents` parts in `out`, added up (empty
/// if the key is absent).
fn read_counts(out: &Path, key: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut total = BTreeMap::new();
    for path in entente_parquet::parts(&table_dir::<Document>(out))? {
        let meta = read_metadata(&path)
            .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
        if let Some(json) = meta.get(key) {
            let counts: BTreeMap<String, u64> = serde_json::from_str(json)
                .with_context(|| format!("bad {key} metadata in {}", path.display()))?;
            for (k, n) in counts {
                *total.entry(k).or_default() += n;
            }
        }
    }
    Ok(total)
}

/// The process's peak resident memory so far (Linux: `VmHWM`), in MiB.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.div_ceil(1024))
}
