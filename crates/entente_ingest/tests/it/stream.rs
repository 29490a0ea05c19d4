//! Big files a chunk at a time: for every format and compression, the chunks' rows are the
//! whole file's rows, however small the chunks.

use std::fmt::Write as _;
use std::io::Write as _;

use entente_ingest::{ChunkReader, IngestConfig, Ingested, ingest_chunk, ingest_file, scan};
use proptest::prelude::*;

/// Reads `bytes` as the file `source` a chunk at a time (chunks of about `chunk_bytes`);
/// `None` when `scan` reads it whole.
fn chunked(
    source: &str,
    bytes: &[u8],
    config: &IngestConfig,
    chunk_bytes: u64,
) -> Option<(Ingested, usize)> {
    let plan = scan(source, bytes, config, chunk_bytes).unwrap()?;
    let mut reader = ChunkReader::new(source, bytes).unwrap();
    let mut out = Ingested::default();
    for chunk in &plan.chunks {
        let data = reader.read(chunk).unwrap();
        out.extend(ingest_chunk(source, &plan, chunk, &data, config));
    }
    out.sort();
    Some((out, plan.chunks.len()))
}

/// Asserts that the chunks give the whole file's rows, and that they were chunks.
fn same_as_whole(source: &str, bytes: &[u8], config: &IngestConfig, chunk_bytes: u64) -> usize {
    let mut whole = ingest_file(source, bytes, config);
    whole.sort();
    let (parts, n) = chunked(source, bytes, config, chunk_bytes)
        .unwrap_or_else(|| panic!("{source}: not read in chunks"));
    assert_eq!(parts.documents, whole.documents, "{source}: documents");
    assert_eq!(parts.rejects, whole.rejects, "{source}: rejects");
    assert_eq!(parts.skipped, whole.skipped, "{source}: skipped");
    n
}

/// [`same_as_whole`] at the default options, when `scan` cuts the file at all (a small
/// arbitrary file may be read whole).
fn same_as_whole_if_chunked(source: &str, bytes: &[u8], chunk_bytes: u64) {
    let config = IngestConfig::default();
    if scan(source, bytes, &config, chunk_bytes).unwrap().is_some() {
        same_as_whole(source, bytes, &config, chunk_bytes);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

const WORDS: &[&str] = &[
    "Ministers",
    "met",
    "in",
    "Tashkent",
    "on",
    "Tuesday",
    "to",
    "sign",
    "an",
    "agreement",
    "café",
    "Zürich",
    "said",
    "the",
    "envoy",
    "\"quoted\"",
    "comma,",
    "Putin",
    "Xi",
];

fn text(seed: u64, words: usize) -> String {
    let pick = |i: usize| {
        let h = seed.wrapping_mul(2_654_435_761).wrapping_add(i as u64 * 40_503);
        WORDS[usize::try_from(h % WORDS.len() as u64).unwrap()]
    };
    (0..words).map(pick).collect::<Vec<_>>().join(" ")
}

/// JSON Lines with blank lines, bad JSON, records without text, and long records.
fn jsonl(n: u64) -> String {
    let mut out = String::new();
    for i in 0..n {
        match i % 11 {
            3 => out.push('\n'),
            5 => out.push_str("{not json\n"),
            7 => writeln!(out, "{{\"id\": {i}, \"title\": \"no body\"}}").unwrap(),
            _ => writeln!(
                out,
                "{{\"id\": \"a{i}\", \"title\": \"Story {i}\", \"text\": {}, \"date\": \"2024-03-0{}\"}}",
                serde_json::to_string(&text(i, 20 + (i % 7) as usize * 30)).unwrap(),
                1 + i % 9
            )
            .unwrap(),
        }
    }
    out
}

/// CSV with quoted fields holding commas, quotes and line breaks, and a ragged row.
fn csv(n: u64) -> String {
    let mut out = String::from("id,title,text\n");
    for i in 0..n {
        if i % 13 == 6 {
            out.push_str("x,ragged\n");
            continue;
        }
        let body = text(i, 15 + (i % 5) as usize * 20).replace('"', "\"\"");
        let body = if i % 4 == 0 { format!("{body}\nsecond line, {i}") } else { body };
        writeln!(out, "{i},\"Title, {i}\",\"{body}\"").unwrap();
    }
    out
}

fn tsv(n: u64) -> String {
    let mut out = String::from("id\ttitle\ttext\n");
    for i in 0..n {
        writeln!(out, "{i}\tTitle {i}\t{}", text(i, 25 + (i % 3) as usize * 25)).unwrap();
    }
    out
}

fn warc(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let body = format!(
            "<html><head><title>Page {i}</title></head><body><article><p>{}</p><p>{}</p></article></body></html>",
            text(i, 60),
            text(i + 1, 60)
        );
        let http =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}");
        let kind = if i % 5 == 2 { "request" } else { "response" };
        out.extend_from_slice(
            format!(
                "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.com/{i}\r\n\
                 WARC-Date: 2019-11-19T12:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n\
                 Content-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
            .as_bytes(),
        );
        if i % 17 == 9 {
            out.extend_from_slice(b"garbage between records\n");
        }
    }
    out
}

#[test]
fn every_format_and_compression_reads_the_same_in_chunks() {
    let config = IngestConfig::default();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("a.jsonl", jsonl(400).into_bytes()),
        ("b.csv", csv(300).into_bytes()),
        ("c.tsv", tsv(300).into_bytes()),
        ("d.warc", warc(120)),
    ];
    for (source, bytes) in files {
        for chunk_bytes in [2_000, 9_000, 50_000] {
            let n = same_as_whole(source, &bytes, &config, chunk_bytes);
            assert!(n >= 2, "{source}: {n} chunks of {chunk_bytes}");
            for (ext, packed) in [("gz", gzip(&bytes)), ("zst", zstd(&bytes))] {
                let name = format!("{source}.{ext}");
                same_as_whole(&name, &packed, &config, chunk_bytes);
            }
        }
    }
}

