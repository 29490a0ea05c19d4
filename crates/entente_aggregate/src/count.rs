//! Counting pairs: per-entity marginals, and per-pair counts for one range of `entity_a` in
//! hash maps, split when a range outgrows its budget.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

use entente_schema::{Period, Scope};
use rustc_hash::FxHashMap;

use crate::NO_DATE;
use crate::corpus::{Coded, for_each_unit};

/// Ranges `[lo, hi)` of `entity_a` codes, each holding about `budget` unit pairs (at least
/// one code each; `weight` is the number of unit pairs of each code), covering every entity.
pub(crate) fn partitions(weight: &[u64], budget: u64) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let (mut lo, mut filled) = (0u32, 0u64);
    for (e, &w) in weight.iter().enumerate() {
        let e = u32::try_from(e).unwrap_or(u32::MAX);
        if filled > 0 && filled + w > budget {
            out.push((lo, e));
            (lo, filled) = (e, 0);
        }
        filled += w;
    }
    out.push((lo, u32::try_from(weight.len()).unwrap_or(u32::MAX)));
    out
}

/// An evidence candidate: pair, occurrence of its story among the pair's units, unit.
pub(crate) type Candidate = (u32, u32, u32, u32, u32, u32);

/// Units mentioning each entity: in the run (by entity code, 0 for none), and per bucket of
/// each period (by bucket and code); and the unit pairs each entity is `entity_a` of.
pub(crate) struct Singles {
    pub(crate) all: Vec<u32>,
    pub(crate) by_period: BTreeMap<Period, FxHashMap<(i64, u32), u32>>,
    pub(crate) pair_weight: Vec<u64>,
    /// Units left out of the scope ([`AggregateConfig::max_unit_entities`](entente_schema::AggregateConfig::max_unit_entities)), in all and per
    /// bucket of each period.
    pub(crate) crowded: u64,
    /// Units that count (not crowded) per bucket: of the whole run (`None`, one bucket) and
    /// of each period.
    pub(crate) units_per_bucket: BTreeMap<Option<Period>, BTreeMap<i64, u32>>,
    /// Units walked (with at least one entity, crowded ones too).
    pub(crate) walked: u64,
}

/// Units handed from the walk to the thread counting pairs beside it: each unit's document,
/// and where its entities end in `entities`.
#[derive(Default)]
struct Units {
    docs: Vec<u32>,
    ends: Vec<usize>,
    entities: Vec<(u32, u32)>,
}

impl Units {
    /// How many units go to the counting thread at once.
    const CHUNK: usize = 4096;

    fn push(&mut self, d: u32, set: &[(u32, u32)]) {
        self.docs.push(d);
        self.entities.extend_from_slice(set);
        self.ends.push(self.entities.len());
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &[(u32, u32)])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        self.docs.iter().zip(starts.zip(&self.ends)).map(|(&d, (a, &b))| (d, &self.entities[a..b]))
    }
}

/// Counts the units of `scope` mentioning each entity, in the run and per bucket, and the
/// unit pairs of each entity as `entity_a`, in one walk over the units; the pairs of `first`
/// are counted from the same walk until they go over its budget: on a thread of their own,
/// handed the units in order, when `beside`.
pub(crate) fn count_singles(
    coded: &Coded<'_>,
    scope: Scope,
    first: &mut RangeCounter,
    beside: bool,
) -> Singles {
    if !beside {
        return singles_walk(coded, scope, |d, set| {
            let _ = first.add(coded, scope, d, set);
        });
    }
    std::thread::scope(|threads| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Units>(4);
        let counting = threads.spawn(move || {
            for units in rx {
                for (d, set) in units.iter() {
                    if first.add(coded, scope, d, set).is_break() {
                        // The walk's next send fails: it hands over nothing more.
                        return;
                    }
                }
            }
        });
        let mut units = Units::default();
        let mut open = true;
        let singles = singles_walk(coded, scope, |d, set| {
            if open {
                units.push(d, set);
                if units.docs.len() >= Units::CHUNK {
                    open = tx.send(std::mem::take(&mut units)).is_ok();
                }
            }
        });
        if open {
            let _ = tx.send(units);
        }
        drop(tx);
        counting.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        singles
    })
}

