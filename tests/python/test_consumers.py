"""What an analyst does with entente's tables: load them in DuckDB and pandas, join them and
check the offsets with Python slicing. Run by `just test` from the venv it creates."""

import os
import pathlib
import re
import subprocess

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLES = ["documents", "sentences", "entities", "cooccurrences", "entity_summary", "rejects"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Runs the default pipeline into a temporary directory; returns it and the row counts
    the CLI printed."""
    out = tmp_path_factory.mktemp("out")
    binary = os.environ.get("ENTENTE_BIN", str(ROOT / "target" / "release" / "entente"))
    done = subprocess.run(
        [binary, "run", "--output", str(out)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    printed = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^\s+(\w+)\s+(\d+) rows\s", done.stdout, re.MULTILINE)
    }
    assert set(printed) == set(TABLES), done.stdout
    return out, printed


def test_row_counts_match_the_cli(run):
    out, printed = run
    con = duckdb.connect()
    for table in TABLES:
        path = str(out / f"{table}.parquet")
        assert con.sql(f"select count(*) from '{path}'").fetchone()[0] == printed[table]
        assert len(pd.read_parquet(path)) == printed[table]


def test_offsets_with_python_slicing(run):
    out, _ = run
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    sentences = pd.read_parquet(out / "sentences.parquet")
    entities = pd.read_parquet(out / "entities.parquet")
    assert len(entities) > 0
    for s in sentences.itertuples():
        text = docs.at[s.doc_id, "text"]
        assert text[s.char_start : s.char_end] == s.text
        assert text.encode()[s.byte_start : s.byte_end].decode() == s.text
    joined = entities.merge(
        sentences, on=["doc_id", "sentence_idx"], suffixes=("", "_sentence"), validate="many_to_one"
    ).merge(docs[["text"]].rename(columns={"text": "doc_text"}), left_on="doc_id", right_index=True)
    assert len(joined) == len(entities)
    for e in joined.itertuples():
        assert e.doc_text[e.char_start : e.char_end] == e.text
        assert e.char_start_sentence <= e.char_start and e.char_end <= e.char_end_sentence


def test_duckdb_substring_agrees(run):
    out, _ = run
    con = duckdb.connect()
    mismatches = con.sql(
        f"""
        select count(*) from '{out}/entities.parquet' e
        join '{out}/documents.parquet' d using (doc_id)
        where substring(d.text, e.char_start + 1, e.char_end - e.char_start) <> e.text
        """
    ).fetchone()[0]
    assert mismatches == 0


def test_readme_duckdb_example(run):
    """The README's query: top partners of an entity with npmi and an example sentence."""
    out, _ = run
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sql = re.search(r"```sql\n(.*?)```", readme, re.DOTALL).group(1)
    con = duckdb.connect()
    rows = con.sql(sql.replace("output/default", str(out))).fetchall()
    assert rows, "the example returns rows"
    assert rows[0][0] == "Russia"
    assert all(isinstance(r[-1], str) and r[-1] for r in rows), "every partner has an example sentence"


def test_timestamps_and_types(run):
    out, _ = run
    schema = pq.read_schema(out / "documents.parquet")
    assert str(schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    meta = pq.read_metadata(out / "entities.parquet").metadata
    assert meta[b"entente.contract_version"] == b"1"
