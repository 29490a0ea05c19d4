"""entente on Apache Spark: the tables of :func:`entente.run`, computed by a cluster.

:func:`run` gives, file for file and byte for byte, what ``entente run`` writes for the same
inputs and pipeline; Spark only decides where each step runs:

1. the driver lists the inputs and cuts them into batches exactly as ``entente run`` does;
2. one Spark task per batch reads its files itself (they travel as paths, never through the
   JVM), ingests, normalises and extracts them in the executor's Python worker, writes its
   parts with entente's own Parquet writer into a staging directory beside the output, and
   leaves a small state there: its documents' story keys and its entities' name counts;
3. the driver makes the corpus-wide decisions from those states, read one at a time (which
   documents are one story, which name each entity id gets), and writes one per batch;
4. one task per batch finishes its ``documents`` and ``entities`` parts with its decision;
5. one task runs the aggregate stage over the finished parts;
6. the driver puts the staging directory in place of the output in one atomic exchange.

The model and gazetteers load once per Python worker (Spark reuses workers across tasks);
each step runs on as many threads as ``spark.task.cpus``. Every step may run twice, at once
too (a retried or speculative task): an attempt writes the same bytes under the same names,
each file at a temporary name of its own first. The output directory must be a path every
executor and the driver see (NFS, Lustre, ``/dbfs``): object stores are not supported yet.

PySpark is not a dependency of the ``entente`` package; install it beside it (``pip install
'entente[spark]'``, PySpark 3.5 or later).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from typing import Any, Optional, Sequence, Union

from entente import _entente
from entente._entente import ConfigError, EntenteError, RunError

__all__ = ["run"]

_log = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

FAULT_PROPERTY = "entente.spark.fault"
"""Fault injection, to test that retried and racing attempts give the same output: a Spark
local property (``sc.setLocalProperty``) that the tasks of the jobs started from that thread
read. Its value is ``<step>:<batch>[:<how>]``, comma-separated: ``step`` is ``process``,
``finalise`` or ``aggregate`` (batch 0); ``how`` is ``fail`` (the first attempt does the step,
then raises), ``race`` (the first attempt runs the step twice at once, as a speculative copy
would) or ``always`` (every attempt does the step, then raises)."""


def run(
    spark: Any,
    input: Union[PathLike, Sequence[PathLike]],
    output: PathLike,
    *,
    pipeline: Optional[PathLike] = None,
) -> dict[str, int]:
    """Run the pipeline on a Spark cluster into Parquet tables identical to ``entente run``'s.

    Args:
        spark: the ``SparkSession`` (classic Spark: the RDD API is used, so Spark Connect
            sessions are not supported).
        input: a file or directory (searched recursively), or a list of them, at paths the
            driver and every executor see.
        output: the output directory, on storage the driver and every executor see. It is
            replaced atomically at the end; a run that fails leaves it as it was.
        pipeline: a pipeline file, or ``None`` for the built-in default. Its inputs and
            output are replaced by ``input`` and ``output``; its ``threads`` by
            ``spark.task.cpus``.

    Returns:
        Each table written and its number of rows, in the contract's order (as
        :func:`entente.run`).

    Raises:
        ConfigError: the pipeline file, or a file it names, is not usable (on the driver or
            in a task).
        RunError: an input does not exist, the output cannot be written, a task failed more
            often than ``spark.task.maxFailures`` allows, ...
    """
    try:
        sc = spark.sparkContext
    except Exception as err:  # Spark Connect: PySparkNotImplementedError.
        raise RunError(
            "entente.spark needs a classic SparkSession (it uses the RDD API); "
            f"Spark Connect sessions are not supported: {err}"
        ) from err
    inputs = [input] if isinstance(input, (str, os.PathLike)) else list(input)
    driver = _entente.Driver(
        [os.fspath(p) for p in inputs],
        os.fspath(output),
        pipeline=None if pipeline is None else os.fspath(pipeline),
    )
    try:
        return _run(sc, driver)
    finally:
        driver.close()


def _run(sc: Any, driver: Any) -> dict[str, int]:
    job = driver.job()
    batches = driver.plan()
    count = len(batches)
    _log.info("entente: %d batches", count)
    # States and decisions travel as files in the staging directory, never through the JVM;
    # tasks get a batch index and the paths.
    exchange = os.path.join(json.loads(job)["staging"], ".scratch-spark")
    states = [os.path.join(exchange, f"state-{i:06}.json") for i in range(count)]
    decisions = [os.path.join(exchange, f"decision-{i:06}.json") for i in range(count)]
    parts: list[str] = []
    if count:
        tasks = sc.parallelize([(i, batches[i], states[i]) for i in range(count)], count)
        done = _collect(tasks.map(functools.partial(_process_task, job)), "process")
        parts = [part for part, _ in done]
        _log_workers([info for _, info in done])
        _log.info("entente: batch states %d bytes in all", sum(os.path.getsize(p) for p in states))
        driver.decide_files(states, decisions)
        tasks = sc.parallelize(list(enumerate(zip(states, decisions))), count)
        _collect(tasks.map(functools.partial(_finalise_task, job)), "finalise")
    _collect(sc.parallelize([0], 1).map(functools.partial(_aggregate_task, job)), "aggregate")
    return dict(driver.commit(batches, parts))


def _log_workers(tasks: list[tuple[int, bool, int]]) -> None:
    """Logs which Python workers processed the batches, how often each loaded the model
    (once: the cache holds) and on how many threads."""
    for pid in sorted({pid for pid, _, _ in tasks}):
        mine = [(loaded, threads) for p, loaded, threads in tasks if p == pid]
        _log.info(
            "entente: Python worker %d processed %d batches, loaded the model %d times, "
            "%d threads",
            pid,
            len(mine),
            sum(loaded for loaded, _ in mine),
            mine[0][1],
        )


def _collect(rdd: Any, step: str) -> list[Any]:
    """The results of a step's Spark job; a failed job as the worker's own exception."""
    rdd.setName(f"entente {step}")
    try:
        return rdd.collect()
    except Exception as err:  # Spark's errors (Py4JJavaError, PythonException) vary by version.
        raise _task_error(step, err) from err


_WORKER_ERROR = re.compile(r"entente(?:\._entente)?\.(\w+Error): (.*)")


def _task_error(step: str, err: Exception) -> EntenteError:
    """The entente error a task raised, found in the text of Spark's error."""
    found = _WORKER_ERROR.findall(str(err))
    if found:
        name, message = found[-1]
        kind = ConfigError if name == "ConfigError" else RunError
        return kind(f"Spark task of step {step}: {message}")
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return RunError(f"Spark job of step {step} failed: {first}")


