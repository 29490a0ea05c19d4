//! `entente run` and the single-stage commands: load the pipeline, call the run library,
//! print the tables it wrote. `entente pipeline` prints the pipeline a run would use.

use std::io::Write as _;

use entente_pipeline::{Pipeline, RunOptions, RunSummary, Stage};

use crate::Outcome;
use crate::args::{PipelineArgs, RunArgs};

/// The pipeline `args` name (the built-in default without `--pipeline`) with the
/// command-line overrides applied.
pub(crate) fn pipeline(args: &PipelineArgs) -> anyhow::Result<Pipeline> {
    let mut pipeline = Pipeline::load(args.pipeline.as_deref())?;
    if !args.inputs.is_empty() {
        pipeline.inputs.clone_from(&args.inputs);
    }
    if let Some(output) = &args.output {
        pipeline.output.clone_from(output);
    }
    if args.threads.is_some() {
        pipeline.threads = args.threads;
    }
    Ok(pipeline)
}

/// Runs every stage (`only = None`) or one of them and prints the tables; fails under
/// `--strict` when records were rejected.
pub(crate) fn run(args: &RunArgs, only: Option<Stage>, quiet: bool) -> anyhow::Result<Outcome> {
    let pipeline = pipeline(&args.pipeline)?;
    let options = RunOptions {
        only,
        from_scratch: args.from_scratch,
        progress: !quiet,
        ..RunOptions::default()
    };
    let summary = entente_pipeline::run(&pipeline, &options)?;
    print_summary(&summary)?;
    let rejected = summary.rejected();
    if args.strict && rejected > 0 {
        tracing::error!("--strict: {rejected} records were rejected (see rejects/)");
        return Ok(Outcome::Failure);
    }
    Ok(Outcome::Success)
}

/// Prints where the tables are and their row counts, then one line per reject reason and per
/// kind of record not read or not extracted.
fn print_summary(summary: &RunSummary) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let memory =
        summary.peak_memory_mib.map(|m| format!(", peak memory {m} MiB")).unwrap_or_default();
    writeln!(
        stdout,
        "entente: tables in {} ({:.1?}{memory})",
        summary.output.display(),
        summary.elapsed
    )?;
    for table in &summary.tables {
        let parts =
            if table.parts == 1 { "1 part".to_owned() } else { format!("{} parts", table.parts) };
        writeln!(
            stdout,
            "  {:<23} {:>9} rows  {:<8} {}/",
            table.name,
            table.rows,
            parts,
            table.path.display()
        )?;
    }
    for r in &summary.rejects {
        writeln!(
            stdout,
            "  rejected {:>9} {}/{}  e.g. {} record {}: {}",
            r.count, r.stage, r.reason, r.example.source, r.example.source_record, r.example.detail
        )?;
    }
    for (kind, n) in &summary.skipped {
        writeln!(stdout, "  skipped  {n:>9} {kind}")?;
    }
    for (language, n) in &summary.not_extracted {
        writeln!(
            stdout,
            "  not extracted {n:>4} documents in language {language:?} (extractable = false)"
        )?;
    }
    Ok(())
}

/// `entente pipeline`: the effective pipeline as TOML.
pub(crate) fn show_pipeline(args: &PipelineArgs) -> anyhow::Result<Outcome> {
    let text = pipeline(args)?.to_toml()?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}
