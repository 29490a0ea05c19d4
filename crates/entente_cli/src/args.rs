//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn a folder of news articles into Parquet tables of documents, sentences, entity
/// mentions and entity co-occurrences.
#[derive(Debug, Parser)]
#[command(name = "entente", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
    /// More log output (-v: debug, -vv: trace). `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every stage: ingest, normalise, extract, aggregate.
    Run(RunArgs),
    /// Read the input files into `documents` (raw text).
    Ingest(RunArgs),
    /// Repair `documents.text`, remove boilerplate, identify languages, split `sentences`,
    /// group duplicate stories: writes `documents`, `sentences`, `text_edits`, `boilerplate`.
    Normalise(RunArgs),
    /// Find entity mentions in `sentences`: writes `entities`.
    Extract(RunArgs),
    /// Count co-occurrences: writes `cooccurrences` and `entity_summary`.
    Aggregate(RunArgs),
    /// Print the effective pipeline as TOML: the file (or the built-in default) with the
    /// command-line overrides applied and every option written out.
    Pipeline(PipelineArgs),
    /// Print the table contract: every table, its key and its columns.
    Schema(SchemaArgs),
    /// Check every invariant of the contract on an output directory.
    Validate(ValidateArgs),
    /// Write tables in other tools' formats.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write one self-contained HTML report of an output directory: overview, top entities
    /// with trends, the co-occurrence network with its evidence, trends, data quality.
    Report(ReportArgs),
    /// Score a stage against gold data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Train a model from gold data.
    #[command(subcommand)]
    Train(TrainCommand),
}

/// What `entente train` trains.
#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// The statistical name tagger, on `CoNLL`-style JSONL (`doc_id`, `text` of tokens joined
    /// by spaces, `entities`, `sentence_spans`).
    Ner(TrainNerArgs),
}

/// Options of `entente train ner`.
#[derive(Debug, Args)]
pub struct TrainNerArgs {
    /// Training data (repeatable; a file named twice counts twice). A file that labels some
    /// kinds of name but never another (tweets: no MISC) does not teach the tagger to leave
    /// that kind out; a file that labels no name at all teaches that its text has none.
    #[arg(long, value_name = "FILE", required_unless_present = "train_for")]
    pub train: Vec<PathBuf>,
    /// Training data of one kind of text ("social=btc.jsonl", "encyclopedia=wiki.jsonl";
    /// repeatable): its documents train the shared weights and that kind's own, and the
    /// model written holds both, for `[extract] text` (the `--train` files train the shared
    /// weights, which news reads with alone).
    #[arg(long, value_name = "KIND=FILE", value_parser = parse_text_file)]
    pub train_for: Vec<(entente_extract::tagger::TextKind, PathBuf)>,
    /// The kind of text the `--dev` files are read as, with a model trained with
    /// `--train-for`.
    #[arg(long, value_name = "KIND", default_value = "news", value_parser = parse_text)]
    pub text: entente_extract::tagger::TextKind,
    /// Where to write the model.
    #[arg(long, value_name = "FILE", default_value = "crates/entente_extract/data/ner.model.zst")]
    pub out: PathBuf,
    /// Passes over the training data (the shipped models took 28).
    #[arg(long, default_value_t = 28)]
    pub epochs: usize,
    /// Leave out features whose every averaged weight is at most this many perceptron
    /// updates: a smaller, faster model. Lower it for a small training set, whose few
    /// updates would otherwise leave little.
    #[arg(long, default_value_t = entente_extract::tagger::PRUNE)]
    pub prune: f32,
    /// Gold files to score the new model on after training (repeatable).
    #[arg(long, value_name = "FILE")]
    pub dev: Vec<PathBuf>,
}

/// What `entente eval` scores.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Main-text extraction from web pages, with the Zyte article-extraction benchmark's
    /// metric (word 4-gram shingle precision, recall and F1, averaged over pages).
    Html(EvalHtmlArgs),
    /// Sentence segmentation: exact matches and boundary precision, recall and F1 against gold
    /// sentences, whitespace ignored; one line per gold file.
    Sentences(EvalSentencesArgs),
    /// Entity recognition: exact-span precision, recall and F1 against gold entities, with
    /// entente's types mapped to PER, ORG, LOC and MISC; one block per gold file. Each record
    /// runs through normalise and extract with its gold sentences on lines of their own.
    Ner(EvalNerArgs),
}

