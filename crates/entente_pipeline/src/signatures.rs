//! The stories' signatures past the first few thousand, in files of the staging directory
//! rather than in memory.

use std::path::PathBuf;

use entente_normalise::{Normaliser, Stories};

use crate::staged::Staged;

/// The context of an error reading or writing the stories' signatures file.
pub(crate) const SPILL: &str = "cannot read or write the story signatures in the staging directory";

/// Story signatures kept in memory (1 KiB each) before the rest go to [`signatures_file`].
const SIGNATURES_IN_MEMORY: usize = 16_384;

/// The directory of the staging directory that story signatures go to.
fn signatures_dir(staging: &Staged) -> PathBuf {
    staging.scratch("stories")
}

/// A new file of [`signatures_dir`]: its own name for each [`Stories`], since a
/// distributed engine's workers and driver share the directory.
fn signatures_file(staging: &Staged) -> PathBuf {
    signatures_dir(staging).join(format!("signatures-{}", entente_parquet::temporary_suffix()))
}

/// The context of an error reading or writing a file of [`signatures_dir`].
pub(crate) fn signatures_error(staging: &Staged) -> String {
    format!("cannot read or write the story signatures in {}", signatures_dir(staging).display())
}

/// The stories of a run, the signatures past the first [`SIGNATURES_IN_MEMORY`] kept in a
/// file of the staging directory rather than in memory, and that file; all in memory, and no
/// file, when it cannot be made. The file goes with the staging directory's scratch at the
/// commit, or earlier where its user removes it.
pub(crate) fn spilled_stories(
    normaliser: &Normaliser,
    staging: &Staged,
) -> (Stories, Option<PathBuf>) {
    let mut stories = normaliser.stories();
    let path = signatures_file(staging);
    let file = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
        std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)
    });
    match file {
        Ok(file) => {
            stories.spill_to(file, SIGNATURES_IN_MEMORY);
            (stories, Some(path))
        }
        Err(e) => {
            tracing::warn!(
                "cannot make {}: {e}; the story signatures stay in memory",
                path.display()
            );
            (stories, None)
        }
    }
}
