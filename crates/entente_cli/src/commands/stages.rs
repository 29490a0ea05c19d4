//! `entente run` and the single-stage commands: read the input tables, call the stage's pure
//! transform, write its tables.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use super::state::{self, STATE_DIR};
use crate::config::{ExtractFiles, StageHashes};
use anyhow::Context;
use entente_aggregate::{Corpus, Limits, Rows};
use entente_extract::Names;
use entente_ingest::Ingested;
use entente_normalise::Normaliser;
use entente_parquet::{
    Codec, FileMetadata, Staging, TableWriter, part_name, read_batches, read_metadata, read_table,
    row_count, table_dir,
};
use entente_schema::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Reject,
    RejectReason, Sentence, Table, TextEdit,
};
use rayon::prelude::*;

use crate::inputs::{self, InputFile};
use crate::{Outcome, PipelineConfig};

/// Metadata key of `cooccurrences` and `cooccurrences_by_period`: the `[aggregate]` options
/// they were counted with, as JSON (`entente validate` recounts with them).
pub(crate) const KEY_AGGREGATE: &str = "entente.aggregate.config";

/// Metadata key prefix: `entente.config.<stage>` is the hash of the options of that stage and
/// the ones before it; a file carries one per stage that made it.
pub(crate) const KEY_STAGE_CONFIG: &str = "entente.config.";

/// Metadata key of `documents`: input records deliberately not read as documents (WARC
/// requests, non-HTML responses, ...), as a JSON object of counts by kind.
pub(crate) const KEY_SKIPPED: &str = "entente.ingest.skipped";

/// Metadata key of `documents`: documents the extract stage skips for their language, as a
/// JSON object of counts by language code.
pub(crate) const KEY_NOT_EXTRACTED: &str = "entente.normalise.not_extracted";

/// A stage of the pipeline, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    Ingest,
    Normalise,
    Extract,
    Aggregate,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Self::Ingest => entente_ingest::STAGE,
            Self::Normalise => entente_normalise::STAGE,
            Self::Extract => "extract",
            Self::Aggregate => "aggregate",
        }
    }
}

/// Everything a stage needs besides its input tables.
struct StageCtx<'a> {
    config: &'a PipelineConfig,
    out: &'a Path,
    hashes: StageHashes,
    files: ExtractFiles,
    quiet: bool,
    /// Ignore the last run's state (`run --from-scratch`).
    from_scratch: bool,
}

impl StageCtx<'_> {
    /// The metadata of a file made by the stages up to `stage`: their hashes, and
    /// `entente.config_hash` = the last one.
    fn meta(&self, stage: Stage) -> FileMetadata {
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
            meta.with(format!("{KEY_STAGE_CONFIG}{}", s.name()), hash.clone())
        })
    }
}

/// The tables of the per-document stages, in the order they are committed.
const PER_DOCUMENT: [&str; 6] =
    [Document::NAME, Sentence::NAME, TextEdit::NAME, Boilerplate::NAME, Entity::NAME, Reject::NAME];

/// The tables the aggregate stage writes.
const AGGREGATES: [&str; 3] = [Cooccurrence::NAME, CooccurrencePeriod::NAME, EntitySummary::NAME];

