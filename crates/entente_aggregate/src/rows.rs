//! From counts to rows: marginals joined and measures computed with polars, then
//! `cooccurrences`, `cooccurrences_by_period` and `entity_summary` rows.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef as ArrowSchema;
use entente_schema::{
    Cooccurrence, CooccurrencePeriod, EntitySummary, Period, Scope, SurfaceCount,
};
use polars::prelude::*;

use crate::arrays::Batch;
use crate::corpus::Coded;
use crate::count::{Candidate, PairCounts, RangeCounts, Singles, Tally, bucket_col, pair_of};
use crate::{BATCH_ROWS, Error, NO_DATE, Rows, Sink};

/// One row per entity (all types, stoplisted ones too): mentions, documents, sentences,
/// stories, first and last date, most frequent surface forms. One walk over the documents:
/// stories come together in it, and within a document mentions by sentence, so each count
/// of distinct things compares with the last one seen.
pub(crate) fn summary(coded: &Coded<'_>) -> Vec<EntitySummary> {
    #[derive(Clone, Copy)]
    struct EntityCounts {
        mentions: u32,
        documents: u32,
        sentences: u32,
        stories: u32,
        last: (u32, u32),
        last_story: u32,
        first_seen: Option<i64>,
        last_seen: Option<i64>,
    }
    let corpus = coded.corpus;
    let unseen = EntityCounts {
        mentions: 0,
        documents: 0,
        sentences: 0,
        stories: 0,
        last: (u32::MAX, u32::MAX),
        last_story: u32::MAX,
        first_seen: None,
        last_seen: None,
    };
    let mut seen = vec![unseen; coded.entity_at.len()];
    for &d in &coded.walk {
        let story = coded.story[d as usize];
        let published = coded.doc(d).published_at;
        for m in coded.mentions_of(d) {
            let e = &mut seen[m.entity as usize];
            e.mentions += 1;
            if e.last.0 != d {
                e.documents += 1;
                if let Some(t) = published {
                    e.first_seen = Some(e.first_seen.map_or(t, |x| x.min(t)));
                    e.last_seen = Some(e.last_seen.map_or(t, |x| x.max(t)));
                }
            }
            if e.last != (d, m.sentence) {
                e.sentences += 1;
                e.last = (d, m.sentence);
            }
            if e.last_story != story {
                e.stories += 1;
                e.last_story = story;
            }
        }
    }
    let mut out = Vec::with_capacity(seen.len());
    for (code, e) in seen.into_iter().enumerate() {
        let at = coded.entity_at[code] as usize;
        let (id, name, entity_type) = &corpus.entities[at];
        let mut surfaces: Vec<(&str, u32)> =
            corpus.surfaces[at].iter().map(|(text, &n)| (text.as_str(), n)).collect();
        surfaces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.push(EntitySummary {
            entity_id: id.clone(),
            entity_name: name.clone(),
            entity_type: *entity_type,
            mentions: e.mentions,
            documents: e.documents,
            sentences: e.sentences,
            stories: e.stories,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            top_surfaces: surfaces
                .into_iter()
                .take(5)
                .map(|(text, count)| SurfaceCount { text: text.to_owned(), count })
                .collect(),
        });
    }
    out
}

