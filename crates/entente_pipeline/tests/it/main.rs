//! The run library without the binary: `run` and the stepwise API write the same files.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use entente_pipeline::stepwise::{Driver, PartDecision, Worker};
use entente_pipeline::{Pipeline, RunOptions, Stage, run};
use entente_test::files_below;

/// data/'s articles, and one JSON Lines file of `n` records made from them (big enough to be
/// read in chunks at the test's batch size).
fn input(dir: &Path, n: usize) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, input.join(path.file_name().unwrap())).unwrap();
        texts.push(std::fs::read_to_string(&path).unwrap());
    }
    texts.sort();
    let mut wire = std::fs::File::create(input.join("wire.jsonl")).unwrap();
    for i in 0..n {
        let text = format!("{} Filed as record {i}.", texts[i % texts.len()]);
        let record =
            serde_json::json!({"id": format!("w{i}"), "title": format!("Wire {i}"), "text": text});
        writeln!(wire, "{record}").unwrap();
    }
    input
}

fn pipeline(input: &Path, output: &Path) -> Pipeline {
    let mut pipeline = Pipeline::builtin();
    pipeline.inputs = vec![input.to_path_buf()];
    pipeline.output = output.to_path_buf();
    pipeline.batch_mb = 0.02;
    pipeline.threads = Some(2);
    pipeline
}

/// The stepwise API, each batch on a worker of its own as a distributed engine would run
/// them, writes byte for byte what `run` writes: every table, the run state and its manifest.
#[test]
fn stepwise_writes_what_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let input = input(dir.path(), 40);
    let (a, b) = (dir.path().join("run"), dir.path().join("stepwise"));
    let summary = run(&pipeline(&input, &a), &RunOptions::default()).unwrap();
    assert!(summary.tables.iter().find(|t| t.name == "documents").unwrap().parts >= 6);

    let driver = Driver::new(pipeline(&input, &b)).unwrap();
    let batches = driver.plan().unwrap();
    let chunks = batches
        .iter()
        .filter(|b| matches!(b, entente_pipeline::stepwise::BatchSpec::Chunk { .. }))
        .count();
    assert!(chunks >= 3, "{chunks} chunk batches of {}", batches.len());
    // Specs, states and decisions cross process boundaries as JSON.
    let job: entente_pipeline::stepwise::Job =
        serde_json::from_str(&serde_json::to_string(driver.job()).unwrap()).unwrap();
    let mut states = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        let batch = serde_json::from_str(&serde_json::to_string(batch).unwrap()).unwrap();
        let state = Worker::new(&job).unwrap().process(i, &batch).unwrap();
        states.push(serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap());
    }
    let decisions = driver.decide(&states).unwrap();
    // Through files, as a Spark driver passes them: the same decisions.
    let dir = tempfile::tempdir().unwrap();
    let path = |kind: &str, i: usize| dir.path().join(format!("{kind}-{i}.json"));
    let state_files: Vec<_> = (0..states.len()).map(|i| path("state", i)).collect();
    let decision_files: Vec<_> = (0..states.len()).map(|i| path("decision", i)).collect();
    for (state, file) in states.iter().zip(&state_files) {
        state.write(file).unwrap();
    }
    driver.decide_files(&state_files, &decision_files).unwrap();
    for (decision, file) in decisions.iter().zip(&decision_files) {
        assert_eq!(&PartDecision::read(file).unwrap(), decision);
    }
    // Each worker and the driver kept story signatures in a file of their own in the shared
    // staging directory, and removed it once done with it.
    let signatures = job.staging.join(".scratch-stories");
    let left: Vec<_> = std::fs::read_dir(&signatures).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(signatures.is_dir() && left.is_empty(), "{left:?}");
    let worker = Worker::new(&job).unwrap();
    for (state, decision) in states.iter().zip(&decisions) {
        worker.finalise(state, decision).unwrap();
    }
    worker.aggregate().unwrap();
    let parts: Vec<String> = states.iter().map(|s| s.part.clone()).collect();
    let stepwise = driver.commit(&batches, &parts).unwrap();
    assert_eq!(stepwise.tables.len(), summary.tables.len());

    let (ra, rb) = (files_below(&a), files_below(&b));
    assert_eq!(ra.keys().collect::<Vec<_>>(), rb.keys().collect::<Vec<_>>());
    for (name, bytes) in &ra {
        assert!(rb[name] == *bytes, "{name} differs");
    }
    // And a later `entente run` into the stepwise output finds nothing to do.
    let again = run(&pipeline(&input, &b), &RunOptions::default()).unwrap();
    assert_eq!(files_below(&b), ra, "{again:?}");
}

