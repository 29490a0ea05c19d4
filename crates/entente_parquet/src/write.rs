//! Writing rows of a table as part files: [`TableWriter`], [`write_table`].
//!
//! Only the encodings every Parquet reader has (plain, RLE, dictionary): the delta encoding
//! made the offset columns smaller, but not every reader decodes it (Iceberg's vectorized
//! reader and Flink's lacked it for years; docs/experiments.md, "Offsets written as deltas").

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{arrow_error, io, pq};
use crate::{
    Error, KEY_CONFIG_HASH, KEY_CONTRACT, KEY_TABLE, KEY_VERSION, ROW_GROUP_BYTES, ROW_GROUP_ROWS,
    Staging, fields, part_name, part_schema, parts, table_dir,
};
use arrow::array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::{FieldRef, SchemaRef};
use entente_schema::{CONTRACT_VERSION, Table};
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows converted to Arrow per batch while writing: bounds the memory of the conversion.
const WRITE_BATCH_ROWS: usize = 16 * 1024;

/// Columns whose values are nearly all distinct (a document's text, a sentence, a `MinHash`
/// signature's hashes): written without a dictionary, which would only cost hashing every
/// value until the writer gives the dictionary up.
const PLAIN_COLUMNS: &[&str] = &["text", "raw_text", "signature"];

/// Columns written without minimum and maximum statistics (nor a page index): free text,
/// offsets into it, hashes, measures and lists, whose values spread over every page and
/// row group, so that no reader could skip data by them; computing them cost a comparison
/// per value (a tenth of writing the co-occurrence tables). Identifiers, types, sources,
/// languages and dates keep theirs.
const NO_STATISTICS_COLUMNS: &[&str] = &[
    // Free text and names.
    "text",
    "raw_text",
    "raw",
    "title",
    "detail",
    "name_a",
    "name_b",
    "entity_name",
    "top_surfaces",
    // Offsets into a document, restarting with each one.
    "char_start",
    "char_end",
    "byte_start",
    "byte_end",
    "text_char_start",
    "text_char_end",
    "text_byte_start",
    "text_byte_end",
    "raw_char_start",
    "raw_char_end",
    "raw_byte_start",
    "raw_byte_end",
    // Hashes and signatures.
    "content_hash",
    "text_hash",
    "signature",
    // Counts, scores and evidence.
    "count",
    "count_a",
    "count_b",
    "n_units",
    "pmi",
    "npmi",
    "llr",
    "dice",
    "n_docs",
    "n_stories",
    "first_doc_id",
    "first_sentence_idx",
    "evidence",
    "mentions",
    "documents",
    "sentences",
    "stories",
    "n_chars",
    "n_words",
    "n_sentences",
    "language_confidence",
    "story_similarity",
];

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

/// How a part file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// zstd level 3: the tables users read, and the run's intermediate parts, whose column
    /// chunks are copied into the final ones as they are ([`TableWriter::rewrite_columns`]).
    Zstd,
    /// zstd level 3 for an intermediate part, but its columns `rewritten` are written plain,
    /// uncompressed and without statistics: finishing the part encodes those columns again
    /// ([`TableWriter::rewrite_columns`]) and copies the others, so encoding them well here
    /// would be work thrown away.
    ZstdBut {
        /// The columns finishing the part encodes again.
        rewritten: &'static [&'static str],
    },
    /// None: for files read back at once and not kept. A part rewritten from one into zstd has
    /// every column encoded again.
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

/// What makes a temporary file name this writer's own (a [`TableWriter`] writes
/// `.<name>.tmp-<suffix>`, and a commit removes such files): the process id, a number drawn once
/// per process (two hosts writing one shared directory can have equal process ids: Spark
/// executors on NFS) and a count of the files this process opened.
pub fn temporary_suffix() -> String {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NONCE: OnceLock<u64> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nonce = NONCE.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nonce:016x}-{count}", std::process::id())
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
    pub(crate) dir: PathBuf,
    pub(crate) name: String,
    fields: Vec<FieldRef>,
    /// Whether batches are built from the rows' cells ([`crate::cells`]), not serialised.
    cells: bool,
    pub(crate) part_schema: SchemaRef,
    pub(crate) props: WriterProperties,
    /// One open file per combination of partition values (one, keyed by `[]`, if none).
    pub(crate) files: BTreeMap<Vec<String>, PartFile>,
    pub(crate) rows: u64,
    _rows: std::marker::PhantomData<T>,
}

pub(crate) struct PartFile {
    pub(crate) tmp: PathBuf,
    pub(crate) path: PathBuf,
    pub(crate) state: FileState,
}

/// Where a part file is: taking rows, complete at its temporary name, or renamed into place.
pub(crate) enum FileState {
    Open(Box<ArrowWriter<BufWriter<File>>>),
    Complete,
    Renamed,
}

