#!/usr/bin/env python3
"""The report of a big run: its size, how long `entente report` takes, and how long Chromium
takes to open it.

usage: bench_report.py ENTENTE_BIN CORPORA_DIR [--copies 10] [--chromium PATH]

Builds BBC news scaled --copies times (as bench_scale.py does), runs `entente run --threads 2`
and `entente report` on it (wall time, peak RSS, file size), then opens the file in headless
Chromium (Playwright, Debian's chromium) three times and prints the median time from the
start of navigation until the network has been drawn (the load event, then two animation
frames), with the number of nodes and edges drawn.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from bench_scale import articles, run_measured, write_scaled

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_times(chromium: str, file: str, repeat: int = 3) -> tuple:
    from playwright.sync_api import sync_playwright

    times, drawn, problems = [], None, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(str(e)))
            start = time.perf_counter()
            page.goto("file://" + os.path.abspath(file), wait_until="load")
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            times.append(time.perf_counter() - start)
            drawn = page.evaluate("[entente.cy.nodes().length, entente.cy.edges().length]")
            page.close()
        browser.close()
    return statistics.median(times), drawn, problems


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("entente")
    ap.add_argument("corpora")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--chromium", default=os.environ.get("ENTENTE_CHROMIUM") or shutil.which("chromium"))
    args = ap.parse_args()
    if not args.chromium:
        sys.exit("needs Chromium: apt-get install chromium, or --chromium PATH")
    with tempfile.TemporaryDirectory() as tmp:
        src, out, file = os.path.join(tmp, "in"), os.path.join(tmp, "out"), os.path.join(tmp, "report.html")
        size = write_scaled(articles(args.corpora), args.copies, src)
        print(f"BBC x{args.copies}: {2225 * args.copies} documents, {size / 1e6:.0f} MB")
        wall, rss, _, err, _ = run_measured([args.entente, "-q", "run", "--threads", "2", "--input", src, "--output", out])
        print(f"entente run --threads 2: {wall:.1f} s, peak RSS {rss:.0f} MiB")
        wall, rss, stdout, err, _ = run_measured([args.entente, "report", out, "-o", file])
        if not os.path.exists(file):
            sys.exit(f"entente report failed: {err}")
        print(f"entente report: {wall:.2f} s, peak RSS {rss:.0f} MiB, {os.path.getsize(file) / 1e6:.2f} MB ({stdout.strip()})")
        median, drawn, problems = open_times(args.chromium, file)
        print(f"Chromium: drawn in {median:.2f} s (median of 3), {drawn[0]} nodes and {drawn[1]} edges")
        if problems:
            sys.exit("the page logged: " + "; ".join(problems))


if __name__ == "__main__":
    main()
