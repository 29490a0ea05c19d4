//! The HTML page: the overview and data quality panels rendered here (every table string HTML
//! escaped), the rest drawn by the page's script from JSON, and a Content-Security-Policy that
//! allows the page's own inline script and style by their SHA-256 and nothing else.

use std::fmt::Write as _;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::model::{Overview, Quality, Report};

/// Cytoscape.js, vendored from npm (`vendor/cytoscape/README.md`).
const CYTOSCAPE: &str = include_str!("../vendor/cytoscape/cytoscape.min.js");
const CYTOSCAPE_LICENSE: &str = include_str!("../vendor/cytoscape/LICENSE");
const CYTOSCAPE_VERSION: &str = "3.35.0";
const SCRIPT: &str = include_str!("../assets/report.js");
const STYLE: &str = include_str!("../assets/report.css");
/// The rule Cytoscape.js would add to the page itself (a style element the policy would
/// block): present under the id it looks for, it adds none.
const CYTOSCAPE_STYLE: &str = ".__________cytoscape_container { position: relative; }";

/// The whole page.
pub(crate) fn page(report: &Report) -> Result<String, Error> {
    let data = script_json(&serde_json::to_string(&report.data)?);
    let csp = format!(
        "default-src 'none'; script-src {} {}; style-src {} {}; img-src data:; \
         base-uri 'none'; form-action 'none'",
        hash(CYTOSCAPE),
        hash(SCRIPT),
        hash(CYTOSCAPE_STYLE),
        hash(STYLE),
    );
    let mut html = String::with_capacity(CYTOSCAPE.len() + data.len() + 64 * 1024);
    let _ = write!(
        html,
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="entente {version}">
<title>entente report</title>
<style id="__________cytoscape_stylesheet">{CYTOSCAPE_STYLE}</style>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>entente report</h1>
<nav><a href="#overview">Overview</a> <a href="#entities">Entities</a> <a href="#network">Network</a> <a href="#trends">Trends</a> <a href="#quality">Data quality</a></nav>
</header>
<main>
"##,
        csp = escape(&csp),
        version = env!("CARGO_PKG_VERSION"),
    );
    overview(&mut html, &report.overview, &report.quality);
    html.push_str(PANELS);
    quality(&mut html, &report.quality);
    let _ = write!(
        html,
        r#"</main>
<footer>
<p>Made by entente {version} from the tables in its output directory; the same tables give the same file. The page loads nothing: its script, style and the libraries below are inside it.</p>
<details><summary>Cytoscape.js {CYTOSCAPE_VERSION} (MIT licence)</summary><pre>{license}</pre></details>
</footer>
<script type="application/json" id="report-data">{data}</script>
<script>{CYTOSCAPE}</script>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        license = escape(CYTOSCAPE_LICENSE),
    );
    Ok(html)
}

/// The panels the script fills in.
const PANELS: &str = r#"<section id="entities">
<h2>Entities</h2>
<p class="note" id="entities-note"></p>
<div class="controls">
<label>Search <input id="entity-search" type="search" placeholder="name, id or surface form"></label>
<label>Type <select id="entity-type"></select></label>
<span id="entity-count"></span>
</div>
<table class="entities"><thead><tr><th>Entity</th><th>Type</th><th class="n">Mentions</th><th class="n">Documents</th><th class="n">Stories</th><th>First seen</th><th>Last seen</th><th>Trend</th></tr></thead><tbody id="entity-rows"></tbody></table>
<button id="entity-more" type="button" hidden>Show more</button>
</section>
<section id="network">
<h2>Network</h2>
<p class="note" id="network-note"></p>
<div class="controls">
<label>Scope <select id="net-scope"></select></label>
<label>Measure <select id="net-measure"><option value="count">count</option><option value="npmi">NPMI</option><option value="llr">LLR (G²)</option><option value="dice">Dice</option></select></label>
<label>Min. count <input id="net-min-count" type="number" min="1" step="1" value="1"></label>
<label>Measure ≥ <input id="net-threshold" type="number" step="any" placeholder="any"></label>
<label>Top edges <input id="net-top" type="number" min="1" step="1" value="150"></label>
<span id="net-types"></span>
<span id="net-count"></span>
</div>
<div class="net">
<div id="cy" aria-label="entity network"></div>
<aside id="details"><p class="hint">Click a node for its strongest partners, an edge for the sentences behind it. Scroll to zoom, drag to pan.</p></aside>
<div id="tooltip" hidden></div>
</div>
</section>
<section id="trends">
<h2>Trends</h2>
<p class="note" id="trends-note"></p>
<div id="trend-chart"></div>
<ul id="trend-legend"></ul>
</section>
"#;

