//! Words as ids and story signatures read them: maximal runs of letters and digits
//! (`char::is_alphanumeric`), read as bytes where the text is ASCII, eight at a time inside a
//! word.

/// Whether the character at byte `i` of `text` is a letter or digit, and its length; `None`
/// at the end. ASCII is read as a byte.
#[inline]
pub fn alphanumeric_at(text: &str, i: usize) -> Option<(bool, usize)> {
    match *text.as_bytes().get(i)? {
        b if b.is_ascii() => Some((b.is_ascii_alphanumeric(), 1)),
        _ => text.get(i..)?.chars().next().map(|c| (c.is_alphanumeric(), c.len_utf8())),
    }
}

/// The words of `text` (runs of alphanumeric characters) as byte ranges, read a byte at a
/// time where the text is ASCII.
pub fn alphanumeric_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let at = |i: usize| alphanumeric_at(text, i);
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = loop {
            let (alphanumeric, width) = at(i)?;
            if alphanumeric {
                break i;
            }
            i += width;
        };
        i = run_end(text, i);
        Some((start, i))
    })
}

/// Where the run of letters and digits at byte `i` of `text` ends (`i` itself if none is
/// there).
#[inline]
pub fn run_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let marks = |word: u64| {
        !(ascii_in(word, b'0', b'9') | ascii_in(word, b'A', b'Z') | ascii_in(word, b'a', b'z'))
    };
    loop {
        // ASCII letters and digits eight at a time; any other character through
        // `alphanumeric_at`.
        i = next_marked(bytes, i, marks, |b| !b.is_ascii_alphanumeric());
        match alphanumeric_at(text, i) {
            Some((true, width)) => i += width,
            _ => return i,
        }
    }
}

/// The words of `text` ([`alphanumeric_runs`]): what splitting it at every character that is
/// no letter or digit leaves, less the empty pieces.
pub fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    alphanumeric_runs(text).map(|(start, end)| text.get(start..end).unwrap_or_default())
}

/// The high bit of every byte of a `u64`.
pub const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The bytes of `word` (eight of a text, little-endian) that are ASCII and in `lo..=hi`
/// (ASCII), each marked by its high bit: in each byte's low seven bits, adding `0x80 - lo`
/// sets the high bit from `lo` up and adding `0x7F - hi` from past `hi` up, with no carry into
/// the next byte.
pub const fn ascii_in(word: u64, lo: u8, hi: u8) -> u64 {
    let low = word & !HIGH;
    let from_lo = low + u64::from_le_bytes([0x80 - lo; 8]);
    let past_hi = low + u64::from_le_bytes([0x7F - hi; 8]);
    from_lo & !past_hi & !word & HIGH
}

/// The first index from `i` of a byte of `bytes` that is `marked`, or the length: eight bytes
/// are tested at a time by `marks`, which sets the high bit of each byte `marked` would
/// take in a `u64` of eight bytes read little-endian.
#[inline]
pub fn next_marked(
    bytes: &[u8],
    mut i: usize,
    marks: impl Fn(u64) -> u64,
    marked: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8)
        && let Ok(chunk) = <[u8; 8]>::try_from(chunk)
    {
        let found = marks(u64::from_le_bytes(chunk)) & HIGH;
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|&b| !marked(b)) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The words read a byte at a time are the pieces `str::split` leaves at every
        /// character `char::is_alphanumeric` refuses, less the empty ones, where they are.
        #[test]
        fn words_are_runs_of_alphanumeric_characters(text in "[ a-zA-Z0-9.,'\\-éÅß’\u{a0}\u{2003}二三]{0,40}") {
            let split: Vec<&str> =
                text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            let at = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
            let places: Vec<(usize, usize)> = split.iter().map(|w| (at(w), at(w) + w.len())).collect();
            proptest::prop_assert_eq!(super::alphanumeric_runs(&text).collect::<Vec<_>>(), places);
            proptest::prop_assert_eq!(super::words(&text).collect::<Vec<_>>(), split);
        }
    }
}