/// The same file gives the same chunks; records appended change only the last chunk.
#[test]
fn appending_records_keeps_the_earlier_chunks() {
    let config = IngestConfig::default();
    let before = jsonl(500);
    let after = format!("{before}{}", jsonl(40));
    let a = scan("x.jsonl", before.as_bytes(), &config, 5_000).unwrap().unwrap();
    let again = scan("x.jsonl", before.as_bytes(), &config, 5_000).unwrap().unwrap();
    assert_eq!(a, again);
    let b = scan("x.jsonl", after.as_bytes(), &config, 5_000).unwrap().unwrap();
    // Every chunk but the last is kept as it was (the last too when a cut ended it).
    let keep = |c: &entente_ingest::Chunk| (c.offset, c.len, c.hash.clone(), c.pos.first_index);
    let kept = a.chunks.len() - 1;
    assert_eq!(
        a.chunks[..kept].iter().map(keep).collect::<Vec<_>>(),
        b.chunks[..kept].iter().map(keep).collect::<Vec<_>>()
    );
    assert!(b.chunks.len() > a.chunks.len());
    assert!(b.chunks.last().unwrap().pos.last && !b.chunks[kept].pos.last);
}

/// Chunks are about `chunk_bytes` on average and never pass twice that by more than the
/// record that crossed it: the cap is what bounds a batch's memory on one big file.
#[test]
fn chunks_stay_within_twice_the_chunk_size() {
    let config = IngestConfig::default();
    let file = jsonl(3_000);
    let longest = file.lines().map(|l| l.len() as u64 + 1).max().unwrap();
    let chunk_bytes = 4_000;
    let plan = scan("x.jsonl", file.as_bytes(), &config, chunk_bytes).unwrap().unwrap();
    for chunk in &plan.chunks {
        assert!(chunk.len < 2 * chunk_bytes + longest, "{} bytes", chunk.len);
    }
    let mean = file.len() as u64 / plan.chunks.len() as u64;
    assert!((chunk_bytes / 2..chunk_bytes * 3 / 2).contains(&mean), "mean {mean} bytes");
    assert!(plan.chunks.iter().any(|c| c.len >= 2 * chunk_bytes), "no chunk reached the cap");
}