/// Turns the counts of one range of `entity_a` ([`count_range`](crate::count::count_range)) into rows of `cooccurrences`
/// and `cooccurrences_by_period` (marginals joined, measures computed, sorted) and hands them
/// to `sink`, in table order, a batch at a time.
pub(crate) fn write_range(
    coded: &Coded<'_>,
    scope: Scope,
    counted: RangeCounts,
    singles: &Singles,
    sink: &mut Sink<'_>,
) -> Result<(), Error> {
    let pe = |source| Error::Polars { scope: scope.as_str(), source };
    let periods = coded.config.sorted_periods();
    let mut pairs: Vec<(u64, PairCounts)> = counted.pairs.into_iter().collect();
    pairs.sort_unstable_by_key(|p| p.0);
    let mut evidence: Vec<Candidate> = Vec::new();
    let (mut a, mut b, mut count) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n_docs, mut n_stories, mut first, mut last) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, c) in pairs {
        let (x, y) = pair_of(key);
        a.push(x);
        b.push(y);
        count.push(c.tally.count);
        n_docs.push(c.tally.n_docs);
        n_stories.push(c.tally.n_stories);
        first.push((c.first != i64::MAX).then_some(c.first));
        last.push((c.last != i64::MIN).then_some(c.last));
        evidence.extend(c.evidence.into_iter().map(|(nth, d, s, e)| (x, y, nth, d, s, e)));
    }
    let pairs = DataFrame::new_infer_height(vec![
        Column::new("a".into(), a),
        Column::new("b".into(), b),
        Column::new("count".into(), count),
        Column::new("n_docs".into(), n_docs),
        Column::new("n_stories".into(), n_stories),
        Column::new("first".into(), first),
        Column::new("last".into(), last),
    ])
    .map_err(pe)?
    .lazy()
    .filter(col("count").gt_eq(lit(coded.config.min_count)));
    let n_units = singles.units_per_bucket.get(&None).map_or(0, |u| u.values().sum::<u32>());
    let pairs = with_marginals(pairs, &singles.all, &[])
        .with_column(lit(n_units).alias("n_units"))
        .with_columns(measures())
        .sort(["a", "b"], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    let mut cursor = 0;
    let pair_schema = schema::<Cooccurrence>()?;
    for offset in (0..pairs.height()).step_by(BATCH_ROWS) {
        let batch = pairs.slice(i64::try_from(offset).unwrap_or(i64::MAX), BATCH_ROWS);
        let rows = cooccurrence_batch(&pair_schema, coded, scope, &batch, &evidence, &mut cursor)?;
        sink(Rows::Cooccurrences { scope, rows }).map_err(Error::Sink)?;
    }
    if periods.is_empty() {
        return Ok(());
    }

    // Every period's rows in one frame, sorted as the table is: pair, period, bucket.
    let kept = pairs.select(["a", "b"]).map_err(pe)?.lazy();
    drop(pairs);
    let mut frames = Vec::new();
    for ((index, &period), counts) in periods.iter().enumerate().zip(counted.buckets) {
        let bucket = bucket_col(period);
        let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut counts: Vec<((i64, u64), Tally)> = counts.into_iter().collect();
        counts.sort_unstable_by_key(|c| c.0);
        for ((start, key), c) in counts {
            let (x, y) = pair_of(key);
            columns.0.push(start);
            columns.1.push(x);
            columns.2.push(y);
            columns.3.push(c.count);
            columns.4.push(c.n_docs);
            columns.5.push(c.n_stories);
        }
        let pairs = DataFrame::new_infer_height(vec![
            Column::new(bucket.as_str().into(), columns.0),
            Column::new("a".into(), columns.1),
            Column::new("b".into(), columns.2),
            Column::new("count".into(), columns.3),
            Column::new("n_docs".into(), columns.4),
            Column::new("n_stories".into(), columns.5),
        ])
        .map_err(pe)?
        .lazy()
        .join(
            kept.clone(),
            [col("a"), col("b")],
            [col("a"), col("b")],
            JoinArgs::new(JoinType::Inner),
        );
        let singles_by_bucket = singles.by_period.get(&period).cloned().unwrap_or_default();
        let units = singles.units_per_bucket.get(&Some(period));
        let units = DataFrame::new_infer_height(vec![
            Column::new(
                bucket.as_str().into(),
                units.into_iter().flat_map(BTreeMap::keys).copied().collect::<Vec<i64>>(),
            ),
            Column::new(
                "n_units".into(),
                units.into_iter().flat_map(BTreeMap::values).copied().collect::<Vec<u32>>(),
            ),
        ])
        .map_err(pe)?
        .lazy();
        let columns = [
            "a",
            "b",
            "count",
            "count_a",
            "count_b",
            "n_units",
            "n_docs",
            "n_stories",
            "pmi",
            "npmi",
            "llr",
            "dice",
        ];
        let mut select: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
        select.push(lit(u32::try_from(index).unwrap_or(0)).alias("period"));
        select.push(col(&bucket).alias("start"));
        frames.push(
            with_marginals(pairs, &singles_by_bucket, &[bucket.as_str()])
                .join(units, [col(&bucket)], [col(&bucket)], JoinArgs::new(JoinType::Inner))
                .with_columns(measures())
                .select(select),
        );
    }
    let frame = concat(&frames, UnionArgs::default())
        .map_err(pe)?
        .sort(["a", "b", "period", "start"], SortMultipleOptions::default())
        .collect()
        .map_err(pe)?;
    let period_schema = schema::<CooccurrencePeriod>()?;
    for offset in (0..frame.height()).step_by(BATCH_ROWS) {
        let batch = frame.slice(i64::try_from(offset).unwrap_or(i64::MAX), BATCH_ROWS);
        let rows = period_batch(&period_schema, coded, scope, &periods, &batch)?;
        sink(Rows::ByPeriod { scope, rows }).map_err(Error::Sink)?;
    }
    Ok(())
}

