//! `entente eval html`: main-text extraction scored against hand-annotated pages.
//! `entente eval sentences`: sentence segmentation scored against gold sentences.
//! `entente eval ner`: entity recognition scored against gold entities.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use entente_ingest::eval::{Score, score, summarize};
use entente_ingest::{IngestConfig, ingest_file};
use rayon::prelude::*;
use serde::Deserialize;

use crate::args::{EvalHtmlArgs, EvalNerArgs, EvalSentencesArgs, TrainNerArgs};
use entente_pipeline::{ExtractFiles, Pipeline};

use crate::Outcome;

/// One line of a cases file.
#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    html_path: String,
    expected_text: String,
}

/// Runs every case through the same ingest path as `entente run` and prints the scores.
pub(crate) fn html(args: &EvalHtmlArgs) -> anyhow::Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    let text = std::fs::read_to_string(&args.cases)
        .with_context(|| format!("cannot read cases file {}", args.cases.display()))?;
    let base = args.cases.parent().unwrap_or(Path::new(""));
    let cases = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<Case>(l)
                .with_context(|| format!("{} line {}: not a case", args.cases.display(), i + 1))
        })
        .collect::<anyhow::Result<Vec<Case>>>()?;
    anyhow::ensure!(!cases.is_empty(), "{} has no cases", args.cases.display());
    let started = Instant::now();
    // The benchmark's expected text is the article's body, without its headline.
    let config = IngestConfig { headline: false, ..IngestConfig::default() };
    let scored = cases
        .par_iter()
        .map(|case| {
            let path = base.join(&case.html_path);
            let bytes = std::fs::read(&path)
                .with_context(|| format!("case {}: cannot read {}", case.id, path.display()))?;
            let out = ingest_file(&case.html_path, &bytes, &config);
            let extracted = out.documents.first().map_or("", |d| d.raw_text.as_str());
            Ok((case, score(&case.expected_text, extracted), bytes.len()))
        })
        .collect::<anyhow::Result<Vec<(&Case, Score, usize)>>>()?;
    let elapsed = started.elapsed();
    let page_scores: Vec<Score> = scored.iter().map(|(_, s, _)| *s).collect();
    let summary = summarize(&page_scores);
    let bytes: usize = scored.iter().map(|(_, _, n)| n).sum();
    #[allow(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let megabytes = bytes as f64 / 1e6;
    writeln!(stdout, "pages      {}", summary.pages)?;
    writeln!(stdout, "precision  {:.4}", summary.precision)?;
    writeln!(stdout, "recall     {:.4}", summary.recall)?;
    writeln!(
        stdout,
        "F1         {:.4}  (of mean precision and mean recall, as the benchmark reports)",
        summary.f1
    )?;
    writeln!(stdout, "page F1    {:.4}  (mean of per-page F1)", summary.mean_page_f1)?;
    writeln!(
        stdout,
        "time       {:.2?} for {:.1} MB on {} threads",
        elapsed,
        megabytes,
        rayon::current_num_threads()
    )?;
    let mut worst: Vec<&(&Case, Score, usize)> = scored.iter().collect();
    worst.sort_by(|a, b| a.1.f1().total_cmp(&b.1.f1()).then_with(|| a.0.id.cmp(&b.0.id)));
    if args.worst > 0 {
        writeln!(stdout, "\nworst pages:\n  {:>6} {:>6} {:>6}  id", "F1", "P", "R")?;
        for (case, s, _) in worst.iter().take(args.worst) {
            writeln!(
                stdout,
                "  {:>6.3} {:>6.3} {:>6.3}  {}",
                s.f1(),
                s.precision,
                s.recall,
                case.id
            )?;
        }
    }
    match args.min_f1 {
        Some(min) if summary.f1 < min => {
            tracing::error!("F1 {:.4} is below --min-f1 {min}", summary.f1);
            Ok(Outcome::Failure)
        }
        _ => Ok(Outcome::Success),
    }
}