fn overview(html: &mut String, o: &Overview, q: &Quality) {
    html.push_str("<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"cards\">\n");
    let cards = [
        ("documents", o.documents),
        ("stories", o.stories),
        ("words", o.words),
        ("sentences", o.sentences),
        ("mentions", o.mentions),
        ("entities", o.entities),
        ("input files", o.input_files as u64),
        ("rejects", o.rejects),
    ];
    for (label, n) in cards {
        let _ = writeln!(html, "<div class=\"card\"><b>{}</b>{label}</div>", thousands(n));
    }
    html.push_str("</div>\n<table class=\"facts\">\n");
    let dates = match (o.first_published, o.last_published) {
        (Some(first), Some(last)) => format!(
            "{} to {}{}",
            day(first),
            day(last),
            if o.undated > 0 {
                format!(" ({} undated)", thousands(o.undated))
            } else {
                String::new()
            }
        ),
        _ => "no document has a publication date".to_owned(),
    };
    fact(html, "Published", &escape(&dates));
    fact(html, "Languages", &counts(&o.languages, 12));
    fact(html, "Sites", &counts(&o.sites, 12));
    fact(
        html,
        "Stories",
        &format!(
            "{} stories reported by {} documents: {} exact and {} near copies",
            thousands(o.stories),
            thousands(o.documents),
            thousands(o.exact_copies),
            thousands(o.near_copies)
        ),
    );
    fact(
        html,
        "Not extracted",
        &format!(
            "{} documents in a language the extract stage does not read",
            thousands(o.not_extractable)
        ),
    );
    let rules = if o.boilerplate.is_empty() {
        String::new()
    } else {
        format!(": {}", counts(&o.boilerplate, 20))
    };
    fact(
        html,
        "Boilerplate removed",
        &format!(
            "{} removals in {} documents, {} characters{rules}",
            thousands(o.boilerplate.iter().map(|r| r.1).sum()),
            thousands(o.boilerplate_docs),
            thousands(o.boilerplate_chars)
        ),
    );
    let rejects: Vec<(String, u64)> = q
        .reject_counts
        .iter()
        .map(|(stage, reason, n)| (format!("{stage}/{reason}"), *n))
        .collect();
    fact(html, "Rejects", &counts(&rejects, 12));
    fact(html, "Pairs", &counts(&o.pairs, 4));
    let pipeline = o.pipeline.as_ref().map_or_else(
        || "a pipeline whose name the tables do not record (single-stage commands)".to_owned(),
        |name| format!("the pipeline {name}"),
    );
    fact(
        html,
        "Made by",
        &escape(&format!(
            "{pipeline}, entente {} (table contract {})",
            o.entente_version, o.contract_version
        )),
    );
    let hashes: Vec<String> = o
        .stage_hashes
        .iter()
        .map(|(stage, h)| format!("{} <code>{}</code>", escape(stage), escape(h)))
        .collect();
    fact(html, "Options (hash per stage)", &hashes.join(", "));
    if let Some(config) = &o.aggregate_config {
        fact(html, "Aggregate options", &options(config));
    }
    html.push_str("</table>\n</section>\n");
}