/// Joins `count_a` and `count_b` (from `singles`: `entity`, `n` and the `by` columns) to a
/// frame of pairs `a`, `b`.
pub(crate) fn with_marginals(pairs: LazyFrame, singles: &LazyFrame, by: &[&str]) -> LazyFrame {
    let side = |name: &str, alias: &str| {
        let mut columns: Vec<Expr> = by.iter().map(|c| col(*c)).collect();
        columns.extend([col("entity").alias(name), col("n").alias(alias)]);
        singles.clone().select(columns)
    };
    let on = |name: &str| {
        let mut keys: Vec<Expr> = by.iter().map(|c| col(*c)).collect();
        keys.push(col(name));
        keys
    };
    pairs.join(side("a", "count_a"), on("a"), on("a"), JoinArgs::new(JoinType::Inner)).join(
        side("b", "count_b"),
        on("b"),
        on("b"),
        JoinArgs::new(JoinType::Inner),
    )
}

/// PMI, NPMI, G² and Dice from `count`, `count_a`, `count_b` and `n_units`, as
/// [`entente_schema::association`] defines them.
pub(crate) fn measures() -> [Expr; 4] {
    let f = |name: &str| col(name).cast(DataType::Float64);
    let (c, ca, cb, n) = (f("count"), f("count_a"), f("count_b"), f("n_units"));
    let pmi = (c.clone() * n.clone() / (ca.clone() * cb.clone())).log(lit(2.0));
    let h = lit(0.0) - (c.clone() / n.clone()).log(lit(2.0));
    let npmi = when(h.clone().gt(lit(0.0))).then(pmi.clone() / h).otherwise(lit(1.0));
    let term = |o: Expr, e: Expr| {
        when(o.clone().gt(lit(0.0)))
            .then(o.clone() * (o / e).log(lit(std::f64::consts::E)))
            .otherwise(lit(0.0))
    };
    let g2 = term(c.clone(), ca.clone() * cb.clone() / n.clone())
        + term(ca.clone() - c.clone(), ca.clone() * (n.clone() - cb.clone()) / n.clone())
        + term(cb.clone() - c.clone(), (n.clone() - ca.clone()) * cb.clone() / n.clone())
        + term(
            n.clone() - ca.clone() - cb.clone() + c.clone(),
            (n.clone() - ca.clone()) * (n.clone() - cb.clone()) / n,
        );
    let llr = lit(2.0) * g2;
    let llr = when(llr.clone().lt(lit(0.0))).then(lit(0.0)).otherwise(llr);
    let dice = lit(2.0) * c / (ca + cb);
    [pmi.alias("pmi"), npmi.alias("npmi"), llr.alias("llr"), dice.alias("dice")]
}

pub(crate) fn u32s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    let column = frame.column(name)?.cast(&DataType::UInt32)?;
    Ok(column.u32()?.iter().map(Option::unwrap_or_default).collect())
}

pub(crate) fn i64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let column = frame.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

pub(crate) fn f64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.iter().map(Option::unwrap_or_default).collect())
}

