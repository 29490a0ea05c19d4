//! The run: [`run`] with its [`RunOptions`], and the context every step shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use arrow::array::RecordBatch;
use entente_aggregate::{Corpus, DocumentKey};
use entente_parquet::{FileMetadata, Staging, read_columns, table_dir};
use entente_schema::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Reject,
    Sentence, Table, TextEdit,
};

use crate::Pipeline;
use crate::batch::{PerDocument, batches_phrase, per_document};
use crate::config::{ExtractFiles, StageHashes};
use crate::error::{Result, from_anyhow};
use crate::meta::KEY_STAGE_CONFIG;
use crate::staged::Staged;
use crate::state::{self, STATE_DIR};
use crate::summary::RunSummary;

pub use entente_schema::Stage;

/// A handle that stops a run from another thread: the run checks it between batches and
/// before its corpus-wide steps, and then fails with [`Error::Cancelled`](crate::Error),
/// leaving the last output as it was. Clones share one flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the run to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Error::Cancelled)` once cancelled, for the run's internals.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        if self.is_cancelled() { Err(crate::Error::Cancelled.into()) } else { Ok(()) }
    }
}

/// Two handles are equal when they share one flag.
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Cancel {}

/// How to run a [`Pipeline`]; `RunOptions::default()` is `entente run`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Run this stage alone, on the tables the earlier stages left in the output directory
    /// (`entente extract`, ...); `None` runs every stage.
    pub only: Option<Stage>,
    /// Ignore what the last run into the output directory left (`_state/`): every stage runs
    /// on every file. Otherwise a full run reuses the batches whose files and options did not
    /// change.
    pub from_scratch: bool,
    /// Show a progress bar on stderr (when it is a terminal).
    pub progress: bool,
    /// Stops the run when cancelled (Ctrl-C in the Python package).
    pub cancel: Cancel,
}

/// Runs `pipeline`: the stages `options` asks for, from its inputs into its output directory,
/// which is replaced atomically at the end (a failed run leaves the last output as it was).
/// Returns what the output holds. The thread pool is the pipeline's `threads` (one per core
/// when absent), made for this call; the tables do not depend on it.
pub fn run(pipeline: &Pipeline, options: &RunOptions) -> Result<RunSummary> {
    let pool = thread_pool(pipeline)?;
    pool.install(|| run_in_pool(pipeline, options, &pool)).map_err(from_anyhow)
}

/// The pipeline's thread pool: `threads` threads, or one per core.
pub(crate) fn thread_pool(pipeline: &Pipeline) -> Result<rayon::ThreadPool> {
    let threads = pipeline.threads.unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| crate::Error::Run(format!("cannot start {threads} threads: {e}").into()))
}

fn run_in_pool(
    config: &Pipeline,
    options: &RunOptions,
    pool: &rayon::ThreadPool,
) -> anyhow::Result<RunSummary> {
    let out = config.output.as_path();
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    let files = ExtractFiles::read(config).map_err(anyhow::Error::new)?;
    let hashes = config.stage_hashes(&files);
    let ctx = Ctx {
        config,
        out,
        hashes,
        files,
        progress: options.progress,
        from_scratch: options.from_scratch,
        pool: Some(pool),
        cancel: options.cancel.clone(),
    };
    let only = options.only;
    let started = Instant::now();
    tracing::info!(
        "pipeline {}: {} into {}",
        config.name,
        only.map_or("all stages", Stage::as_str),
        out.display()
    );
    let (from, to) = only.map_or((Stage::Ingest, Stage::Aggregate), |s| (s, s));
    let staging = Staging::new(out)?;
    let staged = Staged::new(staging.root());
    let mut steps = Steps::default();
    let mut aggregate_only = to == Stage::Aggregate && from == Stage::Aggregate;
    if from <= Stage::Extract {
        match per_document(&ctx, &staged, from, to, &mut steps)? {
            PerDocument::Changed => {}
            PerDocument::Unchanged(previous)
                if previous.config.aggregate == ctx.hashes.aggregate =>
            {
                tracing::info!(
                    "{} files unchanged ({}, same files and options as in the last run): \
                     nothing to do",
                    previous.batches.iter().map(|b| b.files.len()).sum::<usize>(),
                    batches_phrase(previous.batches.len())
                );
                steps.log();
                return RunSummary::read(out, started);
            }
            PerDocument::Unchanged(previous) => {
                tracing::info!(
                    "all {} batches unchanged; the aggregate options changed",
                    previous.batches.len()
                );
                aggregate_only = true;
            }
        }
    }
    if to == Stage::Aggregate {
        ctx.cancel.check()?;
        // The corpus is read from the finished tables, not gathered while the batches run:
        // their memory is free by now, and the tables have the final stories and names.
        let t = Instant::now();
        let mut corpus = Corpus::default();
        read_corpus(if aggregate_only { out } else { staging.root() }, &mut corpus)?;
        steps.add("read", t);
        let t = Instant::now();
        if crate::aggregate::aggregate(&ctx, &staged, corpus)? {
            staging.discard(CooccurrencePeriod::NAME);
            if out.join(CooccurrencePeriod::NAME).exists() {
                tracing::info!("removed {} (no periods configured)", CooccurrencePeriod::NAME);
            }
        }
        steps.add("aggregate", t);
    }
    ctx.cancel.check()?;
    let t = Instant::now();
    if only.is_some() {
        // The tables no longer match the state of the last full run.
        staging.discard(STATE_DIR);
    } else if aggregate_only {
        // Same batches, new aggregate options: only the manifest's hashes change.
        if let Some(mut manifest) = state::Manifest::load(out) {
            manifest.config = ctx.hashes.clone();
            let state_dir = staging.root().join(STATE_DIR);
            entente_parquet::link_tree(&out.join(STATE_DIR), &state_dir)?;
            manifest.write(&state_dir)?;
        }
    }
    discard_downstream(out, &staging, to);
    staging.commit()?;
    steps.add("commit", t);
    steps.log();
    RunSummary::read(out, started)
}