/// Scores the normalise stage's sentences on each gold file and prints one line per file.
pub(crate) fn sentences(args: &EvalSentencesArgs) -> anyhow::Result<Outcome> {
    use entente_normalise::eval::{GoldRecord, RecordResult, evaluate, summarize};
    let mut stdout = std::io::stdout().lock();
    let config = Pipeline::load(args.pipeline.as_deref())?;
    let normaliser = entente_normalise::Normaliser::new(&config.normalise)?;
    let mut rows = Vec::new();
    for path in &args.gold {
        let mut records: Vec<GoldRecord> = read_jsonl(path)?;
        for (i, record) in records.iter_mut().enumerate() {
            if record.id.is_empty() {
                record.id = format!("record {}", i + 1);
            }
        }
        let started = Instant::now();
        let results: Vec<RecordResult> =
            records.par_iter().map(|r| evaluate(&normaliser, r)).collect();
        let elapsed = started.elapsed();
        if args.show_errors {
            for (record, result) in records.iter().zip(&results).filter(|(_, r)| !r.exact) {
                writeln!(stdout, "✗ {} ({})", record.id, path.display())?;
                for s in &record.sentences {
                    writeln!(
                        stdout,
                        "    gold: {}",
                        s.split_whitespace().collect::<Vec<_>>().join(" ")
                    )?;
                }
                for s in &result.sentences {
                    writeln!(stdout, "    ours: {s}")?;
                }
            }
        }
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        rows.push((name, summarize(&results), elapsed));
    }
    writeln!(
        stdout,
        "{:<32} {:>7} {:>7} {:>9} {:>7} {:>7}  time",
        "gold file", "records", "exact", "precision", "recall", "F1"
    )?;
    for (name, s, elapsed) in rows {
        writeln!(
            stdout,
            "{name:<32} {:>7} {:>7} {:>9.4} {:>7.4} {:>7.4}  {elapsed:.2?}",
            s.records, s.exact, s.precision, s.recall, s.f1
        )?;
    }
    Ok(Outcome::Success)
}

/// Reads a JSONL file of gold records, naming the line that does not parse.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read gold file {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<T>(l)
                .with_context(|| format!("{} line {}: not a gold record", path.display(), i + 1))
        })
        .collect()
}

