//! A run split into steps for an engine that schedules them itself (Spark: a task per batch,
//! the corpus-wide decisions on the driver, a task per part to finish, one for the aggregate
//! stage). Every step's input and output is serialisable, and the steps together write the
//! very files [`crate::run()`] writes from scratch (`_state/` included, so a later `entente run`
//! into the same directory is incremental):
//!
//! ```no_run
//! use entente_pipeline::{Pipeline, stepwise::{Driver, Worker}};
//!
//! let driver = Driver::new(Pipeline::builtin())?;
//! let batches = driver.plan()?;
//! // On the workers (one Worker per process: it loads the tagger once).
//! let worker = Worker::new(driver.job())?;
//! let states: Vec<_> =
//!     batches.iter().enumerate().map(|(i, b)| worker.process(i, b)).collect::<Result<_, _>>()?;
//! let decisions = driver.decide(&states)?;
//! for (state, decision) in states.iter().zip(&decisions) {
//!     worker.finalise(state, decision)?;
//! }
//! worker.aggregate()?;
//! let parts: Vec<String> = states.iter().map(|s| s.part.clone()).collect();
//! let summary = driver.commit(&batches, &parts)?;
//! # Ok::<(), entente_pipeline::Error>(())
//! ```
//!
//! Unlike [`crate::run()`], a stepwise run does not reuse the last run's batches: every batch
//! is processed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use entente_aggregate::Corpus;
use entente_extract::{ChosenNames, Decisions, Names, Surnames};
use entente_ingest::FilePlan;
use entente_normalise::{Normaliser, Story};
use entente_parquet::{Codec, FileMetadata, Staging};
use entente_schema::{Document, Entity, NameCount, StoryKey, Table};
use serde::{Deserialize, Serialize};

use crate::batch::{Runner, Source, Tools};
use crate::config::{ExtractFiles, StageHashes};
use crate::error::{Error, Result, from_anyhow};
use crate::finalise::{rename_part, restory_part};
use crate::inputs::InputFile;
use crate::parts::write_rows;
use crate::plan::BatchInput;
use crate::run::{Ctx, Stage, Steps, read_corpus, thread_pool};
use crate::staged::Staged;
use crate::state::{self, STATE_DIR};
use crate::summary::RunSummary;
use crate::{Pipeline, list_inputs};

/// What every step needs to know: the pipeline and the staging directory the driver made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The pipeline, its paths as the driver resolved them.
    pub pipeline: Pipeline,
    /// The staging directory every step writes into.
    pub staging: PathBuf,
}

/// One batch, as [`Driver::plan`] cuts the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchSpec {
    /// Whole files.
    Files(Vec<InputFile>),
    /// One chunk of a big file: its plan holds that chunk alone.
    Chunk {
        /// The file.
        file: InputFile,
        /// How the file is read, with only this batch's chunk.
        plan: FilePlan,
    },
}

/// What a processed batch leaves for the decisions: its documents' story keys and its
/// entities' name counts, a few hundred bytes per document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchState {
    /// The batch's part name.
    pub part: String,
    /// Its documents' story keys (without stories yet).
    pub stories: Vec<StoryKey>,
    /// How often each entity id was given each name.
    pub names: Vec<NameCount>,
    /// The metadata of its final `documents` part.
    pub documents_meta: Option<FileMetadata>,
}

impl BatchState {
    /// Writes the state as JSON to `path`, atomically (a temporary file renamed).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_json(path, self)
    }

    /// Reads a state [`BatchState::write`] wrote.
    pub fn read(path: &Path) -> Result<Self> {
        read_json(path, "batch state")
    }
}

impl PartDecision {
    /// Writes the decision as JSON to `path`, atomically (a temporary file renamed).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_json(path, self)
    }

    /// Reads a decision [`PartDecision::write`] wrote.
    pub fn read(path: &Path) -> Result<Self> {
        read_json(path, "decision")
    }
}

/// Writes `value` as JSON to a temporary file beside `path`, then renames it to `path`, so a
/// reader sees the whole file or none, and two writers of the same value do not collide.
fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp =
        path.with_file_name(format!(".{file_name}.tmp-{}", entente_parquet::temporary_suffix()));
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        serde_json::to_writer(&mut out, value)?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Run(format!("cannot write {}: {e}", path.display()).into())
    })
}

