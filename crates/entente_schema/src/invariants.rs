//! The invariants that hold between entente's tables. `entente validate` and the test suites
//! call [`check_tables`]; [`recount_cooccurrences`] is the slow, obviously-correct count that
//! the aggregate stage's fast path is checked against.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::span::byte_to_char_offsets;
use crate::tables::{
    Boilerplate, Cooccurrence, Document, DuplicateKind, Entity, EntityType, Scope, Sentence,
    TextEdit,
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

/// All tables of one output directory, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Tables<'a> {
    /// `documents` rows.
    pub documents: &'a [Document],
    /// `sentences` rows.
    pub sentences: &'a [Sentence],
    /// `text_edits` rows.
    pub text_edits: &'a [TextEdit],
    /// `boilerplate` rows.
    pub boilerplate: &'a [Boilerplate],
    /// `entities` rows.
    pub entities: &'a [Entity],
    /// `cooccurrences` rows, with the entity types the aggregate stage counted (`None` when
    /// the table is absent).
    pub cooccurrences: Option<(&'a [Cooccurrence], &'a [EntityType])>,
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
    if let Some((rows, types)) = tables.cooccurrences {
        check_cooccurrences(tables, rows, types, &mut out);
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

fn check_cooccurrences(
    tables: Tables<'_>,
    rows: &[Cooccurrence],
    types: &[EntityType],
    out: &mut Vec<Violation>,
) {
    let key = |r: &Cooccurrence| format!("{}, {}, {}", r.scope.as_str(), r.entity_a, r.entity_b);
    let mut actual = BTreeMap::new();
    for r in rows {
        if r.entity_a >= r.entity_b {
            out.push(violation(
                Cooccurrence::NAME,
                key(r),
                "ordered-pair",
                "entity_a must sort before entity_b".into(),
            ));
        }
        if actual.insert((r.scope, r.entity_a.as_str(), r.entity_b.as_str()), r).is_some() {
            out.push(violation(
                Cooccurrence::NAME,
                key(r),
                "unique-key",
                "(scope, entity_a, entity_b) appears more than once".into(),
            ));
        }
    }
    let expected = recount_cooccurrences(tables, |t| types.contains(&t));
    let expected: BTreeMap<_, _> =
        expected.iter().map(|r| ((r.scope, r.entity_a.as_str(), r.entity_b.as_str()), r)).collect();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    for (k, want) in &expected {
        match actual.get(k) {
            None => out.push(violation(
                Cooccurrence::NAME,
                key(want),
                "recount",
                format!("missing: the recount finds count {}", want.count),
            )),
            Some(got) => {
                let same = (got.count, got.count_a, got.count_b, got.n_units)
                    == (want.count, want.count_a, want.count_b, want.n_units)
                    && close(got.pmi, want.pmi)
                    && close(got.npmi, want.npmi)
                    && (got.name_a.as_str(), got.name_b.as_str(), got.type_a, got.type_b)
                        == (want.name_a.as_str(), want.name_b.as_str(), want.type_a, want.type_b);
                if !same {
                    out.push(violation(
                        Cooccurrence::NAME,
                        key(want),
                        "recount",
                        format!("table has {got:?}, the recount gives {want:?}"),
                    ));
                }
            }
        }
    }
    for (k, got) in &actual {
        if !expected.contains_key(k) {
            out.push(violation(
                Cooccurrence::NAME,
                key(got),
                "recount",
                "the recount finds no unit mentioning both".into(),
            ));
        }
    }
}

/// Counts co-occurrences the slow, obvious way: for every sentence and every document, the set
/// of entities of an `included` type it mentions, then every pair of that set. Rows are sorted
/// by scope, `entity_a`, `entity_b`. A unit is one row of `sentences` or `documents`.
pub fn recount_cooccurrences(
    tables: Tables<'_>,
    included: impl Fn(EntityType) -> bool,
) -> Vec<Cooccurrence> {
    let mut names: BTreeMap<&str, (&str, EntityType)> = BTreeMap::new();
    let mut by_sentence: BTreeMap<(&str, u32), BTreeSet<&str>> = BTreeMap::new();
    let mut by_doc: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in tables.entities.iter().filter(|e| included(e.entity_type)) {
        names.entry(&e.entity_id).or_insert((&e.entity_name, e.entity_type));
        by_sentence.entry((&e.doc_id, e.sentence_idx)).or_default().insert(&e.entity_id);
        by_doc.entry(&e.doc_id).or_default().insert(&e.entity_id);
    }
    let mut out = Vec::new();
    let units = [
        (Scope::Sentence, tables.sentences.len(), by_sentence.into_values().collect::<Vec<_>>()),
        (Scope::Document, tables.documents.len(), by_doc.into_values().collect()),
    ];
    for (scope, n_units, sets) in units {
        let mut single: BTreeMap<&str, u32> = BTreeMap::new();
        let mut pairs: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        for set in &sets {
            let ids: Vec<&str> = set.iter().copied().collect();
            for (i, a) in ids.iter().enumerate() {
                *single.entry(a).or_default() += 1;
                for b in ids.iter().skip(i + 1) {
                    *pairs.entry((a, b)).or_default() += 1;
                }
            }
        }
        let n_units = u32::try_from(n_units).unwrap_or(u32::MAX);
        for ((a, b), count) in pairs {
            out.push(Cooccurrence::new(
                scope,
                (a, names[a]),
                (b, names[b]),
                (count, single[a], single[b]),
                n_units,
            ));
        }
    }
    out
}

/// PMI and NPMI of a pair seen together in `count` of `n_units` units, each alone in
/// `count_a` and `count_b` units. Base-2 logarithms; NPMI is 1 when the pair is in every unit.
///
/// ```
/// let (pmi, npmi) = entente_schema::association(2, 2, 2, 8);
/// assert!((pmi - 2.0).abs() < 1e-12 && (npmi - 1.0).abs() < 1e-12);
/// ```
pub fn association(count: u32, count_a: u32, count_b: u32, n_units: u32) -> (f64, f64) {
    let (c, ca, cb, n) =
        (f64::from(count), f64::from(count_a), f64::from(count_b), f64::from(n_units));
    let pmi = (c * n / (ca * cb)).log2();
    let h = -(c / n).log2();
    let npmi = if h > 0.0 { pmi / h } else { 1.0 };
    (pmi, npmi)
}

impl Cooccurrence {
    /// A row for the pair `a < b` (each `(id, (name, type))`) seen together in `count` units
    /// and alone in `count_a` and `count_b` units of `n_units`, with its PMI and NPMI.
    pub fn new(
        scope: Scope,
        (id_a, (name_a, type_a)): (&str, (&str, EntityType)),
        (id_b, (name_b, type_b)): (&str, (&str, EntityType)),
        (count, count_a, count_b): (u32, u32, u32),
        n_units: u32,
    ) -> Self {
        let (pmi, npmi) = association(count, count_a, count_b, n_units);
        Self {
            scope,
            entity_a: id_a.to_owned(),
            entity_b: id_b.to_owned(),
            name_a: name_a.to_owned(),
            name_b: name_b.to_owned(),
            type_a,
            type_b,
            count,
            count_a,
            count_b,
            n_units,
            pmi,
            npmi,
        }
    }
}
