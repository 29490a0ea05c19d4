//! The Parquet edge: the only crate that turns entente's row types into Parquet files and back.
//!
//! The Arrow schema of a table is derived once from its row type (`serde_arrow`), with unit
//! enums stored as plain strings and [`Table::TIMESTAMP_COLUMNS`] as UTC microsecond
//! timestamps, so `DuckDB`, pandas and polars see ordinary `VARCHAR`, integer, `DOUBLE` and
//! `TIMESTAMP WITH TIME ZONE` columns.
//!
//! Files are written atomically: to a hidden temporary file in the same directory, flushed to
//! disk, then renamed over the destination. A run that fails part-way leaves each table either
//! as it was or complete, never half-written.
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
//! write_table(dir.path(), &rows, &FileMetadata::new("cfg"))?;
//! assert_eq!(read_table::<Sentence>(dir.path())?, rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
}

/// Key-value metadata written into every file.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The path of table `T` in `dir`.
pub fn table_path<T: Table>(dir: &Path) -> PathBuf {
    dir.join(format!("{}.parquet", T::NAME))
}

/// The Arrow fields of table `T`, in column order.
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

/// The Arrow schema of table `T`.
pub fn schema<T: Table>() -> Result<SchemaRef, Error> {
    Ok(Arc::new(Schema::new(fields::<T>()?)))
}

/// Writes `rows` as `<dir>/<T::NAME>.parquet`, atomically, and returns the path.
pub fn write_table<T: Table>(
    dir: &Path,
    rows: &[T],
    metadata: &FileMetadata,
) -> Result<PathBuf, Error> {
    let mut writer = TableWriter::<T>::create(dir, metadata)?;
    writer.write(rows)?;
    writer.finish()
}

/// Writes one table a batch of rows at a time, for tables too large to hold in memory. The
/// rows go to a hidden temporary file that [`TableWriter::finish`] renames into place; a
/// writer dropped before `finish` removes it, leaving the previous table as it was.
///
/// ```
/// use entente_parquet::{FileMetadata, TableWriter, read_table};
/// use entente_schema::Sentence;
///
/// let dir = tempfile::tempdir()?;
/// let row = |i| Sentence {
///     doc_id: "d".into(), sentence_idx: i, char_start: 0, char_end: 2,
///     byte_start: 0, byte_end: 2, text: "Hi".into(),
/// };
/// let mut writer = TableWriter::<Sentence>::create(dir.path(), &FileMetadata::new("cfg"))?;
/// writer.write(&[row(0)])?;
/// writer.write(&[row(1)])?;
/// writer.finish()?;
/// assert_eq!(read_table::<Sentence>(dir.path())?, [row(0), row(1)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableWriter<T: Table> {
    tmp: PathBuf,
    path: PathBuf,
    fields: Vec<FieldRef>,
    writer: Option<ArrowWriter<BufWriter<File>>>,
    rows: u64,
    _rows: std::marker::PhantomData<T>,
}

impl<T: Table> TableWriter<T> {
    /// Starts `<dir>/<T::NAME>.parquet` with the file's metadata.
    pub fn create(dir: &Path, metadata: &FileMetadata) -> Result<Self, Error> {
        let path = table_path::<T>(dir);
        let tmp = dir.join(format!(".{}.parquet.tmp-{}", T::NAME, std::process::id()));
        let pq = |source| Error::Parquet { path: tmp.clone(), source };
        let fields = fields::<T>()?;
        let schema = Arc::new(Schema::new(fields.clone()));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq)?))
            .set_key_value_metadata(Some(metadata.key_values(T::NAME)))
            .set_created_by(format!("entente {}", env!("CARGO_PKG_VERSION")))
            .build();
        let file = File::create(&tmp).map_err(|source| Error::Io { path: tmp.clone(), source })?;
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema, Some(props));
        let writer = match writer {
            Ok(w) => w,
            Err(source) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::Parquet { path: tmp, source });
            }
        };
        Ok(Self {
            tmp,
            path,
            fields,
            writer: Some(writer),
            rows: 0,
            _rows: std::marker::PhantomData,
        })
    }

    /// Appends rows.
    pub fn write(&mut self, rows: &[T]) -> Result<(), Error> {
        let Some(writer) = self.writer.as_mut() else { return Ok(()) };
        for chunk in rows.chunks(WRITE_BATCH_ROWS) {
            let batch = serde_arrow::to_record_batch(&self.fields, &chunk)
                .map_err(|source| Error::Convert { path: self.tmp.clone(), source })?;
            writer
                .write(&batch)
                .map_err(|source| Error::Parquet { path: self.tmp.clone(), source })?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Number of rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Completes the file, flushes it to disk and renames it into place; returns its path.
    pub fn finish(mut self) -> Result<PathBuf, Error> {
        let tmp = self.tmp.clone();
        let io = |source| Error::Io { path: tmp.clone(), source };
        let pq = |source| Error::Parquet { path: tmp.clone(), source };
        if let Some(writer) = self.writer.take() {
            let mut out = writer.into_inner().map_err(pq)?;
            out.flush().map_err(io)?;
            out.get_ref().sync_all().map_err(io)?;
        }
        if let Err(source) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(Error::Io { path: self.path.clone(), source });
        }
        Ok(self.path.clone())
    }
}

impl<T: Table> Drop for TableWriter<T> {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Not finished: best effort, the temporary file is hidden and a later run
            // overwrites it anyway.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Reads every row of `<dir>/<T::NAME>.parquet`.
pub fn read_table<T: Table>(dir: &Path) -> Result<Vec<T>, Error> {
    read_file(&table_path::<T>(dir))
}

/// Reads every row of the Parquet file at `path` as rows of table `T`. Columns the row type
/// does not know (added by a newer entente) are ignored.
pub fn read_file<T: Table>(path: &Path) -> Result<Vec<T>, Error> {
    let mut rows = Vec::new();
    read_batches(path, |mut part: Vec<T>| {
        rows.append(&mut part);
        Ok::<(), Error>(())
    })?;
    Ok(rows)
}

/// Reads the Parquet file at `path` one record batch (about a thousand rows) at a time and
/// hands each to `each`, so a table larger than memory can be folded into a summary.
pub fn read_batches<T: Table, E: From<Error>>(
    path: &Path,
    mut each: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), E> {
    let pq = |source| Error::Parquet { path: path.to_owned(), source };
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?.build().map_err(pq)?;
    for batch in reader {
        let batch = batch.map_err(|e| pq(e.into()))?;
        let part: Vec<T> = serde_arrow::from_record_batch(&batch)
            .map_err(|source| Error::Convert { path: path.to_owned(), source })?;
        each(part)?;
    }
    Ok(())
}

/// The key-value metadata of the Parquet file at `path`.
pub fn read_metadata(path: &Path) -> Result<BTreeMap<String, String>, Error> {
    let pq = |source| Error::Parquet { path: path.to_owned(), source };
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
    let kv = builder.metadata().file_metadata().key_value_metadata();
    Ok(kv
        .into_iter()
        .flatten()
        .filter(|kv| kv.key.starts_with("entente."))
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect())
}

/// The number of rows of the Parquet file at `path`, from its footer.
pub fn row_count(path: &Path) -> Result<u64, Error> {
    let pq = |source| Error::Parquet { path: path.to_owned(), source };
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
    Ok(u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0))
}
