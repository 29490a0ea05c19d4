//! The crate's error type.

use std::path::{Path, PathBuf};

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
    /// Rows came for a partition after [`TableWriter::complete`](crate::TableWriter::complete)
    /// closed its file (a bug in the caller: rows must come in partition order).
    #[error("{path}: rows for a partition whose file was already completed")]
    Completed {
        /// The partition's file.
        path: PathBuf,
    },
    /// A table directory holds no part file.
    #[error("{path}: no Parquet part files (run the earlier stages first, e.g. `entente run`)")]
    NoParts {
        /// The table directory.
        path: PathBuf,
    },
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_owned(), source }
}

pub(crate) fn arrow_error(path: &Path) -> impl FnOnce(arrow::error::ArrowError) -> Error + '_ {
    move |e| Error::Parquet { path: path.to_owned(), source: e.into() }
}

pub(crate) fn pq(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> Error + '_ {
    move |source| Error::Parquet { path: path.to_owned(), source }
}
