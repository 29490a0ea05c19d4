//! The hostile-input corpus: files that break naive readers, each with the outcome entente
//! must give it. Written on demand (it holds a 50 MB line and links no repository can carry):
//! by the CLI tests, and by `just validate-hostile` through the `hostile-corpus` binary.

use std::io::Write as _;
use std::path::Path;

/// One file (or link) of the corpus and what the run must make of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The input path relative to the corpus root: `source` in the tables.
    pub source: String,
    /// What the file is, in words.
    pub what: &'static str,
    /// Documents the file must give.
    pub documents: usize,
    /// Rejects it must give, by reason: `(reason, count)`.
    pub rejects: Vec<(&'static str, usize)>,
}

/// The corpus's total expected documents and rejects.
pub fn totals(cases: &[Case]) -> (usize, usize) {
    let documents = cases.iter().map(|c| c.documents).sum();
    let rejects = cases.iter().flat_map(|c| &c.rejects).map(|(_, n)| n).sum();
    (documents, rejects)
}

/// Deterministic pseudo-random bytes (xorshift), so the corpus is the same on every machine.
fn junk(n: usize, mut state: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
        .collect()
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// A WARC response record whose Content-Length is the true one plus `lie`.
fn warc_response(uri: &str, html: &str, lie: isize) -> Vec<u8> {
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let length = http.len().saturating_add_signed(lie);
    format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2024-05-16T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {length}\r\n\r\n{http}\r\n\r\n"
    )
    .into_bytes()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>\
         <p>{body}</p><p>{body}</p></article></body></html>"
    )
}

const PROSE: &str = "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow \
                     on Tuesday. The two leaders discussed trade, energy and the war in Ukraine.";