/// A stage run alone on the tables a full run left gives the same tables.
#[test]
fn stages_one_by_one_equal_the_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = input(dir.path(), 12);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&pipeline(&input, &a), &RunOptions::default()).unwrap();
    for stage in [Stage::Ingest, Stage::Normalise, Stage::Extract, Stage::Aggregate] {
        let options = RunOptions { only: Some(stage), ..RunOptions::default() };
        run(&pipeline(&input, &b), &options).unwrap();
    }
    let tables = |d: &Path| {
        let mut f = files_below(d);
        f.retain(|k, _| !k.starts_with("_state"));
        f
    };
    assert!(tables(&a) == tables(&b), "stages one by one differ from the full run");
}

/// Errors are typed: a missing input is a failed run, a bad option a configuration error.
#[test]
fn errors_say_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let mut missing = pipeline(&dir.path().join("nowhere"), &dir.path().join("out"));
    let err = run(&missing, &RunOptions::default()).unwrap_err();
    assert!(!err.is_config() && err.to_string().contains("nowhere"), "{err}");
    missing.overrides = Some(dir.path().join("fixes.toml"));
    std::fs::write(dir.path().join("fixes.toml"), "[[remove]]\nid = \"x\"\n").unwrap();
    missing.inputs = vec![input(dir.path(), 1)];
    let err = run(&missing, &RunOptions::default()).unwrap_err();
    assert!(err.is_config() && err.to_string().contains("invalid overrides file"), "{err}");
}

#[test]
fn process_returns_the_tables_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let input = input(dir.path(), 30);
    let records = std::fs::read(input.join("wire.jsonl")).unwrap();
    let lone = dir.path().join("lone");
    std::fs::create_dir(&lone).unwrap();
    std::fs::write(lone.join(entente_pipeline::RECORDS_SOURCE), &records).unwrap();
    let out = dir.path().join("out");
    run(&pipeline(&lone, &out), &RunOptions::default()).unwrap();
    let written = entente_pipeline::read_tables(&out).unwrap();
    let (processed, summary) =
        entente_pipeline::process(&pipeline(&lone, &out), &RunOptions::default(), |w| {
            w.write_all(&records)
        })
        .unwrap();
    let names: Vec<&str> = processed.iter().map(|t| t.name).collect();
    assert_eq!(names, entente_schema::TABLE_NAMES);
    assert_eq!(summary.tables.iter().find(|t| t.name == "documents").unwrap().rows, 30);
    for (p, w) in processed.iter().zip(&written) {
        assert_eq!(p.schema, w.schema, "{}", p.name);
        assert_eq!(p.batches, w.batches, "{}", p.name);
    }
    let entities = &processed.iter().find(|t| t.name == "entities").unwrap().batches;
    assert!(entities.iter().map(arrow::array::RecordBatch::num_rows).sum::<usize>() > 100);
}

#[test]
fn a_cancelled_run_stops_and_leaves_the_output_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let input = input(dir.path(), 60);
    let out = dir.path().join("out");
    run(&pipeline(&input, &out), &RunOptions::default()).unwrap();
    let before = files_below(&out);
    std::fs::write(input.join("new.txt"), "Angela Merkel met Emmanuel Macron in Paris.").unwrap();
    let options = RunOptions::default();
    options.cancel.cancel();
    let err = run(&pipeline(&input, &out), &options).unwrap_err();
    assert!(matches!(err, entente_pipeline::Error::Cancelled), "{err}");
    assert_eq!(files_below(&out), before);
}
