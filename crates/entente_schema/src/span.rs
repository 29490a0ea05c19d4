//! Spans of text with both offset systems.

/// A span of a document's text, end-exclusive, in code points and in UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First code point.
    pub char_start: u32,
    /// One past the last code point.
    pub char_end: u32,
    /// First byte.
    pub byte_start: u32,
    /// One past the last byte.
    pub byte_end: u32,
}

/// Converts byte ranges of `text` (each end on a char boundary) into [`Span`]s carrying both
/// offset systems, with one pass over the text whatever the number of ranges.
///
/// ```
/// let spans = entente_schema::spans_from_byte_ranges("né à Paris", &[(0, 3), (6, 11)]);
/// assert_eq!((spans[0].char_start, spans[0].char_end), (0, 2));
/// assert_eq!((spans[1].char_start, spans[1].char_end), (4, 9));
/// ```
pub fn spans_from_byte_ranges(text: &str, ranges: &[(usize, usize)]) -> Vec<Span> {
    let mut bounds: Vec<usize> = ranges.iter().flat_map(|&(s, e)| [s, e]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let chars = byte_to_char_offsets(text, &bounds);
    let lookup = |b: usize| chars[bounds.binary_search(&b).unwrap_or_default()];
    ranges
        .iter()
        .map(|&(s, e)| Span {
            char_start: lookup(s),
            char_end: lookup(e),
            byte_start: to_u32(s),
            byte_end: to_u32(e),
        })
        .collect()
}

/// Converts non-decreasing byte offsets, each on a char boundary of `text`, into code-point
/// offsets.
pub fn byte_to_char_offsets(text: &str, sorted_byte_offsets: &[usize]) -> Vec<u32> {
    let mut out = Vec::with_capacity(sorted_byte_offsets.len());
    let mut chars = text.chars();
    let (mut byte, mut count) = (0usize, 0u32);
    for &target in sorted_byte_offsets {
        while byte < target {
            let Some(c) = chars.next() else { break };
            byte += c.len_utf8();
            count += 1;
        }
        out.push(count);
    }
    out
}

/// Offsets are stored as `u32`; entente rejects documents over 4 GiB long before this point,
/// so saturation is never observed in a table.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
