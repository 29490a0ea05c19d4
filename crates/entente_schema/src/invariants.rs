//! The invariants that hold between entente's tables. `entente validate` and the test suites
//! call [`check_tables`], which recounts the aggregate stage's tables with
//! [`crate::recount_cooccurrences`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::output::{Aggregated, Tables};
use crate::recount::{Counted, recount_cooccurrences};
use crate::span::byte_to_char_offsets;
use crate::tables::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, DuplicateKind, Entity, EntityType,
    Sentence, TextEdit,
};
use crate::{Table, hash_hex};

/// One broken invariant: which table, which row, which rule and what was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The table holding the offending row.
    pub table: &'static str,
    /// The row's key, e.g. `doc_id=…, sentence_idx=3`.
    pub key: String,
    /// A short name of the rule, e.g. `unique-key`.
    pub rule: &'static str,
    /// What was expected and what was found.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}: {}", self.table, self.key, self.rule, self.detail)
    }
}

/// Checks every invariant of the contract and returns the violations, sorted (empty when the
/// tables are consistent).
pub fn check_tables(tables: Tables<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let docs = check_documents(tables.documents, tables.sentences, &mut out);
    let sentences = check_sentences(&docs, tables.sentences, &mut out);
    check_stories(&docs, &mut out);
    check_text_edits(&docs, tables.text_edits, &mut out);
    check_boilerplate(&docs, tables.boilerplate, &mut out);
    check_entities(&docs, &sentences, tables.entities, &mut out);
    if let Some(aggregated) = tables.aggregated {
        check_cooccurrences(tables, aggregated, &mut out);
    }
    out.sort();
    out
}

fn violation(table: &'static str, key: String, rule: &'static str, detail: String) -> Violation {
    Violation { table, key, rule, detail }
}

fn check_documents<'a>(
    documents: &'a [Document],
    sentences: &[Sentence],
    out: &mut Vec<Violation>,
) -> HashMap<&'a str, &'a Document> {
    let mut per_doc: HashMap<&str, u32> = HashMap::new();
    for s in sentences {
        *per_doc.entry(s.doc_id.as_str()).or_default() += 1;
    }
    let mut docs = HashMap::with_capacity(documents.len());
    for d in documents {
        let key = format!("doc_id={}", d.doc_id);
        let v = |rule, detail| violation(Document::NAME, key.clone(), rule, detail);
        if docs.insert(d.doc_id.as_str(), d).is_some() {
            out.push(v("unique-key", "doc_id appears more than once".into()));
        }
        let n_chars = d.text.chars().count();
        if usize::try_from(d.n_chars).ok() != Some(n_chars) {
            out.push(v("n_chars", format!("n_chars is {} but text has {n_chars}", d.n_chars)));
        }
        let n_words = d.text.split_whitespace().count();
        if usize::try_from(d.n_words).ok() != Some(n_words) {
            out.push(v("n_words", format!("n_words is {} but text has {n_words}", d.n_words)));
        }
        let hash = hash_hex(d.text.as_bytes());
        if d.content_hash != hash {
            out.push(v("content_hash", format!("{} != hash of text {hash}", d.content_hash)));
        }
        let rows = per_doc.get(d.doc_id.as_str()).copied().unwrap_or(0);
        if let Some(n) = d.n_sentences
            && n != rows
        {
            out.push(v("n_sentences", format!("n_sentences is {n} but sentences has {rows}")));
        }
    }
    docs
}

/// Checks that `[byte_start, byte_end)` and `[char_start, char_end)` name the same text in
/// `doc` and that the text equals `surface`.
fn check_span(
    doc: &str,
    (byte_start, byte_end): (u32, u32),
    (char_start, char_end): (u32, u32),
    surface: &str,
) -> Result<(), String> {
    let (bs, be) = (byte_start as usize, byte_end as usize);
    let Some(slice) = doc.get(bs..be) else {
        return Err(format!(
            "bytes {bs}..{be} are not a span of the text ({} bytes, or not on a char boundary)",
            doc.len()
        ));
    };
    let chars = byte_to_char_offsets(doc, &[bs, be]);
    if (chars[0], chars[1]) != (char_start, char_end) {
        return Err(format!(
            "bytes {bs}..{be} are chars {}..{} but the row says {char_start}..{char_end}",
            chars[0], chars[1]
        ));
    }
    if slice != surface {
        return Err(format!("text[{char_start}:{char_end}] is {slice:?}, row says {surface:?}"));
    }
    Ok(())
}

