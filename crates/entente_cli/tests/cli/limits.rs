//! Resource limits, the lock on the output directory, and crash safety: a run killed at any
//! point leaves the last output as it was, and the next run completes it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use entente_schema::{Document, Reject};

use crate::{entente, parquet_files, root, stderr};

/// A pipeline file in `dir` reading `dir/in` into `dir/out`, with `extra` TOML appended.
fn pipeline(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("pipeline.toml");
    let text = format!("name = \"t\"\ninputs = [\"in\"]\noutput = \"out\"\n{extra}");
    std::fs::write(&path, text).unwrap();
    path
}

fn article(i: usize) -> String {
    let people = ["Xi Jinping", "Vladimir Putin", "Kim Jong Un", "Wang Yi", "Dmitry Peskov"];
    let places = ["Moscow", "Beijing", "Pyongyang", "Kazan", "Astana"];
    format!(
        "{} met {} in {} on day {i}. Talks on trade with Ukraine and Taiwan went on for {} hours; \
         officials of NATO and the SCO watched. Story number {i} says prices rose {}%.",
        people[i % 5],
        people[(i / 5 + 1) % 5],
        places[i % 5],
        i % 7 + 1,
        i % 13
    )
}

/// `n` JSONL records with ids `{prefix}{i}`.
fn jsonl(prefix: &str, range: std::ops::Range<usize>) -> String {
    let mut out = String::new();
    for i in range {
        let text = article(i).replace('"', "'");
        writeln!(
            out,
            "{{\"id\": \"{prefix}{i}\", \"title\": \"Story {i}\", \"text\": \"{text}\"}}"
        )
        .unwrap();
    }
    out
}

/// Writes `files` into `dir/in`, runs the pipeline with `extra` options into `dir/out` and
/// returns its documents and rejects.
fn run_with(dir: &Path, files: &[(&str, String)], extra: &str) -> (Vec<Document>, Vec<Reject>) {
    std::fs::create_dir_all(dir.join("in")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join("in").join(name), text).unwrap();
    }
    let p = pipeline(dir, extra);
    let run = entente(&["run", "--pipeline", p.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = dir.join("out");
    (entente_parquet::read_table(&out).unwrap(), entente_parquet::read_table(&out).unwrap())
}

#[test]
fn records_past_max_records_per_file_are_one_reject() {
    let dir = tempfile::tempdir().unwrap();
    let files = [("wire.jsonl", jsonl("w", 0..10)), ("other.jsonl", jsonl("o", 0..2))];
    let (documents, rejects) = run_with(dir.path(), &files, "[ingest]\nmax_records_per_file = 4\n");
    let mut wire: Vec<u32> =
        documents.iter().filter(|d| d.source == "wire.jsonl").map(|d| d.source_record).collect();
    wire.sort_unstable();
    assert_eq!(wire, [0, 1, 2, 3]);
    assert_eq!(documents.iter().filter(|d| d.source == "other.jsonl").count(), 2);
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!((rejects[0].source.as_str(), rejects[0].source_record), ("wire.jsonl", 4));
    assert_eq!(rejects[0].reason.as_str(), "too_large");
    assert!(rejects[0].detail.contains("max_records_per_file = 4"), "{}", rejects[0].detail);
}

#[test]
fn documents_over_max_text_bytes_and_files_over_max_file_bytes_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("long.txt", article(1).repeat(20)),
        ("short.txt", article(2)),
        ("big.jsonl", jsonl("b", 0..40)),
    ];
    let limits = "[ingest]\nmax_text_bytes = 1000\nmax_file_bytes = 4000\n";
    let (documents, rejects) = run_with(dir.path(), &files, limits);
    assert_eq!(documents.iter().map(|d| d.source.as_str()).collect::<Vec<_>>(), ["short.txt"]);
    let rejected: Vec<(&str, &str)> =
        rejects.iter().map(|r| (r.source.as_str(), r.reason.as_str())).collect();
    assert_eq!(rejected, [("big.jsonl", "too_large"), ("long.txt", "too_large")]);
    assert!(rejects[0].detail.contains("max_file_bytes = 4000"), "{}", rejects[0].detail);
    assert!(rejects[1].detail.contains("max_text_bytes = 1000"), "{}", rejects[1].detail);
}

