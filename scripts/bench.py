#!/usr/bin/env python3
"""Ingest throughput on the shared corpora, in MB/s of input (uncompressed) and records/s.

usage: bench.py ENTENTE_BIN CORPORA_DIR [RUNS]

Each case runs `entente ingest` RUNS times (default 3) into a temporary directory and keeps
the fastest wall time. The time covers reading, decompressing, decoding, extraction and
writing `documents.parquet`/`rejects.parquet`."""

import gzip
import os
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

                rows = pq.read_metadata(os.path.join(out, "documents.parquet")).num_rows
                best = (elapsed, rows)
    mb = size_of(root) / 1e6
    elapsed, rows = best
    print(f"{name:<28} {mb:>8.1f} MB {rows:>7} docs {elapsed:>7.2f} s {mb / elapsed:>8.1f} MB/s {rows / elapsed:>9.0f} docs/s")


def main() -> None:
    entente, corpora = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"entente ingest, best of {runs}, {os.cpu_count()} cores")
    bench(entente, "zyte_html (181 pages, gz)", os.path.join(corpora, "zyte_html", "html"), runs)
    bench(entente, "bbc_news (JSONL)", os.path.join(corpora, "bbc_news"), runs)
    bench(entente, "reuters21578 (JSONL)", os.path.join(corpora, "reuters21578"), runs)


if __name__ == "__main__":
    main()
