//! Batches of `cooccurrences` and `cooccurrences_by_period` built as Arrow arrays straight
//! from the counted columns, in the tables' full schemas ([`entente_parquet::schema`]) but
//! for the entities' ids, names and types, which are dictionaries of them by entity code
//! ([`batch_schema`]): no row structs, no serialisation, no label copied per row.

use std::ops::Range;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, ListArray, RecordBatch, StringArray, StringBuilder,
    StructArray, TimestampMicrosecondArray, UInt32Array,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt32Type};
use arrow::error::ArrowError;
use entente_schema::{Period, Scope};

use crate::corpus::Coded;
use crate::rows::Counts;

/// The columns of a batch by name, put in the schema's order by [`Batch::finish`].
pub(crate) struct Batch {
    schema: SchemaRef,
    rows: usize,
    columns: Vec<(&'static str, ArrayRef)>,
}

impl Batch {
    /// The columns both tables share, of the pairs `range` of `c`: scope, the pair's ids,
    /// names (and types, where the schema has them), counts and measures.
    pub(crate) fn of_pairs(
        schema: SchemaRef,
        labels: &Labels,
        scope: Scope,
        c: &Counts,
        range: Range<usize>,
    ) -> Result<Self, ArrowError> {
        let rows = range.len();
        let u32s = |v: &[u32]| Arc::new(UInt32Array::from(v[range.clone()].to_vec())) as ArrayRef;
        let f64s = |v: &[f64]| Arc::new(Float64Array::from(v[range.clone()].to_vec())) as ArrayRef;
        let a = UInt32Array::from(c.a[range.clone()].to_vec());
        let b = UInt32Array::from(c.b[range.clone()].to_vec());
        let by_code = |codes: &UInt32Array, labels: &ArrayRef| -> Result<ArrayRef, ArrowError> {
            Ok(Arc::new(DictionaryArray::<UInt32Type>::try_new(codes.clone(), labels.clone())?))
        };
        let mut batch = Self { schema, rows, columns: Vec::with_capacity(24) };
        batch.push("scope", Arc::new(StringArray::new_repeated(scope.as_str(), rows)));
        batch.push("entity_a", by_code(&a, &labels.ids)?);
        batch.push("entity_b", by_code(&b, &labels.ids)?);
        batch.push("name_a", by_code(&a, &labels.names)?);
        batch.push("name_b", by_code(&b, &labels.names)?);
        if batch.wants("type_a") {
            batch.push("type_a", by_code(&a, &labels.types)?);
            batch.push("type_b", by_code(&b, &labels.types)?);
        }
        batch.push("count", u32s(&c.count));
        batch.push("count_a", u32s(&c.count_a));
        batch.push("count_b", u32s(&c.count_b));
        batch.push("n_units", u32s(&c.n_units));
        for (name, values) in ["pmi", "npmi", "llr", "dice"].into_iter().zip(&c.measures) {
            batch.push(name, f64s(values));
        }
        batch.push("n_docs", u32s(&c.n_docs));
        batch.push("n_stories", u32s(&c.n_stories));
        Ok(batch)
    }

    fn wants(&self, name: &str) -> bool {
        self.schema.column_with_name(name).is_some()
    }

    pub(crate) fn push(&mut self, name: &'static str, array: ArrayRef) {
        self.columns.push((name, array));
    }

    /// A nullable timestamp column (microseconds, UTC).
    pub(crate) fn push_times(&mut self, name: &'static str, values: Vec<Option<i64>>) {
        self.push(name, Arc::new(TimestampMicrosecondArray::from(values).with_timezone("UTC")));
    }

    /// The `period` column: each row's period by its index into `periods`.
    pub(crate) fn push_periods(&mut self, periods: &[Period], index: &[u32]) {
        let names: StringArray =
            index.iter().map(|&i| periods.get(i as usize).map(|p| p.as_str())).collect();
        self.push("period", Arc::new(names));
    }

