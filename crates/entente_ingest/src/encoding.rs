//! Bytes to text: byte-order marks, declared charsets, and detection for undeclared legacy
//! encodings (cp1252, Shift-JIS, GBK, KOI8-R, ...), all through `encoding_rs`.

use encoding_rs::{Encoding, UTF_8};

use entente_schema::RejectReason;

/// Text decoded from bytes, with the encoding that was used.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
}

/// More than this share of U+FFFD replacements (per mille of characters) and the text is
/// rejected as undecodable rather than kept.
const MAX_REPLACED_PER_MILLE: usize = 10;

/// Decodes `bytes`. In order: a byte-order mark; the `declared` charset label (HTTP header or
/// `<meta>`), unless the bytes are valid UTF-8 with non-ASCII in them (mislabelled pages are
/// common); valid UTF-8; else the encoding `chardetng` guesses, helped by the top-level domain
/// of the page's URL when there is one.
///
/// A few bytes that do not decode become U+FFFD; more than 1% of the text is a reject.
pub(crate) fn decode(
    bytes: &[u8],
    declared: Option<&str>,
    tld: Option<&str>,
) -> Result<Decoded, (RejectReason, String)> {
    let (encoding, body) = if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        (encoding, &bytes[bom..])
    } else {
        let declared = declared.and_then(|l| Encoding::for_label(l.trim().as_bytes()));
        let utf8 = std::str::from_utf8(bytes).is_ok();
        let encoding = match declared {
            Some(e) if e == UTF_8 || !utf8 || bytes.is_ascii() => e.output_encoding(),
            _ if utf8 || mostly_utf8(bytes) => UTF_8,
            _ => guess(bytes, tld),
        };
        (encoding, bytes)
    };
    decode_as(encoding, body)
}

/// How much of a multi-record file (JSON Lines, CSV, TSV) its encoding is chosen from: the
/// same bytes whether the file is read whole or a chunk at a time, so its rows never depend
/// on how it was cut.
pub(crate) const SAMPLE_BYTES: usize = 1 << 20;

/// The encoding of a multi-record file from its first [`SAMPLE_BYTES`] (`sample`; `cut` when
/// the file goes on after it), and the length of its byte-order mark: as [`decode`] chooses
/// with no declared charset, a multi-byte character cut at the end of the sample aside.
pub(crate) fn choose(sample: &[u8], cut: bool) -> (&'static Encoding, usize) {
    if let Some((encoding, bom)) = Encoding::for_bom(sample) {
        return (encoding, bom);
    }
    let utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => cut && e.error_len().is_none(),
    };
    let encoding = if utf8 || mostly_utf8(sample) { UTF_8 } else { guess(sample, None) };
    (encoding, 0)
}

/// Decodes `bytes` as `encoding`, bytes that do not decode becoming U+FFFD: a multi-record
/// file judges each record's text on its own ([`undecodable`]).
pub(crate) fn decode_lossy(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// Why a record's `text` is rejected: more than 1% of it is U+FFFD.
pub(crate) fn undecodable(text: &str, encoding: &'static Encoding) -> Option<String> {
    let replaced = text.chars().filter(|&c| c == '\u{fffd}').count();
    if replaced == 0 {
        return None;
    }
    let total = text.chars().count().max(1);
    (replaced * 1000 > total * MAX_REPLACED_PER_MILLE)
        .then(|| format!("{replaced} of {total} characters do not decode as {}", encoding.name()))
}

/// Decodes `bytes` (without a byte-order mark) as `encoding`. A few bytes that do not decode
/// become U+FFFD; more than 1% of the text is a reject.
pub(crate) fn decode_as(
    encoding: &'static Encoding,
    bytes: &[u8],
) -> Result<Decoded, (RejectReason, String)> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        let replaced = text.chars().filter(|&c| c == '\u{fffd}').count();
        let total = text.chars().count().max(1);
        if replaced * 1000 > total * MAX_REPLACED_PER_MILLE {
            return Err((
                RejectReason::Undecodable,
                format!("{replaced} of {total} characters do not decode as {}", encoding.name()),
            ));
        }
    }
    Ok(Decoded { text: text.into_owned(), encoding })
}

/// UTF-8 with a few broken sequences (a cut multi-byte character, a stray byte): more valid
/// multi-byte characters than invalid sequences. Decoding such text as a legacy encoding
/// would garble every valid character to keep a few bad bytes.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > invalid
}

