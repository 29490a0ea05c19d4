#!/usr/bin/env python3
"""Compares entente's exact-duplicate count with an independent one, and summarises the near
duplicates it found.

usage: check_duplicates.py OUTPUT_DIR ARTICLES.jsonl

The independent count reads the JSONL itself: each record's text as entente analyses it (its
`title`, then its `text`, unless the text's first line already is the title), Unicode NFC,
whitespace runs collapsed, compared for equality; every record after the first of a group is
a copy. A story sent again under another headline is a near copy, not an exact one.
entente's count is the `documents` rows with `duplicate_kind = 'exact'`. Exits 1 when they
differ. Then prints the near duplicates by similarity band, and a few pairs from the lowest
band so a person can judge whether they really are the same story."""

import collections
import json
import os
import sys
import unicodedata

import pyarrow.parquet as pq


def independent_exact(path: str) -> tuple[int, int]:
    groups: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            text, title = record.get("text") or "", (record.get("title") or "").strip()
            if not text.strip():
                continue
            first = next((l.strip() for l in text.splitlines() if l.strip()), "")
            if title and " ".join(first.lower().split()) != " ".join(title.lower().split()):
                text = f"{title}\n\n{text}"
            key = " ".join(unicodedata.normalize("NFC", text).split())
            if key:
                groups[key] += 1
    records = sum(groups.values())
    return records, records - len(groups)


def main() -> int:
    out, articles = sys.argv[1], sys.argv[2]
    docs = pq.read_table(
        os.path.join(out, "documents"),
        columns=["doc_id", "title", "duplicate_of", "duplicate_kind", "story_similarity", "story_id"],
    ).to_pylist()
    records, independent = independent_exact(articles)
    ours = sum(1 for d in docs if d["duplicate_kind"] == "exact")
    near = [d for d in docs if d["duplicate_kind"] == "near"]
    stories = len({d["story_id"] for d in docs})
    print(f"records with text:                 {records}")
    print(f"exact copies, independent count:   {independent}")
    print(f"exact copies, entente:             {ours}")
    print(f"near copies, entente:              {len(near)}")
    print(f"stories (distinct story_id):       {stories}")
    bands = collections.Counter(min(int(d["story_similarity"] * 10), 9) / 10 for d in near)
    for band in sorted(bands):
        print(f"  near copies with similarity {band:.1f}-{band + 0.1:.1f}: {bands[band]}")
    by_id = {d["doc_id"]: d for d in docs}
    for d in sorted(near, key=lambda d: (d["story_similarity"], d["doc_id"]))[:5]:
        canonical = by_id[d["duplicate_of"]]
        print(f"  {d['story_similarity']:.2f}  {d['title']!r}  ~  {canonical['title']!r}")
    if ours != independent:
        print("MISMATCH: entente's exact-duplicate count differs from the independent count")
        return 1
    print("exact-duplicate counts agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
