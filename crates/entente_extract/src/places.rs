//! Place names checked against their surroundings: a place list never fires inside a hyphenated
//! name that is not a compound of places ("Georgia-Pacific", but "Russia-China"), and a name
//! that places in several countries share takes the reading its document supports ("Portland,
//! Oregon" is the US city, not Jamaica's parish) or none.

#![allow(clippy::string_slice, reason = "byte offsets come from matches on the same text")]

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use entente_schema::{EntityType, LinkedBy, Method};

use crate::gazetteer::Gazetteer;
use crate::{Found, tagged};

/// The other readings of shared place names (`scripts/gazetteer/build_places.py`), compiled in.
pub const READING_FILES: &[(&str, &str)] =
    &[("places_readings.tsv", include_str!("../data/gazetteer/places_readings.tsv"))];

/// The years a country existed where it began after 1974 or has ended, compiled in
/// (`scripts/gazetteer/build_countries.py`).
pub(crate) const COUNTRY_YEARS: &str = include_str!("../data/gazetteer/country_years.tsv");

/// The first and the last year of a country, where the list has them.
type Years = (Option<i64>, Option<i64>);

/// `COUNTRY_YEARS` read: id -> its years.
static YEARS: LazyLock<HashMap<&'static str, Years>> = LazyLock::new(|| {
    COUNTRY_YEARS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("entity_id"))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let id = cols.next()?;
            let year = |c: Option<&str>| c.and_then(|c| c.parse().ok());
            Some((id, (year(cols.next()), year(cols.next()))))
        })
        .collect()
});

/// Whether the country `id` existed in `year` (as far as the list knows: yes when unlisted).
fn existed(id: &str, year: i64) -> bool {
    YEARS.get(id).is_none_or(|&(from, until)| {
        from.is_none_or(|f| f <= year) && until.is_none_or(|u| year <= u)
    })
}

/// Drops the place and people matches of the lists (`found`, sorted by start) that are part
/// of a hyphenated name whose other parts are not countries, places or peoples: "Georgia" in
/// "Georgia-Pacific" (the company), "Santa Fe" in "Santa Fe-Pacific". A compound whose every
/// part is one ("US-China", "Sino-Soviet") keeps them.
pub(crate) fn drop_inside_hyphenated(text: &str, found: &mut Vec<Found>) {
    let place = |f: &Found| matches!(f.entity_type, EntityType::Gpe | EntityType::Norp);
    let mut keep = vec![true; found.len()];
    let mut i = 0;
    while i < found.len() {
        // The run of matches joined by hyphens with nothing else between them.
        let mut j = i;
        while j + 1 < found.len() && text.get(found[j].end..found[j + 1].start) == Some("-") {
            j += 1;
        }
        let opens = text[..found[i].start].ends_with('-')
            && text[..found[i].start - 1].chars().next_back().is_some_and(char::is_alphanumeric);
        let closes = text[found[j].end..].starts_with('-')
            && text[found[j].end + 1..].chars().next().is_some_and(char::is_uppercase);
        let all_places = found[i..=j].iter().all(place);
        if opens || closes || !all_places && i < j {
            for (k, f) in found[i..=j].iter().enumerate() {
                if matches!(f.entity_type, EntityType::Gpe | EntityType::Loc | EntityType::Norp) {
                    keep[i + k] = false;
                }
            }
        }
        i = j + 1;
    }
    let mut flags = keep.into_iter();
    found.retain(|_| flags.next().unwrap_or(true));
}

/// The country a mention places its document in: a country's own id, else its `country_id`.
pub(crate) fn country_of(f: &Found) -> Option<&str> {
    if f.entity_id.starts_with("iso3166:") || f.entity_id.starts_with("iso3166-3:") {
        Some(&f.entity_id)
    } else {
        f.country_id.as_deref()
    }
}

