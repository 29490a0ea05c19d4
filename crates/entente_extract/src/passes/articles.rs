//! `articles`: a capitalised article in mid-sentence opens the name after it ("the film The
//! Last Emperor", "at The Oval"); a name so opened is no person ("The Eddy Duchin Story" is a
//! work).

use crate::tagger::Label;

/// Where a name starting at token `i` really starts: at a capitalised article right before
/// it in mid-sentence ("the film The Last Emperor", "their album A Beautiful Lie", "at The
/// Oval"), which only a title or a name writes so (CoNLL-2003 train has 28 such articles
/// inside names and 3 outside, wikigold 41 and none); else at `i`.
pub(crate) fn start(text: &str, ranges: &[(usize, usize)], labels: &[Label], i: usize) -> usize {
    let word = |k: usize| text.get(ranges[k].0..ranges[k].1).unwrap_or_default();
    let Some(a) = i.checked_sub(1) else { return i };
    let Some(before) = a.checked_sub(1) else { return i };
    let mid_sentence = word(before) == "," || word(before).starts_with(char::is_lowercase);
    let same_line = !text.get(ranges[before].0..ranges[i].0).unwrap_or_default().contains('\n');
    // "A" before a one-word name is an initial ("Italy: A Masi, A Troncon").
    let initial = word(a) == "A" && labels.get(i + 1).is_none_or(|l| !l.is_inside());
    if matches!(word(a), "The" | "A" | "An")
        && labels[a].is_outside()
        && mid_sentence
        && same_line
        && !initial
    {
        a
    } else {
        i
    }
}

#[cfg(test)]
mod tests {
    use crate::tagger::{Kind, Label};

    #[test]
    fn capitalised_articles_open_titles() {
        // Labels: the words from `first` to `last` form one name.
        let start = |text: &str, first: &str, last: &str| {
            let ranges = crate::tagger::tokenize(text);
            let at = |w: &str| ranges.iter().position(|&(s, e)| text.get(s..e) == Some(w));
            let (i, j) = (at(first).unwrap(), at(last).unwrap());
            let mut labels = vec![Label::Outside; ranges.len()];
            labels[i] = Label::Begin(Kind::Org);
            for l in &mut labels[i + 1..=j] {
                *l = Label::Inside(Kind::Org);
            }
            let k = super::start(text, &ranges, &labels, i);
            text.get(ranges[k].0..).unwrap().to_owned()
        };
        assert_eq!(start("the film The Last Emperor", "Last", "Emperor"), "The Last Emperor");
        assert_eq!(start("their album , A Beautiful Lie", "Beautiful", "Lie"), "A Beautiful Lie");
        // Not at a sentence's start, not on another line, not an initial.
        assert_eq!(start("The Last Emperor", "Last", "Emperor"), "Last Emperor");
        assert_eq!(start("the film\nThe Last Emperor", "Last", "Emperor"), "Last Emperor");
        assert_eq!(start("Italy : A Masi , A Troncon", "Troncon", "Troncon"), "Troncon");
    }
}