/// The counts and measures shared by both tables, column by column.
pub(crate) struct Counts {
    pub(crate) a: Vec<u32>,
    pub(crate) b: Vec<u32>,
    pub(crate) count: Vec<u32>,
    pub(crate) count_a: Vec<u32>,
    pub(crate) count_b: Vec<u32>,
    pub(crate) n_units: Vec<u32>,
    pub(crate) n_docs: Vec<u32>,
    pub(crate) n_stories: Vec<u32>,
    pub(crate) measures: [Vec<f64>; 4],
}

impl Counts {
    pub(crate) fn read(frame: &DataFrame) -> PolarsResult<Self> {
        Ok(Self {
            a: u32s(frame, "a")?,
            b: u32s(frame, "b")?,
            count: u32s(frame, "count")?,
            count_a: u32s(frame, "count_a")?,
            count_b: u32s(frame, "count_b")?,
            n_units: u32s(frame, "n_units")?,
            n_docs: u32s(frame, "n_docs")?,
            n_stories: u32s(frame, "n_stories")?,
            measures: [
                f64s(frame, "pmi")?,
                f64s(frame, "npmi")?,
                f64s(frame, "llr")?,
                f64s(frame, "dice")?,
            ],
        })
    }
}

/// The `cooccurrences` batch (in `schema`) of a frame of pairs (sorted by pair), with their
/// evidence from `evidence` (sorted by pair), read from `cursor` on.
pub(crate) fn cooccurrence_batch(
    schema: &ArrowSchema,
    coded: &Coded<'_>,
    scope: Scope,
    frame: &DataFrame,
    evidence: &[Candidate],
    cursor: &mut usize,
) -> Result<RecordBatch, Error> {
    let pe = |source| Error::Polars { scope: scope.as_str(), source };
    let c = Counts::read(frame).map_err(pe)?;
    let (first, last) = (i64s(frame, "first").map_err(pe)?, i64s(frame, "last").map_err(pe)?);
    let mut offsets = Vec::with_capacity(c.a.len() + 1);
    let mut units = Vec::new();
    offsets.push(0i32);
    for pair in c.a.iter().copied().zip(c.b.iter().copied()) {
        while evidence.get(*cursor).is_some_and(|e| (e.0, e.1) < pair) {
            *cursor += 1;
        }
        while let Some(&(_, _, _, doc, start, end)) =
            evidence.get(*cursor).filter(|e| (e.0, e.1) == pair)
        {
            units.push((doc, start, end));
            *cursor += 1;
        }
        offsets.push(i32::try_from(units.len()).map_err(|_| Error::TooManyUnits)?);
    }
    let mut batch = Batch::of_pairs(schema.clone(), coded, scope, &c);
    batch.push_times("first_published_at", first);
    batch.push_times("last_published_at", last);
    batch.push_evidence(coded, offsets, &units).map_err(Error::Arrow)?;
    batch.finish().map_err(Error::Arrow)
}

/// The `cooccurrences_by_period` batch (in `schema`) of a frame (`period` indexes `periods`,
/// `start` is the bucket).
pub(crate) fn period_batch(
    schema: &ArrowSchema,
    coded: &Coded<'_>,
    scope: Scope,
    periods: &[Period],
    frame: &DataFrame,
) -> Result<RecordBatch, Error> {
    let pe = |source| Error::Polars { scope: scope.as_str(), source };
    let c = Counts::read(frame).map_err(pe)?;
    let (index, starts) = (u32s(frame, "period").map_err(pe)?, i64s(frame, "start").map_err(pe)?);
    let mut batch = Batch::of_pairs(schema.clone(), coded, scope, &c);
    batch.push_periods(periods, &index);
    batch.push_times(
        "period_start",
        starts.into_iter().map(|t| t.filter(|&t| t != NO_DATE)).collect(),
    );
    batch.finish().map_err(Error::Arrow)
}

/// The Arrow schema of table `T` with its partition columns.
fn schema<T: entente_schema::Table>() -> Result<ArrowSchema, Error> {
    entente_parquet::schema::<T>().map_err(|e| Error::Schema(Box::new(e)))
}
