//! All tables of one output directory, as `check_tables` and the recount read them.

use crate::config::AggregateConfig;
use crate::tables::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, Sentence, TextEdit,
};

/// All tables of one output directory, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Tables<'a> {
    /// `documents` rows.
    pub documents: &'a [Document],
    /// `sentences` rows.
    pub sentences: &'a [Sentence],
    /// `text_edits` rows.
    pub text_edits: &'a [TextEdit],
    /// `boilerplate` rows.
    pub boilerplate: &'a [Boilerplate],
    /// `entities` rows.
    pub entities: &'a [Entity],
    /// The aggregate stage's tables and configuration (`None` when they are absent).
    pub aggregated: Option<Aggregated<'a>>,
}

/// The tables the aggregate stage writes, with the configuration it counted them with.
#[derive(Debug, Clone, Copy)]
pub struct Aggregated<'a> {
    /// `cooccurrences` rows.
    pub cooccurrences: &'a [Cooccurrence],
    /// `cooccurrences_by_period` rows.
    pub by_period: &'a [CooccurrencePeriod],
    /// The configuration they were counted with.
    pub config: &'a AggregateConfig,
}
