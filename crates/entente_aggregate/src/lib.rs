//! Aggregate: entity co-occurrences with association statistics, and a summary per entity.
//!
//! A *unit* is a sentence (scope `sentence`) or a document (scope `document`). For each scope,
//! every pair of distinct entities mentioned in the same unit becomes one `cooccurrences` row
//! with `count` (units with both), `count_a`, `count_b` (units with each), `n_units` (all units
//! of the scope, including those without entities) and the association measures PMI and NPMI
//! from [`entente_schema::association`]. Only entities of the configured types take part; by
//! default the named types (not MONEY, PERCENT, DATE, QUANTITY).
//!
//! Counting runs in polars (a self-join of the distinct `(unit, entity)` pairs, then
//! group-bys); [`entente_schema::recount_cooccurrences`] is the slow reference it is tested
//! against.
//!
//! ```
//! use entente_aggregate::{AggregateConfig, Units, cooccurrences};
//! # let e = |doc: &str, s: u32, id: &str| entente_schema::Entity {
//! #     doc_id: doc.into(), sentence_idx: s, mention_idx: 0, char_start: 0, char_end: 1,
//! #     byte_start: 0, byte_end: 1, text: id.into(), entity_id: id.into(),
//! #     entity_name: id.into(), entity_type: entente_schema::EntityType::Gpe,
//! #     method: entente_schema::Method::Gazetteer, country_id: None, value: None, unit: None,
//! #     iso_date: None };
//! let entities = [e("d1", 0, "cn"), e("d1", 0, "ru"), e("d1", 1, "cn")];
//! let rows = cooccurrences(&entities, Units { sentences: 2, documents: 1 }, &AggregateConfig::default())?;
//! assert_eq!((rows[0].entity_a.as_str(), rows[0].entity_b.as_str(), rows[0].count), ("cn", "ru", 1));
//! # Ok::<(), entente_aggregate::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

use std::collections::{BTreeMap, BTreeSet};

use entente_schema::{Cooccurrence, Entity, EntitySummary, EntityType, Scope, SurfaceCount};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// An error while counting (a polars failure: a bug or resource exhaustion, never bad input).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// polars failed.
    #[error("counting co-occurrences ({scope} scope): {source}")]
    Polars {
        /// The scope being counted.
        scope: &'static str,
        /// The underlying error.
        source: PolarsError,
    },
}

/// Options of the aggregate stage (`[aggregate]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AggregateConfig {
    /// The scopes to count: `sentence`, `document` or both.
    pub scopes: Vec<Scope>,
    /// Entity types that take part in co-occurrences.
    pub entity_types: Vec<EntityType>,
}

impl Default for AggregateConfig {
    fn default() -> Self {
        Self {
            scopes: vec![Scope::Sentence, Scope::Document],
            entity_types: EntityType::ALL.into_iter().filter(|t| t.is_named()).collect(),
        }
    }
}

/// How many units each scope has: every row of `sentences` and of `documents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Units {
    /// Number of sentences.
    pub sentences: usize,
    /// Number of documents.
    pub documents: usize,
}

/// The co-occurrence rows of every configured scope, sorted by scope, `entity_a`, `entity_b`.
pub fn cooccurrences(
    entities: &[Entity],
    units: Units,
    config: &AggregateConfig,
) -> Result<Vec<Cooccurrence>, Error> {
    // Entities get dense u32 codes in id order, so polars works on integers and the output
    // order by code is the order by id.
    let mut names: BTreeMap<&str, (&str, EntityType)> = BTreeMap::new();
    let included: Vec<&Entity> =
        entities.iter().filter(|e| config.entity_types.contains(&e.entity_type)).collect();
    for e in &included {
        names.entry(&e.entity_id).or_insert((&e.entity_name, e.entity_type));
    }
    let ids: Vec<&str> = names.keys().copied().collect();
    let code = |id: &str| u32::try_from(ids.binary_search(&id).unwrap_or_default()).unwrap_or(0);
    let docs: BTreeSet<&str> = included.iter().map(|e| e.doc_id.as_str()).collect();
    let docs: Vec<&str> = docs.into_iter().collect();
    let doc_code = |d: &str| u64::try_from(docs.binary_search(&d).unwrap_or_default()).unwrap_or(0);

    let mut scopes = config.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let mut out = Vec::new();
    for scope in scopes {
        let n_units = match scope {
            Scope::Sentence => units.sentences,
            _ => units.documents,
        };
        let unit: Vec<u64> = included
            .iter()
            .map(|e| match scope {
                Scope::Sentence => doc_code(&e.doc_id) << 32 | u64::from(e.sentence_idx),
                _ => doc_code(&e.doc_id),
            })
            .collect();
        let entity: Vec<u32> = included.iter().map(|e| code(&e.entity_id)).collect();
        let counts = count_pairs(unit, entity)
            .map_err(|source| Error::Polars { scope: scope.as_str(), source })?;
        let n_units = u32::try_from(n_units).unwrap_or(u32::MAX);
        for (a, b, count, count_a, count_b) in counts {
            let (id_a, id_b) = (ids[a as usize], ids[b as usize]);
            out.push(Cooccurrence::new(
                scope,
                (id_a, names[id_a]),
                (id_b, names[id_b]),
                (count, count_a, count_b),
                n_units,
            ));
        }
    }
    Ok(out)
}

