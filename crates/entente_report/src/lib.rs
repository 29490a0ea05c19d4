//! The report: one self-contained HTML file that shows what an output directory holds.
//!
//! [`render`] reads the tables of a run (only the columns it needs, a record batch at a time)
//! and writes a page with five panels: an overview of the corpus and the run, the top entities
//! per type with a trend sparkline each, the co-occurrence network of the strongest pairs
//! among the most mentioned entities (its layout computed here, so the same tables give the
//! same picture), trends per period for pairs and entities, and the data quality record
//! (rejects, skipped records, languages not extracted, duplicates).
//!
//! The page needs nothing but itself: its script, the vendored Cytoscape.js and its style are
//! inline, and its Content-Security-Policy allows exactly those (by their SHA-256) and
//! nothing else, not even a request for an image. Every string of the tables is untrusted
//! (titles and sentences come from arbitrary web pages): the overview and data quality panels
//! are HTML escaped here, the rest travels as JSON inside a `<script type="application/json">`
//! with every `<`, `>` and `&` escaped, and the page's script only ever sets text, never
//! markup.
//!
//! The same tables and [`Options`] give the same file, byte for byte: everything is sorted,
//! the layout is a fixed number of steps of plain arithmetic from fixed starting points, and
//! the page holds no time of its own making.
//!
//! ```no_run
//! let summary = entente_report::write(
//!     std::path::Path::new("output/default"),
//!     std::path::Path::new("output/default/report.html"),
//!     &entente_report::Options::default(),
//! )?;
//! println!("{} nodes, {} bytes", summary.nodes, summary.bytes);
//! # Ok::<(), entente_report::Error>(())
//! ```

mod axis;
mod error;
mod gather;
mod layout;
mod model;
mod page;
mod summary;

use std::path::Path;

pub use crate::error::Error;
pub use crate::page::escape;

/// How much of the tables goes into the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Network nodes: the most mentioned entities with at least one pair.
    pub max_nodes: usize,
    /// Edges per scope: the pairs among the nodes seen together most often.
    pub max_edges: usize,
    /// Entities listed per type in the entities panel (the network's nodes are always listed).
    pub entities_per_type: usize,
    /// Units of evidence shown per edge (at most the run's `aggregate.evidence_units`).
    pub evidence_per_edge: usize,
    /// Reject rows listed in the data quality panel (all are counted).
    pub max_rejects: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_nodes: 150,
            max_edges: 600,
            entities_per_type: 100,
            evidence_per_edge: 3,
            max_rejects: 200,
        }
    }
}

/// What a report holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Size of the HTML file.
    pub bytes: usize,
    /// Entities in the entities panel.
    pub entities: usize,
    /// Network nodes.
    pub nodes: usize,
    /// Network edges, over all scopes.
    pub edges: usize,
}

/// The report of the output directory `out` as one HTML page, and what it holds.
pub fn render(out: &Path, options: &Options) -> Result<(String, Summary), Error> {
    let report = gather::gather(out, options)?;
    let html = page::page(&report)?;
    let summary = Summary {
        bytes: html.len(),
        entities: report.data.entities.len(),
        nodes: report.data.nodes.len(),
        edges: report.data.scopes.iter().map(|s| s.edges.len()).sum(),
    };
    Ok((html, summary))
}

/// Writes the report of the output directory `out` to `file` (replaced whole: a temporary file
/// beside it is renamed over it) and says what it holds.
pub fn write(out: &Path, file: &Path, options: &Options) -> Result<Summary, Error> {
    let (html, summary) = render(out, options)?;
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}{}", entente_parquet::temporary_suffix()));
    let io = |source| Error::Io { path: file.to_owned(), source };
    std::fs::write(&tmp, html.as_bytes()).map_err(io)?;
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(summary)
}
