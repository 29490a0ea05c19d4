#!/usr/bin/env python3
"""Ingest throughput on the shared corpora, in MB/s of input (uncompressed) and records/s;
then the normalise stage on BBC news scaled 1x to 10x, to show that duplicate detection stays
linear.

usage: bench.py ENTENTE_BIN CORPORA_DIR [RUNS]

Each ingest case runs `entente ingest` RUNS times (default 3) into a temporary directory and
keeps the fastest wall time. The time covers reading, decompressing, decoding, extraction and
writing the `documents` and `rejects` tables.

The normalise cases write BBC news N times (N = 1, 2, 5, 10): copy 0 of each article as it
is, every other copy with 5% of its words replaced (a deterministic pseudo-random choice), so
each article becomes a story of N near-identical reports, the worst case for the LSH buckets.
The time is `entente normalise` (repair, boilerplate, language, sentences, duplicates, and
writing its tables), best of RUNS; docs/s should not fall as N grows."""

import glob
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time


def size_of(root: str) -> int:
    total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if name.endswith(".gz"):
                with gzip.open(path, "rb") as f:
                    total += len(f.read())
            else:
                total += os.path.getsize(path)
    return total


def bench(entente: str, name: str, root: str, runs: int) -> None:
    best = None
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([entente, "-q", "ingest", "--input", root, "--output", out], check=True, stdout=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            if best is None or elapsed < best[0]:
                import pyarrow.parquet as pq

                rows = sum(pq.read_metadata(p).num_rows for p in glob.glob(os.path.join(out, "documents", "*.parquet")))
                best = (elapsed, rows)
    mb = size_of(root) / 1e6
    elapsed, rows = best
    print(f"{name:<28} {mb:>8.1f} MB {rows:>7} docs {elapsed:>7.2f} s {mb / elapsed:>8.1f} MB/s {rows / elapsed:>9.0f} docs/s")


def scaled_bbc(corpora: str, copies: int, path: str) -> None:
    rng = random.Random(42)
    with open(os.path.join(corpora, "bbc_news", "articles.jsonl"), encoding="utf-8") as f:
        articles = [json.loads(line) for line in f if line.strip()]
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(copies):
            for a in articles:
                record = dict(a, id=f"{a['id']}-{copy}")
                if copy > 0:
                    words = a["text"].split(" ")
                    for i in rng.sample(range(len(words)), len(words) // 20):
                        words[i] = f"w{rng.randrange(10**6)}"
                    record["text"] = " ".join(words)
                out.write(json.dumps(record) + "\n")


def bench_normalise(entente: str, corpora: str, runs: int) -> None:
    import pyarrow.parquet as pq

    print(f"entente normalise on BBC news scaled (near-identical copies), best of {runs}")
    base = None
    for copies in (1, 2, 5, 10):
        with tempfile.TemporaryDirectory() as work:
            src, out = os.path.join(work, "in"), os.path.join(work, "out")
            os.makedirs(src)
            scaled_bbc(corpora, copies, os.path.join(src, "bbc.jsonl"))
            subprocess.run([entente, "-q", "ingest", "--input", src, "--output", out], check=True, stdout=subprocess.DEVNULL)
            best = None
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([entente, "-q", "normalise", "--input", src, "--output", out], check=True, stdout=subprocess.DEVNULL)
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
            docs = pq.read_table(os.path.join(out, "documents"), columns=["story_id", "duplicate_kind"])
            n = docs.num_rows
            stories = len(set(docs.column("story_id").to_pylist()))
            per_doc = best / n * 1e6
            base = base or per_doc
            print(f"  {copies:>2}x BBC {n:>7} docs {stories:>6} stories {best:>7.2f} s {n / best:>8.0f} docs/s {per_doc:>7.0f} us/doc ({per_doc / base:.2f}x of 1x)")


def main() -> None:
    entente, corpora = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"entente ingest, best of {runs}, {os.cpu_count()} cores")
    bench(entente, "zyte_html (181 pages, gz)", os.path.join(corpora, "zyte_html", "html"), runs)
    bench(entente, "bbc_news (JSONL)", os.path.join(corpora, "bbc_news"), runs)
    bench(entente, "reuters21578 (JSONL)", os.path.join(corpora, "reuters21578"), runs)
    bench_normalise(entente, corpora, runs)


if __name__ == "__main__":
    main()
