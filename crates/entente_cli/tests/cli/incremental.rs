//! `entente run` on an output directory it wrote before: only changed batches are processed,
//! and the files are those of a run from scratch.

use std::path::{Path, PathBuf};

use crate::{entente, parquet_files, stderr};

/// A copy of data/ and a pipeline over it with batches of about 10 kB (one or two files each).
fn setup(dir: &Path) -> (PathBuf, String) {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for entry in std::fs::read_dir(crate::root().join("data")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, input.join(path.file_name().unwrap())).unwrap();
    }
    let default = std::fs::read_to_string(crate::root().join("pipelines/default.toml")).unwrap();
    let text = default
        .replace("inputs = [\"../data\"]", "inputs = [\"in\"]")
        .replace("output = \"../output/default\"", "output = \"out\"\nbatch_mb = 0.01");
    let pipeline = dir.join("p.toml");
    std::fs::write(&pipeline, text).unwrap();
    (input, pipeline.to_str().unwrap().to_owned())
}

/// Runs the pipeline into its output directory (incremental); returns stderr.
fn run(pipeline: &str) -> String {
    let o = entente(&["run", "--pipeline", pipeline]);
    assert!(o.status.success(), "{}", stderr(&o));
    stderr(&o)
}

/// The incremental output equals a run from scratch, byte for byte, the run state included.
fn assert_equals_scratch(dir: &Path, pipeline: &str, what: &str) {
    let scratch = dir.join("scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    let o = entente(&[
        "run",
        "--pipeline",
        pipeline,
        "--from-scratch",
        "--output",
        scratch.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    crate::assert_same_files(&dir.join("out"), &scratch, what);
    let manifest = |d: &Path| std::fs::read_to_string(d.join("_state/manifest.json")).unwrap();
    assert_eq!(manifest(&dir.join("out")), manifest(&scratch), "{what}: manifest");
}

/// Modification times of every Parquet file below `dir`.
fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    parquet_files(dir)
        .keys()
        .map(|k| (k.clone(), std::fs::metadata(dir.join(k)).unwrap().modified().unwrap()))
        .collect()
}

#[test]
fn unchanged_inputs_do_no_work() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pipeline) = setup(dir.path());
    let first = run(&pipeline);
    assert!(first.contains("extract: ") && first.contains(" mentions"), "{first}");
    let before = mtimes(&dir.path().join("out"));
    let again = run(&pipeline);
    assert!(again.contains("5 files unchanged"), "{again}");
    assert!(again.contains("nothing to do"), "{again}");
    assert!(!again.contains("extract:") && !again.contains("aggregate:"), "{again}");
    assert_eq!(mtimes(&dir.path().join("out")), before, "no file was rewritten");
    assert_equals_scratch(dir.path(), &pipeline, "unchanged");
}

#[test]
fn changed_files_and_options_match_a_run_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    run(&pipeline);

    // A copy of an article under a name that sorts first: it becomes the canonical document
    // of the original's story, so the original's (unchanged) part gets new story columns. And
    // one article gains a sentence with new names.
    std::fs::copy(input.join("001_ddc4f8429d0eab2f.txt"), input.join("000_a_copy.txt")).unwrap();
    let mut text = std::fs::read_to_string(input.join("003_7596fa3d6cc802f4.txt")).unwrap();
    text.push_str("\nAngela Merkel met Jacinda Ardern in Wellington on Tuesday.\n");
    std::fs::write(input.join("003_7596fa3d6cc802f4.txt"), text).unwrap();
    let log = run(&pipeline);
    assert!(log.contains("documents unchanged"), "{log}");
    // The new file's batch and the changed file's batch (it shares one with its neighbour).
    assert!(log.contains("read 3 files: 3 documents"), "{log}");
    assert_equals_scratch(dir.path(), &pipeline, "a file added and one changed");

    std::fs::remove_file(input.join("002_425fc67f1fadd79e.txt")).unwrap();
    let log = run(&pipeline);
    assert!(log.contains("read 0 files"), "{log}");
    assert_equals_scratch(dir.path(), &pipeline, "a file removed");

    // Aggregate options: only the aggregate stage runs.
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, text.replace("window_sentences = 3", "window_sentences = 2"))
        .unwrap();
    let log = run(&pipeline);
    assert!(log.contains("the aggregate options changed"), "{log}");
    assert!(!log.contains("extract:"), "{log}");
    assert_equals_scratch(dir.path(), &pipeline, "aggregate options changed");

    // Extract options: extraction and aggregation run again, on the kept sentences.
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, text.replacen("model = true", "model = false", 1)).unwrap();
    let log = run(&pipeline);
    assert!(log.contains("extraction runs again"), "{log}");
    assert!(log.contains("read 0 files"), "{log}");
    assert_equals_scratch(dir.path(), &pipeline, "extract options changed");

    // A stage run alone drops the state: the next run does everything.
    let o = entente(&["aggregate", "--pipeline", &pipeline]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("out/_state").exists());
    let log = run(&pipeline);
    assert!(log.contains("read 5 files"), "{log}");
    assert_equals_scratch(dir.path(), &pipeline, "after a single stage");
}
