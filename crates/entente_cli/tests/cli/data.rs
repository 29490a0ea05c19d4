//! The default pipeline on `data/`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use entente_parquet::read_table;
use entente_schema::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Reject, Scope,
    Sentence, TextEdit,
};
use entente_test::render_table;

use crate::{assert_same_files, assert_same_tables, entente, parquet_files, run_default, stdout};

/// Every table of the run on data/, rendered as text (long text columns cut).
#[test]
fn tables_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let output = run_default(out, &[]);
    let printed = stdout(&output).replace(&out.display().to_string().replace('\\', "/"), "[OUT]");
    insta::assert_snapshot!("default@run", printed.lines().skip(1).collect::<Vec<_>>().join("\n"));
    let documents: Vec<Document> = read_table(out).unwrap();
    insta::assert_snapshot!("default@documents", render_table(&documents, &["raw_text"]));
    let sentences: Vec<Sentence> = read_table(out).unwrap();
    insta::assert_snapshot!("default@sentences", render_table(&sentences, &[]));
    let edits: Vec<TextEdit> = read_table(out).unwrap();
    insta::assert_snapshot!(
        "default@text_edits",
        render_table(
            &edits,
            &["text_byte_start", "text_byte_end", "raw_byte_start", "raw_byte_end"]
        )
    );
    let boilerplate: Vec<Boilerplate> = read_table(out).unwrap();
    insta::assert_snapshot!(
        "default@boilerplate",
        render_table(&boilerplate, &["raw_byte_start", "raw_byte_end"])
    );
    let entities: Vec<Entity> = read_table(out).unwrap();
    insta::assert_snapshot!(
        "default@entities",
        render_table(&entities, &["byte_start", "byte_end"])
    );
    let cooc: Vec<Cooccurrence> = read_table(out).unwrap();
    insta::assert_snapshot!("default@cooccurrences", strongest_pairs(&cooc));
    let by_period: Vec<CooccurrencePeriod> = read_table(out).unwrap();
    let china_russia: Vec<CooccurrencePeriod> = by_period
        .into_iter()
        .filter(|r| (r.entity_a.as_str(), r.entity_b.as_str()) == ("iso3166:CN", "iso3166:RU"))
        .collect();
    insta::assert_snapshot!(
        "default@cooccurrences_by_period",
        render_table(&china_russia, &["entity_a", "entity_b"])
    );
    let summary: Vec<EntitySummary> = read_table(out).unwrap();
    insta::assert_snapshot!("default@entity_summary", render_table(&summary, &[]));
    let rejects: Vec<Reject> = read_table(out).unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
}

/// Per scope: the number of pairs, then the ten with the highest G² (ties by ids), with
/// their counts, measures and first evidence.
fn strongest_pairs(rows: &[Cooccurrence]) -> String {
    let mut out = String::new();
    for scope in Scope::ALL {
        let mut rows: Vec<&Cooccurrence> = rows.iter().filter(|r| r.scope == scope).collect();
        let _ = writeln!(out, "{} scope: {} pairs", scope.as_str(), rows.len());
        rows.sort_by(|x, y| y.llr.total_cmp(&x.llr).then(x.entity_a.cmp(&y.entity_a)));
        rows.truncate(10);
        let columns = [
            "name_a",
            "name_b",
            "count",
            "count_a",
            "count_b",
            "n_units",
            "pmi",
            "npmi",
            "llr",
            "dice",
            "n_docs",
            "n_stories",
            "first_doc_id",
            "first_sentence_idx",
        ];
        out.push_str(&entente_test::render(&rows, &columns));
        out.push('\n');
    }
    out
}

