//! Aggregation at scale: `cargo bench --workspace --bench aggregate -- [MENTIONS]` (`just
//! bench` passes 10 million). Builds a synthetic corpus in memory, the way the stage folds the
//! `documents` and `entities` tables batch by batch: documents of 5–40 sentences, one in ten a
//! copy of an earlier story, dates over two years (one in twenty undated), 0–4 mentions per
//! sentence, each naming one of a document's cast of 4–19 entities drawn from 200,000 with a
//! Zipf-like popularity. Then runs the aggregate stage
//! with the default options and limits (four scopes, monthly buckets), its rows streamed to a
//! counting sink, and prints the time and the peak resident memory of the whole process
//! (`VmHWM`).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

use std::time::Instant;

use entente_aggregate::{AggregateConfig, Corpus, Limits, Rows, aggregate_into};
use entente_schema::{Document, Entity, EntityType, Method};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Peak resident set size of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

const ENTITIES: u64 = 200_000;
const DAY: i64 = 86_400_000_000;

fn main() {
    let target: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let types = [EntityType::Person, EntityType::Org, EntityType::Gpe, EntityType::Norp];
    let mut rng = Rng(0x5EED);
    let started = Instant::now();
    let mut corpus = Corpus::default();
    let mut doc = Document::from_raw_text("synthetic", 0, "x");
    let mut mention = Entity {
        method: Method::Gazetteer,
        ..entente_test::mention("", "", EntityType::Gpe, None)
    };
    let (mut docs, mut mentions) = (0u64, 0usize);
    while mentions < target {
        doc.doc_id = format!("{docs:016x}");
        let copy = docs > 10 && rng.below(10) == 0;
        doc.story_id =
            Some(if copy { format!("{:016x}", rng.below(docs)) } else { doc.doc_id.clone() });
        doc.duplicate_of = None;
        doc.published_at = (rng.below(20) != 0)
            .then(|| 1_700_000_000_000_000 + i64::try_from(rng.below(730)).unwrap_or(0) * DAY);
        let sentences = 5 + u32::try_from(rng.below(36)).unwrap_or(0);
        doc.n_sentences = Some(sentences);
        corpus.add_document(&doc).expect("unique ids");
        mention.doc_id.clone_from(&doc.doc_id);
        // A cast of 4–19 entities per document, popularity ~ 1/rank (the square of a uniform
        // draw favours small ids); each mention names one of them, the first ones most.
        let cast: Vec<u64> = (0..4 + rng.below(16))
            .map(|_| {
                let u = rng.below(1 << 20);
                (((u * u) >> 20) * ENTITIES) >> 20
            })
            .collect();
        let mut idx = 0;
        for s in 0..sentences {
            for _ in 0..rng.below(5) {
                let pick = rng.below(cast.len() as u64);
                let id = cast[usize::try_from(rng.below(pick + 1)).unwrap_or(0)];
                mention.sentence_idx = s;
                mention.mention_idx = idx;
                mention.entity_id = format!("e:{id}");
                mention.entity_name = format!("Entity {id}");
                mention.text =
                    if rng.below(4) == 0 { format!("E{id}") } else { mention.entity_name.clone() };
                mention.entity_type = types[usize::try_from(id % 4).unwrap_or(0)];
                corpus.add_mention(&mention).expect("document added");
                idx += 1;
                mentions += 1;
            }
        }
        docs += 1;
    }
    let built = started.elapsed();
    let rss_built = peak_rss_mib().unwrap_or(f64::NAN);
    let started = Instant::now();
    // The rows stream to a sink that counts them, as the CLI streams them to Parquet.
    let (mut pairs, mut period_rows) = (0usize, 0usize);
    let summary = aggregate_into(corpus, &AggregateConfig::default(), Limits::default(), |rows| {
        match rows {
            Rows::Cooccurrences { rows, .. } => pairs += rows.num_rows(),
            Rows::ByPeriod { rows, .. } => period_rows += rows.num_rows(),
        }
        Ok(())
    })
    .expect("aggregate")
    .summary;
    let took = started.elapsed();
    println!(
        "aggregate: {mentions} mentions in {docs} documents: {pairs} pairs, {period_rows} period rows, {} entities in {took:.1?} (corpus built in {built:.1?}); peak RSS {:.0} MiB ({rss_built:.0} MiB after building the corpus)",
        summary.len(),
        peak_rss_mib().unwrap_or(f64::NAN),
    );
}
