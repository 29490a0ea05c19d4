//! `entente report`: one self-contained HTML file, the same for the same tables, with every
//! table string escaped for where it lands. (`tests/python/test_report.py` drives it in
//! Chromium.)

use std::path::Path;

use crate::{entente, root, run_default, stderr};

/// `entente report <out> -o <file>`; the page. Panics unless it succeeds.
fn report(out: &Path, file: &Path) -> String {
    let output = entente(&["report", out.to_str().unwrap(), "-o", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::read_to_string(file).unwrap()
}

const DATA_OPEN: &str = r#"<script type="application/json" id="report-data">"#;

/// The JSON the page's script draws from, exactly as embedded.
fn raw_data(html: &str) -> &str {
    let (_, rest) = html.split_once(DATA_OPEN).expect("a data script");
    rest.split_once("</script>").unwrap().0
}

fn data(html: &str) -> serde_json::Value {
    serde_json::from_str(raw_data(html)).unwrap()
}

/// The page without the content of its script elements: what the HTML parser reads as markup.
fn markup(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some((before, after)) = rest.split_once("<script") {
        let (attributes, content) = after.split_once('>').unwrap();
        out.push_str(before);
        out.push_str("<script");
        out.push_str(attributes);
        out.push('>');
        rest = content.split_once("</script>").unwrap().1;
        out.push_str("</script>");
    }
    out.push_str(rest);
    out
}

/// The section with this id, 16-hex-digit codes (hashes of options, story ids) replaced:
/// they change with any option.
fn section(markup: &str, id: &str) -> String {
    let (_, rest) = markup.split_once(&format!("<section id=\"{id}\">")).unwrap();
    let body = rest.split_once("</section>").unwrap().0;
    let mut text = format!("<section id=\"{id}\">");
    let mut pieces = body.split("<code>");
    text.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        text.push_str("<code>");
        match piece.split_once("</code>") {
            Some((code, after))
                if code.len() == 16 && code.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                text.push_str("[hash]</code>");
                text.push_str(after);
            }
            _ => text.push_str(piece),
        }
    }
    text
}

/// A JSON number used as an index.
fn index(value: &serde_json::Value) -> usize {
    usize::try_from(value.as_u64().unwrap()).unwrap()
}

#[test]
fn same_tables_give_the_same_file_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_default(&one, &["--threads", "1"]);
    run_default(&two, &["--threads", "2"]);
    let a = report(&one, &dir.path().join("a.html"));
    let b = report(&two, &dir.path().join("b.html"));
    assert!(a == b, "reports of the same tables differ");
    assert_eq!(a, report(&one, &dir.path().join("again.html")));

    // Self-contained: nothing to fetch, and a policy that would refuse it anyway.
    let markup = markup(&a);
    assert!(markup.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &apos;none&apos;; script-src &apos;sha256-"
    ));
    assert!(!markup.contains(" src="), "an element loads something");
    for href in markup.split(" href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link out of the page: {}",
            href.chars().take(40).collect::<String>()
        );
    }
    assert_eq!(a.matches("<script").count(), 3, "the data, Cytoscape.js and the page's script");
}

#[test]
fn overview_and_data_quality_of_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_default(&out, &[]);
    let html = report(&out, &dir.path().join("report.html"));
    let markup = markup(&html);
    insta::assert_snapshot!("report@overview", section(&markup, "overview"));
    insta::assert_snapshot!("report@quality", section(&markup, "quality"));
}

#[test]
fn every_edge_shows_evidence_with_both_entities_marked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_default(&out, &[]);
    let data = data(&report(&out, &dir.path().join("report.html")));
    let (nodes, entities) =
        (data["nodes"].as_array().unwrap(), data["entities"].as_array().unwrap());
    let sentences = data["sentences"].as_array().unwrap();
    assert!(!nodes.is_empty() && nodes.len() <= 150, "{} nodes", nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let e = &entities[index(&node["e"])];
        assert_eq!(index(&e["node"]), i, "{e}");
    }
    let scopes = data["scopes"].as_array().unwrap();
    assert_eq!(
        scopes.iter().map(|s| s["scope"].as_str().unwrap()).collect::<Vec<_>>(),
        ["sentence", "window", "document", "story"]
    );
    let mut units = 0;
    for scope in scopes {
        let edges = scope["edges"].as_array().unwrap();
        assert!(!edges.is_empty() && edges.len() <= 600);
        let counts: Vec<u64> = edges.iter().map(|e| e["count"].as_u64().unwrap()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "edges not strongest first");
        for edge in edges {
            let entity = |end: &str| index(&nodes[index(&edge[end])]["e"]);
            let (a, b) = (entity("a"), entity("b"));
            let evidence = edge["evidence"].as_array().unwrap();
            assert!(!evidence.is_empty() && evidence.len() <= 3, "{edge}");
            for unit in evidence {
                units += 1;
                let marked: Vec<(usize, String)> = unit["s"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|s| {
                        let s = &sentences[index(s)];
                        let text: Vec<char> = s["text"].as_str().unwrap().chars().collect();
                        s["m"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(move |m| {
                                let (start, end) = (index(&m[0]), index(&m[1]));
                                (index(&m[2]), text[start..end].iter().collect())
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                for e in [a, b] {
                    assert!(
                        marked.iter().any(|(m, text)| *m == e && !text.trim().is_empty()),
                        "{} not marked in the evidence of {edge}",
                        entities[e]["id"]
                    );
                }
            }
        }
    }
    assert!(units > 100, "{units} units of evidence");
}

#[test]
fn hostile_strings_show_as_written_and_never_as_markup() {
    let payload = r#"</script><img src=x onerror=alert(1)> <!-- "><svg onload=alert(1)>"#;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let pipeline = root().join("crates/entente_report/tests/hostile/pipeline.toml");
    let run = entente(&["run", "-p", pipeline.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let html = report(&out, &dir.path().join("report.html"));

    assert_eq!(html.matches("<script").count(), 3, "a script element was injected");
    assert_eq!(html.matches("</script>").count(), 3, "a script element was closed early");
    let markup = markup(&html);
    for tag in ["<img", "<svg", "<!-- "] {
        assert!(!markup.contains(tag), "{tag} in the markup");
    }
    // The title (duplicates table) and the site (overview), escaped as text.
    let escaped = "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &lt;!-- &quot;&gt;&lt;svg onload=alert(1)&gt;";
    assert!(
        markup.contains(&format!("<td>Talks {escaped}</td>")),
        "{}",
        section(&markup, "quality")
    );
    assert!(markup.contains(&format!("Site {escaped} 2")), "{}", section(&markup, "overview"));
    insta::assert_snapshot!("report@hostile-quality", section(&markup, "quality"));
    assert!(
        markup.contains("<td>the pipeline report-hostile, entente "),
        "{}",
        section(&markup, "overview")
    );

    // The JSON holds no `<`, `>` or `&` at all, and gives the strings back exactly.
    let raw = raw_data(&html);
    assert!(!raw.contains(['<', '>', '&']));
    let data = data(&html);
    let names: Vec<&str> =
        data["entities"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&payload), "{names:?}");
    let titles: Vec<&str> =
        data["docs"].as_array().unwrap().iter().filter_map(|d| d["title"].as_str()).collect();
    assert!(titles.contains(&format!("Talks {payload}").as_str()), "{titles:?}");
    assert!(
        data["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains(payload)),
        "no evidence sentence holds the payload"
    );
}

#[test]
fn a_directory_without_tables_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = entente(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("no documents table here"), "{err}");
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(!dir.path().join("report.html").exists());
}
