//! Normalising throughput on one core: `cargo bench -p entente_normalise --bench normalise --
//! ARTICLES.jsonl` (`just bench` passes BBC news). Times `Normaliser::document` (repairs,
//! boilerplate, sentences, language) over every record's `text`, best of five passes, and
//! prints words per second (words as `documents.n_words` counts them). Grouping stories is
//! left out: it runs once per corpus after the batches.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

/// The allocator of the `entente` binary, so the bench times what a run does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use entente_normalise::{NormaliseConfig, Normaliser};

fn main() {
    let normaliser = Normaliser::new(&NormaliseConfig::default()).expect("default config");
    let docs = entente_test::bench_documents("normalise");
    let (best, words) = entente_test::best_of(5, || {
        docs.iter()
            .filter_map(|doc| normaliser.document(doc).ok())
            .map(|d| u64::from(d.document.n_words))
            .sum::<u64>()
    });
    #[allow(clippy::cast_precision_loss, reason = "a rate shown rounded")]
    let rate = words as f64 / best;
    println!(
        "normalising, one core: {} documents, {words} words, {best:.3} s, {rate:.0} words/s",
        docs.len()
    );
}
