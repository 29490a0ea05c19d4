//! Reading an output directory into what the report shows: a few passes over the tables, each
//! reading only the columns it needs, a record batch at a time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use entente_parquet::{Error as ParquetError, read_columns, read_metadata, table_dir};
use entente_schema::{
    AggregateConfig, Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity,
    EntitySummary, Period, Reject, Scope, Sentence, Table,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Options, layout};

/// Everything the page shows.
pub(crate) struct Report {
    pub(crate) overview: Overview,
    pub(crate) quality: Quality,
    pub(crate) data: Data,
}

/// The overview panel, rendered as HTML.
#[derive(Default)]
pub(crate) struct Overview {
    pub(crate) documents: u64,
    pub(crate) words: u64,
    pub(crate) sentences: u64,
    pub(crate) mentions: u64,
    pub(crate) entities: u64,
    pub(crate) input_files: usize,
    /// Documents per site (`site_name`, null as "unnamed"), most first.
    pub(crate) sites: Vec<(String, u64)>,
    /// Documents per language (null as "unknown"), most first.
    pub(crate) languages: Vec<(String, u64)>,
    pub(crate) first_published: Option<i64>,
    pub(crate) last_published: Option<i64>,
    pub(crate) undated: u64,
    pub(crate) stories: u64,
    pub(crate) exact_copies: u64,
    pub(crate) near_copies: u64,
    pub(crate) not_extractable: u64,
    pub(crate) rejects: u64,
    /// Boilerplate removals per rule, and in all: removals, documents, characters.
    pub(crate) boilerplate: Vec<(String, u64)>,
    pub(crate) boilerplate_docs: u64,
    pub(crate) boilerplate_chars: u64,
    /// Pairs per scope in `cooccurrences`.
    pub(crate) pairs: Vec<(String, u64)>,
    /// The name of the pipeline that made the tables (from the run state), when recorded.
    pub(crate) pipeline: Option<String>,
    /// The entente version and table contract that wrote the tables.
    pub(crate) entente_version: String,
    pub(crate) contract_version: String,
    /// The hash of each stage's options (`entente.config.<stage>`).
    pub(crate) stage_hashes: Vec<(String, String)>,
    /// The `[aggregate]` options the pairs were counted with, as JSON.
    pub(crate) aggregate_config: Option<String>,
}

/// The data quality panel, rendered as HTML.
#[derive(Default)]
pub(crate) struct Quality {
    /// Rejects per stage and reason.
    pub(crate) reject_counts: Vec<(String, String, u64)>,
    /// The first rejects, in table order.
    pub(crate) rejects: Vec<RejectRow>,
    /// Records deliberately not read as documents, per kind.
    pub(crate) skipped: BTreeMap<String, u64>,
    /// Documents not extracted, per language.
    pub(crate) not_extracted: BTreeMap<String, u64>,
    /// The stories with the most copies: title, story id, copies.
    pub(crate) top_stories: Vec<(String, String, u64)>,
}

/// A `rejects` row.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RejectRow {
    pub(crate) source: String,
    pub(crate) source_record: u32,
    pub(crate) stage: String,
    pub(crate) reason: String,
    pub(crate) detail: String,
}

/// What the page's script draws, embedded as JSON.
#[derive(Serialize, Default)]
pub(crate) struct Data {
    /// The time axis of every trend; null when no document has a date.
    pub(crate) period: Option<Axis>,
    pub(crate) entities: Vec<EntityOut>,
    pub(crate) nodes: Vec<NodeOut>,
    pub(crate) scopes: Vec<ScopeOut>,
    pub(crate) docs: Vec<DocOut>,
    pub(crate) sentences: Vec<SentenceOut>,
    pub(crate) pruning: Pruning,
}

/// Buckets of one period length from the first dated document's to the last's.
#[derive(Serialize)]
pub(crate) struct Axis {
    pub(crate) unit: &'static str,
    pub(crate) labels: Vec<String>,
    /// Whether `cooccurrences_by_period` has this period (else pairs have no trends).
    pub(crate) pairs: bool,
    #[serde(skip)]
    period: Period,
    /// The first bucket's start.
    #[serde(skip)]
    first: i64,
}

#[derive(Serialize)]
pub(crate) struct EntityOut {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) entity_type: String,
    pub(crate) mentions: u32,
    pub(crate) documents: u32,
    pub(crate) stories: u32,
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
    pub(crate) surfaces: Vec<String>,
    /// Mentions per bucket of the axis, as `[bucket, count]`, buckets without none left out.
    pub(crate) trend: Vec<[u32; 2]>,
    /// The network node of the entity, if it is one.
    pub(crate) node: Option<usize>,
}