/// A budget of 1 ms cannot cover a 300 KB document (its rules and gazetteer pass alone takes
/// far longer on any machine): it becomes a `timed_out` reject of stage extract, kept in
/// `documents` without mentions, while a run without the limit extracts it.
#[test]
fn extraction_over_its_time_budget_is_a_reject_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let long: String = (0..2000).map(article).collect::<Vec<_>>().join("\n\n");
    let files = [("long.txt", long), ("short.txt", article(3))];
    let (documents, rejects) = run_with(dir.path(), &files, "[extract]\nmax_ms_per_document = 1\n");
    let out = dir.path().join("out");
    let entities: Vec<entente_schema::Entity> = entente_parquet::read_table(&out).unwrap();
    let long_id = &documents.iter().find(|d| d.source == "long.txt").unwrap().doc_id;
    assert!(
        rejects.iter().any(|r| r.source == "long.txt"
            && r.stage == entente_schema::Stage::Extract
            && r.reason.as_str() == "timed_out"
            && r.detail.contains("max_ms_per_document = 1")),
        "{rejects:?}"
    );
    assert!(!entities.iter().any(|e| &e.doc_id == long_id));
    let validate = entente(&["validate", out.to_str().unwrap()]);
    assert!(validate.status.success(), "{}", stderr(&validate));

    let (_, rejects) = run_with(dir.path(), &[], "[extract]\nmax_ms_per_document = 0\n");
    let entities: Vec<entente_schema::Entity> = entente_parquet::read_table(&out).unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    assert!(entities.iter().filter(|e| &e.doc_id == long_id).count() > 2000);
}