impl<T: Table> TableWriter<T> {
    /// Starts part `name` of the table in directory `dir` (created if missing).
    pub fn create(
        dir: &Path,
        name: &str,
        metadata: &FileMetadata,
        codec: Codec,
    ) -> Result<Self, Error> {
        let (compression, rewritten) = match codec {
            Codec::Zstd => (Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq(dir))?), &[][..]),
            Codec::ZstdBut { rewritten } => {
                (Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq(dir))?), rewritten)
            }
            Codec::Uncompressed => (Compression::UNCOMPRESSED, &[][..]),
        };
        let fields = fields::<T>()?;
        let part_schema = part_schema::<T>()?;
        let mut props = WriterProperties::builder();
        let leaves = ArrowSchemaConverter::new().convert(&part_schema).map_err(pq(dir))?;
        for leaf in leaves.columns() {
            let path = leaf.path();
            let Some(root) = path.parts().first().map(String::as_str) else { continue };
            let again = rewritten.contains(&root);
            if again || PLAIN_COLUMNS.contains(&root) {
                props = props.set_column_dictionary_enabled(path.clone(), false);
            }
            if again || NO_STATISTICS_COLUMNS.contains(&root) {
                props = props.set_column_statistics_enabled(path.clone(), EnabledStatistics::None);
            }
            if again {
                props = props.set_column_compression(path.clone(), Compression::UNCOMPRESSED);
            }
        }
        let props = props
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
            cells: crate::cells::buildable::<T>(&fields),
            fields,
            part_schema,
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
        let tmp = dir.join(format!(".{}.tmp-{}", self.name, temporary_suffix()));
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
        self.files.insert(values, PartFile { tmp, path, state: FileState::Open(Box::new(writer)) });
        Ok(())
    }

    /// Appends rows.
    pub fn write(&mut self, rows: &[T]) -> Result<(), Error> {
        self.write_each(rows)
    }

    /// Appends rows from wherever they lie (a batch's mentions stay in their documents'
    /// vectors). The record batches, and so the files, are those [`TableWriter::write`]
    /// makes of the same rows in one slice.
    pub fn write_each<'a>(&mut self, rows: impl IntoIterator<Item = &'a T>) -> Result<(), Error>
    where
        T: 'a,
    {
        let mut rows = rows.into_iter();
        let mut chunk: Vec<&T> = Vec::new();
        loop {
            chunk.clear();
            chunk.extend(rows.by_ref().take(WRITE_BATCH_ROWS));
            if chunk.is_empty() {
                return Ok(());
            }
            let path = self.dir.join(&self.name);
            let built = self.cells.then(|| crate::cells::batch(&self.fields, &chunk)).flatten();
            let batch = match built {
                Some(batch) => batch.map_err(arrow_error(&path))?,
                None => serde_arrow::to_record_batch(&self.fields, &chunk)
                    .map_err(|source| Error::Convert { path, source })?,
            };
            self.write_batch(&batch)?;
        }
    }

    /// Appends a record batch with the table's full schema ([`schema`](crate::schema())): its partition
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
                let rows = rows.project(&keep).map_err(arrow_error(&path))?;
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

    /// Completes the files of every partition whose leading values are `prefix` (all of them
    /// for an empty prefix): their last rows and footers go to disk and their buffers and
    /// compressors are freed, so a writer whose rows come partition by partition holds one
    /// partition's buffers, not all of them. They stay at their temporary names until
    /// [`TableWriter::finish`]; rows for them afterwards are an error.
    pub fn complete(&mut self, prefix: &[&str]) -> Result<(), Error> {
        for (values, file) in &mut self.files {
            if values.len() >= prefix.len() && values.iter().zip(prefix).all(|(v, p)| v == p) {
                file.complete()?;
            }
        }
        Ok(())
    }

    /// Completes every file, flushes it to disk and renames it into place.
    pub fn finish(mut self) -> Result<(), Error> {
        for file in self.files.values_mut() {
            file.complete()?;
            file.rename()?;
        }
        Ok(())
    }
}

impl PartFile {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        match &mut self.state {
            FileState::Open(writer) => writer.write(batch).map_err(pq(&self.tmp)),
            FileState::Complete | FileState::Renamed => {
                Err(Error::Completed { path: self.path.clone() })
            }
        }
    }

    fn complete(&mut self) -> Result<(), Error> {
        if let FileState::Open(writer) = std::mem::replace(&mut self.state, FileState::Complete) {
            let mut out = writer.into_inner().map_err(pq(&self.tmp))?;
            out.flush().map_err(io(&self.tmp))?;
            out.get_ref().sync_all().map_err(io(&self.tmp))?;
        }
        Ok(())
    }

    fn rename(&mut self) -> Result<(), Error> {
        if let Err(source) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(Error::Io { path: self.path.clone(), source });
        }
        self.state = FileState::Renamed;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !matches!(self.state, FileState::Renamed) {
            // Not finished: best effort, the temporary file is hidden and a later run
            // overwrites it anyway.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Row `row` of a partition column ("" for null).
fn value(a: &StringArray, row: usize) -> &str {
    if a.is_null(row) { "" } else { a.value(row) }
}

/// The rows of `batch` grouped by the values of the (string) partition `columns`, in order
/// of the values (the whole batch, uncopied, when every row has the same values).
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
    // The distinct keys in the order met, and each row's: a batch holds few partitions (one
    // scope, a few periods), so a scan of the keys met beats hashing each row's.
    let mut distinct: Vec<Vec<&str>> = Vec::new();
    let mut group_of: Vec<usize> = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let met =
            distinct.iter().position(|k| k.iter().zip(&keys).all(|(v, a)| *v == value(a, row)));
        group_of.push(met.unwrap_or_else(|| {
            distinct.push(keys.iter().map(|a| value(a, row)).collect());
            distinct.len() - 1
        }));
    }
    let owned = |key: &[&str]| key.iter().map(|v| (*v).to_owned()).collect::<Vec<String>>();
    if let [key] = distinct.as_slice() {
        return Ok(vec![(owned(key), batch.clone())]);
    }
    let mut groups: Vec<(Vec<String>, usize)> =
        distinct.iter().enumerate().map(|(g, key)| (owned(key), g)).collect();
    groups.sort();
    groups
        .into_iter()
        .map(|(key, g)| {
            let mask: BooleanArray = group_of.iter().map(|&x| Some(x == g)).collect();
            let rows = arrow::compute::filter_record_batch(batch, &mask).map_err(err)?;
            Ok((key, rows))
        })
        .collect()
}
