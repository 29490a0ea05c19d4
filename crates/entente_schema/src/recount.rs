//! The slow reference the aggregate stage is checked against: the association measures
//! ([`association`]) and a brute-force recount of every co-occurrence statistic
//! ([`recount_cooccurrences`]), written for obviousness, not speed.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::AggregateConfig;
use crate::output::Tables;
use crate::tables::{Cooccurrence, CooccurrencePeriod, Document, EntityType, Evidence, Scope};

/// The association measures of a pair seen together in `count` of `n_units` units, each
/// alone in `count_a` and `count_b` units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Association {
    /// `log2(count * n_units / (count_a * count_b))`.
    pub pmi: f64,
    /// `pmi / -log2(count / n_units)`, and 1 when `count = n_units`.
    pub npmi: f64,
    /// Dunning's G²: `2 Σ O ln(O / E)` over the four cells of the 2×2 table with `O > 0`.
    pub llr: f64,
    /// `2 * count / (count_a + count_b)`.
    pub dice: f64,
}

/// The association measures of one pair; `count` must be at least 1 and at most
/// `count_a`, `count_b` and `n_units` (as in every row the stage writes).
///
/// ```
/// let m = entente_schema::association(2, 2, 2, 8);
/// assert!((m.pmi - 2.0).abs() < 1e-12 && (m.npmi - 1.0).abs() < 1e-12 && m.dice == 1.0);
/// // Observed (2, 0, 0, 6) units against expected (0.5, 1.5, 1.5, 4.5):
/// assert!((m.llr - 2.0 * (2.0 * 4f64.ln() + 6.0 * (6.0 / 4.5f64).ln())).abs() < 1e-12);
/// ```
pub fn association(count: u32, count_a: u32, count_b: u32, n_units: u32) -> Association {
    let (c, ca, cb, n) =
        (f64::from(count), f64::from(count_a), f64::from(count_b), f64::from(n_units));
    let pmi = (c * n / (ca * cb)).log2();
    let h = -(c / n).log2();
    let npmi = if h > 0.0 { pmi / h } else { 1.0 };
    let cells = [
        (c, ca * cb / n),
        (ca - c, ca * (n - cb) / n),
        (cb - c, (n - ca) * cb / n),
        (n - ca - cb + c, (n - ca) * (n - cb) / n),
    ];
    let g2: f64 = cells.iter().filter(|(o, _)| *o > 0.0).map(|(o, e)| o * (o / e).ln()).sum();
    Association { pmi, npmi, llr: (2.0 * g2).max(0.0), dice: 2.0 * c / (ca + cb) }
}

/// The rows of `cooccurrences` and `cooccurrences_by_period`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counted {
    /// `cooccurrences`, sorted by scope, `entity_a`, `entity_b`.
    pub cooccurrences: Vec<Cooccurrence>,
    /// `cooccurrences_by_period`, sorted by scope, `entity_a`, `entity_b`, period,
    /// `period_start` (null first).
    pub by_period: Vec<CooccurrencePeriod>,
}

/// One unit: its story, the date that puts it in a time bucket, the documents behind it
/// (for `story`, every copy), and the entities its text mentions with the first sentence
/// mentioning each.
struct Unit<'a> {
    story: &'a str,
    date: Option<i64>,
    doc: &'a str,
    members: Vec<&'a str>,
    entities: BTreeMap<&'a str, u32>,
}

/// What one pair accumulates over the units of a scope.
#[derive(Default)]
struct PairAcc<'a> {
    count: u32,
    docs: BTreeSet<&'a str>,
    stories: BTreeSet<&'a str>,
    first: Option<i64>,
    last: Option<i64>,
    /// `(document rank, first sentence, story, evidence)` of each unit.
    units: Vec<(usize, u32, &'a str, Evidence)>,
}