/// `story_id` and `duplicate_of` name documents of the same story; exact copies share the
/// canonical member's text.
fn check_stories(docs: &HashMap<&str, &Document>, out: &mut Vec<Violation>) {
    let mut sorted: Vec<&&Document> = docs.values().collect();
    sorted.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    for d in sorted {
        let v =
            |rule, detail| violation(Document::NAME, format!("doc_id={}", d.doc_id), rule, detail);
        match (&d.story_id, &d.duplicate_of) {
            (None, Some(_)) => {
                out.push(v("story", "duplicate_of is set but story_id is null".into()));
            }
            (Some(story), None) if story != &d.doc_id => {
                out.push(v(
                    "story",
                    format!("story_id {story} is another document but duplicate_of is null"),
                ));
            }
            (Some(story), Some(of)) => {
                if story != of {
                    out.push(v(
                        "story",
                        format!("story_id {story} differs from duplicate_of {of}"),
                    ));
                }
                match docs.get(of.as_str()) {
                    None => {
                        out.push(v(
                            "foreign-key",
                            format!("duplicate_of {of} is not in documents"),
                        ));
                    }
                    Some(canonical) => {
                        if canonical.story_id.as_deref() != Some(of.as_str())
                            || canonical.duplicate_of.is_some()
                        {
                            out.push(v(
                                "story",
                                format!("duplicate_of {of} is not its story's canonical member"),
                            ));
                        }
                        if d.duplicate_kind == Some(DuplicateKind::Exact)
                            && !canonical.text.split_whitespace().eq(d.text.split_whitespace())
                        {
                            out.push(v(
                                "story",
                                "an exact duplicate whose text differs from the canonical member's"
                                    .into(),
                            ));
                        }
                    }
                }
                if d.duplicate_kind.is_none() {
                    out.push(v("story", "duplicate_of is set but duplicate_kind is null".into()));
                }
            }
            _ => {}
        }
    }
}

/// Edits are valid spans of `text` and `raw_text`, in order, and applying them to `raw_text`
/// gives `text`.
fn check_text_edits(docs: &HashMap<&str, &Document>, edits: &[TextEdit], out: &mut Vec<Violation>) {
    let mut by_doc: BTreeMap<&str, Vec<&TextEdit>> = BTreeMap::new();
    for e in edits {
        let key = format!("doc_id={}, edit_idx={}", e.doc_id, e.edit_idx);
        let v = |rule, detail| violation(TextEdit::NAME, key.clone(), rule, detail);
        let Some(doc) = docs.get(e.doc_id.as_str()) else {
            out.push(v("foreign-key", "doc_id is not in documents".into()));
            continue;
        };
        let text_span = check_span(
            &doc.text,
            (e.text_byte_start, e.text_byte_end),
            (e.text_char_start, e.text_char_end),
            &e.text,
        );
        let raw_span = check_span(
            &doc.raw_text,
            (e.raw_byte_start, e.raw_byte_end),
            (e.raw_char_start, e.raw_char_end),
            &e.raw,
        );
        match (text_span, raw_span) {
            (Ok(()), Ok(())) => by_doc.entry(e.doc_id.as_str()).or_default().push(e),
            (Err(err), _) => out.push(v("offsets", format!("in text: {err}"))),
            (_, Err(err)) => out.push(v("offsets", format!("in raw_text: {err}"))),
        }
    }
    let mut ids: Vec<&&str> = docs.keys().collect();
    ids.sort();
    for id in ids {
        let doc = docs[*id];
        let mut rows = by_doc.remove(*id).unwrap_or_default();
        rows.sort_by_key(|e| e.edit_idx);
        let mut rebuilt = String::with_capacity(doc.text.len());
        let mut raw_at = 0usize;
        let mut ordered = true;
        for e in &rows {
            let (start, end) = (e.raw_byte_start as usize, e.raw_byte_end as usize);
            let Some(kept) = doc.raw_text.get(raw_at..start) else {
                ordered = false;
                break;
            };
            rebuilt.push_str(kept);
            rebuilt.push_str(&e.text);
            raw_at = end;
        }
        rebuilt.push_str(doc.raw_text.get(raw_at..).unwrap_or_default());
        if !ordered || rebuilt != doc.text {
            out.push(violation(
                TextEdit::NAME,
                format!("doc_id={id}"),
                "reproduces-text",
                if ordered {
                    "applying the edits to raw_text does not give text".into()
                } else {
                    "the edits overlap or are out of order".into()
                },
            ));
        }
    }
}

