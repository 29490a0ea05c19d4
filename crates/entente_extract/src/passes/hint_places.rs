//! `hint-places`: a place the tagger found that the hint lists hold (places never reported on
//! their own, [`crate::HINT_FILES`]) gets the list's id, so "Perth" counts as one place.

use entente_schema::{EntityType, LinkedBy, Method};

use crate::{Found, Gazetteer};

/// The place hints; none when the built-in gazetteer is off.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hints(pub(crate) Option<Gazetteer>);

impl Hints {
    /// The hint place written exactly as `text[start..end]`, if any, as a mention there.
    pub(crate) fn place(&self, text: &str, start: usize, end: usize) -> Option<Found> {
        let hints = self.0.as_ref()?;
        let surface = text.get(start..end)?;
        let entry = &hints.entries()[hints.whole(surface)?];
        Some(Found {
            start,
            end,
            entity_id: entry.id.clone(),
            entity_name: entry.name.clone(),
            entity_type: entry.entity_type,
            method: Method::Model,
            title: None,
            linked_by: Some(LinkedBy::Gazetteer),
            country_id: entry.country_id.clone(),
            value: None,
            unit: None,
            iso_date: None,
        })
    }
}

/// A GPE or LOC the hints hold written as `name` is, becomes the hints' place.
pub(crate) fn apply(hints: &Hints, text: &str, name: &mut Found) {
    if matches!(name.entity_type, EntityType::Gpe | EntityType::Loc)
        && let Some(hint) = hints.place(text, name.start, name.end)
    {
        *name = hint;
    }
}
