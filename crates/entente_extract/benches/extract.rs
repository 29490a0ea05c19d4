//! Extraction throughput on one core: `cargo bench -p entente_extract --bench extract --
//! ARTICLES.jsonl` (`just bench` passes BBC news). Normalises every record's `text` (not
//! timed), then times entity extraction alone (rules, gazetteer and tagger) over all documents:
//! a first pass, which meets every word for the first time, then the best of five more, each
//! in tokens per second; also the time to load the model and the gazetteer.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

/// The allocator of the `entente` binary, so the bench times what a run does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use entente_extract::{ExtractConfig, Extractor, extract_document, tagger::tokenize};
use entente_normalise::{NormaliseConfig, NormalisedDocument, Normaliser};

fn main() {
    let started = Instant::now();
    let extractor = Extractor::new(&ExtractConfig::default(), &[]).expect("default config");
    let load = started.elapsed();
    let normaliser = Normaliser::new(&NormaliseConfig::default()).expect("default config");
    let docs: Vec<NormalisedDocument> = entente_test::bench_documents("extract")
        .iter()
        .filter_map(|doc| normaliser.document(doc).ok())
        .collect();
    let tokens: usize = docs.iter().map(|d| tokenize(&d.document.text).len()).sum();
    let pass = || {
        docs.iter()
            .map(|d| {
                let sentences: Vec<_> = d.sentences.iter().collect();
                extract_document(&d.document, &sentences, &extractor).map_or(0, |e| e.len())
            })
            .sum::<usize>()
    };
    // The first pass meets every word for the first time (the thread's caches are empty and
    // the vector classes load), as a run does until its vocabulary has been seen; the passes
    // after it read the same words again.
    let (first, _) = entente_test::best_of(1, pass);
    let (best, mentions) = entente_test::best_of(5, pass);
    #[allow(clippy::cast_precision_loss, reason = "rates shown rounded")]
    let (rate, first_rate) = (tokens as f64 / best, tokens as f64 / first);
    println!(
        "extraction, one core: {} documents, {tokens} tokens, {mentions} mentions, {best:.3} s, {rate:.0} tokens/s (best of five passes after a first of {first:.3} s, {first_rate:.0} tokens/s); model and gazetteer load in {load:.2?}",
        docs.len()
    );
}