/// Options of `entente eval ner`.
#[derive(Debug, Args)]
pub struct EvalNerArgs {
    /// A JSONL file of `{"doc_id", "text", "entities": [{"start", "end", "label"}]}` records,
    /// offsets in code points (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub gold: Vec<PathBuf>,
    /// The pipeline whose `[normalise]` and `[extract]` options (and gazetteers) to use
    /// (default: the built-in default pipeline).
    #[arg(short, long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// Write every missed and every spurious mention to this JSONL file (`{"gold_file",
    /// "doc_id", "kind", "start", "end", "label", "text", "context"}`), for error analysis.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Score without this post-tagger pass (repeatable), to measure what it does: one of
    /// common-words, of-heads, articles, stage-names, head-words, nationality-prefix,
    /// currencies, abbreviations, hyphen-compounds, hint-places, quoted-titles, definitions,
    /// company-short-forms, surnames, place-people, capitals.
    #[arg(long, value_name = "PASS", value_parser = parse_pass)]
    pub without_pass: Vec<entente_extract::Pass>,
    /// Tag with this model file (as `entente train ner` writes it) instead of the built-in
    /// one, to score a model trained on other data.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Read the gold texts as this kind of text (news, social, encyclopedia, or auto: each
    /// document as the kind it reads like) instead of the pipeline's `[extract] text`.
    #[arg(long, value_name = "KIND", value_parser = parse_text)]
    pub text: Option<entente_extract::tagger::TextKind>,
}

/// A kind of text by its name.
fn parse_text(name: &str) -> Result<entente_extract::tagger::TextKind, String> {
    entente_extract::tagger::TextKind::parse(name).ok_or_else(|| {
        let names: Vec<&str> =
            entente_extract::tagger::TextKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("no kind of text is called {name:?}; the kinds are {}", names.join(", "))
    })
}

/// `KIND=FILE`: training data of one kind of text.
fn parse_text_file(arg: &str) -> Result<(entente_extract::tagger::TextKind, PathBuf), String> {
    let (kind, file) = arg
        .split_once('=')
        .ok_or_else(|| format!("{arg:?} is not KIND=FILE (social=btc.jsonl)"))?;
    match parse_text(kind)? {
        entente_extract::tagger::TextKind::News => {
            Err("news has no weights of its own: give its files with --train".to_owned())
        }
        entente_extract::tagger::TextKind::Auto => {
            Err("auto chooses a kind per document: name the kind of the file".to_owned())
        }
        kind => Ok((kind, PathBuf::from(file))),
    }
}

/// A post-tagger pass by its name.
fn parse_pass(name: &str) -> Result<entente_extract::Pass, String> {
    entente_extract::Pass::parse(name).ok_or_else(|| {
        let names: Vec<&str> = entente_extract::Pass::ALL.iter().map(|p| p.name()).collect();
        format!("no pass is called {name:?}; the passes are {}", names.join(", "))
    })
}

/// Options of `entente eval sentences`.
#[derive(Debug, Args)]
pub struct EvalSentencesArgs {
    /// A JSONL file of `{"id" | "doc_id", "text", "sentences": [...]}` records (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub gold: Vec<PathBuf>,
    /// The pipeline whose `[normalise]` options to use (abbreviations, repairs; default: the
    /// built-in default pipeline).
    #[arg(short, long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// Print every record whose sentences do not match, gold and predicted.
    #[arg(long)]
    pub show_errors: bool,
}

/// Options of `entente eval html`.
#[derive(Debug, Args)]
pub struct EvalHtmlArgs {
    /// A JSONL file of `{"id", "html_path", "expected_text"}` cases; `html_path` is relative
    /// to the file and may be compressed (`.gz`, `.zst`, `.bz2`).
    #[arg(long, value_name = "FILE")]
    pub cases: PathBuf,
    /// How many of the worst pages to list.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
    /// Exit with status 1 when the benchmark F1 is below this.
    #[arg(long, value_name = "F1")]
    pub min_f1: Option<f64>,
}

