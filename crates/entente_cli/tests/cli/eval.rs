//! `entente eval html` on the ingest crate's fixture page.

use crate::{entente, root, stderr, stdout};

const PAGE: &str = "crates/entente_ingest/resources/test/ok/page.html";

fn cases(dir: &std::path::Path, expected: &str) -> String {
    std::fs::copy(root().join(PAGE), dir.join("page.html")).unwrap();
    let case =
        serde_json::json!({"id": "page", "html_path": "page.html", "expected_text": expected});
    let path = dir.join("cases.jsonl");
    std::fs::write(&path, format!("{case}\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The article paragraphs score 1; a wrong expectation scores low and fails `--min-f1`.
#[test]
fn scores_extraction_against_expected_text() {
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(root().join(PAGE)).unwrap();
    let expected: Vec<&str> = html
        .split("<p>")
        .skip(1)
        .map(|p| p.split("</p>").next().unwrap())
        .filter(|p| !p.contains("First!"))
        .collect();
    assert_eq!(expected.len(), 5);
    let o = entente(&["eval", "html", "--cases", &cases(dir.path(), &expected.join("\n\n"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("F1         1.0000"), "{}", stdout(&o));

    let wrong = cases(dir.path(), "Something else entirely was expected on this page today.");
    let o = entente(&["eval", "html", "--cases", &wrong, "--min-f1", "0.9"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("F1         0.0000"), "{}", stdout(&o));
    assert!(stdout(&o).contains("worst pages:"), "{}", stdout(&o));
}

/// A case file that does not parse names its line.
#[test]
fn bad_case_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.jsonl");
    std::fs::write(
        &path,
        "{\"id\": \"a\", \"html_path\": \"a.html\", \"expected_text\": \"x\"}\nnot json\n",
    )
    .unwrap();
    let o = entente(&["eval", "html", "--cases", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
}

/// `eval sentences` counts exact records and boundaries, and `--show-errors` lists the misses
/// with gold and predicted sentences.
#[test]
fn scores_sentences_against_gold() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let records = [
        serde_json::json!({"id": "a", "text": "Mr. Xi met Putin. They talked.", "sentences": ["Mr. Xi met Putin.", "They talked."]}),
        serde_json::json!({"doc_id": "b", "text": "One. Two.", "sentences": ["One. Two."]}),
        serde_json::json!({"text": "Hello  world.\n\nBye.", "sentences": ["Hello world.", "Bye."]}),
    ];
    let lines: Vec<String> = records.iter().map(ToString::to_string).collect();
    std::fs::write(&gold, lines.join("\n")).unwrap();
    let pipeline = root().join("pipelines/default.toml");
    let args = [
        "eval",
        "sentences",
        "--pipeline",
        pipeline.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
        "--show-errors",
    ];
    let o = entente(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // a and the third record match; b is split where the gold keeps one sentence.
    assert!(
        out.contains("gold.jsonl                             3       2    0.6667  1.0000  0.8000"),
        "{out}"
    );
    assert!(out.contains("✗ b ("), "{out}");
    assert!(out.contains("    gold: One. Two.\n    ours: One.\n    ours: Two.\n"), "{out}");
    assert!(!out.contains("✗ a ("), "{out}");
}

/// `eval ner` maps entente's types to `CoNLL` labels and scores exact spans per label (here
/// with the gazetteers and rules alone); `--errors` lists what it missed, with context.
#[test]
fn scores_entities_against_gold() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let text = "Vladimir Putin met officials in China and Acme Widgets .";
    let record = serde_json::json!({"doc_id": "d1", "text": text, "entities": [
        {"start": 0, "end": 14, "label": "PER", "text": "Vladimir Putin"},
        {"start": 32, "end": 37, "label": "LOC", "text": "China"},
        {"start": 42, "end": 54, "label": "ORG", "text": "Acme Widgets"},
    ]});
    std::fs::write(&gold, format!("{record}\n")).unwrap();
    let pipeline = root().join("pipelines/lists.toml");
    let o = entente(&[
        "eval",
        "ner",
        "--pipeline",
        pipeline.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
        "--errors",
        dir.path().join("errors.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let errors = std::fs::read_to_string(dir.path().join("errors.jsonl")).unwrap();
    let errors: Vec<serde_json::Value> =
        errors.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        errors,
        [serde_json::json!({"gold_file": "gold.jsonl", "doc_id": "d1", "kind": "missed",
            "start": 42, "end": 54, "label": "ORG", "text": "Acme Widgets",
            "context": "adimir Putin met officials in China and [Acme Widgets] ."})]
    );
    let out = stdout(&o);
    // Putin and China are in the gazetteer; the unknown company is missed.
    assert!(
        out.contains(
            "gold.jsonl                   all         3       2       2    1.0000  0.6667  0.8000"
        ),
        "{out}"
    );
    assert!(out.contains("gold.jsonl                   ORG         1       0       0"), "{out}");
}

/// `eval ner --without-pass` scores without a post-tagger pass: the quoted title is found by
/// its pass alone; a name that is no pass is refused with the list of passes.
#[test]
fn scores_without_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let text = "The single \" Time to Wake Up \" came out .";
    let record = serde_json::json!({"doc_id": "d1", "text": text, "entities": [
        {"start": 13, "end": 28, "label": "MISC", "text": "Time to Wake Up"},
    ]});
    std::fs::write(&gold, format!("{record}\n")).unwrap();
    let gold = gold.to_str().unwrap();
    let misc = |o: &std::process::Output| {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
        let out = stdout(o);
        let line = out.lines().find(|l| l.contains(" MISC ")).unwrap_or_default().to_owned();
        line.split_whitespace().nth(4).unwrap_or_default().to_owned()
    };
    assert_eq!(misc(&entente(&["eval", "ner", "--gold", gold])), "1");
    let without = entente(&["eval", "ner", "--gold", gold, "--without-pass", "quoted-titles"]);
    assert_eq!(misc(&without), "0");
    let o = entente(&["eval", "ner", "--gold", gold, "--without-pass", "quoted"]);
    assert_eq!(o.status.code(), Some(2));
    for pass in entente_extract::Pass::ALL {
        assert!(stderr(&o).contains(pass.name()), "{pass}: {}", stderr(&o));
    }
    // The help names every pass too.
    let help = stdout(&entente(&["eval", "ner", "--help"]));
    for pass in entente_extract::Pass::ALL {
        assert!(help.contains(pass.name()), "{pass} missing from the help");
    }
}

/// `train ner` learns from a small gold file, writes a model that loads, and scores it.
#[test]
fn trains_a_tagger() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("train.jsonl");
    let text = "Alice Smith flew to Oslo .";
    let record = serde_json::json!({"doc_id": "t", "text": text, "sentence_spans": [[0, 26]], "entities": [
        {"start": 0, "end": 11, "label": "PER", "text": "Alice Smith"},
        {"start": 20, "end": 24, "label": "LOC", "text": "Oslo"},
    ]});
    let lines: Vec<String> = (0..20).map(|_| record.to_string()).collect();
    std::fs::write(&gold, lines.join("\n")).unwrap();
    let model = dir.path().join("m.zst");
    let g = gold.to_str().unwrap();
    let o = entente(&[
        "train",
        "ner",
        "--train",
        g,
        "--out",
        model.to_str().unwrap(),
        "--epochs",
        "3",
        "--prune",
        "0.5",
        "--dev",
        g,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("trained on 20 documents, 20 sentences, 120 tokens, 3 epochs"), "{out}");
    assert!(
        out.contains("train.jsonl                  PER        20      20      20    1.0000"),
        "{out}"
    );
    let bytes = std::fs::read(&model).unwrap();
    assert!(entente_extract::tagger::Tagger::from_bytes(&bytes).is_ok());
}

/// `train ner --train-for` writes weights for a kind of text that `eval ner --text` (and a
/// pipeline's `[extract] text`) reads with; kinds that do not exist, and a news-only model read
/// as another kind, are refused with a message that says why.
#[test]
fn trains_and_reads_weights_for_kinds_of_text() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, label: &str, copies: usize| {
        let record = serde_json::json!({"doc_id": name, "text": "Jaguar rose .",
            "sentence_spans": [[0, 13]], "entities": [{"start": 0, "end": 6, "label": label}]});
        let path = dir.path().join(name);
        std::fs::write(&path, vec![record.to_string(); copies].join("\n")).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (news, social) = (write("news.jsonl", "ORG", 30), write("social.jsonl", "PER", 10));
    let model = dir.path().join("texts.zst").to_str().unwrap().to_owned();
    let social_file = format!("social={social}");
    let train = ["train", "ner", "--train", &news, "--train-for", &social_file, "--out", &model];
    let o = entente(&[&train[..], &["--epochs", "5", "--prune", "0.5"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("trained on 40 documents"), "{}", stdout(&o));
    // Each reading finds "Jaguar" as its own training data typed it.
    let found = |text: &str, gold: &str| {
        let o = entente(&["eval", "ner", "--model", &model, "--text", text, "--gold", gold]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        let all = out.lines().find(|l| l.contains(" all ")).unwrap_or_default().to_owned();
        all.split_whitespace().nth(4).unwrap_or_default().to_owned()
    };
    assert_eq!(found("news", &news), "30");
    assert_eq!(found("social", &social), "10");
    assert_eq!(found("social", &news), "0");
    // A model trained without --train-for reads news only.
    let plain = dir.path().join("plain.zst").to_str().unwrap().to_owned();
    let o = entente(&["train", "ner", "--train", &news, "--out", &plain, "--epochs", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = entente(&["eval", "ner", "--model", &plain, "--text", "social", "--gold", &social]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("weights for news only"), "{}", stderr(&o));
    // Unknown kinds, and news given weights of its own, are usage errors.
    let o = entente(&["eval", "ner", "--text", "tweets", "--gold", &social]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the kinds are news, social, encyclopedia"), "{}", stderr(&o));
    let news_file = format!("news={news}");
    let o = entente(&["train", "ner", "--train-for", &news_file, "--out", &plain]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give its files with --train"), "{}", stderr(&o));
    let pipeline = dir.path().join("p.toml");
    let toml = "name = \"p\"\ninputs = [\"in\"]\noutput = \"out\"\n[extract]\ntext = \"tweets\"\n";
    std::fs::write(&pipeline, toml).unwrap();
    let o = entente(&["run", "--pipeline", pipeline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown variant `tweets`"), "{}", stderr(&o));
}

/// A reader that stops early (`entente eval ... | head`) ends the command quietly, with
/// status 0, instead of a panic.
#[test]
fn closed_stdout_is_not_a_crash() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let record = serde_json::json!({"id": "x", "text": "One. Two.", "sentences": ["One. Two."]});
    let lines: Vec<String> = (0..5000).map(|_| record.to_string()).collect();
    std::fs::write(&gold, lines.join("\n")).unwrap();
    let pipeline = root().join("pipelines/default.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["eval", "sentences", "--pipeline", pipeline.to_str().unwrap()])
        .args(["--gold", gold.to_str().unwrap(), "--show-errors"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
