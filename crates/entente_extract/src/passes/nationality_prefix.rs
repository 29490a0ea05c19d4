//! `nationality-prefix`: a nationality or place the lists found right before an organisation,
//! a `MISC` name or an event the tagger found is part of its name ("German Entomological
//! Institute", "Russian Orthodox Church").

use entente_schema::{EntityType, Method};

use crate::Found;
use crate::tagged::tagged_name;

/// `name` grown over the NORP or GPE mention of `found` one space before it, if any.
pub(crate) fn apply(text: &str, found: &[Found], name: &mut Found) {
    if matches!(name.entity_type, EntityType::Org | EntityType::Misc | EntityType::Event)
        && let Some(g) = found.iter().find(|g| {
            g.method == Method::Gazetteer
                && matches!(g.entity_type, EntityType::Norp | EntityType::Gpe)
                && g.end + 1 == name.start
                && text.get(g.end..name.start) == Some(" ")
        })
    {
        *name = tagged_name(text, g.start, name.end, name.entity_type);
    }
}
