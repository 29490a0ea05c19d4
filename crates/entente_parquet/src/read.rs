//! Reading part files back into rows.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use crate::error::{arrow_error, io, pq};
use crate::{Error, partition_values, parts, table_dir};
use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use entente_schema::Table;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::de::DeserializeOwned;

/// Reads every row of table `T` in the output directory `out`, all parts in path order.
pub fn read_table<T: Table>(out: &Path) -> Result<Vec<T>, Error> {
    let mut rows = Vec::new();
    read_batches(&table_dir::<T>(out), |mut part: Vec<T>| {
        rows.append(&mut part);
        Ok::<(), Error>(())
    })?;
    Ok(rows)
}

/// Reads the table in directory `dir` one record batch (about a thousand rows) at a time,
/// part by part in path order, and hands each to `each`, so a table larger than memory can be
/// folded into a summary. Columns the row type does not know (added by a newer entente) are
/// ignored.
pub fn read_batches<T: Table, E: From<Error>>(
    dir: &Path,
    mut each: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), E> {
    let parts = parts(dir)?;
    if parts.is_empty() {
        return Err(Error::NoParts { path: dir.to_owned() }.into());
    }
    for part in parts {
        read_part(dir, &part, &mut each)?;
    }
    Ok(())
}

/// Reads one part file of the table in directory `dir` as rows of `T`, a record batch at a
/// time, with its partition columns filled in from the path.
pub fn read_part<T: Table, E: From<Error>>(
    dir: &Path,
    part: &Path,
    mut each: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), E> {
    let values = partition_values(dir, part);
    read_record_batches(part, |batch| {
        let batch = with_partition_columns(batch, &values, part)?;
        let rows: Vec<T> = serde_arrow::from_record_batch(&batch)
            .map_err(|source| Error::Convert { path: part.to_owned(), source })?;
        each(rows)
    })
}

/// The rows of table `T` in a record batch with the table's full schema ([`schema`](crate::schema())).
pub fn rows_of<T: Table>(batch: &RecordBatch) -> Result<Vec<T>, Error> {
    crate::rows_in::<T, T>(batch)
}

/// Rows of table `T` as one record batch with the table's full schema: the inverse of
/// [`rows_of`].
pub fn batch_of<T: Table>(rows: &[T]) -> Result<RecordBatch, Error> {
    serde_arrow::to_record_batch(&crate::fields::<T>()?, &rows)
        .map_err(|source| Error::Schema { table: T::NAME, source })
}

/// Reads only the named columns of table `T` in the output directory `out`, a record batch at
/// a time, part by part in path order, as rows of `R` (a struct with some of `T`'s fields):
/// the other columns are not decoded. Partition columns are filled in from the paths; a
/// column a part does not have is left out of its batches (an `Option` field of `R` reads it
/// as null).
pub fn read_columns<T: Table, R: DeserializeOwned, E: From<Error>>(
    out: &Path,
    columns: &[&str],
    mut each: impl FnMut(Vec<R>) -> Result<(), E>,
) -> Result<(), E> {
    read_column_batches::<T, E>(out, columns, |part, batch| {
        let rows: Vec<R> = serde_arrow::from_record_batch(&batch)
            .map_err(|source| Error::Convert { path: part.to_owned(), source })?;
        each(rows)
    })
}

/// [`read_columns`] as Arrow record batches, each with the path of the part it is from: for
/// a reader that takes values from the arrays rather than building a row of owned strings
/// per record.
pub fn read_column_batches<T: Table, E: From<Error>>(
    out: &Path,
    columns: &[&str],
    mut each: impl FnMut(&Path, RecordBatch) -> Result<(), E>,
) -> Result<(), E> {
    let dir = table_dir::<T>(out);
    let parts = parts(&dir)?;
    if parts.is_empty() {
        return Err(Error::NoParts { path: dir }.into());
    }
    for part in parts {
        let values = partition_values(&dir, &part);
        let file = File::open(&part).map_err(io(&part))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq(&part))?;
        let roots: Vec<usize> = builder
            .parquet_schema()
            .root_schema()
            .get_fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| columns.contains(&f.name()))
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder.with_projection(mask).build().map_err(pq(&part))?;
        for batch in reader {
            let batch = batch.map_err(arrow_error(&part))?;
            let batch = with_partition_columns(batch, &values, &part)?;
            each(&part, batch)?;
        }
    }
    Ok(())
}

