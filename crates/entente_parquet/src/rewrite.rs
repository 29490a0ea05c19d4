//! Writing a part again with some of its columns changed: [`TableWriter::rewrite_columns`].

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use crate::error::{arrow_error, io, pq};
use crate::write::FileState;
use crate::{Error, TableWriter};
use arrow::array::RecordBatch;
use entente_schema::Table;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::arrow_writer::compute_leaves;
use parquet::column::writer::ColumnCloseResult;
use parquet::file::metadata::{ColumnChunkMetaData, PageIndexPolicy, ParquetMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::properties::WriterProperties;
use parquet::file::statistics::Statistics;
use parquet::schema::types::ColumnPath;
use serde::Serialize;
use serde::de::DeserializeOwned;

impl<T: Table> TableWriter<T> {
    /// Writes the rows of the part file `source` (a part of `T`) with some columns changed,
    /// into this writer, which must be for a table without partition columns and have had no
    /// rows. For each batch of rows of `source` (at most 16,384, within one row group),
    /// `decide` gets their `inputs` columns (in that order) and returns a batch of new
    /// columns, each named as the column of `T` it replaces.
    ///
    /// Every other column chunk is copied as it is, pages, statistics and page index, not
    /// decoded and compressed again: the file is the one writing its rows, changed, row group
    /// by row group would give, for a fraction of the work. A column chunk compressed with
    /// another codec than this writer's, or in another place, is encoded again; a column
    /// `source` lacks is an error.
    pub fn rewrite_columns<E: From<Error>>(
        &mut self,
        source: &Path,
        inputs: &[&str],
        mut decide: impl FnMut(&RecordBatch) -> Result<RecordBatch, E>,
    ) -> Result<(), E> {
        let file = File::open(source).map_err(io(source))?;
        // The page encoding statistics as written, not as a mask, so they are copied too.
        let options = ArrowReaderOptions::new()
            .with_page_index_policy(PageIndexPolicy::Optional)
            .with_encoding_stats_as_mask(false);
        let read = ArrowReaderMetadata::load(&file, options).map_err(pq(source))?;
        let target = self.part_schema.clone();
        let (tmp, writer) = match self.files.values_mut().next() {
            Some(part) if T::PARTITION_COLUMNS.is_empty() && self.rows == 0 => {
                match std::mem::replace(&mut part.state, FileState::Complete) {
                    FileState::Open(writer) => (part.tmp.clone(), writer),
                    other => {
                        part.state = other;
                        return Err(Error::Completed { path: part.path.clone() }.into());
                    }
                }
            }
            _ => {
                let what = "a rewrite needs a new writer of a table without partitions";
                let source = parquet::errors::ParquetError::General(what.to_owned());
                return Err(Error::Parquet { path: self.dir.join(&self.name), source }.into());
            }
        };
        let (mut out, factory) = writer.into_serialized_writer().map_err(pq(&tmp))?;
        let plan = Plan::new(read.metadata(), &target, &self.props, source)?;
        let mismatch = |what: String| Error::Parquet {
            path: source.to_owned(),
            source: parquet::errors::ParquetError::General(what),
        };
        let metadata = read.metadata().clone();
        let columns = target.fields().len();
        // The columns read: `inputs` and those encoded again.
        let wanted: Vec<usize> = (0..columns)
            .filter(|&c| plan.encode[c] || inputs.contains(&target.field(c).name().as_str()))
            .map(|c| plan.source_of[c])
            .collect();
        for (g, group) in metadata.row_groups().iter().enumerate() {
            let mut writers = factory.create_column_writers(g).map_err(pq(&tmp))?;
            // The columns encoded again: those `decide` returns and those not copied.
            let mut encoded: Option<Vec<bool>> = None;
            for batch in read_group(&file, &read, g, &wanted, source)? {
                let batch = batch.map_err(arrow_error(source))?;
                let schema = batch.schema();
                let at = inputs.iter().map(|name| {
                    schema.index_of(name).map_err(|_| mismatch(format!("no column {name} to read")))
                });
                let input = batch
                    .project(&at.collect::<Result<Vec<usize>, Error>>()?)
                    .map_err(arrow_error(source))?;
                let decided = decide(&input)?;
                if decided.num_rows() != batch.num_rows() {
                    let (new, rows) = (decided.num_rows(), batch.num_rows());
                    return Err(mismatch(format!(
                        "row group {g}: {new} new values for {rows} rows"
                    ))
                    .into());
                }
                let which: Vec<bool> = (0..columns)
                    .map(|c| {
                        plan.encode[c] || decided.column_by_name(target.field(c).name()).is_some()
                    })
                    .collect();
                if *encoded.get_or_insert_with(|| which.clone()) != which {
                    return Err(
                        mismatch(format!("row group {g}: new columns differ by batch")).into()
                    );
                }
                for (c, writer) in writers.iter_mut().enumerate().filter(|(c, _)| which[*c]) {
                    let field = target.field(c);
                    let column = decided
                        .column_by_name(field.name())
                        .or_else(|| batch.column_by_name(field.name()))
                        .ok_or_else(|| mismatch(format!("no column {}", field.name())))?;
                    let field = std::sync::Arc::new(field.clone());
                    for leaf in compute_leaves(&field, column).map_err(pq(&tmp))? {
                        writer.write(&leaf).map_err(pq(&tmp))?;
                    }
                }
            }
            let encoded = encoded.unwrap_or_else(|| plan.encode.clone());
            let rows = u64::try_from(group.num_rows()).unwrap_or(0);
            let mut group_out = out.next_row_group().map_err(pq(&tmp))?;
            for (c, writer) in writers.into_iter().enumerate() {
                if encoded[c] {
                    let chunk = writer.close().map_err(pq(&tmp))?;
                    chunk.append_to_row_group(&mut group_out).map_err(pq(&tmp))?;
                    continue;
                }
                let s = plan.source_of[c];
                let chunk = as_written(group.column(s).clone()).map_err(pq(source))?;
                let close = ColumnCloseResult {
                    bytes_written: u64::try_from(chunk.compressed_size()).unwrap_or(0),
                    rows_written: rows,
                    metadata: chunk,
                    bloom_filter: None,
                    column_index: column_index(&metadata, g, s),
                    offset_index: metadata.offset_index().and_then(|o| o.get(g)?.get(s).cloned()),
                };
                group_out.append_column(&file, close).map_err(pq(&tmp))?;
            }
            group_out.close().map_err(pq(&tmp))?;
            self.rows += rows;
        }
        let mut file_out = out.into_inner().map_err(pq(&tmp))?;
        file_out.flush().map_err(io(&tmp))?;
        file_out.get_ref().sync_all().map_err(io(&tmp))?;
        Ok(())
    }
}

/// Which column chunks of a source file are copied and which encoded again.
struct Plan {
    /// For each column of the target schema, its leaf column in the source.
    source_of: Vec<usize>,
    /// For each column of the target schema, whether it is encoded again (not copied).
    encode: Vec<bool>,
}

impl Plan {
    fn new(
        source: &ParquetMetaData,
        target: &arrow::datatypes::Schema,
        props: &WriterProperties,
        path: &Path,
    ) -> Result<Self, Error> {
        let descr = source.file_metadata().schema_descr();
        // One leaf per top-level column: every table is flat.
        if descr.num_columns() != descr.root_schema().get_fields().len() {
            return Err(Error::Parquet {
                path: path.to_owned(),
                source: parquet::errors::ParquetError::General(
                    "nested columns cannot be copied".to_owned(),
                ),
            });
        }
        let mut source_of = Vec::with_capacity(target.fields().len());
        let mut encode = Vec::with_capacity(target.fields().len());
        for (c, field) in target.fields().iter().enumerate() {
            let Some(s) =
                (0..descr.num_columns()).find(|&s| descr.column(s).name() == field.name())
            else {
                return Err(Error::Parquet {
                    path: path.to_owned(),
                    source: parquet::errors::ParquetError::General(format!(
                        "no column {} to rewrite (not a part of this table?)",
                        field.name()
                    )),
                });
            };
            // Copied only where it lands in the same place with the same codec.
            // A file does not record the level: any zstd chunk is copied into a zstd file.
            let codec = std::mem::discriminant(
                &props.compression(&ColumnPath::from(field.name().as_str())),
            );
            let same = s == c
                && source
                    .row_groups()
                    .iter()
                    .all(|g| std::mem::discriminant(&g.column(c).compression()) == codec);
            source_of.push(s);
            encode.push(!same);
        }
        Ok(Self { source_of, encode })
    }
}

/// A column chunk's metadata as read, with its statistics as the writer makes them: reading
/// does not keep that it also fills the deprecated `min` and `max` fields for a column with
/// a signed sort order, which it does on writing.
fn as_written(chunk: ColumnChunkMetaData) -> parquet::errors::Result<ColumnChunkMetaData> {
    let Some(statistics) = chunk.statistics().cloned() else { return Ok(chunk) };
    let signed = chunk.column_descr().sort_order().is_signed();
    let statistics = match statistics {
        Statistics::Boolean(v) => Statistics::Boolean(v.with_backwards_compatible_min_max(signed)),
        Statistics::Int32(v) => Statistics::Int32(v.with_backwards_compatible_min_max(signed)),
        Statistics::Int64(v) => Statistics::Int64(v.with_backwards_compatible_min_max(signed)),
        Statistics::Int96(v) => Statistics::Int96(v.with_backwards_compatible_min_max(signed)),
        Statistics::Float(v) => Statistics::Float(v.with_backwards_compatible_min_max(signed)),
        Statistics::Double(v) => Statistics::Double(v.with_backwards_compatible_min_max(signed)),
        Statistics::ByteArray(v) => {
            Statistics::ByteArray(v.with_backwards_compatible_min_max(signed))
        }
        Statistics::FixedLenByteArray(v) => {
            Statistics::FixedLenByteArray(v.with_backwards_compatible_min_max(signed))
        }
    };
    chunk.into_builder().set_statistics(statistics).build()
}

/// The column index of column `s` in row group `g`, if the file has one.
fn column_index(metadata: &ParquetMetaData, g: usize, s: usize) -> Option<ColumnIndexMetaData> {
    match metadata.column_index()?.get(g)?.get(s)? {
        ColumnIndexMetaData::NONE => None,
        index => Some(index.clone()),
    }
}

/// Columns `leaves` of row group `g` of `file`, [`REWRITE_ROWS`] rows at a time.
fn read_group(
    file: &File,
    read: &ArrowReaderMetadata,
    g: usize,
    leaves: &[usize],
    path: &Path,
) -> Result<ParquetRecordBatchReader, Error> {
    let clone = file.try_clone().map_err(io(path))?;
    let mask =
        ProjectionMask::leaves(read.metadata().file_metadata().schema_descr(), leaves.to_vec());
    ParquetRecordBatchReaderBuilder::new_with_metadata(clone, read.clone())
        .with_row_groups(vec![g])
        .with_projection(mask)
        .with_batch_size(REWRITE_ROWS)
        .build()
        .map_err(pq(path))
}

/// Rows decided and encoded at a time: a multiple of the writer's mini-batch (1,024 rows),
/// so that pages are cut where writing the rows directly cuts them.
const REWRITE_ROWS: usize = 16 * 1024;

/// `rows` (structs with some of `T`'s fields) as a record batch of those columns, typed as in
/// `T`'s schema: the new columns for [`TableWriter::rewrite_columns`].
pub fn columns_of<T: Table, R: Serialize>(
    columns: &[&str],
    rows: &[R],
) -> Result<RecordBatch, Error> {
    let fields: Vec<_> = crate::fields::<T>()?
        .into_iter()
        .filter(|f| columns.contains(&f.name().as_str()))
        .collect();
    serde_arrow::to_record_batch(&fields, &rows)
        .map_err(|source| Error::Schema { table: T::NAME, source })
}

/// The rows of a record batch of some of `T`'s columns (e.g. the `inputs` of
/// [`TableWriter::rewrite_columns`]) as structs with those fields: the inverse of
/// [`columns_of`].
pub fn rows_in<T: Table, R: DeserializeOwned>(batch: &RecordBatch) -> Result<Vec<R>, Error> {
    serde_arrow::from_record_batch(batch).map_err(|source| Error::Schema { table: T::NAME, source })
}
