//! The passes behind the overview and data quality panels: documents, versions and option
//! hashes, boilerplate, rejects.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use entente_parquet::{read_columns, read_metadata, table_dir};
use entente_schema::{
    AggregateConfig, Boilerplate, Cooccurrence, Document, Entity, EntitySummary, Reject, Table,
};
use serde::Deserialize;

use crate::Error;
use crate::Options;
use crate::model::{Overview, Quality, RejectRow};

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

/// What the documents pass keeps: publication times for trends and the biggest stories.
pub(crate) struct Docs {
    pub(crate) published: HashMap<String, i64>,
    pub(crate) first: Option<i64>,
    pub(crate) last: Option<i64>,
    /// Story ids with the most copies, and their documents.
    pub(crate) top_stories: Vec<(String, u64)>,
}

/// Stories listed in the data quality panel.
const TOP_STORIES: usize = 10;

pub(crate) fn read_documents(out: &Path, overview: &mut Overview) -> Result<Docs, Error> {
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

pub(crate) fn read_versions(
    out: &Path,
    overview: &mut Overview,
    quality: &mut Quality,
) -> Result<(), Error> {
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
pub(crate) fn aggregate_config(out: &Path) -> Result<Option<AggregateConfig>, Error> {
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

pub(crate) fn read_boilerplate(out: &Path, overview: &mut Overview) -> Result<(), Error> {
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

pub(crate) fn read_rejects(
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
pub(crate) fn has_table<T: Table>(out: &Path) -> bool {
    entente_parquet::parts(&table_dir::<T>(out)).is_ok_and(|p| !p.is_empty())
}

/// The rows of table `T` from the part footers; 0 when the table is not there.
pub(crate) fn count_rows<T: Table>(out: &Path) -> Result<u64, Error> {
    if !has_table::<T>(out) {
        return Ok(0);
    }
    Ok(entente_parquet::row_count(&table_dir::<T>(out))?)
}

/// Every row of table `T`; none when the table is not there.
pub(crate) fn read_optional<T: Table>(out: &Path) -> Result<Vec<T>, Error> {
    if !has_table::<T>(out) {
        return Ok(Vec::new());
    }
    Ok(entente_parquet::read_table::<T>(out)?)
}
