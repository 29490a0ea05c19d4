//! entente's table contract: the row types of every table the pipeline writes, their column
//! documentation, and the invariants that hold between tables.
//!
//! The Rust struct is the schema. `entente_parquet` derives the Arrow schema from it and the
//! doc comment on each field is the column's description (`entente schema` prints them as the
//! data dictionary). Tables in pipeline order:
//!
//! | table | row type | written by |
//! |---|---|---|
//! | `documents` | [`Document`] | ingest (raw), then normalise (final `text`) |
//! | `sentences` | [`Sentence`] | normalise |
//! | `text_edits` | [`TextEdit`] | normalise |
//! | `boilerplate` | [`Boilerplate`] | normalise |
//! | `entities` | [`Entity`] | extract |
//! | `cooccurrences` | [`Cooccurrence`] | aggregate |
//! | `cooccurrences_by_period` | [`CooccurrencePeriod`] | aggregate |
//! | `entity_summary` | [`EntitySummary`] | aggregate |
//! | `rejects` | [`Reject`] | every stage |
//!
//! Offsets are Unicode code points (`char_*`) and UTF-8 bytes (`byte_*`), end-exclusive, into
//! `documents.text` of the same `doc_id`.
//!
//! ```
//! use entente_schema::{Sentence, Table};
//! assert_eq!(Sentence::NAME, "sentences");
//! assert!(Sentence::COLUMNS.iter().any(|c| c.name == "char_start"));
//! ```
#![warn(missing_docs)]

pub use crate::cells::{Cell, ToCell};
pub use crate::config::AggregateConfig;
pub use crate::ids::{doc_id, entity_id_for_name, hash_hex};
pub use crate::invariants::{Violation, check_tables, compare_counted};
pub use crate::output::{Aggregated, Tables};
pub use crate::recount::{Association, Counted, association, recount_cooccurrences};
pub use crate::span::{Span, byte_to_char_offsets, spans_from_byte_ranges};
pub use crate::state::{NameCount, StoryKey};
pub use crate::tables::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, DuplicateKind, Entity, EntitySummary,
    EntityType, Evidence, LinkedBy, Method, Period, Reject, RejectReason, Scope, Sentence,
    SourceFormat, Stage, SurfaceCount, TextEdit, civil_date, year_of,
};

mod cells;
mod config;
mod ids;
mod invariants;
mod output;
mod recount;
mod span;
mod state;
mod tables;
pub mod words;

/// The version of the table contract written into every file's metadata. Bump it when a
/// column is removed, renamed or changes meaning; adding a column does not bump it.
pub const CONTRACT_VERSION: &str = "4";

/// Whether the line `line` of a text is the headline `title`: the same words, with runs of
/// whitespace squeezed and case folded. Ingest puts a record's title first in its text unless
/// the text's first line already passes this test, and extraction finds the headline by it.
///
/// ```
/// assert!(entente_schema::is_headline("Talks  resume ", "TALKS RESUME"));
/// assert!(!entente_schema::is_headline("Talks resume today", "Talks resume"));
/// assert!(entente_schema::is_headline("ΟΔΟΣ Σ", "οδος σ"));
/// assert!(!entente_schema::is_headline("Talks", "Talks resume"));
/// ```
pub fn is_headline(line: &str, title: &str) -> bool {
    // Word by word, without a lower-cased copy where both are ASCII.
    let same = |a: &str, b: &str| {
        if a.is_ascii() && b.is_ascii() {
            a.eq_ignore_ascii_case(b)
        } else {
            a.to_lowercase() == b.to_lowercase()
        }
    };
    let (mut line, mut title) = (line.split_whitespace(), title.split_whitespace());
    loop {
        match (line.next(), title.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if same(a, b) => {}
            _ => return false,
        }
    }
}

/// The name of every table, in pipeline order.
pub const TABLE_NAMES: [&str; 9] = [
    "documents",
    "sentences",
    "text_edits",
    "boilerplate",
    "entities",
    "cooccurrences",
    "cooccurrences_by_period",
    "entity_summary",
    "rejects",
];

/// One column of a table: its name, its Rust type and its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column name, as it appears in Parquet, `DuckDB` and pandas.
    pub name: &'static str,
    /// The Rust type of the field (`Option<_>` means the column is nullable).
    pub rust_type: &'static str,
    /// What the column holds, from the field's doc comment.
    pub doc: &'static str,
}

/// A row type that is written as one table.
pub trait Table: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static {
    /// The table's name: its directory of Parquet part files in the output directory.
    const NAME: &'static str;
    /// What one row of the table is.
    const DOC: &'static str;
    /// The columns that identify a row; no two rows share them.
    const KEY: &'static [&'static str];
    /// Every column in order, with its documentation.
    const COLUMNS: &'static [Column];
    /// Columns stored as UTC timestamps in microseconds (the Rust field is an `i64`).
    const TIMESTAMP_COLUMNS: &'static [&'static str] = &[];
    /// Hive partition columns, outermost first: their values name the directories
    /// (`scope=sentence/`) and are not stored in the part files.
    const PARTITION_COLUMNS: &'static [&'static str] = &[];
    /// Each column's cell of a row, in [`Table::COLUMNS`] order: a writer builds the
    /// columns from these ([`Cell::Other`] for a list: then it serialises the rows).
    const CELLS: &'static [for<'a> fn(&'a Self) -> Cell<'a>];
}

/// Declares a row struct together with its [`Table`] impl, so that the column list and docs
/// can never drift from the struct.
macro_rules! table {
    (
        $(#[doc = $tdoc:literal])*
        $name:ident => $table:literal,
        key = [$($key:literal),* $(,)?],
        timestamps = [$($ts:literal),* $(,)?],
        $(partitions = [$($part:literal),* $(,)?],)?
        {
            $( $(#[doc = $doc:literal])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[doc = $tdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl $crate::Table for $name {
            const NAME: &'static str = $table;
            const DOC: &'static str = concat!($($tdoc),*);
            const KEY: &'static [&'static str] = &[$($key),*];
            const COLUMNS: &'static [$crate::Column] = &[
                $( $crate::Column {
                    name: stringify!($field),
                    rust_type: stringify!($ty),
                    doc: concat!($($doc),*),
                } ),*
            ];
            const TIMESTAMP_COLUMNS: &'static [&'static str] = &[$($ts),*];
            const PARTITION_COLUMNS: &'static [&'static str] = &[$($($part),*)?];
            const CELLS: &'static [for<'a> fn(&'a Self) -> $crate::Cell<'a>] =
                &[$( |row| $crate::ToCell::cell(&row.$field) ),*];
        }
    };
}
pub(crate) use table;

#[cfg(test)]
mod tests {
    use super::{
        Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Reject,
        Sentence, TABLE_NAMES, Table, TextEdit,
    };

    #[test]
    fn table_names_match_the_row_types() {
        let names = [
            Document::NAME,
            Sentence::NAME,
            TextEdit::NAME,
            Boilerplate::NAME,
            Entity::NAME,
            Cooccurrence::NAME,
            CooccurrencePeriod::NAME,
            EntitySummary::NAME,
            Reject::NAME,
        ];
        assert_eq!(names, TABLE_NAMES);
    }
}
