// The report's panels: entities, network, trends, drawn from the JSON in #report-data.
// Every string from the tables reaches the page as text (textContent, text nodes, canvas
// labels), never as markup.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("report-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = {
    PERSON: "#4e79a7", ORG: "#f28e2b", GPE: "#59a14f", LOC: "#76b7b2", NORP: "#b8860b",
    EVENT: "#b07aa1", LAW: "#e15759", MISC: "#9c755f", MONEY: "#8c8c8c", PERCENT: "#8c8c8c",
    DATE: "#8c8c8c", QUANTITY: "#8c8c8c",
  };
  const SERIES = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#9c755f", "#edc948"];
  /// Amounts, percentages, dates and quantities: listed under their own type only.
  const VALUE_TYPES = new Set(["MONEY", "PERCENT", "DATE", "QUANTITY"]);
  const MEASURES = { count: "count", npmi: "NPMI", llr: "LLR", dice: "Dice" };

  const colour = (type) => COLOURS[type] || "#8c8c8c";
  const byId = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c);
    }
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  /// "1 unit", "2 units".
  const plural = (n, one, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

  function num(n) {
    if (typeof n !== "number") return "";
    if (!Number.isInteger(n)) return n.toFixed(Math.abs(n) >= 100 ? 1 : 3);
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  const entity = (i) => data.entities[i];
  const nodeEntity = (n) => data.entities[data.nodes[n].e];
  const buckets = data.period ? data.period.labels.length : 0;

  // ---- Entities -------------------------------------------------------------------------

  function sparkline(trend) {
    const w = 120, h = 22;
    const s = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: "spark" });
    if (!buckets || !trend.length) return s;
    const counts = new Array(buckets).fill(0);
    for (const [b, c] of trend) counts[b] = c;
    const max = Math.max(...counts);
    const x = (i) => (buckets === 1 ? w / 2 : (i * (w - 2)) / (buckets - 1) + 1);
    const y = (c) => h - 2 - (c / max) * (h - 4);
    const points = counts.map((c, i) => `${x(i).toFixed(1)},${y(c).toFixed(1)}`).join(" ");
    s.append(svg("polyline", { points, class: "spark-line" }));
    return s;
  }

  function entitiesPanel() {
    const types = new Map();
    for (const e of data.entities) types.set(e.type, (types.get(e.type) || 0) + 1);
    const select = byId("entity-type");
    const named = data.entities.filter((e) => !VALUE_TYPES.has(e.type)).length;
    select.append(el("option", { value: "", text: `all names (${num(named)})` }));
    for (const [t, n] of [...types].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      select.append(el("option", { value: t, text: `${t} (${num(n)})` }));
    }
    const p = data.pruning;
    byId("entities-note").textContent =
      `The ${num(p.entities_per_type)} most mentioned entities of each type ` +
      `(${num(data.entities.length)} of the ${num(p.entities_total)} in entity_summary), ` +
      `most mentioned first. ` +
      (data.period
        ? `Trends: mentions per ${data.period.unit}, ${data.period.labels[0]} to ${data.period.labels[buckets - 1]}. `
        : "No document has a publication date, so there are no trends. ") +
      "Click a name to see it in the network and the trends.";
    const search = byId("entity-search");
    const rows = byId("entity-rows");
    const PAGE = 25;
    let limit = PAGE;
    const more = byId("entity-more");
    more.addEventListener("click", () => { limit += 4 * PAGE; render(); });
    function render() {
      const q = search.value.trim().toLowerCase();
      const t = select.value;
      const matches = [];
      data.entities.forEach((e, i) => {
        if (t ? e.type !== t : VALUE_TYPES.has(e.type)) return;
        if (q && !(e.name.toLowerCase().includes(q) || e.id.toLowerCase().includes(q) ||
            e.surfaces.some((s) => s.toLowerCase().includes(q)))) return;
        matches.push(i);
      });
      rows.replaceChildren(...matches.slice(0, limit).map((i) => {
        const e = entity(i);
        const name = el("button", { class: "link", type: "button", title: e.id, onclick: () => selectEntity(i) }, e.name);
        return el("tr", {},
          el("td", {}, name, e.surfaces.length ? el("div", { class: "surfaces", text: e.surfaces.join(" · ") }) : null),
          el("td", {}, el("span", { class: "type", "data-type": e.type, text: e.type })),
          el("td", { class: "n", text: num(e.mentions) }),
          el("td", { class: "n", text: num(e.documents) }),
          el("td", { class: "n", text: num(e.stories) }),
          el("td", { text: e.first || "" }),
          el("td", { text: e.last || "" }),
          el("td", {}, sparkline(e.trend)));
      }));
      typeSwatches(rows);
      byId("entity-count").textContent = matches.length > limit
        ? `${num(matches.length)} match; the first ${num(limit)} shown`
        : `${num(matches.length)} shown`;
      more.hidden = matches.length <= limit;
    }
    const again = () => { limit = PAGE; render(); };
    search.addEventListener("input", again);
    select.addEventListener("change", again);
    render();
  }

  // ---- Network --------------------------------------------------------------------------

  let cy = null;
  const net = { scope: 0, measure: "count", minCount: 1, threshold: null, top: 150, types: new Set(), unlinked: false };

  function typeSwatches(container) {
    for (const span of container.querySelectorAll(".type[data-type]")) {
      span.style.borderColor = colour(span.dataset.type);
    }
  }

  function networkPanel() {
    const p = data.pruning;
    const note = byId("network-note");
    if (!data.nodes.length || !data.scopes.length) {
      note.textContent = "No pair of entities was counted, so there is no network.";
      byId("cy").hidden = true;
      return;
    }
    note.textContent =
      `Nodes: the ${num(data.nodes.length)} most mentioned entities that have a pair ` +
      `(of ${num(p.node_candidates)} such entities), sized by mentions and coloured by type. ` +
      `Edges: per scope, up to ${num(p.max_edges)} pairs among them seen together most often ` +
      `(the filters below choose among those), each with up to ${p.evidence_per_edge} units of evidence. ` +
      `The layout was computed from the ${p.layout_scope} pairs when the report was built.`;
    const scopeSelect = byId("net-scope");
    data.scopes.forEach((s, i) => {
      scopeSelect.append(el("option", { value: String(i),
        text: `${s.scope} (${num(s.edges.length)} of ${num(s.pairs)} pairs)` }));
    });
    const types = [...new Set(data.nodes.map((n, i) => nodeEntity(i).type))].sort();
    const typeBox = byId("net-types");
    for (const t of types) {
      net.types.add(t);
      const box = el("input", { type: "checkbox", value: t });
      box.checked = true;
      box.addEventListener("change", () => {
        if (box.checked) net.types.add(t); else net.types.delete(t);
        drawEdges();
      });
      const chip = el("span", { class: "type", "data-type": t, text: t });
      typeBox.append(el("label", { class: "check" }, box, chip));
    }
    typeSwatches(typeBox);
    const unlinked = el("input", { type: "checkbox", id: "net-unlinked" });
    unlinked.addEventListener("change", () => { net.unlinked = unlinked.checked; drawEdges(); });
    typeBox.append(el("label", { class: "check" }, unlinked, "nodes without a shown edge"));
    const maxMentions = Math.max(...data.nodes.map((n, i) => nodeEntity(i).mentions));
    const labelled = Math.min(40, data.nodes.length);
    const elements = data.nodes.map((n, i) => {
      const e = nodeEntity(i);
      return {
        group: "nodes",
        data: { id: `n${i}`, label: e.name, type: e.type, colour: colour(e.type),
          size: 10 + 40 * Math.sqrt(e.mentions / maxMentions) },
        position: { x: n.x, y: n.y },
        classes: i < labelled ? "labelled" : "",
      };
    });
    cy = cytoscape({
      container: byId("cy"),
      elements,
      layout: { name: "preset", fit: true, padding: 30 },
      style: [
        { selector: "node", style: { "background-color": "data(colour)", width: "data(size)",
          height: "data(size)", "border-width": 1, "border-color": "#fff", "font-size": 16,
          "min-zoomed-font-size": 8, color: "#222", "text-valign": "bottom", "text-margin-y": 2,
          "text-outline-color": "#fff", "text-outline-width": 2 } },
        { selector: "node.labelled", style: { label: "data(label)" } },
        { selector: "node.faded", style: { opacity: 0.25 } },
        { selector: "node.hidden", style: { display: "none" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#222", label: "data(label)" } },
        { selector: "edge", style: { width: "data(width)", "line-color": "#9aa5b1", opacity: 0.6,
          "curve-style": "haystack" } },
        { selector: "edge:selected", style: { "line-color": "#d62728", opacity: 1 } },
        { selector: "edge.near", style: { "line-color": "#555", opacity: 0.9 } },
      ],
      minZoom: 0.1,
      maxZoom: 6,
      boxSelectionEnabled: false,
    });
    const tooltip = byId("tooltip");
    cy.on("mouseover", "node", (ev) => {
      const e = nodeEntity(Number(ev.target.id().slice(1)));
      tooltip.textContent = `${e.name} · ${e.type} · ${plural(e.mentions, "mention")}`;
      showTooltip(ev.renderedPosition);
    });
    cy.on("mouseover", "edge", (ev) => {
      const edge = currentEdges()[Number(ev.target.data("j"))];
      const measure = net.measure === "count" ? "" : ` · ${MEASURES[net.measure]} ${num(edge[net.measure])}`;
      tooltip.textContent = `${nodeEntity(edge.a).name} — ${nodeEntity(edge.b).name} · count ${num(edge.count)}${measure}`;
      showTooltip(ev.renderedPosition);
    });
    cy.on("mouseout", "node, edge", () => { tooltip.hidden = true; });
    byId("cy").addEventListener("mouseleave", () => { tooltip.hidden = true; });
    cy.on("tap", () => { tooltip.hidden = true; });
    cy.on("tap", "node", (ev) => showNode(Number(ev.target.id().slice(1))));
    cy.on("tap", "edge", (ev) => showEdge(Number(ev.target.data("j"))));
    cy.on("tap", (ev) => { if (ev.target === cy) clearDetails(); });

    const inputs = [
      ["net-scope", "change", (v) => { net.scope = Number(v); }],
      ["net-measure", "change", (v) => { net.measure = v; }],
      ["net-min-count", "input", (v) => { net.minCount = Math.max(1, Number(v) || 1); }],
      ["net-threshold", "input", (v) => { net.threshold = v === "" ? null : Number(v); }],
      ["net-top", "input", (v) => { net.top = Math.max(1, Number(v) || 1); }],
    ];
    for (const [id, event, set] of inputs) {
      byId(id).addEventListener(event, (ev) => { set(ev.target.value); drawEdges(); });
    }
    drawEdges();
  }

  function showTooltip(pos) {
    const tooltip = byId("tooltip");
    tooltip.style.left = `${Math.round(pos.x + 12)}px`;
    tooltip.style.top = `${Math.round(pos.y + 12)}px`;
    tooltip.hidden = false;
  }

  const currentEdges = () => data.scopes[net.scope].edges;

  /// The edges passing the filters, strongest first by the chosen measure.
  function visibleEdges() {
    const m = net.measure;
    const kept = [];
    currentEdges().forEach((edge, j) => {
      if (!net.types.has(nodeEntity(edge.a).type) || !net.types.has(nodeEntity(edge.b).type)) return;
      if (edge.count < net.minCount) return;
      if (net.threshold !== null && !(edge[m] >= net.threshold)) return;
      kept.push(j);
    });
    const edges = currentEdges();
    kept.sort((x, y) => edges[y][m] - edges[x][m] || edges[y].count - edges[x].count || x - y);
    return kept.slice(0, net.top);
  }

  function drawEdges() {
    if (!cy) return;
    const edges = currentEdges();
    const shown = visibleEdges();
    const values = shown.map((j) => edges[j][net.measure]);
    const lo = Math.min(...values), hi = Math.max(...values);
    const linked = new Set();
    cy.batch(() => {
      cy.edges().remove();
      cy.add(shown.map((j) => {
        const edge = edges[j];
        linked.add(edge.a);
        linked.add(edge.b);
        const v = edge[net.measure];
        return { group: "edges", data: { id: `e${net.scope}-${j}`, j, source: `n${edge.a}`,
          target: `n${edge.b}`, width: hi > lo ? 1 + (5 * (v - lo)) / (hi - lo) : 2 } };
      }));
      cy.nodes().forEach((node) => {
        const i = Number(node.id().slice(1));
        const shown = net.types.has(nodeEntity(i).type) && (net.unlinked || linked.has(i));
        node.toggleClass("hidden", !shown);
        node.toggleClass("faded", !linked.has(i));
      });
    });
    byId("net-count").textContent = `${num(shown.length)} edges, ${num(linked.size)} linked nodes`;
    if (!net.fitted) {
      // The first view frames what is shown, not the nodes the filters hide.
      cy.fit(cy.nodes().not(".hidden"), 30);
      net.fitted = true;
    }
  }

  function clearDetails() {
    byId("details").replaceChildren(el("p", { class: "hint",
      text: "Click a node for its strongest partners, an edge for the sentences behind it. Scroll to zoom, drag to pan." }));
    if (cy) cy.edges().removeClass("near");
  }

  function measureCells(edge) {
    return [el("td", { class: "n", text: num(edge.count) }), el("td", { class: "n", text: num(edge.npmi) }),
      el("td", { class: "n", text: num(edge.llr) }), el("td", { class: "n", text: num(edge.dice) })];
  }

  function showNode(n) {
    const e = nodeEntity(n);
    const edges = currentEdges();
    const m = net.measure;
    const partners = [];
    edges.forEach((edge, j) => { if (edge.a === n || edge.b === n) partners.push(j); });
    partners.sort((x, y) => edges[y][m] - edges[x][m] || edges[y].count - edges[x].count || x - y);
    const rows = partners.slice(0, 25).map((j) => {
      const edge = edges[j];
      const other = nodeEntity(edge.a === n ? edge.b : edge.a);
      return el("tr", {}, el("td", {}, el("button", { class: "link", type: "button", title: other.id,
        onclick: () => showEdge(j) }, other.name)), ...measureCells(edge));
    });
    const details = byId("details");
    details.replaceChildren(
      el("h3", {}, el("span", { class: "type", "data-type": e.type, text: e.type }), " ", e.name),
      el("p", { class: "meta", text: `${e.id} · ${plural(e.mentions, "mention")} in ${plural(e.documents, "document")}` +
        (e.first ? ` · ${e.first} to ${e.last}` : "") }),
      e.surfaces.length ? el("p", { class: "meta", text: `Written as: ${e.surfaces.join(" · ")}` }) : null,
      el("button", { type: "button", onclick: () => addTrend(entitySeries(data.nodes[n].e)) }, "Show its trend"),
      el("h4", { text: `Strongest partners (${data.scopes[net.scope].scope} scope, by ${MEASURES[m]}): ${partners.length}` }),
      el("table", { class: "partners" },
        el("thead", {}, el("tr", {}, el("th", { text: "Partner" }), el("th", { class: "n", text: "count" }),
          el("th", { class: "n", text: "NPMI" }), el("th", { class: "n", text: "LLR" }), el("th", { class: "n", text: "Dice" }))),
        el("tbody", {}, ...rows)));
    typeSwatches(details);
    if (cy) {
      cy.elements().unselect();
      cy.$id(`n${n}`).select();
      cy.edges().removeClass("near");
      cy.$id(`n${n}`).connectedEdges().addClass("near");
    }
  }

  /// A sentence with the mentions of entities `a` and `b` marked.
  function highlighted(sentence, a, b) {
    const cps = Array.from(sentence.text);
    const out = el("span", { class: "sentence" });
    let at = 0;
    for (const [start, end, e] of sentence.m) {
      if ((e !== a && e !== b) || start < at) continue;
      out.append(cps.slice(at, start).join(""));
      out.append(el("mark", { class: e === a ? "a" : "b", text: cps.slice(start, end).join("") }));
      at = end;
    }
    out.append(cps.slice(at).join(""));
    return out;
  }

  function showEdge(j) {
    const edge = currentEdges()[j];
    const ea = data.nodes[edge.a].e, eb = data.nodes[edge.b].e;
    const units = edge.evidence.map((u) => {
      const doc = data.docs[u.d];
      const head = [doc.published, doc.site, doc.source].filter(Boolean).join(" · ");
      const sentences = [];
      u.s.forEach((s, k) => {
        if (k === 1 && u.gap) sentences.push(el("span", { class: "gap", text: " … " }));
        sentences.push(highlighted(data.sentences[s], ea, eb), " ");
      });
      const title = doc.title || doc.id;
      const short = Array.from(title).length > 100 ? `${Array.from(title).slice(0, 100).join("")}…` : title;
      return el("li", {}, el("div", { class: "doc" }, el("b", { text: short, title }),
        el("span", { class: "meta", text: ` ${head} · ${doc.id}` })), el("p", {}, ...sentences));
    });
    const details = byId("details");
    details.replaceChildren(
      el("h3", {}, el("mark", { class: "a", text: entity(ea).name }), " and ", el("mark", { class: "b", text: entity(eb).name })),
      el("p", { class: "meta", text: `${data.scopes[net.scope].scope} scope: together in ${plural(edge.count, "unit")} ` +
        `of ${plural(edge.docs, "document")} and ${plural(edge.stories, "story", "stories")}` +
        (edge.first ? `, ${edge.first} to ${edge.last}` : "") }),
      el("table", { class: "partners" },
        el("thead", {}, el("tr", {}, el("th", { class: "n", text: "count" }), el("th", { class: "n", text: "NPMI" }),
          el("th", { class: "n", text: "LLR" }), el("th", { class: "n", text: "Dice" }), el("th", { class: "n", text: "PMI" }))),
        el("tbody", {}, el("tr", {}, ...measureCells(edge), el("td", { class: "n", text: num(edge.pmi) })))),
      el("button", { type: "button", onclick: () => addTrend(pairSeries(net.scope, j)) }, "Show its trend"),
      el("h4", { text: `Evidence: ${units.length} of ${num(edge.count)} units` }),
      el("ol", { class: "evidence" }, ...units));
    if (cy) {
      cy.elements().unselect();
      cy.$id(`e${net.scope}-${j}`).select();
    }
  }

  function selectEntity(i) {
    addTrend(entitySeries(i));
    const n = entity(i).node;
    if (n !== null && n !== undefined && cy) {
      showNode(n);
      cy.animate({ center: { eles: cy.$id(`n${n}`) }, duration: 300 });
      byId("network").scrollIntoView({ behavior: "smooth" });
    }
  }

  // ---- Trends ---------------------------------------------------------------------------

  const series = [];

  function entitySeries(i) {
    const e = entity(i);
    return { key: `e:${e.id}`, label: `${e.name} (mentions)`, trend: e.trend };
  }

  function pairSeries(s, j) {
    const edge = data.scopes[s].edges[j];
    return { key: `p:${s}:${j}`, label: `${nodeEntity(edge.a).name} — ${nodeEntity(edge.b).name} (${data.scopes[s].scope}s)`,
      trend: data.period && data.period.pairs ? edge.trend : null };
  }

  function addTrend(item) {
    if (!data.period) return;
    if (item.trend === null) {
      byId("trends-note").textContent =
        `The run counted no pairs per ${data.period.unit} (aggregate.periods), so pairs have no trends.`;
      return;
    }
    const at = series.findIndex((s) => s.key === item.key);
    if (at >= 0) series.splice(at, 1);
    series.unshift(item);
    series.splice(SERIES.length);
    drawTrends();
  }

  function drawTrends() {
    const chart = byId("trend-chart");
    const legend = byId("trend-legend");
    const W = 960, H = 280, L = 48, R = 40, T = 12, B = 36;
    const max = Math.max(1, ...series.flatMap((s) => s.trend.map((p) => p[1])));
    const x = (i) => L + (buckets === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (buckets - 1));
    const y = (c) => H - B - (c / max) * (H - T - B);
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
    s.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    s.append(svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    for (const v of [0, max]) {
      const t = svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" });
      t.textContent = num(v);
      s.append(t);
    }
    const every = Math.max(1, Math.ceil(buckets / 10));
    for (let i = 0; i < buckets; i += every) {
      const t = svg("text", { x: x(i), y: H - B + 18, "text-anchor": "middle", class: "tick" });
      t.textContent = data.period.labels[i];
      s.append(t);
    }
    series.forEach((item, k) => {
      const counts = new Array(buckets).fill(0);
      for (const [b, c] of item.trend) counts[b] = c;
      const points = counts.map((c, i) => `${x(i).toFixed(1)},${y(c).toFixed(1)}`).join(" ");
      const line = svg("polyline", { points, class: "series", stroke: SERIES[k % SERIES.length] });
      const title = svg("title");
      title.textContent = item.label;
      line.append(title);
      s.append(line);
    });
    chart.replaceChildren(s);
    legend.replaceChildren(...series.map((item, k) => {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = SERIES[k % SERIES.length];
      const total = item.trend.reduce((a, p) => a + p[1], 0);
      return el("li", {}, swatch, `${item.label}: ${num(total)} `,
        el("button", { type: "button", class: "link", title: "remove",
          onclick: () => { series.splice(series.indexOf(item), 1); drawTrends(); } }, "remove"));
    }));
  }

  function trendsPanel() {
    const note = byId("trends-note");
    if (!data.period) {
      note.textContent = "No document has a publication date, so there are no trends.";
      return;
    }
    const p = data.period;
    if (p.pairs && data.scopes.length) {
      note.textContent = `${p.labels.length} ${p.unit}s. Shown first: the ${data.scopes[0].scope} pairs seen ` +
        "together most often (units per period); add any entity or pair from the other panels.";
      for (let j = 0; j < Math.min(5, data.scopes[0].edges.length); j++) series.push(pairSeries(0, j));
    } else {
      note.textContent = `${p.labels.length} ${p.unit}s. Shown first: the most mentioned entities ` +
        "(mentions per period); add any entity or pair from the other panels." +
        (p.pairs ? "" : ` The run counted no pairs per ${p.unit}, so pairs have no trends.`);
      for (let i = 0; i < Math.min(5, data.entities.length); i++) series.push(entitySeries(i));
    }
    drawTrends();
  }

  entitiesPanel();
  networkPanel();
  trendsPanel();
  // For the browser console (README, "The report"): the network and the data behind the page.
  window.entente = Object.freeze({ cy, data });
})();
