//! `entente run` and the single-stage commands: read the input tables, call the stage's pure
//! transform, write its tables.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::config::ExtractFiles;
use anyhow::Context;
use entente_aggregate::{Corpus, Limits, Rows};
use entente_ingest::Ingested;
use entente_normalise::{Normalised, Normaliser};
use entente_parquet::{
    FileMetadata, TableWriter, read_batches, read_metadata, read_table, row_count, table_path,
    write_table,
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
    match only {
        None => run_all(&ctx)?,
        Some(Stage::Ingest) => {
            let ingested = ingest(&ctx)?;
            write_documents(&ctx, &ingested.documents, &ingested.skipped)?;
            write_rejects(&ctx, Stage::Ingest, ingested.rejects)?;
        }
        Some(Stage::Normalise) => {
            let documents = read::<Document>(out)?;
            let skipped = read_skipped(out)?;
            let normalised = normalise(&ctx, &documents)?;
            write_normalised(&ctx, &normalised, &skipped)?;
            write_rejects(&ctx, Stage::Normalise, normalised.rejects)?;
        }
        Some(Stage::Extract) => {
            let (documents, sentences) = (read::<Document>(out)?, read::<Sentence>(out)?);
            write(&ctx, &extract(&ctx, &documents, &sentences)?)?;
        }
        Some(Stage::Aggregate) => {
            // Folded in batch by batch: the texts and mentions are never all in memory.
            let mut corpus = Corpus::default();
            let from = |name| {
                format!(
                    "cannot read table {name} (run the earlier stages first, e.g. `entente run`)"
                )
            };
            read_batches(&table_path::<Document>(out), |documents: Vec<Document>| {
                documents
                    .iter()
                    .try_for_each(|d| corpus.add_document(d))
                    .map_err(anyhow::Error::new)
            })
            .with_context(|| from(Document::NAME))?;
            read_batches(&table_path::<Entity>(out), |entities: Vec<Entity>| {
                entities.iter().try_for_each(|e| corpus.add_mention(e)).map_err(anyhow::Error::new)
            })
            .with_context(|| from(Entity::NAME))?;
            aggregate(&ctx, &corpus)?;
        }
    }
    if let Some(stage) = only {
        remove_downstream(out, stage)?;
    }
    let rejected = report(out, started)?;
    if strict && rejected > 0 {
        tracing::error!("--strict: {rejected} records were rejected (see rejects.parquet)");
        return Ok(Outcome::Failure);
    }
    Ok(Outcome::Success)
}

/// The pipeline's extra gazetteer files as `(path, contents)`.
/// Writes `documents` with the skipped-record counts (and, once normalised, the counts of
/// documents extraction skips) in its metadata.
fn write_documents(
    ctx: &StageCtx<'_>,
    documents: &[Document],
    skipped: &BTreeMap<String, u64>,
) -> anyhow::Result<()> {
    let counts = serde_json::to_string(skipped).context("cannot encode skipped counts")?;
    let mut meta = ctx.meta.clone().with(KEY_SKIPPED, counts);
    if documents.iter().any(|d| d.extractable.is_some()) {
        let not_extracted = entente_normalise::not_extractable(documents);
        let counts = serde_json::to_string(&not_extracted).context("cannot encode counts")?;
        meta = meta.with(KEY_NOT_EXTRACTED, counts);
    }
    write_table(ctx.out, documents, &meta)
        .with_context(|| format!("cannot write table {}", Document::NAME))?;
    Ok(())
}

/// Writes the normalise stage's tables other than `rejects`.
fn write_normalised(
    ctx: &StageCtx<'_>,
    normalised: &Normalised,
    skipped: &BTreeMap<String, u64>,
) -> anyhow::Result<()> {
    write_documents(ctx, &normalised.documents, skipped)?;
    write(ctx, &normalised.sentences)?;
    write(ctx, &normalised.text_edits)?;
    write(ctx, &normalised.boilerplate)
}