/// Everything a step needs besides its input tables.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a Pipeline,
    pub(crate) out: &'a Path,
    pub(crate) hashes: StageHashes,
    pub(crate) files: ExtractFiles,
    pub(crate) progress: bool,
    /// Ignore the last run's state (`run --from-scratch`).
    pub(crate) from_scratch: bool,
    /// The run's thread pool: threads of its own (a batch's writer) work in it too. `None`:
    /// a step of a distributed run, which writes on its own thread.
    pub(crate) pool: Option<&'a rayon::ThreadPool>,
    /// Checked between batches and before each corpus-wide step.
    pub(crate) cancel: Cancel,
}

impl Ctx<'_> {
    /// The metadata of a file made by the stages up to `stage`: their hashes, and
    /// `entente.config_hash` = the last one.
    pub(crate) fn meta(&self, stage: Stage) -> FileMetadata {
        let h = &self.hashes;
        let chain = [
            (Stage::Ingest, &h.ingest),
            (Stage::Normalise, &h.normalise),
            (Stage::Extract, &h.extract),
            (Stage::Aggregate, &h.aggregate),
        ];
        let made: Vec<(Stage, &String)> = chain.into_iter().filter(|(s, _)| *s <= stage).collect();
        let last = made.last().map_or_else(String::new, |(_, h)| (*h).clone());
        made.into_iter().fold(FileMetadata::new(last), |meta, (s, hash)| {
            meta.with(format!("{KEY_STAGE_CONFIG}{}", s.as_str()), hash.clone())
        })
    }
}

/// The tables of the per-document stages, in the order they are committed.
pub(crate) const PER_DOCUMENT: [&str; 6] =
    [Document::NAME, Sentence::NAME, TextEdit::NAME, Boilerplate::NAME, Entity::NAME, Reject::NAME];

/// The tables the aggregate stage writes.
const AGGREGATES: [&str; 3] = [Cooccurrence::NAME, CooccurrencePeriod::NAME, EntitySummary::NAME];

/// Folds the `documents` and `entities` tables of `out` into `corpus`, a batch at a time: the
/// texts and mentions are never all in memory, and the corpus is sized from the parts' row
/// counts first, so it never grows by copying.
pub(crate) fn read_corpus(out: &Path, corpus: &mut Corpus) -> anyhow::Result<()> {
    // The hint only where the table is missing, not for a part that cannot be read.
    let from = |name: &str| {
        if out.join(name).is_dir() {
            format!("cannot read table {name}")
        } else {
            format!("cannot read table {name} (run the earlier stages first, e.g. `entente run`)")
        }
    };
    let rows = |dir: &Path| -> anyhow::Result<usize> {
        let mut n = 0u64;
        for part in entente_parquet::parts(dir)? {
            n += entente_parquet::row_count(&part)?;
        }
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    };
    let documents = rows(&table_dir::<Document>(out)).with_context(|| from(Document::NAME))?;
    let mentions = rows(&table_dir::<Entity>(out)).with_context(|| from(Entity::NAME))?;
    corpus.reserve(documents, mentions);
    // Only the columns the corpus keeps are decoded: not the texts.
    read_ahead(
        |each| read_columns::<Document, DocumentKey, _>(out, DocumentKey::COLUMNS, each),
        |rows: Vec<DocumentKey>| {
            rows.iter().try_for_each(|d| corpus.add_document_key(d)).map_err(anyhow::Error::new)
        },
    )
    .with_context(|| from(Document::NAME))?;
    read_ahead(
        |each| {
            entente_parquet::read_column_batches::<Entity, anyhow::Error>(
                out,
                Corpus::MENTION_COLUMNS,
                |part, batch| each((part.to_owned(), batch)),
            )
        },
        |(part, batch): (PathBuf, RecordBatch)| {
            corpus.add_mentions(&batch).with_context(|| format!("reading {}", part.display()))
        },
    )
    .with_context(|| from(Entity::NAME))?;
    Ok(())
}

