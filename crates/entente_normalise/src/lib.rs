//! Normalise: repairs each document's text, removes boilerplate, identifies the language,
//! splits sentences and groups copies of the same story.
//!
//! Takes the `documents` rows written by ingest and returns the final `documents` rows (with
//! `text` repaired, `n_chars`, `n_words`, `n_sentences`, `content_hash`, the language and story
//! columns filled in), the `sentences` rows, the `text_edits` that map `text` back to
//! `raw_text`, and the `boilerplate` removed. `text` is always recomputed from `raw_text`, so
//! running the stage twice gives the same tables. A document whose text cleans down to
//! nothing becomes a [`Reject`].
//!
//! Per document, in order: [`RepairConfig::mojibake`], [`RepairConfig::controls`],
//! [`RepairConfig::nfc`], boilerplate ([`BoilerplateConfig`]), [`RepairConfig::unwrap_lines`],
//! [`RepairConfig::whitespace`], [`RepairConfig::punctuation_spacing`], whitespace again; then language identification ([`LanguageConfig`]) and sentences. Across documents:
//! duplicate stories ([`DedupConfig`]).
//!
//! ```
//! use entente_normalise::{NormaliseConfig, Normaliser};
//! # let doc = entente_schema::Document {
//! #     doc_id: "d".into(), source: "a.txt".into(),
//! #     source_format: entente_schema::SourceFormat::Txt, source_record: 0, source_id: None,
//! #     title: None, author: None, site_name: None, url: None, published_at: None,
//! #     published_raw: None, language: None, language_confidence: None,
//! #     language_declared: None, extractable: None, encoding: "UTF-8".into(),
//! #     text: String::new(), raw_text: "Mr. Xi  met\u{a0}Putin. They talked.".into(),
//! #     n_chars: 0, n_words: 0, n_sentences: None, content_hash: String::new(),
//! #     story_id: None, duplicate_of: None, duplicate_kind: None, story_similarity: None,
//! # };
//! let normaliser = Normaliser::new(&NormaliseConfig::default())?;
//! let out = normaliser.run(&[doc]);
//! assert_eq!(out.documents[0].text, "Mr. Xi met Putin. They talked.");
//! assert_eq!(out.sentences[1].text, "They talked.");
//! assert_eq!(out.text_edits[0].raw, "  ");
//! # Ok::<(), entente_normalise::RuleError>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

pub use crate::boilerplate::{BoilerplateConfig, BoilerplateRule, RuleError, default_rules};
pub use crate::dedup::{
    DedupConfig, Signature, Stories, Story, assign_stories, layout_free_hash, signature, similarity,
};
pub use crate::language::LanguageConfig;
pub use crate::repair::RepairConfig;
pub use crate::sentences::{SentenceConfig, Splitter};
pub use crate::text::{raw_to_text, text_to_raw};

/// A hash of the data compiled into the normaliser (the sentence splitter's abbreviations)
/// and of the `MinHash` scheme: part of the normalise stage's configuration hash, so that a
/// build with other data or signatures normalises again rather than reusing the tables and
/// state an earlier run left.
pub fn builtin_data_hash() -> String {
    entente_schema::hash_hex(format!("{}\n{}", dedup::SCHEME, sentences::ABBREVIATIONS).as_bytes())
}

pub mod eval;

mod boilerplate;
mod dedup;
mod language;
mod latin;
mod repair;
mod sentences;
mod text;
mod tracked;

use std::collections::BTreeMap;

use entente_schema::{
    Boilerplate, Document, Reject, RejectReason, Sentence, TextEdit, hash_hex,
    spans_from_byte_ranges,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::tracked::{Tracked, to_u32};

/// The stage name written in `rejects.stage`.
pub const STAGE: entente_schema::Stage = entente_schema::Stage::Normalise;

/// Options of the normalise stage (`[normalise]` in a pipeline file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormaliseConfig {
    /// Which text repairs run.
    pub repair: RepairConfig,
    /// Boilerplate removal.
    pub boilerplate: BoilerplateConfig,
    /// Language identification.
    pub language: LanguageConfig,
    /// Duplicate stories.
    pub dedup: DedupConfig,
    /// The sentence splitter's options.
    pub sentences: SentenceConfig,
}