/// The entities the sample articles are about are found, with one id per entity, and
/// China–Russia is the top sentence-scope pair.
#[test]
fn required_entities_and_top_pair() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &[]);
    let entities: Vec<Entity> = read_table(dir.path()).unwrap();
    let ids: BTreeSet<&str> = entities.iter().map(|e| e.entity_id.as_str()).collect();
    for id in [
        "person:xi-jinping",
        "person:vladimir-putin",
        "iso3166:CN",
        "iso3166:RU",
        "iso3166:KP",
        "iso3166:US",
        "org:sco",
        "org:brics",
        "org:nato",
        "org:un",
    ] {
        assert!(ids.contains(id), "{id} not found");
    }
    let sco: BTreeSet<&str> =
        entities.iter().filter(|e| e.entity_id == "org:sco").map(|e| e.text.as_str()).collect();
    let want = [
        "SCO",
        "Shanghai Cooperation Association",
        "Shanghai Cooperation Organisation",
        "Shanghai Cooperation Organization",
    ];
    assert_eq!(sco, want.into_iter().collect());
    let us: BTreeSet<&str> =
        entities.iter().filter(|e| e.entity_id == "iso3166:US").map(|e| e.text.as_str()).collect();
    assert!(us.is_superset(&["US", "U.S.", "United States"].into_iter().collect()), "{us:?}");
    assert!(!entities.iter().any(|e| e.text == "us"), "the pronoun is not the country");

    let cooc: Vec<Cooccurrence> = read_table(dir.path()).unwrap();
    let top = cooc.iter().filter(|c| c.scope == Scope::Sentence).max_by_key(|c| c.count).unwrap();
    assert_eq!((top.entity_a.as_str(), top.entity_b.as_str()), ("iso3166:CN", "iso3166:RU"));
    let runner_up = cooc
        .iter()
        .filter(|c| c.scope == Scope::Sentence && c.entity_b != "iso3166:RU")
        .map(|c| c.count)
        .max()
        .unwrap();
    assert!(top.count > runner_up);
}

/// Issue 6's checks on data/: every surface of these people, places and bodies carries one
/// id and the right type, demonyms link to their country, headings are not entities, and the
/// amounts are normalised.
#[test]
fn canonical_entities_on_data() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &[]);
    let entities: Vec<Entity> = read_table(dir.path()).unwrap();
    let identities = |text: &str| -> BTreeSet<(String, String, Option<String>)> {
        entities
            .iter()
            .filter(|e| e.text == text)
            .map(|e| (e.entity_type.as_str().to_owned(), e.entity_id.clone(), e.country_id.clone()))
            .collect()
    };
    let expect = |surfaces: &[&str], ty: &str, id: &str, country: Option<&str>| {
        for text in surfaces {
            let want: BTreeSet<_> =
                [(ty.to_owned(), id.to_owned(), country.map(str::to_owned))].into();
            assert_eq!(identities(text), want, "{text:?}");
        }
    };
    let cn = Some("iso3166:CN");
    let ru = Some("iso3166:RU");
    expect(&["Xi", "Xi Jinping"], "PERSON", "person:xi-jinping", cn);
    expect(&["Putin", "Vladimir Putin"], "PERSON", "person:vladimir-putin", ru);
    expect(&["Kim Jong Un", "Kim Jong-un"], "PERSON", "person:kim-jong-un", Some("iso3166:KP"));
    expect(&["Wang Yi"], "PERSON", "person:wang-yi", cn);
    expect(&["Dmitry Peskov"], "PERSON", "person:dmitry-peskov", ru);
    expect(&["China"], "GPE", "iso3166:CN", None);
    expect(&["Russia"], "GPE", "iso3166:RU", None);
    expect(&["North Korea"], "GPE", "iso3166:KP", None);
    expect(&["US", "U.S.", "United States"], "GPE", "iso3166:US", None);
    expect(&["Ukraine"], "GPE", "iso3166:UA", None);
    expect(&["Taiwan"], "GPE", "iso3166:TW", None);
    expect(&["Chinese", "Sino"], "NORP", "demonym:CN", cn);
    expect(&["Russian"], "NORP", "demonym:RU", ru);
    expect(&["SCO"], "ORG", "org:sco", None);
    expect(&["BRICS"], "ORG", "org:brics", None);
    expect(&["NATO"], "ORG", "org:nato", None);
    expect(&["UN Security Council"], "ORG", "org:unsc", None);
    expect(&["ASEAN"], "ORG", "org:asean", None);
    expect(&["BRI", "Belt and Road Initiative"], "LAW", "law:belt-and-road", cn);
    for heading in ["Regional", "Responses", "Frequently", "Questions", "Contents", "Deeper Dive"] {
        let found: Vec<&str> =
            entities.iter().filter(|e| e.text.contains(heading)).map(|e| e.text.as_str()).collect();
        assert!(found.is_empty(), "{heading}: {found:?}");
    }
    for (text, amount) in [("$240 billion", 2.4e11), ("$1 trillion", 1e12)] {
        let money: Vec<&Entity> = entities.iter().filter(|e| e.text == text).collect();
        assert!(!money.is_empty(), "{text}");
        for m in money {
            assert_eq!(
                (m.entity_type.as_str(), m.value, m.unit.as_deref()),
                ("MONEY", Some(amount), Some("USD"))
            );
        }
    }
}