/// Writes the corpus under `dir` (created; existing files of the same names are replaced) and
/// returns its cases, sorted by source.
pub fn write(dir: &Path) -> std::io::Result<Vec<Case>> {
    std::fs::create_dir_all(dir)?;
    let mut cases = Vec::new();
    let mut file = |source: &str, what, bytes: &[u8], documents, rejects| {
        let path = dir.join(source);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
        cases.push(Case { source: source.to_owned(), what, documents, rejects });
        std::io::Result::Ok(())
    };
    let good_jsonl = format!(
        "{{\"id\": \"w1\", \"title\": \"Summit\", \"text\": \"{PROSE}\"}}\n\
         {{\"id\": \"w2\", \"title\": \"Talks\", \"text\": \"Wang Yi met Sergei Lavrov in Beijing.\"}}\n"
    );
    file("good/article.txt", "a plain article", crate::ARTICLE.as_bytes(), 1, vec![])?;
    file("good/wire.jsonl", "two good JSON records", good_jsonl.as_bytes(), 2, vec![])?;
    file("empty.txt", "an empty file", b"", 0, vec![("empty", 1)])?;
    file("whitespace.txt", "only whitespace", b" \n\t\r\n  \n", 0, vec![("empty", 1)])?;
    file(
        "junk.bin",
        "binary junk, unknown extension",
        &junk(4096, 7),
        0,
        vec![("unsupported_format", 1)],
    )?;
    file("junk.txt", "binary junk named .txt", &junk(4096, 11), 0, vec![("binary", 1)])?;
    file("nul-bytes.txt", "text with NUL bytes", b"Xi met\0Putin.\0\0", 0, vec![("binary", 1)])?;
    let nul_json = format!("{{\"text\": \"{PROSE} \\u0000 NUL escaped in JSON.\"}}\n");
    file("nul-escaped.jsonl", "an escaped NUL in a JSON string", nul_json.as_bytes(), 1, vec![])?;
    let mut invalid = PROSE.as_bytes().to_vec();
    invalid.extend_from_slice(b" Bad bytes: \xff\xfe\x80 end.");
    file("invalid-utf8.txt", "invalid UTF-8 bytes in text", &invalid, 1, vec![])?;
    let mut overlong = PROSE.as_bytes().to_vec();
    overlong.extend_from_slice(b" Overlong slash: \xc0\xaf and NUL \xc0\x80 end.");
    file("overlong-utf8.txt", "overlong UTF-8 sequences", &overlong, 1, vec![])?;
    file("utf16le-no-bom.txt", "UTF-16LE without a BOM", &utf16(PROSE, false), 1, vec![])?;
    file("utf16be-no-bom.txt", "UTF-16BE without a BOM", &utf16(PROSE, true), 1, vec![])?;
    let mut line = b"{\"id\": \"huge\", \"text\": \"".to_vec();
    while line.len() < 50 * 1024 * 1024 {
        line.extend_from_slice(b"word ");
    }
    line.extend_from_slice(b"\"}\n");
    line.extend_from_slice(good_jsonl.lines().next().unwrap_or_default().as_bytes());
    file(
        "huge-line.jsonl",
        "a single 50 MB line, then a good one",
        &line,
        1,
        vec![("too_large", 1)],
    )?;
    file(
        "one-word-lines.txt",
        "100,000 one-word lines",
        "word\n".repeat(100_000).as_bytes(),
        1,
        vec![],
    )?;
    let nested = format!(
        "<!doctype html><html><body>{}<p>{PROSE}</p>{}</body></html>",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    file(
        "nested.html",
        "HTML nested 10,000 levels deep",
        nested.as_bytes(),
        0,
        vec![("no_content", 1)],
    )?;
    let bomb =
        format!("<!doctype html><html><body><p>{}</p></body></html>", "&amp;".repeat(2_000_000));
    file(
        "entity-bomb.html",
        "2 million repeated entities",
        bomb.as_bytes(),
        0,
        vec![("no_content", 1)],
    )?;
    let broken = format!(
        "{}\n{{\"text\": 5}}\n{{\"text\": [\"a\"]}}\n[1, 2]\n\"a string\"\n{{\"text\": \"cut off\n\
         {{\"title\": \"no text\"}}\nnot json at all\n{}\n",
        good_jsonl.lines().next().unwrap_or_default(),
        good_jsonl.lines().nth(1).unwrap_or_default()
    );
    file(
        "broken.jsonl",
        "JSON lines broken and of the wrong types",
        broken.as_bytes(),
        2,
        vec![("malformed_json", 4), ("missing_text", 3)],
    )?;
    let ragged = format!(
        "id,title,text\n1,Summit,\"{PROSE}\nA second line inside the quotes.\"\n2,Short\n\
         3,Long,text,extra,fields\n4,Fine,\"Wang Yi met Sergei Lavrov in Beijing.\"\n"
    );
    file(
        "ragged.csv",
        "CSV with ragged rows and embedded newlines",
        ragged.as_bytes(),
        2,
        vec![("malformed_csv", 2)],
    )?;
    let records = format!("{good_jsonl}{good_jsonl}");
    let gz = gzip(records.as_bytes())?;
    file("truncated.jsonl.gz", "gzip cut in half", &gz[..gz.len() / 2], 0, vec![("truncated", 1)])?;
    let zst = zstd::encode_all(crate::ARTICLE.as_bytes(), 3)?;
    file(
        "truncated.txt.zst",
        "zstd cut in half",
        &zst[..zst.len() / 2],
        0,
        vec![("truncated", 1)],
    )?;
    let whole = warc_response("https://example.com/a", &page("Summit", PROSE), 0);
    let mut cut = warc_response("https://example.com/b", &page("Talks", PROSE), 0);
    cut.truncate(cut.len() - 40);
    let lying = warc_response("https://example.com/c", &page("Visit", PROSE), 100_000);
    let short = warc_response("https://example.com/d", &page("Short", PROSE), -100);
    let warcs = [
        ("truncated.warc", "WARC whose last record breaks off", [&whole[..], &cut], 1, "truncated"),
        (
            "lying-length.warc",
            "WARC whose Content-Length runs past the end",
            [&whole[..], &lying],
            1,
            "truncated",
        ),
        (
            "short-length.warc",
            "WARC whose Content-Length stops inside the page",
            [&short[..], &whole],
            2,
            "corrupt",
        ),
    ];
    for (source, what, records, documents, reason) in warcs {
        file(source, what, &records.concat(), documents, vec![(reason, 1)])?;
    }
    links(dir, &mut cases)?;
    cases.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(cases)
}

/// The cases that are not plain files: a symbolic-link loop, a dangling link, a file the user
/// cannot read and a named pipe (opening one would block).
#[cfg(unix)]
fn links(dir: &Path, cases: &mut Vec<Case>) -> std::io::Result<()> {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    let replace = |path: &Path| match std::fs::symlink_metadata(path) {
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
    let unreadable = |source: &str, what| Case {
        source: source.to_owned(),
        what,
        documents: 0,
        rejects: vec![("unreadable", 1)],
    };
    std::fs::create_dir_all(dir.join("loop"))?;
    replace(&dir.join("loop/again"))?;
    symlink(".", dir.join("loop/again"))?;
    cases.push(unreadable("loop/again", "a symbolic link to its own directory"));
    replace(&dir.join("dangling.txt"))?;
    symlink("no-such-file.txt", dir.join("dangling.txt"))?;
    cases.push(unreadable("dangling.txt", "a link to nothing"));
    let locked = dir.join("unreadable.txt");
    std::fs::write(&locked, PROSE)?;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))?;
    // Root reads it anyway: then it is a document.
    let readable = std::fs::File::open(&locked).is_ok();
    cases.push(Case {
        source: "unreadable.txt".into(),
        what: "a file without read permission",
        documents: usize::from(readable),
        rejects: if readable { vec![] } else { vec![("unreadable", 1)] },
    });
    let fifo = dir.join("pipe.txt");
    replace(&fifo)?;
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        cases.push(unreadable("pipe.txt", "a named pipe"));
    }
    Ok(())
}

#[cfg(not(unix))]
fn links(_dir: &Path, _cases: &mut Vec<Case>) -> std::io::Result<()> {
    Ok(())
}