/// [`count_singles`]'s walk, handing each unit to `also` too.
fn singles_walk(
    coded: &Coded<'_>,
    scope: Scope,
    mut also: impl FnMut(u32, &[(u32, u32)]),
) -> Singles {
    let periods = coded.config.sorted_periods();
    let mut all = vec![0u32; coded.entity_at.len()];
    let mut pair_weight = vec![0u64; coded.entity_at.len()];
    let mut by_period: Vec<FxHashMap<(i64, u32), u32>> = vec![FxHashMap::default(); periods.len()];
    let mut crowded = 0u64;
    let mut crowded_by_period: BTreeMap<Option<Period>, BTreeMap<i64, u32>> = BTreeMap::new();
    let mut walked = 0u64;
    let _ = for_each_unit(coded, scope, |d, set| {
        walked += 1;
        also(d, set);
        let date = coded.unit_date(scope, d);
        if !coded.config.gives_pairs(set.len()) {
            // Left out of the scope altogether, so that the counts stay a contingency table.
            crowded += 1;
            *crowded_by_period.entry(None).or_default().entry(NO_DATE).or_default() += 1;
            for p in &periods {
                let bucket = date.map_or(NO_DATE, |t| p.bucket_start(t));
                *crowded_by_period.entry(Some(*p)).or_default().entry(bucket).or_default() += 1;
            }
            return ControlFlow::Continue(());
        }
        for (i, &(e, _)) in set.iter().enumerate() {
            all[e as usize] += 1;
            pair_weight[e as usize] += (set.len() - 1 - i) as u64;
        }
        for (i, p) in periods.iter().enumerate() {
            let bucket = date.map_or(NO_DATE, |t| p.bucket_start(t));
            for &(e, _) in set {
                *by_period[i].entry((bucket, e)).or_default() += 1;
            }
        }
        ControlFlow::Continue(())
    });
    let mut units_per_bucket = BTreeMap::new();
    for period in std::iter::once(None).chain(periods.iter().copied().map(Some)) {
        let mut units = coded.units_per_bucket(scope, period);
        for (bucket, n) in crowded_by_period.get(&period).into_iter().flatten() {
            if let Some(units) = units.get_mut(bucket) {
                *units = units.saturating_sub(*n);
            }
        }
        units_per_bucket.insert(period, units);
    }
    let by_period = periods.into_iter().zip(by_period).collect();
    Singles { all, by_period, pair_weight, crowded, units_per_bucket, walked }
}

