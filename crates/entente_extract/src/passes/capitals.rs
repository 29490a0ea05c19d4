//! `capitals`: a headline in capitals (`STANDARD OIL <SRD> TO FORM FINANCIAL UNIT`, as
//! newswire titles are written). Capitals say nothing there of what is a name, so the
//! tagger's guesses in it ("JANUARY", "GROUP", "RADIO" as names) are mostly wrong. When the
//! rest of the document is written in ordinary case, the headline keeps only the mentions the
//! document or the lists vouch for: values, the lists' names, and names the document's other
//! sentences write too ("COLECO INDUSTRIES" where the story says "Coleco Industries Inc",
//! "KEANE" where it says "Roy Keane"), which take that name's identity. The tagger also
//! reads sentences in capitals after the rest of their document (`Tagger::tag_doc`), so that
//! "YEUTTER" takes what the story made of "Yeutter" and the story is not led by the labels
//! of a headline.
//!
//! Only the headline: the document's title, which ingest puts first. Lines in capitals inside
//! a story (the terms of a bond issue, a results table) keep the tagger's names; CoNLL-2003,
//! whose model read such lines in training, loses names there when they are filtered. Runs on
//! a document's mentions after short forms, acronyms and places.

use std::collections::HashSet;

use entente_schema::{LinkedBy, Method};

use crate::Found;
use crate::tagger::features::{Style, style};
use crate::tagger::{Token, tokenize};

/// Whether `text`, read as one sentence, is written in capitals.
pub(crate) fn in_capitals(text: &str) -> bool {
    let tokens: Vec<Token<'_>> = tokenize(text)
        .into_iter()
        .map(|(s, e)| Token { text: text.get(s..e).unwrap_or(""), gazetteer: "" })
        .collect();
    style(&tokens) == Style::Caps
}

/// The sentences (`(sentence_idx, byte end, text)`, in order) of a document's headline when
/// it is written in capitals and the rest of the document is not: those inside the text's
/// first line, when that line is the document's `title`.
pub(crate) fn headline(
    text: &str,
    title: Option<&str>,
    sentences: &[(u32, usize, &str)],
) -> HashSet<u32> {
    let lead = text.len() - text.trim_start().len();
    let end = text.get(lead..).and_then(|t| t.find('\n')).map_or(text.len(), |n| lead + n);
    let first = text.get(lead..end).unwrap_or_default();
    if first.is_empty() || !title.is_some_and(|t| entente_schema::is_headline(first, t)) {
        return HashSet::new();
    }
    let (inside, rest): (Vec<_>, Vec<_>) = sentences.iter().partition(|(_, e, _)| *e <= end);
    if rest.iter().all(|(_, _, s)| in_capitals(s)) {
        return HashSet::new();
    }
    inside.iter().filter(|(_, _, s)| in_capitals(s)).map(|(k, _, _)| *k).collect()
}

