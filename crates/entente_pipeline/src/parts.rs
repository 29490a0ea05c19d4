//! Reading and writing the part files of one batch.

use std::path::Path;

use anyhow::Context as _;
use arrow::array::RecordBatch;
use entente_parquet::{Codec, FileMetadata, TableWriter, read_metadata};
use entente_schema::Table;

use crate::meta::{KEY_NOT_EXTRACTED, KEY_SKIPPED};
use crate::staged::Staged;
use crate::state::STATE_DIR;

/// `meta` with the batch's own counts from the part file at `path` (a part being rewritten).
pub(crate) fn kept_meta(path: &Path, mut meta: FileMetadata) -> anyhow::Result<FileMetadata> {
    let old = read_metadata(path)
        .with_context(|| format!("cannot read the metadata of {}", path.display()))?;
    for key in [KEY_SKIPPED, KEY_NOT_EXTRACTED] {
        if let Some(value) = old.get(key) {
            meta = meta.with(key, value.clone());
        }
    }
    Ok(meta)
}

/// The rows of state part `part` of kind `kind` (`stories`, `names`) in `out`.
pub(crate) fn read_state<T: Table>(out: &Path, kind: &str, part: &str) -> anyhow::Result<Vec<T>> {
    let dir = out.join(STATE_DIR).join(kind);
    let mut rows = Vec::new();
    entente_parquet::read_part(&dir, &dir.join(part), |mut batch: Vec<T>| {
        rows.append(&mut batch);
        Ok::<(), anyhow::Error>(())
    })
    .with_context(|| format!("cannot read the run state {}", dir.join(part).display()))?;
    Ok(rows)
}

/// Writes part `from` of table `T` in directory `dir` as part `to` in the staging directory
/// with the columns `decide` makes from each row group's `inputs` columns; the other columns
/// are copied as they are ([`TableWriter::rewrite_columns`]).
pub(crate) fn rewrite_part<T: Table>(
    dir: &Path,
    from: &str,
    staging: &Staged,
    to: &str,
    meta: &FileMetadata,
    inputs: &[&str],
    decide: impl FnMut(&RecordBatch) -> anyhow::Result<RecordBatch>,
) -> anyhow::Result<()> {
    let path = dir.join(from);
    let context = || format!("cannot write table {} from {}", T::NAME, path.display());
    let mut writer = TableWriter::<T>::create(&staging.table_dir::<T>(), to, meta, Codec::Zstd)
        .with_context(context)?;
    writer.rewrite_columns(&path, inputs, decide).with_context(context)?;
    writer.finish().with_context(context)
}

/// Writes `rows` as part `part` of table `T` in the staging directory.
pub(crate) fn write_part<T: Table>(
    staging: &Staged,
    part: &str,
    meta: &FileMetadata,
    rows: &[T],
) -> anyhow::Result<()> {
    write_rows(&staging.table_dir::<T>(), part, meta, Codec::Zstd, rows)
}

/// Writes `rows` as part `part` of the table in directory `dir`.
pub(crate) fn write_rows<'a, T: Table + 'a>(
    dir: &Path,
    part: &str,
    meta: &FileMetadata,
    codec: Codec,
    rows: impl IntoIterator<Item = &'a T>,
) -> anyhow::Result<()> {
    let context = || format!("cannot write table {}", T::NAME);
    let mut writer = TableWriter::<T>::create(dir, part, meta, codec).with_context(context)?;
    writer.write_each(rows).with_context(context)?;
    writer.finish().with_context(context)?;
    Ok(())
}
