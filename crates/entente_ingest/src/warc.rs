//! WARC archives (ISO 28500, versions 1.0 and 1.1): every HTTP `response` record with an HTML
//! payload becomes a document; other records are skipped and counted.
//!
//! The reader is entente's own (about 200 lines) rather than the `warc` crate: it must go on
//! after a malformed or truncated record, turn each one into a reject naming the record, and
//! undo HTTP chunking and content-encoding, none of which that crate does.

use std::io::Read;

use entente_schema::{RejectReason, SourceFormat};

use crate::encoding::{content_type_charset, tld_of};
use crate::records::oversized_detail;
use crate::{FileCtx, max_record_bytes};

/// Header lines of one WARC record or HTTP message, names lower-cased.
struct Headers(Vec<(String, String)>);

impl Headers {
    fn parse(block: &[u8]) -> Self {
        let text = String::from_utf8_lossy(block);
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.split('\n').map(|l| l.trim_end_matches('\r')).skip(1) {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = fields.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                fields.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        Self(fields)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The end of a header block starting at `from` (the index after its blank line).
fn header_end(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let crlf = rest.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = rest.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from + end)
}

/// The start of the next `WARC/` version line at or after `from`, at a line start.
fn next_record(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"WARC/") && (i == 0 || bytes[i - 1] == b'\n') {
            return Some(i);
        }
        i += rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |p| p + 1);
    }
    None
}

/// How the WARC record at `pos` (a `WARC/` line) ends, as [`warc`] reads it.
pub(crate) enum Span {
    /// More bytes are needed to tell (the end of the input is not reached).
    Need,
    /// The next record starts at `end` (or the input ends there); the record and the bytes
    /// after it that are not a record take `numbers` record numbers.
    Record { end: usize, numbers: u32 },
    /// The record's body ends at `body_end` and the record is over `cap` bytes.
    Oversized { body_end: usize },
}

/// Where the WARC record at `pos` ends in `bytes` (`eof`: nothing follows them), records
/// over `cap` bytes told apart without their body.
pub(crate) fn span(bytes: &[u8], pos: usize, eof: bool, cap: usize) -> Span {
    let Some(body_start) = header_end(bytes, pos) else {
        return if eof { Span::Record { end: bytes.len(), numbers: 1 } } else { Span::Need };
    };
    let headers = Headers::parse(&bytes[pos..body_start]);
    let Some(length) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) else {
        return match next_record(bytes, body_start) {
            Some(end) => Span::Record { end, numbers: 1 },
            None if eof => Span::Record { end: bytes.len(), numbers: 1 },
            None => Span::Need,
        };
    };
    let body_end = body_start.saturating_add(length);
    if body_end - pos > cap {
        return Span::Oversized { body_end };
    }
    if body_end > bytes.len() {
        return if eof { Span::Record { end: bytes.len(), numbers: 1 } } else { Span::Need };
    }
    match tail(bytes, body_end, eof) {
        Some((end, garbage)) => Span::Record { end, numbers: 1 + u32::from(garbage) },
        None => Span::Need,
    }
}

/// After a record's body at `from`: the start of the next record, and whether bytes that are
/// not a record (not white space) came first; `None` when more bytes are needed.
pub(crate) fn tail(bytes: &[u8], from: usize, eof: bool) -> Option<(usize, bool)> {
    let mut pos = from;
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    if pos == bytes.len() {
        return eof.then_some((pos, false));
    }
    if bytes.len() - pos < 5 && !eof {
        return None;
    }
    if bytes[pos..].starts_with(b"WARC/") {
        return Some((pos, false));
    }
    match next_record(bytes, pos) {
        Some(next) => Some((next, true)),
        None => eof.then_some((bytes.len(), true)),
    }
}

/// Reads every record of an (already decompressed) WARC file, or of a chunk of one that starts
/// at a record ([`crate::Position`]).
pub(crate) fn warc(ctx: &mut FileCtx<'_>, bytes: &[u8]) {
    let mut pos = next_record(bytes, 0).unwrap_or(bytes.len());
    if pos > 0 && !bytes[..pos].iter().all(u8::is_ascii_whitespace) {
        ctx.reject(0, RejectReason::Corrupt, "the file does not start with a WARC record");
        return;
    }
    let mut index: u32 = ctx.pos.first_index;
    while pos < bytes.len() {
        if ctx.full(index) {
            return;
        }
        let record = index;
        index = index.saturating_add(1);
        let Some(body_start) = header_end(bytes, pos) else {
            ctx.reject(record, RejectReason::Truncated, "the record's header block never ends");
            ctx.damage_reported();
            break;
        };
        let headers = Headers::parse(&bytes[pos..body_start]);
        let Some(length) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok())
        else {
            ctx.reject(record, RejectReason::Corrupt, "the record has no valid Content-Length");
            pos = next_record(bytes, body_start).unwrap_or(bytes.len());
            continue;
        };
        let body_end = body_start.saturating_add(length);
        if body_end > bytes.len() {
            let detail = format!(
                "the record declares {length} bytes but the file ends after {}",
                bytes.len() - body_start
            );
            ctx.reject(record, RejectReason::Truncated, detail);
            ctx.damage_reported();
            break;
        }
        if body_end - pos > max_record_bytes(ctx.config) {
            let detail = oversized_detail(&format!("record {record}"), ctx.config);
            ctx.reject(record, RejectReason::TooLarge, detail);
        } else {
            read_record(ctx, record, &headers, &bytes[body_start..body_end]);
        }
        pos = body_end;
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos < bytes.len() && !bytes[pos..].starts_with(b"WARC/") {
            let next = next_record(bytes, pos).unwrap_or(bytes.len());
            let skipped = next - pos;
            ctx.reject(
                index,
                RejectReason::Corrupt,
                format!("{skipped} bytes after record {record} are not a WARC record"),
            );
            index = index.saturating_add(1);
            pos = next;
        }
    }
    let none = index == ctx.pos.first_index && ctx.pos.no_records_before();
    if !ctx.finish_partial_tail(index, "") && none {
        ctx.reject(0, RejectReason::Empty, "the file has no WARC records");
    }
}