/// UTF-16 without a byte-order mark, told by its zero bytes: text in Latin script has a zero
/// high byte in most code units, always on the same side. Binary data has zeros on both.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let zeros = |offset: usize| sample.iter().skip(offset).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    // Most units have a zero high byte, and almost no low byte is zero.
    let is = |high: usize, low: usize| high * 10 >= units * 6 && low * 50 <= units;
    if is(odd, even) {
        Some(encoding_rs::UTF_16LE)
    } else if is(even, odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The encoding `chardetng` guesses from the first 64 KiB (enough for a confident guess;
/// detection over whole pages is slow).
fn guess(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    const SAMPLE: usize = 64 * 1024;
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    detector.feed(sample, sample.len() == bytes.len());
    // chardetng panics on a label with upper case, a period or non-ASCII ("https://EXAMPLE.COM"
    // in a WARC header): it gets the lower-cased label, or none.
    let tld = tld
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_ascii_lowercase);
    detector.guess(tld.as_deref().map(str::as_bytes), chardetng::Utf8Detection::Allow)
}

/// The top-level domain of a URL (`jp` for `https://www.asahi.com.jp/x`), for detection.
pub(crate) fn tld_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let tld = host.rsplit('.').next()?;
    (!tld.is_empty() && tld.bytes().all(|b| b.is_ascii_alphabetic())).then_some(tld)
}

/// The charset a page declares in a `<meta charset>` or `<meta http-equiv>` within its first
/// 4 KiB, as browsers pre-scan for it.
pub(crate) fn html_meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = find(&lower[start..], b">").map_or(lower.len(), |j| start + j);
        let tag = &lower[start..end];
        if let Some(k) = find(tag, b"charset=") {
            let value = &tag[k + b"charset=".len()..];
            let value = value.strip_prefix(b"\"").or(value.strip_prefix(b"'")).unwrap_or(value);
            let len = value
                .iter()
                .position(|b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>'))
                .unwrap_or(value.len());
            let label = String::from_utf8_lossy(&value[..len]).into_owned();
            if !label.is_empty() {
                return Some(label);
            }
        }
        from = end.max(start + 1);
    }
    None
}

/// The `charset` parameter of a `Content-Type` value.
pub(crate) fn content_type_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']))
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charsets_and_boms() {
        let cp1252 = b"caf\xe9 \x93quoted\x94";
        assert_eq!(decode(cp1252, Some("windows-1252"), None).unwrap().text, "café “quoted”");
        // WHATWG maps latin1 labels to windows-1252.
        assert_eq!(
            decode(cp1252, Some("ISO-8859-1"), None).unwrap().encoding.name(),
            "windows-1252"
        );
        let utf16 = b"\xff\xfeh\x00i\x00";
        let d = decode(utf16, None, None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.name()), ("hi", "UTF-16LE"));
        // A page labelled latin1 that is really UTF-8 is read as UTF-8.
        assert_eq!(decode("café".as_bytes(), Some("iso-8859-1"), None).unwrap().text, "café");
    }

    #[test]
    fn undeclared_legacy_encodings_are_detected() {
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("東京都で会談が行われた。日本と中国の首脳が出席した。");
        let d = decode(&sjis, None, Some("jp")).unwrap();
        assert_eq!(d.encoding.name(), "Shift_JIS");
        assert!(d.text.starts_with("東京都"));
        let d = decode(b"The na\xefve caf\xe9 owner said \x93no\x94.", None, None).unwrap();
        assert_eq!(d.encoding.name(), "windows-1252");
        assert!(d.text.contains("naïve café"));
    }

    #[test]
    fn mostly_undecodable_bytes_are_rejected() {
        let err = decode(b"\xff\xfe\x00\xd8\x00\xd8\x00\xd8", None, None).unwrap_err();
        assert_eq!(err.0, RejectReason::Undecodable);
    }

    #[test]
    fn meta_charset_prescan() {
        assert_eq!(
            html_meta_charset(b"<html><META charset='Shift_JIS'>").as_deref(),
            Some("shift_jis")
        );
        let equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
        assert_eq!(html_meta_charset(equiv).as_deref(), Some("windows-1251"));
        assert_eq!(html_meta_charset(b"<meta name=x>"), None);
        assert_eq!(content_type_charset("text/html; charset=\"UTF-8\""), Some("UTF-8"));
        assert_eq!(tld_of("https://www.asahi.co.jp/a?b"), Some("jp"));
        // An upper-case label reaches the detector lower-cased (it panics otherwise).
        let sjis = b"\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67";
        assert_eq!(guess(sjis, tld_of("https://WWW.ASAHI.CO.JP/")), guess(sjis, Some("jp")));
    }
}