/// Settles the place names of a document against the countries it mentions. A name that
/// places in several countries share (`readings` holds the other readings) keeps its reading
/// when the document mentions that country elsewhere; else it takes the one other reading
/// whose country the document mentions (to displace a country's name, a place inside the
/// other country must be mentioned and no other country: "Atlanta, Georgia"); else a country
/// keeps its reading and any other place becomes a name of its own. A region of the place hints (ISO 3166-2) whose
/// country the document never mentions, while it mentions others, becomes a name of its own
/// too: never a minor region abroad ("Santa Fe", the railroad, in a story from Kansas). A
/// country that did not exist in the document's `year` gives way to the name's one other
/// reading ("Georgia" in 1987 is the US state).
pub(crate) fn settle(
    text: &str,
    found: &mut [(u32, Found)],
    readings: &Gazetteer,
    year: Option<i64>,
) {
    let place = |f: &Found| matches!(f.entity_type, EntityType::Gpe | EntityType::Loc);
    // Each listed place's other readings (none for a name no other place shares).
    let other_readings: Vec<Vec<&crate::Entry>> = found
        .iter()
        .map(|(_, f)| {
            if place(f) && f.linked_by == Some(LinkedBy::Gazetteer) {
                let exact = readings.exact(&text[f.start..f.end]);
                exact.into_iter().map(|e| &readings.entries()[e]).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let ambiguous: Vec<bool> = other_readings.iter().map(|r| !r.is_empty()).collect();
    // The entities (the shared names aside) that place the document in each country, and
    // those inside one.
    let mut countries: BTreeSet<(String, String)> = BTreeSet::new();
    let mut inside: BTreeSet<(String, String)> = BTreeSet::new();
    for ((_, f), &a) in found.iter().zip(&ambiguous) {
        if a {
            continue;
        }
        if let Some(c) = country_of(f) {
            countries.insert((c.to_owned(), f.entity_id.clone()));
        }
        if let Some(c) = &f.country_id
            && place(f)
        {
            inside.insert((c.clone(), f.entity_id.clone()));
        }
    }
    // Whether an entity other than `me` places the document in country `c`.
    let others = |set: &BTreeSet<(String, String)>, c: &str, me: &str| {
        set.range((c.to_owned(), String::new())..)
            .take_while(|(country, _)| country == c)
            .any(|(_, id)| id != me)
    };
    let take = |f: &mut Found, reading: &crate::Entry| {
        f.entity_id.clone_from(&reading.id);
        f.entity_name.clone_from(&reading.name);
        f.entity_type = reading.entity_type;
        f.country_id.clone_from(&reading.country_id);
    };
    for (((_, f), a), other) in found.iter_mut().zip(ambiguous).zip(&other_readings) {
        // A region of the hints (not a city): "Santa Fe" is also Argentina's province.
        let hint = place(f)
            && f.method == Method::Model
            && f.linked_by == Some(LinkedBy::Gazetteer)
            && f.entity_id.starts_with("iso3166-2:");
        if !a && !hint {
            continue;
        }
        let own = country_of(f).map(str::to_owned);
        if own.as_deref().is_some_and(|c| others(&countries, c, &f.entity_id)) {
            continue;
        }
        let is_country = own.as_deref() == Some(f.entity_id.as_str());
        // A country that did not exist when the document was published is not its reading.
        let gone = is_country && year.is_some_and(|y| !existed(&f.entity_id, y));
        if let ([only], true) = (&other[..], gone) {
            take(f, only);
            continue;
        }
        if a {
            let support = if is_country { &inside } else { &countries };
            let supported: Vec<&crate::Entry> = other
                .iter()
                .copied()
                .filter(|e| e.country_id.as_ref().is_some_and(|c| others(support, c, &e.id)))
                // A country gives way only in a document of the other country alone.
                .filter(|e| {
                    !is_country || countries.iter().all(|(c, _)| Some(c) == e.country_id.as_ref())
                })
                .collect();
            if let [reading] = supported[..] {
                take(f, reading);
                continue;
            }
        } else if !countries.iter().any(|(c, id)| id != &f.entity_id && own.as_deref() != Some(c)) {
            // A document that mentions no other country does not contradict the hint.
            continue;
        }
        if !is_country {
            let own = tagged::tagged_name(text, f.start, f.end, EntityType::Gpe);
            *f = Found { method: f.method, ..own };
        }
    }
}

/// A national body's acronym from the lists ("CPC", China's Communist Party) links only in a
/// document that mentions its country elsewhere (or defines it, which `resolve::acronyms`
/// settles first): `Chinese Petroleum Corp <CPC>` in a story from Taiwan, or CPC
/// International, is not the party. Without that support the acronym is a name of its own.
pub(crate) fn national_acronyms(text: &str, found: &mut [(u32, Found)]) {
    let acronym = |f: &Found| {
        f.entity_type == EntityType::Org
            && f.linked_by == Some(LinkedBy::Gazetteer)
            && f.country_id.is_some()
            && !text[f.start..f.end].chars().any(char::is_lowercase)
    };
    if !found.iter().any(|(_, f)| acronym(f)) {
        return;
    }
    let countries: BTreeSet<(String, String)> = found
        .iter()
        .filter_map(|(_, f)| Some((country_of(f)?.to_owned(), f.entity_id.clone())))
        .collect();
    for (_, f) in found.iter_mut() {
        if acronym(f)
            && !countries
                .iter()
                .any(|(c, id)| Some(c) == f.country_id.as_ref() && *id != f.entity_id)
        {
            let own = tagged::tagged_name(text, f.start, f.end, EntityType::Org);
            *f = Found { method: f.method, ..own };
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ExtractConfig, Extractor};

    fn ids(text: &str) -> Vec<String> {
        let e = Extractor::new(&ExtractConfig { model: false, ..ExtractConfig::default() }, &[])
            .unwrap();
        e.find(text)
            .into_iter()
            .map(|f| format!("{}={}", &text[f.start..f.end], f.entity_id))
            .collect()
    }

    #[test]
    fn hyphenated_names_are_not_places_unless_every_part_is() {
        assert_eq!(ids("Georgia-Pacific Corp rose."), Vec::<String>::new());
        assert_eq!(ids("Russia-China trade"), ["Russia=iso3166:RU", "China=iso3166:CN"]);
        assert_eq!(ids("Sino-Soviet talks"), ["Sino=demonym:CN", "Soviet=demonym:SUHH"]);
        assert_eq!(ids("a Paris-based bank"), ["Paris=city:FR:paris"]);
    }
}
