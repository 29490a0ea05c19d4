#!/usr/bin/env python3
"""Big single-file inputs for `just bench-big`: entente must stream them in bounded memory.

    big_inputs.py CORPORA OUT_DIR [--jsonl-copies N] [--warc-copies M]

Writes into OUT_DIR:
- `bbc.jsonl.zst`: BBC news (CORPORA/bbc_news/articles.jsonl) N times in one JSON Lines
  file, each copy with its own ids, compressed with the `zstd` command;
- `zyte.warc.gz`: the 181 Zyte pages (CORPORA/zyte_html) M times as HTTP responses in one
  WARC file, each copy with its own URIs, one gzip member per record as Common Crawl writes
  them.

Prints each file's compressed and decompressed size.
"""

import argparse
import gzip
import json
import os
import subprocess


def write_jsonl(corpora: str, path: str, copies: int) -> int:
    with open(os.path.join(corpora, "bbc_news", "articles.jsonl"), encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    written = 0
    with open(path, "wb") as out:
        zstd = subprocess.Popen(["zstd", "-q", "-3", "-T2", "-c"], stdin=subprocess.PIPE, stdout=out)
        for copy in range(copies):
            lines = "".join(json.dumps(dict(a, id=f"{a['id']}-{copy}")) + "\n" for a in items)
            data = lines.encode("utf-8")
            zstd.stdin.write(data)
            written += len(data)
        zstd.stdin.close()
        if zstd.wait() != 0:
            raise SystemExit("zstd failed")
    return written


def warc_record(uri: str, html: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(html)
    block = http + html
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {uri}\r\nWARC-Date: 2019-11-19T12:00:00Z\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode("ascii")
    return head + block + b"\r\n\r\n"


def write_warc(corpora: str, path: str, copies: int) -> int:
    root = os.path.join(corpora, "zyte_html")
    with open(os.path.join(root, "cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    pages = []
    for case in cases:
        with gzip.open(os.path.join(root, case["html_path"]), "rb") as f:
            pages.append((case.get("url") or f"https://example.com/{case['id']}", f.read()))
    written = 0
    with open(path, "wb") as out:
        for copy in range(copies):
            for uri, html in pages:
                record = warc_record(f"{uri}?copy={copy}", html)
                out.write(gzip.compress(record, compresslevel=1))
                written += len(record)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora")
    parser.add_argument("out")
    parser.add_argument("--jsonl-copies", type=int, default=600)
    parser.add_argument("--warc-copies", type=int, default=70)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, write, copies in [
        ("bbc.jsonl.zst", write_jsonl, args.jsonl_copies),
        ("zyte.warc.gz", write_warc, args.warc_copies),
    ]:
        path = os.path.join(args.out, name)
        if copies <= 0:
            continue
        raw = write(args.corpora, path, copies)
        print(f"{path}: {os.path.getsize(path) / 2**30:.2f} GiB compressed, {raw / 2**30:.2f} GiB decompressed")


if __name__ == "__main__":
    main()