/// Removed boilerplate is a valid span of `raw_text`.
fn check_boilerplate(
    docs: &HashMap<&str, &Document>,
    rows: &[Boilerplate],
    out: &mut Vec<Violation>,
) {
    for b in rows {
        let key = format!("doc_id={}, removal_idx={}", b.doc_id, b.removal_idx);
        let v = |rule, detail| violation(Boilerplate::NAME, key.clone(), rule, detail);
        let Some(doc) = docs.get(b.doc_id.as_str()) else {
            out.push(v("foreign-key", "doc_id is not in documents".into()));
            continue;
        };
        let span = (b.raw_byte_start as usize, b.raw_byte_end as usize);
        let removed = doc.raw_text.get(span.0..span.1).unwrap_or_default();
        if let Err(e) = check_span(
            &doc.raw_text,
            (b.raw_byte_start, b.raw_byte_end),
            (b.raw_char_start, b.raw_char_end),
            removed,
        ) {
            out.push(v("offsets", format!("in raw_text: {e}")));
        }
    }
}

fn check_sentences<'a>(
    docs: &HashMap<&str, &Document>,
    sentences: &'a [Sentence],
    out: &mut Vec<Violation>,
) -> HashMap<(&'a str, u32), &'a Sentence> {
    let mut seen = HashMap::with_capacity(sentences.len());
    let mut by_doc: BTreeMap<&str, Vec<&Sentence>> = BTreeMap::new();
    for s in sentences {
        let key = format!("doc_id={}, sentence_idx={}", s.doc_id, s.sentence_idx);
        let v = |rule, detail| violation(Sentence::NAME, key.clone(), rule, detail);
        if seen.insert((s.doc_id.as_str(), s.sentence_idx), s).is_some() {
            out.push(v("unique-key", "(doc_id, sentence_idx) appears more than once".into()));
        }
        let Some(doc) = docs.get(s.doc_id.as_str()) else {
            out.push(v("foreign-key", "doc_id is not in documents".into()));
            continue;
        };
        by_doc.entry(s.doc_id.as_str()).or_default().push(s);
        if let Err(e) =
            check_span(&doc.text, (s.byte_start, s.byte_end), (s.char_start, s.char_end), &s.text)
        {
            out.push(v("offsets", e));
        }
        if s.byte_start >= s.byte_end {
            out.push(v("non-empty", "the sentence is empty".into()));
        }
    }
    for (doc_id, mut rows) in by_doc {
        rows.sort_by_key(|s| s.sentence_idx);
        for (i, pair) in rows.windows(2).enumerate() {
            if pair[1].byte_start < pair[0].byte_end {
                out.push(violation(
                    Sentence::NAME,
                    format!("doc_id={doc_id}, sentence_idx={}", pair[1].sentence_idx),
                    "ordered",
                    format!("starts before sentence {} ends", pair[0].sentence_idx),
                ));
            }
            if pair[1].sentence_idx as usize != i + 1 {
                out.push(violation(
                    Sentence::NAME,
                    format!("doc_id={doc_id}, sentence_idx={}", pair[1].sentence_idx),
                    "dense-index",
                    format!("sentence_idx should be {}", i + 1),
                ));
            }
        }
        if rows.first().is_some_and(|s| s.sentence_idx != 0) {
            out.push(violation(
                Sentence::NAME,
                format!("doc_id={doc_id}"),
                "dense-index",
                "the first sentence_idx is not 0".into(),
            ));
        }
    }
    seen
}

fn check_entities(
    docs: &HashMap<&str, &Document>,
    sentences: &HashMap<(&str, u32), &Sentence>,
    entities: &[Entity],
    out: &mut Vec<Violation>,
) {
    let mut seen = HashSet::with_capacity(entities.len());
    let mut canonical: HashMap<&str, (&str, EntityType)> = HashMap::new();
    for e in entities {
        let key = format!("doc_id={}, mention_idx={}", e.doc_id, e.mention_idx);
        let v = |rule, detail| violation(Entity::NAME, key.clone(), rule, detail);
        if !seen.insert((e.doc_id.as_str(), e.mention_idx)) {
            out.push(v("unique-key", "(doc_id, mention_idx) appears more than once".into()));
        }
        match canonical.get(e.entity_id.as_str()) {
            None => {
                canonical.insert(&e.entity_id, (&e.entity_name, e.entity_type));
            }
            Some(&(name, ty)) if name != e.entity_name || ty != e.entity_type => {
                out.push(v(
                    "canonical",
                    format!(
                        "{} is {name:?} ({}) elsewhere but {:?} ({}) here",
                        e.entity_id,
                        ty.as_str(),
                        e.entity_name,
                        e.entity_type.as_str()
                    ),
                ));
            }
            Some(_) => {}
        }
        let Some(doc) = docs.get(e.doc_id.as_str()) else {
            out.push(v("foreign-key", "doc_id is not in documents".into()));
            continue;
        };
        if let Err(err) =
            check_span(&doc.text, (e.byte_start, e.byte_end), (e.char_start, e.char_end), &e.text)
        {
            out.push(v("offsets", err));
        }
        match sentences.get(&(e.doc_id.as_str(), e.sentence_idx)) {
            None => out
                .push(v("foreign-key", format!("sentence {} is not in sentences", e.sentence_idx))),
            Some(s) if e.byte_start < s.byte_start || e.byte_end > s.byte_end => out.push(v(
                "inside-sentence",
                format!(
                    "chars {}..{} are outside sentence {} (chars {}..{})",
                    e.char_start, e.char_end, e.sentence_idx, s.char_start, s.char_end
                ),
            )),
            Some(_) => {}
        }
    }
}

fn check_cooccurrences(tables: Tables<'_>, aggregated: Aggregated<'_>, out: &mut Vec<Violation>) {
    let expected = recount_cooccurrences(tables, aggregated.config);
    let actual = Counted {
        cooccurrences: aggregated.cooccurrences.to_vec(),
        by_period: aggregated.by_period.to_vec(),
    };
    out.extend(compare_counted(&actual, &expected));
}

/// The differences between aggregate tables and the expected ones (from
/// [`recount_cooccurrences`]): rows missing, extra or different (association measures
/// within a relative 1e-9), pairs out of order, repeated keys. Sorted; empty when equal.
pub fn compare_counted(actual: &Counted, expected: &Counted) -> Vec<Violation> {
    let mut out = Vec::new();
    compare(
        &actual.cooccurrences,
        &expected.cooccurrences,
        |r| format!("{}, {}, {}", r.scope.as_str(), r.entity_a, r.entity_b),
        |r| r.entity_a < r.entity_b,
        |x, y| {
            let rest = |r: &Cooccurrence| Cooccurrence {
                pmi: 0.0,
                npmi: 0.0,
                llr: 0.0,
                dice: 0.0,
                ..r.clone()
            };
            measures_close([x.pmi, x.npmi, x.llr, x.dice], [y.pmi, y.npmi, y.llr, y.dice])
                && rest(x) == rest(y)
        },
        &mut out,
    );
    compare(
        &actual.by_period,
        &expected.by_period,
        |r| {
            let start = r.period_start.map_or_else(|| "null".to_owned(), |t| t.to_string());
            let (period, scope) = (r.period.as_str(), r.scope.as_str());
            format!("{period}, {start}, {scope}, {}, {}", r.entity_a, r.entity_b)
        },
        |r| r.entity_a < r.entity_b,
        |x, y| {
            let rest = |r: &CooccurrencePeriod| CooccurrencePeriod {
                pmi: 0.0,
                npmi: 0.0,
                llr: 0.0,
                dice: 0.0,
                ..r.clone()
            };
            measures_close([x.pmi, x.npmi, x.llr, x.dice], [y.pmi, y.npmi, y.llr, y.dice])
                && rest(x) == rest(y)
        },
        &mut out,
    );
    out.sort();
    out
}

/// Whether two rows' PMI, NPMI, G² and Dice agree within a relative 1e-9 (they are computed
/// in a different order by polars and by the recount).
fn measures_close(x: [f64; 4], y: [f64; 4]) -> bool {
    x.iter().zip(&y).all(|(a, b)| (a - b).abs() <= 1e-9 * a.abs().max(1.0))
}

/// Compares a table's rows with the recount's: ordered pairs, unique keys, every expected row
/// present and equal (`same`), no extra rows.
fn compare<T: Table + std::fmt::Debug>(
    actual: &[T],
    expected: &[T],
    key: impl Fn(&T) -> String,
    ordered: impl Fn(&T) -> bool,
    same: impl Fn(&T, &T) -> bool,
    out: &mut Vec<Violation>,
) {
    let mut by_key = BTreeMap::new();
    for r in actual {
        if !ordered(r) {
            let detail = "entity_a must sort before entity_b".into();
            out.push(violation(T::NAME, key(r), "ordered-pair", detail));
        }
        if by_key.insert(key(r), r).is_some() {
            let detail = format!("({}) appears more than once", T::KEY.join(", "));
            out.push(violation(T::NAME, key(r), "unique-key", detail));
        }
    }
    let want: BTreeMap<String, &T> = expected.iter().map(|r| (key(r), r)).collect();
    for (k, w) in &want {
        match by_key.get(k) {
            None => out.push(violation(T::NAME, k.clone(), "recount", format!("missing: {w:?}"))),
            Some(got) if !same(got, w) => out.push(violation(
                T::NAME,
                k.clone(),
                "recount",
                format!("table has {got:?}, the recount gives {w:?}"),
            )),
            Some(_) => {}
        }
    }
    for k in by_key.keys() {
        if !want.contains_key(k) {
            let detail = "the recount finds no such pair (or it is below min_count)".into();
            out.push(violation(T::NAME, k.clone(), "recount", detail));
        }
    }
}