/// Runs each gold document through normalise and extract, maps the mentions back to the
/// gold text and prints exact-span scores per label.
pub(crate) fn ner(args: &EvalNerArgs) -> anyhow::Result<Outcome> {
    let mut config = Pipeline::load(args.pipeline.as_deref())?;
    if let Some(text) = args.text {
        config.extract.text = text;
    }
    let passes =
        args.without_pass.iter().fold(entente_extract::Passes::all(), |p, &w| p.without(w));
    // A model file given replaces the shipped tagger, which is then not loaded.
    let mut shipped = config.clone();
    shipped.extract.model &= args.model.is_none();
    let mut extractor = ExtractFiles::read(&config)?.extractor(&shipped)?.with_passes(passes);
    if let Some(path) = &args.model {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let tagger = read_model(&bytes, config.extract.text)
            .with_context(|| format!("cannot read the model {}", path.display()))?;
        extractor = extractor.with_tagger(Some(tagger));
    }
    if !args.without_pass.is_empty() {
        let names: Vec<&str> = args.without_pass.iter().map(|p| p.name()).collect();
        tracing::info!("scoring without the passes {}", names.join(", "));
    }
    let normaliser = entente_normalise::Normaliser::new(&config.normalise)?;
    let errors = print_ner_scores(&extractor, &normaliser, &args.gold)?;
    if let Some(path) = &args.errors {
        let mut out = Vec::new();
        for e in &errors {
            serde_json::to_writer(&mut out, e)?;
            out.push(b'\n');
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
        tracing::info!("{} errors written to {}", errors.len(), path.display());
    }
    Ok(Outcome::Success)
}

/// A mention the tagger missed or found where gold has none (same span and label).
#[derive(Debug, serde::Serialize)]
struct NerError {
    gold_file: String,
    doc_id: String,
    /// "missed" (in gold, not found) or "spurious" (found, not in gold).
    kind: &'static str,
    start: u32,
    end: u32,
    label: String,
    text: String,
    /// The mention with up to 40 code points either side, on one line.
    context: String,
}

/// The missed and spurious mentions of one record.
fn ner_errors(
    gold_file: &str,
    doc: &entente_extract::eval::GoldDoc,
    predicted: &[(u32, u32, &str)],
    gold: &[(u32, u32, &str)],
) -> Vec<NerError> {
    let chars: Vec<char> = doc.text.chars().collect();
    let slice = |s: u32, e: u32| -> String {
        let (s, e) = (s as usize, e as usize);
        chars.get(s.min(chars.len())..e.min(chars.len())).unwrap_or_default().iter().collect()
    };
    let error = |kind, &(s, e, label): &(u32, u32, &str)| NerError {
        gold_file: gold_file.to_owned(),
        doc_id: doc.doc_id.clone(),
        kind,
        start: s,
        end: e,
        label: label.to_owned(),
        text: slice(s, e),
        context: format!(
            "{}[{}]{}",
            slice(s.saturating_sub(40), s),
            slice(s, e),
            slice(e, e.saturating_add(40))
        )
        .replace('\n', " "),
    };
    let mut out: Vec<NerError> =
        gold.iter().filter(|m| !predicted.contains(m)).map(|m| error("missed", m)).collect();
    out.extend(predicted.iter().filter(|m| !gold.contains(m)).map(|m| error("spurious", m)));
    out.sort_by_key(|e| (e.start, e.end, e.kind));
    out
}

fn print_ner_scores(
    extractor: &entente_extract::Extractor,
    normaliser: &entente_normalise::Normaliser,
    gold: &[std::path::PathBuf],
) -> anyhow::Result<Vec<NerError>> {
    use entente_extract::eval::{GoldDoc, conll_label, score, sum};
    let mut errors = Vec::new();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{:<28} {:<5} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7}",
        "gold file", "label", "gold", "found", "correct", "precision", "recall", "F1"
    )?;
    for path in gold {
        let docs: Vec<GoldDoc> = read_jsonl(path)?;
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let started = Instant::now();
        let scored: Vec<_> = docs
            .par_iter()
            .map(|g| {
                let doc = entente_schema::Document::from_raw_text(&g.doc_id, 0, &g.lines());
                let predicted: Vec<(u32, u32, &str)> = match normaliser.document(&doc) {
                    Ok(n) => {
                        let sentences: Vec<&entente_schema::Sentence> =
                            n.sentences.iter().collect();
                        // A document over the time budget scores as one without mentions.
                        entente_extract::extract_document(&n.document, &sentences, extractor)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|e| {
                                let label = conll_label(e.entity_type)?;
                                let (s, end) = entente_normalise::text_to_raw(
                                    &n.text_edits,
                                    e.char_start,
                                    e.char_end,
                                );
                                Some((s, end, label))
                            })
                            .collect()
                    }
                    Err(_) => Vec::new(),
                };
                let gold: Vec<(u32, u32, &str)> =
                    g.entities.iter().map(|e| (e.start, e.end, e.label.as_str())).collect();
                (score(&predicted, &gold), ner_errors(&name, g, &predicted, &gold))
            })
            .collect();
        let elapsed = started.elapsed();
        let (scored, record_errors): (Vec<_>, Vec<_>) = scored.into_iter().unzip();
        errors.extend(record_errors.into_iter().flatten());
        for (label, c) in sum(&scored) {
            let (p, r, f) = c.prf();
            let label = if label.is_empty() { "all".to_owned() } else { label };
            writeln!(
                stdout,
                "{name:<28} {label:<5} {:>7} {:>7} {:>7} {p:>9.4} {r:>7.4} {f:>7.4}",
                c.gold, c.predicted, c.correct
            )?;
        }
        tracing::info!("{name}: {} documents in {elapsed:.2?}", docs.len());
    }
    Ok(errors)
}