/// The skipped-record counts of the `documents` table in `out` (none if it has no such key).
fn read_skipped(out: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    read_counts(out, KEY_SKIPPED)
}

/// A JSON object of counts in the metadata of the `documents` table in `out` (empty if the
/// key is absent).
fn read_counts(out: &Path, key: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let path = table_path::<Document>(out);
    let meta = read_metadata(&path)
        .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
    match meta.get(key) {
        Some(json) => serde_json::from_str(json)
            .with_context(|| format!("bad {key} metadata in {}", path.display())),
        None => Ok(BTreeMap::new()),
    }
}

/// After one stage ran alone, the tables of later stages describe older input: remove them
/// rather than leave an inconsistent directory.
fn remove_downstream(out: &Path, stage: Stage) -> anyhow::Result<()> {
    let later: &[&str] = match stage {
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
        Stage::Extract => &[Cooccurrence::NAME, CooccurrencePeriod::NAME, EntitySummary::NAME],
        Stage::Aggregate => &[],
    };
    for name in later {
        let path = out.join(format!("{name}.parquet"));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove stale {}", path.display()))?;
            tracing::info!(
                "removed {} (its input changed; run the later stages again)",
                path.display()
            );
        }
    }
    Ok(())
}

fn run_all(ctx: &StageCtx<'_>) -> anyhow::Result<()> {
    let bar = super::progress(4, ctx.quiet);
    bar.set_message("ingest");
    let ingested = ingest(ctx)?;
    bar.inc(1);
    bar.set_message("normalise");
    let normalised = normalise(ctx, &ingested.documents)?;
    drop(ingested.documents);
    bar.inc(1);
    bar.set_message("extract");
    let entities = extract(ctx, &normalised.documents, &normalised.sentences)?;
    bar.inc(1);
    bar.set_message("aggregate");
    let mut corpus = Corpus::default();
    for d in &normalised.documents {
        corpus.add_document(d)?;
    }
    for e in &entities {
        corpus.add_mention(e)?;
    }
    aggregate(ctx, &corpus)?;
    bar.finish_and_clear();
    write_normalised(ctx, &normalised, &ingested.skipped)?;
    write(ctx, &entities)?;
    let mut rejects = ingested.rejects;
    rejects.extend(normalised.rejects);
    write_rejects(ctx, Stage::Ingest, rejects)
}

