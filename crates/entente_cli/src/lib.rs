//! The `entente` command-line tool: parses arguments, loads the pipeline, calls the run
//! library (`entente_pipeline`) and prints what it returns. It holds no transformation or
//! orchestration logic.
//!
//! Exit codes: 0 on success (rejected records are reported, not fatal), 1 when the run fails
//! or `validate` finds a violation, 2 on usage errors (bad arguments or pipeline file).
// stdout is written with `writeln!` on a locked handle, never `println!` (which panics on a
// closed pipe): `clippy::print_stdout` (workspace lint) keeps it so.

pub use crate::args::Cli;

mod args;
mod commands;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// An error in how entente was called (arguments, pipeline file): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The outcome of a command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything held.
    Success,
    /// The command ran but found problems (e.g. `validate` found violations).
    Failure,
}

/// Runs the tool with the process arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match commands::dispatch(&cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {}", message(&err));
            let config = err
                .downcast_ref::<entente_pipeline::Error>()
                .is_some_and(entente_pipeline::Error::is_config);
            if config || err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// The error and its causes, each once ([`entente_pipeline::chain_message`]).
fn message(err: &anyhow::Error) -> String {
    entente_pipeline::chain_message(err.as_ref())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "info",
        (false, 1) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn causes_are_printed_once() {
        let io = std::io::Error::other("File too large");
        let named = anyhow::Error::new(io).context("out/part-0.parquet: File too large");
        let err = named.context("cannot write table documents");
        assert_eq!(
            super::message(&err),
            "cannot write table documents: out/part-0.parquet: File too large"
        );
        let plain = anyhow::anyhow!("disk gone").context("cannot write table sentences");
        assert_eq!(super::message(&plain), "cannot write table sentences: disk gone");
    }
}
