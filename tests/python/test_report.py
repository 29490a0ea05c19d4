"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

`just chromium` (part of `just test`) finds Chromium or installs Debian's `chromium` package;
ENTENTE_CHROMIUM names another binary. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

import entente

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("ENTENTE_BIN", str(ROOT / "target" / "release" / "entente"))
HOSTILE = ROOT / "crates" / "entente_report" / "tests" / "hostile" / "pipeline.toml"
PAYLOAD = '</script><img src=x onerror=alert(1)> <!-- "><svg onload=alert(1)>'
# Chromium as root on a machine without a network: no sandbox, no GPU, no background calls.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    path = os.environ.get("ENTENTE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "the report's browser tests need Chromium: on Debian or Ubuntu `apt-get install "
            "chromium` (`just chromium` does it as root), or set ENTENTE_CHROMIUM"
        )
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def make_report(out: pathlib.Path, file: pathlib.Path, *run_args: str) -> pathlib.Path:
    subprocess.run(
        [BINARY, "run", "--output", str(out), *run_args], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run([BINARY, "report", str(out), "-o", str(file)], check=True, capture_output=True)
    return file


@pytest.fixture(scope="module")
def data_report(tmp_path_factory) -> pathlib.Path:
    tmp = tmp_path_factory.mktemp("report-data")
    return make_report(tmp / "out", tmp / "report.html")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> pathlib.Path:
    tmp = tmp_path_factory.mktemp("report-hostile")
    return make_report(tmp / "out", tmp / "report.html", "--pipeline", str(HOSTILE))


class Opened:
    """A report open in a page, with everything the page said and asked for."""

    def __init__(self, browser: Browser, file: pathlib.Path):
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(file.as_uri(), wait_until="load")
        self.file = file

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_quiet(self) -> None:
        """No console message (a CSP violation is one), no error, no request but the file."""
        assert self.console == []
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests == [self.file.as_uri()]

    def click_at(self, rendered: dict) -> None:
        """Clicks the network at a Cytoscape rendered position."""
        self.scroll_to_network()
        box = self.page.locator("#cy").bounding_box()
        self.page.mouse.click(box["x"] + rendered["x"], box["y"] + rendered["y"])

    def scroll_to_network(self) -> None:
        """Scrolls the network into view and lets Cytoscape see the scroll (it caches where
        its canvas is and updates that on the scroll event, which a click can overtake)."""
        self.page.locator("#network").scroll_into_view_if_needed()
        self.page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def node_position(self, index: int) -> dict:
        return self.page.evaluate(f"entente.cy.$id('n{index}').renderedPosition()")

    def lone_edge_point(self) -> dict:
        """A point on an edge as far as can be from every node and every other edge, so that
        a click there hits that edge."""
        return self.page.evaluate(
            """() => {
              const cy = entente.cy;
              const seg = (e) => [e.sourceEndpoint(), e.targetEndpoint()].map((p) => {
                const pan = cy.pan(), z = cy.zoom();
                return { x: p.x * z + pan.x, y: p.y * z + pan.y };
              });
              const toSeg = (p, [a, b]) => {
                const dx = b.x - a.x, dy = b.y - a.y, l = dx * dx + dy * dy;
                const t = l ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l)) : 0;
                return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
              };
              const edges = cy.edges().map((e) => ({ id: e.id(), s: seg(e) }));
              const nodes = cy.nodes(':visible').map((n) => ({ p: n.renderedPosition(), r: n.renderedWidth() / 2 }));
              let best = null, far = -1;
              for (const e of edges) {
                for (const t of [0.3, 0.4, 0.5, 0.6, 0.7]) {
                  const p = { x: e.s[0].x + t * (e.s[1].x - e.s[0].x), y: e.s[0].y + t * (e.s[1].y - e.s[0].y) };
                  let near = Infinity;
                  for (const n of nodes) near = Math.min(near, Math.hypot(n.p.x - p.x, n.p.y - p.y) - n.r);
                  for (const o of edges) if (o.id !== e.id) near = Math.min(near, toSeg(p, o.s));
                  if (near > far) { far = near; best = { x: p.x, y: p.y, id: e.id, room: near }; }
                }
              }
              return best;
            }"""
        )


def test_report_loads_quietly_and_draws_the_network(browser, data_report):
    opened = Opened(browser, data_report)
    opened.page.wait_for_timeout(200)
    opened.assert_quiet()
    page = opened.page
    nodes = page.evaluate("entente.cy.nodes(':visible').length")
    edges = page.evaluate("entente.cy.edges().length")
    assert nodes > 10 and edges > 10, (nodes, edges)
    assert page.locator("#net-count").inner_text().startswith(f"{edges} edges")
    # The canvas really has pixels on it.
    assert page.evaluate(
        """() => [...document.querySelectorAll('#cy canvas')].some((c) => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
             return false; })"""
    )
    rows = page.locator("#entity-rows tr")
    assert rows.count() == 25
    assert rows.first.locator("button").inner_text() == "China"
    page.fill("#entity-search", "putin")
    assert page.locator("#entity-rows tr button").all_inner_texts() == ["Vladimir Putin"]
    page.close()


def test_clicking_a_node_lists_its_partners(browser, data_report):
    opened = Opened(browser, data_report)
    page = opened.page
    opened.click_at(opened.node_position(0))
    details = page.locator("#details")
    assert details.locator("h3").inner_text().endswith("China")
    assert "Strongest partners (sentence scope, by count)" in details.inner_text()
    partners = details.locator("table.partners tbody tr")
    assert partners.count() > 5
    assert partners.first.locator("button").inner_text() == "Russia"
    # A partner opens the pair: its evidence with both names marked.
    partners.first.locator("button").click()
    assert details.locator("h3 mark").all_inner_texts() == ["China", "Russia"]
    assert details.locator("ol.evidence li").count() >= 1
    assert details.locator("ol.evidence mark.a").first.inner_text().lower() == "china"
    assert details.locator("ol.evidence mark.b").first.inner_text().lower() == "russia"
    opened.assert_quiet()
    page.close()


def test_clicking_an_edge_shows_its_evidence(browser, data_report):
    opened = Opened(browser, data_report)
    page = opened.page
    edge = opened.lone_edge_point()
    assert edge["room"] > 4, edge
    opened.click_at(edge)
    assert page.evaluate(f"entente.cy.$id('{edge['id']}').selected()")
    details = page.locator("#details")
    names = details.locator("h3 mark").all_inner_texts()
    ends = page.evaluate(
        f"[entente.cy.$id('{edge['id']}').source().data('label'), entente.cy.$id('{edge['id']}').target().data('label')]"
    )
    assert names == ends
    units = details.locator("ol.evidence li")
    assert units.count() >= 1
    text = units.first.inner_text()
    assert len(text) > 40
    assert details.locator("ol.evidence mark.a").count() >= 1
    assert details.locator("ol.evidence mark.b").count() >= 1
    opened.assert_quiet()
    page.close()


def test_filters_change_the_edges(browser, data_report):
    opened = Opened(browser, data_report)
    page = opened.page
    edges = lambda: page.evaluate("entente.cy.edges().length")  # noqa: E731
    all_edges = edges()
    page.fill("#net-min-count", "3")
    fewer = edges()
    assert 0 < fewer < all_edges
    page.fill("#net-min-count", "1")
    page.fill("#net-top", "10")
    assert edges() == 10
    page.select_option("#net-measure", "npmi")
    page.fill("#net-threshold", "0.5")
    npmi = page.evaluate("entente.cy.edges().map((e) => entente.data.scopes[0].edges[e.data('j')].npmi)")
    assert npmi and min(npmi) >= 0.5
    page.fill("#net-threshold", "")
    page.select_option("#net-scope", "2")
    assert page.evaluate("entente.cy.edges()[0].id()").startswith("e2-")
    page.uncheck("#net-types input[value=GPE]")
    assert page.evaluate("entente.cy.nodes('.hidden').length") > 0
    assert page.evaluate(
        "entente.cy.edges().every((e) => ![e.source(), e.target()].some((n) => n.data('type') === 'GPE'))"
    )
    opened.assert_quiet()
    page.close()


def test_hostile_strings_show_as_written_and_nothing_runs(browser, hostile_report):
    opened = Opened(browser, hostile_report)
    page = opened.page
    page.wait_for_timeout(200)
    opened.assert_quiet()
    assert page.title() == "entente report"
    assert page.evaluate("document.querySelectorAll('img, [onerror], [onload]').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    # As text in the server-rendered panels ...
    sites = page.locator("#overview tr", has_text="Sites").locator("td").inner_text()
    assert sites.startswith(f"Site {PAYLOAD} 2")
    title = page.locator("#quality table").last.locator("tbody td").first.inner_text()
    assert title == f"Talks {PAYLOAD}"
    # ... in the entities table, the tooltip, the details and the evidence.
    assert page.locator("#entity-rows tr button").first.inner_text() == PAYLOAD
    node = page.evaluate(
        "(name) => entente.data.nodes.findIndex((n) => entente.data.entities[n.e].name === name)",
        PAYLOAD,
    )
    assert node >= 0
    position = opened.node_position(node)
    opened.scroll_to_network()
    box = page.locator("#cy").bounding_box()
    page.mouse.move(box["x"] + position["x"] - 30, box["y"] + position["y"] - 30)
    page.mouse.move(box["x"] + position["x"], box["y"] + position["y"], steps=5)
    page.locator("#tooltip").wait_for(state="visible", timeout=2000)
    assert page.locator("#tooltip").inner_text().startswith(PAYLOAD)
    opened.click_at(position)
    details = page.locator("#details")
    assert details.locator("h3").inner_text().endswith(PAYLOAD)
    details.locator("table.partners tbody button", has_text="Russia").click()
    assert PAYLOAD in details.locator("h3").inner_text()
    evidence = details.locator("ol.evidence li")
    texts = evidence.all_inner_texts()
    assert any(t.startswith(f"Talks {PAYLOAD}") for t in texts), texts
    assert any(f"wrote {PAYLOAD} on a sign" in t for t in texts), texts
    assert page.evaluate("document.querySelectorAll('img, [onerror], [onload]').length") == 0
    opened.assert_quiet()
    page.close()


def test_trends_show_pairs_and_added_entities(browser, hostile_report):
    opened = Opened(browser, hostile_report)
    page = opened.page
    assert page.locator("#trend-chart polyline").count() == 5
    legend = page.locator("#trend-legend li")
    assert legend.count() == 5
    assert "(sentences)" in legend.first.inner_text()
    page.locator("#entity-rows tr button", has_text="China").click()
    assert page.locator("#trend-legend li").first.inner_text().startswith("China (mentions): 3")
    assert page.locator("#trend-chart polyline").count() == 6
    labels = page.locator("#trend-chart text.tick").all_text_contents()
    assert "2024-03" in labels and "2024-05" in labels
    opened.assert_quiet()
    page.close()


def test_python_report_is_the_cli_file(data_report, tmp_path):
    out = data_report.parent / "out"
    summary = entente.report(out, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_bytes() == data_report.read_bytes()
    assert summary["path"] == str(tmp_path / "report.html")
    assert summary["bytes"] == data_report.stat().st_size
    assert summary["nodes"] > 10 and summary["edges"] > summary["nodes"]
    with pytest.raises(entente.RunError, match="no documents table"):
        entente.report(tmp_path)
