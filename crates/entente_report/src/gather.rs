//! Reading an output directory into what the report shows: a few passes over the tables, each
//! reading only the columns it needs, a record batch at a time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use entente_parquet::read_columns;
use entente_schema::{
    Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Scope, Sentence,
};
use serde::Deserialize;

use crate::axis::{Axis, day};
use crate::model::{
    Data, DocOut, EdgeOut, EntityOut, NodeOut, Overview, Pruning, Quality, Report, ScopeOut,
    SentenceOut, UnitOut,
};
use crate::summary::{
    aggregate_config, count_rows, has_table, read_boilerplate, read_documents, read_optional,
    read_rejects, read_versions,
};
use crate::{Error, Options, layout};

/// Reads the report of the output directory `out`.
pub(crate) fn gather(out: &Path, options: &Options) -> Result<Report, Error> {
    if !has_table::<Document>(out) {
        return Err(Error::NotAnOutput { path: out.to_owned() });
    }
    let mut overview = Overview::default();
    let mut quality = Quality::default();
    let docs = read_documents(out, &mut overview)?;
    read_versions(out, &mut overview, &mut quality)?;
    read_boilerplate(out, &mut overview)?;
    read_rejects(out, options, &mut overview, &mut quality)?;
    overview.sentences = count_rows::<Sentence>(out)?;
    overview.mentions = count_rows::<Entity>(out)?;

    let config = aggregate_config(out)?;
    overview.aggregate_config = config.as_ref().map(serde_json::to_string).transpose()?;
    let axis = Axis::choose(&docs, config.as_ref().map_or(&[][..], |c| &c.periods), out);
    let summary = read_optional::<EntitySummary>(out)?;
    overview.entities = summary.len() as u64;

    // Entities with a pair in some scope, and the number of pairs per scope.
    let mut paired: HashSet<String> = HashSet::new();
    let mut pairs: BTreeMap<Scope, u64> = BTreeMap::new();
    if has_table::<Cooccurrence>(out) {
        read_columns::<Cooccurrence, PairKey, Error>(
            out,
            &["scope", "entity_a", "entity_b"],
            |rows| {
                for r in rows {
                    if let Some(scope) = Scope::parse(&r.scope) {
                        *pairs.entry(scope).or_default() += 1;
                    }
                    paired.insert(r.entity_a);
                    paired.insert(r.entity_b);
                }
                Ok(())
            },
        )?;
    }
    overview.pairs = pairs.iter().map(|(s, n)| (s.as_str().to_owned(), *n)).collect();

    // Nodes: the most mentioned entities with a pair.
    let mut ranked: Vec<&EntitySummary> = summary.iter().collect();
    ranked.sort_by(|x, y| {
        y.mentions
            .cmp(&x.mentions)
            .then(y.documents.cmp(&x.documents))
            .then(x.entity_id.cmp(&y.entity_id))
    });
    let candidates: Vec<&EntitySummary> =
        ranked.iter().copied().filter(|e| paired.contains(&e.entity_id)).collect();
    let node_ids: Vec<&str> =
        candidates.iter().take(options.max_nodes).map(|e| e.entity_id.as_str()).collect();

    // Listed entities: the top of each type, then any node not among them.
    let mut per_type: HashMap<&str, usize> = HashMap::new();
    let mut listed: Vec<&EntitySummary> = Vec::new();
    let nodes_set: HashSet<&str> = node_ids.iter().copied().collect();
    for e in &ranked {
        let n = per_type.entry(e.entity_type.as_str()).or_default();
        if *n < options.entities_per_type || nodes_set.contains(e.entity_id.as_str()) {
            *n += 1;
            listed.push(e);
        }
    }
    let entity_index: HashMap<&str, usize> =
        listed.iter().enumerate().map(|(i, e)| (e.entity_id.as_str(), i)).collect();
    let node_index: HashMap<&str, usize> =
        node_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    let mut data = Data {
        pruning: Pruning {
            entities_total: summary.len() as u64,
            entities_per_type: options.entities_per_type,
            max_nodes: options.max_nodes,
            node_candidates: candidates.len(),
            max_edges: options.max_edges,
            evidence_per_edge: options.evidence_per_edge,
            layout_scope: None,
        },
        ..Data::default()
    };
    data.entities = listed
        .iter()
        .map(|e| EntityOut {
            id: e.entity_id.clone(),
            name: e.entity_name.clone(),
            entity_type: e.entity_type.as_str().to_owned(),
            mentions: e.mentions,
            documents: e.documents,
            stories: e.stories,
            first: e.first_seen.map(day),
            last: e.last_seen.map(day),
            surfaces: e.top_surfaces.iter().map(|s| s.text.clone()).collect(),
            trend: Vec::new(),
            node: node_index.get(e.entity_id.as_str()).copied(),
        })
        .collect();

    // Edges among the nodes, per scope: the pairs seen together most often.
    let mut edges: BTreeMap<Scope, Vec<PairRow>> = BTreeMap::new();
    let mut n_units: BTreeMap<Scope, u32> = BTreeMap::new();
    if has_table::<Cooccurrence>(out) {
        read_columns::<Cooccurrence, PairRow, Error>(out, PAIR_COLUMNS, |rows| {
            for r in rows {
                let Some(scope) = Scope::parse(&r.scope) else { continue };
                n_units.insert(scope, r.n_units);
                if node_index.contains_key(r.entity_a.as_str())
                    && node_index.contains_key(r.entity_b.as_str())
                {
                    edges.entry(scope).or_default().push(r);
                }
            }
            Ok(())
        })?;
    }
    for rows in edges.values_mut() {
        rows.sort_by(|x, y| {
            y.count
                .cmp(&x.count)
                .then(y.llr.total_cmp(&x.llr))
                .then_with(|| (&x.entity_a, &x.entity_b).cmp(&(&y.entity_a, &y.entity_b)))
        });
        rows.truncate(options.max_edges);
    }

    // The layout, from the first scope's edges.
    let layout_scope = Scope::ALL.into_iter().find(|s| edges.contains_key(s));
    data.pruning.layout_scope = layout_scope.map(Scope::as_str);
    let weighted: Vec<(usize, usize, f64)> = layout_scope
        .and_then(|s| edges.get(&s))
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (node_index[r.entity_a.as_str()], node_index[r.entity_b.as_str()], {
                        f64::from(r.count)
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let positions = layout::layout(node_ids.len(), &weighted);
    data.nodes = node_ids
        .iter()
        .zip(positions)
        .map(|(id, (x, y))| NodeOut { e: entity_index[id], x, y })
        .collect();

    // Evidence: the documents and sentences to show.
    let mut evidence = Evidence::default();
    let mut edge_keys: HashMap<(Scope, String, String), (usize, usize)> = HashMap::new();
    for (scope, rows) in &edges {
        let mut out_edges = Vec::with_capacity(rows.len());
        for r in rows {
            edge_keys.insert(
                (*scope, r.entity_a.clone(), r.entity_b.clone()),
                (data.scopes.len(), out_edges.len()),
            );
            let units = r
                .evidence
                .iter()
                .take(options.evidence_per_edge)
                .map(|u| evidence.unit(&u.doc_id, u.sentence_idx, u.sentence_end))
                .collect();
            out_edges.push(EdgeOut {
                a: node_index[r.entity_a.as_str()],
                b: node_index[r.entity_b.as_str()],
                count: r.count,
                pmi: round(r.pmi),
                npmi: round(r.npmi),
                llr: round(r.llr),
                dice: round(r.dice),
                docs: r.n_docs,
                stories: r.n_stories,
                first: r.first_published_at.map(day),
                last: r.last_published_at.map(day),
                evidence: units,
                trend: Vec::new(),
            });
        }
        data.scopes.push(ScopeOut {
            scope: scope.as_str(),
            n_units: n_units.get(scope).copied().unwrap_or(0),
            pairs: pairs.get(scope).copied().unwrap_or(0),
            edges: out_edges,
        });
    }

    // Pair trends from `cooccurrences_by_period`.
    if let Some(axis) = &axis
        && axis.pairs
        && has_table::<CooccurrencePeriod>(out)
    {
        read_columns::<CooccurrencePeriod, PeriodRow, Error>(
            out,
            &["period", "period_start", "scope", "entity_a", "entity_b", "count"],
            |rows| {
                for r in rows {
                    let (Some(scope), Some(start)) = (Scope::parse(&r.scope), r.period_start)
                    else {
                        continue;
                    };
                    if r.period != axis.period.as_str() {
                        continue;
                    }
                    if let Some(&(s, e)) = edge_keys.get(&(scope, r.entity_a, r.entity_b))
                        && let Some(bucket) = axis.bucket(start)
                    {
                        data.scopes[s].edges[e].trend.push([bucket, r.count]);
                    }
                }
                Ok(())
            },
        )?;
        for scope in &mut data.scopes {
            for edge in &mut scope.edges {
                edge.trend.sort_unstable();
            }
        }
    }

    // Entity trends and the mentions in evidence sentences.
    let mut trends: BTreeMap<(usize, u32), u32> = BTreeMap::new();
    let mut mentions: BTreeMap<usize, Vec<(u32, u32, usize)>> = BTreeMap::new();
    if has_table::<Entity>(out) {
        read_columns::<Entity, MentionRow, Error>(
            out,
            &["doc_id", "sentence_idx", "char_start", "char_end", "entity_id"],
            |rows| {
                for r in rows {
                    let Some(&e) = entity_index.get(r.entity_id.as_str()) else { continue };
                    if let Some(axis) = &axis
                        && let Some(&t) = docs.published.get(&r.doc_id)
                        && let Some(bucket) = axis.bucket(axis.period.bucket_start(t))
                    {
                        *trends.entry((e, bucket)).or_default() += 1;
                    }
                    if let Some(&s) = evidence.sentences.get(&(r.doc_id, r.sentence_idx)) {
                        mentions.entry(s).or_default().push((r.char_start, r.char_end, e));
                    }
                }
                Ok(())
            },
        )?;
    }
    for ((e, bucket), n) in trends {
        data.entities[e].trend.push([bucket, n]);
    }

    // The evidence sentences' text, and their documents.
    let mut texts: Vec<Option<(u32, String)>> = vec![None; evidence.order.len()];
    if !evidence.order.is_empty() {
        read_columns::<Sentence, SentenceRow, Error>(
            out,
            &["doc_id", "sentence_idx", "char_start", "text"],
            |rows| {
                for r in rows {
                    if let Some(&s) = evidence.sentences.get(&(r.doc_id, r.sentence_idx)) {
                        texts[s] = Some((r.char_start, r.text));
                    }
                }
                Ok(())
            },
        )?;
    }
    data.sentences = evidence
        .order
        .iter()
        .zip(texts)
        .enumerate()
        .map(|(s, ((d, i), text))| {
            let (start, text) = text.unwrap_or_default();
            let len = text.chars().count();
            let mut m: Vec<[usize; 3]> = mentions
                .remove(&s)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(a, b, e)| {
                    let a = a.checked_sub(start)? as usize;
                    let b = b.checked_sub(start)? as usize;
                    (a < b && b <= len).then_some([a, b, e])
                })
                .collect();
            m.sort_unstable();
            SentenceOut { d: *d, i: *i, text, m }
        })
        .collect();

    let wanted: HashMap<&str, usize> =
        evidence.docs.iter().enumerate().map(|(i, d)| (d.as_str(), i)).collect();
    let story_ids: HashSet<&str> = docs.top_stories.iter().map(|(id, _)| id.as_str()).collect();
    let mut doc_rows: Vec<Option<DocOut>> = (0..evidence.docs.len()).map(|_| None).collect();
    let mut story_titles: HashMap<String, String> = HashMap::new();
    read_columns::<Document, DocRow, Error>(
        out,
        &["doc_id", "source", "site_name", "title", "url", "published_at"],
        |rows| {
            for r in rows {
                if story_ids.contains(r.doc_id.as_str()) {
                    story_titles.insert(r.doc_id.clone(), r.title.clone().unwrap_or_default());
                }
                if let Some(&i) = wanted.get(r.doc_id.as_str()) {
                    doc_rows[i] = Some(DocOut {
                        id: r.doc_id,
                        title: r.title,
                        published: r.published_at.map(day),
                        site: r.site_name,
                        source: r.source,
                        url: r.url,
                    });
                }
            }
            Ok(())
        },
    )?;
    data.docs = evidence
        .docs
        .iter()
        .zip(doc_rows)
        .map(|(id, row)| {
            row.unwrap_or_else(|| DocOut {
                id: id.clone(),
                title: None,
                published: None,
                site: None,
                source: String::new(),
                url: None,
            })
        })
        .collect();
    quality.top_stories = docs
        .top_stories
        .iter()
        .map(|(id, n)| (story_titles.get(id).cloned().unwrap_or_default(), id.clone(), *n))
        .collect();
    data.period = axis;
    Ok(Report { overview, quality, data })
}

const PAIR_COLUMNS: &[&str] = &[
    "scope",
    "entity_a",
    "entity_b",
    "count",
    "n_units",
    "pmi",
    "npmi",
    "llr",
    "dice",
    "n_docs",
    "n_stories",
    "first_published_at",
    "last_published_at",
    "evidence",
];

#[derive(Deserialize)]
struct PairKey {
    scope: String,
    entity_a: String,
    entity_b: String,
}

#[derive(Deserialize)]
struct PairRow {
    scope: String,
    entity_a: String,
    entity_b: String,
    count: u32,
    n_units: u32,
    pmi: f64,
    npmi: f64,
    llr: f64,
    dice: f64,
    n_docs: u32,
    n_stories: u32,
    first_published_at: Option<i64>,
    last_published_at: Option<i64>,
    evidence: Vec<EvidenceRow>,
}

#[derive(Deserialize)]
struct EvidenceRow {
    doc_id: String,
    sentence_idx: u32,
    sentence_end: u32,
}

#[derive(Deserialize)]
struct PeriodRow {
    period: String,
    period_start: Option<i64>,
    scope: String,
    entity_a: String,
    entity_b: String,
    count: u32,
}

#[derive(Deserialize)]
struct MentionRow {
    doc_id: String,
    sentence_idx: u32,
    char_start: u32,
    char_end: u32,
    entity_id: String,
}

#[derive(Deserialize)]
struct SentenceRow {
    doc_id: String,
    sentence_idx: u32,
    char_start: u32,
    text: String,
}

#[derive(Deserialize)]
struct DocRow {
    doc_id: String,
    source: String,
    site_name: Option<String>,
    title: Option<String>,
    url: Option<String>,
    published_at: Option<i64>,
}

/// The evidence units' documents and sentences, numbered in the order edges ask for them.
#[derive(Default)]
struct Evidence {
    docs: Vec<String>,
    doc_index: HashMap<String, usize>,
    /// Document index and sentence index of each sentence shown.
    order: Vec<(usize, u32)>,
    sentences: HashMap<(String, u32), usize>,
}

impl Evidence {
    /// Sentences of a unit shown in full up to this many; longer units show their first and
    /// last sentence (which hold the first mention of each entity) with a gap between.
    const FULL_UNIT: u32 = 3;

    fn unit(&mut self, doc_id: &str, start: u32, end: u32) -> UnitOut {
        let d = if let Some(&d) = self.doc_index.get(doc_id) {
            d
        } else {
            self.docs.push(doc_id.to_owned());
            self.doc_index.insert(doc_id.to_owned(), self.docs.len() - 1);
            self.docs.len() - 1
        };
        let end = end.max(start + 1);
        let (shown, gap): (Vec<u32>, bool) = if end - start <= Self::FULL_UNIT {
            ((start..end).collect(), false)
        } else {
            (vec![start, end - 1], true)
        };
        let s = shown
            .into_iter()
            .map(|i| {
                let key = (doc_id.to_owned(), i);
                if let Some(&s) = self.sentences.get(&key) {
                    return s;
                }
                self.order.push((d, i));
                self.sentences.insert(key, self.order.len() - 1);
                self.order.len() - 1
            })
            .collect();
        UnitOut { d, s, gap }
    }
}

/// A measure rounded to 4 decimals, enough to rank and read.
fn round(x: f64) -> f64 {
    if x.is_finite() { (x * 1e4).round() / 1e4 } else { 0.0 }
}