/// Counts every co-occurrence statistic the slow, obvious way: builds every unit of every
/// scope as a set of entities per document, then counts pairs and singles unit by unit.
/// A unit is a row of `sentences`, a window of them, a row of `documents`, or a story.
pub fn recount_cooccurrences(tables: Tables<'_>, config: &AggregateConfig) -> Counted {
    let stop: BTreeSet<&str> = config.stoplist.iter().map(String::as_str).collect();
    let mut sentence_rows: BTreeMap<&str, u32> = BTreeMap::new();
    for s in tables.sentences {
        *sentence_rows.entry(&s.doc_id).or_default() += 1;
    }
    let mut ordered: Vec<&Document> = tables.documents.iter().collect();
    ordered.sort_by_key(|d| (d.published_at.is_none(), d.published_at, d.doc_id.as_str()));
    let rank: BTreeMap<&str, usize> =
        ordered.iter().enumerate().map(|(i, d)| (d.doc_id.as_str(), i)).collect();
    let story = |d: &'_ Document| d.story_id.clone().unwrap_or_else(|| d.doc_id.clone());
    let stories: Vec<String> = tables.documents.iter().map(story).collect();
    let mut story_date: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    let mut members_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (d, s) in tables.documents.iter().zip(&stories) {
        members_of.entry(s).or_default().push(&d.doc_id);
        let date = story_date.entry(s).or_insert(None);
        if let Some(p) = d.published_at {
            *date = Some(date.map_or(p, |q| q.min(p)));
        }
    }
    let mut names: BTreeMap<&str, (&str, EntityType)> = BTreeMap::new();
    let mut mentions: BTreeMap<&str, Vec<(u32, &str)>> = BTreeMap::new();
    for e in tables.entities {
        if config.entity_types.contains(&e.entity_type) && !stop.contains(e.entity_id.as_str()) {
            names.entry(&e.entity_id).or_insert((&e.entity_name, e.entity_type));
            mentions.entry(&e.doc_id).or_default().push((e.sentence_idx, &e.entity_id));
        }
    }
    let in_sentences = |doc: &str, from: u32, to: u32| {
        let mut set: BTreeMap<&str, u32> = BTreeMap::new();
        for &(s, id) in mentions.get(doc).into_iter().flatten() {
            if (from..to).contains(&s) {
                let first = set.entry(id).or_insert(s);
                *first = (*first).min(s);
            }
        }
        set
    };

    let mut out = Counted::default();
    for scope in config.sorted_scopes() {
        let mut units: Vec<Unit<'_>> = Vec::new();
        for (d, s) in tables.documents.iter().zip(&stories) {
            let n = sentence_rows.get(d.doc_id.as_str()).copied().unwrap_or(0);
            let ranges: Vec<(u32, u32)> = match scope {
                Scope::Sentence => (0..n).map(|i| (i, i + 1)).collect(),
                Scope::Window => {
                    (0..config.windows(n)).map(|w| (w, w + config.window_sentences)).collect()
                }
                // A story is read once, in its canonical document.
                Scope::Story if s != &d.doc_id => vec![],
                _ => vec![(0, u32::MAX)],
            };
            let (date, members) = if scope == Scope::Story {
                (story_date[s.as_str()], members_of[s.as_str()].clone())
            } else {
                (d.published_at, vec![d.doc_id.as_str()])
            };
            for (from, to) in ranges {
                units.push(Unit {
                    story: s,
                    date,
                    doc: &d.doc_id,
                    members: members.clone(),
                    entities: in_sentences(&d.doc_id, from, to),
                });
            }
        }
        // Units of too many entities are left out of the scope (`max_unit_entities`).
        units.retain(|u| config.gives_pairs(u.entities.len()));
        let all: Vec<&Unit<'_>> = units.iter().collect();
        let kept = pair_rows(scope, &all, &names, &rank, tables.documents, config, &mut out);
        for period in config.sorted_periods() {
            let mut buckets: BTreeMap<Option<i64>, Vec<&Unit<'_>>> = BTreeMap::new();
            for unit in &units {
                buckets.entry(unit.date.map(|t| period.bucket_start(t))).or_default().push(unit);
            }
            for (start, units) in buckets {
                let (pairs, single) = count_units(&units, &rank, tables.documents);
                let n_units = u32::try_from(units.len()).unwrap_or(u32::MAX);
                for ((a, b), acc) in pairs {
                    if !kept.contains(&(a, b)) {
                        continue;
                    }
                    let pair = row(scope, (a, b), &names, &acc, &single, n_units, Vec::new());
                    out.by_period.push(CooccurrencePeriod::of(period, start, pair));
                }
            }
        }
    }
    CooccurrencePeriod::sort(&mut out.by_period);
    out
}

