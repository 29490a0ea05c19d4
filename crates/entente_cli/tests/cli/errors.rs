//! Exit codes and messages on bad calls, bad config and bad input.

use entente_parquet::{FileMetadata, read_table, write_table};
use entente_schema::{Entity, Reject, RejectReason};

use crate::{entente, run_default, stderr, stdout};

/// Usage errors exit with 2; an unknown pipeline key is named.
#[test]
fn usage_errors_exit_2() {
    assert_eq!(entente(&["run", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(entente(&[]).status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(&pipeline, "name = \"p\"\ninputs = [\"in\"]\noutput = \"out\"\n[extract]\nvalues = true\ngazeteer = true\n").unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown field `gazeteer`"), "{}", stderr(&o));
    let o = entente(&["run", "--pipeline", "no/such.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such.toml"), "{}", stderr(&o));
}

/// A missing input directory is a failure (1) naming it.
#[test]
fn missing_input_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = entente(&["run", "--input", "no-such-dir", "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no-such-dir"), "{}", stderr(&o));
}

/// Bad files become rejects that name the file and record; the good ones still go through.
#[test]
fn bad_input_is_rejected_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("good.txt"), "China and Russia met.\n").unwrap();
    std::fs::write(input.join("sub/latin1.txt"), b"Caf\xe9").unwrap();
    std::fs::write(input.join("wire.jsonl"), "{\"id\": 1, \"text\": \"NATO met.\"}\n{broken\n")
        .unwrap();
    std::fs::write(input.join("image.png"), b"\x89PNG").unwrap();
    let out = dir.path().join("out");
    let o =
        entente(&["run", "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("rejected sub/latin1.txt record 0"), "{}", stderr(&o));
    let rejects: Vec<Reject> = read_table(&out).unwrap();
    let got: Vec<(&str, u32, RejectReason)> =
        rejects.iter().map(|r| (r.source.as_str(), r.source_record, r.reason)).collect();
    assert_eq!(
        got,
        [
            ("image.png", 0, RejectReason::UnsupportedFormat),
            ("sub/latin1.txt", 0, RejectReason::InvalidUtf8),
            ("wire.jsonl", 1, RejectReason::MalformedJson),
        ]
    );
    assert!(stdout(&o).contains("documents               2 rows"), "{}", stdout(&o));
}

/// `validate` finds a broken offset and exits 1.
#[test]
fn validate_reports_violations() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &[]);
    let mut entities: Vec<Entity> = read_table(dir.path()).unwrap();
    entities[0].char_end += 1;
    let meta = entente_parquet::read_metadata(&dir.path().join("entities.parquet")).unwrap();
    write_table(
        dir.path(),
        &entities,
        &FileMetadata::new(meta[entente_parquet::KEY_CONFIG_HASH].clone()),
    )
    .unwrap();
    let o = entente(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("entities ["), "{}", stdout(&o));
    assert!(stdout(&o).contains("offsets"), "{}", stdout(&o));
    let o = entente(&["validate", "no-such-dir"]);
    assert_eq!(o.status.code(), Some(1));
}