#[test]
fn a_second_run_into_a_locked_output_directory_stops_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("in/a.txt"), article(0)).unwrap();
    let lock = std::fs::File::create(dir.path().join(".out.entente-lock")).unwrap();
    lock.lock().unwrap();
    let p = pipeline(dir.path(), "");
    let run = entente(&["run", "--pipeline", p.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("another entente run is writing"), "{}", stderr(&run));
    assert_eq!(std::fs::read_dir(dir.path().join("out")).unwrap().count(), 0);
    lock.unlock().unwrap();
    let run = entente(&["run", "--pipeline", p.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The pipeline of `p` run as a child process.
fn spawn(p: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["run", "--quiet", "--pipeline", p.to_str().unwrap()])
        .args(extra)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// 30 files of 10 wire stories in `dir/in` and a pipeline reading them into `dir/out` in
/// batches of a few documents; returns the input directory and the pipeline file.
fn wires(dir: &Path) -> (PathBuf, PathBuf) {
    let input = dir.join("in");
    std::fs::create_dir(&input).unwrap();
    for f in 0..30 {
        std::fs::write(input.join(format!("wire-{f:02}.jsonl")), jsonl("a", f * 10..f * 10 + 10))
            .unwrap();
    }
    (input, pipeline(dir, "batch_mb = 0.004\n"))
}

/// The tables of a run of `dir/in` from scratch, into `dir/fresh`.
fn from_scratch(dir: &Path, extra: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let fresh_p = dir.join("fresh.toml");
    std::fs::write(
        &fresh_p,
        "name = \"t\"\ninputs = [\"in\"]\noutput = \"fresh\"\nbatch_mb = 0.004\n",
    )
    .unwrap();
    assert!(spawn(&fresh_p, extra).wait().unwrap().success());
    parquet_files(&dir.join("fresh"))
}

/// A run over ~300 documents in many small batches, killed with SIGKILL at pseudo-random
/// points from start-up to the end: each time the output directory is exactly the last
/// complete output (or, killed after the exchange, exactly the new one) with every table
/// readable; then an uninterrupted run gives the tables of a run from scratch.
#[test]
fn a_run_killed_at_any_point_leaves_the_last_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (input, p) = wires(dir.path());
    let out = dir.path().join("out");
    assert!(spawn(&p, &[]).wait().unwrap().success());
    let before = entente_test::files_below(&out);
    let pristine = dir.path().join("pristine");
    copy_tree(&out, &pristine);

    // New input: files changed, added and removed.
    std::fs::write(input.join("wire-03.jsonl"), jsonl("c", 500..510)).unwrap();
    std::fs::write(input.join("wire-30.jsonl"), jsonl("n", 600..620)).unwrap();
    std::fs::remove_file(input.join("wire-07.jsonl")).unwrap();
    // The expected result: the same input from scratch into another directory.
    let started = Instant::now();
    let after = from_scratch(dir.path(), &[]);
    let full_run = started.elapsed();
    assert_ne!(parquet_files(&out), after);

    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let (mut old_seen, mut new_seen) = (0, 0);
    for attempt in 0..8_u8 {
        std::fs::remove_dir_all(&out).unwrap();
        copy_tree(&pristine, &out);
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // From 0 to 120% of a full run, spread over the attempts.
        let jitter = f64::from(u16::try_from(state % 1000).unwrap()) / 1000.0;
        let fraction = (f64::from(attempt) + jitter) / 8.0 * 1.2;
        let mut child = spawn(&p, &[]);
        std::thread::sleep(full_run.mul_f64(fraction));
        let _ = child.kill();
        child.wait().unwrap();
        if entente_test::files_below(&out) == before {
            old_seen += 1;
        } else {
            let now = parquet_files(&out);
            assert_eq!(
                now.keys().collect::<Vec<_>>(),
                after.keys().collect::<Vec<_>>(),
                "attempt {attempt}: neither the old nor the new output"
            );
            assert!(now == after, "attempt {attempt}: the new output differs from a full run");
            new_seen += 1;
        }
        for table in entente_schema::TABLE_NAMES {
            if out.join(table).is_dir() {
                entente_parquet::row_count(&out.join(table)).unwrap();
            }
        }
        // The next run finishes the job.
        assert!(spawn(&p, &[]).wait().unwrap().success());
        assert!(parquet_files(&out) == after, "attempt {attempt}: the run after the kill differs");
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("entente-staging") || n.contains("entente-old"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    assert!(old_seen > 0, "no kill landed before the commit ({new_seen} after)");
}

/// A write that fails part-way, as on a full disk (files limited to 16 KiB by `ulimit -f`, with
/// SIGXFSZ ignored so that the write returns an error), on the two-thread path, where one
/// batch's tables are written while the next batch is read: exit status 1 and one error that
/// names the file, the last output as it was, no staging directory left; the next run
/// completes and gives the tables of a run from scratch.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_last_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (input, p) = wires(dir.path());
    let out = dir.path().join("out");
    assert!(spawn(&p, &["--threads", "2"]).wait().unwrap().success());
    let before = entente_test::files_below(&out);
    std::fs::write(input.join("wire-30.jsonl"), jsonl("n", 600..620)).unwrap();

    let limited = Command::new("bash")
        .args(["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_entente"))
        .args(["run", "--pipeline", p.to_str().unwrap(), "--threads", "2", "--from-scratch"])
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = stderr(&limited);
    assert_eq!(limited.status.code(), Some(1), "{err}");
    assert!(err.contains("error: cannot write table "), "{err}");
    assert!(err.contains(".parquet") && err.contains("File too large"), "{err}");
    assert_eq!(err.matches("File too large").count(), 1, "the cause is printed once: {err}");
    assert!(
        entente_test::files_below(&out) == before,
        "the failed run changed the output directory"
    );
    let staging: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("entente-staging"))
        .collect();
    assert!(staging.is_empty(), "left behind: {staging:?}");

    assert!(spawn(&p, &["--threads", "2"]).wait().unwrap().success());
    assert!(
        parquet_files(&out) == from_scratch(dir.path(), &["--threads", "2"]),
        "the run after the failure differs from a run from scratch"
    );
}