/// Pushes the `cooccurrences` rows of one scope and returns the pairs kept.
fn pair_rows<'a>(
    scope: Scope,
    units: &[&Unit<'a>],
    names: &BTreeMap<&'a str, (&'a str, EntityType)>,
    rank: &BTreeMap<&str, usize>,
    documents: &[Document],
    config: &AggregateConfig,
    out: &mut Counted,
) -> BTreeSet<(&'a str, &'a str)> {
    let (pairs, single) = count_units(units, rank, documents);
    let n_units = u32::try_from(units.len()).unwrap_or(u32::MAX);
    let mut kept = BTreeSet::new();
    for ((a, b), mut acc) in pairs {
        if acc.count < config.min_count {
            continue;
        }
        kept.insert((a, b));
        // Distinct sentence ranges: the first, then one per story in order while stories
        // remain, then the rest.
        acc.units.sort_by_key(|u| (u.0, u.1, u.3.sentence_end));
        acc.units.dedup_by_key(|u| (u.0, u.1, u.3.sentence_end));
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ranked: Vec<(usize, usize, u32, Evidence)> = std::mem::take(&mut acc.units)
            .into_iter()
            .map(|(r, s, story, ev)| {
                let occurrence = seen.entry(story).or_default();
                *occurrence += 1;
                (*occurrence, r, s, ev)
            })
            .collect();
        ranked.sort_by_key(|u| (u.0, u.1, u.2, u.3.sentence_end));
        let evidence: Vec<Evidence> =
            ranked.into_iter().take(config.evidence_units as usize).map(|u| u.3).collect();
        out.cooccurrences.push(row(scope, (a, b), names, &acc, &single, n_units, evidence));
    }
    kept
}

/// The row of pair `(a, b)` from its accumulator and the units mentioning each entity.
fn row(
    scope: Scope,
    (a, b): (&str, &str),
    names: &BTreeMap<&str, (&str, EntityType)>,
    acc: &PairAcc<'_>,
    single: &BTreeMap<&str, u32>,
    n_units: u32,
    evidence: Vec<Evidence>,
) -> Cooccurrence {
    let m = association(acc.count, single[a], single[b], n_units);
    let ((name_a, type_a), (name_b, type_b)) = (names[a], names[b]);
    let (first_doc_id, first_sentence_idx) =
        evidence.first().map(|e| (e.doc_id.clone(), e.sentence_idx)).unwrap_or_default();
    Cooccurrence {
        scope,
        entity_a: a.to_owned(),
        entity_b: b.to_owned(),
        name_a: name_a.to_owned(),
        name_b: name_b.to_owned(),
        type_a,
        type_b,
        count: acc.count,
        count_a: single[a],
        count_b: single[b],
        n_units,
        pmi: m.pmi,
        npmi: m.npmi,
        llr: m.llr,
        dice: m.dice,
        n_docs: u32::try_from(acc.docs.len()).unwrap_or(u32::MAX),
        n_stories: u32::try_from(acc.stories.len()).unwrap_or(u32::MAX),
        first_published_at: acc.first,
        last_published_at: acc.last,
        first_doc_id,
        first_sentence_idx,
        evidence,
    }
}

/// Pair accumulators and the number of units mentioning each entity.
#[allow(clippy::type_complexity)]
fn count_units<'a>(
    units: &[&Unit<'a>],
    rank: &BTreeMap<&str, usize>,
    documents: &[Document],
) -> (BTreeMap<(&'a str, &'a str), PairAcc<'a>>, BTreeMap<&'a str, u32>) {
    let published: BTreeMap<&str, Option<i64>> =
        documents.iter().map(|d| (d.doc_id.as_str(), d.published_at)).collect();
    let mut single: BTreeMap<&str, u32> = BTreeMap::new();
    let mut pairs: BTreeMap<(&str, &str), PairAcc<'_>> = BTreeMap::new();
    for unit in units {
        for &id in unit.entities.keys() {
            *single.entry(id).or_default() += 1;
        }
        for (&a, &fa) in &unit.entities {
            let after = (std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded);
            for (&b, &fb) in unit.entities.range::<&str, _>(after) {
                let acc = pairs.entry((a, b)).or_default();
                acc.count += 1;
                acc.docs.extend(&unit.members);
                acc.stories.insert(unit.story);
                for &doc in &unit.members {
                    if let Some(p) = published[doc] {
                        acc.first = Some(acc.first.map_or(p, |q| q.min(p)));
                        acc.last = Some(acc.last.map_or(p, |q| q.max(p)));
                    }
                }
                let (start, end) = (fa.min(fb), fa.max(fb) + 1);
                let evidence = Evidence {
                    doc_id: unit.doc.to_owned(),
                    sentence_idx: start,
                    sentence_end: end,
                };
                acc.units.push((rank[unit.doc], start, unit.story, evidence));
            }
        }
    }
    (pairs, single)
}
