//! `hyphen-compounds`: "US-led", "Sino-Soviet": a compound the tagger kept whole as one `MISC`
//! name (as `CoNLL-2003` annotates it) belongs to the country it opens with.

use entente_schema::EntityType;

use crate::Found;

/// Gives `name` the country of the listed mention (`overlapping`, the lists' mentions inside
/// it) it opens with, before a hyphen.
pub(crate) fn apply(text: &str, overlapping: &[&Found], name: &mut Found) {
    if name.entity_type == EntityType::Misc
        && let Some(first) = overlapping
            .iter()
            .find(|f| f.start == name.start && text.get(f.end..=f.end) == Some("-"))
    {
        name.country_id = if first.entity_id.starts_with("iso3166:") {
            Some(first.entity_id.clone())
        } else {
            first.country_id.clone()
        };
    }
}
