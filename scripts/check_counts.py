#!/usr/bin/env python3
"""Checks that ingest accounted for every record of some JSONL files: for each file, the
non-blank lines equal its `documents` rows plus its `rejects` rows. Prints a table and the
reject reasons; exits 1 when a count does not add up.

usage: check_counts.py OUTPUT_DIR ROOT/NAME.jsonl [...]
(each file is named in the tables as `<its directory's name>/<file name>`)."""

import collections
import os
import sys

import pyarrow.parquet as pq


def main() -> int:
    out, files = sys.argv[1], sys.argv[2:]
    docs = collections.Counter(pq.read_table(os.path.join(out, "documents"), columns=["source"]).column("source").to_pylist())
    rejects = pq.read_table(os.path.join(out, "rejects"), columns=["source", "reason"])
    rej = collections.Counter(rejects.column("source").to_pylist())
    reasons = collections.Counter(zip(rejects.column("source").to_pylist(), rejects.column("reason").to_pylist()))
    ok = True
    print(f"{'source':<32} {'records':>9} {'documents':>10} {'rejects':>9}  adds up")
    for path in files:
        source = f"{os.path.basename(os.path.dirname(path))}/{os.path.basename(path)}"
        with open(path, encoding="utf-8") as f:
            records = sum(1 for line in f if line.strip())
        adds_up = docs[source] + rej[source] == records
        ok &= adds_up
        print(f"{source:<32} {records:>9} {docs[source]:>10} {rej[source]:>9}  {'yes' if adds_up else 'NO'}")
    for (source, reason), n in sorted(reasons.items()):
        print(f"  {source}: {n} rejected as {reason}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
