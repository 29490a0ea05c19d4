//! Finding and reading input files: the only place that walks directories.

use std::path::{Path, PathBuf};

use anyhow::Context;
use walkdir::WalkDir;

/// One input file: its path on disk and its `source` (path relative to its input root, with
/// `/` separators).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct InputFile {
    /// The path relative to its input root, with `/` separators: `documents.source`.
    pub source: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes when listed (0 if it cannot be read).
    pub size: u64,
    /// Why the entry cannot be read, found while listing (a link loop, a link to nothing, a
    /// named pipe, a directory that cannot be listed): it becomes a reject, not an error that
    /// stops the run.
    pub problem: Option<String>,
}

/// Every file under `roots`, sorted by `source`. Hidden files and directories (names starting
/// with `.`) are skipped. With one root, `source` is relative to it; with several, it starts
/// with the root's own name, or with as many of the last parts of its path as tell it from the
/// other roots (`reuters/articles.jsonl/…` and `bbc/articles.jsonl/…`), so that sources stay
/// unique. Links are followed; an entry that cannot be listed or is not a regular file is
/// listed with its [`InputFile::problem`]. Only a root that does not exist is an error.
pub(crate) fn list(roots: &[PathBuf]) -> anyhow::Result<Vec<InputFile>> {
    let mut files = Vec::new();
    let prefixes = prefixes(roots);
    for (root, prefix) in roots.iter().zip(prefixes) {
        let meta = std::fs::metadata(root).with_context(|| {
            format!("input {} does not exist or cannot be read", root.display())
        })?;
        if meta.is_file() {
            let name = root_name(root);
            let source = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            files.push(InputFile { source, path: root.clone(), size: meta.len(), problem: None });
            continue;
        }
        let source_of = |path: &Path| {
            let rel = path.strip_prefix(root).unwrap_or(path);
            let rel: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let rel = rel.join("/");
            if prefix.is_empty() { rel } else { format!("{prefix}/{rel}") }
        };
        let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter();
        for entry in walker
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let (path, problem) = match entry {
                Ok(entry) => {
                    let kind = entry.file_type();
                    if kind.is_dir() {
                        continue;
                    }
                    let problem = (!kind.is_file()).then(|| not_regular(kind));
                    (entry.into_path(), problem)
                }
                Err(err) => {
                    let Some(path) = err.path().map(Path::to_path_buf) else {
                        return Err(anyhow::Error::new(err))
                            .with_context(|| format!("cannot list {}", root.display()));
                    };
                    let problem = listing_problem(&err, &path);
                    (path, Some(problem))
                }
            };
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            files.push(InputFile { source: source_of(&path), path, size, problem });
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.source == b.source);
    Ok(files)
}

/// The start of the `source` of each root's files: none with one root; with several, the
/// root's own name, or as many of the last parts of its path as tell it from every other root
/// (a root named twice, by any path, is one root, its files listed once).
fn prefixes(roots: &[PathBuf]) -> Vec<String> {
    if roots.len() < 2 {
        return vec![String::new(); roots.len()];
    }
    let parts: Vec<Vec<String>> = roots
        .iter()
        .map(|root| {
            let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            let names: Vec<String> = canonical
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            if names.is_empty() { vec!["input".to_owned()] } else { names }
        })
        .collect();
    let tail = |names: &[String], n: usize| names[names.len().saturating_sub(n)..].join("/");
    parts
        .iter()
        .map(|mine| {
            let clashes = |n: usize| {
                parts.iter().any(|other| other != mine && tail(other, n) == tail(mine, n))
            };
            let n = (1..=mine.len()).find(|&n| !clashes(n)).unwrap_or(mine.len());
            tail(mine, n)
        })
        .collect()
}

fn root_name(root: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    canonical.file_name().map_or_else(|| "input".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// What a listing error means for the entry it names.
fn listing_problem(err: &walkdir::Error, path: &Path) -> String {
    if let Some(ancestor) = err.loop_ancestor() {
        return format!(
            "a symbolic link loop: it leads back to {}, already being read",
            ancestor.display()
        );
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(path).is_err() {
        let target =
            std::fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        return format!("a symbolic link to {target}, which does not exist");
    }
    match err.io_error() {
        Some(io) => format!("cannot be read: {io}"),
        None => format!("cannot be read: {err}"),
    }
}

/// Why an entry that is neither a file nor a directory is not read: opening a named pipe
/// would wait for a writer forever.
fn not_regular(kind: std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let what = if kind.is_fifo() {
            "a named pipe"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else {
            "not a regular file"
        };
        format!("{what}, not a regular file: not read")
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        "not a regular file: not read".to_owned()
    }
}
