//! `company-short-forms`: a name the tagger typed otherwise that is an organisation's name of
//! the same document without its legal form is that organisation ("Harbin Electric Company"
//! ... "Harbin Electric").

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::tagged::tagged_name;

/// A name the tagger typed otherwise that is an organisation's name of the same document
/// without its legal form is that organisation ("Harbin Electric Company" ... "Harbin
/// Electric"): both have one id once typed so.
pub(crate) fn apply(sentences: &[(&str, &[Found])], names: &mut [Vec<Found>]) {
    let companies: Vec<(String, usize)> = names
        .iter()
        .flatten()
        .filter(|n| n.method == Method::Model && n.entity_type == EntityType::Org)
        .map(|n| (n.entity_id.clone(), n.entity_name.len()))
        .collect();
    if companies.is_empty() {
        return;
    }
    for ((text, _), found) in sentences.iter().zip(names.iter_mut()) {
        for name in found.iter_mut().filter(|n| n.method == Method::Model) {
            if name.entity_type == EntityType::Org {
                continue;
            }
            let id = entente_schema::entity_id_for_name("org", &name.entity_name);
            if companies.iter().any(|(c, len)| *c == id && *len > name.entity_name.len()) {
                *name = tagged_name(text, name.start, name.end, EntityType::Org);
            }
        }
    }
}
