"""What an analyst does with entente's tables: load them in DuckDB and pandas, join them and
check the offsets with Python slicing. Run by `just test` from the venv it creates."""

import importlib.util
import os
import pathlib
import re
import subprocess

import duckdb
import networkx as nx
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLES = [
    "documents",
    "sentences",
    "text_edits",
    "boilerplate",
    "entities",
    "cooccurrences",
    "cooccurrences_by_period",
    "entity_summary",
    "rejects",
]


def glob(out: pathlib.Path, table: str) -> str:
    """The one glob that reads every part of a table (Hive partitions included)."""
    return f"{out}/{table}/**/*.parquet"


def readme_block(lang: str, containing: str, doc: str = "README.md") -> str:
    """The first ```lang code block of `doc` (README.md, or a page under docs/) that contains
    `containing`."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    for block in re.findall(rf"```{lang}\n(.*?)```", text, re.DOTALL):
        if containing in block:
            return block
    raise AssertionError(f"no {lang} block with {containing!r} in {doc}")


BINARY = os.environ.get("ENTENTE_BIN", str(ROOT / "target" / "release" / "entente"))


def run_pipeline(out: pathlib.Path, *args: str) -> dict:
    """Runs entente into `out`; returns the row counts the CLI printed."""
    done = subprocess.run(
        [BINARY, "run", "--output", str(out), *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    printed = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^\s+(\w+)\s+(\d+) rows\s", done.stdout, re.MULTILINE)
    }
    assert set(printed) == set(TABLES), done.stdout
    return printed


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Runs the default pipeline into a temporary directory; returns it and the row counts
    the CLI printed."""
    out = tmp_path_factory.mktemp("out")
    return out, run_pipeline(out)


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """The default pipeline with batches of about 10 kB: several part files per table."""
    tmp = tmp_path_factory.mktemp("parts")
    default = (ROOT / "pipelines" / "default.toml").read_text(encoding="utf-8")
    pipeline = tmp / "small.toml"
    text = default.replace('inputs = ["../data"]', f'inputs = ["{ROOT / "data"}"]')
    text = text.replace('output = "../output/default"', 'output = "out"\nbatch_mb = 0.01')
    assert "batch_mb = 0.01" in text
    pipeline.write_text(text, encoding="utf-8")
    out = tmp / "out"
    return out, run_pipeline(out, "--pipeline", str(pipeline))


def test_row_counts_match_the_cli(run):
    out, printed = run
    con = duckdb.connect()
    for table in TABLES:
        assert con.sql(f"select count(*) from '{glob(out, table)}'").fetchone()[0] == printed[table]
        assert len(pd.read_parquet(out / table)) == printed[table]
        assert pl.scan_parquet(glob(out, table)).select(pl.len()).collect().item() == printed[table]


def test_partitioned_layout_reads_with_one_glob(run, parts):
    """Several part files per table and Hive directories for the co-occurrence tables: DuckDB,
    pandas (pyarrow) and polars read each table with one path and see the same rows as the
    single-part run; the partition columns come back from the directory names."""
    one, printed_one = run
    out, printed = parts
    assert len(list((out / "documents").glob("part-*.parquet"))) >= 3
    assert printed == printed_one
    con = duckdb.connect()
    for table in TABLES:
        assert con.sql(f"select count(*) from '{glob(out, table)}'").fetchone()[0] == printed[table]
        assert len(pd.read_parquet(out / table)) == printed[table]
        assert pl.scan_parquet(glob(out, table)).select(pl.len()).collect().item() == printed[table]
    query = "select scope, entity_a, entity_b, count, npmi from '{}' order by all"
    assert con.sql(query.format(glob(out, "cooccurrences"))).fetchall() == con.sql(
        query.format(glob(one, "cooccurrences"))
    ).fetchall()
    scopes = con.sql(f"select distinct scope from '{glob(out, 'cooccurrences')}' order by 1").fetchall()
    assert [s[0] for s in scopes] == ["document", "sentence", "story", "window"]
    # polars finds the Hive columns when given the directory (or the glob with
    # hive_partitioning=True).
    by_period = pl.scan_parquet(out / "cooccurrences_by_period").collect()
    assert set(by_period["period"]) == {"month"} and "scope" in by_period.columns
    assert len(by_period) == printed["cooccurrences_by_period"]
    hive = pl.scan_parquet(glob(out, "cooccurrences"), hive_partitioning=True).collect()
    assert set(hive["scope"]) == {"document", "sentence", "story", "window"}
    pairs = pd.read_parquet(out / "cooccurrences")
    assert set(pairs.scope.astype(str)) == {"document", "sentence", "story", "window"}

    def stories(d):
        return sorted(map(tuple, pd.read_parquet(d / "documents")[["doc_id", "story_id"]].values))

    # Stories are grouped across batches: the same story ids as the one-part run.
    assert stories(out) == stories(one)