#[derive(Serialize)]
pub(crate) struct NodeOut {
    /// Index in `entities`.
    pub(crate) e: usize,
    pub(crate) x: f64,
    pub(crate) y: f64,
}

#[derive(Serialize)]
pub(crate) struct ScopeOut {
    pub(crate) scope: &'static str,
    pub(crate) n_units: u32,
    /// Pairs of the scope in the tables, before pruning.
    pub(crate) pairs: u64,
    pub(crate) edges: Vec<EdgeOut>,
}

#[derive(Serialize)]
pub(crate) struct EdgeOut {
    /// Node indices.
    pub(crate) a: usize,
    pub(crate) b: usize,
    pub(crate) count: u32,
    pub(crate) pmi: f64,
    pub(crate) npmi: f64,
    pub(crate) llr: f64,
    pub(crate) dice: f64,
    pub(crate) docs: u32,
    pub(crate) stories: u32,
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
    pub(crate) evidence: Vec<UnitOut>,
    pub(crate) trend: Vec<[u32; 2]>,
}

/// One unit of evidence: its document and the sentences shown, with a gap between the first
/// two when sentences in between are left out.
#[derive(Serialize)]
pub(crate) struct UnitOut {
    pub(crate) d: usize,
    pub(crate) s: Vec<usize>,
    pub(crate) gap: bool,
}

