//! Transparent decompression of gzip, zstd and bzip2 files, found by their magic bytes.

use std::io::Read;

use entente_schema::RejectReason;

/// A compression format entente undoes before reading a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
    Bzip2,
}

impl Compression {
    /// The format whose magic bytes `bytes` start with.
    pub(crate) fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Self::Gzip)
        } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Self::Zstd)
        } else if bytes.starts_with(b"BZh")
            && bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        {
            Some(Self::Bzip2)
        } else {
            None
        }
    }

    /// The format a file name's last extension names.
    pub(crate) fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "gz" | "gzip" => Some(Self::Gzip),
            "zst" | "zstd" => Some(Self::Zstd),
            "bz2" => Some(Self::Bzip2),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
            Self::Bzip2 => "bzip2",
        }
    }
}

/// What decompression produced. A stream that breaks off keeps everything decoded before the
/// break, with `damage` saying what happened, so the records before it are not lost.
#[derive(Debug)]
pub(crate) struct Decompressed {
    pub bytes: Vec<u8>,
    pub damage: Option<(RejectReason, String)>,
}

/// Decompresses `bytes`, stopping with a [`RejectReason::TooLarge`] error once the output
/// would exceed `limit` bytes (a decompression bomb must not exhaust memory).
pub(crate) fn decompress(
    format: Compression,
    bytes: &[u8],
    (limit, option): (usize, &str),
) -> Result<Decompressed, (RejectReason, String)> {
    let reader = reader(format, bytes)
        .map_err(|e| (RejectReason::Corrupt, format!("not valid {} data: {e}", format.name())))?;
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    let result = reader.take(cap).read_to_end(&mut out);
    if out.len() > limit {
        return Err((
            RejectReason::TooLarge,
            format!(
                "the {} stream decompresses to more than {option} = {limit} bytes",
                format.name()
            ),
        ));
    }
    let damage = result.err().map(|e| damage(Some(format), &e, out.len() as u64));
    if out.is_empty()
        && let Some((reason, detail)) = damage
    {
        return Err((reason, detail));
    }
    Ok(Decompressed { bytes: out, damage })
}

/// A reader of the decompressed stream of `input`.
pub(crate) fn reader<'a>(
    format: Compression,
    input: impl std::io::BufRead + 'a,
) -> std::io::Result<Box<dyn Read + 'a>> {
    Ok(match format {
        // Multi-member: Common Crawl and most WARC tools write one gzip member per record.
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(input)?),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
    })
}

/// What a read error `e` after `at` decompressed bytes means: the stream ends early
/// (`truncated`) or is corrupt.
pub(crate) fn damage(
    format: Option<Compression>,
    e: &std::io::Error,
    at: u64,
) -> (RejectReason, String) {
    let truncated = e.kind() == std::io::ErrorKind::UnexpectedEof
        || e.to_string().contains("incomplete")
        || e.to_string().contains("end of file");
    let reason = if truncated { RejectReason::Truncated } else { RejectReason::Corrupt };
    let what = if truncated { "ends early" } else { "is corrupt" };
    let name = format.map_or("input", Compression::name);
    (reason, format!("the {name} stream {what} after {at} bytes: {e}"))
}
