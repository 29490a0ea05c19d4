//! `entente report`: one self-contained HTML file of an output directory.

use std::io::Write as _;

use anyhow::Context as _;

use crate::Outcome;
use crate::args::ReportArgs;

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let options = entente_report::Options {
        max_nodes: args.max_nodes,
        max_edges: args.max_edges,
        entities_per_type: args.entities_per_type,
        evidence_per_edge: args.evidence,
        ..entente_report::Options::default()
    };
    let out = args.output.clone().unwrap_or_else(|| args.dir.join("report.html"));
    let summary = entente_report::write(&args.dir, &out, &options)
        .with_context(|| format!("cannot make the report of {}", args.dir.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "entente: report of {} in {} ({} kB): {} entities, {} nodes, {} edges",
        args.dir.display(),
        out.display(),
        summary.bytes.div_ceil(1000),
        summary.entities,
        summary.nodes,
        summary.edges
    )?;
    Ok(Outcome::Success)
}