/// Drops the mentions of the `headline` sentences that nothing vouches for, and gives those
/// whose words run in a name of the document's other sentences that name's identity ("KEANE"
/// is the story's "Roy Keane"); see the [module](self). `found` is `(sentence_idx, mention)`.
pub(crate) fn keep_vouched(headline: &HashSet<u32>, found: &mut Vec<(u32, Found)>) {
    if headline.is_empty() {
        return;
    }
    let words = |text: &str| text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    let elsewhere: Vec<(Vec<String>, Found)> = found
        .iter()
        .filter(|(s, f)| !headline.contains(s) && f.value.is_none())
        .map(|(_, f)| (words(&f.entity_name), f.clone()))
        .collect();
    let ids: HashSet<&str> = elsewhere.iter().map(|(_, f)| f.entity_id.as_str()).collect();
    found.retain_mut(|(s, f)| {
        let vouched = !headline.contains(s)
            || f.method != Method::Model
            || matches!(f.linked_by, Some(LinkedBy::Gazetteer | LinkedBy::Override))
            || ids.contains(f.entity_id.as_str());
        if vouched {
            return true;
        }
        let own = words(&f.entity_name);
        let Some((full, named)) = elsewhere
            .iter()
            .find(|(full, _)| !own.is_empty() && full.windows(own.len()).any(|w| w == own))
        else {
            return false;
        };
        f.entity_id.clone_from(&named.entity_id);
        f.entity_name.clone_from(&named.entity_name);
        f.entity_type = named.entity_type;
        f.country_id.clone_from(&named.country_id);
        f.linked_by =
            if full.len() > own.len() { Some(LinkedBy::ShortForm) } else { named.linked_by };
        true
    });
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    use super::*;

    fn found(id: &str, method: Method, linked_by: Option<LinkedBy>) -> Found {
        Found {
            start: 0,
            end: 1,
            entity_id: id.into(),
            entity_name: id.into(),
            entity_type: EntityType::Org,
            method,
            title: None,
            linked_by,
            country_id: None,
            value: None,
            unit: None,
            iso_date: None,
        }
    }

    #[test]
    fn headlines_in_capitals_are_recognised() {
        assert!(in_capitals("STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"));
        assert!(in_capitals("U.S. WEEKLY SOYBEAN CRUSH 21,782,929 BUSHELS"));
        assert!(!in_capitals("Standard Oil Co and BP North America Inc said they plan a venture."));
        assert!(!in_capitals("The IMF and NATO met."));
    }

    #[test]
    fn a_capitals_sentence_keeps_what_is_vouched_for() {
        let own = Some(LinkedBy::Own);
        let named = |id: &str, name: &str, kind: EntityType| Found {
            entity_name: name.into(),
            entity_type: kind,
            ..found(id, Method::Model, own)
        };
        let mut mentions = vec![
            (0, found("org:coleco-industries", Method::Model, own)),
            (0, found("org:january", Method::Model, own)),
            (0, found("iso3166:JP", Method::Model, Some(LinkedBy::Gazetteer))),
            (0, found("date:1987", Method::Rule, None)),
            (0, found("org:ccp", Method::Gazetteer, Some(LinkedBy::Gazetteer))),
            (0, named("org:keane", "KEANE", EntityType::Org)),
            (1, found("org:coleco-industries", Method::Model, own)),
            (1, found("org:realty", Method::Model, own)),
            (1, named("person:roy-keane", "Roy Keane", EntityType::Person)),
        ];
        keep_vouched(&HashSet::from([0]), &mut mentions);
        let ids: Vec<(u32, &str, &str, Option<LinkedBy>)> = mentions
            .iter()
            .map(|(s, f)| (*s, f.entity_id.as_str(), f.entity_type.as_str(), f.linked_by))
            .collect();
        let (gaz, short) = (Some(LinkedBy::Gazetteer), Some(LinkedBy::ShortForm));
        assert_eq!(
            ids,
            [
                (0, "org:coleco-industries", "ORG", own),
                (0, "iso3166:JP", "ORG", gaz),
                (0, "date:1987", "ORG", None),
                (0, "org:ccp", "ORG", gaz),
                (0, "person:roy-keane", "PERSON", short),
                (1, "org:coleco-industries", "ORG", own),
                (1, "org:realty", "ORG", own),
                (1, "person:roy-keane", "PERSON", own),
            ]
        );
    }

    #[test]
    fn only_a_headline_in_capitals_over_a_story_in_ordinary_case() {
        let sentences = |text: &'static str| -> Vec<(u32, usize, &'static str)> {
            let mut at = 0;
            (0u32..)
                .zip(text.split('\n').filter(|l| !l.is_empty()))
                .map(|(k, line)| {
                    at += text.get(at..).and_then(|t| t.find(line)).unwrap_or(0) + line.len();
                    (k, at, line)
                })
                .collect()
        };
        let story =
            "STANDARD OIL TO FORM UNIT\n\nStandard Oil said it will.\nDEALS ARE LISTED BELOW";
        let title = Some("STANDARD OIL TO FORM UNIT");
        assert_eq!(headline(story, title, &sentences(story)), HashSet::from([0]));
        assert!(headline(story, None, &sentences(story)).is_empty());
        assert!(headline(story, Some("Standard Oil"), &sentences(story)).is_empty());
        let shouted = "STANDARD OIL TO FORM UNIT\n\nSTANDARD OIL SAID IT WILL.";
        assert!(headline(shouted, title, &sentences(shouted)).is_empty());
        let quiet = "Standard Oil to form unit\n\nStandard Oil said it will.";
        assert!(headline(quiet, Some("Standard Oil to form unit"), &sentences(quiet)).is_empty());
    }
}
