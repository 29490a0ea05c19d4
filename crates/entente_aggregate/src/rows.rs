//! From counts to rows: marginals looked up and measures computed with polars, then
//! `cooccurrences`, `cooccurrences_by_period` and `entity_summary` rows.

use arrow::datatypes::SchemaRef as ArrowSchema;
use entente_schema::{Cooccurrence, CooccurrencePeriod, EntitySummary, Scope, SurfaceCount};
use polars::prelude::*;

use crate::arrays::{Batch, Labels, batch_schema};
use crate::corpus::Coded;
use crate::count::{Candidate, PairCounts, RangeCounts, Singles, Tally, pair_of};
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
/// and `cooccurrences_by_period` (marginals looked up, measures computed, sorted) and hands
/// them to `sink`, in table order, a batch at a time.
pub(crate) fn write_range(
    coded: &Coded<'_>,
    labels: &Labels,
    scope: Scope,
    counted: RangeCounts,
    singles: &Singles,
    sink: &mut Sink<'_>,
) -> Result<(), Error> {
    let pe = |source| Error::Polars { scope: scope.as_str(), source };
    let periods = coded.config.sorted_periods();
    drop(counted.pairs);
    let mut pairs: Vec<(u64, PairCounts)> = counted.counts;
    // The pairs' places sorted by their keys (each key once): 16 bytes a pair to move, not
    // its counts.
    let mut order: Vec<(u64, u32)> =
        (0..pairs.len()).map(|at| (pairs[at].0, u32::try_from(at).unwrap_or(u32::MAX))).collect();
    order.sort_unstable();
    // The pairs that make rows, in table order (a pair key sorts as its two codes do): seen
    // together often enough, with both entities' own counts.
    let mut kept: Vec<u64> = Vec::new();
    let mut evidence: Vec<Candidate> = Vec::new();
    let mut counts = Counts::default();
    let (mut first, mut last) = (Vec::new(), Vec::new());
    let n_units = singles.units_per_bucket.get(&None).map_or(0, |u| u.values().sum::<u32>());
    for (key, at) in order {
        let c = &mut pairs[at as usize].1;
        let (x, y) = pair_of(key);
        let marginal = |e: u32| singles.all.get(e as usize).copied().filter(|&n| n > 0);
        let (Some(count_a), Some(count_b)) = (marginal(x), marginal(y)) else { continue };
        if c.tally.count < coded.config.min_count {
            continue;
        }
        kept.push(key);
        counts.push(x, y, &c.tally, count_a, count_b, n_units);
        first.push((c.first != i64::MAX).then_some(c.first));
        last.push((c.last != i64::MIN).then_some(c.last));
        let best = std::mem::take(&mut c.evidence);
        evidence.extend(best.into_iter().map(|(nth, d, s, e)| (x, y, nth, d, s, e)));
    }
    drop(pairs);
    counts.measure().map_err(pe)?;
    let mut cursor = 0;
    let pair_schema = batch_schema(&*schema::<Cooccurrence>()?);
    for offset in (0..counts.a.len()).step_by(BATCH_ROWS) {
        let rows = offset..counts.a.len().min(offset + BATCH_ROWS);
        let mut batch = Batch::of_pairs(pair_schema.clone(), labels, scope, &counts, rows.clone())
            .map_err(Error::Arrow)?;
        batch.push_times("first_published_at", first[rows.clone()].to_vec());
        batch.push_times("last_published_at", last[rows.clone()].to_vec());
        push_evidence(&mut batch, coded, &counts, rows, &evidence, &mut cursor)?;
        let rows = batch.finish().map_err(Error::Arrow)?;
        sink(Rows::Cooccurrences { scope, rows }).map_err(Error::Sink)?;
    }
    drop(counts);
    if periods.is_empty() {
        return Ok(());
    }

    // Every period's rows of the kept pairs, sorted as the table is: pair, period, bucket.
    let mut rows: Vec<(u64, u32, i64, Tally, u32, u32, u32)> = Vec::new();
    for ((index, &period), counts) in periods.iter().enumerate().zip(counted.buckets) {
        let index = u32::try_from(index).unwrap_or(0);
        let by_bucket = singles.by_period.get(&period);
        let units = singles.units_per_bucket.get(&Some(period));
        // In the map's order, sorted below (each pair, period and bucket once).
        rows.extend(counts.into_iter().filter_map(|((start, key), c)| {
            kept.binary_search(&key).ok()?;
            let (x, y) = pair_of(key);
            let marginal = |e: u32| by_bucket.and_then(|m| m.get(&(start, e)).copied());
            let n = units.and_then(|u| u.get(&start).copied())?;
            Some((key, index, start, c, marginal(x)?, marginal(y)?, n))
        }));
    }
    // As the pairs: the rows' places sorted, not the rows.
    let mut order: Vec<(u64, u32, i64, u32)> = (0..rows.len())
        .map(|at| (rows[at].0, rows[at].1, rows[at].2, u32::try_from(at).unwrap_or(u32::MAX)))
        .collect();
    order.sort_unstable();
    let mut counts = Counts::default();
    let (mut index, mut start) = (Vec::new(), Vec::new());
    for &(key, period, bucket, at) in &order {
        let (_, _, _, c, count_a, count_b, n) = &rows[at as usize];
        let (x, y) = pair_of(key);
        counts.push(x, y, c, *count_a, *count_b, *n);
        index.push(period);
        start.push((bucket != NO_DATE).then_some(bucket));
    }
    drop((rows, order));
    counts.measure().map_err(pe)?;
    let period_schema = batch_schema(&*schema::<CooccurrencePeriod>()?);
    for offset in (0..counts.a.len()).step_by(BATCH_ROWS) {
        let rows = offset..counts.a.len().min(offset + BATCH_ROWS);
        let mut batch =
            Batch::of_pairs(period_schema.clone(), labels, scope, &counts, rows.clone())
                .map_err(Error::Arrow)?;
        batch.push_periods(&periods, &index[rows.clone()]);
        batch.push_times("period_start", start[rows].to_vec());
        let rows = batch.finish().map_err(Error::Arrow)?;
        sink(Rows::ByPeriod { scope, rows }).map_err(Error::Sink)?;
    }
    Ok(())
}

