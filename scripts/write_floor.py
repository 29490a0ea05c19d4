#!/usr/bin/env python3
"""The floor under entente's output steps: the CPU time another writer takes for the same tables.

usage: write_floor.py OUTPUT_DIR

Reads every Parquet part of an `entente run` output into memory, one table at a time, and
writes each part again with pyarrow's C++ writer in the same layout: the same row groups,
zstd at level 3 where the part is zstd, a dictionary on the columns the part has one on,
minimum and maximum statistics on the columns the part keeps them on, and the page index.
Prints the process CPU time (user + sys) of the writing alone, per table and in two groups:
the tables of the write and finalise steps (`documents`, `sentences`, `entities`,
`text_edits`, `boilerplate`, `rejects`) and those of the aggregate step (`cooccurrences`,
`cooccurrences_by_period`, `entity_summary`). Nothing in it builds, decides or counts
anything: it is what writing these tables costs with the writer most of their readers use.
`scripts/bench_scale.py` prints it after each of its one-thread runs.
"""

import glob
import os
import sys
import tempfile
import time

import pyarrow.parquet as pq

WRITE_TABLES = ["documents", "sentences", "entities", "text_edits", "boilerplate", "rejects"]
AGGREGATE_TABLES = ["cooccurrences", "cooccurrences_by_period", "entity_summary"]


def rewrite_cpu(part: str, dest: str) -> float:
    """CPU seconds pyarrow takes to write `part`'s rows again, in its layout, to `dest`."""
    file = pq.ParquetFile(part)
    meta = file.metadata
    table = file.read()
    dictionary, statistics, zstd = [], [], False
    if meta.num_row_groups:
        group = meta.row_group(0)
        for i in range(group.num_columns):
            column = group.column(i)
            if any(e in ("RLE_DICTIONARY", "PLAIN_DICTIONARY") for e in column.encodings):
                dictionary.append(column.path_in_schema)
            if column.statistics is not None and column.statistics.has_min_max:
                statistics.append(column.path_in_schema)
            zstd = zstd or column.compression == "ZSTD"
    rows = max((meta.row_group(i).num_rows for i in range(meta.num_row_groups)), default=1)
    start = time.process_time()
    pq.write_table(table, dest, row_group_size=max(rows, 1), use_dictionary=dictionary,
                   write_statistics=statistics, compression="zstd" if zstd else "none",
                   compression_level=3 if zstd else None, write_page_index=True)
    return time.process_time() - start


def floor(output: str) -> dict:
    """CPU seconds of writing each table of `output` again (see the module's doc)."""
    seconds = {}
    with tempfile.TemporaryDirectory() as scratch:
        dest = os.path.join(scratch, "part.parquet")
        for table in WRITE_TABLES + AGGREGATE_TABLES:
            parts = sorted(glob.glob(os.path.join(output, table, "**", "*.parquet"), recursive=True))
            seconds[table] = sum(rewrite_cpu(part, dest) for part in parts)
    return seconds


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    seconds = floor(sys.argv[1])
    for table, s in seconds.items():
        print(f"{table:25s} {s:7.3f} s")
    print(f"{'write + finalise tables':25s} {sum(seconds[t] for t in WRITE_TABLES):7.3f} s")
    print(f"{'aggregate tables':25s} {sum(seconds[t] for t in AGGREGATE_TABLES):7.3f} s")


if __name__ == "__main__":
    main()