/// A pair of entity codes as one key: `entity_a` in the high half, so keys sort by pair.
pub(crate) fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The entity codes of a pair key.
#[allow(clippy::cast_possible_truncation, reason = "the two halves")]
pub(crate) fn pair_of(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// One unit a pair occurs in, as the counts see it.
pub(crate) struct Occurrence {
    /// The unit's document (for `story`, the story's canonical document).
    pub(crate) doc: u32,
    pub(crate) story: u32,
    /// Documents behind the unit (for `story` every copy, else 1), and their first and last
    /// publication time (`i64::MAX` / `i64::MIN`: none dated).
    pub(crate) members: u32,
    pub(crate) first: i64,
    pub(crate) last: i64,
    /// The sentences to read: from the first mention of either entity to the first
    /// mention of the other, end-exclusive.
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// The counts of one pair, in the run or in one time bucket, over the units seen so far.
/// Units arrive story by story, and within a story document by document in unit order, so
/// distinct documents and stories are counted by comparing with the last one.
pub(crate) struct Tally {
    pub(crate) count: u32,
    pub(crate) n_docs: u32,
    pub(crate) n_stories: u32,
    pub(crate) last_doc: u32,
    pub(crate) last_story: u32,
}

impl Default for Tally {
    fn default() -> Self {
        Self { count: 0, n_docs: 0, n_stories: 0, last_doc: u32::MAX, last_story: u32::MAX }
    }
}

impl Tally {
    /// Counts `o`; whether it starts a new story, and a new document.
    pub(crate) fn add(&mut self, o: &Occurrence) -> (bool, bool) {
        self.count += 1;
        let new_story = o.story != self.last_story;
        if new_story {
            self.last_story = o.story;
            self.n_stories += 1;
        }
        let new_doc = o.doc != self.last_doc;
        if new_doc {
            self.last_doc = o.doc;
            self.n_docs += o.members;
        }
        (new_story, new_doc)
    }
}

/// The counts of one pair in the run, with its dates and its best evidence.
pub(crate) struct PairCounts {
    pub(crate) tally: Tally,
    pub(crate) first: i64,
    pub(crate) last: i64,
    pub(crate) last_range: (u32, u32),
    /// Distinct sentence ranges of the current story so far.
    pub(crate) nth: u32,
    /// The best evidence so far, sorted: (nth, document, start, end).
    pub(crate) evidence: Vec<(u32, u32, u32, u32)>,
}

impl PairCounts {
    pub(crate) fn new() -> Self {
        Self {
            tally: Tally::default(),
            first: i64::MAX,
            last: i64::MIN,
            last_range: (u32::MAX, u32::MAX),
            nth: 0,
            evidence: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, o: &Occurrence, k: usize) {
        let (new_story, new_doc) = self.tally.add(o);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if new_story {
            self.nth = 0;
        }
        if new_doc || (o.start, o.end) != self.last_range {
            self.last_range = (o.start, o.end);
            self.nth += 1;
            let candidate = (self.nth, o.doc, o.start, o.end);
            if self.evidence.len() < k || self.evidence.last().is_some_and(|&w| candidate < w) {
                self.evidence.truncate(k.saturating_sub(1));
                let at = self.evidence.partition_point(|&c| c < candidate);
                self.evidence.insert(at, candidate);
            }
        }
    }
}

/// What one walk over the units of a scope counted for one range of `entity_a`.
pub(crate) struct RangeCounts {
    /// Each pair's place in `counts`: the map moves 16 bytes a pair when it grows, not the
    /// counts.
    pub(crate) pairs: FxHashMap<u64, u32>,
    /// The pairs' counts, in the order they were first seen.
    pub(crate) counts: Vec<(u64, PairCounts)>,
    /// Per period (in [`AggregateConfig::sorted_periods`](entente_schema::AggregateConfig::sorted_periods) order), keyed by bucket and pair.
    pub(crate) buckets: Vec<FxHashMap<(i64, u64), Tally>>,
}

/// Counts the pairs of one scope whose `entity_a` code is in `[lo, hi)` in one walk over
/// the units. Stops early, returning the share of units walked, once more than `budget`
/// pairs and pair-buckets are held (never for a range of one code, which cannot be split).
pub(crate) fn count_range(
    coded: &Coded<'_>,
    scope: Scope,
    range: (u32, u32),
    budget: usize,
    units: u64,
) -> Result<RangeCounts, f64> {
    let mut counter = RangeCounter::new(coded, range, budget);
    let _ = for_each_unit(coded, scope, |d, set| counter.add(coded, scope, d, set));
    counter.finish(units)
}

/// The counts of one range of `entity_a` made unit by unit, as [`count_range`] walks them,
/// or beside another walk over the same units ([`count_singles`]).
pub(crate) struct RangeCounter {
    lo: u32,
    hi: u32,
    budget: usize,
    periods: Vec<Period>,
    /// Each period's bucket of the unit being counted.
    bucket: Vec<i64>,
    out: RangeCounts,
    /// Per period, each pair's tally of the bucket it was last counted in, by the pair's
    /// place in [`RangeCounts::counts`]: units mostly arrive in the bucket of the unit before
    /// (a corpus in the order it was published, or one without dates), so a pair is looked up
    /// in the bucket map only when its bucket changes. A tally is here or in the map, never
    /// both, so the two together hold as many tallies as the map alone would.
    current: Vec<Vec<(i64, Tally)>>,
    /// Units seen, up to the one that went over the budget.
    walked: u64,
    over: bool,
}

impl RangeCounter {
    pub(crate) fn new(coded: &Coded<'_>, (lo, hi): (u32, u32), budget: usize) -> Self {
        let periods = coded.config.sorted_periods();
        Self {
            lo,
            hi,
            budget,
            bucket: Vec::with_capacity(periods.len()),
            out: RangeCounts {
                pairs: FxHashMap::default(),
                counts: Vec::new(),
                buckets: periods.iter().map(|_| FxHashMap::default()).collect(),
            },
            current: periods.iter().map(|_| Vec::new()).collect(),
            periods,
            walked: 0,
            over: false,
        }
    }

    /// Counts the pairs of unit `d`, whose distinct entities are `set`; breaks once over
    /// the budget, and counts nothing more.
    pub(crate) fn add(
        &mut self,
        coded: &Coded<'_>,
        scope: Scope,
        d: u32,
        set: &[(u32, u32)],
    ) -> ControlFlow<()> {
        if self.over {
            return ControlFlow::Break(());
        }
        self.walked += 1;
        let (lo, hi) = (self.lo, self.hi);
        let from = set.partition_point(|m| m.0 < lo);
        if !coded.config.gives_pairs(set.len())
            || from + 1 >= set.len()
            || set.get(from).is_none_or(|m| m.0 >= hi)
        {
            return ControlFlow::Continue(());
        }
        let k = coded.config.evidence_units as usize;
        let story = coded.story[d as usize];
        let (members, first, last) = if scope == Scope::Story {
            coded.story_docs[story as usize]
        } else {
            let published = coded.doc(d).published_at;
            (1, published, published)
        };
        let date = coded.unit_date(scope, d);
        self.bucket.clear();
        self.bucket
            .extend(self.periods.iter().map(|p| date.map_or(NO_DATE, |t| p.bucket_start(t))));
        let (out, current) = (&mut self.out, &mut self.current);
        for (i, &(a, fa)) in set.iter().enumerate().skip(from) {
            if a >= hi {
                break;
            }
            for &(b, fb) in &set[i + 1..] {
                let key = pair_key(a, b);
                let o = Occurrence {
                    doc: d,
                    story,
                    members,
                    first: first.unwrap_or(i64::MAX),
                    last: last.unwrap_or(i64::MIN),
                    start: fa.min(fb),
                    end: fa.max(fb) + 1,
                };
                let next = u32::try_from(out.counts.len()).unwrap_or(u32::MAX);
                let at = *out.pairs.entry(key).or_insert(next);
                if at == next {
                    out.counts.push((key, PairCounts::new()));
                    for (current, &bucket) in current.iter_mut().zip(&self.bucket) {
                        current.push((bucket, Tally::default()));
                    }
                }
                if let Some((_, counts)) = out.counts.get_mut(at as usize) {
                    counts.add(&o, k);
                }
                for ((map, current), &bucket) in
                    out.buckets.iter_mut().zip(current.iter_mut()).zip(&self.bucket)
                {
                    let Some(tally) = current.get_mut(at as usize) else { continue };
                    if tally.0 != bucket {
                        // The last bucket's tally into the map, this bucket's out of it.
                        let this = map.remove(&(bucket, key)).unwrap_or_default();
                        let (last, kept) = std::mem::replace(tally, (bucket, this));
                        map.insert((last, key), kept);
                    }
                    let _ = tally.1.add(&o);
                }
            }
        }
        let held = out.pairs.len()
            + out.buckets.iter().map(HashMap::len).sum::<usize>()
            + current.iter().map(Vec::len).sum::<usize>();
        if held > self.budget && hi - lo > 1 {
            self.over = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// The counts, or, when the range went over the budget, the share of the scope's
    /// `units` walked by then.
    pub(crate) fn finish(self, units: u64) -> Result<RangeCounts, f64> {
        #[allow(clippy::cast_precision_loss, reason = "a share")]
        if self.over {
            return Err(self.walked as f64 / units.max(1) as f64);
        }
        let mut out = self.out;
        for (map, current) in out.buckets.iter_mut().zip(self.current) {
            for (&(key, _), (bucket, tally)) in out.counts.iter().zip(current) {
                map.insert((bucket, key), tally);
            }
        }
        Ok(out)
    }
}

/// Splits `[lo, hi)` into about `parts` ranges of equal pair weight, at least two.
pub(crate) fn split(weight: &[u64], (lo, hi): (u32, u32), parts: u64) -> Vec<(u32, u32)> {
    let within = &weight[lo as usize..hi as usize];
    let budget = within.iter().sum::<u64>().div_ceil(parts.max(2)).max(1);
    let ranges: Vec<(u32, u32)> =
        partitions(within, budget).into_iter().map(|(x, y)| (lo + x, lo + y)).collect();
    if ranges.len() > 1 {
        return ranges;
    }
    let mid = lo + (hi - lo) / 2;
    vec![(lo, mid), (mid, hi)]
}