def test_offsets_with_python_slicing(run):
    out, _ = run
    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    sentences = pd.read_parquet(out / "sentences")
    entities = pd.read_parquet(out / "entities")
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
        select count(*) from '{glob(out, "entities")}' e
        join '{glob(out, "documents")}' d using (doc_id)
        where substring(d.text, e.char_start + 1, e.char_end - e.char_start) <> e.text
        """
    ).fetchone()[0]
    assert mismatches == 0


def test_readme_top_partners(run):
    """The README's query: top partners of an entity by npmi with a minimum count, and the
    first sentence naming both."""
    out, _ = run
    sql = readme_block("sql", "c.count >= 3")
    rows = duckdb.connect().sql(sql.replace("output/default", str(out))).fetchall()
    assert rows and rows[0][0] == "Russia"
    assert all(r[1] >= 3 for r in rows)
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)
    assert all("China" in r[-1] or "Beijing" in r[-1] or "Chinese" in r[-1] for r in rows)


def test_readme_monthly_trend_keeps_undated(run):
    """The README's trend query: the buckets (the undated one included) add up to the run."""
    out, _ = run
    sql = readme_block("sql", "period = 'month'")
    rows = duckdb.connect().sql(sql.replace("output/default", str(out))).fetchall()
    total = duckdb.connect().sql(
        f"""select count from '{glob(out, "cooccurrences")}' where scope = 'story'
            and entity_a = 'iso3166:CN' and entity_b = 'iso3166:RU'"""
    ).fetchone()[0]
    assert rows and sum(r[1] for r in rows) == total


def test_readme_sentences_behind_an_edge(run):
    """The README's evidence query returns sentences that name both people."""
    out, _ = run
    sql = readme_block("sql", "unnest(evidence")
    rows = duckdb.connect().sql(sql.replace("output/default", str(out))).fetchall()
    assert rows
    by_unit: dict = {}
    for doc_id, _, text in rows:
        by_unit.setdefault(doc_id, []).append(text)
    for texts in by_unit.values():
        joined = " ".join(texts)
        assert "Xi" in joined and "Putin" in joined


def test_graph_export_opens_in_networkx(run, tmp_path):
    """`entente export graph` writes GraphML and GEXF that networkx reads back, with the
    chosen measure as weight, and CSV that pandas reads."""
    out, _ = run
    binary = BINARY
    pairs = pd.read_parquet(out / "cooccurrences")
    pairs = pairs[(pairs.scope == "document") & (pairs["count"] >= 2)]
    summary = pd.read_parquet(out / "entity_summary").set_index("entity_id")
    args = ["--scope", "document", "--weight", "npmi", "--min-count", "2"]
    for fmt, read in [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]:
        path = tmp_path / f"g.{fmt}"
        subprocess.run([binary, "export", "graph", str(out), "--format", fmt, "-o", str(path), *args],
                       check=True, capture_output=True)
        g = read(str(path))
        assert g.number_of_edges() == len(pairs)
        assert set(g.nodes) == set(pairs.entity_a) | set(pairs.entity_b)
        for p in pairs.itertuples():
            assert abs(g.edges[p.entity_a, p.entity_b]["weight"] - p.npmi) < 1e-9
        cn = g.nodes["iso3166:CN"]
        assert cn["label"] == "China" and int(cn["mentions"]) == summary.at["iso3166:CN", "mentions"]
    csv_dir = tmp_path / "csv"
    subprocess.run([binary, "export", "graph", str(out), "--format", "csv", "-o", str(csv_dir), *args],
                   check=True, capture_output=True)
    edges = pd.read_csv(csv_dir / "edges.csv")
    nodes = pd.read_csv(csv_dir / "nodes.csv")
    assert len(edges) == len(pairs) and set(nodes.Id) == set(pairs.entity_a) | set(pairs.entity_b)
    assert list(edges.columns[:4]) == ["Source", "Target", "Type", "Weight"]


