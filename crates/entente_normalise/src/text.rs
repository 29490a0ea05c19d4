//! Text cleaning: the `text` every offset in entente points into.

use icu_normalizer::ComposingNormalizerBorrowed;

/// Cleans raw article text:
///
/// - `\r\n` and `\r` become `\n`; U+2028/U+2029 become `\n`;
/// - tabs, no-break and other Unicode spaces become a plain space, runs of spaces collapse to
///   one, and spaces at the start and end of each line go;
/// - invisible format characters (zero-width space, BOM, soft hyphen, word joiner) and C0/C1
///   controls other than `\n` are removed;
/// - more than one blank line in a row becomes one blank line (a paragraph break), and the
///   text is trimmed;
/// - Unicode NFC last, so "é" is one code point whatever the source did.
///
/// The function is idempotent: cleaning clean text returns it unchanged.
///
/// ```
/// let raw = "  Xi\u{00a0}met  Putin.\r\n\r\n\r\n\u{200b}Cafe\u{301} talk. ";
/// assert_eq!(entente_normalise::clean_text(raw), "Xi met Putin.\n\nCafé talk.");
/// ```
pub fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_newlines = 0usize;
    let mut pending_space = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                '\n'
            }
            '\u{2028}' | '\u{2029}' => '\n',
            _ => c,
        };
        if c == '\n' {
            pending_newlines += 1;
            pending_space = false;
        } else if c == '\t' || (c.is_whitespace() && c != '\n') {
            pending_space = true;
        } else if is_invisible(c) {
            // dropped
        } else {
            if !out.is_empty() {
                if pending_newlines > 0 {
                    out.push_str(if pending_newlines > 1 { "\n\n" } else { "\n" });
                } else if pending_space {
                    out.push(' ');
                }
            }
            pending_newlines = 0;
            pending_space = false;
            out.push(c);
        }
    }
    // NFC last: removing an invisible character can bring a base letter and a combining
    // mark together, and composing them afterwards keeps the function idempotent.
    match ComposingNormalizerBorrowed::new_nfc().normalize(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(composed) => composed,
    }
}

/// Characters that take no space and carry no meaning in news text. U+200D (zero-width
/// joiner) is not one of them: it builds emoji sequences.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' | '\u{180e}') || c.is_control()
}

#[cfg(test)]
mod tests {
    use super::clean_text;

    #[test]
    fn keeps_zero_width_joiner_inside_emoji() {
        let family = "\u{1f468}\u{200d}\u{1f469}";
        assert_eq!(clean_text(family), family);
    }

    #[test]
    fn idempotent_on_messy_input() {
        let raw = "\t a\u{3000}b \n \n\n\n c\r\rd\u{0007}e\u{00ad}f ";
        let once = clean_text(raw);
        assert_eq!(once, "a b\n\nc\n\ndef");
        assert_eq!(clean_text(&once), once);
    }
}
