//! The row types. Each field's doc comment is its column's entry in the data dictionary.
//! Split by what they hold: enum values, per-document tables, corpus-wide aggregates.

mod aggregates;
mod documents;
mod values;

pub use self::aggregates::*;
pub use self::documents::*;
pub use self::values::*;