def test_timestamps_and_types(run):
    out, _ = run
    schema = pq.read_schema(out / "documents" / "part-00000.parquet")
    assert str(schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    meta = pq.read_metadata(out / "entities" / "part-00000.parquet").metadata
    assert meta[b"entente.contract_version"] == b"4"


def test_text_edits_rebuild_text(run):
    """Applying a document's text_edits to raw_text gives text."""
    out, _ = run
    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    edits = pd.read_parquet(out / "text_edits").sort_values(["doc_id", "edit_idx"])
    assert len(edits) > 0
    for doc_id, doc in docs.iterrows():
        raw, rebuilt, at = doc.raw_text, [], 0
        for e in edits[edits.doc_id == doc_id].itertuples():
            assert raw[e.raw_char_start : e.raw_char_end] == e.raw
            assert doc.text[e.text_char_start : e.text_char_end] == e.text
            rebuilt.append(raw[at : e.raw_char_start])
            rebuilt.append(e.text)
            at = e.raw_char_end
        rebuilt.append(raw[at:])
        assert "".join(rebuilt) == doc.text


def test_readme_span_mapping_python_and_duckdb_agree(run):
    """docs/normalise.md's Python and DuckDB ways of mapping sentences back to raw_text give the same
    spans, inside raw_text; a sentence no edit touches reads the same in raw_text."""
    out, _ = run
    namespace: dict = {}
    exec(readme_block("python", "def text_to_raw", "docs/normalise.md"), namespace)
    text_to_raw = namespace["text_to_raw"]
    con = duckdb.connect()
    sql = readme_block("sql", "asof left join", "docs/normalise.md")
    mapped = con.sql(sql.replace("output/default", str(out))).fetchall()
    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    sentences = pd.read_parquet(out / "sentences").set_index(["doc_id", "sentence_idx"])
    edits = pd.read_parquet(out / "text_edits").sort_values(["doc_id", "edit_idx"])
    by_doc = {d: list(g.itertuples()) for d, g in edits.groupby("doc_id")}
    assert len(mapped) == len(sentences)
    untouched = 0
    for doc_id, idx, raw_start, raw_end in mapped:
        s = sentences.loc[(doc_id, idx)]
        doc_edits = by_doc.get(doc_id, [])
        assert text_to_raw(doc_edits, s.char_start, s.char_end) == (raw_start, raw_end)
        raw = docs.at[doc_id, "raw_text"]
        assert 0 <= raw_start <= raw_end <= len(raw)
        if not any(e.text_char_start < s.char_end and e.text_char_end > s.char_start or
                   (e.text_char_start == e.text_char_end and s.char_start < e.text_char_start < s.char_end)
                   for e in doc_edits):
            untouched += 1
            assert raw[raw_start:raw_end] == s.text
    assert untouched > 0


def test_boilerplate_points_into_raw_text(run):
    out, _ = run
    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    removed = pd.read_parquet(out / "boilerplate")
    assert "view_counter" in set(removed.rule)
    for b in removed.itertuples():
        raw = docs.at[b.doc_id, "raw_text"]
        assert raw[b.raw_char_start : b.raw_char_end].split() == b.text.split()


def test_write_floor_rewrites_each_part_in_its_layout(run, tmp_path):
    """The floor `just bench` prints under the output steps is pyarrow writing the same parts
    again: it means something only if each rewrite has the part's row groups, dictionaries,
    statistics and codec."""
    spec = importlib.util.spec_from_file_location("write_floor", ROOT / "scripts" / "write_floor.py")
    write_floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(write_floor)
    out, _ = run

    def layout(path):
        meta = pq.ParquetFile(path).metadata
        return [
            (
                meta.row_group(g).num_rows,
                [
                    (
                        c.path_in_schema,
                        c.compression,
                        any(e.endswith("_DICTIONARY") for e in c.encodings),
                        c.statistics is not None and c.statistics.has_min_max,
                    )
                    for c in (meta.row_group(g).column(i) for i in range(meta.row_group(g).num_columns))
                ],
            )
            for g in range(meta.num_row_groups)
        ]

    compared = 0
    for table in write_floor.WRITE_TABLES + write_floor.AGGREGATE_TABLES:
        for part in sorted((out / table).glob("**/*.parquet")):
            again = tmp_path / "again.parquet"
            assert write_floor.rewrite_cpu(str(part), str(again)) >= 0
            if pq.ParquetFile(part).metadata.num_rows:
                assert layout(again) == layout(part), part
                compared += 1
    assert compared >= 8
