//! `of-heads`: an "X of (the) Y" name starts at its head X when the tagger found only Y
//! ("Battle of Antietam", "Army of the Potomac").

use crate::tagger::Label;
use crate::words::{LAST_HEADS, OF_HEADS, ORDINALS, Typed, with_lower};

/// Where a name starting at token `i` really starts: at the head of an "X of (the) Y" name
/// when the tagger found only Y ("Battle of Antietam", "Second Battle of Bull Run", "Army of
/// the Potomac" where it found "Antietam", "Bull Run", "Potomac"), with a capitalised ordinal
/// before the head; else at `i`. The words taken in are outside any other name (`O` in
/// `labels`), so names never overlap.
pub(crate) fn start(text: &str, ranges: &[(usize, usize)], labels: &[Label], i: usize) -> usize {
    let word = |k: usize| text.get(ranges[k].0..ranges[k].1).unwrap_or_default();
    let same_line =
        |a: usize, b: usize| !text.get(ranges[a].0..ranges[b].1).unwrap_or_default().contains('\n');
    let of = match i.checked_sub(1).map(word) {
        Some("the") if i >= 2 && word(i - 2) == "of" => i - 2,
        Some("of") => i - 1,
        _ => return i,
    };
    let Some(head) = of.checked_sub(1) else { return i };
    // A last-word head opens the name only when no other name ends right before it: "the
    // War of Spanish Succession", not "Couch's Division of the IV Corps" or "Victoria Hockey
    // Club of Montreal".
    let opens = |w: &str| {
        head.checked_sub(1)
            .map(word)
            .is_none_or(|b| !b.starts_with(char::is_uppercase) && !["'s", "’s"].contains(&b))
            && is_listed(&LAST_HEADS, w)
    };
    let is_head = word(head).chars().next().is_some_and(char::is_uppercase)
        && (is_listed(&OF_HEADS, word(head)) || opens(word(head)));
    let outside = |k: usize| labels.get(k).is_some_and(|l| l.is_outside());
    if !is_head || !same_line(head, i) || !(head..i).all(outside) {
        return i;
    }
    match head.checked_sub(1) {
        Some(o) if ORDINALS.contains(&word(o)) && same_line(o, head) && outside(o) => o,
        _ => head,
    }
}

/// Whether `word` is a word of `table` in any ASCII casing (the tables are lower-case ASCII).
fn is_listed(table: &Typed, word: &str) -> bool {
    word.is_ascii() && with_lower(word, |lower| table.contains_key(lower))
}

#[cfg(test)]
mod tests {
    use crate::tagger::{Kind, Label};

    #[test]
    fn of_names_start_at_their_head() {
        let start_after = |text: &str, word: &str, named: &str| {
            let ranges = crate::tagger::tokenize(text);
            let at = |w: &str| ranges.iter().position(|&(s, e)| text.get(s..e) == Some(w));
            let mut labels = vec![Label::Outside; ranges.len()];
            if let Some(k) = at(named) {
                labels[k] = Label::Begin(Kind::Org);
            }
            let k = super::start(text, &ranges, &labels, at(word).unwrap());
            text.get(ranges[k].0..).unwrap().to_owned()
        };
        let start = |text: &str, word: &str| start_after(text, word, "");
        assert_eq!(start("at the Battle of Antietam", "Antietam"), "Battle of Antietam");
        assert_eq!(start("the Army of the Potomac", "Potomac"), "Army of the Potomac");
        assert_eq!(start("the Second Battle of Bull", "Bull"), "Second Battle of Bull");
        // Only a capitalised head on the same line.
        assert_eq!(start("a battle of Antietam", "Antietam"), "Antietam");
        assert_eq!(start("Battle\nof Antietam", "Antietam"), "Antietam");
        assert_eq!(start("the President of Russia", "Russia"), "Russia");
        // Not into another name: "Bank" tagged on its own stays apart.
        assert_eq!(start_after("the Bank of America", "America", "Bank"), "America");
        assert_eq!(start_after("the Second Battle of Bull", "Bull", "Second"), "Battle of Bull");
        // A last-word head opens a name of its own only after no other name.
        assert_eq!(start("the War of Spanish Succession", "Spanish"), "War of Spanish Succession");
        assert_eq!(start("Hockey Club of Montreal", "Montreal"), "Montreal");
        assert_eq!(start("Couch 's Division of the IV Corps", "IV"), "IV Corps");
    }
}
