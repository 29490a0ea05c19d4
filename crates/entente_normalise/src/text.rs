//! Mapping offsets between `documents.text` and `documents.raw_text` through `text_edits`.

use entente_schema::TextEdit;

/// Maps the code-point span `[start, end)` of a document's `text` to the span of its
/// `raw_text` it came from, given the document's `text_edits` in `edit_idx` order. Outside
/// edits the texts are identical, so the span moves by the edits before it; a boundary inside
/// an edit widens to the whole edit (a repaired `’` maps to all of `â€™`). Text removed before
/// the start or after the end (boilerplate, collapsed spaces) is not included.
///
/// ```
/// use entente_normalise::{NormaliseConfig, Normaliser, text_to_raw};
/// let doc = entente_test::document("a.txt", "Loading...\nXi  met Putin.");
/// let out = Normaliser::new(&NormaliseConfig::default())?.run(&[doc]);
/// let (text, raw) = (&out.documents[0].text, &out.documents[0].raw_text);
/// assert_eq!(text, "Xi met Putin.");
/// let (s, e) = text_to_raw(&out.text_edits, 3, 12);
/// let raw_span: String = raw.chars().skip(s as usize).take((e - s) as usize).collect();
/// assert_eq!(raw_span, "met Putin");
/// # Ok::<(), entente_normalise::RuleError>(())
/// ```
pub fn text_to_raw(edits: &[TextEdit], start: u32, end: u32) -> (u32, u32) {
    map_span(
        edits,
        |e| Side {
            from: (e.text_char_start, e.text_char_end),
            to: (e.raw_char_start, e.raw_char_end),
        },
        start,
        end,
    )
}

/// The inverse of [`text_to_raw`]: maps a span of `raw_text` to the span of `text` it became.
/// Raw text that was removed maps to an empty span where it was.
pub fn raw_to_text(edits: &[TextEdit], start: u32, end: u32) -> (u32, u32) {
    map_span(
        edits,
        |e| Side {
            from: (e.raw_char_start, e.raw_char_end),
            to: (e.text_char_start, e.text_char_end),
        },
        start,
        end,
    )
}

/// One edit seen from the side mapped from.
struct Side {
    from: (u32, u32),
    to: (u32, u32),
}

fn map_span(edits: &[TextEdit], side: fn(&TextEdit) -> Side, start: u32, end: u32) -> (u32, u32) {
    let edits: Vec<Side> = edits.iter().map(side).collect();
    let edits = edits.as_slice();
    let s = map_start(edits, start);
    if end <= start {
        return (s, s);
    }
    (s, map_end(edits, end).max(s))
}

fn map_start(edits: &[Side], at: u32) -> u32 {
    // The last edit starting at or before `at`.
    let k = edits.partition_point(|e| e.from.0 <= at);
    match k.checked_sub(1).map(|i| &edits[i]) {
        None => at,
        Some(e) if at < e.from.1 => e.to.0,
        Some(e) => e.to.1 + (at - e.from.1),
    }
}

fn map_end(edits: &[Side], at: u32) -> u32 {
    // The last edit starting before `at`.
    let k = edits.partition_point(|e| e.from.0 < at);
    match k.checked_sub(1).map(|i| &edits[i]) {
        None => at,
        Some(e) if at <= e.from.1 => e.to.1,
        Some(e) => e.to.1 + (at - e.from.1),
    }
}