    /// The `evidence` list column and `first_doc_id`, `first_sentence_idx` from it: the
    /// units of row `i` are `units[offsets[i]..offsets[i + 1]]`, each (document rank,
    /// sentence, sentence end). The documents' ids are copied from the corpus, not taken
    /// from arrays as the entities' are: a corpus of a million documents would hold its ids
    /// twice for the whole stage.
    pub(crate) fn push_evidence(
        &mut self,
        coded: &Coded<'_>,
        offsets: Vec<i32>,
        units: &[(u32, u32, u32)],
    ) -> Result<(), ArrowError> {
        let Some(DataType::List(item)) =
            self.schema.column_with_name("evidence").map(|(_, f)| f.data_type().clone())
        else {
            return Err(ArrowError::SchemaError("no list column evidence".into()));
        };
        let DataType::Struct(fields) = item.data_type() else {
            return Err(ArrowError::SchemaError("evidence is not a list of structs".into()));
        };
        let doc_id = |rank: u32| -> &str { &coded.doc(rank).doc_id };
        let mut docs = StringBuilder::with_capacity(units.len(), units.len() * 16);
        for &(rank, _, _) in units {
            docs.append_value(doc_id(rank));
        }
        let starts: Vec<u32> = units.iter().map(|u| u.1).collect();
        let ends: Vec<u32> = units.iter().map(|u| u.2).collect();
        let mut first_doc = StringBuilder::with_capacity(self.rows, self.rows * 16);
        let mut first_sentence = Vec::with_capacity(self.rows);
        for window in offsets.windows(2) {
            let first = usize::try_from(window[0]).ok().and_then(|at| units.get(at));
            let first = first.filter(|_| window[1] > window[0]);
            first_doc.append_value(first.map_or("", |u| doc_id(u.0)));
            first_sentence.push(first.map_or(0, |u| u.1));
        }
        let values = StructArray::try_new(
            fields.clone(),
            vec![
                Arc::new(docs.finish()),
                Arc::new(UInt32Array::from(starts)),
                Arc::new(UInt32Array::from(ends)),
            ],
            None,
        )?;
        let list =
            ListArray::try_new(item, OffsetBuffer::new(offsets.into()), Arc::new(values), None)?;
        self.push("first_doc_id", Arc::new(first_doc.finish()));
        self.push("first_sentence_idx", Arc::new(UInt32Array::from(first_sentence)));
        self.push("evidence", Arc::new(list));
        Ok(())
    }

    /// The record batch: every column of the schema, in its order.
    pub(crate) fn finish(mut self) -> Result<RecordBatch, ArrowError> {
        let mut arrays = Vec::with_capacity(self.schema.fields().len());
        for field in self.schema.fields() {
            let at = self.columns.iter().position(|(name, _)| name == field.name());
            let at = at.ok_or_else(|| {
                ArrowError::SchemaError(format!("no column {} was built", field.name()))
            })?;
            arrays.push(self.columns.swap_remove(at).1);
        }
        RecordBatch::try_new(self.schema, arrays)
    }
}

/// The entities' ids, names and types by code, each held once: a batch's columns of them are
/// these by its codes (dictionary arrays), no string copied.
pub(crate) struct Labels {
    ids: ArrayRef,
    names: ArrayRef,
    types: ArrayRef,
}

impl Labels {
    pub(crate) fn new(coded: &Coded<'_>) -> Self {
        let entities = (0..coded.entity_at.len())
            .map(|code| coded.entity(u32::try_from(code).unwrap_or(u32::MAX)));
        let ids: StringArray = entities.clone().map(|e| Some(e.0.as_str())).collect();
        let names: StringArray = entities.clone().map(|e| Some(e.1.as_str())).collect();
        let types: StringArray = entities.map(|e| Some(e.2.as_str())).collect();
        Self { ids: Arc::new(ids), names: Arc::new(names), types: Arc::new(types) }
    }
}

/// The columns a batch holds by entity code ([`Labels`]).
const BY_CODE: [&str; 6] = ["entity_a", "entity_b", "name_a", "name_b", "type_a", "type_b"];

/// Table schema `schema` as its batches are built: the entities' ids, names and types as
/// dictionaries of their strings by entity code. The Parquet writer takes a dictionary of
/// strings for a string column and writes the same file as from the strings themselves.
pub(crate) fn batch_schema(schema: &Schema) -> SchemaRef {
    let by_code = DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8));
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if BY_CODE.contains(&f.name().as_str()) {
                f.as_ref().clone().with_data_type(by_code.clone())
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}