/// The output of the stage, sorted by `doc_id` (and `sentence_idx`, `edit_idx`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalised {
    /// Documents with their final text.
    pub documents: Vec<Document>,
    /// Their sentences.
    pub sentences: Vec<Sentence>,
    /// Where `text` differs from `raw_text`.
    pub text_edits: Vec<TextEdit>,
    /// Boilerplate removed.
    pub boilerplate: Vec<Boilerplate>,
    /// Documents with no text left after cleaning.
    pub rejects: Vec<Reject>,
}

impl Normalised {
    /// Documents that extraction skips, by `language`.
    pub fn not_extractable(&self) -> BTreeMap<String, u64> {
        not_extractable(&self.documents)
    }
}

/// Documents with `extractable = false`, counted by `language`.
pub fn not_extractable(documents: &[Document]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for d in documents.iter().filter(|d| d.extractable == Some(false)) {
        *out.entry(d.language.clone().unwrap_or_default()).or_default() += 1;
    }
    out
}

/// One document's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalisedDocument {
    /// The document with its final text and language (story columns are set across documents).
    pub document: Document,
    /// Its sentences.
    pub sentences: Vec<Sentence>,
    /// Its text edits.
    pub text_edits: Vec<TextEdit>,
    /// Its removed boilerplate.
    pub boilerplate: Vec<Boilerplate>,
}

/// The normalise stage with its configuration compiled.
#[derive(Debug, Clone)]
pub struct Normaliser {
    config: NormaliseConfig,
    splitter: Splitter,
    boilerplate: boilerplate::Rules,
}

impl Normaliser {
    /// Compiles the configuration; fails on a bad boilerplate rule.
    pub fn new(config: &NormaliseConfig) -> Result<Self, RuleError> {
        Ok(Self {
            config: config.clone(),
            splitter: Splitter::new(&config.sentences),
            boilerplate: boilerplate::Rules::new(&config.boilerplate)?,
        })
    }

    /// Normalises `documents`, in parallel on the current rayon pool; the output does not
    /// depend on the number of threads or on the order of `documents`.
    pub fn run(&self, documents: &[Document]) -> Normalised {
        let mut out = self.run_batch(documents);
        assign_stories(&mut out.documents, &self.config.dedup);
        out
    }

    /// [`Normaliser::run`] without grouping copies into stories: the story columns are left
    /// as they were. A run over batches of documents feeds each batch's documents to
    /// [`Normaliser::stories`] and assigns the stories once all are seen.
    pub fn run_batch(&self, documents: &[Document]) -> Normalised {
        let results: Vec<_> = documents.par_iter().map(|d| self.document(d)).collect();
        let mut out = Normalised::default();
        for result in results {
            match result {
                Ok(mut n) => {
                    out.documents.push(n.document);
                    out.sentences.append(&mut n.sentences);
                    out.text_edits.append(&mut n.text_edits);
                    out.boilerplate.append(&mut n.boilerplate);
                }
                Err(reject) => out.rejects.push(reject),
            }
        }
        out.documents.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
        out.sentences.sort_by(|a, b| (&a.doc_id, a.sentence_idx).cmp(&(&b.doc_id, b.sentence_idx)));
        out.text_edits.sort_by(|a, b| (&a.doc_id, a.edit_idx).cmp(&(&b.doc_id, b.edit_idx)));
        out.boilerplate.sort_by(|a, b| (&a.doc_id, a.removal_idx).cmp(&(&b.doc_id, b.removal_idx)));
        out.rejects.sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
        out
    }

    /// An empty [`Stories`] with this stage's duplicate options.
    pub fn stories(&self) -> Stories {
        Stories::new(&self.config.dedup)
    }

