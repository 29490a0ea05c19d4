//! What the aggregate stage counts: its configuration, shared by the stage, the recount and
//! `entente validate`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::tables::{EntityType, Period, Scope};

/// Options of the aggregate stage (`[aggregate]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AggregateConfig {
    /// The scopes to count: `sentence`, `window`, `document`, `story`.
    pub scopes: Vec<Scope>,
    /// Sentences per window of the `window` scope (at least 1; 1 counts like `sentence`
    /// except that a document without sentences has no window).
    pub window_sentences: u32,
    /// Time buckets of `cooccurrences_by_period`: `day`, `week`, `month` (none: no table).
    pub periods: Vec<Period>,
    /// Entity types that take part in co-occurrences.
    pub entity_types: Vec<EntityType>,
    /// Entity ids that never take part in co-occurrences (they stay in `entities` and
    /// `entity_summary`).
    pub stoplist: Vec<String>,
    /// Pairs seen together in fewer units are left out (per scope).
    pub min_count: u32,
    /// Units of evidence kept per pair (at least 1).
    pub evidence_units: u32,
    /// A unit mentioning more distinct entities than this (a list, a dump of many articles
    /// in one record) is left out of its scope: no pairs, and not counted in `n_units` or any
    /// entity's `count_a`/`count_b`, so the measures stay those of a consistent table. Pairs
    /// grow with the square of a unit's entities (a 2 MB document of 9,766 entities gave 51
    /// million). 0: no limit.
    pub max_unit_entities: u32,
}

impl Default for AggregateConfig {
    fn default() -> Self {
        Self {
            scopes: Scope::ALL.to_vec(),
            window_sentences: 3,
            periods: vec![Period::Month],
            entity_types: EntityType::ALL.into_iter().filter(|t| t.is_named()).collect(),
            stoplist: Vec::new(),
            min_count: 1,
            evidence_units: 3,
            max_unit_entities: 500,
        }
    }
}

impl AggregateConfig {
    /// What is wrong with the options, if anything.
    pub fn check(&self) -> Result<(), String> {
        if self.window_sentences == 0 {
            return Err("aggregate.window_sentences must be at least 1".into());
        }
        if self.evidence_units == 0 {
            return Err("aggregate.evidence_units must be at least 1".into());
        }
        if self.min_count == 0 {
            return Err("aggregate.min_count must be at least 1".into());
        }
        Ok(())
    }

    /// Whether a unit mentioning `n` distinct entities gives pairs (see
    /// [`AggregateConfig::max_unit_entities`]).
    pub fn gives_pairs(&self, n: usize) -> bool {
        self.max_unit_entities == 0 || n <= self.max_unit_entities as usize
    }

    /// The configured scopes, sorted, without repeats.
    pub fn sorted_scopes(&self) -> Vec<Scope> {
        let set: BTreeSet<Scope> = self.scopes.iter().copied().collect();
        set.into_iter().collect()
    }

    /// The configured periods, sorted, without repeats.
    pub fn sorted_periods(&self) -> Vec<Period> {
        let set: BTreeSet<Period> = self.periods.iter().copied().collect();
        set.into_iter().collect()
    }

    /// Number of windows of a document with `n_sentences` sentences.
    ///
    /// ```
    /// let config = entente_schema::AggregateConfig::default(); // 3 sentences per window
    /// assert_eq!([0, 1, 3, 10].map(|n| config.windows(n)), [0, 1, 1, 8]);
    /// ```
    pub fn windows(&self, n_sentences: u32) -> u32 {
        if n_sentences == 0 {
            0
        } else {
            n_sentences.saturating_sub(self.window_sentences.max(1) - 1).max(1)
        }
    }
}
