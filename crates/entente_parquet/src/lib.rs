//! The Parquet edge: the only crate that turns entente's row types into Parquet files and back.
//!
//! The Arrow schema of a table is derived once from its row type (`serde_arrow`), with unit
//! enums stored as plain strings and [`Table::TIMESTAMP_COLUMNS`] as UTC microsecond
//! timestamps, so `DuckDB`, pandas and polars see ordinary `VARCHAR`, integer, `DOUBLE` and
//! `TIMESTAMP WITH TIME ZONE` columns.
//!
//! Every table is a directory of part files, `<out>/<table>/part-00000.parquet`, ...; a
//! table with [`Table::PARTITION_COLUMNS`] puts its parts in Hive directories
//! (`cooccurrences/scope=sentence/part-00000.parquet`) and leaves those columns out of the
//! files, as Hive, `DuckDB`, polars and pyarrow expect. [`read_table`] and [`read_batches`]
//! put them back. Row groups are cut at [`ROW_GROUP_BYTES`] or [`ROW_GROUP_ROWS`], whichever
//! comes first, and compressed with zstd.
//!
//! A run writes its tables into a [`Staging`] directory beside the output directory and
//! [`Staging::commit`]s them: the tables it did not write are hard-linked in, and the staged
//! directory takes the output directory's place in one atomic exchange (Linux `renameat2`).
//! A run that fails or is killed at any point leaves the output directory exactly as it was;
//! a reader never sees some tables of one run and some of another.
//!
//! ```
//! use entente_parquet::{FileMetadata, read_table, write_table};
//! use entente_schema::Sentence;
//!
//! let dir = tempfile::tempdir()?;
//! let rows = vec![Sentence {
//!     doc_id: "d".into(), sentence_idx: 0, char_start: 0, char_end: 2,
//!     byte_start: 0, byte_end: 2, text: "Hi".into(),
//! }];
//! let out = dir.path().join("out"); // its lock file goes beside it
//! write_table(&out, &rows, &FileMetadata::new("cfg"))?;
//! assert!(out.join("sentences/part-00000.parquet").exists());
//! assert_eq!(read_table::<Sentence>(&out)?, rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};
use entente_schema::{CONTRACT_VERSION, Table};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_arrow::schema::{SchemaLike, TracingOptions};

/// Rows converted to Arrow per batch while writing: bounds the memory of the conversion.
const WRITE_BATCH_ROWS: usize = 16 * 1024;

/// A row group is closed when its encoded size reaches this many bytes ...
pub const ROW_GROUP_BYTES: usize = 64 << 20;
/// ... or this many rows.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Metadata key: the entente version that wrote the file.
pub const KEY_VERSION: &str = "entente.version";
/// Metadata key: the table contract version ([`CONTRACT_VERSION`]).
pub const KEY_CONTRACT: &str = "entente.contract_version";
/// Metadata key: hash of the pipeline configuration that produced the file.
pub const KEY_CONFIG_HASH: &str = "entente.config_hash";
/// Metadata key: the table's name.
pub const KEY_TABLE: &str = "entente.table";

/// An error reading or writing a table; every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another entente run is writing into the output directory.
    #[error(
        "{path}: another entente run is writing into this output directory (it holds the \
         lock beside it); wait for it to finish"
    )]
    Busy {
        /// The output directory.
        path: PathBuf,
    },
    /// The file could not be created, read, flushed or renamed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The Parquet reader or writer failed.
    #[error("{path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: parquet::errors::ParquetError,
    },
    /// Rows and Arrow arrays did not convert into each other (e.g. a file of another table).
    #[error("{path}: {source}")]
    Convert {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_arrow::Error,
    },
    /// The Arrow schema of a row type could not be derived (a bug in entente).
    #[error("schema of table {table}: {source}")]
    Schema {
        /// The table.
        table: &'static str,
        /// The underlying error.
        source: serde_arrow::Error,
    },
    /// A table directory holds no part file.
    #[error("{path}: no Parquet part files (run the earlier stages first, e.g. `entente run`)")]
    NoParts {
        /// The table directory.
        path: PathBuf,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_owned(), source }
}

fn pq(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> Error + '_ {
    move |source| Error::Parquet { path: path.to_owned(), source }
}