fn read_record(ctx: &mut FileCtx<'_>, record: u32, warc: &Headers, block: &[u8]) {
    let kind = warc.get("warc-type").unwrap_or("unknown").to_ascii_lowercase();
    let is_http = warc
        .get("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/http"));
    if kind != "response" || !is_http {
        ctx.skip(format!("warc {kind} record"));
        return;
    }
    let Some(body_start) = header_end(block, 0) else {
        ctx.reject(record, RejectReason::Corrupt, "the HTTP response has no header block");
        return;
    };
    let status_line = String::from_utf8_lossy(block.split(|&b| b == b'\n').next().unwrap_or(b""))
        .trim()
        .to_owned();
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse::<u16>().ok());
    let http = Headers::parse(&block[..body_start]);
    let content_type = http.get("content-type").unwrap_or("").to_ascii_lowercase();
    if !(200..300).contains(&status.unwrap_or(0)) {
        ctx.skip(format!(
            "warc response with HTTP status {}",
            status.map_or("?".into(), |s| s.to_string())
        ));
        return;
    }
    if !(content_type.contains("html") || content_type.is_empty()) {
        let mime = content_type.split(';').next().unwrap_or("").trim().to_owned();
        ctx.skip(format!("warc response of type {mime}"));
        return;
    }
    let body = match http_body(&http, &block[body_start..]) {
        Ok(body) => body,
        Err((reason, detail)) => {
            ctx.reject(record, reason, detail);
            return;
        }
    };
    let url = warc.get("warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_owned());
    let declared = content_type_charset(http.get("content-type").unwrap_or(""));
    let tld = url.as_deref().and_then(tld_of);
    let id = warc.get("warc-record-id").map(|i| i.trim_matches(['<', '>']).to_owned());
    let date = warc.get("warc-date").map(str::to_owned);
    let html = match FileCtx::decode_html(&body, declared, tld) {
        Ok(html) => html,
        Err((reason, detail)) => {
            ctx.reject(record, reason, detail);
            return;
        }
    };
    let parsed = crate::html::extract(&html.text, url.as_deref())
        .map(|mut r| {
            // The WARC headers are the record of what was fetched: the target URI is the URL,
            // and the capture date stands in when the page states no publication date.
            r.url = url.clone().or(r.url);
            r.published = r.published.or(date);
            r.id = id;
            r.encoding = Some(html.encoding);
            r
        })
        .map_err(|e| (RejectReason::NoContent, e));
    let label = format!("record {record} ({})", url.as_deref().unwrap_or("no target URI"));
    ctx.record(record, SourceFormat::Warc, parsed, &label);
}

/// The HTTP payload with chunked transfer coding and gzip/deflate content coding undone.
fn http_body(http: &Headers, raw: &[u8]) -> Result<Vec<u8>, (RejectReason, String)> {
    let chunked =
        http.get("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    let coding = http.get("content-encoding").unwrap_or("identity").trim().to_ascii_lowercase();
    let mut out = Vec::new();
    let result = match coding.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out),
        other => {
            return Err((
                RejectReason::Undecodable,
                format!("HTTP content-encoding {other} is not supported"),
            ));
        }
    };
    result.map_err(|e| {
        (RejectReason::Corrupt, format!("HTTP {coding} payload does not decode: {e}"))
    })?;
    Ok(out)
}

fn dechunk(raw: &[u8]) -> Result<Vec<u8>, (RejectReason, String)> {
    let mut out = Vec::with_capacity(raw.len());
    let mut pos = 0;
    loop {
        let line_end = raw[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or((RejectReason::Truncated, "the chunked HTTP payload ends early".to_owned()))?;
        let line = String::from_utf8_lossy(&raw[pos..pos + line_end]);
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| {
            (RejectReason::Corrupt, format!("bad chunk size {size:?} in the HTTP payload"))
        })?;
        pos += line_end + 1;
        if size == 0 {
            return Ok(out);
        }
        let chunk = raw
            .get(pos..pos.saturating_add(size))
            .ok_or((RejectReason::Truncated, "the chunked HTTP payload ends early".to_owned()))?;
        out.extend_from_slice(chunk);
        pos += size;
        while pos < raw.len() && matches!(raw[pos], b'\r' | b'\n') {
            pos += 1;
        }
    }
}