/// The columns of pairs that both tables share: codes, counts and measures.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) a: Vec<u32>,
    pub(crate) b: Vec<u32>,
    pub(crate) count: Vec<u32>,
    pub(crate) count_a: Vec<u32>,
    pub(crate) count_b: Vec<u32>,
    pub(crate) n_units: Vec<u32>,
    pub(crate) n_docs: Vec<u32>,
    pub(crate) n_stories: Vec<u32>,
    /// PMI, NPMI, G² and Dice, filled by [`Counts::measure`].
    pub(crate) measures: [Vec<f64>; 4],
}

impl Counts {
    fn push(&mut self, a: u32, b: u32, tally: &Tally, count_a: u32, count_b: u32, n_units: u32) {
        self.a.push(a);
        self.b.push(b);
        self.count.push(tally.count);
        self.count_a.push(count_a);
        self.count_b.push(count_b);
        self.n_units.push(n_units);
        self.n_docs.push(tally.n_docs);
        self.n_stories.push(tally.n_stories);
    }

    /// Computes the measures of every row with polars: the four counts they are made of go
    /// in, the four measures come out, and nothing else goes through a frame.
    fn measure(&mut self) -> PolarsResult<()> {
        let frame = DataFrame::new_infer_height(vec![
            Column::new("count".into(), self.count.clone()),
            Column::new("count_a".into(), self.count_a.clone()),
            Column::new("count_b".into(), self.count_b.clone()),
            Column::new("n_units".into(), self.n_units.clone()),
        ])?;
        let frame = with_measures(frame.lazy()).collect()?;
        for (out, name) in self.measures.iter_mut().zip(MEASURES) {
            let column = frame.column(name)?.f64()?.rechunk();
            *out = column.cont_slice()?.to_vec();
        }
        Ok(())
    }
}

