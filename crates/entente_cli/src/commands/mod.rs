//! One module per subcommand; [`dispatch`] picks it.

mod schema;
mod stages;
mod validate;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Cli, Command};
use crate::{Outcome, PipelineConfig};

pub(crate) use stages::Stage;

/// Runs the subcommand.
pub(crate) fn dispatch(cli: &Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Run(args) => stages::run(&PipelineConfig::load(args)?, None, cli.quiet),
        Command::Ingest(args) => {
            stages::run(&PipelineConfig::load(args)?, Some(Stage::Ingest), cli.quiet)
        }
        Command::Normalise(args) => {
            stages::run(&PipelineConfig::load(args)?, Some(Stage::Normalise), cli.quiet)
        }
        Command::Extract(args) => {
            stages::run(&PipelineConfig::load(args)?, Some(Stage::Extract), cli.quiet)
        }
        Command::Aggregate(args) => {
            stages::run(&PipelineConfig::load(args)?, Some(Stage::Aggregate), cli.quiet)
        }
        Command::Schema(args) => schema::run(args),
        Command::Validate(args) => validate::run(args),
    }
}

/// A progress bar on stderr when it is a terminal (and not `--quiet`), else a hidden one.
pub(crate) fn progress(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg:<10} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