/// Every row of table `T` in the output directory `out` as Arrow record batches with the
/// table's [`schema`](crate::schema()): partition columns filled in from the paths and every
/// column in contract order, parts in path order. A table directory that does not exist gives
/// no batches.
pub fn read_arrow<T: Table>(out: &Path) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
    let schema = crate::schema::<T>()?;
    let dir = table_dir::<T>(out);
    let mut batches = Vec::new();
    if !dir.is_dir() {
        return Ok((schema, batches));
    }
    for part in parts(&dir)? {
        let values = partition_values(&dir, &part);
        read_record_batches(&part, |batch| {
            let batch = with_partition_columns(batch, &values, &part)?;
            let columns = schema
                .fields()
                .iter()
                .map(|f| {
                    batch.column_by_name(f.name()).cloned().ok_or_else(|| Error::Parquet {
                        path: part.clone(),
                        source: parquet::errors::ParquetError::General(format!(
                            "no column {:?}",
                            f.name()
                        )),
                    })
                })
                .collect::<Result<Vec<ArrayRef>, Error>>()?;
            let batch =
                RecordBatch::try_new(schema.clone(), columns).map_err(arrow_error(&part))?;
            batches.push(batch);
            Ok::<(), Error>(())
        })?;
    }
    Ok((schema, batches))
}

/// Reads the Parquet file at `path` one Arrow record batch at a time, as stored.
pub fn read_record_batches<E: From<Error>>(
    path: &Path,
    mut each: impl FnMut(RecordBatch) -> Result<(), E>,
) -> Result<(), E> {
    let file = File::open(path).map_err(io(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(pq(path))?
        .build()
        .map_err(pq(path))?;
    for batch in reader {
        let batch = batch.map_err(arrow_error(path))?;
        each(batch)?;
    }
    Ok(())
}

/// `batch` with a constant string column per partition value it does not have.
fn with_partition_columns(
    batch: RecordBatch,
    values: &[(String, String)],
    path: &Path,
) -> Result<RecordBatch, Error> {
    let schema = batch.schema();
    let missing: Vec<&(String, String)> =
        values.iter().filter(|(k, _)| schema.column_with_name(k).is_none()).collect();
    if missing.is_empty() {
        return Ok(batch);
    }
    let mut fields: Vec<FieldRef> = schema.fields().iter().cloned().collect();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    for (k, v) in missing {
        fields.push(Arc::new(Field::new(k, DataType::Utf8, false)));
        columns.push(Arc::new(StringArray::from(vec![v.as_str(); batch.num_rows()])));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(arrow_error(path))
}

/// The key-value metadata of the Parquet file at `path`, or of the first part of the table
/// directory at `path`.
pub fn read_metadata(path: &Path) -> Result<BTreeMap<String, String>, Error> {
    let file = if path.is_dir() {
        parts(path)?.into_iter().next().ok_or_else(|| Error::NoParts { path: path.to_owned() })?
    } else {
        path.to_owned()
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&file).map_err(io(&file))?)
        .map_err(pq(&file))?;
    let kv = builder.metadata().file_metadata().key_value_metadata();
    Ok(kv
        .into_iter()
        .flatten()
        .filter(|kv| kv.key.starts_with("entente."))
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect())
}

/// The number of rows of the Parquet file, or of all parts of the table directory, at
/// `path`, from the footers.
pub fn row_count(path: &Path) -> Result<u64, Error> {
    let files = if path.is_dir() { parts(path)? } else { vec![path.to_owned()] };
    let mut total = 0;
    for file in files {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(File::open(&file).map_err(io(&file))?)
                .map_err(pq(&file))?;
        total += u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    }
    Ok(total)
}
