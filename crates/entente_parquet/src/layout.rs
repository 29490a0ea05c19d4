//! Where tables and their part files live in an output directory.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::error::io;
use entente_schema::Table;

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
