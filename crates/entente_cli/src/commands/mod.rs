//! One module per subcommand; [`dispatch`] picks it.

mod eval;
mod export;
mod schema;
mod stages;
mod state;
mod validate;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Cli, Command, EvalCommand, ExportCommand, TrainCommand};
use crate::{Outcome, PipelineConfig};

pub(crate) use stages::Stage;

/// Runs the subcommand.
pub(crate) fn dispatch(cli: &Cli) -> anyhow::Result<Outcome> {
    let stage = |args: &crate::args::RunArgs, only| {
        stages::run(&PipelineConfig::load(args)?, only, args.strict, cli.quiet, args.from_scratch)
    };
    match &cli.command {
        Command::Run(args) => stage(args, None),
        Command::Ingest(args) => stage(args, Some(Stage::Ingest)),
        Command::Normalise(args) => stage(args, Some(Stage::Normalise)),
        Command::Extract(args) => stage(args, Some(Stage::Extract)),
        Command::Aggregate(args) => stage(args, Some(Stage::Aggregate)),
        Command::Eval(EvalCommand::Html(args)) => eval::html(args),
        Command::Eval(EvalCommand::Sentences(args)) => eval::sentences(args),
        Command::Eval(EvalCommand::Ner(args)) => eval::ner(args),
        Command::Train(TrainCommand::Ner(args)) => eval::train_ner(args),
        Command::Schema(args) => schema::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Export(ExportCommand::Graph(args)) => export::graph(args),
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
