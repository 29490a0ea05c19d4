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
    if text.is_ascii() {
        // One byte a code point (most news): the offsets are the bytes'.
        let at = |b: usize| to_u32(b.min(text.len()));
        return ranges
            .iter()
            .map(|&(s, e)| Span {
                char_start: at(s),
                char_end: at(e),
                byte_start: to_u32(s),
                byte_end: to_u32(e),
            })
            .collect();
    }
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
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(sorted_byte_offsets.len());
    let (mut byte, mut count) = (0usize, 0u32);
    for &target in sorted_byte_offsets {
        let end = target.min(bytes.len());
        if let Some(between) = bytes.get(byte..end) {
            // Every code point has one byte that is not a continuation byte (`10xxxxxx`).
            let starts = between.iter().filter(|&&b| !(0x80..0xC0).contains(&b)).count();
            count = count.saturating_add(to_u32(starts));
            byte = end;
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{byte_to_char_offsets, spans_from_byte_ranges};

    /// The code points before byte `b` of `text`, decoded.
    fn decoded(text: &str, b: usize) -> u32 {
        u32::try_from(text.char_indices().take_while(|&(i, _)| i < b).count()).unwrap()
    }

    proptest! {
        /// Counting bytes that start a code point gives what decoding the text gives, at
        /// every char boundary, for ASCII and other text alike.
        #[test]
        fn char_offsets_are_the_decoded_counts(
            text in "[a-zé€😀 ]{0,40}",
            picks in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let boundaries: Vec<usize> =
                (0..=text.len()).filter(|&b| text.is_char_boundary(b)).collect();
            let mut offsets: Vec<usize> = picks.iter().map(|i| *i.get(&boundaries)).collect();
            offsets.sort_unstable();
            let expected: Vec<u32> = offsets.iter().map(|&b| decoded(&text, b)).collect();
            prop_assert_eq!(byte_to_char_offsets(&text, &offsets), expected);
            let ranges: Vec<(usize, usize)> = offsets.windows(2).map(|w| (w[0], w[1])).collect();
            for (span, &(s, e)) in spans_from_byte_ranges(&text, &ranges).iter().zip(&ranges) {
                let expected = (decoded(&text, s), decoded(&text, e));
                prop_assert_eq!((span.char_start, span.char_end), expected);
            }
        }
    }
}