#[derive(Serialize)]
pub(crate) struct DocOut {
    pub(crate) id: String,
    pub(crate) title: Option<String>,
    pub(crate) published: Option<String>,
    pub(crate) site: Option<String>,
    pub(crate) source: String,
    pub(crate) url: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SentenceOut {
    pub(crate) d: usize,
    pub(crate) i: u32,
    pub(crate) text: String,
    /// Mentions of listed entities: code point start and end in `text`, entity index.
    pub(crate) m: Vec<[usize; 3]>,
}

/// How the report was cut down from the tables, for the page to say.
#[derive(Serialize, Default)]
pub(crate) struct Pruning {
    pub(crate) entities_total: u64,
    pub(crate) entities_per_type: usize,
    pub(crate) max_nodes: usize,
    pub(crate) node_candidates: usize,
    pub(crate) max_edges: usize,
    pub(crate) evidence_per_edge: usize,
    pub(crate) layout_scope: Option<&'static str>,
}

/// Reads the report of the output directory `out`.
pub(crate) fn gather(out: &Path, options: &Options) -> Result<Report, Error> {
    if entente_parquet::parts(&table_dir::<Document>(out)).map_or(true, |p| p.is_empty()) {
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

#[derive(Deserialize)]
struct DocStats {
    doc_id: String,
    source: String,
    site_name: Option<String>,
    published_at: Option<i64>,
    language: Option<String>,
    extractable: Option<bool>,
    story_id: Option<String>,
    duplicate_kind: Option<String>,
    n_words: u32,
}

#[derive(Deserialize)]
struct BoilerplateRow {
    doc_id: String,
    rule: String,
    raw_char_start: u32,
    raw_char_end: u32,
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

/// What the documents pass keeps: publication times for trends and the biggest stories.
struct Docs {
    published: HashMap<String, i64>,
    first: Option<i64>,
    last: Option<i64>,
    /// Story ids with the most copies, and their documents.
    top_stories: Vec<(String, u64)>,
}

/// Stories listed in the data quality panel.
const TOP_STORIES: usize = 10;

fn read_documents(out: &Path, overview: &mut Overview) -> Result<Docs, Error> {
    let mut published = HashMap::new();
    let mut sources: HashSet<String> = HashSet::new();
    let mut sites: BTreeMap<String, u64> = BTreeMap::new();
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    let mut stories: HashMap<String, u64> = HashMap::new();
    read_columns::<Document, DocStats, Error>(
        out,
        &[
            "doc_id",
            "source",
            "site_name",
            "published_at",
            "language",
            "extractable",
            "story_id",
            "duplicate_kind",
            "n_words",
        ],
        |rows| {
            for r in rows {
                overview.documents += 1;
                overview.words += u64::from(r.n_words);
                sources.insert(r.source);
                *sites.entry(r.site_name.unwrap_or_else(|| "unnamed".into())).or_default() += 1;
                *languages.entry(r.language.unwrap_or_else(|| "unknown".into())).or_default() += 1;
                match r.published_at {
                    Some(t) => {
                        overview.first_published =
                            Some(overview.first_published.map_or(t, |f| f.min(t)));
                        overview.last_published =
                            Some(overview.last_published.map_or(t, |l| l.max(t)));
                        published.insert(r.doc_id.clone(), t);
                    }
                    None => overview.undated += 1,
                }
                if r.extractable == Some(false) {
                    overview.not_extractable += 1;
                }
                match r.duplicate_kind.as_deref() {
                    Some("exact") => overview.exact_copies += 1,
                    Some("near") => overview.near_copies += 1,
                    _ => {}
                }
                *stories.entry(r.story_id.unwrap_or(r.doc_id)).or_default() += 1;
            }
            Ok(())
        },
    )?;
    overview.input_files = sources.len();
    overview.sites = most_first(sites);
    overview.languages = most_first(languages);
    overview.stories = stories.len() as u64;
    let mut top: Vec<(String, u64)> = stories.into_iter().filter(|(_, n)| *n > 1).collect();
    top.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    top.truncate(TOP_STORIES);
    Ok(Docs {
        published,
        first: overview.first_published,
        last: overview.last_published,
        top_stories: top,
    })
}

/// Counts, most first, ties by name.
fn most_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    v
}

fn read_versions(out: &Path, overview: &mut Overview, quality: &mut Quality) -> Result<(), Error> {
    let dir = table_dir::<Document>(out);
    let first = read_metadata(&dir)?;
    overview.entente_version = first.get(entente_parquet::KEY_VERSION).cloned().unwrap_or_default();
    overview.contract_version =
        first.get(entente_parquet::KEY_CONTRACT).cloned().unwrap_or_default();
    // Only `entente run` keeps a run state; it names the pipeline.
    overview.pipeline = std::fs::read_to_string(out.join("_state").join("manifest.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|manifest| manifest.get("pipeline")?.as_str().map(str::to_owned))
        .filter(|name| !name.is_empty());
    // The last stage's file carries the hashes of every stage.
    let last = [table_dir::<EntitySummary>(out), table_dir::<Entity>(out), dir.clone()]
        .into_iter()
        .find(|d| entente_parquet::parts(d).is_ok_and(|p| !p.is_empty()))
        .map(|d| read_metadata(&d))
        .transpose()?
        .unwrap_or_default();
    overview.stage_hashes = last
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("entente.config.")?.to_owned(), v.clone())))
        .collect();
    overview.stage_hashes.sort_by_key(|(stage, _)| {
        ["ingest", "normalise", "extract", "aggregate"].iter().position(|s| s == stage)
    });
    for part in entente_parquet::parts(&dir)? {
        let meta = read_metadata(&part)?;
        for (key, into) in [
            ("entente.ingest.skipped", &mut quality.skipped),
            ("entente.normalise.not_extracted", &mut quality.not_extracted),
        ] {
            let Some(json) = meta.get(key) else { continue };
            let counts: BTreeMap<String, u64> = serde_json::from_str(json).map_err(|e| {
                Error::Metadata { path: part.clone(), key: key.to_owned(), detail: e.to_string() }
            })?;
            for (k, n) in counts {
                *into.entry(k).or_default() += n;
            }
        }
    }
    Ok(())
}

/// The `[aggregate]` options of the run, from `cooccurrences`' metadata.
fn aggregate_config(out: &Path) -> Result<Option<AggregateConfig>, Error> {
    let dir = table_dir::<Cooccurrence>(out);
    let Some(part) = entente_parquet::parts(&dir).ok().and_then(|p| p.into_iter().next()) else {
        return Ok(None);
    };
    let meta = read_metadata(&part)?;
    let Some(json) = meta.get("entente.aggregate.config") else { return Ok(None) };
    serde_json::from_str(json).map(Some).map_err(|e| Error::Metadata {
        path: part,
        key: "entente.aggregate.config".into(),
        detail: e.to_string(),
    })
}

fn read_boilerplate(out: &Path, overview: &mut Overview) -> Result<(), Error> {
    if !has_table::<Boilerplate>(out) {
        return Ok(());
    }
    let mut rules: BTreeMap<String, u64> = BTreeMap::new();
    let mut docs: HashSet<String> = HashSet::new();
    read_columns::<Boilerplate, BoilerplateRow, Error>(
        out,
        &["doc_id", "rule", "raw_char_start", "raw_char_end"],
        |rows| {
            for r in rows {
                *rules.entry(r.rule).or_default() += 1;
                overview.boilerplate_chars +=
                    u64::from(r.raw_char_end.saturating_sub(r.raw_char_start));
                docs.insert(r.doc_id);
            }
            Ok(())
        },
    )?;
    overview.boilerplate = most_first(rules);
    overview.boilerplate_docs = docs.len() as u64;
    Ok(())
}

fn read_rejects(
    out: &Path,
    options: &Options,
    overview: &mut Overview,
    quality: &mut Quality,
) -> Result<(), Error> {
    if !has_table::<Reject>(out) {
        return Ok(());
    }
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    read_columns::<Reject, RejectRow, Error>(
        out,
        &["source", "source_record", "stage", "reason", "detail"],
        |rows| {
            for r in rows {
                overview.rejects += 1;
                *counts.entry((r.stage.clone(), r.reason.clone())).or_default() += 1;
                if quality.rejects.len() < options.max_rejects {
                    quality.rejects.push(r);
                }
            }
            Ok(())
        },
    )?;
    quality.reject_counts = counts.into_iter().map(|((s, r), n)| (s, r, n)).collect();
    Ok(())
}

/// Whether the output directory has part files of table `T`.
fn has_table<T: Table>(out: &Path) -> bool {
    entente_parquet::parts(&table_dir::<T>(out)).is_ok_and(|p| !p.is_empty())
}

/// The rows of table `T` from the part footers; 0 when the table is not there.
fn count_rows<T: Table>(out: &Path) -> Result<u64, Error> {
    if !has_table::<T>(out) {
        return Ok(0);
    }
    Ok(entente_parquet::row_count(&table_dir::<T>(out))?)
}

/// Every row of table `T`; none when the table is not there.
fn read_optional<T: Table>(out: &Path) -> Result<Vec<T>, Error> {
    if !has_table::<T>(out) {
        return Ok(Vec::new());
    }
    match entente_parquet::read_table::<T>(out) {
        Ok(rows) => Ok(rows),
        Err(ParquetError::NoParts { .. }) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

impl Axis {
    /// Buckets beyond this many are too fine to draw: a coarser period is taken.
    const MAX_BUCKETS: i64 = 400;

    /// The axis of the trends: the coarsest period the run counted pairs by (a month when it
    /// counted none), coarser when that makes too many buckets; none without dates.
    fn choose(docs: &Docs, counted: &[Period], out: &Path) -> Option<Self> {
        let (first, last) = (docs.first?, docs.last?);
        let mut period = counted.iter().copied().max().unwrap_or(Period::Month);
        for coarser in [Period::Week, Period::Month] {
            if period < coarser && Self::span(period, first, last) > Self::MAX_BUCKETS {
                period = coarser;
            }
        }
        let labels =
            Self::starts(period, first, last).into_iter().map(|t| label(period, t)).collect();
        let pairs = counted.contains(&period) && has_table::<CooccurrencePeriod>(out);
        Some(Self {
            unit: period.as_str(),
            labels,
            pairs,
            period,
            first: period.bucket_start(first),
        })
    }

    /// Buckets from `first`'s to `last`'s.
    fn span(period: Period, first: i64, last: i64) -> i64 {
        Self::index(period, period.bucket_start(first), period.bucket_start(last)) + 1
    }

    /// The number of buckets between two bucket starts.
    fn index(period: Period, first: i64, start: i64) -> i64 {
        const DAY: i64 = 86_400_000_000;
        match period {
            Period::Day => (start - first) / DAY,
            Period::Week => (start - first) / (7 * DAY),
            _ => {
                let months = |t: i64| {
                    let (y, m, _) = entente_schema::civil_date(t);
                    y * 12 + i64::from(m)
                };
                months(start) - months(first)
            }
        }
    }

    /// The start of every bucket from `first`'s to `last`'s.
    fn starts(period: Period, first: i64, last: i64) -> Vec<i64> {
        const DAY: i64 = 86_400_000_000;
        let mut t = period.bucket_start(first);
        let end = period.bucket_start(last);
        let mut out = Vec::new();
        while t <= end {
            out.push(t);
            // A step of at least the period's length, then back to the bucket's start.
            t = match period {
                Period::Day => t + DAY,
                Period::Week => t + 7 * DAY,
                _ => period.bucket_start(t + 32 * DAY),
            };
        }
        out
    }

    /// The bucket index of a bucket start.
    fn bucket(&self, start: i64) -> Option<u32> {
        let i = Self::index(self.period, self.first, start);
        u32::try_from(i).ok().filter(|&i| (i as usize) < self.labels.len())
    }
}

/// A bucket's label: `2024-05` for a month, the start day otherwise.
fn label(period: Period, start: i64) -> String {
    let (y, m, d) = entente_schema::civil_date(start);
    match period {
        Period::Month => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}-{m:02}-{d:02}"),
    }
}

/// The UTC day of a time, `YYYY-MM-DD`.
fn day(micros: i64) -> String {
    label(Period::Day, micros)
}

/// A measure rounded to 4 decimals, enough to rank and read.
fn round(x: f64) -> f64 {
    if x.is_finite() { (x * 1e4).round() / 1e4 } else { 0.0 }
}