/// What `read` hands over (rows or record batches of a table), read on a thread of its own
/// while `each` takes the earlier ones, in order, when the pool has more than one thread. At
/// most [`READ_AHEAD`] wait, so memory does not grow with the table.
fn read_ahead<B: Send>(
    read: impl FnOnce(&mut dyn FnMut(B) -> anyhow::Result<()>) -> anyhow::Result<()> + Send,
    mut each: impl FnMut(B) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if rayon::current_num_threads() < 2 {
        return read(&mut each);
    }
    let (send, receive) = std::sync::mpsc::sync_channel::<B>(READ_AHEAD);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            read(&mut |b| {
                // Fails only when `each` failed and its error is the one returned.
                send.send(b).map_err(|_| anyhow::anyhow!("the reader stopped"))
            })
        });
        let taken = receive.iter().try_for_each(&mut each);
        drop(receive);
        let read = reader.join().map_err(|_| anyhow::anyhow!("the reading thread panicked"))?;
        taken.and(read)
    })
}

/// Record batches (about a thousand rows each) decoded ahead of the one being taken.
const READ_AHEAD: usize = 8;

/// After the stages up to `last` ran, the tables of later stages describe older input:
/// leave them out of the new output rather than leave an inconsistent directory.
fn discard_downstream(out: &Path, staging: &Staging, last: Stage) {
    let later: &[&str] = match last {
        Stage::Ingest => &[
            Sentence::NAME,
            TextEdit::NAME,
            Boilerplate::NAME,
            Entity::NAME,
            Cooccurrence::NAME,
            CooccurrencePeriod::NAME,
            EntitySummary::NAME,
        ],
        Stage::Normalise => {
            &[Entity::NAME, Cooccurrence::NAME, CooccurrencePeriod::NAME, EntitySummary::NAME]
        }
        Stage::Extract => &AGGREGATES,
        Stage::Aggregate => &[],
    };
    for name in later {
        staging.discard(name);
        if out.join(name).exists() {
            tracing::info!("removed {name} (its input changed; run the later stages again)");
        }
    }
}

/// Wall time per step of a run, summed over the batches (each step runs on all threads), for
/// the log's last line, which `just bench` reads. With more than one thread a batch is written
/// while the next is processed, so the steps add up to more than the run.
#[derive(Debug, Default)]
pub(crate) struct Steps(Vec<(&'static str, Duration)>);

impl Steps {
    /// Adds the time since `since` to `step`.
    pub(crate) fn add(&mut self, step: &'static str, since: Instant) {
        self.add_duration(step, since.elapsed());
    }

    /// Adds `elapsed` to `step`.
    pub(crate) fn add_duration(&mut self, step: &'static str, elapsed: Duration) {
        match self.0.iter_mut().find(|(name, _)| *name == step) {
            Some((_, total)) => *total += elapsed,
            None => self.0.push((step, elapsed)),
        }
    }

    pub(crate) fn log(&self) {
        let steps: Vec<String> =
            self.0.iter().map(|(name, d)| format!("{name} {:.2}s", d.as_secs_f64())).collect();
        tracing::info!("time per step: {}", steps.join(", "));
    }
}

/// What a scoped thread returned (its panic goes on).
pub(crate) fn join_thread<R>(thread: std::thread::ScopedJoinHandle<'_, R>) -> R {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use entente_aggregate::DocumentKey;
    use entente_parquet::{FileMetadata, read_columns, write_table};
    use entente_schema::Document;

    use super::read_ahead;

    /// Read ahead on a second thread, the rows come as read on one, in order; an error of the
    /// taker is the one returned, and stops the reading.
    #[test]
    fn reading_ahead_keeps_the_order_and_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let docs: Vec<Document> = (0..5000)
            .map(|i| entente_test::document(&format!("d{i}.txt"), &format!("Text {i}.")))
            .collect();
        write_table(&out, &docs, &FileMetadata::new("h")).unwrap();
        let read = |threads: usize, stop_at: Option<usize>| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut ids = Vec::new();
            let result = pool.install(|| {
                read_ahead(
                    |each| {
                        read_columns::<Document, DocumentKey, _>(&out, DocumentKey::COLUMNS, each)
                    },
                    |rows: Vec<DocumentKey>| {
                        ids.extend(rows.into_iter().map(|d| d.doc_id));
                        match stop_at {
                            Some(n) if ids.len() >= n => anyhow::bail!("enough at {}", ids.len()),
                            _ => Ok(()),
                        }
                    },
                )
            });
            (ids, result.map_err(|e| e.to_string()))
        };
        let (one, result) = read(1, None);
        assert_eq!(one, docs.iter().map(|d| d.doc_id.clone()).collect::<Vec<_>>());
        assert_eq!(result, Ok(()));
        assert_eq!(read(2, None), (one.clone(), Ok(())));
        let (some, result) = read(2, Some(2000));
        assert!(some.len() < one.len() && one.starts_with(&some), "{}", some.len());
        assert_eq!(result, Err(format!("enough at {}", some.len())));
    }
}
