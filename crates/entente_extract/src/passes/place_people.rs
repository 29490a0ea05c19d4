//! `place-people`: a "person" the place hints hold is that place ("Perth", "Kecskemet",
//! "Chiang Mai"): the tagger's guess for words it does not know.

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::passes::definitions::is_defined;
use crate::passes::full_names;
use crate::passes::hint_places::Hints;
use crate::tagger::words::is_given_name;

/// A "person" the place hints hold is that place ("Perth", "Kecskemet", "Chiang Mai"): the
/// tagger's guess for words it does not know. Not when it opens with a given name or is the
/// last word of a person's full name in the same document ("Manuel Belgrano" ... "Belgrano"),
/// nor a name the document defines (`defined`).
pub(crate) fn apply(
    hints: &Hints,
    sentences: &[(&str, &[Found])],
    names: &mut [Vec<Found>],
    defined: &[(String, EntityType)],
) {
    let surnames: Vec<&str> = full_names(names).map(|(_, last)| last).collect();
    let mut places: Vec<(usize, usize, Found)> = Vec::new();
    for (k, ((text, _), found)) in sentences.iter().zip(names.iter()).enumerate() {
        for (i, name) in found.iter().enumerate() {
            let first = name.entity_name.split(' ').next().unwrap_or_default();
            if name.entity_type == EntityType::Person
                && name.method == Method::Model
                && !surnames.contains(&name.entity_name.as_str())
                && !is_given_name(&first.to_lowercase())
                && !is_defined(defined, &name.entity_name)
                && let Some(hint) = hints.place(text, name.start, name.end)
            {
                places.push((k, i, hint));
            }
        }
    }
    for (k, i, place) in places {
        names[k][i] = place;
    }
}