/// Runs every stage (`only = None`) or one of them, reading earlier stages' tables from the
/// output directory. `from_scratch` ignores the state of the last run.
pub(crate) fn run(
    config: &PipelineConfig,
    only: Option<Stage>,
    strict: bool,
    quiet: bool,
    from_scratch: bool,
) -> anyhow::Result<Outcome> {
    if let Some(n) = config.threads.filter(|&n| n > 0) {
        // Fails only if a pool already exists (a second command in one process); the
        // tables do not depend on the thread count, so that is harmless.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    let out = config.output.as_path();
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    let files = ExtractFiles::read(config)?;
    let hashes = config.stage_hashes(&files);
    let ctx = StageCtx { config, out, hashes, files, quiet, from_scratch };
    let started = Instant::now();
    tracing::info!(
        "pipeline {}: {} into {}",
        config.name,
        only.map_or("all stages", Stage::name),
        out.display()
    );
    let (from, to) = only.map_or((Stage::Ingest, Stage::Aggregate), |s| (s, s));
    let staging = Staging::new(out)?;
    let mut corpus = Corpus::default();
    let mut steps = Steps::default();
    let mut aggregate_only = to == Stage::Aggregate && from == Stage::Aggregate;
    if from <= Stage::Extract {
        let corpus_ref = (to == Stage::Aggregate).then_some(&mut corpus);
        match per_document(&ctx, &staging, from, to, corpus_ref, &mut steps)? {
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
                return finish(out, started, strict);
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
    if aggregate_only {
        let t = Instant::now();
        read_corpus(out, &mut corpus)?;
        steps.add("read", t);
    }
    if to == Stage::Aggregate {
        let t = Instant::now();
        aggregate(&ctx, &staging, &corpus)?;
        steps.add("aggregate", t);
    }
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
    finish(out, started, strict)
}

/// Prints the tables and fails under `--strict` when records were rejected.
fn finish(out: &Path, started: Instant, strict: bool) -> anyhow::Result<Outcome> {
    let rejected = report(out, started)?;
    if strict && rejected > 0 {
        tracing::error!("--strict: {rejected} records were rejected (see rejects/)");
        return Ok(Outcome::Failure);
    }
    Ok(Outcome::Success)
}

/// What the per-document stages found.
enum PerDocument {
    /// Tables were (re)written into the staging directory.
    Changed,
    /// A full run whose batches are all the last run's, unchanged: nothing was written.
    Unchanged(state::Manifest),
}

/// Folds the `documents` and `entities` tables of `out` into `corpus`, a batch at a time: the
/// texts and mentions are never all in memory.
fn read_corpus(out: &Path, corpus: &mut Corpus) -> anyhow::Result<()> {
    let from = |name| {
        format!("cannot read table {name} (run the earlier stages first, e.g. `entente run`)")
    };
    read_batches(&table_dir::<Document>(out), |documents: Vec<Document>| {
        documents.iter().try_for_each(|d| corpus.add_document(d)).map_err(anyhow::Error::new)
    })
    .with_context(|| from(Document::NAME))?;
    read_batches(&table_dir::<Entity>(out), |entities: Vec<Entity>| {
        entities.iter().try_for_each(|e| corpus.add_mention(e)).map_err(anyhow::Error::new)
    })
    .with_context(|| from(Entity::NAME))?;
    Ok(())
}

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
struct Steps(Vec<(&'static str, Duration)>);

impl Steps {
    /// Adds the time since `since` to `step`.
    fn add(&mut self, step: &'static str, since: Instant) {
        self.add_duration(step, since.elapsed());
    }

    /// Adds `elapsed` to `step`.
    fn add_duration(&mut self, step: &'static str, elapsed: Duration) {
        match self.0.iter_mut().find(|(name, _)| *name == step) {
            Some((_, total)) => *total += elapsed,
            None => self.0.push((step, elapsed)),
        }
    }

    fn log(&self) {
        let steps: Vec<String> =
            self.0.iter().map(|(name, d)| format!("{name} {:.2}s", d.as_secs_f64())).collect();
        tracing::info!("time per step: {}", steps.join(", "));
    }
}

/// One batch of documents on its way through the per-document stages.
#[derive(Default)]
struct Batch {
    documents: Vec<Document>,
    sentences: Vec<Sentence>,
    rejects: Vec<Reject>,
    skipped: BTreeMap<String, u64>,
}

/// Where a batch comes from.
enum Source {
    /// Input files to ingest.
    Files(Vec<InputFile>),
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

/// What a scoped thread returned (its panic goes on).
fn join_thread<R>(thread: std::thread::ScopedJoinHandle<'_, R>) -> R {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What the finishing pass needs to know of one batch.
struct Done {
    /// The part's name in this run.
    part: String,
    /// The part of the last run it reuses (documents and, unless re-extracted, entities).
    old: Option<String>,
    /// Whether its entities are new (in the scratch directory) rather than the last run's.
    new_entities: bool,
    /// The metadata of its final `documents` part, when the documents are new.
    documents_meta: Option<FileMetadata>,
    /// Its documents' numbers in the story keys.
    stories: std::ops::Range<usize>,
    /// The names its mentions were given by extraction.
    names: Vec<entente_schema::NameCount>,
}

/// Runs the per-document stages `from..=to` (of ingest, normalise, extract) batch by batch:
/// each batch's documents are in memory together and become one part file of every table it
/// writes. Stories and entity names, which depend on all documents, are decided after the
/// last batch and written into the final `documents` and `entities` parts then. A full run
/// (`from` ingest to `to` aggregate) reuses the batches of the last run that did not change
/// (`state.rs`) and keeps the state for the next; returns whether anything changed.
#[allow(clippy::too_many_lines, reason = "one pass over the batches, in order")]
fn per_document(
    ctx: &StageCtx<'_>,
    staging: &Staging,
    from: Stage,
    to: Stage,
    mut corpus: Option<&mut Corpus>,
    steps: &mut Steps,
) -> anyhow::Result<PerDocument> {
    let runs = |s: Stage| from <= s && s <= to;
    let full = from == Stage::Ingest && to == Stage::Aggregate;
    let normaliser = if runs(Stage::Normalise) {
        Some(
            Normaliser::new(&ctx.config.normalise)
                .map_err(|e| anyhow::Error::new(crate::UsageError(e.to_string())))?,
        )
    } else {
        None
    };
    let extractor =
        if runs(Stage::Extract) { Some(ctx.files.extractor(ctx.config)?) } else { None };
    let mut stories = normaliser.as_ref().map(Normaliser::stories);
    let mut names = runs(Stage::Extract).then(Names::default);
    let t = Instant::now();
    let previous = if full && !ctx.from_scratch { state::Manifest::load(ctx.out) } else { None };
    let mut records = Vec::new();
    let sources: Vec<Source> = if from == Stage::Ingest {
        let files = inputs::list(&ctx.config.inputs)?;
        // Checked on loading: at least one byte, finite.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked")]
        let bytes = (ctx.config.batch_mb * 1_048_576.0) as u64;
        let batches = batches(files, bytes);
        if full {
            records = state::records(&batches);
        }
        let plans = state::plan(ctx.out, previous.as_ref(), &ctx.hashes, &records, &PER_DOCUMENT);
        if let Some(previous) = previous.as_ref().filter(|p| state::all_reused(p, &plans)) {
            steps.add("plan", t);
            return Ok(PerDocument::Unchanged(previous.clone()));
        }
        batches
            .into_iter()
            .enumerate()
            .map(|(i, files)| match plans.get(i) {
                Some(state::Plan::Reuse { old }) => Source::Reuse(old.clone()),
                Some(state::Plan::Extract { old }) => Source::Extract(old.clone()),
                _ => Source::Files(files),
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
    steps.add("plan", t);
    let scratch_docs = staging.scratch(Document::NAME);
    let scratch_entities = staging.scratch(Entity::NAME);
    let mut totals = Totals::default();
    let mut done: Vec<Done> = Vec::with_capacity(sources.len());
    let started = Instant::now();
    let bar = super::progress(sources.len() as u64, ctx.quiet);
    bar.set_message(from.name());
    // With more than one thread, a batch's tables are written while the next batch is
    // processed (one batch in writing at a time, so memory holds at most two).
    let overlap = rayon::current_num_threads() > 1;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut writing: Option<std::thread::ScopedJoinHandle<'_, anyhow::Result<Duration>>> = None;
        for (i, source) in sources.into_iter().enumerate() {
            let (part, old) = match &source {
                Source::Files(_) => (part_name(i), None),
                Source::Part(name) => (name.clone(), None),
                Source::Reuse(old) | Source::Extract(old) => (part_name(i), Some(old.clone())),
            };
            let first_story = stories.as_ref().map_or(0, entente_normalise::Stories::len);
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
                        &staging.root().join(table).join(&part),
                    )?;
                }
            }
            let mut batch = match source {
                Source::Files(files) => {
                    totals.files += files.len();
                    ingest(&files, &ctx.config.ingest)
                }
                Source::Part(_) => read_batch(ctx.out, &part, from)?,
                Source::Reuse(ref old) | Source::Extract(ref old) => {
                    let keys = read_state::<entente_schema::StoryKey>(ctx.out, "stories", old)?;
                    if let Some(stories) = stories.as_mut() {
                        stories.add_state(&keys);
                    }
                    if reuse_entities {
                        totals.unchanged += 1;
                        totals.unchanged_documents += keys.len();
                    } else {
                        totals.reextracted += 1;
                    }
                    if !reuse_entities {
                        // Extraction runs again: documents and sentences.
                        read_batch(ctx.out, old, Stage::Extract)?
                    } else if corpus.is_some() {
                        // Documents only, for the corpus.
                        read_batch(ctx.out, old, Stage::Aggregate)?
                    } else {
                        Batch::default()
                    }
                }
            };
            steps.add(if from == Stage::Ingest { "ingest" } else { "read" }, t);
            for (kind, n) in &batch.skipped {
                *totals.skipped.entry(kind.clone()).or_default() += n;
            }
            let mut documents_meta = None;
            let mut side_tables = None;
            if let (Some(normaliser), None) = (&normaliser, &old) {
                let t = Instant::now();
                let result = normaliser.run_batch(&batch.documents);
                log_rejects(&result.rejects);
                batch.rejects.extend(result.rejects);
                batch.documents = result.documents;
                batch.sentences = result.sentences;
                totals.sentences += batch.sentences.len() as u64;
                totals.text_edits += result.text_edits.len() as u64;
                totals.boilerplate += result.boilerplate.len() as u64;
                if let Some(stories) = stories.as_mut() {
                    stories.add(&batch.documents);
                }
                steps.add("normalise", t);
                side_tables = Some((result.text_edits, result.boilerplate));
            }
            if old.is_none() && from <= Stage::Normalise {
                let not_extracted = entente_normalise::not_extractable(&batch.documents);
                for (language, n) in &not_extracted {
                    *totals.not_extracted.entry(language.clone()).or_default() += n;
                }
                documents_meta = Some(documents_meta_of(
                    ctx,
                    to,
                    &batch.skipped,
                    runs(Stage::Normalise),
                    &not_extracted,
                )?);
            }
            if let Some(corpus) = corpus.as_deref_mut() {
                let t = Instant::now();
                batch.documents.iter().try_for_each(|d| corpus.add_document(d))?;
                steps.add("corpus", t);
            }
            let mut batch_names = Names::default();
            let mut extracted = None;
            let new_entities = if let (Some(extractor), false) = (&extractor, reuse_entities) {
                let t = Instant::now();
                let entente_extract::Extracted { entities, rejects } =
                    entente_extract::extract_batch(&batch.documents, &batch.sentences, extractor);
                log_rejects(&rejects);
                batch.rejects.extend(rejects);
                totals.mentions += entities.len() as u64;
                totals.extracted_documents += batch.documents.len();
                batch_names.add(&entities);
                steps.add("extract", t);
                if let Some(corpus) = corpus.as_deref_mut() {
                    let t = Instant::now();
                    entities.iter().try_for_each(|e| corpus.add_mention(e))?;
                    steps.add("corpus", t);
                }
                extracted = Some(entities);
                true
            } else if let Some(old) = &old {
                let t = Instant::now();
                batch_names
                    .add_counts(&read_state::<entente_schema::NameCount>(ctx.out, "names", old)?);
                if let Some(corpus) = corpus.as_deref_mut() {
                    let dir = table_dir::<Entity>(ctx.out);
                    entente_parquet::read_part(&dir, &dir.join(old), |rows: Vec<Entity>| {
                        rows.iter()
                            .try_for_each(|e| corpus.add_mention(e))
                            .map_err(anyhow::Error::new)
                    })
                    .with_context(|| format!("cannot read table {}", Entity::NAME))?;
                }
                steps.add("corpus", t);
                false
            } else {
                false
            };
            let batch_counts = batch_names.counts();
            if let Some(names) = names.as_mut() {
                names.add_counts(&batch_counts);
            }
            if old.is_none() {
                totals.documents += batch.documents.len();
            }
            // Rejects are written again when this run made some of them: all of the batch's when
            // it was ingested or normalised, else extraction's own (the others were read back).
            let new_rejects = old.is_none() && from <= Stage::Normalise;
            if new_rejects {
                totals.rejects += batch.rejects.len();
            } else if extracted.is_some() {
                let stage = entente_extract::STAGE;
                totals.rejects += batch.rejects.iter().filter(|r| r.stage == stage).count();
            }
            let write_documents = old.is_none() && from <= Stage::Normalise;
            let (scratch_docs, scratch_entities) = (&scratch_docs, &scratch_entities);
            let normalise_meta = ctx.meta(Stage::Normalise);
            let documents_scratch_meta = ctx.meta(to.min(Stage::Normalise));
            let entities_meta = ctx.meta(Stage::Extract);
            let part_written = part.clone();
            let write = move || -> anyhow::Result<Duration> {
                let t = Instant::now();
                let (mut batch, part) = (batch, part_written);
                if new_rejects || extracted.is_some() {
                    batch.rejects.sort_by(|a, b| {
                        (&a.stage, &a.source, a.source_record).cmp(&(
                            &b.stage,
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
                    writes
                        .push(Box::new(|| write_part(staging, &part, &normalise_meta, text_edits)));
                    writes.push(Box::new(|| {
                        write_part(staging, &part, &normalise_meta, boilerplate)
                    }));
                }
                if let Some(entities) = &extracted {
                    writes.push(Box::new(|| {
                        let meta = &entities_meta;
                        write_rows(scratch_entities, &part, meta, Codec::Uncompressed, entities)
                    }));
                }
                if write_documents {
                    writes.push(Box::new(|| {
                        let (documents, meta) = (&batch.documents, &documents_scratch_meta);
                        write_rows(scratch_docs, &part, meta, Codec::Uncompressed, documents)
                    }));
                }
                if new_rejects || extracted.is_some() {
                    writes.push(Box::new(|| {
                        write_part(staging, &part, &documents_scratch_meta, &batch.rejects)
                    }));
                }
                writes.into_par_iter().try_for_each(|write| write())?;
                Ok(t.elapsed())
            };
            if let Some(previous) = writing.take() {
                steps.add_duration("write", join_thread(previous)?);
            }
            if overlap {
                writing = Some(scope.spawn(write));
            } else {
                steps.add_duration("write", write()?);
            }
            let last_story = stories.as_ref().map_or(0, entente_normalise::Stories::len);
            done.push(Done {
                part,
                old,
                new_entities,
                documents_meta,
                stories: first_story..last_story,
                names: batch_counts,
            });
            bar.inc(1);
        }
        if let Some(previous) = writing.take() {
            steps.add_duration("write", join_thread(previous)?);
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    log_totals(from, to, &totals, started);
    if let Some(extractor) = extractor.as_ref().filter(|_| totals.extracted_documents > 0) {
        for rule in extractor.unused_overrides() {
            tracing::warn!(
                "overrides: {rule} changed no mention of the {} documents extracted in this run",
                totals.extracted_documents
            );
        }
    }
    let t = Instant::now();
    let state_dir = staging.root().join(STATE_DIR);
    let assigned = stories.as_ref().map(entente_normalise::Stories::assign);
    if let (Some(assigned), Some(corpus)) = (&assigned, corpus.as_mut()) {
        corpus.set_stories(|doc_id| assigned.get(doc_id).map(|s| s.story_id.as_str()));
    }
    if from <= Stage::Normalise || full {
        // Parts are independent: finished in parallel (each on one thread).
        done.par_iter().try_for_each(|d| -> anyhow::Result<()> {
            let keys = match (&stories, &assigned) {
                (Some(stories), Some(assigned)) => stories.state(d.stories.clone(), assigned),
                _ => Vec::new(),
            };
            let fix = |documents: &mut [Document]| {
                if let Some(assigned) = &assigned {
                    for doc in documents {
                        if let Some(story) = assigned.get(&doc.doc_id) {
                            story.clone().apply(doc);
                        }
                    }
                }
            };
            match (&d.old, &d.documents_meta) {
                (_, Some(meta)) => {
                    finalise_part::<Document>(staging, &scratch_docs, &d.part, meta, fix)?;
                }
                (Some(old), None) => {
                    let before = read_state::<entente_schema::StoryKey>(ctx.out, "stories", old)?;
                    let from_dir = table_dir::<Document>(ctx.out);
                    if before == keys {
                        state::link(
                            &from_dir.join(old),
                            &staging.table_dir::<Document>().join(&d.part),
                        )?;
                    } else {
                        let meta = kept_meta(&from_dir.join(old), ctx.meta(Stage::Normalise))?;
                        rewrite_part::<Document>(&from_dir, old, staging, &d.part, &meta, fix)?;
                    }
                }
                (None, None) => {}
            }
            if full {
                write_rows(
                    &state_dir.join("stories"),
                    &d.part,
                    &ctx.meta(Stage::Normalise),
                    Codec::Zstd,
                    &keys,
                )?;
            }
            Ok(())
        })?;
    }
    if let Some(names) = &names {
        let chosen = names.choose();
        if let Some(corpus) = corpus {
            corpus.set_names(|id| chosen.get(id));
        }
        // The names the last run chose, to find reused parts whose names change.
        let mut before = Names::default();
        if let Some(previous) = &previous {
            for b in &previous.batches {
                before.add_counts(&read_state::<entente_schema::NameCount>(
                    ctx.out, "names", &b.part,
                )?);
            }
        }
        let before = before.choose();
        let meta = ctx.meta(Stage::Extract);
        done.par_iter().try_for_each(|d| -> anyhow::Result<()> {
            let fix = |rows: &mut [Entity]| chosen.apply(rows);
            if d.new_entities {
                finalise_part::<Entity>(staging, &scratch_entities, &d.part, &meta, fix)?;
            } else if let Some(old) = &d.old {
                let from_dir = table_dir::<Entity>(ctx.out);
                let renamed =
                    d.names.iter().any(|n| chosen.get(&n.entity_id) != before.get(&n.entity_id));
                if renamed {
                    rewrite_part::<Entity>(&from_dir, old, staging, &d.part, &meta, fix)?;
                } else {
                    state::link(&from_dir.join(old), &staging.table_dir::<Entity>().join(&d.part))?;
                }
            }
            if full {
                write_rows(&state_dir.join("names"), &d.part, &meta, Codec::Zstd, &d.names)?;
            }
            Ok(())
        })?;
    }
    if full {
        let batches = done
            .iter()
            .zip(records)
            .map(|(d, files)| state::BatchRecord { part: d.part.clone(), files })
            .collect();
        state::Manifest::new(ctx.hashes.clone(), batches).write(&state_dir)?;
    }
    steps.add("finalise", t);
    Ok(PerDocument::Changed)
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
                .any(|s| *s < from && s.name() == r.stage)
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
    ctx: &StageCtx<'_>,
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

/// `meta` with the batch's own counts from the part file at `path` (a part being rewritten).
fn kept_meta(path: &Path, mut meta: FileMetadata) -> anyhow::Result<FileMetadata> {
    let old = read_metadata(path)
        .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
    for key in [KEY_SKIPPED, KEY_NOT_EXTRACTED] {
        if let Some(value) = old.get(key) {
            meta = meta.with(key, value.clone());
        }
    }
    Ok(meta)
}

/// The rows of state part `part` of kind `kind` (`stories`, `names`) in `out`.
fn read_state<T: Table>(out: &Path, kind: &str, part: &str) -> anyhow::Result<Vec<T>> {
    let dir = out.join(STATE_DIR).join(kind);
    let mut rows = Vec::new();
    entente_parquet::read_part(&dir, &dir.join(part), |mut batch: Vec<T>| {
        rows.append(&mut batch);
        Ok::<(), anyhow::Error>(())
    })
    .with_context(|| format!("cannot read the run state {}", dir.join(part).display()))?;
    Ok(rows)
}

/// Rewrites the intermediate part `part` of table `T` in `scratch` as a final (zstd) part in
/// the staging directory, after `fix` changed its rows.
fn finalise_part<T: Table>(
    staging: &Staging,
    scratch: &Path,
    part: &str,
    meta: &FileMetadata,
    fix: impl FnMut(&mut [T]),
) -> anyhow::Result<()> {
    rewrite_part::<T>(scratch, part, staging, part, meta, fix)?;
    let path = scratch.join(part);
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))
}

/// Writes part `from` of the table in directory `dir` as part `to` of table `T` in the
/// staging directory, after `fix` changed its rows.
fn rewrite_part<T: Table>(
    dir: &Path,
    from: &str,
    staging: &Staging,
    to: &str,
    meta: &FileMetadata,
    mut fix: impl FnMut(&mut [T]),
) -> anyhow::Result<()> {
    let context = || format!("cannot write table {}", T::NAME);
    let mut writer = TableWriter::<T>::create(&staging.table_dir::<T>(), to, meta, Codec::Zstd)
        .with_context(context)?;
    entente_parquet::read_part(dir, &dir.join(from), |mut rows: Vec<T>| {
        fix(&mut rows);
        writer.write(&rows)
    })
    .with_context(context)?;
    writer.finish().with_context(context)
}

/// Writes `rows` as part `part` of table `T` in the staging directory.
fn write_part<T: Table>(
    staging: &Staging,
    part: &str,
    meta: &FileMetadata,
    rows: &[T],
) -> anyhow::Result<()> {
    write_rows(&staging.table_dir::<T>(), part, meta, Codec::Zstd, rows)
}

/// Writes `rows` as part `part` of the table in directory `dir`.
fn write_rows<T: Table>(
    dir: &Path,
    part: &str,
    meta: &FileMetadata,
    codec: Codec,
    rows: &[T],
) -> anyhow::Result<()> {
    let context = || format!("cannot write table {}", T::NAME);
    let mut writer = TableWriter::<T>::create(dir, part, meta, codec).with_context(context)?;
    writer.write(rows).with_context(context)?;
    writer.finish().with_context(context)?;
    Ok(())
}

/// The input files cut into batches of about `batch_bytes`: a file ends its batch with
/// probability `size / batch_bytes`, decided by a hash of its name, so a batch's files do not
/// depend on files elsewhere in the list (content-defined chunking over files); a batch also
/// ends at four times `batch_bytes`. There is always at least one batch, so every table has
/// a part.
fn batches(files: Vec<InputFile>, batch_bytes: u64) -> Vec<Vec<InputFile>> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0u64;
    for file in files {
        let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
        bytes = bytes.saturating_add(size);
        let hash =
            u64::from_str_radix(&entente_schema::hash_hex(file.source.as_bytes()), 16).unwrap_or(0);
        // hash / 2^64 < size / batch_bytes, in integers.
        let ends = u128::from(hash) * u128::from(batch_bytes.max(1)) < u128::from(size) << 64;
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
    tracing::info!("{} to {}: {elapsed:.2?}", from.name(), to.min(Stage::Extract).name());
}

/// "1 batch", "4 batches".
fn batches_phrase(n: usize) -> String {
    if n == 1 { "1 batch".to_owned() } else { format!("{n} batches") }
}

/// Reads and parses one batch of input files, in parallel; documents and rejects come out
/// sorted by source and record.
fn ingest(files: &[InputFile], config: &entente_ingest::IngestConfig) -> Batch {
    let parts: Vec<Ingested> = files.par_iter().map(|file| read_input(file, config)).collect();
    let mut ingested = Ingested::default();
    for part in parts {
        ingested.extend(part);
    }
    ingested.sort();
    log_rejects(&ingested.rejects);
    Batch {
        documents: ingested.documents,
        sentences: Vec::new(),
        rejects: ingested.rejects,
        skipped: ingested.skipped,
    }
}

fn read_input(file: &InputFile, config: &entente_ingest::IngestConfig) -> Ingested {
    let rejected = |reason, detail: String| Ingested {
        rejects: vec![entente_ingest::reject(&file.source, 0, reason, detail)],
        ..Ingested::default()
    };
    if let Some(problem) = &file.problem {
        return rejected(RejectReason::Unreadable, problem.clone());
    }
    // Checked before reading: the whole file is in memory while it is parsed.
    let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
    if size > config.max_file_bytes as u64 {
        let detail = format!(
            "the file is {size} bytes, over max_file_bytes = {} (split it, or raise the limit)",
            config.max_file_bytes
        );
        return rejected(RejectReason::TooLarge, detail);
    }
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(e) => return rejected(RejectReason::Unreadable, format!("cannot be read: {e}")),
    };
    // A parser bug on one file is that file's reject, not the end of the run.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        entente_ingest::ingest_file(&file.source, &bytes, config)
    }));
    parsed.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let detail = format!("entente failed on this file (a bug, please report it): {message}");
        rejected(RejectReason::Corrupt, detail)
    })
}

fn aggregate(ctx: &StageCtx<'_>, staging: &Staging, corpus: &Corpus) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = &ctx.config.aggregate;
    let json = serde_json::to_string(config).context("cannot encode the aggregate options")?;
    let meta = ctx.meta(Stage::Aggregate).with(KEY_AGGREGATE, json);
    let part = part_name(0);
    let context = |name: &str| format!("cannot write table {name}");
    // Both tables stream to disk batch by batch, one Hive partition per scope (and period);
    // every configured partition gets a file even when empty.
    let mut pairs = TableWriter::<Cooccurrence>::create(
        &staging.table_dir::<Cooccurrence>(),
        &part,
        &meta,
        Codec::Zstd,
    )
    .with_context(|| context(Cooccurrence::NAME))?;
    for scope in &config.scopes {
        pairs.partition(&[scope.as_str()]).with_context(|| context(Cooccurrence::NAME))?;
    }
    let mut by_period = if config.periods.is_empty() {
        None
    } else {
        let mut writer = TableWriter::<CooccurrencePeriod>::create(
            &staging.table_dir::<CooccurrencePeriod>(),
            &part,
            &meta,
            Codec::Zstd,
        )
        .with_context(|| context(CooccurrencePeriod::NAME))?;
        for scope in &config.scopes {
            for period in &config.periods {
                writer
                    .partition(&[scope.as_str(), period.as_str()])
                    .with_context(|| context(CooccurrencePeriod::NAME))?;
            }
        }
        Some(writer)
    };
    let limits = Limits::default();
    let (counted, pairs, by_period) = if rayon::current_num_threads() > 1 {
        // Each table is written on a thread of its own while the next pairs are counted.
        std::thread::scope(|scope| {
            let (to_pairs, pairs) = writer_thread(scope, pairs);
            let (to_period, by_period) = match by_period {
                Some(writer) => {
                    let (to, thread) = writer_thread(scope, writer);
                    (Some(to), Some(thread))
                }
                None => (None, None),
            };
            let counted = entente_aggregate::aggregate_into(corpus, config, limits, |rows| {
                let stopped = || "a table writer stopped".into();
                match rows {
                    Rows::Cooccurrences(rows) => to_pairs.send(rows).map_err(|_| stopped()),
                    Rows::ByPeriod(rows) => match &to_period {
                        Some(to) => to.send(rows).map_err(|_| stopped()),
                        None => Ok(()),
                    },
                }
            });
            drop((to_pairs, to_period));
            // A writer's own error explains a counting run its stop cut short.
            let pairs = join_thread(pairs).with_context(|| context(Cooccurrence::NAME))?;
            let by_period = match by_period {
                Some(writer) => {
                    Some(join_thread(writer).with_context(|| context(CooccurrencePeriod::NAME))?)
                }
                None => None,
            };
            anyhow::Ok((counted, pairs, by_period))
        })?
    } else {
        let counted =
            entente_aggregate::aggregate_into(corpus, config, limits, |rows| match rows {
                Rows::Cooccurrences(rows) => Ok(pairs.write(&rows)?),
                Rows::ByPeriod(rows) => match by_period.as_mut() {
                    Some(writer) => Ok(writer.write(&rows)?),
                    None => Ok(()),
                },
            });
        (counted, pairs, by_period)
    };
    let entente_aggregate::Summary { summary, crowded_units } = counted?;
    for (scope, n) in &crowded_units {
        tracing::warn!(
            "{n} {} units mention more than max_unit_entities = {} distinct entities: left \
             out of that scope's co-occurrences",
            scope.as_str(),
            config.max_unit_entities
        );
    }
    let (n_pairs, n_period) = (pairs.rows(), by_period.as_ref().map_or(0, TableWriter::rows));
    pairs.finish().with_context(|| context(Cooccurrence::NAME))?;
    if let Some(writer) = by_period {
        writer.finish().with_context(|| context(CooccurrencePeriod::NAME))?;
    } else {
        staging.discard(CooccurrencePeriod::NAME);
        if ctx.out.join(CooccurrencePeriod::NAME).exists() {
            tracing::info!("removed {} (no periods configured)", CooccurrencePeriod::NAME);
        }
    }
    write_part(staging, &part, &ctx.meta(Stage::Aggregate), &summary)?;
    tracing::info!(
        "aggregate: {} mentions, {n_pairs} pairs, {n_period} period rows, {} entities ({:.2?})",
        corpus.mentions(),
        summary.len(),
        started.elapsed()
    );
    Ok(())
}

/// A thread of [`writer_thread`]: the writer back, or why it stopped.
type WriterThread<'scope, T> =
    std::thread::ScopedJoinHandle<'scope, Result<TableWriter<T>, entente_parquet::Error>>;

/// A thread writing the batches of rows sent to it with `writer`, which it gives back.
fn writer_thread<'scope, T: Table + Send + 'static>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    mut writer: TableWriter<T>,
) -> (std::sync::mpsc::SyncSender<Vec<T>>, WriterThread<'scope, T>) {
    // Two batches in flight: the counting does not wait on a write, nor memory grow.
    let (to, from) = std::sync::mpsc::sync_channel::<Vec<T>>(2);
    let handle = scope.spawn(move || {
        for rows in from {
            writer.write(&rows)?;
        }
        Ok(writer)
    });
    (to, handle)
}

/// The skipped-record counts of the `documents` table in `out`, over all parts.
fn read_skipped(out: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    read_counts(out, KEY_SKIPPED)
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

/// Logs the first rejects one by one, then a count, so a big bad input does not flood stderr.
fn log_rejects(rejects: &[Reject]) {
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

/// Prints where the tables are and their row counts, read back from the files' footers; then
/// one line per reject reason and per kind of skipped record. Returns the number of rejects.
/// The process's peak resident memory so far (Linux: `VmHWM`), in MiB.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.div_ceil(1024))
}

fn report(out: &Path, started: Instant) -> anyhow::Result<usize> {
    let mut stdout = std::io::stdout().lock();
    let memory = peak_memory_mib().map(|m| format!(", peak memory {m} MiB")).unwrap_or_default();
    writeln!(stdout, "entente: tables in {} ({:.1?}{memory})", out.display(), started.elapsed())?;
    for name in entente_schema::TABLE_NAMES {
        let path = out.join(name);
        if path.is_dir() {
            let rows = row_count(&path)?;
            let parts = entente_parquet::parts(&path)?.len();
            let parts = if parts == 1 { "1 part".to_owned() } else { format!("{parts} parts") };
            writeln!(stdout, "  {name:<23} {rows:>9} rows  {:<8} {}/", parts, path.display())?;
        }
    }
    let rejects = if table_dir::<Reject>(out).is_dir() {
        read_table::<Reject>(out).context("cannot read table rejects")?
    } else {
        Vec::new()
    };
    let mut by_reason: BTreeMap<(&str, &str), (usize, &Reject)> = BTreeMap::new();
    for r in &rejects {
        by_reason.entry((&r.stage, r.reason.as_str())).or_insert((0, r)).0 += 1;
    }
    for ((stage, reason), (n, first)) in &by_reason {
        writeln!(
            stdout,
            "  rejected {n:>9} {stage}/{reason}  e.g. {} record {}: {}",
            first.source, first.source_record, first.detail
        )?;
    }
    if table_dir::<Document>(out).is_dir() {
        for (kind, n) in read_skipped(out)? {
            writeln!(stdout, "  skipped  {n:>9} {kind}")?;
        }
        for (language, n) in read_counts(out, KEY_NOT_EXTRACTED)? {
            writeln!(
                stdout,
                "  not extracted {n:>4} documents in language {language:?} (extractable = false)"
            )?;
        }
    }
    Ok(rejects.len())
}