fn quality(html: &mut String, q: &Quality) {
    html.push_str("<section id=\"quality\">\n<h2>Data quality</h2>\n<h3>Rejects</h3>\n");
    let total: u64 = q.reject_counts.iter().map(|r| r.2).sum();
    if q.reject_counts.is_empty() {
        html.push_str("<p>No record was rejected.</p>\n");
    } else {
        html.push_str(
            "<table><thead><tr><th>Stage</th><th>Reason</th><th class=\"n\">Records</th></tr></thead><tbody>\n",
        );
        for (stage, reason, n) in &q.reject_counts {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(stage),
                escape(reason),
                thousands(*n)
            );
        }
        html.push_str("</tbody></table>\n");
        let _ = writeln!(
            html,
            "<details{}><summary>{} of {} rejects (the <code>rejects</code> table has them all)</summary>",
            if total <= 20 { " open" } else { "" },
            thousands(q.rejects.len() as u64),
            thousands(total)
        );
        html.push_str(
            "<table class=\"rejects\"><thead><tr><th>Source</th><th class=\"n\">Record</th><th>Stage</th><th>Reason</th><th>Detail</th></tr></thead><tbody>\n",
        );
        for r in &q.rejects {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.source),
                r.source_record,
                escape(&r.stage),
                escape(&r.reason),
                escape(&r.detail)
            );
        }
        html.push_str("</tbody></table></details>\n");
    }
    html.push_str("<h3>Records not read as documents</h3>\n");
    kinds(html, &q.skipped, "No input record was skipped.", "Kind");
    html.push_str("<h3>Languages not extracted</h3>\n");
    kinds(html, &q.not_extracted, "Every document's language is extracted.", "Language");
    html.push_str("<h3>Duplicates</h3>\n");
    if q.top_stories.is_empty() {
        html.push_str("<p>No story is reported by more than one document.</p>\n");
    } else {
        html.push_str(
            "<p>The stories with the most documents (each counts once in the <code>story</code> scope):</p>\n<table><thead><tr><th>Title</th><th>Story</th><th class=\"n\">Documents</th></tr></thead><tbody>\n",
        );
        for (title, id, n) in &q.top_stories {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
                escape(title),
                escape(id),
                thousands(*n)
            );
        }
        html.push_str("</tbody></table>\n");
    }
    html.push_str("</section>\n");
}

fn kinds(
    html: &mut String,
    counts: &std::collections::BTreeMap<String, u64>,
    none: &str,
    head: &str,
) {
    if counts.is_empty() {
        let _ = writeln!(html, "<p>{none}</p>");
        return;
    }
    let _ = writeln!(
        html,
        "<table><thead><tr><th>{head}</th><th class=\"n\">Records</th></tr></thead><tbody>"
    );
    for (k, n) in counts {
        let _ =
            writeln!(html, "<tr><td>{}</td><td class=\"n\">{}</td></tr>", escape(k), thousands(*n));
    }
    html.push_str("</tbody></table>\n");
}

/// `[aggregate]` options as `key value; ...` (HTML) from their JSON.
fn options(json: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return format!("<code>{}</code>", escape(json));
    };
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.is_empty() => "none".to_owned(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    map.iter()
        .map(|(k, v)| format!("<code>{}</code> {}", escape(k), escape(&value(v))))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A row of the facts table; `value` is HTML.
fn fact(html: &mut String, name: &str, value: &str) {
    let _ = writeln!(html, "<tr><th>{}</th><td>{value}</td></tr>", escape(name));
}

/// `name count, name count, ...` (HTML), the first `shown` and how many more.
fn counts(counts: &[(String, u64)], shown: usize) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    let mut parts: Vec<String> = counts
        .iter()
        .take(shown)
        .map(|(k, n)| format!("{} {}", escape(k), thousands(*n)))
        .collect();
    if counts.len() > shown {
        parts.push(format!("and {} more", counts.len() - shown));
    }
    parts.join(", ")
}

fn day(micros: i64) -> String {
    let (y, m, d) = entente_schema::civil_date(micros);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text as HTML or XML text or quoted attribute value: markup escaped, and the control
/// characters XML 1.0 forbids (HTML calls them parse errors) dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// JSON made safe inside `<script type="application/json">`: no `<` (so no `</script>` and no
/// `<!--`), `>` or `&` anywhere, and no line or paragraph separator. They can only occur
/// inside JSON strings, where the `\u` escapes mean the same characters.
pub(crate) fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// A CSP source expression for an inline element's exact content.
fn hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_attributes() {
        assert_eq!(
            escape("</script><img src=x onerror=alert(1)> \"a\" 'b' & <!--\u{1}\n"),
            "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &quot;a&quot; &apos;b&apos; &amp; &lt;!--\n"
        );
    }

    #[test]
    fn script_json_cannot_close_or_comment_the_script() {
        let json =
            serde_json::to_string(&["</script><!--\u{2028}&", "\"><svg onload=alert(1)>"]).unwrap();
        let safe = script_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, ["</script><!--\u{2028}&", "\"><svg onload=alert(1)>"]);
    }

    #[test]
    fn inline_code_cannot_end_its_element() {
        for (name, code) in [("cytoscape", CYTOSCAPE), ("report.js", SCRIPT), ("report.css", STYLE)]
        {
            let lower = code.to_ascii_lowercase();
            for bad in ["</script", "<!--", "</style"] {
                assert!(!lower.contains(bad), "{name} holds {bad}");
            }
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(22_250_000), "22,250,000");
    }

    #[test]
    fn hash_is_the_csp_form_of_sha256() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(hash("alert(1)"), "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
    }
}
