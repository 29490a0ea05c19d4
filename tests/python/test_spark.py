"""`entente.spark.run` on PySpark in `local[2]` against `entente.run`: every file of the output
byte-identical, on data/, the hostile corpus and a JSON Lines file cut into many chunks, also
when tasks fail once or run twice at once; errors as entente's exceptions; and the README's
spark-submit with a packed environment. Needs Java 17+ (`just test` checks for it)."""

import hashlib
import importlib.metadata
import json
import logging
import os
import pathlib
import re
import subprocess
import sys

import pytest
from pyspark.sql import SparkSession

import entente
import entente.spark
from entente import _entente
from test_consumers import BINARY, ROOT


@pytest.fixture(scope="module")
def spark():
    # The executors' Python workers run this interpreter, where the wheel is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2,2]")  # two cores, two attempts per task
        .appName("entente-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.speculation", "true")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def digests(out: pathlib.Path) -> dict[str, str]:
    """sha256 of every file under `out`, by relative path."""
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def small_batches(tmp: pathlib.Path, batch_mb: float) -> pathlib.Path:
    pipeline = tmp / "small.toml"
    pipeline.write_text(
        f'name = "small"\ninputs = []\noutput = "o"\nbatch_mb = {batch_mb}\n', encoding="utf-8"
    )
    return pipeline


def batches(inputs: pathlib.Path, pipeline: pathlib.Path, tmp: pathlib.Path) -> int:
    driver = _entente.Driver([str(inputs)], str(tmp / "planned"), pipeline=str(pipeline))
    try:
        return len(driver.plan())
    finally:
        driver.close()


def assert_spark_gives_run_bytes(spark, inputs, tmp, pipeline, **faults):
    """Runs `entente.run` and `entente.spark.run` on `inputs`; their outputs must be the
    same files with the same bytes, and valid."""
    expected = entente.run(inputs, tmp / "run", pipeline=pipeline)
    spark.sparkContext.setLocalProperty(entente.spark.FAULT_PROPERTY, faults.get("fault"))
    try:
        counts = entente.spark.run(spark, inputs, tmp / "spark", pipeline=pipeline)
    finally:
        spark.sparkContext.setLocalProperty(entente.spark.FAULT_PROPERTY, None)
    assert counts == expected
    assert digests(tmp / "spark") == digests(tmp / "run")
    assert entente.validate(tmp / "spark") == []
    # The staging directory and the lock are all that is left beside the output.
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith(".spark")) == [
        ".spark.entente-lock"
    ]


def test_data_gives_run_bytes(spark, tmp_path):
    pipeline = small_batches(tmp_path, 0.005)
    # data/ holds five articles of 3 to 20 kB: one or two to a batch.
    assert batches(ROOT / "data", pipeline, tmp_path) >= 4
    assert_spark_gives_run_bytes(spark, ROOT / "data", tmp_path, pipeline)


def test_hostile_corpus_gives_run_bytes(spark, tmp_path):
    hostile = tmp_path / "hostile"
    subprocess.run([str(pathlib.Path(BINARY).with_name("hostile-corpus")), str(hostile)], check=True)
    pipeline = small_batches(tmp_path, 0.05)
    assert batches(hostile, pipeline, tmp_path) >= 8
    assert_spark_gives_run_bytes(spark, hostile, tmp_path, pipeline)


@pytest.fixture()
def chunked(tmp_path) -> pathlib.Path:
    """One JSON Lines file of data/'s articles, 12 times over (distinct ids, a few words
    changed, so they are near copies), which a small batch_mb cuts into chunks."""
    lines = []
    for copy in range(12):
        for path in sorted((ROOT / "data").iterdir()):
            title, _, text = path.read_text(encoding="utf-8").partition("\n")
            record = {"id": f"{path.stem}-{copy}", "title": title, "text": f"{text}\nCopy {copy}."}
            lines.append(json.dumps(record, ensure_ascii=False))
    path = tmp_path / "in" / "articles.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_chunks_of_one_file_give_run_bytes(spark, tmp_path, chunked):
    pipeline = small_batches(tmp_path, 0.1)
    assert batches(chunked, pipeline, tmp_path) >= 8
    assert_spark_gives_run_bytes(spark, chunked, tmp_path, pipeline)


def test_tasks_that_fail_once_are_retried_to_the_same_bytes(spark, tmp_path, chunked):
    pipeline = small_batches(tmp_path, 0.1)
    fault = "process:1,process:5,finalise:2,aggregate:0"
    sc = spark.sparkContext
    sc.setJobGroup("retried", "tasks failing once")
    assert_spark_gives_run_bytes(spark, chunked, tmp_path, pipeline, fault=fault)
    sc.setJobGroup("", "")
    tracker = sc.statusTracker()
    stages = [
        tracker.getStageInfo(stage)
        for job in tracker.getJobIdsForGroup("retried")
        for stage in tracker.getJobInfo(job).stageIds
    ]
    assert sum(stage.numFailedTasks for stage in stages) == 4, stages


