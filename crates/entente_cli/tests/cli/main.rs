//! The `entente` binary end to end, run into temporary directories (never `output/`).

// The default pipeline on data/: snapshots, required entities, determinism.
mod data;
// README data dictionary and pipeline files stay in sync with the code.
mod docs;
// Exit codes, bad config, bad input, validate on broken tables.
mod errors;
// Re-runs into the same output directory: only changes are processed.
mod incremental;
// `entente eval html` on a fixture page.
mod eval;
// The hostile-input corpus: every file a document or a reject, bounded memory.
mod hostile;
// Resource limits, the output lock, and runs killed at random points.
mod limits;
// `entente report`: one self-contained, deterministic, escaped HTML file.
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// `entente <args>` run from the workspace root.
pub(crate) fn entente(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// The default pipeline into `out`, with extra arguments; panics unless it succeeds.
pub(crate) fn run_default(out: &Path, extra: &[&str]) -> Output {
    let out_arg = out.to_str().unwrap();
    let mut args = vec!["run", "--output", out_arg];
    args.extend_from_slice(extra);
    let output = entente(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Every Parquet file below `dir` by its path relative to `dir`, with its bytes.
pub(crate) fn parquet_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two output directories hold the same Parquet files, byte for byte, the run
/// state (`_state/`) included.
pub(crate) fn assert_same_files(a: &Path, b: &Path, what: &str) {
    assert_same(&parquet_files(a), &parquet_files(b), what);
}

/// Asserts that two output directories hold the same tables, byte for byte (the run state
/// aside: single stages do not keep one).
pub(crate) fn assert_same_tables(a: &Path, b: &Path, what: &str) {
    let tables = |d| {
        let mut files = parquet_files(d);
        files.retain(|k, _| !k.starts_with("_state/"));
        files
    };
    assert_same(&tables(a), &tables(b), what);
}

pub(crate) fn assert_same(
    x: &std::collections::BTreeMap<String, Vec<u8>>,
    y: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{what}: file lists");
    for (name, bytes) in x {
        assert!(*bytes == y[name], "{name} differs: {what}");
    }
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).replace('\\', "/")
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
