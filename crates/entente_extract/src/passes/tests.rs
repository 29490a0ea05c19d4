//! Every pass on its fixture (`tests/fixtures/passes/<name>.txt`), without the trained model.
//!
//! A fixture is documents separated by blank lines, one sentence per line, with the names the
//! tagger is taken to have labelled written `[words](KIND)` (KIND: PER, ORG, LOC or MISC);
//! `#` lines say what the cases show. The lists (rules, gazetteers, hints) are the built-in
//! ones. The snapshot shows each sentence's mentions with no pass and with the fixture's pass
//! alone, `[text](TYPE id)`.

#![allow(clippy::disallowed_methods, reason = "tests read their fixtures")]
#![allow(clippy::string_slice, reason = "offsets of ASCII marks, tokens and mentions")]

use std::fmt::Write as _;

use super::capitals::{headline, keep_vouched};
use super::{Pass, Passes};
use crate::tagger::features::{DocContext, prepare};
use crate::tagger::{Kind, Label, Token, label_passes, tokenize};
use crate::{ExtractConfig, Extractor, Found};

/// A sentence of a fixture: its text and the tagger's names in it (byte spans and kinds).
struct Tagged {
    text: String,
    names: Vec<(usize, usize, Kind)>,
}

/// Reads `[words](KIND)` marks out of a fixture line.
fn parse_line(line: &str) -> Tagged {
    let mut text = String::new();
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else { break };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else { break };
        let kind = Kind::parse(&rest[close + 2..end]).unwrap_or_else(|| panic!("kind in {line}"));
        text.push_str(&rest[..open]);
        let start = text.len();
        text.push_str(&rest[open + 1..close]);
        names.push((start, text.len(), kind));
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    Tagged { text, names }
}

/// The mentions of a fixture document with `passes`, per sentence, as
/// `Extractor::find_sentences` gives them but with the fixture's labels for the tagger's.
fn run(extractor: &Extractor, document: &[Tagged], passes: Passes) -> Vec<Vec<Found>> {
    let ranges: Vec<Vec<(usize, usize)>> = document.iter().map(|s| tokenize(&s.text)).collect();
    let listed: Vec<Vec<Found>> = document.iter().map(|s| extractor.find_listed(&s.text)).collect();
    let tokens: Vec<Vec<Token<'_>>> = document
        .iter()
        .zip(&ranges)
        .map(|(s, ranges)| {
            ranges.iter().map(|&(a, b)| Token { text: &s.text[a..b], gazetteer: "" }).collect()
        })
        .collect();
    let mut labels: Vec<Vec<Label>> = document
        .iter()
        .zip(&ranges)
        .map(|(s, ranges)| {
            ranges
                .iter()
                .map(|&(a, _)| {
                    s.names.iter().find(|&&(start, end, _)| start <= a && a < end).map_or(
                        Label::Outside,
                        |&(start, _, kind)| {
                            if a == start { Label::Begin(kind) } else { Label::Inside(kind) }
                        },
                    )
                })
                .collect()
        })
        .collect();
    let prepared: Vec<_> = tokens.iter().map(|t| prepare(t)).collect();
    let doc = DocContext::new(&prepared);
    label_passes(&tokens, &prepared, &doc, &mut labels, passes);
    let sentences: Vec<(&str, &[Found])> =
        document.iter().zip(&listed).map(|(s, l)| (s.text.as_str(), l.as_slice())).collect();
    let tagged = crate::tagged::names(&sentences, &ranges, &labels, &extractor.hints, passes);
    let combined: Vec<Vec<Found>> = document
        .iter()
        .zip(listed)
        .zip(tagged)
        .map(|((sentence, listed), tagged)| extractor.combine(&sentence.text, listed, tagged))
        .collect();
    if !passes.contains(Pass::Capitals) {
        return combined;
    }
    // The document's first line is its title.
    let text = document.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
    let mut end = 0;
    let sentences: Vec<(u32, usize, &str)> = (0u32..)
        .zip(document)
        .map(|(k, s)| {
            end += s.text.len() + usize::from(k > 0);
            (k, end, s.text.as_str())
        })
        .collect();
    let title = document.first().map(|s| s.text.as_str());
    let mut found: Vec<(u32, Found)> =
        (0u32..).zip(combined).flat_map(|(k, f)| f.into_iter().map(move |f| (k, f))).collect();
    keep_vouched(&headline(&text, title, &sentences), &mut found);
    let mut out = vec![Vec::new(); document.len()];
    for (k, f) in found {
        out[k as usize].push(f);
    }
    out
}

/// `text` with its mentions marked `[text](TYPE id)`.
fn render(text: &str, found: &[Found]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        let country = f.country_id.as_deref().map(|c| format!(" of {c}")).unwrap_or_default();
        let _ = write!(
            out,
            "[{}]({} {}{country})",
            &text[f.start..f.end],
            f.entity_type.as_str(),
            f.entity_id
        );
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The fixture of `pass` run without passes and with `pass` alone.
fn snapshot(pass: Pass) -> String {
    let path = format!("{}/tests/fixtures/passes/{}.txt", env!("CARGO_MANIFEST_DIR"), pass.name());
    let fixture = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let config = ExtractConfig { model: false, ..ExtractConfig::default() };
    let extractor = Extractor::new(&config, &[]).unwrap();
    let mut out = String::new();
    let mut changed = 0;
    for block in fixture.split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| !l.is_empty()).collect();
        let comments = lines.iter().filter(|l| l.starts_with('#'));
        let document: Vec<Tagged> =
            lines.iter().filter(|l| !l.starts_with('#')).map(|l| parse_line(l)).collect();
        if document.is_empty() {
            continue;
        }
        let before = run(&extractor, &document, Passes::none());
        let after = run(&extractor, &document, Passes::none().with(pass));
        for comment in comments {
            let _ = writeln!(out, "{comment}");
        }
        for ((sentence, before), after) in document.iter().zip(&before).zip(&after) {
            let (before, after) = (render(&sentence.text, before), render(&sentence.text, after));
            if before == after {
                let _ = writeln!(out, "  = {after}");
            } else {
                changed += 1;
                let _ = writeln!(out, "  - {before}\n  + {after}");
            }
        }
        out.push('\n');
    }
    assert!(changed > 0, "{}: the pass changes nothing in its fixture", pass.name());
    out
}

#[test]
fn every_pass_has_its_fixture() {
    for pass in Pass::ALL {
        let snapshot = snapshot(pass);
        insta::assert_snapshot!(pass.name(), snapshot);
    }
}

#[test]
fn names_round_trip() {
    for pass in Pass::ALL {
        assert_eq!(Pass::parse(pass.name()), Some(pass));
        assert!(Passes::all().contains(pass) && !Passes::none().contains(pass));
        assert!(!Passes::all().without(pass).contains(pass));
    }
    assert_eq!(Pass::parse("no-such-pass"), None);
}
