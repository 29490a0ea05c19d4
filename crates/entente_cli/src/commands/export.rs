//! `entente export graph`: the co-occurrence network of one scope as `GraphML`, GEXF or CSV.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum as _;
use entente_parquet::read_table;
use entente_schema::{Cooccurrence, EntitySummary, Scope};

use crate::args::{ExportGraphArgs, GraphFormat, Weight};
use crate::{Outcome, UsageError};
use entente_report::escape as xml;

/// An attribute value: text, a count, a measure, or nothing (null in the tables).
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(u32),
    Float(f64),
    Null,
}

impl Value {
    fn time(micros: Option<i64>) -> Self {
        micros
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map_or(Self::Null, |t| Self::Text(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
    }

    fn text(&self) -> Option<String> {
        match self {
            Self::Text(s) => Some(s.clone()),
            Self::Int(n) => Some(n.to_string()),
            Self::Float(x) => Some(x.to_string()),
            Self::Null => None,
        }
    }
}

/// The attribute names and types of nodes or edges, in column order.
struct Attributes(Vec<(&'static str, &'static str)>);

const NODE_ATTRIBUTES: [(&str, &str); 8] = [
    ("type", "string"),
    ("mentions", "long"),
    ("documents", "long"),
    ("sentences", "long"),
    ("stories", "long"),
    ("first_seen", "string"),
    ("last_seen", "string"),
    ("top_surface", "string"),
];

const EDGE_ATTRIBUTES: [(&str, &str); 15] = [
    ("count", "long"),
    ("count_a", "long"),
    ("count_b", "long"),
    ("n_units", "long"),
    ("pmi", "double"),
    ("npmi", "double"),
    ("llr", "double"),
    ("dice", "double"),
    ("n_docs", "long"),
    ("n_stories", "long"),
    ("first_published_at", "string"),
    ("last_published_at", "string"),
    ("first_doc_id", "string"),
    ("first_sentence_idx", "long"),
    ("scope", "string"),
];

struct Node {
    id: String,
    label: String,
    values: Vec<Value>,
}

struct Edge {
    source: String,
    target: String,
    weight: f64,
    values: Vec<Value>,
}

fn node(s: &EntitySummary) -> Node {
    let top = s.top_surfaces.first().map_or(Value::Null, |t| Value::Text(t.text.clone()));
    Node {
        id: s.entity_id.clone(),
        label: s.entity_name.clone(),
        values: vec![
            Value::Text(s.entity_type.as_str().to_owned()),
            Value::Int(s.mentions),
            Value::Int(s.documents),
            Value::Int(s.sentences),
            Value::Int(s.stories),
            Value::time(s.first_seen),
            Value::time(s.last_seen),
            top,
        ],
    }
}

fn edge(r: &Cooccurrence, weight: Weight) -> Edge {
    let weight = match weight {
        Weight::Count => f64::from(r.count),
        Weight::Pmi => r.pmi,
        Weight::Npmi => r.npmi,
        Weight::Llr => r.llr,
        Weight::Dice => r.dice,
    };
    Edge {
        source: r.entity_a.clone(),
        target: r.entity_b.clone(),
        weight,
        values: vec![
            Value::Int(r.count),
            Value::Int(r.count_a),
            Value::Int(r.count_b),
            Value::Int(r.n_units),
            Value::Float(r.pmi),
            Value::Float(r.npmi),
            Value::Float(r.llr),
            Value::Float(r.dice),
            Value::Int(r.n_docs),
            Value::Int(r.n_stories),
            Value::time(r.first_published_at),
            Value::time(r.last_published_at),
            Value::Text(r.first_doc_id.clone()),
            Value::Int(r.first_sentence_idx),
            Value::Text(r.scope.as_str().to_owned()),
        ],
    }
}

pub(crate) fn graph(args: &ExportGraphArgs) -> anyhow::Result<Outcome> {
    let usage = |msg: String| anyhow::Error::new(UsageError(msg));
    let scope = Scope::parse(&args.scope).ok_or_else(|| {
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        usage(format!("unknown scope {:?}: use one of {}", args.scope, names.join(", ")))
    })?;
    let dir = args.dir.as_path();
    let pairs: Vec<Cooccurrence> = read_table(dir).with_context(|| {
        format!("cannot read cooccurrences in {} (run `entente run` first)", dir.display())
    })?;
    let summary: Vec<EntitySummary> = read_table(dir).with_context(|| {
        format!("cannot read entity_summary in {} (run `entente run` first)", dir.display())
    })?;
    let counted: BTreeSet<Scope> = pairs.iter().map(|r| r.scope).collect();
    if !counted.contains(&scope) && !pairs.is_empty() {
        let names: Vec<&str> = counted.iter().map(|s| s.as_str()).collect();
        return Err(usage(format!(
            "{} has no {} pairs (this run counted: {}; see `aggregate.scopes`)",
            dir.display(),
            scope.as_str(),
            names.join(", ")
        )));
    }
    let edges: Vec<Edge> = pairs
        .iter()
        .filter(|r| r.scope == scope && r.count >= args.min_count)
        .map(|r| edge(r, args.weight))
        .collect();
    let linked: BTreeSet<&str> =
        edges.iter().flat_map(|e| [e.source.as_str(), e.target.as_str()]).collect();
    let nodes: Vec<Node> =
        summary.iter().filter(|s| linked.contains(s.entity_id.as_str())).map(node).collect();
    let (node_attrs, edge_attrs) =
        (Attributes(NODE_ATTRIBUTES.to_vec()), Attributes(EDGE_ATTRIBUTES.to_vec()));
    let default = match args.format {
        GraphFormat::Graphml => "graph.graphml",
        GraphFormat::Gexf => "graph.gexf",
        GraphFormat::Csv => "graph",
    };
    let out = args.output.clone().unwrap_or_else(|| dir.join(default));
    match args.format {
        GraphFormat::Graphml => {
            write_atomic(&out, &graphml(&nodes, &edges, &node_attrs, &edge_attrs))?;
        }
        GraphFormat::Gexf => {
            write_atomic(&out, &gexf(&nodes, &edges, &node_attrs, &edge_attrs))?;
        }
        GraphFormat::Csv => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create directory {}", out.display()))?;
            write_atomic(&out.join("nodes.csv"), &nodes_csv(&nodes, &node_attrs)?)?;
            write_atomic(&out.join("edges.csv"), &edges_csv(&edges, &edge_attrs)?)?;
        }
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "entente: {} nodes, {} edges ({} scope, weight {}, min count {}) in {}",
        nodes.len(),
        edges.len(),
        scope.as_str(),
        args.weight.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default(),
        args.min_count,
        out.display()
    )?;
    Ok(Outcome::Success)
}

/// Writes `text` to a hidden temporary file beside `path`, then renames it into place.
fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp: PathBuf = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn graphml(
    nodes: &[Node],
    edges: &[Edge],
    node_attrs: &Attributes,
    edge_attrs: &Attributes,
) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    let _ =
        writeln!(x, "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>");
    for (name, ty) in &node_attrs.0 {
        let _ = writeln!(
            x,
            "  <key id=\"n_{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    let _ = writeln!(
        x,
        "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>"
    );
    for (name, ty) in &edge_attrs.0 {
        let _ = writeln!(
            x,
            "  <key id=\"e_{name}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    x.push_str("  <graph id=\"entente\" edgedefault=\"undirected\">\n");
    for n in nodes {
        let _ = write!(
            x,
            "    <node id=\"{}\"><data key=\"label\">{}</data>",
            xml(&n.id),
            xml(&n.label)
        );
        for ((name, _), v) in node_attrs.0.iter().zip(&n.values) {
            if let Some(text) = v.text() {
                let _ = write!(x, "<data key=\"n_{name}\">{}</data>", xml(&text));
            }
        }
        x.push_str("</node>\n");
    }
    for e in edges {
        let _ = write!(
            x,
            "    <edge source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data>",
            xml(&e.source),
            xml(&e.target),
            e.weight
        );
        for ((name, _), v) in edge_attrs.0.iter().zip(&e.values) {
            if let Some(text) = v.text() {
                let _ = write!(x, "<data key=\"e_{name}\">{}</data>", xml(&text));
            }
        }
        x.push_str("</edge>\n");
    }
    x.push_str("  </graph>\n</graphml>\n");
    x
}

fn gexf(
    nodes: &[Node],
    edges: &[Edge],
    node_attrs: &Attributes,
    edge_attrs: &Attributes,
) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n  <meta><creator>entente</creator></meta>\n  <graph defaultedgetype=\"undirected\" mode=\"static\">\n",
    );
    for (class, attrs) in [("node", node_attrs), ("edge", edge_attrs)] {
        let _ = writeln!(x, "    <attributes class=\"{class}\">");
        for (i, (name, ty)) in attrs.0.iter().enumerate() {
            let _ = writeln!(x, "      <attribute id=\"{i}\" title=\"{name}\" type=\"{ty}\"/>");
        }
        x.push_str("    </attributes>\n");
    }
    let attvalues = |x: &mut String, values: &[Value]| {
        x.push_str("<attvalues>");
        for (i, v) in values.iter().enumerate() {
            if let Some(text) = v.text() {
                let _ = write!(x, "<attvalue for=\"{i}\" value=\"{}\"/>", xml(&text));
            }
        }
        x.push_str("</attvalues>");
    };
    x.push_str("    <nodes>\n");
    for n in nodes {
        let _ = write!(x, "      <node id=\"{}\" label=\"{}\">", xml(&n.id), xml(&n.label));
        attvalues(&mut x, &n.values);
        x.push_str("</node>\n");
    }
    x.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in edges.iter().enumerate() {
        let _ = write!(
            x,
            "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\">",
            xml(&e.source),
            xml(&e.target),
            e.weight
        );
        attvalues(&mut x, &e.values);
        x.push_str("</edge>\n");
    }
    x.push_str("    </edges>\n  </graph>\n</gexf>\n");
    x
}

fn csv_text(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(&row)?;
    }
    Ok(String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?)
}

fn nodes_csv(nodes: &[Node], attrs: &Attributes) -> anyhow::Result<String> {
    let mut header = vec!["Id".to_owned(), "Label".to_owned()];
    header.extend(attrs.0.iter().map(|(name, _)| (*name).to_owned()));
    csv_text(
        &header,
        nodes.iter().map(|n| {
            let mut row = vec![n.id.clone(), n.label.clone()];
            row.extend(n.values.iter().map(|v| v.text().unwrap_or_default()));
            row
        }),
    )
}

fn edges_csv(edges: &[Edge], attrs: &Attributes) -> anyhow::Result<String> {
    let mut header = ["Source", "Target", "Type", "Weight"].map(str::to_owned).to_vec();
    header.extend(attrs.0.iter().map(|(name, _)| (*name).to_owned()));
    csv_text(
        &header,
        edges.iter().map(|e| {
            let mut row = vec![
                e.source.clone(),
                e.target.clone(),
                "Undirected".to_owned(),
                e.weight.to_string(),
            ];
            row.extend(e.values.iter().map(|v| v.text().unwrap_or_default()));
            row
        }),
    )
}
