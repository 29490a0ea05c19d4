//! Finding and reading input files: the only place that walks directories.

use std::path::{Path, PathBuf};

use anyhow::Context;
use walkdir::WalkDir;

/// One input file: its path on disk and its `source` (path relative to its input root, with
/// `/` separators).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct InputFile {
    pub(crate) source: String,
    pub(crate) path: PathBuf,
}

/// Every file under `roots`, sorted by `source`. Hidden files and directories (names starting
/// with `.`) are skipped. With one root, `source` is relative to it; with several, it starts
/// with the root's own name so that sources stay unique.
pub(crate) fn list(roots: &[PathBuf]) -> anyhow::Result<Vec<InputFile>> {
    let mut files = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).with_context(|| {
            format!("input {} does not exist or cannot be read", root.display())
        })?;
        let prefix = if roots.len() > 1 { root_name(root) } else { String::new() };
        if meta.is_file() {
            let name = root_name(root);
            let source = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            files.push(InputFile { source, path: root.clone() });
            continue;
        }
        let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter();
        for entry in walker
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let entry =
                entry.with_context(|| format!("cannot list input directory {}", root.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let rel: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let rel = rel.join("/");
            let source = if prefix.is_empty() { rel } else { format!("{prefix}/{rel}") };
            files.push(InputFile { source, path: entry.into_path() });
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.source == b.source);
    Ok(files)
}

fn root_name(root: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    canonical.file_name().map_or_else(|| "input".to_owned(), |n| n.to_string_lossy().into_owned())
}