def test_attempts_racing_each_other_write_the_same_bytes(spark, tmp_path, chunked):
    """What a speculative copy does: a second attempt of the same step at the same time."""
    pipeline = small_batches(tmp_path, 0.1)
    fault = "process:0:race,process:3:race,finalise:1:race,finalise:4:race,aggregate:0:race"
    assert_spark_gives_run_bytes(spark, chunked, tmp_path, pipeline, fault=fault)


def test_each_python_worker_loads_the_model_once(spark, tmp_path, chunked, caplog):
    caplog.set_level(logging.INFO, logger="entente.spark")
    entente.spark.run(spark, chunked, tmp_path / "out", pipeline=small_batches(tmp_path, 0.1))
    workers = [
        tuple(map(int, m.groups()))
        for m in (
            re.search(r"worker \d+ processed (\d+) batches, loaded the model (\d+) times, (\d+) threads", r.message)
            for r in caplog.records
        )
        if m
    ]
    assert workers, caplog.text
    assert sum(processed for processed, _, _ in workers) >= 8
    # Python workers outlive a run: one may have loaded this job's model in an earlier test.
    assert all(loads <= 1 for _, loads, _ in workers), workers
    # Threads per task come from spark.task.cpus (1), not from the machine's cores.
    assert {threads for _, _, threads in workers} == {1}


def test_a_task_failing_every_attempt_is_a_run_error(spark, tmp_path):
    pipeline = small_batches(tmp_path, 0.005)
    spark.sparkContext.setLocalProperty(entente.spark.FAULT_PROPERTY, "finalise:2:always")
    try:
        with pytest.raises(entente.RunError, match="step finalise.*finalise of batch 2 fails"):
            entente.spark.run(spark, ROOT / "data", tmp_path / "out", pipeline=pipeline)
    finally:
        spark.sparkContext.setLocalProperty(entente.spark.FAULT_PROPERTY, None)
    # The output is as it was (never written) and unlocked: a second run commits.
    assert not (tmp_path / "out" / "documents").exists()
    entente.spark.run(spark, ROOT / "data", tmp_path / "out", pipeline=pipeline)
    assert (tmp_path / "out" / "documents").is_dir()


def test_bad_input_and_configuration_raise_before_any_task(spark, tmp_path):
    with pytest.raises(entente.RunError, match="nothing-here"):
        entente.spark.run(spark, tmp_path / "nothing-here", tmp_path / "out")
    with pytest.raises(entente.ConfigError):
        entente.spark.run(spark, ROOT / "data", tmp_path / "out", pipeline=tmp_path / "missing.toml")
    held = _entente.Driver([str(ROOT / "data")], str(tmp_path / "busy"))
    try:
        with pytest.raises(entente.RunError, match="another entente run"):
            entente.spark.run(spark, ROOT / "data", tmp_path / "busy")
    finally:
        held.close()


def test_spark_connect_sessions_are_refused(tmp_path):
    """A Spark Connect session has no SparkContext (PySpark raises on the attribute)."""

    class ConnectSession:
        @property
        def sparkContext(self):
            raise NotImplementedError("[NOT_IMPLEMENTED] sparkContext() is not implemented.")

    with pytest.raises(entente.RunError, match="Spark Connect sessions are not supported"):
        entente.spark.run(ConnectSession(), ROOT / "data", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_spark_submit_with_a_packed_environment(tmp_path):
    """README "Running it on a cluster": the wheel in a virtual environment packed with
    venv-pack, shipped with --archives to executors that run in their own directories
    (`local-cluster`: separate executor JVMs, their Python from the unpacked archive)."""
    wheels = sorted((pathlib.Path(BINARY).parents[1] / "wheels").glob("entente-*.whl"))
    assert wheels, "no wheel: `just wheel` builds it"
    env = tmp_path / "entente-env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    pyarrow = f"pyarrow=={importlib.metadata.version('pyarrow')}"
    subprocess.run([*pip, str(wheels[-1]), pyarrow], check=True)
    packer = pathlib.Path(sys.executable).with_name("venv-pack")
    packed = tmp_path / "entente-env.tar.gz"
    subprocess.run([str(packer), "-q", "-p", str(env), "-o", str(packed)], check=True)
    job = tmp_path / "job.py"
    job.write_text(
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "import entente.spark\n"
        "spark = SparkSession.builder.appName('entente').getOrCreate()\n"
        "print(entente.spark.run(spark, sys.argv[1], sys.argv[2]))\n"
        "spark.stop()\n",
        encoding="utf-8",
    )
    environ = dict(
        os.environ,
        PYSPARK_PYTHON="./environment/bin/python",
        PYSPARK_DRIVER_PYTHON=sys.executable,
    )
    submit = pathlib.Path(sys.executable).with_name("spark-submit")
    done = subprocess.run(
        [
            str(submit),
            "--master", "local-cluster[2,1,1024]",
            "--conf", "spark.ui.enabled=false",
            "--archives", f"{packed}#environment",
            str(job), str(ROOT / "data"), str(tmp_path / "out"),
        ],
        env=environ, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Unpacking an archive" in done.stderr
    expected = entente.run(ROOT / "data", tmp_path / "run")
    assert done.stdout.strip().splitlines()[-1] == str(expected)
    assert digests(tmp_path / "out") == digests(tmp_path / "run")
