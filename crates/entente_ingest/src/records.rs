//! Record formats: JSON Lines and CSV/TSV, one document per record, with a configurable
//! mapping from the source's field names to document columns.

use entente_schema::{RejectReason, SourceFormat};
use serde::{Deserialize, Serialize};

use crate::{FileCtx, Record, max_record_bytes};

/// Which source fields fill which document column (`[ingest.fields]` in a pipeline file).
/// Each column lists candidate field names, tried in order; the first present non-empty one
/// wins. Names match exactly first, then ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// The record's own id (`source_id`).
    pub id: Vec<String>,
    /// The headline.
    pub title: Vec<String>,
    /// The article text. A record without any of these fields is a `missing_text` reject; one
    /// whose text is empty or blank is an `empty` reject.
    pub text: Vec<String>,
    /// The publication date.
    pub published: Vec<String>,
    /// The article URL.
    pub url: Vec<String>,
    /// The publication or site name (`site_name`).
    pub site: Vec<String>,
    /// The author(s): a string, a list of strings, or objects with a `name`.
    pub author: Vec<String>,
    /// The language code.
    pub language: Vec<String>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for FieldMap {
    fn default() -> Self {
        Self {
            id: names(&["id", "doc_id", "article_id", "guid", "uuid", "uri"]),
            title: names(&["title", "headline", "heading"]),
            text: names(&[
                "text",
                "body",
                "content",
                "article",
                "article_text",
                "maintext",
                "story",
            ]),
            published: names(&[
                "published",
                "published_at",
                "date",
                "datetime",
                "date_publish",
                "pubdate",
                "publish_date",
                "timestamp",
                "time",
            ]),
            url: names(&["url", "link", "canonical_url", "source_url"]),
            site: names(&["source", "site", "site_name", "publisher", "outlet", "domain"]),
            author: names(&["author", "authors", "byline", "creator"]),
            language: names(&["language", "lang", "locale"]),
        }
    }
}

/// Field names to values, for one record.
trait Fields {
    fn get(&self, name: &str) -> Option<String>;

    /// The first candidate present with a non-blank value.
    fn first(&self, candidates: &[String]) -> Option<String> {
        candidates.iter().find_map(|c| self.get(c)).filter(|v| !v.trim().is_empty())
    }
}

impl Fields for serde_json::Map<String, serde_json::Value> {
    fn get(&self, name: &str) -> Option<String> {
        let value = serde_json::Map::get(self, name)
            .or_else(|| self.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))?;
        json_text(value)
    }
}

/// A JSON value as text: strings and numbers as they are, lists of strings (or of objects
/// with a `name`) joined with `; `.
fn json_text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("name").and_then(json_text),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(json_text).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Null | Value::Bool(_) => None,
    }
}

struct CsvRow<'a> {
    headers: &'a csv::StringRecord,
    row: &'a csv::StringRecord,
}

impl Fields for CsvRow<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let i = self
            .headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| h.eq_ignore_ascii_case(name)))?;
        self.row.get(i).map(str::to_owned)
    }
}

/// A record from mapped fields; `Err` when it has no text field at all.
fn record(fields: &dyn Fields, map: &FieldMap) -> Result<Record, (RejectReason, String)> {
    let text = map.text.iter().find_map(|c| fields.get(c)).ok_or_else(|| {
        (RejectReason::MissingText, format!("no text field (looked for {})", map.text.join(", ")))
    })?;
    Ok(Record {
        id: fields.first(&map.id),
        title: fields.first(&map.title).map(|t| t.trim().to_owned()),
        author: fields.first(&map.author).map(|t| t.trim().to_owned()),
        site_name: fields.first(&map.site).map(|t| t.trim().to_owned()),
        url: fields.first(&map.url).map(|t| t.trim().to_owned()),
        published: fields.first(&map.published),
        language: fields.first(&map.language).map(|t| t.trim().to_owned()),
        text,
        ..Record::default()
    })
}