/// The tagger of a model file of `entente train ner` for text of `kind`: a model trained
/// with `--train-for` holds weights for several kinds, one trained without reads only news.
fn read_model(
    bytes: &[u8],
    kind: entente_extract::tagger::TextKind,
) -> anyhow::Result<entente_extract::tagger::Tagger> {
    use entente_extract::tagger::{Tagger, TextKind, TextModel};
    anyhow::ensure!(
        kind != TextKind::Auto,
        "--text auto reads with the shipped models; with --model, name the kind of text"
    );
    if let Ok(model) = TextModel::from_bytes(bytes) {
        return Ok(model.tagger(kind));
    }
    let tagger = Tagger::from_bytes(bytes).context("not a model of `entente train ner`")?;
    anyhow::ensure!(
        kind == TextKind::News,
        "it has weights for news only (trained without --train-for), not for {kind} text"
    );
    Ok(tagger)
}

/// Trains the name tagger, writes the model, and scores it on `--dev`.
pub(crate) fn train_ner(args: &TrainNerArgs) -> anyhow::Result<Outcome> {
    use entente_extract::eval::{GoldDoc, training_sentences};
    use entente_extract::tagger::{Tagger, TextKind, TextModel};
    let mut stdout = std::io::stdout().lock();
    let config = entente_extract::ExtractConfig {
        model: false,
        ..entente_extract::ExtractConfig::default()
    };
    let extractor = entente_extract::Extractor::new(&config, &[])?;
    let mut docs: Vec<GoldDoc> = Vec::new();
    // The kinds of name each file labels: a file that never labels one (tweets have no MISC)
    // teaches nothing about it. A file that labels no name at all says its text has none.
    let mut annotated: Vec<[bool; 4]> = Vec::new();
    let mut texts: Vec<TextKind> = Vec::new();
    let files = args
        .train
        .iter()
        .map(|path| (TextKind::News, path))
        .chain(args.train_for.iter().map(|(kind, path)| (*kind, path)));
    for (kind, path) in files {
        let file: Vec<GoldDoc> = read_jsonl(path)?;
        texts.extend(std::iter::repeat_n(kind, file.len()));
        let mut kinds = entente_extract::tagger::Kind::ALL
            .map(|k| file.iter().flat_map(|d| &d.entities).any(|e| e.label == k.as_str()));
        if !kinds.contains(&true) {
            kinds = [true; 4];
        }
        annotated.extend(std::iter::repeat_n(kinds, file.len()));
        docs.extend(file);
    }
    let documents: Vec<_> = docs.iter().map(|d| training_sentences(&extractor, d)).collect();
    let sentences = documents.iter().map(Vec::len).sum::<usize>();
    let tokens: usize = documents.iter().flatten().map(|(t, _)| t.len()).sum();
    let started = Instant::now();
    let (bytes, features) = if args.train_for.is_empty() {
        let tagger = Tagger::train_partial(&documents, &annotated, args.epochs, args.prune);
        (tagger.to_bytes()?, tagger.len())
    } else {
        let model = TextModel::train(&documents, &annotated, &texts, args.epochs, args.prune);
        (model.to_bytes()?, model.len())
    };
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    writeln!(
        stdout,
        "trained on {} documents, {} sentences, {tokens} tokens, {} epochs in {:.1?}: {} features, {} bytes in {}",
        docs.len(),
        sentences,
        args.epochs,
        started.elapsed(),
        features,
        bytes.len(),
        args.out.display()
    )?;
    if !args.dev.is_empty() {
        let reloaded = read_model(&bytes, args.text)?;
        let extractor =
            entente_extract::Extractor::new(&entente_extract::ExtractConfig::default(), &[])?
                .with_tagger(Some(reloaded));
        let normaliser =
            entente_normalise::Normaliser::new(&entente_normalise::NormaliseConfig::default())?;
        print_ner_scores(&extractor, &normaliser, &args.dev)?;
    }
    Ok(Outcome::Success)
}