/// Key-value metadata written into every file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileMetadata {
    /// Extra keys, e.g. the entity types the aggregate stage counted. Sorted, so files are
    /// byte-identical across runs.
    pub extra: BTreeMap<String, String>,
    config_hash: String,
}

impl FileMetadata {
    /// Metadata for a file produced under the configuration with hash `config_hash`.
    pub fn new(config_hash: impl Into<String>) -> Self {
        Self { extra: BTreeMap::new(), config_hash: config_hash.into() }
    }

    /// Adds an extra key.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    fn key_values(&self, table: &str) -> Vec<KeyValue> {
        let mut kv = vec![
            KeyValue::new(KEY_VERSION.to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
            KeyValue::new(KEY_CONTRACT.to_owned(), CONTRACT_VERSION.to_owned()),
            KeyValue::new(KEY_CONFIG_HASH.to_owned(), self.config_hash.clone()),
            KeyValue::new(KEY_TABLE.to_owned(), table.to_owned()),
        ];
        kv.extend(self.extra.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())));
        kv
    }
}

/// The directory of table `T` in the output directory `out`.
pub fn table_dir<T: Table>(out: &Path) -> PathBuf {
    out.join(T::NAME)
}

/// The file name of part `i`: `part-00007.parquet`. Parts sort in number order.
pub fn part_name(i: usize) -> String {
    format!("part-{i:05}.parquet")
}