/// One document per non-blank line; `source_record` is the 0-based line index in the file
/// (`text` may be a chunk of it: [`crate::Position`]).
pub(crate) fn jsonl(ctx: &mut FileCtx<'_>, text: &str) {
    let (complete, partial) = ctx.split_partial_tail(text);
    let first = ctx.pos.first_index;
    let mut any = false;
    for (offset, line) in complete.split('\n').enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        any = true;
        let record = first.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
        if ctx.full(record) {
            return;
        }
        let label = format!("line {}", u64::from(record) + 1);
        if line.len() > max_record_bytes(ctx.config) {
            ctx.reject(record, RejectReason::TooLarge, oversized_detail(&label, ctx.config));
            continue;
        }
        let parsed = parse_json(line, &ctx.config.fields);
        ctx.record(record, SourceFormat::Jsonl, parsed, &label);
    }
    // When `partial` is set, `complete` ends with a line break: its lines are its breaks.
    let lines = u32::try_from(complete.matches('\n').count()).unwrap_or(u32::MAX);
    let next = first.saturating_add(lines);
    if !ctx.finish_partial_tail(next, partial) && !any && ctx.pos.no_records_before() {
        ctx.reject(0, RejectReason::Empty, "the file has no records");
    }
}

/// The detail of a record over [`max_record_bytes`].
pub(crate) fn oversized_detail(label: &str, config: &crate::IngestConfig) -> String {
    format!(
        "{label}: the record is over {} bytes (8 × max_text_bytes): not read",
        max_record_bytes(config)
    )
}

fn parse_json(line: &str, map: &FieldMap) -> Result<Record, (RejectReason, String)> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| (RejectReason::MalformedJson, format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err((RejectReason::MalformedJson, "the line is JSON but not an object".into()));
    };
    if let Some(name) = map.text.iter().find(|c| object.contains_key(c.as_str()))
        && let Some(v) = object.get(name)
        && !v.is_string()
    {
        if v.is_null() {
            let detail = format!("the \"{name}\" field is null: the record has no body");
            return Err((RejectReason::Empty, detail));
        }
        return Err((
            RejectReason::MissingText,
            format!("the \"{name}\" field is {}, not a string", json_kind(v)),
        ));
    }
    record(&object, map)
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// One document per data row after the header; `source_record` is the 0-based data row in the
/// file. TSV is read without quoting (exports rarely quote, and a stray `"` must not swallow
/// rows). A chunk after the file's first comes with the file's `header` row.
pub(crate) fn delimited(
    ctx: &mut FileCtx<'_>,
    text: &str,
    format: SourceFormat,
    header: Option<&str>,
) {
    let (complete, partial) = ctx.split_partial_tail(text);
    let tsv = format == SourceFormat::Tsv;
    let header = header.unwrap_or_default();
    // Line numbers in the file: the header given apart takes lines of its own.
    let header_lines = header.matches('\n').count() as u64;
    let lines_before = ctx.pos.lines_before;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .quoting(!tsv)
        .flexible(true)
        .has_headers(true)
        .from_reader(std::io::Read::chain(header.as_bytes(), complete.as_bytes()));
    let headers = match reader.headers() {
        Ok(h) if h.iter().any(|f| !f.trim().is_empty()) => h.clone(),
        Ok(_) => {
            ctx.reject(0, RejectReason::Empty, "the file has no header row");
            return;
        }
        Err(e) => {
            ctx.reject(
                0,
                RejectReason::MalformedCsv,
                format!("the header row does not parse: {e}"),
            );
            return;
        }
    };
    let mut row = csv::StringRecord::new();
    let mut index: u32 = ctx.pos.first_index;
    loop {
        let start = reader.position().clone();
        let line = start.line() - header_lines + lines_before;
        let read = reader.read_record(&mut row);
        if !matches!(read, Ok(false)) && ctx.full(index) {
            return;
        }
        let parsed = match read {
            Ok(false) => break,
            Ok(true)
                if reader.position().byte() - start.byte()
                    > max_record_bytes(ctx.config) as u64 =>
            {
                None
            }
            Ok(true) if row.len() == headers.len() => {
                Some(record(&CsvRow { headers: &headers, row: &row }, &ctx.config.fields))
            }
            Ok(true) => Some(Err((
                RejectReason::MalformedCsv,
                format!("the row has {} fields, the header {}", row.len(), headers.len()),
            ))),
            Err(e) => {
                Some(Err((RejectReason::MalformedCsv, format!("the row does not parse: {e}"))))
            }
        };
        let label = format!("line {line}");
        match parsed {
            Some(parsed) => ctx.record(index, format, parsed, &label),
            None => ctx.reject(index, RejectReason::TooLarge, oversized_detail(&label, ctx.config)),
        }
        index = index.saturating_add(1);
        if reader.is_done() {
            break;
        }
    }
    let none = index == ctx.pos.first_index && ctx.pos.no_records_before();
    if !ctx.finish_partial_tail(index, partial) && none {
        ctx.reject(0, RejectReason::Empty, "the file has a header but no rows");
    }
}
