//! The per-document stages, batch by batch: ingest, normalise and extract each batch into
//! its parts in the staging directory, or reuse the last run's parts of an unchanged batch.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use entente_extract::Names;
use entente_ingest::{ChunkReader, FilePlan, Ingested};
use entente_normalise::{Normaliser, Stories};
use entente_parquet::{Codec, FileMetadata, part_name, read_metadata, table_dir};
use entente_schema::{Boilerplate, Document, Entity, Reject, Sentence, Table, TextEdit};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::inputs::{self, InputFile};
use crate::meta::{KEY_NOT_EXTRACTED, KEY_SKIPPED};
use crate::parts::{read_state, write_part, write_rows};
use crate::plan::{BatchInput, plan_inputs, scan_inputs};
use crate::reading::{ingest, ingest_chunk};
use crate::run::{Ctx, PER_DOCUMENT, Stage, Steps};
use crate::signatures::{signatures_error, spilled_stories};
use crate::staged::Staged;
use crate::state::{self, FileRecord};

/// One batch of documents on its way through the per-document stages.
#[derive(Default)]
pub(crate) struct Batch {
    documents: Vec<Document>,
    sentences: Vec<Sentence>,
    rejects: Vec<Reject>,
    skipped: BTreeMap<String, u64>,
}

/// A batch of ingested documents.
impl From<Ingested> for Batch {
    fn from(ingested: Ingested) -> Self {
        Self {
            documents: ingested.documents,
            sentences: Vec::new(),
            rejects: ingested.rejects,
            skipped: ingested.skipped,
        }
    }
}

/// Where a batch comes from.
pub(crate) enum Source {
    /// Input files to ingest.
    Files(Vec<InputFile>),
    /// A chunk of a big input file to ingest.
    Chunk { file: InputFile, plan: Arc<FilePlan>, chunk: usize },
    /// A part of the `documents` table of this output directory (a stage run alone).
    Part(String),
    /// A batch of the last run, unchanged: its parts are used as they are.
    Reuse(String),
    /// A batch of the last run whose extract options changed: its documents and sentences are
    /// read back and extraction runs again.
    Extract(String),
}

/// Totals over the batches, for the log.
#[derive(Default)]
struct Totals {
    files: usize,
    documents: usize,
    rejects: usize,
    sentences: u64,
    text_edits: u64,
    boilerplate: u64,
    mentions: u64,
    extracted_documents: usize,
    unchanged: usize,
    unchanged_documents: usize,
    reextracted: usize,
    skipped: BTreeMap<String, u64>,
    not_extracted: BTreeMap<String, u64>,
}

/// One table of a batch to write.
type Write<'a> = Box<dyn FnOnce() -> anyhow::Result<()> + Send + 'a>;

/// What the finishing pass needs to know of one batch.
pub(crate) struct Done {
    /// The part's name in this run.
    pub(crate) part: String,
    /// The part of the last run it reuses (documents and, unless re-extracted, entities).
    pub(crate) old: Option<String>,
    /// Whether its entities are new (in the scratch directory) rather than the last run's.
    pub(crate) new_entities: bool,
    /// The metadata of its final `documents` part, when the documents are new.
    pub(crate) documents_meta: Option<FileMetadata>,
    /// Its documents' numbers in the story keys.
    pub(crate) stories: std::ops::Range<usize>,
}

/// What a batch's [`WriteJob`] did besides writing its tables.
pub(crate) struct Written {
    /// The time it took to write them.
    pub(crate) writing: Duration,
    /// The time it took to count the names of the mentions it extracted (part of extraction,
    /// done beside the writing).
    pub(crate) counting: Option<Duration>,
    /// The names its mentions were given by extraction (a run writes them to its state as
    /// soon as the batch is written and keeps none).
    pub(crate) names: Vec<entente_schema::NameCount>,
}

/// What the batches left for the finishing pass.
pub(crate) struct Collected {
    /// Every document's story key (with normalise).
    pub(crate) stories: Option<Stories>,
    /// Every entity's name counts (with extract).
    pub(crate) names: Option<Names>,
    /// The gazetteer's one-word person aliases (with extract).
    pub(crate) surnames: entente_extract::Surnames,
    /// Each batch, in order.
    pub(crate) done: Vec<Done>,
    /// Each batch's input files as read (a full run), for the manifest.
    pub(crate) records: Vec<Vec<FileRecord>>,
    /// Where the batches' `documents` parts wait for their stories.
    pub(crate) scratch_docs: PathBuf,
    /// Where the batches' `entities` parts wait for their names.
    pub(crate) scratch_entities: PathBuf,
}

