//! Arrow schemas derived from the row types.

use std::sync::Arc;

use crate::Error;
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};
use entente_schema::Table;
use serde_arrow::schema::{SchemaLike, TracingOptions};

/// The Arrow fields of table `T`, in column order, the partition columns included.
pub fn fields<T: Table>() -> Result<Vec<FieldRef>, Error> {
    let schema_err = |source| Error::Schema { table: T::NAME, source };
    let traced = Vec::<FieldRef>::from_type::<T>(
        TracingOptions::default()
            .enums_without_data_as_strings(true)
            // Plain Utf8 and List: every reader supports them, and a batch of
            // WRITE_BATCH_ROWS rows stays far below their 2 GiB offset limit.
            .strings_as_large_utf8(false)
            .sequence_as_large_list(false),
    )
    .map_err(schema_err)?;
    Ok(traced
        .into_iter()
        .map(|f| {
            let data_type = if T::TIMESTAMP_COLUMNS.contains(&f.name().as_str()) {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            } else if matches!(f.data_type(), DataType::Dictionary(..)) {
                DataType::Utf8
            } else {
                return f;
            };
            Arc::new(Field::new(f.name(), data_type, f.is_nullable()))
        })
        .collect())
}

/// The Arrow schema of table `T` (the partition columns included).
pub fn schema<T: Table>() -> Result<SchemaRef, Error> {
    Ok(Arc::new(Schema::new(fields::<T>()?)))
}

/// The Arrow schema of `T`'s part files: [`schema`] without the partition columns.
pub fn part_schema<T: Table>() -> Result<SchemaRef, Error> {
    let fields: Vec<FieldRef> = fields::<T>()?
        .into_iter()
        .filter(|f| !T::PARTITION_COLUMNS.contains(&f.name().as_str()))
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}
