//! What the report shows: the server-rendered panels' contents and the JSON the page's script
//! draws from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::axis::Axis;

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
