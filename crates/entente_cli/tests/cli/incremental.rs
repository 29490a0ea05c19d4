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

/// Tables written under another table contract are not kept: the run does everything again,
/// even with the same entente version, inputs and options.
#[test]
fn another_contract_runs_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pipeline) = setup(dir.path());
    run(&pipeline);
    let path = dir.path().join("out/_state/manifest.json");
    let manifest = std::fs::read_to_string(&path).unwrap();
    let current = format!("\"contract\": \"{}\"", entente_schema::CONTRACT_VERSION);
    assert!(manifest.contains(&current), "{manifest}");
    std::fs::write(&path, manifest.replace(&current, "\"contract\": \"0\"")).unwrap();
    let again = run(&pipeline);
    assert!(again.contains("running everything"), "{again}");
    assert!(again.contains("extract: ") && again.contains(" mentions"), "{again}");
    assert_equals_scratch(dir.path(), &pipeline, "another contract");
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

/// One gzip JSON Lines file of `n` records made from data/'s articles.
fn write_wire(path: &Path, n: usize) {
    use std::io::Write as _;
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(crate::root().join("data")).unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    texts.sort();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..n {
        let text = format!("{} Filed as record {i}.", texts[i % texts.len()]);
        let record =
            serde_json::json!({"id": format!("w{i}"), "title": format!("Wire {i}"), "text": text});
        writeln!(gz, "{record}").unwrap();
    }
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

/// A big file is read a chunk of records per batch (`batch_mb` is 10 kB here): the aggregate
/// tables equal those of reading it whole; records appended to it leave the batches of the
/// earlier chunks as they were, and the output equals a run from scratch.
#[test]
fn a_big_file_is_cut_by_records_and_appending_keeps_the_earlier_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    for entry in std::fs::read_dir(&input).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let wire = input.join("wire.jsonl.gz");
    write_wire(&wire, 30);
    let first = run(&pipeline);
    assert!(first.contains("1 files over batch_mb") || first.contains("read 1 files"), "{first}");
    let parts = std::fs::read_dir(dir.path().join("out/documents")).unwrap().count();
    assert!(parts >= 5, "{parts} documents parts");

    // Read whole, in one batch: the same co-occurrences and entity summary, byte for byte.
    let whole = dir.path().join("whole");
    let o =
        entente(&["run", "--input", input.to_str().unwrap(), "--output", whole.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(whole.join("documents")).unwrap().count(), 1);
    let aggregates = |d: &Path| {
        let mut files = parquet_files(d);
        files.retain(|k, _| k.starts_with("cooccurrences") || k.starts_with("entity_summary"));
        files
    };
    crate::assert_same(
        &aggregates(&dir.path().join("out")),
        &aggregates(&whole),
        "chunks vs whole",
    );

    write_wire(&wire, 36);
    let again = run(&pipeline);
    assert!(again.contains("documents unchanged ("), "{again}");
    let kept: usize = again
        .split("documents unchanged (")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(kept + 3 >= parts, "{kept} of {parts} batches kept: {again}");
    assert_equals_scratch(dir.path(), &pipeline, "records appended");
}

/// The corpus settles a surname that no document gives in full once a document names the
/// person: the earlier documents' mentions change id (their parts are rewritten, not
/// re-extracted), exactly as in a run from scratch; and back again when that document goes.
#[test]
fn a_full_name_elsewhere_settles_surnames_in_kept_parts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let story = |i: usize| {
        format!(
            "Volcker warned on Tuesday that the dollar could fall further, story {i}.\n\n\
             Bond traders said Volcker had given no sign of a change in policy."
        )
    };
    for i in 0..3 {
        std::fs::write(input.join(format!("a{i}.txt")), story(i)).unwrap();
    }
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "name = \"t\"\ninputs = [\"in\"]\noutput = \"out\"\nbatch_mb = 0.0001\n",
    )
    .unwrap();
    let pipeline = pipeline.to_str().unwrap();
    let ids =
        |what: &str| -> std::collections::BTreeSet<(String, Option<entente_schema::LinkedBy>)> {
            let entities: Vec<entente_schema::Entity> =
                entente_parquet::read_table(&dir.path().join("out")).unwrap();
            let found: std::collections::BTreeSet<_> = entities
                .iter()
                .filter(|e| e.text == "Volcker")
                .map(|e| (e.entity_id.clone(), e.linked_by))
                .collect();
            assert!(!found.is_empty(), "{what}");
            found
        };
    run(pipeline);
    let own = [("person:volcker".to_owned(), Some(entente_schema::LinkedBy::Own))];
    assert_eq!(ids("before"), own.clone().into_iter().collect());

    std::fs::write(
        input.join("b.txt"),
        "Federal Reserve Board Chairman Paul Volcker told Congress on Wednesday that Paul \
         Volcker's critics, not Paul Volcker, had misread the bank's policy.",
    )
    .unwrap();
    let second = run(pipeline);
    assert!(second.contains("3 documents unchanged"), "{second}");
    let linked: std::collections::BTreeSet<_> =
        [("person:paul-volcker".to_owned(), Some(entente_schema::LinkedBy::Corpus))]
            .into_iter()
            .collect();
    assert_eq!(ids("after"), linked);
    assert_equals_scratch(dir.path(), pipeline, "a full name added");

    std::fs::remove_file(input.join("b.txt")).unwrap();
    run(pipeline);
    assert_eq!(ids("removed"), own.into_iter().collect());
    assert_equals_scratch(dir.path(), pipeline, "the full name removed");
}
