//! A row's fields as scalar cells, so that a writer can build a table's columns straight
//! from its rows ([`Table::CELLS`](crate::Table::CELLS)) instead of serialising each row.

use crate::tables::{
    DuplicateKind, EntityType, LinkedBy, Method, Period, RejectReason, Scope, SourceFormat, Stage,
};

/// One field of a row: a scalar, maybe null, or a value that is no scalar (a list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// A string, or an enum as the name serde writes for it.
    Text(Option<&'a str>),
    /// An unsigned 32-bit integer.
    UInt(Option<u32>),
    /// An unsigned 64-bit integer.
    UInt64(Option<u64>),
    /// A signed 64-bit integer (timestamps in microseconds too).
    Int(Option<i64>),
    /// A 64-bit float.
    Float(Option<f64>),
    /// A boolean.
    Bool(Option<bool>),
    /// A list or struct: the table is written through serde instead.
    Other,
}

/// A field type's [`Cell`].
pub trait ToCell {
    /// The field as a cell.
    fn cell(&self) -> Cell<'_>;
}

impl ToCell for String {
    fn cell(&self) -> Cell<'_> {
        Cell::Text(Some(self))
    }
}

impl ToCell for Option<String> {
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self.as_deref())
    }
}

/// Scalars and their nullable forms.
macro_rules! scalar_cells {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl ToCell for $ty {
            fn cell(&self) -> Cell<'_> {
                Cell::$variant(Some(*self))
            }
        }

        impl ToCell for Option<$ty> {
            fn cell(&self) -> Cell<'_> {
                Cell::$variant(*self)
            }
        }
    )*};
}

scalar_cells!(u32 => UInt, u64 => UInt64, i64 => Int, f64 => Float, bool => Bool);

/// Enums, by the names serde writes (`as_str`; a test compares the two).
macro_rules! enum_cells {
    ($($ty:ty),* $(,)?) => {$(
        impl ToCell for $ty {
            fn cell(&self) -> Cell<'_> {
                Cell::Text(Some(self.as_str()))
            }
        }

        impl ToCell for Option<$ty> {
            fn cell(&self) -> Cell<'_> {
                Cell::Text(self.map(<$ty>::as_str))
            }
        }
    )*};
}

enum_cells!(
    DuplicateKind,
    EntityType,
    LinkedBy,
    Method,
    Period,
    RejectReason,
    Scope,
    SourceFormat,
    Stage
);

impl<T> ToCell for Vec<T> {
    fn cell(&self) -> Cell<'_> {
        Cell::Other
    }
}

impl<T> ToCell for Option<Vec<T>> {
    fn cell(&self) -> Cell<'_> {
        Cell::Other
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, ToCell};
    use crate::tables::{
        DuplicateKind, EntityType, LinkedBy, Method, Period, RejectReason, Scope, SourceFormat,
        Stage,
    };

    /// Every variant's cell is the string serde writes for it.
    #[test]
    fn enum_cells_are_serde_names() {
        fn check<T: ToCell + serde::Serialize>(values: &[T]) {
            for v in values {
                let serde = serde_json::to_value(v).unwrap();
                assert_eq!(v.cell(), Cell::Text(serde.as_str()), "{serde}");
            }
        }
        check(&SourceFormat::ALL);
        check(&[DuplicateKind::Exact, DuplicateKind::Near]);
        check(&EntityType::ALL);
        check(&[Method::Gazetteer, Method::Rule, Method::Model]);
        check(&LinkedBy::ALL);
        check(&Scope::ALL);
        check(&Period::ALL);
        check(&[Stage::Ingest, Stage::Normalise, Stage::Extract, Stage::Aggregate]);
        check(&[
            RejectReason::Unreadable,
            RejectReason::Undecodable,
            RejectReason::Binary,
            RejectReason::Empty,
            RejectReason::MalformedJson,
            RejectReason::MissingText,
            RejectReason::UnsupportedFormat,
            RejectReason::TooLarge,
            RejectReason::MalformedCsv,
            RejectReason::Truncated,
            RejectReason::Corrupt,
            RejectReason::NoContent,
            RejectReason::TimedOut,
        ]);
    }
}