/// An error of the stories' signatures file.
fn io_error(e: std::io::Error) -> Error {
    from_anyhow(anyhow::Error::new(e).context(crate::signatures::SPILL))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Run(format!("cannot read {}: {e}", path.display()).into()))?;
    serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| Error::Run(format!("{} is not a {what}: {e}", path.display()).into()))
}

/// The corpus-wide decisions for one part: its documents' stories and its entities' names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartDecision {
    /// The part's documents' story keys with their stories.
    pub stories: Vec<StoryKey>,
    /// The names and links chosen for the entity ids of the part.
    pub names: Decisions,
}

/// The driver's side of a stepwise run: it holds the output directory's lock and the staging
/// directory until [`Driver::commit`].
#[derive(Debug)]
pub struct Driver {
    staging: Staging,
    job: Job,
    hashes: StageHashes,
    started: Instant,
    /// The gazetteer's one-word person aliases, for the corpus-wide identity decisions.
    surnames: Surnames,
}

impl Driver {
    /// Locks the pipeline's output directory and makes the staging directory.
    pub fn new(pipeline: Pipeline) -> Result<Self> {
        let files = ExtractFiles::read(&pipeline)?;
        let hashes = pipeline.stage_hashes(&files);
        let staging = Staging::new(&pipeline.output).map_err(|e| Error::Run(Box::new(e)))?;
        let surnames = files.extractor(&pipeline)?.surnames();
        let job = Job { pipeline, staging: staging.root().to_path_buf() };
        Ok(Self { staging, job, hashes, started: Instant::now(), surnames })
    }

    /// What the workers need.
    pub fn job(&self) -> &Job {
        &self.job
    }

    /// The input's batches, as `entente run` cuts them (big files are scanned here).
    pub fn plan(&self) -> Result<Vec<BatchSpec>> {
        let pipeline = &self.job.pipeline;
        let files = list_inputs(&pipeline.inputs)?;
        let bytes = batch_bytes(pipeline);
        let plans = crate::plan::scan_inputs(&files, &pipeline.ingest, bytes);
        let batches = crate::plan::plan_inputs(files, plans, bytes);
        Ok(batches.into_iter().map(spec_of).collect())
    }

    /// Every document's story and every entity's name, from all batches' state (in batch
    /// order): one decision per batch.
    pub fn decide(&self, states: &[BatchState]) -> Result<Vec<PartDecision>> {
        let mut decisions = Vec::with_capacity(states.len());
        self.decide_with(
            states.len(),
            |i| Ok(Cow::Borrowed(&states[i])),
            |_, d| {
                decisions.push(d);
                Ok(())
            },
        )?;
        Ok(decisions)
    }

    /// [`Driver::decide`] with the states in files ([`BatchState::write`]) and each decision
    /// written to the file of the same index ([`PartDecision::write`]). The states are read
    /// one at a time, twice, and never held together: the driver keeps only what the
    /// decisions need (per document its story key and its text's `MinHash` signature, per
    /// entity id its name counts).
    pub fn decide_files(&self, states: &[PathBuf], decisions: &[PathBuf]) -> Result<()> {
        if states.len() != decisions.len() {
            return Err(Error::Run(
                format!("{} states but {} decision files", states.len(), decisions.len()).into(),
            ));
        }
        self.decide_with(
            states.len(),
            |i| BatchState::read(&states[i]).map(Cow::Owned),
            |i, d| d.write(&decisions[i]),
        )
    }