/// What the per-document stages found.
pub(crate) enum PerDocument {
    /// Tables were (re)written into the staging directory.
    Changed,
    /// A full run whose batches are all the last run's, unchanged: nothing was written.
    Unchanged(state::Manifest),
}

/// Where each batch of this run comes from, unless nothing changed since the last run.
enum Planned {
    /// One source per batch with its input bytes (`None`: a stage run alone, counted in
    /// parts), and (a full run) each batch's files as read.
    Sources(Vec<Source>, Option<Vec<u64>>, Vec<Vec<FileRecord>>),
    /// A full run whose batches are all the last run's, unchanged.
    Unchanged,
}

/// Lists the inputs and cuts them into batches, each processed, re-extracted or reused as
/// the last run's state allows (a stage run alone: one batch per part of its input table).
fn plan_sources(
    ctx: &Ctx<'_>,
    from: Stage,
    full: bool,
    previous: Option<&state::Manifest>,
) -> anyhow::Result<Planned> {
    let mut records = Vec::new();
    let mut sizes = None;
    let sources = if from == Stage::Ingest {
        let files = inputs::list(&ctx.config.inputs)?;
        let bytes = crate::stepwise::batch_bytes(ctx.config);
        let large: Vec<&InputFile> = files.iter().filter(|f| f.size > bytes).collect();
        if !large.is_empty() {
            let total: u64 = large.iter().map(|f| f.size).sum();
            tracing::info!(
                "{} files over batch_mb ({} MB): finding their records' boundaries",
                large.len(),
                total.div_ceil(1_000_000)
            );
        }
        let plans = scan_inputs(&files, &ctx.config.ingest, bytes);
        let batches = plan_inputs(files, plans, bytes);
        sizes = Some(batches.iter().map(BatchInput::bytes).collect());
        if full {
            records = state::records(&batches);
        }
        let plans = state::plan(ctx.out, previous, &ctx.hashes, &records, &PER_DOCUMENT);
        if previous.is_some_and(|p| state::all_reused(p, &plans)) {
            return Ok(Planned::Unchanged);
        }
        batches
            .into_iter()
            .enumerate()
            .map(|(i, batch)| match (plans.get(i), batch) {
                (Some(state::Plan::Reuse { old }), _) => Source::Reuse(old.clone()),
                (Some(state::Plan::Extract { old }), _) => Source::Extract(old.clone()),
                (_, BatchInput::Files(files)) => Source::Files(files),
                (_, BatchInput::Chunk { file, plan, chunk }) => Source::Chunk { file, plan, chunk },
            })
            .collect()
    } else {
        let dir = table_dir::<Document>(ctx.out);
        let parts = entente_parquet::parts(&dir).context(
            "cannot read table documents (run the earlier stages first, e.g. `entente run`)",
        )?;
        parts
            .iter()
            .filter_map(|p| p.strip_prefix(&dir).ok())
            .map(|p| Source::Part(p.to_string_lossy().into_owned()))
            .collect()
    };
    Ok(Planned::Sources(sources, sizes, records))
}

