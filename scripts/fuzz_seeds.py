#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/corpus/<target>/) from the project's own fixtures.

Each ingest harness reads its first byte as the choice of file name (see
crates/entente_fuzz/src/lib.rs), so a seed is that byte followed by a fixture's bytes.
Re-run after adding fixtures: `python3 scripts/fuzz_seeds.py`. Seeds stay small (< 16 KiB).
"""

import gzip
import pathlib
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
TEST = ROOT / "crates"
LIMIT = 16 * 1024


def fixtures(*globs):
    for pattern in globs:
        for path in sorted(TEST.glob(pattern)):
            if path.is_file():
                yield path.name, path.read_bytes()[:LIMIT]


def write(target, name, data):
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def main():
    ingest = "entente_ingest/resources/test"
    # ingest_text: byte 0 -> a.txt, 1 -> a.md
    for name, data in fixtures(f"{ingest}/ok/*.txt", f"{ingest}/err/binary.txt"):
        write("ingest_text", name, b"\x00" + data)
    for name, data in fixtures(f"{ingest}/ok/*.md", f"{ingest}/ok/*.markdown"):
        write("ingest_text", name, b"\x01" + data)
    # ingest_records: 0 -> jsonl, 1 -> csv, 2 -> tsv
    for name, data in fixtures(f"{ingest}/mixed/*.jsonl", f"{ingest}/err/empty.jsonl"):
        write("ingest_records", name, b"\x00" + data)
    for name, data in fixtures(f"{ingest}/mixed/*.csv"):
        write("ingest_records", name, b"\x01" + data)
    for name, data in fixtures(f"{ingest}/ok/*.tsv"):
        write("ingest_records", name, b"\x02" + data)
    # ingest_html
    for name, data in fixtures(f"{ingest}/ok/*.html", f"{ingest}/ok/saved_page",
                               f"{ingest}/err/undecodable.html"):
        write("ingest_html", name, b"\x00" + data)
    # ingest_warc: the test WARCs, if any, plus a small one built here
    page = (b"<html><head><title>Summit</title></head><body><article><p>Xi Jinping met "
            b"Vladimir Putin in Moscow on Tuesday.</p></article></body></html>")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/a\r\n"
              b"WARC-Date: 2024-05-16T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
              b"Content-Length: " + str(len(http)).encode() + b"\r\n\r\n" + http + b"\r\n\r\n")
    request = (b"WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 18\r\n\r\n"
               b"GET /a HTTP/1.1\r\n\r\n\r\n\r\n")
    write("ingest_warc", "response.warc", b"\x00" + record)
    write("ingest_warc", "request_response.warc", b"\x00" + request + record)
    write("ingest_warc", "lying_length.warc", b"\x00" + record.replace(b"Content-Length: ", b"Content-Length: 9"))
    write("ingest_warc", "truncated.warc", b"\x00" + record[: len(record) // 2])
    # ingest_compressed: 0 jsonl.gz, 1 warc.gz, 2 txt.zst, 3 html.zst, 4 csv.bz2, 5 a, 6 a.gz
    jsonl = b'{"id": "1", "title": "Summit", "text": "Xi met Putin."}\n'
    write("ingest_compressed", "jsonl.gz", b"\x00" + gzip.compress(jsonl, mtime=0))
    write("ingest_compressed", "warc.gz", b"\x01" + gzip.compress(record, mtime=0))
    write("ingest_compressed", "two_members.gz", b"\x06" + gzip.compress(jsonl, mtime=0) * 2)
    write("ingest_compressed", "deflate_raw", b"\x06" + zlib.compress(jsonl))
    for name, data in fixtures(f"{ingest}/ok/*.zst"):
        write("ingest_compressed", name, b"\x02" + data)
    for name, data in fixtures(f"{ingest}/ok/*.bz2"):
        write("ingest_compressed", name, b"\x04" + data)
    for name, data in fixtures(f"{ingest}/mixed/*.gz", f"{ingest}/err/*.gz"):
        write("ingest_compressed", name, b"\x00" + data)
    write("ingest_compressed", "sniffed_jsonl", b"\x05" + jsonl)
    # ingest_dates
    for i, date in enumerate(["2024-05-16T10:00:00Z", "Thu, 16 May 2024 10:00:00 +0800",
                              "26-FEB-1987 15:01:01.79", "May 16, 2024", "16/05/2024",
                              "1715853600", "2024"]):
        write("ingest_dates", f"date{i}", date.encode())
    # normalise, extract: the sample articles and the stage fixtures
    texts = list(fixtures("../data/*.txt", "entente_normalise/resources/test/*/*.txt",
                          "entente_extract/resources/test/entities/*.txt"))
    for name, data in texts:
        write("normalise", name, data)
        write("extract", name, data)
    for name, data in fixtures("entente_normalise/resources/test/sentences/*.txt"):
        write("sentences", name, data)


if __name__ == "__main__":
    main()
