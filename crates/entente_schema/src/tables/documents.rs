//! The tables written per document: documents, text edits, boilerplate, sentences, entities,
//! and the rejects of every stage.

use super::values::{
    DuplicateKind, EntityType, LinkedBy, Method, RejectReason, SourceFormat, Stage,
};
use crate::table;

table! {
    /// One article: its source, metadata, raw and normalised text.
    Document => "documents",
    key = ["doc_id"],
    timestamps = ["published_at"],
    {
        /// Stable id: 16 hex digits of XXH3-64 over `source` and `source_record`, the same on
        /// every machine and run.
        doc_id: String,
        /// Path of the input file relative to the input root, with `/` separators.
        source: String,
        /// How the record was read: txt, md, jsonl, csv, tsv, html or warc.
        source_format: SourceFormat,
        /// 0-based index of the record inside a multi-record file (0 for single-document files).
        source_record: u32,
        /// The record's own id where the source has one (a JSONL/CSV `id`, a WARC-Record-ID),
        /// to join back to it.
        source_id: Option<String>,
        /// Headline: the record's title field, the page's headline metadata, or the first
        /// non-empty line of a text file. It opens `text` too (unless `[ingest] headline =
        /// false`), so its names are mentions like the body's.
        title: Option<String>,
        /// Author(s) as the source names them, several joined with `; `.
        author: Option<String>,
        /// The publication or site the article comes from (a record's `source` field, a page's
        /// publisher or `og:site_name`).
        site_name: Option<String>,
        /// The article's URL where the source gives one (a page's canonical URL, the WARC
        /// target URI).
        url: Option<String>,
        /// Publication time in UTC; null when the source gives none or it does not parse.
        published_at: Option<i64>,
        /// The publication date exactly as the source wrote it.
        published_raw: Option<String>,
        /// The document's language as an ISO 639-1 code (`en`, `de`, `zh`; ISO 639-3 where a
        /// language has no two-letter code): detected from `text` when the detection is
        /// confident, else `language_declared`'s primary subtag; null when neither is known.
        language: Option<String>,
        /// Confidence of the language detection, 0 to 1; null when it did not run (empty text,
        /// or before normalisation).
        language_confidence: Option<f64>,
        /// The language code as the source declares it (`lang` attribute, a JSONL `language`
        /// field); null when it declares none.
        language_declared: Option<String>,
        /// Whether the extract stage reads the document: false when `language` is known and
        /// not one of `normalise.language.supported` (then it has no `entities` rows); null
        /// before normalisation.
        extractable: Option<bool>,
        /// The character encoding the bytes were decoded from (WHATWG name, e.g. `UTF-8`,
        /// `windows-1252`, `Shift_JIS`).
        encoding: String,
        /// Normalised text (NFC, clean whitespace) that every offset in entente points into.
        text: String,
        /// The text exactly as ingested, before normalisation: the headline, a blank line and
        /// the body, or the body alone when it already opens with the headline.
        raw_text: String,
        /// Length of `text` in Unicode code points.
        n_chars: u32,
        /// Number of whitespace-separated words in `text`.
        n_words: u32,
        /// Number of rows for this document in `sentences`; null before normalisation.
        n_sentences: Option<u32>,
        /// 16 hex digits of XXH3-64 over `text`: equal texts have equal hashes.
        content_hash: String,
        /// The story the document reports: the `doc_id` of the canonical member of its group
        /// of exact and near duplicates (its own `doc_id` when it has no copies); null before
        /// normalisation.
        story_id: Option<String>,
        /// For a copy, the `doc_id` of its story's canonical member (the earliest
        /// `published_at`, then the first seen in input order); null for the canonical member
        /// and for unique documents.
        duplicate_of: Option<String>,
        /// For a copy: `exact` (the canonical member's text, up to whitespace and line breaks)
        /// or `near` (a similar text); null otherwise.
        duplicate_kind: Option<DuplicateKind>,
        /// For a copy, the estimated Jaccard similarity of its word 5-gram set to the
        /// canonical member's (1 for exact copies); null otherwise.
        story_similarity: Option<f64>,
    }
}

