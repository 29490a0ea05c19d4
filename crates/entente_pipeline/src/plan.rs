//! Cutting the input into batches: whole small files grouped by their names and sizes, and
//! big multi-record files a chunk of records per batch.

use std::sync::Arc;

use entente_ingest::{FilePlan, IngestConfig};
use rayon::prelude::*;

use crate::inputs::InputFile;

/// One batch of input: its documents are in memory together and become one part file of
/// each per-document table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchInput {
    /// Whole files, read and parsed one by one.
    Files(Vec<InputFile>),
    /// One chunk of records of a big file ([`entente_ingest::scan`]).
    Chunk {
        /// The file.
        file: InputFile,
        /// How it was cut.
        plan: Arc<FilePlan>,
        /// Which of its chunks.
        chunk: usize,
    },
}

impl BatchInput {
    /// Input bytes: the files' sizes, or the chunk's decompressed length.
    pub fn bytes(&self) -> u64 {
        match self {
            Self::Files(files) => files.iter().map(|f| f.size).sum(),
            Self::Chunk { plan, chunk, .. } => plan.chunks.get(*chunk).map_or(0, |c| c.len),
        }
    }
}

/// How each file is cut ([`entente_ingest::scan`], in parallel): multi-record files that are
/// compressed or larger than `batch_bytes` are streamed once to find their chunks of about
/// `batch_bytes`; `None` for a file read whole. A file that cannot be opened is read whole
/// (and rejected then, naming the problem).
pub fn scan_inputs(
    files: &[InputFile],
    config: &IngestConfig,
    batch_bytes: u64,
) -> Vec<Option<Arc<FilePlan>>> {
    files
        .par_iter()
        .map(|file| {
            if file.problem.is_some() || !(file.size > batch_bytes || compressed(&file.source)) {
                return None;
            }
            let opened = std::fs::File::open(&file.path).ok()?;
            let plan = entente_ingest::scan(&file.source, opened, config, batch_bytes).ok()??;
            Some(Arc::new(plan))
        })
        .collect()
}

/// Whether a file name ends in a compression extension.
fn compressed(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    [".gz", ".gzip", ".zst", ".zstd", ".bz2"].iter().any(|e| lower.ends_with(e))
}

/// The batches of the input, in order: runs of whole files cut by [`plan_batches`], and one
/// batch per chunk of each file that has a plan (`plans[i]` is `files[i]`'s).
pub fn plan_inputs(
    files: Vec<InputFile>,
    plans: Vec<Option<Arc<FilePlan>>>,
    batch_bytes: u64,
) -> Vec<BatchInput> {
    let mut out = Vec::new();
    let mut whole = Vec::new();
    let flush = |whole: &mut Vec<InputFile>, out: &mut Vec<BatchInput>| {
        if !whole.is_empty() {
            let run = plan_batches(std::mem::take(whole), batch_bytes);
            out.extend(run.into_iter().map(BatchInput::Files));
        }
    };
    for (file, plan) in files.into_iter().zip(plans) {
        match plan {
            None => whole.push(file),
            Some(plan) => {
                flush(&mut whole, &mut out);
                for chunk in 0..plan.chunks.len() {
                    let (file, plan) = (file.clone(), plan.clone());
                    out.push(BatchInput::Chunk { file, plan, chunk });
                }
            }
        }
    }
    flush(&mut whole, &mut out);
    if out.is_empty() {
        out.push(BatchInput::Files(Vec::new()));
    }
    out
}

/// The input files (sorted by `source`, as [`crate::list_inputs`] gives them) cut into batches
/// of about `batch_bytes`. A file ends its batch with probability `size / batch_bytes`,
/// decided by a hash of its `source`, so which files share a batch does not depend on files
/// elsewhere in the list (content-defined chunking over files): adding or changing a file
/// changes its own batch and at most the next. A batch also ends at four times `batch_bytes`.
/// There is always at least one batch, so every table has a part.
pub fn plan_batches(files: Vec<InputFile>, batch_bytes: u64) -> Vec<Vec<InputFile>> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0u64;
    for file in files {
        bytes = bytes.saturating_add(file.size);
        let hash =
            u64::from_str_radix(&entente_schema::hash_hex(file.source.as_bytes()), 16).unwrap_or(0);
        // hash / 2^64 < size / batch_bytes, in integers.
        let ends = u128::from(hash) * u128::from(batch_bytes.max(1)) < u128::from(file.size) << 64;
        batch.push(file);
        if ends || bytes >= batch_bytes.saturating_mul(4) {
            out.push(std::mem::take(&mut batch));
            bytes = 0;
        }
    }
    if !batch.is_empty() || out.is_empty() {
        out.push(batch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plan_batches;
    use crate::inputs::InputFile;

    fn file(source: &str, size: u64) -> InputFile {
        InputFile { source: source.to_owned(), path: source.into(), size, problem: None }
    }

    fn sources(batches: &[Vec<InputFile>]) -> Vec<Vec<&str>> {
        batches.iter().map(|b| b.iter().map(|f| f.source.as_str()).collect()).collect()
    }

    fn corpus(n: usize) -> Vec<InputFile> {
        (0..n).map(|i| file(&format!("{i:04}.txt"), 1000 + (i as u64 * 37) % 5000)).collect()
    }

    #[test]
    fn no_files_is_one_empty_batch() {
        assert_eq!(sources(&plan_batches(Vec::new(), 100)), vec![Vec::<&str>::new()]);
    }

    #[test]
    fn every_file_once_in_order() {
        let files = corpus(500);
        let batches = plan_batches(files.clone(), 20_000);
        assert!(batches.len() > 10, "{} batches", batches.len());
        let flat: Vec<InputFile> = batches.into_iter().flatten().collect();
        assert_eq!(flat, files);
    }

    #[test]
    fn a_batch_ends_at_four_times_the_size() {
        for batch in plan_batches(corpus(500), 20_000) {
            let bytes: u64 = batch.iter().map(|f| f.size).sum();
            let last = batch.last().map_or(0, |f| f.size);
            assert!(bytes - last < 80_000, "{bytes} bytes in a batch");
        }
    }

    #[test]
    fn a_file_at_least_the_batch_size_ends_its_batch() {
        let files = vec![file("a", 10), file("b", 100), file("c", 10)];
        assert_eq!(sources(&plan_batches(files, 100)), vec![vec!["a", "b"], vec!["c"]]);
    }

    /// Adding a file changes the batch it joins and at most the next: the batches before it
    /// and (after the cut points realign) the ones after stay as they were, so an incremental
    /// run reuses them.
    #[test]
    fn adding_a_file_leaves_the_other_batches_alone() {
        let files = corpus(400);
        let before = plan_batches(files.clone(), 20_000);
        let mut more = files;
        more.insert(200, file("0199b.txt", 3000));
        let after = plan_batches(more, 20_000);
        let unchanged = after.iter().filter(|b| before.contains(b)).count();
        assert!(unchanged + 2 >= before.len(), "{unchanged} of {} batches kept", before.len());
    }

    #[test]
    fn same_files_same_batches() {
        assert_eq!(plan_batches(corpus(300), 5000), plan_batches(corpus(300), 5000));
    }
}
