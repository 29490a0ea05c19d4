//! One module per subcommand; [`dispatch`] picks it.

mod eval;
mod export;
mod report;
mod run;
mod schema;
mod validate;

use entente_pipeline::Stage;

use crate::Outcome;
use crate::args::{Cli, Command, EvalCommand, ExportCommand, TrainCommand};

/// Runs the subcommand.
pub(crate) fn dispatch(cli: &Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Run(args) => run::run(args, None, cli.quiet),
        Command::Ingest(args) => run::run(args, Some(Stage::Ingest), cli.quiet),
        Command::Normalise(args) => run::run(args, Some(Stage::Normalise), cli.quiet),
        Command::Extract(args) => run::run(args, Some(Stage::Extract), cli.quiet),
        Command::Aggregate(args) => run::run(args, Some(Stage::Aggregate), cli.quiet),
        Command::Pipeline(args) => run::show_pipeline(args),
        Command::Eval(EvalCommand::Html(args)) => eval::html(args),
        Command::Eval(EvalCommand::Sentences(args)) => eval::sentences(args),
        Command::Eval(EvalCommand::Ner(args)) => eval::ner(args),
        Command::Train(TrainCommand::Ner(args)) => eval::train_ner(args),
        Command::Schema(args) => schema::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Export(ExportCommand::Graph(args)) => export::graph(args),
        Command::Report(args) => report::run(args),
    }
}