fn ingest(ctx: &StageCtx<'_>) -> anyhow::Result<Ingested> {
    let started = Instant::now();
    let files = inputs::list(&ctx.config.inputs)?;
    let bar = super::progress(files.len() as u64, ctx.quiet);
    bar.set_message("reading");
    let parts: Vec<Ingested> = files
        .par_iter()
        .map(|file| {
            let part = read_input(file, &ctx.config.ingest);
            bar.inc(1);
            part
        })
        .collect();
    bar.finish_and_clear();
    let mut ingested = Ingested::default();
    for part in parts {
        ingested.extend(part);
    }
    ingested.sort();
    log_rejects(&ingested.rejects);
    let skipped: u64 = ingested.skipped.values().sum();
    tracing::info!(
        "ingest: {} files, {} records: {} documents, {} rejected; {skipped} skipped ({:.2?})",
        files.len(),
        ingested.records_seen(),
        ingested.documents.len(),
        ingested.rejects.len(),
        started.elapsed()
    );
    Ok(ingested)
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

fn normalise(ctx: &StageCtx<'_>, documents: &[Document]) -> anyhow::Result<Normalised> {
    let started = Instant::now();
    let stage = Normaliser::new(&ctx.config.normalise)
        .map_err(|e| anyhow::Error::new(crate::UsageError(e.to_string())))?;
    let normalised = stage.run(documents);
    log_rejects(&normalised.rejects);
    let copies = normalised.documents.iter().filter(|d| d.duplicate_of.is_some()).count();
    let stories = normalised.documents.len() - copies;
    tracing::info!(
        "normalise: {} documents ({stories} stories, {copies} copies), {} sentences, {} edits, \
         {} boilerplate removals ({:.2?})",
        normalised.documents.len(),
        normalised.sentences.len(),
        normalised.text_edits.len(),
        normalised.boilerplate.len(),
        started.elapsed()
    );
    Ok(normalised)
}

fn extract(
    ctx: &StageCtx<'_>,
    documents: &[Document],
    sentences: &[Sentence],
) -> anyhow::Result<Vec<Entity>> {
    let started = Instant::now();
    let extractor = ctx.files.extractor(ctx.config)?;
    let entities = entente_extract::extract(documents, sentences, &extractor);
    let skipped: u64 = entente_normalise::not_extractable(documents).values().sum();
    tracing::info!(
        "extract: {} mentions; {skipped} documents skipped for their language ({:.2?})",
        entities.len(),
        started.elapsed()
    );
    Ok(entities)
}

fn aggregate(ctx: &StageCtx<'_>, corpus: &Corpus) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = &ctx.config.aggregate;
    let json = serde_json::to_string(config).context("cannot encode the aggregate options")?;
    let meta = ctx.meta.clone().with(KEY_AGGREGATE, json);
    // Both tables stream to disk batch by batch; they replace the old ones only when complete.
    let mut pairs = TableWriter::<Cooccurrence>::create(ctx.out, &meta)
        .with_context(|| format!("cannot write table {}", Cooccurrence::NAME))?;
    let mut by_period = if config.periods.is_empty() {
        None
    } else {
        Some(
            TableWriter::<CooccurrencePeriod>::create(ctx.out, &meta)
                .with_context(|| format!("cannot write table {}", CooccurrencePeriod::NAME))?,
        )
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
    pairs.finish().with_context(|| format!("cannot write table {}", Cooccurrence::NAME))?;
    let stale = table_path::<CooccurrencePeriod>(ctx.out);
    match by_period {
        Some(writer) => {
            writer
                .finish()
                .with_context(|| format!("cannot write table {}", CooccurrencePeriod::NAME))?;
        }
        None if stale.exists() => std::fs::remove_file(&stale)
            .with_context(|| format!("cannot remove stale {}", stale.display()))?,
        None => {}
    }
    write(ctx, &summary)?;
    tracing::info!(
        "aggregate: {} mentions, {n_pairs} pairs, {n_period} period rows, {} entities ({:.2?})",
        corpus.mentions(),
        summary.len(),
        started.elapsed()
    );
    Ok(())
}

fn read<T: Table>(out: &Path) -> anyhow::Result<Vec<T>> {
    read_table::<T>(out).with_context(|| {
        format!("cannot read table {} (run the earlier stages first, e.g. `entente run`)", T::NAME)
    })
}

fn write<T: Table>(ctx: &StageCtx<'_>, rows: &[T]) -> anyhow::Result<()> {
    write_table(ctx.out, rows, &ctx.meta)
        .with_context(|| format!("cannot write table {}", T::NAME))?;
    Ok(())
}

/// Writes `rejects`, keeping earlier stages' rejects when one later stage runs alone.
fn write_rejects(ctx: &StageCtx<'_>, from: Stage, mut rejects: Vec<Reject>) -> anyhow::Result<()> {
    let path = table_path::<Reject>(ctx.out);
    if from > Stage::Ingest && path.exists() {
        let earlier = read::<Reject>(ctx.out)?;
        rejects.extend(earlier.into_iter().filter(|r| r.stage != from.name()));
    }
    rejects.sort_by(|a, b| {
        (&a.stage, &a.source, a.source_record).cmp(&(&b.stage, &b.source, b.source_record))
    });
    write(ctx, &rejects)
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
        let path = out.join(format!("{name}.parquet"));
        if path.exists() {
            let rows = row_count(&path)?;
            writeln!(stdout, "  {name:<23} {rows:>9} rows  {}", path.display())?;
        }
    }
    let rejects =
        if table_path::<Reject>(out).exists() { read::<Reject>(out)? } else { Vec::new() };
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
    if table_path::<Document>(out).exists() {
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