/// One thread and two threads write byte-identical files, and `validate` passes.
#[test]
fn deterministic_across_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_default(a.path(), &["--threads", "1"]);
    run_default(b.path(), &["--threads", "2"]);
    assert_same_files(a.path(), b.path(), "1 and 2 threads");
    // One part per table and Hive partition: 6 per-document tables (rejects included), the
    // summary, 4 scopes of cooccurrences, 4 scopes × 1 period of cooccurrences_by_period; and
    // the run state's stories and names.
    assert_eq!(parquet_files(a.path()).len(), 17, "one part per table and partition");
    let v = entente(&["validate", a.path().to_str().unwrap()]);
    assert!(v.status.success(), "{}", stdout(&v));
    assert!(stdout(&v).ends_with(": no violations\n"));
}

/// The stages run one by one give the same tables as `entente run`.
#[test]
fn stages_alone_equal_run() {
    let (all, steps) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_default(all.path(), &[]);
    let out = steps.path().to_str().unwrap();
    for stage in ["ingest", "normalise", "extract", "aggregate"] {
        let o = entente(&[stage, "--output", out]);
        assert!(o.status.success(), "{stage}: {}", crate::stderr(&o));
    }
    assert_same_tables(all.path(), steps.path(), "`run` and the stages one by one");
    // Re-running an early stage removes the later tables it made stale.
    assert!(entente(&["normalise", "--output", out]).status.success());
    assert!(!steps.path().join("entities").exists());
    assert!(steps.path().join("sentences/part-00000.parquet").exists());
}

