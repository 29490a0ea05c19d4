#!/usr/bin/env python3
"""Screenshots of a report for the docs, taken in headless Chromium (Playwright).

usage: report_screenshots.py ENTENTE_BIN OUTPUT_DIR DOCS_DIR [--chromium PATH]

Writes OUTPUT_DIR/report.html with `entente report`, opens it at 1400x900 and saves
DOCS_DIR/report-overview.png (the top of the page), report-entities.png (the entities panel)
and report-network.png (the network with the strongest pair of the most mentioned entity
open: its measures and its evidence, both names marked).
"""

import argparse
import os
import shutil
import subprocess
import sys

from bench_report import CHROMIUM_ARGS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("entente")
    ap.add_argument("output")
    ap.add_argument("docs")
    ap.add_argument("--chromium", default=os.environ.get("ENTENTE_CHROMIUM") or shutil.which("chromium"))
    args = ap.parse_args()
    if not args.chromium:
        sys.exit("needs Chromium: apt-get install chromium, or --chromium PATH")
    from playwright.sync_api import sync_playwright

    report = os.path.join(args.output, "report.html")
    subprocess.run([args.entente, "report", args.output, "-o", report], check=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto("file://" + os.path.abspath(report), wait_until="load")
        frames = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        page.screenshot(path=os.path.join(args.docs, "report-overview.png"))
        page.locator("#entities").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('entities').scrollIntoView()")
        page.evaluate(frames)
        page.screenshot(path=os.path.join(args.docs, "report-entities.png"))
        page.evaluate("document.getElementById('network').scrollIntoView()")
        page.evaluate(frames)
        position = page.evaluate("entente.cy.$id('n0').renderedPosition()")
        box = page.locator("#cy").bounding_box()
        page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
        page.locator("#details table.partners tbody button").first.click()
        page.mouse.move(0, 0)
        page.evaluate(frames)
        page.screenshot(path=os.path.join(args.docs, "report-network.png"))
        browser.close()
    for name in ("overview", "entities", "network"):
        path = os.path.join(args.docs, f"report-{name}.png")
        print(f"{path}: {os.path.getsize(path) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