/// A progress bar on stderr when it is a terminal and `shown`, else a hidden one: over the
/// input's bytes, or over parts (a stage run alone).
fn progress(len: u64, bytes: bool, shown: bool) -> ProgressBar {
    if !shown || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = if bytes {
        "{spinner} {msg:<10} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {elapsed}, ~{eta} left"
    } else {
        "{spinner} {msg:<10} [{bar:30}] {pos}/{len} parts {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs the per-document stages `from..=to` (of ingest, normalise, extract) batch by batch:
/// each batch's documents are in memory together and become one part file of every table it
/// writes. Stories and entity names, which depend on all documents, are decided after the
/// last batch and written into the final `documents` and `entities` parts then. A full run
/// (`from` ingest to `to` aggregate) reuses the batches of the last run that did not change
/// (`state.rs`) and keeps the state for the next; returns whether anything changed.
pub(crate) fn per_document(
    ctx: &Ctx<'_>,
    staging: &Staged,
    from: Stage,
    to: Stage,
    steps: &mut Steps,
) -> anyhow::Result<PerDocument> {
    let full = from == Stage::Ingest && to == Stage::Aggregate;
    let tools = Tools::new(ctx, from, to)?;
    let mut runner = Runner::new(ctx, staging, &tools, from, to);
    let t = Instant::now();
    let previous = if full && !ctx.from_scratch { state::Manifest::load(ctx.out) } else { None };
    let (sources, sizes, records) = match plan_sources(ctx, from, full, previous.as_ref())? {
        Planned::Sources(sources, sizes, records) => (sources, sizes, records),
        Planned::Unchanged => {
            steps.add("plan", t);
            let previous = previous.unwrap_or_default();
            return Ok(PerDocument::Unchanged(previous));
        }
    };
    steps.add("plan", t);
    let mut done: Vec<Done> = Vec::with_capacity(sources.len());
    let started = Instant::now();
    let bar = match &sizes {
        Some(sizes) => progress(sizes.iter().sum(), true, ctx.progress),
        None => progress(sources.len() as u64, false, ctx.progress),
    };
    bar.set_message(from.as_str());
    // With more than one thread, a batch's tables are written while the next batch is
    // processed (one batch in writing at a time, so memory holds at most two). The writing
    // is a job of the pool, so a thread done with the batch helps with it rather than
    // waiting.
    let overlap = ctx.pool.is_some() && rayon::current_num_threads() > 1;
    let mut writing: Option<(String, WriteJob<'_>)> = None;
    let names_state = full
        .then(|| (staging.root().join(state::STATE_DIR).join("names"), ctx.meta(Stage::Extract)));
    for (i, source) in sources.into_iter().enumerate() {
        ctx.cancel.check()?;
        let mut written = None;
        let processed = rayon::in_place_scope(|jobs| {
            if let Some((part, write)) = writing.take() {
                jobs.spawn(|_| written = Some(write().map(|w| (part, w))));
            }
            runner.batch(i, source, steps)
        });
        if let Some(written) = written {
            let (part, written) = written?;
            batch_written(&part, &written, steps, runner.names.as_mut(), names_state.as_ref())?;
        }
        let (batch_done, write) = processed?;
        if overlap {
            writing = Some((batch_done.part.clone(), write));
        } else {
            let part = &batch_done.part;
            batch_written(part, &write()?, steps, runner.names.as_mut(), names_state.as_ref())?;
        }
        done.push(batch_done);
        bar.inc(sizes.as_ref().map_or(1, |s| s.get(i).copied().unwrap_or(0)));
    }
    if let Some((part, write)) = writing.take() {
        batch_written(&part, &write()?, steps, runner.names.as_mut(), names_state.as_ref())?;
    }
    bar.finish_and_clear();
    let Runner { totals, stories, names, scratch_docs, scratch_entities, .. } = runner;
    log_totals(from, to, &totals, started);
    if let Some(extractor) = tools.extractor.as_ref().filter(|_| totals.extracted_documents > 0) {
        for rule in extractor.unused_overrides() {
            tracing::warn!(
                "overrides: {rule} changed no mention of the {} documents extracted in this run",
                totals.extracted_documents
            );
        }
    }
    let surnames =
        tools.extractor.as_ref().map(entente_extract::Extractor::surnames).unwrap_or_default();
    ctx.cancel.check()?;
    let collected =
        Collected { stories, names, surnames, done, records, scratch_docs, scratch_entities };
    crate::finalise::finalise(ctx, staging, from, to, collected, previous.as_ref(), steps)?;
    Ok(PerDocument::Changed)
}

/// What is left of a batch once its tables are written: the step times, and its names
/// counted into the run's (`names`) and kept in the run state (`names_state`, the directory
/// and metadata of that table) rather than in memory: kept for every batch until the end,
/// the batches' name counts would grow with the corpus (a batch of news names tens of
/// thousands), and the finishing pass reads back the few it needs.
fn batch_written(
    part: &str,
    written: &Written,
    steps: &mut Steps,
    names: Option<&mut Names>,
    names_state: Option<&(PathBuf, FileMetadata)>,
) -> anyhow::Result<()> {
    steps.add_duration("write", written.writing);
    if let Some(counting) = written.counting {
        steps.add_duration("extract", counting);
    }
    if let Some(names) = names {
        names.add_counts(&written.names);
        if let Some((dir, meta)) = names_state {
            write_rows(dir, part, meta, Codec::Zstd, &written.names)?;
        }
    }
    Ok(())
}

/// Writes a batch's tables and counts its names: run at once, or as a job of the pool while
/// the next batch is processed.
pub(crate) type WriteJob<'r> = Box<dyn FnOnce() -> anyhow::Result<Written> + Send + 'r>;

/// What the per-document stages are made of, built once: the normaliser and the extractor
/// (the tagger's model and the gazetteers).
pub(crate) struct Tools {
    normaliser: Option<Normaliser>,
    extractor: Option<entente_extract::Extractor>,
}

impl Tools {
    /// What the stages `from..=to` need.
    pub(crate) fn new(ctx: &Ctx<'_>, from: Stage, to: Stage) -> anyhow::Result<Self> {
        let runs = |s: Stage| from <= s && s <= to;
        let normaliser = if runs(Stage::Normalise) {
            Some(
                Normaliser::new(&ctx.config.normalise)
                    .map_err(|e| crate::error::config(e.to_string()))?,
            )
        } else {
            None
        };
        let extractor =
            if runs(Stage::Extract) { Some(ctx.files.extractor(ctx.config)?) } else { None };
        Ok(Self { normaliser, extractor })
    }
}

/// The per-document stages over a sequence of batches, and what they collect on the way.
pub(crate) struct Runner<'r, 'a> {
    ctx: &'r Ctx<'a>,
    staging: &'r Staged,
    tools: &'r Tools,
    from: Stage,
    to: Stage,
    /// Every document's story key so far (with normalise).
    pub(crate) stories: Option<Stories>,
    /// The file `stories` keeps signatures in, if it could be made.
    pub(crate) signatures: Option<PathBuf>,
    /// Every entity's name counts so far (with extract).
    pub(crate) names: Option<Names>,
    totals: Totals,
    /// The file whose chunks are being read, open where the last chunk ended.
    cursor: Option<(String, ChunkReader<'static>)>,
    pub(crate) scratch_docs: PathBuf,
    pub(crate) scratch_entities: PathBuf,
}

impl<'r, 'a> Runner<'r, 'a> {
    /// A runner of the stages `from..=to` with `tools`.
    pub(crate) fn new(
        ctx: &'r Ctx<'a>,
        staging: &'r Staged,
        tools: &'r Tools,
        from: Stage,
        to: Stage,
    ) -> Self {
        let (stories, signatures) = match tools.normaliser.as_ref() {
            Some(normaliser) => {
                let (stories, file) = spilled_stories(normaliser, staging);
                (Some(stories), file)
            }
            None => (None, None),
        };
        Self {
            ctx,
            staging,
            tools,
            from,
            to,
            stories,
            signatures,
            names: (from <= Stage::Extract && Stage::Extract <= to).then(Names::default),
            totals: Totals::default(),
            cursor: None,
            scratch_docs: staging.scratch(Document::NAME),
            scratch_entities: staging.scratch(Entity::NAME),
        }
    }

    fn runs(&self, stage: Stage) -> bool {
        self.from <= stage && stage <= self.to
    }

    /// Runs the stages on batch `i` from `source`; returns what the finishing pass needs of it
    /// and the job that writes its tables.
    #[allow(clippy::too_many_lines, reason = "one batch through the stages, in order")]
    pub(crate) fn batch(
        &mut self,
        i: usize,
        source: Source,
        steps: &mut Steps,
    ) -> anyhow::Result<(Done, WriteJob<'r>)> {
        let (ctx, from, to) = (self.ctx, self.from, self.to);
        let (part, old) = match &source {
            Source::Files(_) | Source::Chunk { .. } => (part_name(i), None),
            Source::Part(name) => (name.clone(), None),
            Source::Reuse(old) | Source::Extract(old) => (part_name(i), Some(old.clone())),
        };
        let first_story = self.stories.as_ref().map_or(0, entente_normalise::Stories::len);
        let reuse_entities = matches!(source, Source::Reuse(_));
        let t = Instant::now();
        if let Some(old) = &old {
            // The last run's parts of this batch that stay as they are.
            let mut tables = vec![Sentence::NAME, TextEdit::NAME, Boilerplate::NAME];
            if reuse_entities {
                // Else extraction runs again and its rejects are made again.
                tables.push(Reject::NAME);
            }
            for table in tables {
                state::link(
                    &ctx.out.join(table).join(old),
                    &self.staging.root().join(table).join(&part),
                )?;
            }
        }
        let mut batch = match source {
            Source::Files(files) => {
                self.totals.files += files.len();
                ingest(&files, &ctx.config.ingest)
            }
            Source::Chunk { file, plan, chunk } => {
                let reading =
                    self.cursor.as_ref().is_some_and(|(source, _)| *source == file.source);
                self.totals.files += usize::from(!reading);
                ingest_chunk(&file, &plan, chunk, &mut self.cursor, &ctx.config.ingest)
            }
            Source::Part(_) => read_batch(ctx.out, &part, from)?,
            Source::Reuse(ref old) | Source::Extract(ref old) => {
                let keys = read_state::<entente_schema::StoryKey>(ctx.out, "stories", old)?;
                if let Some(stories) = self.stories.as_mut() {
                    stories.add_state(&keys).with_context(|| signatures_error(self.staging))?;
                }
                if reuse_entities {
                    self.totals.unchanged += 1;
                    self.totals.unchanged_documents += keys.len();
                } else {
                    self.totals.reextracted += 1;
                }
                if reuse_entities {
                    Batch::default()
                } else {
                    // Extraction runs again: documents and sentences.
                    read_batch(ctx.out, old, Stage::Extract)?
                }
            }
        };
        steps.add(if from == Stage::Ingest { "ingest" } else { "read" }, t);
        for (kind, n) in &batch.skipped {
            *self.totals.skipped.entry(kind.clone()).or_default() += n;
        }
        let mut documents_meta = None;
        let mut side_tables = None;
        if let (Some(normaliser), None) = (&self.tools.normaliser, &old) {
            let t = Instant::now();
            let result = normaliser.run_batch(&batch.documents);
            log_rejects(&result.rejects);
            batch.rejects.extend(result.rejects);
            batch.documents = result.documents;
            batch.sentences = result.sentences;
            self.totals.sentences += batch.sentences.len() as u64;
            self.totals.text_edits += result.text_edits.len() as u64;
            self.totals.boilerplate += result.boilerplate.len() as u64;
            if let Some(stories) = self.stories.as_mut() {
                stories.add(&batch.documents).with_context(|| signatures_error(self.staging))?;
            }
            steps.add("normalise", t);
            side_tables = Some((result.text_edits, result.boilerplate));
        }
        if old.is_none() && from <= Stage::Normalise {
            let not_extracted = entente_normalise::not_extractable(&batch.documents);
            for (language, n) in &not_extracted {
                *self.totals.not_extracted.entry(language.clone()).or_default() += n;
            }
            documents_meta = Some(documents_meta_of(
                ctx,
                to,
                &batch.skipped,
                self.runs(Stage::Normalise),
                &not_extracted,
            )?);
        }
        let mut extracted = None;
        let mut names_read = None;
        let new_entities = if let (Some(extractor), false) = (&self.tools.extractor, reuse_entities)
        {
            let t = Instant::now();
            let entente_extract::Extracted { entities, rejects } =
                entente_extract::extract_batch(&batch.documents, &batch.sentences, extractor);
            log_rejects(&rejects);
            batch.rejects.extend(rejects);
            self.totals.mentions += entities.len() as u64;
            self.totals.extracted_documents += batch.documents.len();
            steps.add("extract", t);
            extracted = Some(entities);
            true
        } else if let Some(old) = &old {
            let t = Instant::now();
            names_read = Some(read_state::<entente_schema::NameCount>(ctx.out, "names", old)?);
            steps.add("read", t);
            false
        } else {
            false
        };
        if old.is_none() {
            self.totals.documents += batch.documents.len();
        }
        // Rejects are written again when this run made some of them: all of the batch's when
        // it was ingested or normalised, else extraction's own (the others were read back).
        let new_rejects = old.is_none() && from <= Stage::Normalise;
        if new_rejects {
            self.totals.rejects += batch.rejects.len();
        } else if extracted.is_some() {
            let stage = entente_extract::STAGE;
            self.totals.rejects += batch.rejects.iter().filter(|r| r.stage == stage).count();
        }
        let write_documents = old.is_none() && from <= Stage::Normalise;
        let (scratch_docs, scratch_entities) =
            (self.scratch_docs.clone(), self.scratch_entities.clone());
        let normalise_meta = ctx.meta(Stage::Normalise);
        let documents_scratch_meta = ctx.meta(to.min(Stage::Normalise));
        let entities_meta = ctx.meta(Stage::Extract);
        let part_written = part.clone();
        let staging = self.staging;
        let write = move || -> anyhow::Result<Written> {
            let t = Instant::now();
            let (mut batch, part) = (batch, part_written);
            if new_rejects || extracted.is_some() {
                batch.rejects.sort_by(|a, b| {
                    (a.stage.as_str(), &a.source, a.source_record).cmp(&(
                        b.stage.as_str(),
                        &b.source,
                        b.source_record,
                    ))
                });
            }
            // The batch's tables are independent files: written in parallel.
            let mut writes: Vec<Write<'_>> = Vec::new();
            if let Some((text_edits, boilerplate)) = &side_tables {
                writes.push(Box::new(|| {
                    write_part(staging, &part, &normalise_meta, &batch.sentences)
                }));
                writes.push(Box::new(|| write_part(staging, &part, &normalise_meta, text_edits)));
                writes.push(Box::new(|| write_part(staging, &part, &normalise_meta, boilerplate)));
            }
            if extracted.is_some() {
                writes.push(Box::new(|| {
                    let (meta, entities) = (&entities_meta, extracted.iter().flatten());
                    let codec = Codec::ZstdBut { rewritten: crate::finalise::IDENTITY_DECIDED };
                    write_rows(&scratch_entities, &part, meta, codec, entities)
                }));
            }
            if write_documents {
                writes.push(Box::new(|| {
                    let (documents, meta) = (&batch.documents, &documents_scratch_meta);
                    let codec = Codec::ZstdBut { rewritten: crate::finalise::STORIES_DECIDED };
                    write_rows(&scratch_docs, &part, meta, codec, documents)
                }));
            }
            if new_rejects || extracted.is_some() {
                writes.push(Box::new(|| {
                    write_part(staging, &part, &documents_scratch_meta, &batch.rejects)
                }));
            }
            // The names its mentions were given, counted beside the writing.
            let count_names = || {
                let t = Instant::now();
                let mut names = Names::default();
                if let Some(entities) = &extracted {
                    names.add(entities);
                }
                if let Some(counts) = &names_read {
                    names.add_counts(counts);
                }
                (names.counts(), extracted.as_ref().map(|_| t.elapsed()))
            };
            let write_all = || (writes.into_par_iter().try_for_each(|write| write()), t.elapsed());
            let ((written, writing), (names, counting)) = rayon::join(write_all, count_names);
            written?;
            Ok(Written { writing, counting, names })
        };
        let last_story = self.stories.as_ref().map_or(0, entente_normalise::Stories::len);
        let done =
            Done { part, old, new_entities, documents_meta, stories: first_story..last_story };
        Ok((done, Box::new(write)))
    }
}

/// A batch read back from part `part` of the tables in `out`, for a stage that runs alone.
fn read_batch(out: &Path, part: &str, from: Stage) -> anyhow::Result<Batch> {
    let mut batch = Batch::default();
    let documents = table_dir::<Document>(out);
    // The batch's skipped-record counts stay with its documents part.
    let path = documents.join(part);
    if let Some(json) = read_metadata(&path).ok().and_then(|m| m.get(KEY_SKIPPED).cloned()) {
        batch.skipped = serde_json::from_str(&json)
            .with_context(|| format!("bad {KEY_SKIPPED} metadata in {}", path.display()))?;
    }
    entente_parquet::read_part(&documents, &documents.join(part), |rows: Vec<Document>| {
        batch.documents.extend(rows);
        Ok::<(), anyhow::Error>(())
    })
    .with_context(|| format!("cannot read table {}", Document::NAME))?;
    if matches!(from, Stage::Normalise | Stage::Extract) {
        // Keep the earlier stages' rejects of this part; this stage's and later ones' are
        // made again.
        let rejects = table_dir::<Reject>(out);
        let path = rejects.join(part);
        let earlier = |r: &Reject| {
            [Stage::Ingest, Stage::Normalise, Stage::Extract]
                .iter()
                .any(|s| *s < from && *s == r.stage)
        };
        if path.exists() {
            entente_parquet::read_part(&rejects, &path, |rows: Vec<Reject>| {
                batch.rejects.extend(rows.into_iter().filter(earlier));
                Ok::<(), anyhow::Error>(())
            })
            .with_context(|| format!("cannot read table {}", Reject::NAME))?;
        }
    }
    match from {
        Stage::Extract => {
            let sentences = table_dir::<Sentence>(out);
            entente_parquet::read_part(&sentences, &sentences.join(part), |rows: Vec<Sentence>| {
                batch.sentences.extend(rows);
                Ok::<(), anyhow::Error>(())
            })
            .with_context(|| {
                format!(
                    "cannot read table {} (run the earlier stages first, e.g. `entente run`)",
                    Sentence::NAME
                )
            })?;
        }
        Stage::Ingest | Stage::Normalise | Stage::Aggregate => {}
    }
    Ok(batch)
}

/// The metadata of a batch's `documents` part: its skipped-record counts and, once
/// normalised, its counts of documents extraction skips (`report` adds them up over parts).
fn documents_meta_of(
    ctx: &Ctx<'_>,
    to: Stage,
    skipped: &BTreeMap<String, u64>,
    normalised: bool,
    not_extracted: &BTreeMap<String, u64>,
) -> anyhow::Result<FileMetadata> {
    let counts = serde_json::to_string(skipped).context("cannot encode skipped counts")?;
    let mut meta = ctx.meta(to.min(Stage::Normalise)).with(KEY_SKIPPED, counts);
    if normalised {
        let counts = serde_json::to_string(not_extracted).context("cannot encode counts")?;
        meta = meta.with(KEY_NOT_EXTRACTED, counts);
    }
    Ok(meta)
}

fn log_totals(from: Stage, to: Stage, t: &Totals, started: Instant) {
    let elapsed = started.elapsed();
    if t.unchanged > 0 {
        tracing::info!(
            "{} documents unchanged ({}, same files and options as in the last run): their \
             parts are kept",
            t.unchanged_documents,
            batches_phrase(t.unchanged)
        );
    }
    if t.reextracted > 0 {
        tracing::info!(
            "{} with unchanged files: extraction runs again (its options changed)",
            batches_phrase(t.reextracted)
        );
    }
    if from == Stage::Ingest {
        let skipped: u64 = t.skipped.values().sum();
        tracing::info!(
            "read {} files: {} documents, {} rejected; {skipped} skipped",
            t.files,
            t.documents,
            t.rejects
        );
    }
    if from <= Stage::Normalise && to >= Stage::Normalise {
        tracing::info!(
            "normalise: {} documents, {} sentences, {} edits, {} boilerplate removals",
            t.documents,
            t.sentences,
            t.text_edits,
            t.boilerplate
        );
    }
    if to >= Stage::Extract {
        let skipped: u64 = t.not_extracted.values().sum();
        tracing::info!(
            "extract: {} mentions; {skipped} documents skipped for their language",
            t.mentions
        );
    }
    tracing::info!("{} to {}: {elapsed:.2?}", from.as_str(), to.min(Stage::Extract).as_str());
}

/// "1 batch", "4 batches".
pub(crate) fn batches_phrase(n: usize) -> String {
    if n == 1 { "1 batch".to_owned() } else { format!("{n} batches") }
}

/// Logs the first rejects one by one, then a count, so a big bad input does not flood stderr.
pub(crate) fn log_rejects(rejects: &[Reject]) {
    const SHOWN: usize = 20;
    for r in rejects.iter().take(SHOWN) {
        tracing::warn!(
            "rejected {} record {}: {} ({})",
            r.source,
            r.source_record,
            r.detail,
            r.reason.as_str()
        );
    }
    if rejects.len() > SHOWN {
        tracing::warn!("… and {} more rejects: see rejects.parquet", rejects.len() - SHOWN);
    }
}