/// Small batches (many part files) hold the same rows as one batch: stories and entity names
/// are decided across batches, the aggregates are byte-identical; the stages one by one and
/// two threads give the same files as `run` on one thread.
#[test]
fn batches_give_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::root().join("data");
    let pipeline = dir.path().join("small.toml");
    // The default pipeline with batches of about 10 kB (one or two files each).
    let default = std::fs::read_to_string(crate::root().join("pipelines/default.toml")).unwrap();
    let text = default
        .replace("inputs = [\"../data\"]", &format!("inputs = [{:?}]", data.display().to_string()))
        .replace("output = \"../output/default\"", "output = \"small\"\nbatch_mb = 0.01");
    assert!(text.contains("batch_mb = 0.01") && text.contains("output = \"small\""), "{text}");
    std::fs::write(&pipeline, text).unwrap();
    let pipeline = pipeline.to_str().unwrap();
    let (one, small) = (dir.path().join("one"), dir.path().join("small"));
    run_default(&one, &[]);
    let o = entente(&["run", "--pipeline", pipeline, "--threads", "1"]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    let parts = entente_parquet::parts(&small.join("documents")).unwrap();
    assert!(parts.len() >= 3, "{parts:?}");
    assert_eq!(sorted::<Document>(&one), sorted::<Document>(&small));
    assert_eq!(sorted::<Sentence>(&one), sorted::<Sentence>(&small));
    assert_eq!(sorted::<TextEdit>(&one), sorted::<TextEdit>(&small));
    assert_eq!(sorted::<Boilerplate>(&one), sorted::<Boilerplate>(&small));
    assert_eq!(sorted::<Entity>(&one), sorted::<Entity>(&small));
    for table in ["cooccurrences", "cooccurrences_by_period", "entity_summary"] {
        assert_same_files(&one.join(table), &small.join(table), table);
    }
    let threads = dir.path().join("threads");
    let o = entente(&[
        "run",
        "--pipeline",
        pipeline,
        "--threads",
        "2",
        "--output",
        threads.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert_same_files(&small, &threads, "1 and 2 threads, small batches");
    let steps = dir.path().join("steps");
    for stage in ["ingest", "normalise", "extract", "aggregate"] {
        let o = entente(&[stage, "--pipeline", pipeline, "--output", steps.to_str().unwrap()]);
        assert!(o.status.success(), "{stage}: {}", crate::stderr(&o));
    }
    assert_same_tables(&small, &steps, "`run` and the stages one by one, small batches");
    let v = entente(&["validate", small.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stdout(&v));
}

/// Every row of table `T` in `dir`, printed and sorted.
fn sorted<T: entente_schema::Table + std::fmt::Debug>(dir: &std::path::Path) -> Vec<String> {
    let mut rows: Vec<String> =
        read_table::<T>(dir).unwrap().iter().map(|r| format!("{r:?}")).collect();
    rows.sort();
    rows
}

/// Records ingest skips (here a WARC request) are counted in the `documents` part of their
/// batch, and the counts survive the later stages run one by one.
#[test]
fn skipped_counts_survive_stages_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let record = |kind: &str, content_type: &str, block: &str| {
        format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://a.example/1\r\n\
             WARC-Date: 2019-11-19T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    };
    let html = "<html><head><title>Rail deal</title></head><body><article><p>Ministers met in \
        Tashkent on Tuesday to sign a framework agreement on rail freight, the first such accord \
        since the corridor was proposed.</p><p>The agreement sets common customs procedures at \
        three border crossings, officials said.</p></article></body></html>";
    let response =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let warc = record("request", "application/http; msgtype=request", "GET /1 HTTP/1.1\r\n\r\n")
        + &record("response", "application/http; msgtype=response", &response);
    std::fs::write(input.join("crawl.warc"), warc).unwrap();
    let (all, steps) = (dir.path().join("all"), dir.path().join("steps"));
    let input = input.to_str().unwrap();
    let o = entente(&["run", "--input", input, "--output", all.to_str().unwrap()]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(stdout(&o).contains("skipped          1 warc request record"), "{}", stdout(&o));
    for stage in ["ingest", "normalise", "extract", "aggregate"] {
        let o = entente(&[stage, "--input", input, "--output", steps.to_str().unwrap()]);
        assert!(o.status.success(), "{stage}: {}", crate::stderr(&o));
        assert!(
            stdout(&o).contains("skipped          1 warc request record"),
            "{stage}: {}",
            stdout(&o)
        );
    }
    assert_same_tables(&all, &steps, "`run` and the stages one by one, with a skipped record");
}

/// The default pipeline is built in: `entente run --input X --output Y` works from a
/// directory with no `pipelines/` and gives the tables `--pipeline pipelines/default.toml`
/// gives; `entente pipeline` prints it as TOML that runs the same way.
#[test]
fn builtin_pipeline_runs_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::root().join("data");
    let (builtin, file) = (dir.path().join("builtin"), dir.path().join("file"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["run", "--input", data.to_str().unwrap(), "--output", "builtin"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", crate::stderr(&o));
    let pipeline = crate::root().join("pipelines/default.toml");
    let pipeline = pipeline.to_str().unwrap();
    crate::run_default(&file, &["--pipeline", pipeline]);
    crate::assert_same_files(&builtin, &file, "built-in vs pipelines/default.toml");

    let printed = crate::entente(&["pipeline", "--output", "elsewhere"]);
    assert!(printed.status.success(), "{}", crate::stderr(&printed));
    let text = crate::stdout(&printed);
    assert!(text.contains("output = \"elsewhere\""), "{text}");
    assert!(text.contains("[normalise.dedup]"), "{text}");
    let toml = dir.path().join("printed.toml");
    std::fs::write(&toml, text.replace("\"elsewhere\"", "\"printed\"")).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["run", "--pipeline", "printed.toml", "--input", data.to_str().unwrap()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", crate::stderr(&o));
    crate::assert_same_files(&dir.path().join("printed"), &file, "printed pipeline");
}
