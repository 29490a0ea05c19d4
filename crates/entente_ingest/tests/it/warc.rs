//! WARC archives built by the test: responses in several encodings and transfer codings,
//! records that are not articles, and archives cut short.

use std::io::Write;

use entente_ingest::{IngestConfig, ingest_file};
use entente_schema::{RejectReason, SourceFormat};

const ARTICLE: &str = "<p>Ministers met in Tashkent on Tuesday to sign a framework agreement on rail \
    freight, the first such accord since the corridor was proposed.</p><p>The agreement sets \
    common customs procedures at three border crossings and commits both governments to \
    publish tariff schedules a year in advance, officials said after the signing.</p><p>Traders \
    have long complained that shipments wait for days at the border while documents are \
    checked twice, adding costs that make rail uncompetitive with road haulage.</p>";

/// One WARC record: version line, headers, block, and the two closing CRLFs. Its record id
/// is made from the block, so equal records have equal ids.
fn record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2019-11-19T12:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{:08x}-0000-0000-0000-000000000000>\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        xxhash_rust::xxh3::xxh3_64(block) & 0xffff_ffff,
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// An HTTP response record.
fn response(uri: &str, http_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut block = format!("HTTP/1.1 200 OK\r\n{http_headers}\r\n").into_bytes();
    block.extend_from_slice(body);
    record("response", uri, "application/http; msgtype=response", &block)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"
    )
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(100) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The archive's records, in order.
fn records() -> Vec<Vec<u8>> {
    let cp1252 = page("Caf\u{e9} talks", &ARTICLE.replace("Tuesday", "Tuesday at a caf\u{e9}"));
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&cp1252);
    vec![
        record("warcinfo", "", "application/warc-fields", b"software: entente tests\r\n"),
        record(
            "request",
            "https://a.example/1",
            "application/http; msgtype=request",
            b"GET /1 HTTP/1.1\r\n\r\n",
        ),
        // 2: plain UTF-8.
        response(
            "https://a.example/1",
            "Content-Type: text/html; charset=utf-8\r\n",
            page("First", ARTICLE).as_bytes(),
        ),
        // 3: windows-1252, declared only in the HTTP header.
        response(
            "https://b.example/2",
            "Content-Type: text/html; charset=windows-1252\r\n",
            &cp1252,
        ),
        // 4: chunked and gzipped on the wire.
        response(
            "https://c.example/3",
            "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n",
            &chunked(&gzip(page("Third", ARTICLE).as_bytes())),
        ),
        // 5: an image: skipped.
        response("https://a.example/logo.png", "Content-Type: image/png\r\n", b"\x89PNG...."),
        // 6: a page with no article: rejected.
        response(
            "https://a.example/empty",
            "Content-Type: text/html\r\n",
            b"<html><body><nav>Home</nav></body></html>",
        ),
        record(
            "metadata",
            "https://a.example/1",
            "application/warc-fields",
            b"fetchTimeMs: 120\r\n",
        ),
    ]
}

#[test]
fn warc_responses_become_documents() {
    let bytes: Vec<u8> = records().concat();
    let out = ingest_file("crawl.warc", &bytes, &IngestConfig::default());
    let urls: Vec<_> =
        out.documents.iter().map(|d| (d.source_record, d.url.as_deref().unwrap())).collect();
    assert_eq!(
        urls,
        [(2, "https://a.example/1"), (3, "https://b.example/2"), (4, "https://c.example/3")]
    );
    for d in &out.documents {
        assert_eq!(d.source_format, SourceFormat::Warc);
        assert!(d.raw_text.contains("three border crossings"), "{}", d.raw_text);
        // No date in the pages: the capture date stands in.
        assert_eq!(d.published_raw.as_deref(), Some("2019-11-19T12:00:00Z"));
        assert!(d.source_id.as_deref().unwrap().starts_with("urn:uuid:"));
    }
    assert_eq!(out.documents[1].encoding, "windows-1252");
    assert!(out.documents[1].raw_text.contains("at a café"));
    assert_eq!(out.rejects.len(), 1);
    assert_eq!((out.rejects[0].source_record, out.rejects[0].reason), (6, RejectReason::NoContent));
    let skipped: Vec<_> = out.skipped.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    assert_eq!(
        skipped,
        [
            "warc metadata record: 1",
            "warc request record: 1",
            "warc response of type image/png: 1",
            "warc warcinfo record: 1"
        ]
    );
    insta::assert_snapshot!(crate::show(&out));
}

/// Common Crawl style: one gzip member per record, read as one stream.
#[test]
fn per_record_gzip_members() {
    let bytes: Vec<u8> = records().iter().map(|r| gzip(r)).collect::<Vec<_>>().concat();
    let plain = ingest_file("crawl.warc", &records().concat(), &IngestConfig::default());
    let out = ingest_file("crawl.warc.gz", &bytes, &IngestConfig::default());
    assert_eq!(out.documents.len(), plain.documents.len());
    assert_eq!(out.documents[2].raw_text, plain.documents[2].raw_text);
}

/// A file cut inside a record keeps the records before it and rejects the cut one; a gzip
/// stream cut between records says records after it are lost.
#[test]
fn truncated_archives() {
    let all = records().concat();
    let cut_at = records()[..3].concat().len() + 200;
    let out = ingest_file("cut.warc", &all[..cut_at], &IngestConfig::default());
    assert_eq!(out.documents.len(), 1);
    assert_eq!((out.rejects[0].source_record, out.rejects[0].reason), (3, RejectReason::Truncated));

    let members: Vec<Vec<u8>> = records().iter().map(|r| gzip(r)).collect();
    let whole_first_four = members[..4].concat();
    let partial_fifth = &members[4][..members[4].len() / 2];
    let out = ingest_file(
        "cut.warc.gz",
        &[whole_first_four, partial_fifth.to_vec()].concat(),
        &IngestConfig::default(),
    );
    assert_eq!(out.documents.len(), 2);
    let last = out.rejects.last().unwrap();
    assert_eq!((last.source_record, last.reason), (4, RejectReason::Truncated), "{}", last.detail);
}

/// Garbage between records is one reject; reading resumes at the next record.
#[test]
fn garbage_between_records_is_skipped_over() {
    let r = records();
    let bytes = [r[2].clone(), b"this is not a record\r\n".to_vec(), r[3].clone()].concat();
    let out = ingest_file("junk.warc", &bytes, &IngestConfig::default());
    assert_eq!(out.documents.len(), 2);
    assert_eq!(out.rejects.len(), 1);
    assert_eq!(out.rejects[0].reason, RejectReason::Corrupt);
}
