//! `entente run` and the single-stage commands: read the input tables, call the stage's pure
//! transform, write its tables.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::config::ExtractFiles;
use anyhow::Context;
use entente_aggregate::{Corpus, Limits, Rows};
use entente_extract::Names;
use entente_ingest::Ingested;
use entente_normalise::Normaliser;
use entente_parquet::{
    Codec, FileMetadata, Staging, TableWriter, part_name, read_batches, read_metadata, read_table,
    remove_table, row_count, table_dir,
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
    meta: FileMetadata,
    files: ExtractFiles,
    quiet: bool,
}

/// The tables of the per-document stages, in the order they are committed.
const PER_DOCUMENT: [&str; 6] =
    [Document::NAME, Sentence::NAME, TextEdit::NAME, Boilerplate::NAME, Entity::NAME, Reject::NAME];

/// The tables the aggregate stage writes.
const AGGREGATES: [&str; 3] = [Cooccurrence::NAME, CooccurrencePeriod::NAME, EntitySummary::NAME];

/// Runs every stage (`only = None`) or one of them, reading earlier stages' tables from the
/// output directory.
pub(crate) fn run(
    config: &PipelineConfig,
    only: Option<Stage>,
    strict: bool,
    quiet: bool,
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
    let meta = FileMetadata::new(config.content_hash(&files));
    let ctx = StageCtx { config, out, meta, files, quiet };
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
    let corpus_ref = (to == Stage::Aggregate).then_some(&mut corpus);
    if from <= Stage::Extract {
        per_document(&ctx, &staging, from, to, corpus_ref)?;
    } else {
        read_corpus(out, &mut corpus)?;
    }
    if to == Stage::Aggregate {
        aggregate(&ctx, &staging, &corpus)?;
    }
    staging.commit(&PER_DOCUMENT)?;
    staging.commit(&AGGREGATES)?;
    drop(staging);
    remove_downstream(out, to)?;
    let rejected = report(out, started)?;
    if strict && rejected > 0 {
        tracing::error!("--strict: {rejected} records were rejected (see rejects/)");
        return Ok(Outcome::Failure);
    }
    Ok(Outcome::Success)
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
/// remove them rather than leave an inconsistent directory.
fn remove_downstream(out: &Path, last: Stage) -> anyhow::Result<()> {
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
        if remove_table(out, name)? {
            tracing::info!("removed {name} (its input changed; run the later stages again)");
        }
    }
    Ok(())
}

/// One batch of documents on its way through the per-document stages.
#[derive(Default)]
struct Batch {
    documents: Vec<Document>,
    sentences: Vec<Sentence>,
    rejects: Vec<Reject>,
    skipped: BTreeMap<String, u64>,
}

/// Where a batch comes from: input files (ingest runs) or a part of the `documents` table.
enum Source {
    Files(Vec<InputFile>),
    Part(String),
}

/// Totals over the batches, for the log and the `documents` metadata.
#[derive(Default)]
struct Totals {
    files: usize,
    documents: usize,
    rejects: usize,
    sentences: u64,
    text_edits: u64,
    boilerplate: u64,
    mentions: u64,
    skipped: BTreeMap<String, u64>,
    not_extracted: BTreeMap<String, u64>,
}