    /// The decisions from `count` states that `state` gives by index (twice each), handed
    /// to `decided` in batch order.
    fn decide_with<'s>(
        &self,
        count: usize,
        state: impl Fn(usize) -> Result<Cow<'s, BatchState>>,
        mut decided: impl FnMut(usize, PartDecision) -> Result<()>,
    ) -> Result<()> {
        let normaliser = Normaliser::new(&self.job.pipeline.normalise)
            .map_err(|e| Error::Config(e.to_string()))?;
        // Every distinct text's signature: past the first few thousand, in a file.
        let (mut stories, signatures) =
            crate::signatures::spilled_stories(&normaliser, &Staged::new(&self.job.staging));
        let mut names = Names::default();
        let mut ranges = Vec::with_capacity(count);
        for i in 0..count {
            let state = state(i)?;
            let first = stories.len();
            stories.add_state(&state.stories).map_err(io_error)?;
            ranges.push(first..stories.len());
            names.add_counts(&state.names);
        }
        let assigned = stories.assign().map_err(io_error)?;
        let chosen = names.choose_with(&self.surnames);
        for (i, range) in ranges.into_iter().enumerate() {
            let state = state(i)?;
            let decision = PartDecision {
                stories: stories.state(range, &assigned).map_err(io_error)?,
                names: chosen.for_ids(state.names.iter().map(|n| n.entity_id.as_str())),
            };
            decided(i, decision)?;
        }
        if let Some(path) = signatures {
            drop(stories);
            let _ = std::fs::remove_file(path);
        }
        Ok(())
    }

    /// Writes the run state and puts the staged tables in place of the output directory, in
    /// one atomic exchange; returns what the output holds. `parts` are the batches' part
    /// names ([`BatchState::part`]), in batch order.
    pub fn commit(self, batches: &[BatchSpec], parts: &[String]) -> Result<RunSummary> {
        let inputs: Vec<BatchInput> = batches.iter().cloned().map(input_of).collect();
        let records = state::records(&inputs);
        let batches = parts
            .iter()
            .zip(records)
            .map(|(part, files)| state::BatchRecord { part: part.clone(), files })
            .collect();
        let state_dir = self.staging.root().join(STATE_DIR);
        state::Manifest::new(&self.job.pipeline.name, self.hashes.clone(), batches)
            .write(&state_dir)
            .map_err(from_anyhow)?;
        let out = self.job.pipeline.output.clone();
        self.staging.commit().map_err(|e| Error::Run(Box::new(e)))?;
        RunSummary::read(&out, self.started).map_err(from_anyhow)
    }
}

/// A worker: the stages loaded once (the tagger's model, the gazetteers) and a thread pool of
/// the pipeline's `threads`, for any number of batches of one job.
///
/// Every step may run more than once, at the same time too (a retried or speculative Spark
/// task): it writes the same bytes under the same names, each file at a temporary name of its
/// own first, and reads nothing another step removes.
pub struct Worker {
    job: Job,
    hashes: StageHashes,
    files: ExtractFiles,
    tools: Tools,
    pool: rayon::ThreadPool,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("job", &self.job).finish_non_exhaustive()
    }
}

impl Worker {
    /// Loads what the stages of `job` need.
    pub fn new(job: &Job) -> Result<Self> {
        let files = ExtractFiles::read(&job.pipeline)?;
        let hashes = job.pipeline.stage_hashes(&files);
        let pool = thread_pool(&job.pipeline)?;
        let ctx = ctx(&job.pipeline, &hashes, &files, &pool);
        let tools = Tools::new(&ctx, Stage::Ingest, Stage::Aggregate).map_err(from_anyhow)?;
        Ok(Self { job: job.clone(), hashes, files, tools, pool })
    }