/// A record over eight times `max_text_bytes` is one `too_large` reject, skipped as it
/// streams by, with the same detail the whole-file reader gives; and a stream cut short keeps
/// the records before the break.
#[test]
fn oversized_records_and_broken_streams() {
    let config = IngestConfig { max_text_bytes: 1_000, ..IngestConfig::default() };
    let mut file = jsonl(60);
    writeln!(file, "{{\"text\": \"{}\"}}", "x".repeat(20_000)).unwrap();
    file.push_str(&jsonl(60));
    same_as_whole("big.jsonl", file.as_bytes(), &config, 3_000);
    let mut rows = csv(40);
    writeln!(rows, "1,t,\"{}\n{}\"", "y".repeat(9_000), "z".repeat(9_000)).unwrap();
    rows.push_str(csv(40).strip_prefix("id,title,text\n").unwrap());
    same_as_whole("big.csv", rows.as_bytes(), &config, 3_000);

    let config = IngestConfig::default();
    // Past the first MiB (a stream that breaks before it is small, and read whole).
    let packed = gzip(jsonl(5_000).as_bytes());
    let cut = &packed[..packed.len() * 2 / 3];
    same_as_whole("cut.jsonl.gz", cut, &config, 40_000);
    let packed = zstd(&warc(3_000));
    same_as_whole("cut.warc.zst", &packed[..packed.len() * 3 / 4], &config, 40_000);
}

/// `max_records_per_file` stops a file at the same record, read whole or in chunks.
#[test]
fn the_record_cap_holds_across_chunks() {
    let config = IngestConfig { max_records_per_file: 77, ..IngestConfig::default() };
    same_as_whole("cap.jsonl", jsonl(300).as_bytes(), &config, 2_000);
    same_as_whole("cap.csv", csv(300).as_bytes(), &config, 2_000);
    same_as_whole("cap.warc", &warc(200), &config, 4_000);
}

/// Small files and single-document files are read whole.
#[test]
fn small_and_single_document_files_are_read_whole() {
    let config = IngestConfig::default();
    assert!(scan("a.jsonl", jsonl(3).as_bytes(), &config, 1 << 20).unwrap().is_none());
    let page = format!("<html><body><p>{}</p></body></html>", text(1, 5000));
    assert!(scan("a.html", page.as_bytes(), &config, 1_000).unwrap().is_none());
    let packed = gzip(text(2, 9000).as_bytes());
    assert!(scan("a.txt.gz", packed.as_slice(), &config, 1_000).unwrap().is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary CSV-ish text (quotes, commas, line breaks anywhere): chunks never change
    /// a row.
    #[test]
    fn csv_quoting_never_moves_a_row(
        cells in proptest::collection::vec("[a-c\",\n ]{0,12}", 20..200),
        chunk_bytes in 16u64..400,
    ) {
        let file = format!("id,title,text\n{}\n", cells.join(","));
        same_as_whole_if_chunked("p.csv", file.as_bytes(), chunk_bytes);
    }

    /// Arbitrary JSON Lines text, blank and broken lines included.
    #[test]
    fn jsonl_lines_never_move(
        lines in proptest::collection::vec("(\\{\"text\": \"[a-z ]{0,30}\"\\}|[ \\t]*|\\{bad|é+)", 20..200),
        chunk_bytes in 16u64..400,
    ) {
        same_as_whole_if_chunked("p.jsonl", lines.join("\n").as_bytes(), chunk_bytes);
    }
}

/// Decompression bombs stop early: a big stream of zeros is one `binary` reject found in its
/// first MiB, and a single document stops at its record limit (8 × `max_text_bytes`).
#[test]
fn bombs_are_rejected_without_reading_them() {
    let config = IngestConfig::default();
    let zeros = gzip(&vec![0u8; 3 << 20]);
    let plan = scan("bomb.jsonl.gz", zeros.as_slice(), &config, 1 << 20).unwrap().unwrap();
    assert_eq!(plan.chunks.len(), 1);
    let rejects = &plan.chunks[0].rejects;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].1, entente_schema::RejectReason::Binary);
    let mut reader = ChunkReader::new("bomb.jsonl.gz", zeros.as_slice()).unwrap();
    let bytes = reader.read(&plan.chunks[0]).unwrap();
    let out = ingest_chunk("bomb.jsonl.gz", &plan, &plan.chunks[0], &bytes, &config);
    assert_eq!(out.rejects, ingest_file("bomb.jsonl.gz", &zeros, &config).rejects);

    let small = IngestConfig { max_text_bytes: 1_000, ..IngestConfig::default() };
    let page = gzip(text(3, 3_000).as_bytes());
    let out = ingest_file("page.txt.gz", &page, &small);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    assert!(out.rejects[0].detail.contains("8 × max_text_bytes"), "{}", out.rejects[0].detail);
}
