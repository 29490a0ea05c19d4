//! The entente run as a library. [`run()`] takes a [`Pipeline`] (its inputs, output and every
//! stage's options; [`Pipeline::builtin`] is the default) and [`RunOptions`], and returns a
//! [`RunSummary`] of the tables it wrote:
//!
//! 1. list the inputs ([`list_inputs`]) and cut them into batches ([`plan_inputs`]): small
//!    files grouped by their names and sizes ([`plan_batches`], a pure function), big JSON
//!    Lines, CSV, TSV and WARC files a chunk of records per batch ([`scan_inputs`]);
//! 2. compare them with the last run's state (`<output>/_state/`): unchanged batches keep
//!    their parts, batches whose extract options changed are extracted again;
//! 3. run ingest, normalise and extract on each other batch into one part file per table in
//!    a staging directory (with two or more threads, a batch is written while the next is
//!    processed);
//! 4. decide what depends on the whole corpus, duplicate stories and entity names, from small
//!    per-batch state, and finish every part with it;
//! 5. count co-occurrences (the aggregate stage) and commit the staging directory in place of
//!    the last output, atomically.
//!
//! [`stepwise`] splits the same run into steps with serialisable inputs and outputs, for an
//! engine that schedules them itself. The library prints nothing: it logs through `tracing`
//! and shows a progress bar only when asked.
//! Bad input records are rows of `rejects`, never errors; an [`Error`] means the run did not
//! happen and the last output is as it was.

#![warn(missing_docs)]

pub use crate::config::{DEFAULT_PIPELINE, ExtractFiles, Pipeline, StageHashes};
pub use crate::error::{Error, Result, chain_message};
pub use crate::inputs::InputFile;
pub use crate::plan::{BatchInput, plan_batches, plan_inputs, scan_inputs};
pub use crate::process::{ArrowTable, RECORDS_SOURCE, process, read_tables, schemas, write_jsonl};
pub use crate::run::{Cancel, RunOptions, Stage, run};
pub use crate::summary::{RejectSummary, RunSummary, TableSummary};
pub use crate::validate::validate;
pub use entente_schema::Violation;

pub mod meta;
pub mod stepwise;

mod aggregate;
mod batch;
mod config;
mod error;
mod finalise;
mod inputs;
mod parts;
mod plan;
mod process;
mod reading;
mod run;
mod signatures;
mod staged;
mod state;
mod summary;
mod validate;

use std::path::PathBuf;

/// Every file under `roots`, sorted by `source`: a file root is one input, a directory is
/// searched recursively (hidden files and directories skipped, links followed). With one root
/// `source` is relative to it; with several it starts with the root's own name, or as much of
/// its path as tells it from the other roots (two `articles.jsonl`). An entry that
/// cannot be read is listed with its [`InputFile::problem`] (it becomes a reject); only a root
/// that does not exist is an error.
pub fn list_inputs(roots: &[PathBuf]) -> Result<Vec<InputFile>> {
    inputs::list(roots).map_err(error::from_anyhow)
}
