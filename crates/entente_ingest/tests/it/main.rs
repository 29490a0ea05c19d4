//! Ingest over fixture files: one snapshot per file in `resources/test/{ok,err}`.

use entente_ingest::{IngestConfig, ingest_file};
use entente_test::render_table;

/// Every fixture through `ingest_file`; the snapshot shows its documents and rejects.
#[test]
fn fixtures() {
    insta::glob!("../../resources/test", "*/*", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out = ingest_file(&name, &bytes, &IngestConfig::default());
        let ok = path.parent().unwrap().ends_with("ok");
        assert_eq!(ok, !out.documents.is_empty(), "fixtures in ok/ have documents, err/ none");
        for d in &out.documents {
            assert_eq!(d.text, d.raw_text);
            assert_eq!(d.doc_id, entente_schema::doc_id(&d.source, d.source_record));
        }
        insta::assert_snapshot!(format!(
            "documents:\n{}\nrejects:\n{}",
            render_table(&out.documents, &["raw_text", "content_hash"]),
            render_table(&out.rejects, &[])
        ));
    });
}

/// The size cap rejects instead of passing a huge record on.
#[test]
fn oversized_record_is_rejected() {
    let config = IngestConfig { max_text_bytes: 10 };
    let out = ingest_file("big.txt", b"Eleven bytes and more", &config);
    assert!(out.documents.is_empty());
    assert_eq!(out.rejects[0].reason, entente_schema::RejectReason::TooLarge);
}