impl Document {
    /// A document as ingest makes it from a text alone, without metadata (`text` =
    /// `raw_text`): the starting point of evaluations and tests.
    ///
    /// ```
    /// let d = entente_schema::Document::from_raw_text("a.txt", 0, "Xi met Putin.");
    /// assert_eq!((d.n_words, d.text.as_str()), (3, "Xi met Putin."));
    /// ```
    pub fn from_raw_text(source: &str, record: u32, raw_text: &str) -> Self {
        Self {
            doc_id: crate::doc_id(source, record),
            source: source.to_owned(),
            source_format: SourceFormat::Txt,
            source_record: record,
            source_id: None,
            title: None,
            author: None,
            site_name: None,
            url: None,
            published_at: None,
            published_raw: None,
            language: None,
            language_confidence: None,
            language_declared: None,
            extractable: None,
            encoding: "UTF-8".to_owned(),
            text: raw_text.to_owned(),
            raw_text: raw_text.to_owned(),
            n_chars: u32::try_from(raw_text.chars().count()).unwrap_or(u32::MAX),
            n_words: u32::try_from(raw_text.split_whitespace().count()).unwrap_or(u32::MAX),
            n_sentences: None,
            content_hash: crate::hash_hex(raw_text.as_bytes()),
            story_id: None,
            duplicate_of: None,
            duplicate_kind: None,
            story_similarity: None,
        }
    }
}

table! {
    /// One place where `documents.text` differs from `documents.raw_text`: the raw span
    /// `[raw_char_start, raw_char_end)` became the text span `[text_char_start, text_char_end)`.
    /// Between edits the two texts are identical, so any `text` offset maps back to
    /// `raw_text` (README, "Mapping `text` back to `raw_text`").
    TextEdit => "text_edits",
    key = ["doc_id", "edit_idx"],
    timestamps = [],
    {
        /// The document.
        doc_id: String,
        /// 0-based position of the edit in its document, in text order.
        edit_idx: u32,
        /// First code point of the edited span in `documents.text`.
        text_char_start: u32,
        /// One past its last code point in `documents.text` (equal to the start for a deletion).
        text_char_end: u32,
        /// First code point of the replaced span in `documents.raw_text`.
        raw_char_start: u32,
        /// One past its last code point in `documents.raw_text` (equal to the start for an
        /// insertion).
        raw_char_end: u32,
        /// First byte of the edited span in the UTF-8 of `documents.text`.
        text_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.text`.
        text_byte_end: u32,
        /// First byte of the replaced span in the UTF-8 of `documents.raw_text`.
        raw_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.raw_text`.
        raw_byte_end: u32,
        /// The new text: `text[text_char_start:text_char_end]`.
        text: String,
        /// The replaced raw text: `raw_text[raw_char_start:raw_char_end]`.
        raw: String,
    }
}

table! {
    /// One line or block removed from a document as boilerplate, and the rule that removed it.
    Boilerplate => "boilerplate",
    key = ["doc_id", "removal_idx"],
    timestamps = [],
    {
        /// The document.
        doc_id: String,
        /// 0-based position of the removal in its document.
        removal_idx: u32,
        /// Name of the rule (`normalise.boilerplate`), e.g. `view_counter`.
        rule: String,
        /// First code point of the removed text in `documents.raw_text`.
        raw_char_start: u32,
        /// One past its last code point in `documents.raw_text`.
        raw_char_end: u32,
        /// First byte of the removed text in the UTF-8 of `documents.raw_text`.
        raw_byte_start: u32,
        /// One past its last byte in the UTF-8 of `documents.raw_text`.
        raw_byte_end: u32,
        /// The removed lines as they read after text repair.
        text: String,
    }
}