/// The part files of the table directory `dir`, in path order: every `*.parquet` file below
/// it, skipping names that start with `.` or `_` (temporary files, as Hive readers do).
pub fn parts(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    collect_parts(dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn collect_parts(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() {
            collect_parts(&path, out)?;
        } else if name.ends_with(".parquet") {
            out.push(path);
        }
    }
    Ok(())
}

/// The Hive partition values of a part file below the table directory `dir`, outermost
/// first: `scope=sentence/period=month/part-00000.parquet` gives `[("scope", "sentence"),
/// ("period", "month")]`.
pub fn partition_values(dir: &Path, part: &Path) -> Vec<(String, String)> {
    let relative = part.strip_prefix(dir).unwrap_or(part);
    relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| {
            let c = c.as_os_str().to_string_lossy();
            let (k, v) = c.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

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

/// How a part file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// zstd level 3: the tables users read.
    Zstd,
    /// None: intermediate files read back once by the same run.
    Uncompressed,
}

/// Writes `rows` as table `T` in the output directory `out`, replacing any earlier table: one
/// part file (per Hive partition). Returns the path of the first part file.
pub fn write_table<T: Table>(
    out: &Path,
    rows: &[T],
    metadata: &FileMetadata,
) -> Result<PathBuf, Error> {
    let staging = Staging::new(out)?;
    let mut writer =
        TableWriter::<T>::create(&staging.table_dir::<T>(), &part_name(0), metadata, Codec::Zstd)?;
    writer.write(rows)?;
    writer.finish()?;
    let dir = staging.table_dir::<T>();
    let first = parts(&dir)?.into_iter().next();
    staging.commit()?;
    let first = first.and_then(|p| p.strip_prefix(&dir).ok().map(Path::to_owned));
    Ok(table_dir::<T>(out).join(first.unwrap_or_else(|| PathBuf::from(part_name(0)))))
}

/// Writes one part of table `T` a batch of rows at a time: `<dir>/<name>` or, for a table
/// with partition columns, `<dir>/<column>=<value>/.../<name>` for each combination of values
/// the rows have (or that [`TableWriter::partition`] asked for). A file is written to a hidden
/// temporary name and renamed by [`TableWriter::finish`]; a writer dropped before `finish`
/// removes it.
///
/// ```
/// use entente_parquet::{Codec, FileMetadata, TableWriter, read_table};
/// use entente_schema::Sentence;
///
/// let dir = tempfile::tempdir()?;
/// let row = |i| Sentence {
///     doc_id: "d".into(), sentence_idx: i, char_start: 0, char_end: 2,
///     byte_start: 0, byte_end: 2, text: "Hi".into(),
/// };
/// let table = dir.path().join("sentences");
/// let meta = FileMetadata::new("cfg");
/// let mut writer = TableWriter::<Sentence>::create(&table, "part-00000.parquet", &meta, Codec::Zstd)?;
/// writer.write(&[row(0)])?;
/// writer.write(&[row(1)])?;
/// writer.finish()?;
/// assert_eq!(read_table::<Sentence>(dir.path())?, [row(0), row(1)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableWriter<T: Table> {
    dir: PathBuf,
    name: String,
    fields: Vec<FieldRef>,
    part_schema: SchemaRef,
    props: WriterProperties,
    /// One open file per combination of partition values (one, keyed by `[]`, if none).
    files: BTreeMap<Vec<String>, PartFile>,
    rows: u64,
    _rows: std::marker::PhantomData<T>,
}

struct PartFile {
    tmp: PathBuf,
    path: PathBuf,
    writer: Option<ArrowWriter<BufWriter<File>>>,
}

impl<T: Table> TableWriter<T> {
    /// Starts part `name` of the table in directory `dir` (created if missing).
    pub fn create(
        dir: &Path,
        name: &str,
        metadata: &FileMetadata,
        codec: Codec,
    ) -> Result<Self, Error> {
        let compression = match codec {
            Codec::Zstd => Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq(dir))?),
            Codec::Uncompressed => Compression::UNCOMPRESSED,
        };
        let props = WriterProperties::builder()
            .set_compression(compression)
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(metadata.key_values(T::NAME)))
            .set_created_by(format!("entente {}", env!("CARGO_PKG_VERSION")))
            .build();
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut writer = Self {
            dir: dir.to_owned(),
            name: name.to_owned(),
            fields: fields::<T>()?,
            part_schema: part_schema::<T>()?,
            props,
            files: BTreeMap::new(),
            rows: 0,
            _rows: std::marker::PhantomData,
        };
        if T::PARTITION_COLUMNS.is_empty() {
            writer.open(Vec::new())?;
        }
        Ok(writer)
    }

    /// Makes sure the part exists in the partition with these values (one per partition
    /// column), even if no row goes there: readers then see the partition's columns.
    pub fn partition(&mut self, values: &[&str]) -> Result<(), Error> {
        let key: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        if !self.files.contains_key(&key) {
            self.open(key)?;
        }
        Ok(())
    }

    fn open(&mut self, values: Vec<String>) -> Result<(), Error> {
        let mut dir = self.dir.clone();
        for (column, value) in T::PARTITION_COLUMNS.iter().zip(&values) {
            dir.push(format!("{column}={value}"));
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&self.name);
        let tmp = dir.join(format!(".{}.tmp-{}", self.name, std::process::id()));
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let writer = ArrowWriter::try_new(
            BufWriter::new(file),
            self.part_schema.clone(),
            Some(self.props.clone()),
        );
        let writer = match writer {
            Ok(w) => w,
            Err(source) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::Parquet { path: tmp, source });
            }
        };
        self.files.insert(values, PartFile { tmp, path, writer: Some(writer) });
        Ok(())
    }

    /// Appends rows.
    pub fn write(&mut self, rows: &[T]) -> Result<(), Error> {
        for chunk in rows.chunks(WRITE_BATCH_ROWS) {
            let batch = serde_arrow::to_record_batch(&self.fields, &chunk)
                .map_err(|source| Error::Convert { path: self.dir.join(&self.name), source })?;
            self.write_batch(&batch)?;
        }
        Ok(())
    }

    /// Appends a record batch with the table's full schema ([`schema`]): its partition
    /// columns pick the files, the other columns are written.
    pub fn write_batch(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let path = self.dir.join(&self.name);
        if T::PARTITION_COLUMNS.is_empty() {
            let file = self
                .files
                .values_mut()
                .next()
                .ok_or_else(|| Error::NoParts { path: path.clone() })?;
            file.write(batch)?;
        } else {
            for (values, rows) in split_by_partition(batch, T::PARTITION_COLUMNS, &path)? {
                let schema = rows.schema();
                let keep: Vec<usize> = (0..rows.num_columns())
                    .filter(|&i| !T::PARTITION_COLUMNS.contains(&schema.field(i).name().as_str()))
                    .collect();
                let rows = rows
                    .project(&keep)
                    .map_err(|e| Error::Parquet { path: path.clone(), source: e.into() })?;
                if !self.files.contains_key(&values) {
                    self.open(values.clone())?;
                }
                if let Some(file) = self.files.get_mut(&values) {
                    file.write(&rows)?;
                }
            }
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Number of rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Completes every file, flushes it to disk and renames it into place.
    pub fn finish(mut self) -> Result<(), Error> {
        for file in self.files.values_mut() {
            file.finish()?;
        }
        Ok(())
    }
}

impl PartFile {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        if let Some(writer) = self.writer.as_mut() {
            writer.write(batch).map_err(pq(&self.tmp))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        if let Some(writer) = self.writer.take() {
            let mut out = writer.into_inner().map_err(pq(&self.tmp))?;
            out.flush().map_err(io(&self.tmp))?;
            out.get_ref().sync_all().map_err(io(&self.tmp))?;
        }
        if let Err(source) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(Error::Io { path: self.path.clone(), source });
        }
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Not finished: best effort, the temporary file is hidden and a later run
            // overwrites it anyway.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The rows of `batch` grouped by the values of the (string) partition `columns`, in order
/// of the values.
fn split_by_partition(
    batch: &RecordBatch,
    columns: &[&str],
    path: &Path,
) -> Result<Vec<(Vec<String>, RecordBatch)>, Error> {
    let err = |source: arrow::error::ArrowError| Error::Parquet {
        path: path.to_owned(),
        source: source.into(),
    };
    let mut keys: Vec<&StringArray> = Vec::new();
    for column in columns {
        let array = batch
            .column_by_name(column)
            .and_then(|a| a.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| {
                err(arrow::error::ArrowError::SchemaError(format!(
                    "partition column {column} is missing or not a string"
                )))
            })?;
        keys.push(array);
    }
    let key_of = |row: usize| -> Vec<String> {
        keys.iter()
            .map(|a| if a.is_null(row) { String::new() } else { a.value(row).to_owned() })
            .collect()
    };
    let mut groups: BTreeMap<Vec<String>, Vec<bool>> = BTreeMap::new();
    for row in 0..batch.num_rows() {
        groups.entry(key_of(row)).or_insert_with(|| vec![false; batch.num_rows()])[row] = true;
    }
    groups
        .into_iter()
        .map(|(key, mask)| {
            let rows = arrow::compute::filter_record_batch(batch, &BooleanArray::from(mask))
                .map_err(err)?;
            Ok((key, rows))
        })
        .collect()
}

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
        let batch =
            batch.map_err(|e| Error::Parquet { path: path.to_owned(), source: e.into() })?;
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
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| Error::Parquet { path: path.to_owned(), source: e.into() })
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

/// Where a run builds its output before [`Staging::commit`] puts it in place: the hidden
/// directory `.<name>.entente-staging-<pid>` beside the output directory `<name>`. Creating one
/// takes the lock `.<name>.entente-lock` beside it (a second run into the same directory is
/// an [`Error::Busy`]) and removes what runs killed before it left behind. Dropping it
/// removes what was not committed.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    root: PathBuf,
    /// Tables of the output directory the commit leaves out.
    discarded: std::sync::Mutex<Vec<String>>,
    /// Held until the staging is dropped: the lock on the output directory.
    _lock: File,
}