/// Runs the per-document stages `from..=to` (of ingest, normalise, extract) batch by batch:
/// each batch's documents are in memory together and become one part file of every table it
/// writes. Stories and entity names, which depend on all documents, are decided after the
/// last batch and written into the final `documents` and `entities` parts then.
fn per_document(
    ctx: &StageCtx<'_>,
    staging: &Staging,
    from: Stage,
    to: Stage,
    mut corpus: Option<&mut Corpus>,
) -> anyhow::Result<()> {
    let runs = |s: Stage| from <= s && s <= to;
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
    let sources: Vec<Source> = if from == Stage::Ingest {
        let files = inputs::list(&ctx.config.inputs)?;
        // Checked on loading: at least one byte, finite.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked")]
        let bytes = (ctx.config.batch_mb * 1_048_576.0) as u64;
        batches(files, bytes).into_iter().map(Source::Files).collect()
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
    let scratch_docs = staging.scratch(Document::NAME);
    let scratch_entities = staging.scratch(Entity::NAME);
    let mut totals = Totals::default();
    let mut part_names = Vec::with_capacity(sources.len());
    let started = Instant::now();
    let bar = super::progress(sources.len() as u64, ctx.quiet);
    bar.set_message(from.name());
    for (i, source) in sources.into_iter().enumerate() {
        let part = match &source {
            Source::Files(_) => part_name(i),
            Source::Part(name) => name.clone(),
        };
        let mut batch = match source {
            Source::Files(files) => {
                totals.files += files.len();
                ingest(&files, &ctx.config.ingest)
            }
            Source::Part(_) => read_batch(ctx.out, &part, from)?,
        };
        for (kind, n) in &batch.skipped {
            *totals.skipped.entry(kind.clone()).or_default() += n;
        }
        if let Some(normaliser) = &normaliser {
            let done = normaliser.run_batch(&batch.documents);
            log_rejects(&done.rejects);
            batch.rejects.extend(done.rejects);
            batch.documents = done.documents;
            batch.sentences = done.sentences;
            totals.sentences += batch.sentences.len() as u64;
            totals.text_edits += done.text_edits.len() as u64;
            totals.boilerplate += done.boilerplate.len() as u64;
            if let Some(stories) = stories.as_mut() {
                stories.add(&batch.documents);
            }
            write_part(staging, &part, &ctx.meta, &batch.sentences)?;
            write_part(staging, &part, &ctx.meta, &done.text_edits)?;
            write_part(staging, &part, &ctx.meta, &done.boilerplate)?;
            for (language, n) in entente_normalise::not_extractable(&batch.documents) {
                *totals.not_extracted.entry(language).or_default() += n;
            }
        }
        if let Some(corpus) = corpus.as_deref_mut() {
            batch.documents.iter().try_for_each(|d| corpus.add_document(d))?;
        }
        if let Some(extractor) = &extractor {
            let entities =
                entente_extract::extract_batch(&batch.documents, &batch.sentences, extractor);
            totals.mentions += entities.len() as u64;
            if let Some(names) = names.as_mut() {
                names.add(&entities);
            }
            if let Some(corpus) = corpus.as_deref_mut() {
                entities.iter().try_for_each(|e| corpus.add_mention(e))?;
            }
            write_rows(&scratch_entities, &part, &ctx.meta, Codec::Uncompressed, &entities)?;
        }
        totals.documents += batch.documents.len();
        if from <= Stage::Normalise {
            write_rows(&scratch_docs, &part, &ctx.meta, Codec::Uncompressed, &batch.documents)?;
            totals.rejects += batch.rejects.len();
            batch.rejects.sort_by(|a, b| {
                (&a.stage, &a.source, a.source_record).cmp(&(&b.stage, &b.source, b.source_record))
            });
            write_part(staging, &part, &ctx.meta, &batch.rejects)?;
        }
        part_names.push(part);
        bar.inc(1);
    }
    bar.finish_and_clear();
    log_totals(from, to, &totals, started);
    if from <= Stage::Normalise {
        let stories = stories.map(entente_normalise::Stories::assign);
        if let (Some(stories), Some(corpus)) = (&stories, corpus.as_mut()) {
            corpus.set_stories(|doc_id| stories.get(doc_id).map(|s| s.story_id.as_str()));
        }
        let skipped =
            if from == Stage::Ingest { totals.skipped.clone() } else { read_skipped(ctx.out)? };
        let meta = documents_meta(ctx, &skipped, to >= Stage::Normalise, &totals.not_extracted)?;
        finalise_parts::<Document>(staging, &scratch_docs, &part_names, &meta, |documents| {
            if let Some(stories) = &stories {
                for d in documents {
                    if let Some(story) = stories.get(&d.doc_id) {
                        story.clone().apply(d);
                    }
                }
            }
        })?;
    }
    if let Some(names) = names {
        let chosen = names.choose();
        if let Some(corpus) = corpus {
            corpus.set_names(|id| chosen.get(id));
        }
        finalise_parts::<Entity>(staging, &scratch_entities, &part_names, &ctx.meta, |rows| {
            chosen.apply(rows);
        })?;
    }
    Ok(())
}

/// A batch read back from part `part` of the tables in `out`, for a stage that runs alone.
fn read_batch(out: &Path, part: &str, from: Stage) -> anyhow::Result<Batch> {
    let mut batch = Batch::default();
    let documents = table_dir::<Document>(out);
    entente_parquet::read_part(&documents, &documents.join(part), |rows: Vec<Document>| {
        batch.documents.extend(rows);
        Ok::<(), anyhow::Error>(())
    })
    .with_context(|| format!("cannot read table {}", Document::NAME))?;
    match from {
        Stage::Normalise => {
            // Keep the other stages' rejects of this part; normalise's are made again.
            let rejects = table_dir::<Reject>(out);
            let path = rejects.join(part);
            if path.exists() {
                entente_parquet::read_part(&rejects, &path, |rows: Vec<Reject>| {
                    batch
                        .rejects
                        .extend(rows.into_iter().filter(|r| r.stage != Stage::Normalise.name()));
                    Ok::<(), anyhow::Error>(())
                })
                .with_context(|| format!("cannot read table {}", Reject::NAME))?;
            }
        }
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
        Stage::Ingest | Stage::Aggregate => {}
    }
    Ok(batch)
}

/// The metadata of the `documents` parts: the skipped-record counts and, once normalised,
/// the counts of documents extraction skips.
fn documents_meta(
    ctx: &StageCtx<'_>,
    skipped: &BTreeMap<String, u64>,
    normalised: bool,
    not_extracted: &BTreeMap<String, u64>,
) -> anyhow::Result<FileMetadata> {
    let counts = serde_json::to_string(skipped).context("cannot encode skipped counts")?;
    let mut meta = ctx.meta.clone().with(KEY_SKIPPED, counts);
    if normalised {
        let counts = serde_json::to_string(not_extracted).context("cannot encode counts")?;
        meta = meta.with(KEY_NOT_EXTRACTED, counts);
    }
    Ok(meta)
}

/// Rewrites each intermediate part of table `T` in `scratch` as a final (zstd) part in the
/// staging directory, after `fix` changed its rows.
fn finalise_parts<T: Table>(
    staging: &Staging,
    scratch: &Path,
    parts: &[String],
    meta: &FileMetadata,
    mut fix: impl FnMut(&mut [T]),
) -> anyhow::Result<()> {
    for part in parts {
        let path = scratch.join(part);
        let mut writer =
            TableWriter::<T>::create(&staging.table_dir::<T>(), part, meta, Codec::Zstd)
                .with_context(|| format!("cannot write table {}", T::NAME))?;
        entente_parquet::read_part(scratch, &path, |mut rows: Vec<T>| {
            fix(&mut rows);
            writer.write(&rows)
        })
        .with_context(|| format!("cannot write table {}", T::NAME))?;
        writer.finish().with_context(|| format!("cannot write table {}", T::NAME))?;
        std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
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
    match std::fs::read(&file.path) {
        Ok(bytes) => entente_ingest::ingest_file(&file.source, &bytes, config),
        Err(e) => Ingested {
            rejects: vec![entente_ingest::reject(
                &file.source,
                0,
                RejectReason::Unreadable,
                e.to_string(),
            )],
            ..Ingested::default()
        },
    }
}

fn aggregate(ctx: &StageCtx<'_>, staging: &Staging, corpus: &Corpus) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = &ctx.config.aggregate;
    let json = serde_json::to_string(config).context("cannot encode the aggregate options")?;
    let meta = ctx.meta.clone().with(KEY_AGGREGATE, json);
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
    let summary =
        entente_aggregate::aggregate_into(corpus, config, Limits::default(), |rows| match rows {
            Rows::Cooccurrences(rows) => Ok(pairs.write(&rows)?),
            Rows::ByPeriod(rows) => match by_period.as_mut() {
                Some(writer) => Ok(writer.write(&rows)?),
                None => Ok(()),
            },
        })?;
    let (n_pairs, n_period) = (pairs.rows(), by_period.as_ref().map_or(0, TableWriter::rows));
    pairs.finish().with_context(|| context(Cooccurrence::NAME))?;
    match by_period {
        Some(writer) => writer.finish().with_context(|| context(CooccurrencePeriod::NAME))?,
        None => {
            if remove_table(ctx.out, CooccurrencePeriod::NAME)? {
                tracing::info!("removed {} (no periods configured)", CooccurrencePeriod::NAME);
            }
        }
    }
    write_part(staging, &part, &ctx.meta, &summary)?;
    tracing::info!(
        "aggregate: {} mentions, {n_pairs} pairs, {n_period} period rows, {} entities ({:.2?})",
        corpus.mentions(),
        summary.len(),
        started.elapsed()
    );
    Ok(())
}

/// The skipped-record counts of the `documents` table in `out` (none if it has no such key).
fn read_skipped(out: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    read_counts(out, KEY_SKIPPED)
}

/// A JSON object of counts in the metadata of the `documents` table in `out` (empty if the
/// key is absent).
fn read_counts(out: &Path, key: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let path = table_dir::<Document>(out);
    let meta = read_metadata(&path)
        .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
    match meta.get(key) {
        Some(json) => serde_json::from_str(json)
            .with_context(|| format!("bad {key} metadata in {}", path.display())),
        None => Ok(BTreeMap::new()),
    }
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
fn report(out: &Path, started: Instant) -> anyhow::Result<usize> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "entente: tables in {} ({:.1?})", out.display(), started.elapsed())?;
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
