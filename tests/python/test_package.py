"""The `entente` Python package against the CLI: `run` writes the same bytes, `process` gives
the same rows for every kind of input, bad records are rejects, bad configuration raises.
`just test` builds the wheel and installs it into the venv first."""

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import entente
from test_consumers import BINARY, ROOT, TABLES, readme_block


def articles() -> list[dict]:
    """The sample articles of data/ as records: the first line is the title."""
    out = []
    for i, path in enumerate(sorted((ROOT / "data").iterdir())):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        out.append(
            {
                "id": path.stem,
                "title": title,
                "text": text,
                "published": f"2024-0{i + 1}-15T08:30:00Z",
                "url": f"https://news.example/{path.stem}",
            }
        )
    return out


def cli_tables(records: list, tmp: pathlib.Path, *args: str) -> dict[str, list]:
    """What `entente run` writes for `records` written as one JSON Lines file named as
    `process` names its records, every table's rows read back."""
    inputs = tmp / "in"
    inputs.mkdir()
    with open(inputs / entente.RECORDS_SOURCE, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    out = tmp / "cli"
    subprocess.run([BINARY, "-q", "run", "--input", str(inputs), "--output", str(out), *args], check=True)
    tables = {}
    for name in TABLES:
        schema = entente.schema()[name]
        if not (out / name).exists():
            tables[name] = []
            continue
        partitioning = ds.partitioning(
            pa.schema([f for f in schema if f.name in ("scope", "period")]), flavor="hive"
        )
        table = ds.dataset(out / name, format="parquet", partitioning=partitioning).to_table()
        tables[name] = rows(table.select(schema.names))
    return tables


def rows(table: pa.Table) -> list:
    """A table's rows in a fixed order, for comparing row sets."""
    return sorted(table.to_pylist(), key=lambda r: json.dumps(r, default=str, sort_keys=True))


def assert_same_rows(processed: dict[str, pa.Table], expected: dict[str, list]) -> None:
    assert list(processed) == TABLES
    for name in TABLES:
        assert processed[name].schema == entente.schema()[name], name
        assert rows(processed[name]) == expected[name], name


def files(out: pathlib.Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_run_writes_the_bytes_the_cli_writes(tmp_path):
    subprocess.run([BINARY, "-q", "run", "--input", "data", "--output", str(tmp_path / "cli")], cwd=ROOT, check=True)
    counts = entente.run(ROOT / "data", tmp_path / "py", threads=2)
    assert list(counts) == TABLES
    assert counts["documents"] == 5 and counts["entities"] > 100
    cli, py = files(tmp_path / "cli"), files(tmp_path / "py")
    assert sorted(cli) == sorted(py)
    differing = [name for name in cli if cli[name] != py[name]]
    assert differing == []
    assert entente.validate(tmp_path / "py") == []


def test_run_takes_a_list_of_inputs_and_a_pipeline(tmp_path):
    counts = entente.run([ROOT / "data"], tmp_path / "out", pipeline=ROOT / "pipelines" / "default.toml")
    assert counts["documents"] == 5
    # Unchanged inputs: the second run reuses everything and reports the same tables.
    assert entente.run(str(ROOT / "data"), str(tmp_path / "out")) == counts


@pytest.mark.parametrize("kind", ["pyarrow", "record_batch", "pandas", "polars", "dicts"])
def test_process_gives_the_rows_the_cli_gives(tmp_path, kind):
    records = articles()
    given = {
        "pyarrow": lambda: pa.Table.from_pylist(records),
        "record_batch": lambda: pa.RecordBatch.from_pylist(records),
        "pandas": lambda: pd.DataFrame(records),
        "polars": lambda: pl.DataFrame(records),
        "dicts": lambda: iter(records),
    }[kind]()
    processed = entente.process(given, threads=2)
    assert processed["documents"].num_rows == 5
    assert processed["entities"].num_rows > 100
    assert processed["cooccurrences"].num_rows > 100
    assert_same_rows(processed, cli_tables(records, tmp_path))


def test_process_takes_texts(tmp_path):
    texts = [r["text"] for r in articles()]
    processed = entente.process(texts)
    assert_same_rows(processed, cli_tables([{"text": t} for t in texts], tmp_path))


def test_bad_records_are_rejects_not_exceptions():
    processed = entente.process(
        [{"text": "Angela Merkel met Emmanuel Macron in Paris."}, {"title": "no body"}, 42, {"text": None}]
    )
    assert processed["documents"].num_rows == 1
    rejects = processed["rejects"].to_pylist()
    assert [(r["source"], r["source_record"], r["stage"]) for r in rejects] == [
        (entente.RECORDS_SOURCE, 1, "ingest"),
        (entente.RECORDS_SOURCE, 2, "ingest"),
        (entente.RECORDS_SOURCE, 3, "ingest"),
    ]
    assert all(r["detail"] for r in rejects)


def test_two_threads_give_the_same_tables():
    one = entente.process(articles(), threads=1)
    two = entente.process(articles(), threads=2)
    for name in TABLES:
        assert one[name].equals(two[name]), name


def test_a_pipeline_file_sets_the_options(tmp_path):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(
        'name = "no-model"\ninputs = []\noutput = "out"\n[extract]\nmodel = false\n', encoding="utf-8"
    )
    with_model = entente.process(articles())["entities"].num_rows
    without = entente.process(articles(), pipeline=pipeline)["entities"].num_rows
    assert 0 < without < with_model


def test_the_kind_of_text_sets_the_tagger_weights(tmp_path):
    def entities(text_kind):
        pipeline = tmp_path / f"{text_kind}.toml"
        pipeline.write_text(
            f'name = "k"\ninputs = []\noutput = "out"\n[extract]\ntext = "{text_kind}"\n', encoding="utf-8"
        )
        table = entente.process(articles(), pipeline=pipeline)["entities"]
        return table.select(["doc_id", "char_start", "char_end", "entity_type"]).to_pylist()

    news = entities("news")
    default = entente.process(articles())["entities"].select(["doc_id", "char_start", "char_end", "entity_type"])
    # auto, the default, reads these articles as news: none reads like a post or opens like
    # an encyclopedia article.
    assert entities("auto") == default.to_pylist() == news
    assert entities("social") != news
    assert entities("encyclopedia") != news
    with pytest.raises(entente.ConfigError, match="unknown variant `tweets`"):
        entities("tweets")


def test_bad_configuration_raises(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ninputs = []\noutput = "out"\nthreds = 2\n', encoding="utf-8")
    with pytest.raises(entente.ConfigError, match="bad.toml") as raised:
        entente.process(["text"], pipeline=bad)
    assert "threds" in str(raised.value)
    assert isinstance(raised.value, entente.EntenteError)
    with pytest.raises(entente.ConfigError):
        entente.run(ROOT / "data", tmp_path / "out", pipeline=tmp_path / "missing.toml")
    with pytest.raises(entente.RunError, match="nowhere"):
        entente.run(tmp_path / "nowhere", tmp_path / "out")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(entente.RunError, match="file"):
        entente.run(ROOT / "data", blocker / "out")
    with pytest.raises(entente.RunError):
        entente.validate(tmp_path / "nowhere")
    with pytest.raises(TypeError):
        entente.process("one text, not a list of texts")


def test_validate_reports_violations(tmp_path):
    out = tmp_path / "out"
    entente.run(ROOT / "data", out)
    for part in (out / "sentences").glob("*.parquet"):
        pq.write_table(pq.read_table(part).slice(1), part, compression="zstd")
    violations = entente.validate(out)
    assert violations and any(v.startswith("sentences") or "sentence" in v for v in violations)


def test_schema_is_the_contract():
    schemas = entente.schema()
    assert list(schemas) == TABLES
    assert "scope" in schemas["cooccurrences"].names
    assert schemas["entities"].field("char_start").type == pa.uint32()
    assert entente.CONTRACT_VERSION


def test_the_api_documents_itself():
    for fn in (entente.run, entente.process, entente.schema, entente.validate):
        assert fn.__doc__ and len(fn.__doc__) > 100, fn.__name__
    assert "records" in entente.process.__doc__
    # The compiled module has stubs; the package's own code carries its annotations.
    stubs = pathlib.Path(entente.__file__).with_name("_entente.pyi")
    assert stubs.exists() and "def process_arrow(" in stubs.read_text(encoding="utf-8")
    assert entente.process.__annotations__["return"]
    assert pathlib.Path(entente.__file__).with_name("py.typed").exists()


def test_pyo3_settings_name_the_python_the_wheel_promises():
    # Every cargo call builds PyO3 from crates/entente_py/pyo3-config.txt (.cargo/config.toml),
    # so the wheel is whatever that file says: its oldest Python must be the one PyO3's abi3
    # feature and pyproject's requires-python name, or the wheel claims what it was not built for.
    config = {}
    settings = (ROOT / "crates/entente_py/pyo3-config.txt").read_text(encoding="utf-8")
    for line in settings.splitlines():
        key, _, value = line.partition("=")
        config[key] = value
    feature = re.search(r'"abi3-py3(\d+)"', (ROOT / "Cargo.toml").read_text(encoding="utf-8"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = re.search(r'requires-python = ">=3\.(\d+)"', pyproject)
    assert feature and requires
    oldest = f"3.{feature.group(1)}"
    assert requires.group(1) == feature.group(1)
    assert config["implementation"] == "CPython"
    assert config["version"] == oldest
    assert config["target_abi"] == f"CPython-abi3-{oldest}"
    assert config["shared"] == "true"
    # The installed wheel was built with that file: an abi3 module.
    assert list(pathlib.Path(entente.__file__).parent.glob("_entente.abi3.so"))


def test_the_gil_is_released_while_rust_works():
    """Python code in another thread keeps running during a call: no long pause between its
    steps while the pipeline works."""
    import threading

    records = pa.Table.from_pylist(articles() * 40)
    worker = threading.Thread(target=entente.process, args=(records,), kwargs={"threads": 1})
    started = last = time.perf_counter()
    worker.start()
    longest = 0.0
    while worker.is_alive():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    took = time.perf_counter() - started
    # Holding the GIL for the whole run would stall this loop for about the whole call.
    assert took > 4 * longest, (took, longest)


def test_ctrl_c_stops_a_long_run(tmp_path):
    """SIGINT during a run of many batches raises KeyboardInterrupt and leaves no output."""
    big = tmp_path / "in" / "big.jsonl"
    big.parent.mkdir()
    records = articles()
    with open(big, "w", encoding="utf-8") as f:
        for i in range(400):
            for r in records:
                f.write(json.dumps({**r, "id": f"{r['id']}-{i}"}) + "\n")
    out = tmp_path / "out"
    script = (
        "import sys, entente\n"
        "print('started', flush=True)\n"
        f"entente.run({str(big)!r}, {str(out)!r}, pipeline={str(tmp_path / 'p.toml')!r}, threads=1)\n"
    )
    (tmp_path / "p.toml").write_text('name = "small-batches"\ninputs = []\noutput = "o"\nbatch_mb = 0.5\n')
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(2)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode != 0
    assert "KeyboardInterrupt" in stderr
    assert not (out / "documents").exists()


def test_readme_example_runs(tmp_path):
    """The README's "From Python" example, on a CSV made from data/."""
    pd.DataFrame(articles()).to_csv(tmp_path / "articles.csv", index=False)
    code = readme_block("python", "entente.process")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "person:" in done.stdout


def test_stepwise_steps_write_what_run_writes(tmp_path):
    """The steps an engine schedules (plan, process each batch, decide, finalise, aggregate,
    commit), passing only JSON between them, give `run`'s bytes."""
    from entente import _entente

    pipeline = tmp_path / "p.toml"
    pipeline.write_text('name = "small"\ninputs = []\noutput = "o"\nbatch_mb = 0.02\n', encoding="utf-8")
    entente.run(ROOT / "data", tmp_path / "run", pipeline=pipeline)
    driver = _entente.Driver([str(ROOT / "data")], str(tmp_path / "steps"), pipeline=str(pipeline))
    batches = driver.plan()
    assert len(batches) >= 2
    worker = _entente.Worker(driver.job())
    states = [worker.process(i, b) for i, b in enumerate(batches)]
    for state, decision in zip(states, driver.decide(states)):
        worker.finalise(state, decision)
    worker.aggregate()
    counts = dict(driver.commit(batches, [json.loads(s)["part"] for s in states]))
    assert counts == entente.run(ROOT / "data", tmp_path / "run", pipeline=pipeline)
    assert files(tmp_path / "steps") == files(tmp_path / "run")
    with pytest.raises(entente.RunError, match="committed"):
        driver.plan()
    with pytest.raises(entente.RunError, match="not a batch"):
        worker.process(0, "{}")