/// `(a, b, count, count_a, count_b)`: a pair of entity codes and its unit counts.
type PairCounts = (u32, u32, u32, u32, u32);

/// `(a, b, count, count_a, count_b)` for every pair `a < b` of entity codes sharing a unit,
/// sorted by `(a, b)`.
fn count_pairs(unit: Vec<u64>, entity: Vec<u32>) -> PolarsResult<Vec<PairCounts>> {
    let mentions = DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("entity".into(), entity),
    ])?
    .lazy()
    .unique(None, UniqueKeepStrategy::Any);
    let singles =
        mentions.clone().group_by([col("entity")]).agg([len().cast(DataType::UInt32).alias("n")]);
    let right = mentions.clone().select([col("unit"), col("entity").alias("entity_b")]);
    let pairs = mentions
        .join(right, [col("unit")], [col("unit")], JoinArgs::new(JoinType::Inner))
        .filter(col("entity").lt(col("entity_b")))
        .group_by([col("entity"), col("entity_b")])
        .agg([len().cast(DataType::UInt32).alias("count")])
        .join(
            singles.clone().select([col("entity"), col("n").alias("count_a")]),
            [col("entity")],
            [col("entity")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            singles.select([col("entity").alias("entity_b"), col("n").alias("count_b")]),
            [col("entity_b")],
            [col("entity_b")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(["entity", "entity_b"], SortMultipleOptions::default())
        .collect()?;
    let column = |name: &str| -> PolarsResult<Vec<u32>> {
        Ok(pairs.column(name)?.u32()?.iter().map(Option::unwrap_or_default).collect())
    };
    let (a, b, count, count_a, count_b) = (
        column("entity")?,
        column("entity_b")?,
        column("count")?,
        column("count_a")?,
        column("count_b")?,
    );
    Ok((0..a.len()).map(|i| (a[i], b[i], count[i], count_a[i], count_b[i])).collect())
}

/// One row per entity (all types): mentions, documents and sentences mentioning it, and its
/// most frequent surface forms. Sorted by `entity_id`.
pub fn entity_summary(entities: &[Entity]) -> Vec<EntitySummary> {
    #[derive(Default)]
    struct Acc<'a> {
        name: &'a str,
        entity_type: Option<EntityType>,
        mentions: u32,
        documents: BTreeSet<&'a str>,
        sentences: BTreeSet<(&'a str, u32)>,
        surfaces: BTreeMap<&'a str, u32>,
    }
    let mut by_id: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for e in entities {
        let acc = by_id.entry(&e.entity_id).or_default();
        acc.name = &e.entity_name;
        acc.entity_type = Some(e.entity_type);
        acc.mentions += 1;
        acc.documents.insert(&e.doc_id);
        acc.sentences.insert((&e.doc_id, e.sentence_idx));
        *acc.surfaces.entry(&e.text).or_default() += 1;
    }
    by_id
        .into_iter()
        .filter_map(|(id, acc)| {
            let mut surfaces: Vec<(&str, u32)> = acc.surfaces.into_iter().collect();
            surfaces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Some(EntitySummary {
                entity_id: id.to_owned(),
                entity_name: acc.name.to_owned(),
                entity_type: acc.entity_type?,
                mentions: acc.mentions,
                documents: u32::try_from(acc.documents.len()).unwrap_or(u32::MAX),
                sentences: u32::try_from(acc.sentences.len()).unwrap_or(u32::MAX),
                top_surfaces: surfaces
                    .into_iter()
                    .take(5)
                    .map(|(text, count)| SurfaceCount { text: text.to_owned(), count })
                    .collect(),
            })
        })
        .collect()
}