# The executor side: one Worker per Python worker process and job, reused by every task.
_worker_lock = threading.Lock()
_worker: Optional[tuple[str, Any]] = None


def _local_worker(job: str) -> tuple[Any, bool]:
    """This process's worker for `job`, and whether this call loaded it."""
    global _worker
    with _worker_lock:
        if _worker is not None and _worker[0] == job:
            return _worker[1], False
        _worker = None  # Free the last job's model before loading this one's.
        threads = _task_cpus()
        # polars sizes its pool once per process, when the aggregate stage first runs.
        os.environ.setdefault("POLARS_MAX_THREADS", str(threads))
        _worker = (job, _entente.Worker(job, threads=threads))
        return _worker[1], True


def _task_cpus() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return max(1, int(context.cpus())) if context is not None else 1


def _fault(step: str, index: int) -> Optional[str]:
    """How the fault property asks this attempt of `step` on batch `index` to misbehave."""
    from pyspark import TaskContext

    context = TaskContext.get()
    faults = context.getLocalProperty(FAULT_PROPERTY) if context is not None else None
    for fault in (faults or "").split(","):
        parts = fault.strip().split(":")
        if len(parts) >= 2 and parts[0] == step and parts[1] == str(index):
            how = parts[2] if len(parts) > 2 else "fail"
            if how == "always" or context.attemptNumber() == 0:
                return how
    return None


def _step(step: str, index: int, call: Any) -> Any:
    """Runs `call` as the fault property says: once, twice at once, or once and then fails."""
    fault = _fault(step, index)
    if fault == "race":
        other = threading.Thread(target=call)
        other.start()
        result = call()
        other.join()
        return result
    result = call()
    if fault in ("fail", "always"):
        raise RunError(f"{FAULT_PROPERTY}: {step} of batch {index} fails ({fault})")
    return result


def _process_task(job: str, item: tuple[int, str, str]) -> tuple[str, tuple[int, bool, int]]:
    index, batch, state = item
    worker, loaded = _local_worker(job)
    part = _step("process", index, lambda: worker.process_to(index, batch, state))
    return part, (os.getpid(), loaded, worker.threads)


def _finalise_task(job: str, item: tuple[int, tuple[str, str]]) -> int:
    index, (state, decision) = item
    worker, _ = _local_worker(job)
    _step("finalise", index, lambda: worker.finalise_files(state, decision))
    return index


def _aggregate_task(job: str, index: int) -> int:
    worker, _ = _local_worker(job)
    _step("aggregate", index, worker.aggregate)
    return index