    /// The repaired text of `raw` with the boilerplate removed from it, as (rule, current
    /// byte range, removed text, raw char range) before the later steps.
    fn repair(&self, raw: &str) -> (Tracked, Vec<Removed>) {
        let r = &self.config.repair;
        let mut t = Tracked::new(raw);
        if r.mojibake {
            // Mojibake made twice needs two rounds; a third is never seen in practice.
            for _ in 0..3 {
                let fixes = repair::mojibake(&t.text);
                if fixes.is_empty() {
                    break;
                }
                t.apply(&fixes);
            }
        }
        for (on, step) in [(r.controls, repair::controls as Step), (r.nfc, repair::nfc)] {
            if on {
                let edits = step(&t.text);
                t.apply(&edits);
            }
        }
        // Boilerplate goes before unwrapping, which would glue a prompt to its neighbours.
        let found = self.boilerplate.find(&t.text);
        let removed = found
            .iter()
            .map(|(rep, rule)| {
                let (start, end) = trim_blank(&t.text, rep.start, rep.end);
                let removed = t.text.get(start..end).unwrap_or_default().to_owned();
                (rule.clone(), removed, t.raw_range(start, end))
            })
            .collect();
        let removals: Vec<tracked::Replacement> = found.into_iter().map(|(r, _)| r).collect();
        t.apply(&removals);
        for (on, step) in
            [(r.unwrap_lines, repair::unwrap_lines as Step), (r.whitespace, repair::whitespace)]
        {
            if on {
                let edits = step(&t.text);
                t.apply(&edits);
            }
        }
        // Whitespace again only where punctuation spacing changed the text: on text it has
        // already done, it changes nothing.
        let spaced = r.punctuation_spacing && {
            let edits = repair::punctuation_spacing(&t.text);
            t.apply(&edits);
            !edits.is_empty()
        };
        if r.whitespace && spaced {
            let edits = repair::whitespace(&t.text);
            t.apply(&edits);
        }
        (t, removed)
    }

    /// Normalises one document: its rows, or why it has none. Its story columns are left as
    /// they were; [`Normaliser::run`] sets them across documents.
    pub fn document(&self, doc: &Document) -> Result<NormalisedDocument, Reject> {
        let (tracked, removed) = self.repair(&doc.raw_text);
        if tracked.text.trim().is_empty() {
            let rules: Vec<&str> = removed.iter().map(|(rule, _, _)| rule.as_str()).collect();
            let detail = if rules.is_empty() {
                format!("doc_id {}: no text left after cleaning", doc.doc_id)
            } else {
                format!(
                    "doc_id {}: no text left after removing boilerplate (rules: {})",
                    doc.doc_id,
                    rules.join(", ")
                )
            };
            return Err(Reject {
                source: doc.source.clone(),
                source_record: doc.source_record,
                stage: STAGE,
                reason: RejectReason::Empty,
                detail,
            });
        }
        let text_edits = tracked.edits(&doc.doc_id, &doc.raw_text);
        let text = tracked.text;
        let raw_offsets =
            if removed.is_empty() { Vec::new() } else { tracked::byte_offsets(&doc.raw_text) };
        let boilerplate = removed
            .into_iter()
            .enumerate()
            .map(|(i, (rule, removed_text, (rs, re)))| Boilerplate {
                doc_id: doc.doc_id.clone(),
                removal_idx: to_u32(i),
                rule,
                raw_char_start: rs,
                raw_char_end: re,
                raw_byte_start: to_u32(raw_offsets[rs as usize]),
                raw_byte_end: to_u32(raw_offsets[re as usize]),
                text: removed_text,
            })
            .collect();
        let ranges = self.splitter.split(&text);
        let spans = spans_from_byte_ranges(&text, &ranges);
        let sentences: Vec<Sentence> = spans
            .iter()
            .zip(&ranges)
            .enumerate()
            .map(|(i, (span, &(s, e)))| Sentence {
                doc_id: doc.doc_id.clone(),
                sentence_idx: to_u32(i),
                char_start: span.char_start,
                char_end: span.char_end,
                byte_start: span.byte_start,
                byte_end: span.byte_end,
                text: text.get(s..e).unwrap_or_default().to_owned(),
            })
            .collect();
        let lang =
            language::identify(&text, doc.language_declared.as_deref(), &self.config.language);
        let document = Document {
            n_chars: to_u32(text.chars().count()),
            n_words: to_u32(text.split_whitespace().count()),
            n_sentences: Some(to_u32(sentences.len())),
            content_hash: hash_hex(text.as_bytes()),
            language: lang.language,
            language_confidence: lang.confidence,
            extractable: Some(lang.extractable),
            text,
            ..doc.clone()
        };
        Ok(NormalisedDocument { document, sentences, text_edits, boilerplate })
    }
}

/// Boilerplate removed: the rule, the removed lines, their raw char range.
type Removed = (String, String, (u32, u32));

/// A repair step: what to change in the current text.
type Step = fn(&str) -> Vec<tracked::Replacement>;

/// The range without the whitespace (line breaks, indentation) a removal took along.
fn trim_blank(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && text.as_bytes()[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && text.as_bytes()[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}
