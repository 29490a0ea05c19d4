//! The hostile-input corpus (`entente_test::hostile`) end to end: every file gives the
//! documents and rejects it must, the good files around them are processed, memory stays
//! bounded and `entente validate` passes on the output.

use std::collections::BTreeMap;

use entente_schema::{Document, Reject};
use entente_test::hostile;

use crate::{entente, stderr, stdout};

/// `peak memory N MiB` from the run's summary line.
fn peak_mib(out: &str) -> u64 {
    let (_, rest) = out.split_once("peak memory ").expect("the summary reports peak memory");
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn every_hostile_file_is_a_document_or_a_reject_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hostile");
    let out = dir.path().join("out");
    let cases = hostile::write(&input).unwrap();
    let run =
        entente(&["run", "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!stderr(&run).contains("panicked"), "{}", stderr(&run));

    let documents: Vec<Document> = entente_parquet::read_table(&out).unwrap();
    let rejects: Vec<Reject> = entente_parquet::read_table(&out).unwrap();
    let mut found: BTreeMap<&str, (usize, BTreeMap<&str, usize>)> = BTreeMap::new();
    for d in &documents {
        found.entry(&d.source).or_default().0 += 1;
    }
    for r in &rejects {
        assert!(!r.detail.is_empty(), "a reject without a reason: {r:?}");
        *found.entry(&r.source).or_default().1.entry(r.reason.as_str()).or_default() += 1;
    }
    for case in &cases {
        let (docs, reasons) = found.remove(case.source.as_str()).unwrap_or_default();
        let expected: BTreeMap<&str, usize> = case.rejects.iter().copied().collect();
        assert_eq!(
            (docs, &reasons),
            (case.documents, &expected),
            "{} ({}): documents and rejects by reason",
            case.source,
            case.what
        );
    }
    assert!(found.is_empty(), "rows of files the corpus does not have: {found:?}");

    // The good files went all the way through.
    let entities: Vec<entente_schema::Entity> = entente_parquet::read_table(&out).unwrap();
    let good = documents.iter().filter(|d| d.source.starts_with("good/")).count();
    assert_eq!(good, 3);
    assert!(entities.iter().any(|e| e.entity_id == "person:xi-jinping"));

    // Bounded memory: a 50 MB line, 10,000-deep HTML and 2 million entities in one batch.
    let peak = peak_mib(&stdout(&run));
    assert!(peak < 1024, "peak memory {peak} MiB");

    let validate = entente(&["validate", out.to_str().unwrap()]);
    assert!(validate.status.success(), "{}{}", stdout(&validate), stderr(&validate));
}
