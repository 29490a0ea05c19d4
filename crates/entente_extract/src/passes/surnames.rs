//! `surnames`: a lone surname of a person of the same document is that person, whatever the
//! tagger typed it ("Senator Maria Lindqvist ... Lindqvist was not convinced").

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::passes::definitions::is_defined;
use crate::passes::full_names;
use crate::passes::hint_places::Hints;
use crate::tagged::tagged_name;
use crate::tagger::words::is_given_name;

/// A one-word name that is the last word of a person's full name in the same document is
/// that person, whatever the tagger typed it ("Senator Maria Lindqvist ... Lindqvist was
/// not convinced"): the tagger reads a lone surname from its letters and context alone.
/// The full name must open with a given name ("Lebed Chechnya", a misread headline, makes
/// no surname of "Chechnya"), and the word must not be a place the hints hold nor a name
/// the document defines (`defined`, folded: "CALOI is a Brazilian manufacturer" founded by
/// Luigi Caloi).
pub(crate) fn apply(
    hints: &Hints,
    sentences: &[(&str, &[Found])],
    names: &mut [Vec<Found>],
    defined: &[(String, EntityType)],
) {
    let surnames: Vec<String> = full_names(names)
        .filter(|(first, _)| is_given_name(&first.to_lowercase()))
        .map(|(_, last)| last.to_owned())
        .collect();
    if surnames.is_empty() {
        return;
    }
    for ((text, _), found) in sentences.iter().zip(names.iter_mut()) {
        for name in found.iter_mut().filter(|n| n.method == Method::Model) {
            let surface = text.get(name.start..name.end).unwrap_or_default();
            if name.entity_type != EntityType::Person
                && !surface.contains(char::is_whitespace)
                && surnames.iter().any(|s| s == surface)
                && hints.place(text, name.start, name.end).is_none()
                && !is_defined(defined, &name.entity_name)
            {
                *name = tagged_name(text, name.start, name.end, EntityType::Person);
            }
        }
    }
}
