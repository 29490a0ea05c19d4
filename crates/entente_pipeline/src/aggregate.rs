//! The aggregate stage: counts co-occurrences over the whole corpus and streams them into
//! their tables, one Hive partition per scope (and period).

use std::time::Instant;

use anyhow::Context as _;
use arrow::array::RecordBatch;
use entente_aggregate::{Corpus, Limits, Rows};
use entente_parquet::{Codec, TableWriter, part_name};
use entente_schema::{Cooccurrence, CooccurrencePeriod, Scope, Table};

use crate::meta::KEY_AGGREGATE;
use crate::parts::write_part;
use crate::run::{Ctx, Stage, join_thread};
use crate::staged::Staged;

/// Counts the co-occurrences of `corpus` into the staged aggregate tables; returns whether
/// `cooccurrences_by_period` was left out (no periods configured).
pub(crate) fn aggregate(ctx: &Ctx<'_>, staging: &Staged, corpus: Corpus) -> anyhow::Result<bool> {
    let started = Instant::now();
    let mentions = corpus.mentions();
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
    let by_period = if config.periods.is_empty() {
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
    let mut pairs = ByScope::new(pairs);
    let mut by_period = by_period.map(ByScope::new);
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
                    Rows::Cooccurrences { scope, rows } => {
                        to_pairs.send((scope, rows)).map_err(|_| stopped())
                    }
                    Rows::ByPeriod { scope, rows } => match &to_period {
                        Some(to) => to.send((scope, rows)).map_err(|_| stopped()),
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
                Rows::Cooccurrences { scope, rows } => Ok(pairs.write(scope, &rows)?),
                Rows::ByPeriod { scope, rows } => match by_period.as_mut() {
                    Some(writer) => Ok(writer.write(scope, &rows)?),
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
    let (pairs, by_period) = (pairs.writer, by_period.map(|w| w.writer));
    let (n_pairs, n_period) = (pairs.rows(), by_period.as_ref().map_or(0, TableWriter::rows));
    pairs.finish().with_context(|| context(Cooccurrence::NAME))?;
    let discard_periods = by_period.is_none();
    if let Some(writer) = by_period {
        writer.finish().with_context(|| context(CooccurrencePeriod::NAME))?;
    }
    write_part(staging, &part, &ctx.meta(Stage::Aggregate), &summary)?;
    tracing::info!(
        "aggregate: {mentions} mentions, {n_pairs} pairs, {n_period} period rows, {} entities \
         ({:.2?})",
        summary.len(),
        started.elapsed()
    );
    Ok(discard_periods)
}

/// A table writer fed scope by scope (the stage counts one scope after the other): when the
/// rows of the next scope arrive, the files of the last one are completed, so one scope's
/// write buffers and compressors are held at a time instead of every scope's.
struct ByScope<T: Table> {
    writer: TableWriter<T>,
    scope: Option<Scope>,
}

impl<T: Table> ByScope<T> {
    fn new(writer: TableWriter<T>) -> Self {
        Self { writer, scope: None }
    }

    /// Writes a batch of rows of `scope` (the table's full schema).
    fn write(&mut self, scope: Scope, rows: &RecordBatch) -> Result<(), entente_parquet::Error> {
        if let Some(done) = self.scope.filter(|&s| s != scope) {
            self.writer.complete(&[done.as_str()])?;
        }
        self.scope = Some(scope);
        self.writer.write_batch(rows)
    }
}

/// A thread of [`writer_thread`]: the writer back, or why it stopped.
type WriterThread<'scope, T> =
    std::thread::ScopedJoinHandle<'scope, Result<ByScope<T>, entente_parquet::Error>>;

/// A thread writing the batches of rows sent to it with `writer`, which it gives back.
fn writer_thread<'scope, T: Table>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    mut writer: ByScope<T>,
) -> (std::sync::mpsc::SyncSender<(Scope, RecordBatch)>, WriterThread<'scope, T>) {
    // Two batches in flight: the counting does not wait on a write, nor memory grow.
    let (to, from) = std::sync::mpsc::sync_channel::<(Scope, RecordBatch)>(2);
    let handle = scope.spawn(move || {
        for (scope, rows) in from {
            writer.write(scope, &rows)?;
        }
        Ok(writer)
    });
    (to, handle)
}
