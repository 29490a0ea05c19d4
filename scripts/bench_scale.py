#!/usr/bin/env python3
"""The whole pipeline at scale, and against the spaCy baseline.

usage: bench_scale.py ENTENTE_BIN CORPORA_DIR [--scales 1,10,100] [--threads 1,2]
                      [--spacy-python PYTHON] [--keep DIR]

1. Builds BBC news scaled N times (N = --scales) in a temporary directory: N files of the
   2,225 articles each, every copy with its own ids (copy k of `bbc-business-001` is
   `bbc-business-001-k`), so ×100 is 222,500 documents and about 510 MB of JSONL.
2. Runs `entente run` (pipelines/default.toml) on each with each thread count and prints one
   row per run: documents/s, MB/s of input, words/s per core (whitespace-separated words of the
   article texts / wall time / threads), peak RSS of the process, and the wall time of each
   step as entente logs it ("time per step: ..."), then the growth exponent of time from the
   smallest to the largest scale and the speed-up of the largest thread count.
3. With --spacy-python (a python with spaCy 3.8 and en_core_web_sm, see ../shared/README.md),
   writes a ~2 MB sample of the same articles as .txt files, times
   ../shared/bench/spacy_baseline.py --mode fast on it (one process) and `entente run
   --threads 1` on the same files, and prints both words/s and their ratio. spaCy's time
   excludes loading its model; entente's is the whole run.
4. Prints the targets of the per-token redesign with what was measured and whether each is
   met: at ×10 on one thread, the whole run's words per CPU-second (user + sys) against
   spaCy's (needs --spacy-python), normalise and extract in words per second of their steps,
   and the share of the output steps (write, finalise, read, aggregate, commit) in all steps;
   --threads 2 against --threads 1 at the largest scale; the peak RSS of every run, one more
   among them: the largest scale with every text made distinct (copies share their texts, so
   the stories would keep one MinHash signature per article, not per document).
5. After each one-thread run, the floor under its output steps (scripts/write_floor.py): the
   CPU time pyarrow's writer takes to write the same tables in the same layout, and the
   share the output steps would have if they cost that and nothing more.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

from write_floor import AGGREGATE_TABLES, WRITE_TABLES, floor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_BYTES = 2_000_000


def articles(corpora: str) -> list:
    with open(os.path.join(corpora, "bbc_news", "articles.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_scaled(items: list, copies: int, root: str, distinct: bool = False) -> int:
    """N files of all articles, ids made unique per copy; with `distinct`, texts too (a last
    line naming the article's id). Returns the bytes written."""
    os.makedirs(root, exist_ok=True)
    total = 0
    for copy in range(copies):
        path = os.path.join(root, f"bbc-{copy:03d}.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for a in items:
                ident = f"{a['id']}-{copy}"
                text = f"{a['text']}\n\nReference {ident}." if distinct else a["text"]
                out.write(json.dumps(dict(a, id=ident, text=text)) + "\n")
        total += os.path.getsize(path)
    return total


def run_measured(args: list, env: dict | None = None) -> tuple:
    """Runs a command; returns (wall seconds, peak RSS in MiB, stdout, stderr, CPU seconds:
    user + sys)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(args)}\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss / 1024, stdout, stderr, usage.ru_utime + usage.ru_stime


def steps_of(stderr: str) -> dict:
    m = re.search(r"time per step: (.*)", stderr)
    if not m:
        return {}
    return {name: float(sec) for name, sec in re.findall(r"(\w+) ([\d.]+)s", m.group(1))}


STEPS = ["ingest", "normalise", "extract", "write", "finalise", "read", "aggregate", "commit"]


def entente_run(entente: str, src: str, out: str, threads: int) -> tuple:
    args = [entente, "run", "--pipeline", os.path.join(ROOT, "pipelines", "default.toml"),
            "--input", src, "--output", out, "--threads", str(threads)]
    # polars keeps a thread pool of its own (the aggregate stage's joins and sorts), sized by
    # POLARS_MAX_THREADS, else one per core: held to the same count, so one thread is one core.
    env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
    return run_measured(args, env)


# The steps that are neither reading the input nor the per-token stages: writing the tables,
# finalising the parts (stories and names), reading them back and aggregating.
OUTPUT_STEPS = ["write", "finalise", "read", "aggregate", "commit"]


def floor_share(steps: dict, seconds: dict) -> float:
    """The output steps' share of a run whose output steps took `seconds` of writing alone."""
    written = sum(seconds.values())
    rest = sum(t for s, t in steps.items() if s not in OUTPUT_STEPS)
    return written / (rest + written) if rest + written else 0.0


def print_targets(words_once: int, scales: list, thread_counts: list, cpus: dict, walls: dict,
                  step_times: dict, rsses: list, spacy_rate: float | None, floors: dict) -> None:
    """The speed targets of the per-token redesign, each with its measure and whether it holds:
    one core on BBC news ×10 (the whole run per CPU-second against spaCy's, normalise and
    extract per second of their steps, the output steps' share of all steps), two threads
    against one at the largest scale, and the peak RSS of every run. Measures are rounded
    towards missing their targets, so one just short of a target never prints as reaching it."""
    def down(x: float, digits: int) -> str:
        return f"{math.floor(x * 10**digits) / 10**digits:.{digits}f}"

    def up(x: float, digits: int) -> str:
        return f"{math.ceil(x * 10**digits) / 10**digits:.{digits}f}"

    rows = []
    if (10, 1) in cpus:
        words = words_once * 10
        steps = step_times[(10, 1)]
        rate = words / cpus[(10, 1)]
        if spacy_rate:
            rows.append(("whole run ≥ 100× spaCy's words per CPU-second (×10, --threads 1)",
                         f"{rate:,.0f} words/CPU-s = {down(rate / spacy_rate, 1)}× spaCy's {spacy_rate:,.0f}",
                         rate >= 100 * spacy_rate))
        else:
            rows.append(("whole run ≥ 100× spaCy's words per CPU-second (×10, --threads 1)",
                         f"{rate:,.0f} words/CPU-s; spaCy not run (--spacy-python)", None))
        for step in ("normalise", "extract"):
            if steps.get(step):
                per = words / steps[step]
                rows.append((f"{step} ≥ 2,000,000 words per second of its step (×10, one thread)",
                             f"{math.floor(per):,}", per >= 2_000_000))
        total = sum(steps.values())
        if total:
            share = sum(steps.get(s, 0.0) for s in OUTPUT_STEPS) / total
            under = ""
            if 10 in floors:
                under = f" (the writing alone, its floor: {down(floor_share(steps, floors[10]) * 100, 1)}%)"
            rows.append(("write + finalise + read + aggregate + commit ≤ 25 % of the steps (×10, one thread)",
                         f"{up(share * 100, 1)}%{under}", share <= 0.25))
    hi = max(scales)
    if len(thread_counts) > 1 and (hi, 1) in walls and (hi, 2) in walls:
        speedup = walls[(hi, 1)] / walls[(hi, 2)]
        # The CPU time of both runs: two threads that spend more of it than one (shared
        # caches, memory bandwidth) cap the speed-up below 2× however busy they are kept.
        cpu = ""
        if (hi, 1) in cpus and (hi, 2) in cpus:
            cpu = f"; CPU {cpus[(hi, 1)]:.1f} s → {cpus[(hi, 2)]:.1f} s, so at most {2 * cpus[(hi, 1)] / cpus[(hi, 2)]:.2f}×"
        rows.append((f"--threads 2 ≥ 1.8× --threads 1 (×{hi})",
                     f"{down(speedup, 3)}× ({walls[(hi, 1)]:.1f} / {walls[(hi, 2)]:.1f} s{cpu})", speedup >= 1.8))
    if rsses:
        rows.append(("peak RSS ≤ 1 GiB (every run)", f"{max(rsses):,.0f} MiB", max(rsses) <= 1024))
    if not rows:
        return
    print("\nTargets of the per-token redesign (one core, BBC news ×10 unless named):")
    print("| target | measured | met |")
    print("|---|---|---|")
    for name, measured, met in rows:
        print(f"| {name} | {measured} | {'—' if met is None else 'yes' if met else 'NO'} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("entente")
    ap.add_argument("corpora")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--spacy-python", default=None)
    ap.add_argument("--keep", default=None, help="build the corpora and outputs here and keep them")
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    thread_counts = [int(t) for t in args.threads.split(",")]
    items = articles(args.corpora)
    words_once = sum(len(a["text"].split()) for a in items)
    work_ctx = tempfile.TemporaryDirectory() if args.keep is None else None
    work = args.keep or work_ctx.name
    os.makedirs(work, exist_ok=True)

    print(f"entente run on BBC news ×N ({len(items)} articles, {words_once:,} words each copy), "
          f"{os.cpu_count()} cores; peak RSS of the process; step times in seconds")
    header = (f"| scale | threads | docs | MB | wall s | docs/s | MB/s | words/s/core | peak RSS MiB | "
              + " | ".join(STEPS) + " |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    walls, cpus, rsses, step_times, floors = {}, {}, [], {}, {}
    for n in scales:
        src = os.path.join(work, f"bbc-x{n}")
        size = write_scaled(items, n, src)
        for threads in thread_counts:
            out = os.path.join(work, f"out-x{n}-t{threads}")
            wall, rss, _, stderr, cpu = entente_run(args.entente, src, out, threads)
            walls[(n, threads)], cpus[(n, threads)] = wall, cpu
            rsses.append(rss)
            steps = steps_of(stderr)
            step_times[(n, threads)] = steps
            docs, words, mb = len(items) * n, words_once * n, size / 1e6
            cells = " | ".join(f"{steps.get(s, 0):.1f}" for s in STEPS)
            print(f"| ×{n} | {threads} | {docs:,} | {mb:.0f} | {wall:.1f} | {docs / wall:,.0f} | {mb / wall:.2f} | "
                  f"{words / wall / threads:,.0f} | {rss:,.0f} | {cells} |", flush=True)
            if threads == 1:
                floors[n] = floor(out)
            if args.keep is None:
                subprocess.run(["rm", "-rf", out], check=True)
        if args.keep is None:
            subprocess.run(["rm", "-rf", src], check=True)
    for n, seconds in floors.items():
        written = sum(seconds[t] for t in WRITE_TABLES)
        aggregated = sum(seconds[t] for t in AGGREGATE_TABLES)
        print(f"floor ×{n}, one thread: pyarrow writes the same tables in {written:.2f} s of CPU "
              f"(those of write and finalise) and {aggregated:.2f} s (those of aggregate): "
              f"output steps {floor_share(step_times[(n, 1)], seconds) * 100:.1f}% of the run at that cost")
    lo, hi = min(scales), max(scales)
    # Copies share their texts, so the stories keep one signature per article; this run keeps
    # one per document.
    src = os.path.join(work, f"bbc-x{hi}-distinct")
    write_scaled(items, hi, src, distinct=True)
    threads = max(thread_counts)
    wall, rss, _, _, _ = entente_run(args.entente, src, os.path.join(work, "out-distinct"), threads)
    rsses.append(rss)
    print(f"×{hi} with every text distinct, --threads {threads}: {wall:.1f} s, peak RSS {rss:,.0f} MiB")
    if args.keep is None:
        subprocess.run(["rm", "-rf", src, os.path.join(work, "out-distinct")], check=True)
    for threads in thread_counts:
        if hi > lo:
            exponent = math.log(walls[(hi, threads)] / walls[(lo, threads)]) / math.log(hi / lo)
            print(f"time ×{lo} → ×{hi} with {threads} thread(s): ×{walls[(hi, threads)] / walls[(lo, threads)]:.1f}, "
                  f"exponent {exponent:.2f} (1.00 = linear)")
    if len(thread_counts) > 1:
        t1, tn = min(thread_counts), max(thread_counts)
        for n in scales:
            print(f"×{n}: --threads {tn} is {walls[(n, t1)] / walls[(n, tn)]:.2f}× --threads {t1}")

    if args.spacy_python:
        sample = os.path.join(work, "sample")
        os.makedirs(sample, exist_ok=True)
        total = 0
        for i, a in enumerate(items):
            if total >= SAMPLE_BYTES:
                break
            text = f"{a['title']}\n\n{a['text']}\n"
            with open(os.path.join(sample, f"{i:05d}.txt"), "w", encoding="utf-8") as f:
                f.write(text)
            total += len(text.encode())
        spacy_out = os.path.join(work, "spacy-out")
        script = os.path.join(os.path.dirname(os.path.abspath(args.corpora)), "bench", "spacy_baseline.py")
        _, rss, stdout, _, spacy_cpu = run_measured([args.spacy_python, script, sample, spacy_out, "--mode", "fast"])
        stats = json.loads(stdout.strip().splitlines()[-1])
        sec = stats["seconds"]
        spacy_time = sec["total_in_script"] - sec["load_model"]
        words = stats["n_words"]
        # CPU seconds of the work alone: the process's user + sys less loading the model (one
        # thread, so its wall time is its CPU time).
        spacy_rate = words / max(spacy_cpu - sec["load_model"], 1e-9)
        wall, e_rss, _, _, _ = entente_run(args.entente, sample, os.path.join(work, "sample-out"), 1)
        print(f"\n~2 MB sample ({stats['n_docs']} articles, {total / 1e6:.1f} MB, {words:,} words), one core:")
        print(f"  spaCy {stats['spacy']} {stats['model']} --mode fast: {spacy_time:.1f} s without model load "
              f"({sec['load_model']:.1f} s load), {words / spacy_time:,.0f} words/s, peak RSS {rss:,.0f} MiB")
        print(f"  entente run --threads 1: {wall:.2f} s, {words / wall:,.0f} words/s, peak RSS {e_rss:,.0f} MiB")
        print(f"  entente : spaCy = {spacy_time / wall:.1f} : 1")
        print(f"  spaCy: {spacy_rate:,.0f} words per CPU-second (user + sys, model load left out)")
    else:
        spacy_rate = None
    print_targets(words_once, scales, thread_counts, cpus, walls, step_times, rsses, spacy_rate, floors)
    if work_ctx is not None:
        work_ctx.cleanup()


if __name__ == "__main__":
    main()
