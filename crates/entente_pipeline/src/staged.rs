//! Where the steps of a run write: a staging directory, by its path.

use std::path::{Path, PathBuf};

use entente_schema::Table;

/// A staging directory: the run's own [`entente_parquet::Staging`], or one that the driver of a
/// distributed run made and its workers write into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Staged(PathBuf);

impl Staged {
    pub(crate) fn new(root: &Path) -> Self {
        Self(root.to_path_buf())
    }

    /// The directory itself.
    pub(crate) fn root(&self) -> &Path {
        &self.0
    }

    /// The staged directory of table `T`.
    pub(crate) fn table_dir<T: Table>(&self) -> PathBuf {
        self.0.join(T::NAME)
    }

    /// A directory for intermediate files, never committed.
    pub(crate) fn scratch(&self, name: &str) -> PathBuf {
        entente_parquet::scratch_dir(&self.0, name)
    }
}
