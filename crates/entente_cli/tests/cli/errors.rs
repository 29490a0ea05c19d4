//! Exit codes and messages on bad calls, bad config and bad input.

use entente_parquet::{FileMetadata, read_table, write_table};
use entente_schema::{Document, Entity, Reject, RejectReason};

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

/// Bad `[aggregate]` options and bad `export graph` calls are usage errors naming the
/// problem; a scope the run did not count is named with the ones it did; running the
/// aggregate stage alone gives the same tables as a full run.
#[test]
fn aggregate_options_and_export_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    let text =
        "name = \"p\"\ninputs = [\"in\"]\noutput = \"out\"\n[aggregate]\nwindow_sentences = 0\n";
    std::fs::write(&pipeline, text).unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("aggregate.window_sentences must be at least 1"), "{}", stderr(&o));

    let out = dir.path().join("out");
    run_default(&out, &[]);
    let before = dir.path().join("before");
    std::fs::create_dir(&before).unwrap();
    for (name, bytes) in crate::parquet_files(&out) {
        let path = before.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let o = entente(&["aggregate", "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    crate::assert_same_tables(&out, &before, "aggregate alone after run");

    let o = entente(&["export", "graph", out.to_str().unwrap(), "--scope", "paragraph"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown scope \"paragraph\""), "{}", stderr(&o));
    let narrow = dir.path().join("narrow.toml");
    let text = "name = \"n\"\ninputs = [\"../../data\"]\noutput = \"n\"\n[aggregate]\nscopes = [\"sentence\"]\nperiods = []\n";
    std::fs::write(&narrow, text).unwrap();
    let n_out = dir.path().join("n");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let o = entente(&[
        "run",
        "--pipeline",
        narrow.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--output",
        n_out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!n_out.join("cooccurrences_by_period").exists());
    assert!(n_out.join("cooccurrences/scope=sentence/part-00000.parquet").exists());
    assert!(!n_out.join("cooccurrences/scope=story").exists());
    let o = entente(&["export", "graph", n_out.to_str().unwrap(), "--scope", "story"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no story pairs (this run counted: sentence"), "{}", stderr(&o));
    let o = entente(&["validate", n_out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
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

/// Inputs of the same name in different places are all read, each file's `source` starting
/// with as much of its input's path as tells it from the others; an input named twice is read
/// once.
#[test]
fn inputs_of_one_name_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let put = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let record = |n: u32| format!("{{\"text\": \"Story {n} from Oslo.\"}}\n");
    let wire = put("reuters/articles.jsonl", &(record(1) + &record(2)));
    let bbc = put("bbc/articles.jsonl", &(record(3) + &record(4) + &record(5)));
    put("east/news/one.txt", "A story from Riga.");
    put("west/news/two.txt", "A story from Lima.");
    let (east, west) = (dir.path().join("east/news"), dir.path().join("west/news"));
    let out = dir.path().join("out");
    let mut args = vec!["run", "--quiet", "--output", out.to_str().unwrap()];
    for input in
        [wire.as_str(), bbc.as_str(), east.to_str().unwrap(), west.to_str().unwrap(), &wire]
    {
        args.extend(["--input", input]);
    }
    let o = entente(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let documents: Vec<Document> = read_table(&out).unwrap();
    let mut sources: Vec<&str> = documents.iter().map(|d| d.source.as_str()).collect();
    sources.sort_unstable();
    assert_eq!(
        sources,
        [
            "bbc/articles.jsonl/articles.jsonl",
            "bbc/articles.jsonl/articles.jsonl",
            "bbc/articles.jsonl/articles.jsonl",
            "east/news/one.txt",
            "reuters/articles.jsonl/articles.jsonl",
            "reuters/articles.jsonl/articles.jsonl",
            "west/news/two.txt",
        ]
    );
}

/// Bad files become rejects that name the file and record; the good ones still go through;
/// stdout has one line per reason; `--strict` turns rejects into exit 1.
#[test]
fn bad_input_is_rejected_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("good.txt"), "China and Russia met.\n").unwrap();
    std::fs::write(input.join("sub/latin1.txt"), b"Caf\xe9 talks in Paris").unwrap();
    std::fs::write(input.join("wire.jsonl"), "{\"id\": 1, \"text\": \"NATO met.\"}\n{broken\n")
        .unwrap();
    std::fs::write(input.join("image.png"), b"\x89PNG\r\n").unwrap();
    std::fs::write(input.join("menu.html"), "<html><body><nav>Home</nav></body></html>").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        "Talks went on all night in Astana.\n".repeat(50).as_bytes(),
    )
    .unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(input.join("cut.txt.gz"), &gz[..gz.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let args = ["run", "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap()];
    let o = entente(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("rejected wire.jsonl record 1"), "{}", stderr(&o));
    let rejects: Vec<Reject> = read_table(&out).unwrap();
    let got: Vec<(&str, u32, RejectReason)> =
        rejects.iter().map(|r| (r.source.as_str(), r.source_record, r.reason)).collect();
    assert_eq!(
        got,
        [
            ("cut.txt.gz", 0, RejectReason::Truncated),
            ("image.png", 0, RejectReason::Binary),
            ("menu.html", 0, RejectReason::NoContent),
            ("wire.jsonl", 1, RejectReason::MalformedJson),
        ]
    );
    let documents: Vec<Document> = read_table(&out).unwrap();
    let latin1 = documents.iter().find(|d| d.source == "sub/latin1.txt").unwrap();
    assert_eq!(
        (latin1.encoding.as_str(), latin1.text.as_str()),
        ("windows-1252", "Café talks in Paris")
    );
    // Six files, seven records: three documents and four rejects.
    assert_eq!(documents.len(), 3);
    let stdout = stdout(&o);
    assert!(stdout.contains("documents                       3 rows"), "{stdout}");
    for line in [
        "rejected         1 ingest/binary  e.g. image.png record 0: the file is a PNG image",
        "rejected         1 ingest/truncated  e.g. cut.txt.gz record 0",
    ] {
        assert!(stdout.contains(line), "{line:?} not in\n{stdout}");
    }
    let strict = entente(&[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("--strict: 4 records were rejected"), "{}", stderr(&strict));
}

/// `validate` finds a broken offset and exits 1.
#[test]
fn validate_reports_violations() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &[]);
    let mut entities: Vec<Entity> = read_table(dir.path()).unwrap();
    entities[0].char_end += 1;
    let meta = entente_parquet::read_metadata(&dir.path().join("entities")).unwrap();
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

/// A pipeline's overrides file applies to the run, and a bad one is a usage error naming the
/// file and the entry.
#[test]
fn overrides_file_applies_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "Vladimir Putin met Xi Jinping in Moscow on Monday. The Kremlin said the talks went well.\n",
    )
    .unwrap();
    let overrides = dir.path().join("fixes.toml");
    std::fs::write(
        &overrides,
        "[[block]]\ntexts = [\"Moscow\"]\n\n[[merge]]\nids = [\"org:kremlin\", \"org:kremlim\"]\ninto = \"iso3166:RU\"\n",
    )
    .unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "name = \"p\"\ninputs = [\"in\"]\noutput = \"out\"\noverrides = \"fixes.toml\"\n",
    )
    .unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let entities: Vec<Entity> = read_table(&dir.path().join("out")).unwrap();
    let found: Vec<(&str, &str)> =
        entities.iter().map(|e| (e.text.as_str(), e.entity_id.as_str())).collect();
    assert!(!found.iter().any(|(t, _)| *t == "Moscow"), "{found:?}");
    assert!(found.contains(&("Kremlin", "iso3166:RU")), "{found:?}");
    // The misspelt id changed nothing, and the run says so; the rules that worked are quiet.
    let log = stderr(&o);
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains("overrides:")).collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(
        warnings[0].contains(
            "overrides: merge #1: id org:kremlim changed no mention of the 1 documents extracted"
        ),
        "{log}"
    );

    std::fs::write(&overrides, "[[alias]]\nid = \"org:nobody\"\naliases = [\"Nobody\"]\n").unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("fixes.toml: overrides: alias #1: no entity has the id org:nobody"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&overrides, "[[remove]]\nid = \"x\"\n").unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid overrides file") && stderr(&o).contains("remove"),
        "{}",
        stderr(&o)
    );
}