impl Staging {
    /// Creates the output directory `out` if needed, locks it and creates an empty staging
    /// directory beside it.
    pub fn new(out: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(out).map_err(io(out))?;
        let out = std::fs::canonicalize(out).map_err(io(out))?;
        let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(Error::Io {
                path: out.clone(),
                source: std::io::Error::other("the output directory cannot be a file system root"),
            });
        };
        let name = name.to_string_lossy();
        let lock_path = parent.join(format!(".{name}.entente-lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Busy { path: out }),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        // With the lock held, any staging or old directory is a killed run's: remove it.
        let leftovers = [format!(".{name}.entente-staging-"), format!(".{name}.entente-old-")];
        for entry in std::fs::read_dir(parent).map_err(io(parent))?.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if leftovers.iter().any(|p| file_name.starts_with(p.as_str())) {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        // Earlier versions staged inside the output directory.
        for entry in std::fs::read_dir(&out).map_err(io(&out))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".entente-staging-") {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        let root = parent.join(format!(".{name}.entente-staging-{}", std::process::id()));
        std::fs::create_dir(&root).map_err(io(&root))?;
        Ok(Self { out, root, discarded: std::sync::Mutex::default(), _lock: lock })
    }

    /// The staging directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The staged directory of table `T`.
    pub fn table_dir<T: Table>(&self) -> PathBuf {
        self.root.join(T::NAME)
    }

    /// A staged directory for intermediate files, never committed.
    pub fn scratch(&self, name: &str) -> PathBuf {
        scratch_dir(&self.root, name)
    }

    /// Leaves table (or directory) `name` of the output directory out of the commit: after
    /// it, the output has no such table unless this run staged one.
    pub fn discard(&self, name: &str) {
        if let Ok(mut discarded) = self.discarded.lock() {
            discarded.push(name.to_owned());
        }
    }

    /// Makes the staged tables the output directory: every entry of the output directory that
    /// was neither staged nor [discarded](Staging::discard) is hard-linked into the staging
    /// directory (a table in the single-file layout of earlier versions is dropped when its
    /// directory is staged), scratch directories are removed, and the staging directory and
    /// the output directory are exchanged atomically; the old output is then removed.
    pub fn commit(self) -> Result<(), Error> {
        let discarded = self.discarded.lock().map(|d| d.clone()).unwrap_or_default();
        for entry in std::fs::read_dir(&self.root).map_err(io(&self.root))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(SCRATCH) {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        for entry in std::fs::read_dir(&self.out).map_err(io(&self.out))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let table = name.strip_suffix(".parquet").unwrap_or(&name);
            if discarded.iter().any(|d| d == table) || self.root.join(table).exists() {
                continue;
            }
            link_tree(&entry.path(), &self.root.join(&name))?;
        }
        // The files are synced as they are written; their directory entries are made durable
        // before the exchange, and the exchange itself after it, so a crash leaves either the
        // old output or the whole new one.
        sync_dirs(&self.root)?;
        exchange(&self.root, &self.out)?;
        // `out` is canonical and never a root (`Staging::new`), so it has a parent.
        if let Some(parent) = self.out.parent() {
            sync_dir(parent)?;
        }
        // `root` now holds the old output.
        std::fs::remove_dir_all(&self.root).map_err(io(&self.root))
    }
}

/// Syncs directory `dir` itself: its entries, not its files' contents.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Syncs `dir` and every directory under it.
fn sync_dirs(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            sync_dirs(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// The name prefix of [`Staging::scratch`] directories.
const SCRATCH: &str = ".scratch-";

/// The directory for intermediate files `name` in the staging directory `root`
/// ([`Staging::scratch`]): [`Staging::commit`] removes it.
pub fn scratch_dir(root: &Path, name: &str) -> PathBuf {
    root.join(format!("{SCRATCH}{name}"))
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Recreates `from` at `to` with hard links to its files (symbolic links copied as links), so
/// `to` can be changed by replacing files without touching `from`.
pub fn link_tree(from: &Path, to: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(from).map_err(io(from))?;
    if meta.is_dir() {
        std::fs::create_dir(to).map_err(io(to))?;
        for entry in std::fs::read_dir(from).map_err(io(from))?.flatten() {
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).map_err(io(from))?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, to).map_err(io(to));
        #[cfg(not(unix))]
        return std::fs::copy(from, to).map(|_| ()).map_err(io(to));
    } else {
        std::fs::hard_link(from, to).map_err(io(to))
    }
}

/// Swaps directories `a` and `b` in one atomic step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<(), Error> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
        .map_err(|e| io(b)(std::io::Error::from_raw_os_error(e.raw_os_error())))
}

/// Swaps directories `a` and `b`: two renames, so a process killed between them leaves `b`
/// missing (its old contents stay in `b`'s hidden `.entente-old-` sibling, removed by the
/// next run). Linux exchanges them atomically.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<(), Error> {
    let name = b.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let old = b.with_file_name(format!(".{name}.entente-old-{}", std::process::id()));
    std::fs::rename(b, &old).map_err(io(b))?;
    std::fs::rename(a, b).map_err(io(b))?;
    std::fs::rename(&old, a).map_err(io(a))
}

/// Removes table `name` from the output directory `out`, if it is there. Returns whether it
/// was.
pub fn remove_table(out: &Path, name: &str) -> Result<bool, Error> {
    let dir = out.join(name);
    let legacy = out.join(format!("{name}.parquet"));
    let mut removed = false;
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        removed = true;
    }
    if legacy.is_file() {
        std::fs::remove_file(&legacy).map_err(io(&legacy))?;
        removed = true;
    }
    Ok(removed)
}