/// Which pipeline, and the command-line overrides of its paths and threads.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// The pipeline file; paths inside it are relative to the file's directory. Without it,
    /// the built-in default pipeline (`entente pipeline` prints it): data/ into
    /// output/default/, relative to the working directory.
    #[arg(short, long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// Input files or directories, instead of the pipeline's `inputs` (repeatable).
    #[arg(short, long = "input", value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Output directory, instead of the pipeline's `output`.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: the pipeline's `threads`, else one per core). The tables do
    /// not depend on it.
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
}

/// Options shared by `run` and the single-stage commands.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The pipeline and its overrides.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Exit with status 1 when any record was rejected (the tables are still written).
    #[arg(long)]
    pub strict: bool,
    /// Ignore what the last `entente run` into the output directory left (`_state/`) and run
    /// every stage on every file. Without it, `run` reuses the batches whose files and options
    /// are unchanged; single stages always run on everything.
    #[arg(long)]
    pub from_scratch: bool,
}

/// Options of `entente schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Markdown)]
    pub format: SchemaFormat,
}

/// How `entente schema` prints the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    /// A Markdown data dictionary (what the README shows).
    Markdown,
    /// JSON, for tools.
    Json,
}

/// Options of `entente validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The output directory to check, e.g. `output/default`.
    pub dir: PathBuf,
    /// Print at most this many violations (all are counted).
    #[arg(long, default_value_t = 50)]
    pub max_shown: usize,
}

/// Options of `entente report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The output directory of a run, e.g. `output/default`.
    pub dir: PathBuf,
    /// Where to write the HTML file (default: `report.html` inside DIR).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Network nodes: the most mentioned entities that have a pair.
    #[arg(long, default_value_t = entente_report::Options::default().max_nodes)]
    pub max_nodes: usize,
    /// Network edges per scope: the pairs among the nodes seen together most often.
    #[arg(long, default_value_t = entente_report::Options::default().max_edges)]
    pub max_edges: usize,
    /// Entities listed per type in the entities panel.
    #[arg(long, default_value_t = entente_report::Options::default().entities_per_type)]
    pub entities_per_type: usize,
    /// Units of evidence shown per edge.
    #[arg(long, default_value_t = entente_report::Options::default().evidence_per_edge)]
    pub evidence: usize,
}

/// What `entente export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The co-occurrence network of one scope, for Gephi, networkx, igraph or Cytoscape:
    /// edges are the pairs kept (with their counts and measures, the chosen one as `weight`),
    /// nodes the entities with at least one of them (with their `entity_summary` columns).
    Graph(ExportGraphArgs),
}

/// Options of `entente export graph`.
#[derive(Debug, Args)]
pub struct ExportGraphArgs {
    /// The output directory of a run, e.g. `output/default`.
    pub dir: PathBuf,
    /// File format: `GraphML`, GEXF 1.2, or CSV (a directory with `nodes.csv` and `edges.csv`,
    /// Gephi's spreadsheet import format).
    #[arg(long, value_enum, default_value_t = GraphFormat::Graphml)]
    pub format: GraphFormat,
    /// Where to write (default: `graph.graphml`, `graph.gexf` or `graph/` inside DIR).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The scope whose pairs become edges: sentence, window, document or story.
    #[arg(long, default_value = "sentence")]
    pub scope: String,
    /// The measure written as the edge weight.
    #[arg(long, value_enum, default_value_t = Weight::Count)]
    pub weight: Weight,
    /// Leave out pairs seen together in fewer units.
    #[arg(long, default_value_t = 1)]
    pub min_count: u32,
}

/// File format of `entente export graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// `GraphML` (networkx, igraph, Gephi, Cytoscape, yEd).
    Graphml,
    /// GEXF 1.2 (Gephi, networkx).
    Gexf,
    /// `nodes.csv` and `edges.csv` (Gephi's data laboratory, pandas, igraph).
    Csv,
}

/// The measure used as edge weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Weight {
    /// Units with both entities.
    Count,
    /// Pointwise mutual information (can be negative).
    Pmi,
    /// Normalised PMI, in [-1, 1] (can be negative).
    Npmi,
    /// Dunning's G².
    Llr,
    /// Dice coefficient.
    Dice,
}
