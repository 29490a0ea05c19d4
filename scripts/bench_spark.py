#!/usr/bin/env python3
"""entente on Spark (`entente.spark.run`, `local[2]`) against `entente run --threads 2`.

usage: bench_spark.py ENTENTE_BIN CORPORA_DIR [--copies 10] [--batch-mb 4]

Builds BBC news scaled --copies times (as bench_scale.py does), runs `entente run --threads 2`
and then `entente.spark.run` on a `local[2]` session in a child process, both with
pipelines/default.toml at --batch-mb; checks that the two outputs are the same files with the
same sha256 and valid, and prints wall times, their ratio and the peak memory of each process:
entente's; Spark's driver Python, its JVM (driver and executor in one in local mode) and its
largest Python worker (VmHWM read from /proc before the session stops).
"""

import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from bench_scale import ROOT, articles, run_measured, write_scaled


def pipeline_file(tmp: str, batch_mb: float) -> str:
    text = pathlib.Path(ROOT, "pipelines", "default.toml").read_text(encoding="utf-8")
    # Top-level keys come before the first table; the file's own paths are replaced anyway.
    lines = [line for line in text.splitlines() if not line.startswith("batch_mb")]
    path = os.path.join(tmp, "bench.toml")
    pathlib.Path(path).write_text(f"batch_mb = {batch_mb}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def digests(out: str) -> dict:
    root = pathlib.Path(out)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def peak_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if parent == pid:
            found.append((int(entry), cmd))
            found.extend(descendants(int(entry)))
    return found


def child(src: str, out: str, pipeline: str) -> None:
    """The Spark side, in its own process: prints one JSON line of figures."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    import logging

    from pyspark.sql import SparkSession

    import entente.spark

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session = time.perf_counter() - started
    started = time.perf_counter()
    entente.spark.run(spark, src, out, pipeline=pipeline)
    wall = time.perf_counter() - started
    procs = descendants(os.getpid())
    jvm = max((peak_mib(p) for p, cmd in procs if "java" in cmd.split(" ")[0]), default=0.0)
    workers = [peak_mib(p) for p, cmd in procs if "pyspark" in cmd or "python" in cmd.split(" ")[0]]
    figures = {
        "session_s": session,
        "run_s": wall,
        "driver_python_mib": peak_mib(os.getpid()),
        "jvm_mib": jvm,
        "python_worker_mib": max(workers, default=0.0),
        "python_processes": len(workers),
    }
    spark.stop()
    print(json.dumps(figures))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("entente")
    ap.add_argument("corpora")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--batch-mb", type=float, default=4.0)
    ap.add_argument("--child", nargs=3, metavar=("SRC", "OUT", "PIPELINE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "bbc")
        size = write_scaled(articles(args.corpora), args.copies, src)
        pipeline = pipeline_file(tmp, args.batch_mb)
        docs = 2225 * args.copies
        print(f"BBC x{args.copies}: {docs} documents, {size / 1e6:.0f} MB, batch_mb {args.batch_mb}")
        run_out = os.path.join(tmp, "run")
        env = dict(os.environ, POLARS_MAX_THREADS="2")
        cmd = [args.entente, "-q", "run", "--pipeline", pipeline, "--input", src, "--output", run_out, "--threads", "2"]
        run_wall, run_rss, _, _, _ = run_measured(cmd, env)
        print(f"entente run --threads 2: {run_wall:.1f} s, peak RSS {run_rss:.0f} MiB")
        spark_out = os.path.join(tmp, "spark")
        done = subprocess.run(
            [sys.executable, os.path.abspath(__file__), args.entente, args.corpora, "--child", src, spark_out, pipeline],
            capture_output=True, text=True, env=env,
        )
        if done.returncode != 0:
            sys.exit(f"the Spark run failed:\n{done.stderr[-4000:]}")
        for line in done.stderr.splitlines():
            if line.startswith("entente:"):
                print(f"  {line}")
        f = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"entente.spark.run, local[2]: {f['run_s']:.1f} s (session start {f['session_s']:.1f} s more); "
            f"peak memory: driver Python {f['driver_python_mib']:.0f} MiB, JVM {f['jvm_mib']:.0f} MiB, "
            f"largest of {f['python_processes']} Python worker processes {f['python_worker_mib']:.0f} MiB"
        )
        print(f"Spark / entente run: {f['run_s'] / run_wall:.2f}x the wall time")
        same = digests(spark_out) == digests(run_out)
        valid = subprocess.run([args.entente, "validate", spark_out], capture_output=True, text=True)
        print(f"outputs byte-identical (sha256 of {len(digests(run_out))} files): {same}; "
              f"entente validate: {'clean' if valid.returncode == 0 else valid.stdout + valid.stderr}")
        if not same or valid.returncode != 0:
            sys.exit(1)


if __name__ == "__main__":
    main()
