//! What can go wrong making a report.

use std::path::PathBuf;

/// An error making a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The directory holds no `documents` table: not the output of a run.
    #[error(
        "{path}: no documents table here; give the output directory of a run (e.g. \
         output/default)"
    )]
    NotAnOutput {
        /// The directory.
        path: PathBuf,
    },
    /// A table could not be read.
    #[error(transparent)]
    Parquet(#[from] entente_parquet::Error),
    /// A file's metadata did not parse.
    #[error("{path}: metadata key {key}: {detail}")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What was wrong.
        detail: String,
    },
    /// The report could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The report's data did not serialise (never expected).
    #[error("report data: {0}")]
    Json(#[from] serde_json::Error),
}
