//! Sentence segmentation throughput on one core: `cargo bench -p entente_normalise --bench
//! split -- ARTICLES.jsonl` (`just bench` passes BBC news). Reads the `text` field of every
//! record, repairs it as normalise does (not timed), then times the splitter alone over all
//! texts, best of twenty passes, and prints MB/s of text.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

use entente_normalise::{NormaliseConfig, Normaliser, SentenceConfig, Splitter};

fn main() {
    let normaliser = Normaliser::new(&NormaliseConfig::default()).expect("default config");
    let texts: Vec<String> = entente_test::bench_documents("split")
        .iter()
        .filter_map(|doc| normaliser.document(doc).ok().map(|d| d.document.text))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let splitter = Splitter::new(&SentenceConfig::default());
    let (best, sentences) =
        entente_test::best_of(20, || texts.iter().map(|t| splitter.split(t).len()).sum::<usize>());
    #[allow(clippy::cast_precision_loss, reason = "a rate shown to one decimal")]
    let mb = bytes as f64 / 1e6;
    println!(
        "sentence splitting, one core: {} texts, {mb:.1} MB, {sentences} sentences, {best:.3} s, {:.1} MB/s",
        texts.len(),
        mb / best
    );
}