    fn ctx(&self) -> Ctx<'_> {
        ctx(&self.job.pipeline, &self.hashes, &self.files, &self.pool)
    }

    /// The threads a step runs on.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Ingests, normalises and extracts batch `index` into its parts in the staging
    /// directory; returns its state for [`Driver::decide`].
    pub fn process(&self, index: usize, batch: &BatchSpec) -> Result<BatchState> {
        self.pool.install(|| self.process_in_pool(index, batch))
    }

    fn process_in_pool(&self, index: usize, batch: &BatchSpec) -> Result<BatchState> {
        let ctx = self.ctx();
        let staged = Staged::new(&self.job.staging);
        let mut runner = Runner::new(&ctx, &staged, &self.tools, Stage::Ingest, Stage::Aggregate);
        let source = match input_of(batch.clone()) {
            BatchInput::Files(files) => Source::Files(files),
            BatchInput::Chunk { file, plan, chunk } => Source::Chunk { file, plan, chunk },
        };
        let mut steps = Steps::default();
        let (done, write) = runner.batch(index, source, &mut steps).map_err(from_anyhow)?;
        let written = write().map_err(from_anyhow)?;
        let stories = runner
            .stories
            .as_ref()
            .map(|s| s.state(done.stories.clone(), &HashMap::new()))
            .transpose()
            .map_err(io_error)?
            .unwrap_or_default();
        // The batch's signatures are in its state now: their file goes (each batch has its
        // own, in the directory every worker shares).
        if let Some(path) = runner.signatures.take() {
            drop(runner);
            let _ = std::fs::remove_file(path);
        }
        Ok(BatchState {
            part: done.part,
            stories,
            names: written.names,
            documents_meta: done.documents_meta,
        })
    }

    /// Finishes the `documents` and `entities` parts of a processed batch with its decision,
    /// and writes its run state. The intermediate parts stay until the commit, for an attempt
    /// of this step running beside it.
    pub fn finalise(&self, state: &BatchState, decision: &PartDecision) -> Result<()> {
        self.pool.install(|| self.finalise_in_pool(state, decision))
    }

    fn finalise_in_pool(&self, state: &BatchState, decision: &PartDecision) -> Result<()> {
        let ctx = self.ctx();
        let staged = Staged::new(&self.job.staging);
        let by_doc: HashMap<&str, Story> = decision
            .stories
            .iter()
            .map(|k| {
                let story = Story {
                    story_id: k.story_id.clone(),
                    duplicate_of: k.duplicate_of.clone(),
                    duplicate_kind: k.duplicate_kind,
                    story_similarity: k.story_similarity,
                };
                (k.doc_id.as_str(), story)
            })
            .collect();
        let chosen = ChosenNames::from_decisions(&decision.names);
        let part = &state.part;
        let state_dir = staged.root().join(STATE_DIR);
        let run = || -> anyhow::Result<()> {
            let scratch = staged.scratch(Document::NAME);
            if let Some(meta) = &state.documents_meta {
                restory_part(&scratch, part, &staged, part, meta, |doc_id| by_doc.get(doc_id))?;
            }
            let meta = ctx.meta(Stage::Normalise);
            write_rows(&state_dir.join("stories"), part, &meta, Codec::Zstd, &decision.stories)?;
            let meta = ctx.meta(Stage::Extract);
            let scratch = staged.scratch(Entity::NAME);
            rename_part(&scratch, part, &staged, part, &meta, &chosen)?;
            write_rows(&state_dir.join("names"), part, &meta, Codec::Zstd, &state.names)
        };
        run().map_err(from_anyhow)
    }

    /// The aggregate stage over the finished parts.
    pub fn aggregate(&self) -> Result<()> {
        self.pool.install(|| self.aggregate_in_pool())
    }

    fn aggregate_in_pool(&self) -> Result<()> {
        let ctx = self.ctx();
        let staged = Staged::new(&self.job.staging);
        let mut corpus = Corpus::default();
        read_corpus(staged.root(), &mut corpus).map_err(from_anyhow)?;
        crate::aggregate::aggregate(&ctx, &staged, corpus).map_err(from_anyhow)?;
        Ok(())
    }
}

/// The context of a step of `pipeline`: a run from scratch, writing on its own thread.
fn ctx<'a>(
    pipeline: &'a Pipeline,
    hashes: &StageHashes,
    files: &ExtractFiles,
    pool: &'a rayon::ThreadPool,
) -> Ctx<'a> {
    Ctx {
        config: pipeline,
        out: &pipeline.output,
        hashes: hashes.clone(),
        files: files.clone(),
        progress: false,
        from_scratch: true,
        pool: Some(pool),
        cancel: crate::run::Cancel::default(),
    }
}

/// `batch_mb` in bytes (checked on loading: at least one byte, finite).
pub(crate) fn batch_bytes(pipeline: &Pipeline) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked")]
    let bytes = (pipeline.batch_mb * 1_048_576.0) as u64;
    bytes
}

fn spec_of(batch: BatchInput) -> BatchSpec {
    match batch {
        BatchInput::Files(files) => BatchSpec::Files(files),
        BatchInput::Chunk { file, plan, chunk } => {
            let mut plan = Arc::unwrap_or_clone(plan);
            plan.chunks = plan.chunks.get(chunk).cloned().into_iter().collect();
            BatchSpec::Chunk { file, plan }
        }
    }
}

fn input_of(batch: BatchSpec) -> BatchInput {
    match batch {
        BatchSpec::Files(files) => BatchInput::Files(files),
        BatchSpec::Chunk { file, plan } => {
            BatchInput::Chunk { file, plan: Arc::new(plan), chunk: 0 }
        }
    }
}