/// The `evidence` list column and `first_doc_id`, `first_sentence_idx` of the pairs `rows`
/// of `counts`, from `evidence` (sorted by pair), read from `cursor` on.
fn push_evidence(
    batch: &mut Batch,
    coded: &Coded<'_>,
    counts: &Counts,
    rows: std::ops::Range<usize>,
    evidence: &[Candidate],
    cursor: &mut usize,
) -> Result<(), Error> {
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    let mut units = Vec::new();
    offsets.push(0i32);
    for pair in counts.a[rows.clone()].iter().copied().zip(counts.b[rows].iter().copied()) {
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
    batch.push_evidence(coded, offsets, &units).map_err(Error::Arrow)
}

/// The measures' columns, in the order of [`Counts::measures`].
const MEASURES: [&str; 4] = ["pmi", "npmi", "llr", "dice"];

/// PMI, NPMI, G² and Dice (the frame's only columns) from the `count`, `count_a`, `count_b`
/// and `n_units` of `frame`, as [`entente_schema::association`] defines them (equal to its
/// values within rounding: polars takes a logarithm as `ln(x) / ln(base)`). Computed in
/// stages, each part of the formulas a column of its own that the next stage reads: polars
/// without its common-subexpression feature evaluates a part as often as an expression names
/// it (`llr` twice over for its clamp, every observed count three times), which took three
/// to four times as long. `n_units` is a column in both tables, never a literal: polars
/// divides a column by a constant as a product with its reciprocal, whose last bit can
/// differ from a division's.
pub(crate) fn with_measures(frame: LazyFrame) -> LazyFrame {
    let float = |name: &str| col(name).cast(DataType::Float64);
    let (c, ca, cb, n) = (col("_c"), col("_ca"), col("_cb"), col("_n"));
    let frame = frame.with_columns([
        float("count").alias("_c"),
        float("count_a").alias("_ca"),
        float("count_b").alias("_cb"),
        float("n_units").alias("_n"),
    ]);
    // The four cells of the 2×2 table (observed) and their expected counts.
    let frame = frame.with_columns([
        (c.clone() * n.clone() / (ca.clone() * cb.clone())).log(lit(2.0)).alias("pmi"),
        (lit(0.0) - (c.clone() / n.clone()).log(lit(2.0))).alias("_h"),
        c.clone().alias("_o1"),
        (ca.clone() * cb.clone() / n.clone()).alias("_e1"),
        (ca.clone() - c.clone()).alias("_o2"),
        (ca.clone() * (n.clone() - cb.clone()) / n.clone()).alias("_e2"),
        (cb.clone() - c.clone()).alias("_o3"),
        ((n.clone() - ca.clone()) * cb.clone() / n.clone()).alias("_e3"),
        (n.clone() - ca.clone() - cb.clone() + c.clone()).alias("_o4"),
        ((n.clone() - ca.clone()) * (n.clone() - cb.clone()) / n).alias("_e4"),
    ]);
    let term = |k: u8| {
        let (observed, expected) = (col(format!("_o{k}")), col(format!("_e{k}")));
        when(observed.clone().gt(lit(0.0)))
            .then(observed.clone() * (observed / expected).log(lit(std::f64::consts::E)))
            .otherwise(lit(0.0))
            .alias(format!("_t{k}"))
    };
    let frame = frame.with_columns([
        when(col("_h").gt(lit(0.0))).then(col("pmi") / col("_h")).otherwise(lit(1.0)).alias("npmi"),
        term(1),
        term(2),
        term(3),
        term(4),
    ]);
    let frame = frame
        .with_column((lit(2.0) * (col("_t1") + col("_t2") + col("_t3") + col("_t4"))).alias("llr"));
    frame
        .with_columns([
            when(col("llr").lt(lit(0.0))).then(lit(0.0)).otherwise(col("llr")).alias("llr"),
            (lit(2.0) * c / (ca + cb)).alias("dice"),
        ])
        .select(MEASURES.map(col))
}

/// The Arrow schema of table `T` with its partition columns.
fn schema<T: entente_schema::Table>() -> Result<ArrowSchema, Error> {
    entente_parquet::schema::<T>().map_err(|e| Error::Schema(Box::new(e)))
}
