//! Record batches built column by column from the rows' cells ([`Table::CELLS`]): each
//! string copied once into a buffer of its exact size, no serialisation of each row.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringBuilder,
    TimestampMicrosecondArray, UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, FieldRef, Schema, TimeUnit};
use arrow::error::ArrowError;
use entente_schema::{Cell, Table};

/// Whether [`batch`] builds the columns of `fields` (a table's, in column order): every
/// field is a scalar of a type it knows.
pub(crate) fn buildable<T: Table>(fields: &[FieldRef]) -> bool {
    fields.len() == T::CELLS.len()
        && fields.iter().zip(T::COLUMNS).all(|(f, c)| f.name() == c.name)
        && fields.iter().all(|f| {
            matches!(
                f.data_type(),
                DataType::Utf8
                    | DataType::UInt32
                    | DataType::UInt64
                    | DataType::Int64
                    | DataType::Float64
                    | DataType::Boolean
                    | DataType::Timestamp(TimeUnit::Microsecond, _)
            )
        })
}

/// `rows` as a record batch of `fields` ([`buildable`] ones); `None` when a row's cell is
/// not of its field's type (the caller then serialises the rows).
pub(crate) fn batch<T: Table>(
    fields: &[FieldRef],
    rows: &[&T],
) -> Option<Result<RecordBatch, ArrowError>> {
    let mut columns = Vec::with_capacity(fields.len());
    for (field, cell) in fields.iter().zip(T::CELLS) {
        columns.push(column(field.data_type(), rows, *cell)?);
    }
    Some(RecordBatch::try_new(Arc::new(Schema::new(fields.to_vec())), columns))
}

/// One column of `rows`, of type `data_type`, from each row's `cell`.
fn column<'a, T>(
    data_type: &DataType,
    rows: &[&'a T],
    cell: fn(&'a T) -> Cell<'a>,
) -> Option<ArrayRef> {
    let cells = rows.iter().map(|&row| cell(row));
    // A primitive column: each cell must be the variant named.
    macro_rules! primitive {
        ($variant:ident, $array:ty) => {
            Arc::new(
                cells
                    .map(|c| if let Cell::$variant(v) = c { Some(v) } else { None })
                    .collect::<Option<$array>>()?,
            )
        };
    }
    Some(match data_type {
        DataType::Utf8 => {
            let mut bytes = 0;
            for c in cells.clone() {
                let Cell::Text(s) = c else { return None };
                bytes += s.map_or(0, str::len);
            }
            if i32::try_from(bytes).is_err() {
                // Past Utf8's offsets: serde_arrow reports it as an error.
                return None;
            }
            let mut out = StringBuilder::with_capacity(rows.len(), bytes);
            for c in cells {
                let Cell::Text(s) = c else { return None };
                out.append_option(s);
            }
            Arc::new(out.finish())
        }
        DataType::UInt32 => primitive!(UInt, UInt32Array),
        DataType::UInt64 => primitive!(UInt64, UInt64Array),
        DataType::Int64 => primitive!(Int, Int64Array),
        DataType::Float64 => primitive!(Float, Float64Array),
        DataType::Boolean => primitive!(Bool, BooleanArray),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let times = cells
                .map(|c| if let Cell::Int(v) = c { Some(v) } else { None })
                .collect::<Option<TimestampMicrosecondArray>>()?;
            Arc::new(times.with_timezone_opt(zone.clone()))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use entente_schema::{
        Document, DuplicateKind, Entity, EntitySummary, EntityType, LinkedBy, Method, Reject,
        RejectReason, SourceFormat, Stage, Table,
    };

    use super::{batch, buildable};
    use crate::fields;

    /// The batch built from the cells is the one `serde_arrow` makes of the same rows.
    fn same_as_serialised<T: Table>(rows: &[T]) {
        let fields = fields::<T>().unwrap();
        assert!(buildable::<T>(&fields), "{}", T::NAME);
        let built = batch(&fields, &rows.iter().collect::<Vec<_>>()).unwrap().unwrap();
        assert_eq!(built, serde_arrow::to_record_batch(&fields, &rows).unwrap(), "{}", T::NAME);
    }

    #[test]
    fn cells_build_what_serde_writes() {
        let plain = Document::from_raw_text("a.txt", 0, "Plain text.");
        let mut full = Document::from_raw_text("b.jsonl", 7, "Ünïcode text, 東京.");
        full.source_format = SourceFormat::Jsonl;
        full.source_id = Some("id-1".into());
        full.title = Some(String::new());
        full.published_at = Some(-86_400_000_000);
        full.language = Some("de".into());
        full.language_confidence = Some(0.25);
        full.extractable = Some(false);
        full.n_sentences = Some(3);
        full.story_id = Some(plain.doc_id.clone());
        full.duplicate_of = Some(plain.doc_id.clone());
        full.duplicate_kind = Some(DuplicateKind::Near);
        full.story_similarity = Some(0.875);
        same_as_serialised(&[plain, full]);
        let mention = Entity {
            doc_id: "d".into(),
            sentence_idx: 1,
            mention_idx: 2,
            char_start: 3,
            char_end: 9,
            byte_start: 3,
            byte_end: 10,
            text: "$2 bn".into(),
            entity_id: "money:usd".into(),
            entity_name: "USD".into(),
            entity_type: EntityType::Money,
            method: Method::Rule,
            title: None,
            linked_by: None,
            country_id: None,
            value: Some(2e9),
            unit: Some("USD".into()),
            iso_date: None,
        };
        let person = Entity {
            entity_type: EntityType::Person,
            method: Method::Model,
            title: Some("President".into()),
            linked_by: Some(LinkedBy::ShortForm),
            country_id: Some("iso3166:FR".into()),
            value: None,
            unit: None,
            iso_date: Some("2024-01-02".into()),
            ..mention.clone()
        };
        same_as_serialised(&[mention, person]);
        same_as_serialised(&[Reject {
            source: "x.csv".into(),
            source_record: 4,
            stage: Stage::Ingest,
            reason: RejectReason::MalformedCsv,
            detail: "row 5".into(),
        }]);
        same_as_serialised::<Document>(&[]);
    }

    #[test]
    fn lists_are_serialised() {
        assert!(!buildable::<EntitySummary>(&fields::<EntitySummary>().unwrap()));
    }
}
