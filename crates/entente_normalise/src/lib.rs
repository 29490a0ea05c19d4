//! Normalise: cleans each document's text and splits it into sentences.
//!
//! Takes the `documents` rows written by ingest and returns the final `documents` rows (with
//! `text` cleaned by [`clean_text`], `n_chars`, `n_words`, `n_sentences` and `content_hash`
//! recomputed) and the `sentences` rows. `text` is always recomputed from `raw_text`, so
//! running the stage twice gives the same tables. A document whose text cleans down to nothing
//! becomes a [`Reject`].
//!
//! ```
//! use entente_normalise::{NormaliseConfig, normalise};
//! # let doc = entente_schema::Document {
//! #     doc_id: "d".into(), source: "a.txt".into(),
//! #     source_format: entente_schema::SourceFormat::Txt, source_record: 0, source_id: None,
//! #     title: None, author: None, site_name: None, url: None, published_at: None,
//! #     published_raw: None, language: None, encoding: "UTF-8".into(),
//! #     text: String::new(), raw_text: "Mr. Xi  met\u{a0}Putin. They talked.".into(),
//! #     n_chars: 0, n_words: 0, n_sentences: None, content_hash: String::new(),
//! # };
//! let out = normalise(&[doc], &NormaliseConfig::default());
//! assert_eq!(out.documents[0].text, "Mr. Xi met Putin. They talked.");
//! assert_eq!(out.sentences[1].text, "They talked.");
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

pub use crate::sentences::{SentenceConfig, Splitter};
pub use crate::text::clean_text;

mod sentences;
mod text;

use entente_schema::{Document, Reject, RejectReason, Sentence, hash_hex, spans_from_byte_ranges};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The stage name written in `rejects.stage`.
pub const STAGE: &str = "normalise";

/// Options of the normalise stage (`[normalise]` in a pipeline file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormaliseConfig {
    /// The sentence splitter's options.
    pub sentences: SentenceConfig,
}

/// The output of the stage, sorted by `doc_id` (and `sentence_idx`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalised {
    /// Documents with their final text.
    pub documents: Vec<Document>,
    /// Their sentences.
    pub sentences: Vec<Sentence>,
    /// Documents with no text left after cleaning.
    pub rejects: Vec<Reject>,
}

/// Normalises `documents`, in parallel on the current rayon pool; the output does not depend
/// on the number of threads.
pub fn normalise(documents: &[Document], config: &NormaliseConfig) -> Normalised {
    let splitter = Splitter::new(&config.sentences);
    let results: Vec<_> = documents.par_iter().map(|d| normalise_document(d, &splitter)).collect();
    let mut out = Normalised::default();
    for result in results {
        match result {
            Ok((doc, mut sentences)) => {
                out.documents.push(doc);
                out.sentences.append(&mut sentences);
            }
            Err(reject) => out.rejects.push(reject),
        }
    }
    out.documents.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    out.sentences.sort_by(|a, b| (&a.doc_id, a.sentence_idx).cmp(&(&b.doc_id, b.sentence_idx)));
    out.rejects.sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
    out
}

/// Normalises one document: its final row and its sentences, or why it has none.
pub fn normalise_document(
    doc: &Document,
    splitter: &Splitter,
) -> Result<(Document, Vec<Sentence>), Reject> {
    let text = clean_text(&doc.raw_text);
    if text.is_empty() {
        return Err(Reject {
            source: doc.source.clone(),
            source_record: doc.source_record,
            stage: STAGE.to_owned(),
            reason: RejectReason::Empty,
            detail: format!("doc_id {}: no text left after cleaning", doc.doc_id),
        });
    }
    let ranges = splitter.split(&text);
    let spans = spans_from_byte_ranges(&text, &ranges);
    let sentences: Vec<Sentence> = spans
        .iter()
        .zip(&ranges)
        .enumerate()
        .map(|(i, (span, &(s, e)))| Sentence {
            doc_id: doc.doc_id.clone(),
            sentence_idx: u32::try_from(i).unwrap_or(u32::MAX),
            char_start: span.char_start,
            char_end: span.char_end,
            byte_start: span.byte_start,
            byte_end: span.byte_end,
            text: text.get(s..e).unwrap_or_default().to_owned(),
        })
        .collect();
    let out = Document {
        n_chars: u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
        n_words: u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX),
        n_sentences: Some(u32::try_from(sentences.len()).unwrap_or(u32::MAX)),
        content_hash: hash_hex(text.as_bytes()),
        text,
        ..doc.clone()
    };
    Ok((out, sentences))
}