table! {
    /// One sentence of a document's normalised text.
    Sentence => "sentences",
    key = ["doc_id", "sentence_idx"],
    timestamps = [],
    {
        /// The document the sentence belongs to.
        doc_id: String,
        /// 0-based position of the sentence in its document.
        sentence_idx: u32,
        /// First code point of the sentence in `documents.text`.
        char_start: u32,
        /// One past the last code point of the sentence in `documents.text`.
        char_end: u32,
        /// First byte of the sentence in the UTF-8 of `documents.text`.
        byte_start: u32,
        /// One past the last byte of the sentence in the UTF-8 of `documents.text`.
        byte_end: u32,
        /// The sentence: `documents.text[char_start:char_end]`.
        text: String,
    }
}

table! {
    /// One mention of an entity in a sentence.
    Entity => "entities",
    key = ["doc_id", "mention_idx"],
    timestamps = [],
    {
        /// The document the mention is in.
        doc_id: String,
        /// The sentence the mention is in (`sentences.sentence_idx`).
        sentence_idx: u32,
        /// 0-based position of the mention in its document.
        mention_idx: u32,
        /// First code point of the mention in `documents.text`.
        char_start: u32,
        /// One past the last code point of the mention in `documents.text`.
        char_end: u32,
        /// First byte of the mention in the UTF-8 of `documents.text`.
        byte_start: u32,
        /// One past the last byte of the mention in the UTF-8 of `documents.text`.
        byte_end: u32,
        /// The surface form: `documents.text[char_start:char_end]`.
        text: String,
        /// Canonical key shared by every mention of the same entity (e.g. `iso3166:CN`).
        entity_id: String,
        /// Canonical display name of the entity.
        entity_name: String,
        /// PERSON, ORG, GPE, LOC, NORP, EVENT, LAW, MISC, MONEY, PERCENT, DATE or QUANTITY.
        entity_type: EntityType,
        /// How the mention was found: `gazetteer`, `rule` or `model` (the statistical tagger).
        method: Method,
        /// The title or role written before a person's name and not part of it ("Treasury
        /// Secretary", "Foreign Minister", "President"), as the text writes it; null when there
        /// is none.
        title: Option<String>,
        /// How the mention got its `entity_id`: `gazetteer` (a list's entity), `short_form` (a
        /// shorter form of a name its document gives in full: "Volcker" after "Paul Volcker"),
        /// `corpus` (a short form its document leaves open that the whole corpus resolves:
        /// README, "Entity identity"), `acronym` (defined in parentheses in its document),
        /// `override` (the user's `[[merge]]`) or `own` (an id made from its own words); null
        /// for amounts, percentages, dates and quantities.
        linked_by: Option<LinkedBy>,
        /// For a NORP demonym, a capital, a national body, or a city or region of the place
        /// lists, the `entity_id` of its country; for a former state (`iso3166-3:SUHH`, the
        /// Soviet Union) its successor (`iso3166:RU`; null when it split into several, as
        /// Czechoslovakia did); for a compound the tagger keeps whole as MISC
        /// ("US-led", "Sino-Soviet", as CoNLL-2003 annotates them), the country it opens with;
        /// else null.
        country_id: Option<String>,
        /// Numeric value of a MONEY (amount), PERCENT (percent) or QUANTITY (in its base unit)
        /// mention.
        value: Option<f64>,
        /// Unit of `value`: an ISO 4217 currency code for MONEY, `percent` for PERCENT, and for
        /// QUANTITY `m`, `m2`, `m3`, `kg`, `W`, `Wh`, `bbl` or `bbl/d`.
        unit: Option<String>,
        /// ISO 8601 form of a DATE mention (`2024`, `2024-05`, `2024-05-16`).
        iso_date: Option<String>,
    }
}

table! {
    /// One input record that did not become a row (or, from extract, a document left without
    /// mentions), and why.
    Reject => "rejects",
    key = ["stage", "source", "source_record"],
    timestamps = [],
    {
        /// Path of the input file relative to the input root.
        source: String,
        /// 0-based index of the record inside the file (0 for whole-file problems): the JSONL
        /// line, CSV data row or WARC record.
        source_record: u32,
        /// The stage that rejected it: ingest, normalise, extract or aggregate.
        stage: Stage,
        /// Machine-readable reason code.
        reason: RejectReason,
        /// What went wrong, for a person.
        detail: String,
    }
}
