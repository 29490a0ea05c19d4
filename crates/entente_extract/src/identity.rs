//! Decisions over the whole corpus, from the name counts of every batch: one name per id, and
//! the full name that a short form no document settled stands for ("Volcker" is
//! `person:paul-volcker` when the corpus names one Volcker in full).
//!
//! Both are made from [`Names`], small per-batch state (id, name, count) that a distributed
//! engine can gather, so they do not depend on batching, threads or order, and an incremental
//! run decides exactly as a run from scratch.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use entente_schema::{Entity, EntityType, LinkedBy, NameCount, entity_id_for_name};

use crate::tagged::own_identity;

/// How many mentions the full name must have across the corpus to settle a short form.
pub const MIN_SUPPORT: u64 = 2;

/// How many times more mentions the full name must have than the next full name with the same
/// last word ("Baker": James Baker, Treasury Secretary, over Howard Baker, chief of staff, in
/// 1987).
pub const DOMINANCE: u64 = 4;

/// How often each name was written for each entity id, across batches of mentions.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, BTreeMap<String, u64>>);

impl Names {
    /// Counts the names of `entities`, as extraction gave them (a mention the corpus settled
    /// counts under its own id: the decisions are remade from these counts).
    pub fn add<'a>(&mut self, entities: impl IntoIterator<Item = &'a Entity>) {
        for e in entities {
            if e.linked_by == Some(LinkedBy::Corpus) {
                let (id, name) = own_identity(&e.text, e.entity_type);
                self.count(&id, &name, 1);
            } else {
                self.count(&e.entity_id, &e.entity_name, 1);
            }
        }
    }

    /// Adds counts kept by [`Names::counts`] in an earlier run.
    pub fn add_counts(&mut self, counts: &[NameCount]) {
        for c in counts {
            self.count(&c.entity_id, &c.entity_name, c.count);
        }
    }

    /// Adds `n` to the count of `name` for `id`; the strings are copied only when new.
    fn count(&mut self, id: &str, name: &str, n: u64) {
        if let Some(names) = self.0.get_mut(id) {
            match names.get_mut(name) {
                Some(count) => *count += n,
                None => drop(names.insert(name.to_owned(), n)),
            }
        } else {
            self.0.insert(id.to_owned(), BTreeMap::from([(name.to_owned(), n)]));
        }
    }

    /// The counts, sorted by id and name.
    pub fn counts(&self) -> Vec<NameCount> {
        let mut out: Vec<NameCount> = self
            .0
            .iter()
            .flat_map(|(id, names)| {
                names.iter().map(|(name, &count)| NameCount {
                    entity_id: id.clone(),
                    entity_name: name.clone(),
                    count,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.entity_id, &a.entity_name).cmp(&(&b.entity_id, &b.entity_name)));
        out
    }

    /// The corpus-wide decisions: one name per id (names no gazetteer lists get their ids from
    /// a folded form, "Kim Jong-un" and "Kim Jong Un" share one, so the name written most
    /// often stands for all, the first in sort order on a tie), and the full name each
    /// one-word name stands for where the corpus supports one clearly (see [`MIN_SUPPORT`] and
    /// [`DOMINANCE`]).
    pub fn choose(&self) -> ChosenNames {
        self.choose_with(&Surnames::default())
    }

    /// [`Names::choose`], where a one-word name may also stand for a gazetteer person whose
    /// one-word alias it is (`surnames`: "Xi" for Xi Jinping), when the corpus names that
    /// person in full.
    pub fn choose_with(&self, surnames: &Surnames) -> ChosenNames {
        let names: BTreeMap<String, String> = self
            .0
            .iter()
            .filter_map(|(id, n)| {
                let best = n.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
                Some((id.clone(), best.0.clone()))
            })
            .collect();
        let total = |id: &str| self.0.get(id).map_or(0, |n| n.values().sum::<u64>());
        // The people named in full, by the slug of their last word and of their family name
        // with its particles ("du Plessis"), most mentioned first.
        let mut full: BTreeMap<String, Vec<(u64, &str)>> = BTreeMap::new();
        for (id, name) in &names {
            if id.starts_with("person:")
                && let Some((_, last)) = name.rsplit_once(' ')
            {
                full.entry(slug(last)).or_default().push((total(id), id));
                if let Some(family) = family_name(name).filter(|f| f.contains(' ')) {
                    full.entry(slug(family)).or_default().push((total(id), id));
                }
            }
        }
        for (key, people) in &surnames.0 {
            for (id, _) in people {
                let listed = full.entry(key.clone()).or_default();
                if total(id) > 0 && !listed.iter().any(|(_, l)| l == id) {
                    listed.push((total(id), id));
                }
            }
        }
        for people in full.values_mut() {
            people.sort_unstable_by(|a, b| b.cmp(a));
        }
        let mut links = HashMap::default();
        for (id, name) in &names {
            // A one-word name, or a family name with its particles ("De Clercq").
            let short = !name.contains(' ')
                || name
                    .rsplit_once(' ')
                    .is_some_and(|(before, _)| before.split(' ').all(is_particle));
            if !id.starts_with("person:") || !short {
                continue;
            }
            let Some(people) = full.get(&slug(name)) else { continue };
            let Some(&(top, target)) = people.first() else { continue };
            let next = people.get(1).map_or(0, |p| p.0);
            if top >= MIN_SUPPORT && top >= DOMINANCE * next {
                let country = surnames.country(target);
                links.insert(id.clone(), (target.to_owned(), country));
            }
        }
        ChosenNames { names: names.into_iter().collect(), links }
    }
}

/// Whether `word` is a particle of people's names ("du", "De", "van").
fn is_particle(word: &str) -> bool {
    crate::words::with_lower(word, |lower| crate::words::NAME_PARTICLES.contains(lower))
}

/// The family name that ends a full name: its last word with the particles before it ("du
/// Plessis" of "Barend du Plessis"); none when no other word comes first.
fn family_name(name: &str) -> Option<&str> {
    let words: Vec<&str> = name.split(' ').collect();
    let mut start = words.len().checked_sub(1)?;
    while start > 1 && is_particle(words[start - 1]) {
        start -= 1;
    }
    if start == 0 {
        return None;
    }
    let offset: usize = words[..start].iter().map(|w| w.len() + 1).sum();
    name.get(offset..)
}

/// The one-word aliases of the gazetteer's people ("Putin", "Xi"), by their slug: the
/// people a one-word name may stand for, with their countries.
#[derive(Debug, Default, Clone)]
pub struct Surnames(BTreeMap<String, Vec<(String, Option<String>)>>);

impl Surnames {
    /// The one-word person aliases of `gazetteer`.
    pub fn of(gazetteer: &crate::Gazetteer) -> Self {
        let mut out: BTreeMap<String, Vec<(String, Option<String>)>> = BTreeMap::new();
        for (alias, entry) in gazetteer.aliases() {
            let entry = &gazetteer.entries()[entry];
            if entry.entity_type == EntityType::Person && !alias.contains(char::is_whitespace) {
                let people = out.entry(slug(alias)).or_default();
                if !people.iter().any(|(id, _)| *id == entry.id) {
                    people.push((entry.id.clone(), entry.country_id.clone()));
                }
            }
        }
        Self(out)
    }

    /// The country of the gazetteer person `id`.
    fn country(&self, id: &str) -> Option<String> {
        self.0.values().flatten().find(|(p, _)| p == id).and_then(|(_, c)| c.clone())
    }
}

/// The slug of a word, as ids write it ("Volcker" -> "volcker").
fn slug(word: &str) -> String {
    entity_id_for_name("x", word).trim_start_matches("x:").to_owned()
}

/// Where a one-word id leads: the full-name id and its country.
pub type Link = (String, Option<String>);

/// The decisions that concern some ids (one part's), serialisable for a distributed engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decisions {
    /// The name chosen for each id and each id they link to.
    pub names: Vec<(String, String)>,
    /// The full-name id (and its country) each one-word id stands for, where the corpus
    /// settles it.
    pub links: Vec<(String, Link)>,
}

/// The corpus-wide decisions: the name chosen for each entity id, and the full-name id that
/// each one-word id the corpus settles stands for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChosenNames {
    names: HashMap<String, String>,
    /// One-word id -> the full-name id and its country.
    links: HashMap<String, Link>,
}

impl ChosenNames {
    /// Decisions made elsewhere (a distributed driver's, [`ChosenNames::for_ids`]).
    pub fn from_decisions(decisions: &Decisions) -> Self {
        Self {
            names: decisions.names.iter().cloned().collect(),
            links: decisions.links.iter().cloned().collect(),
        }
    }

    /// The chosen name of `entity_id`.
    pub fn get(&self, entity_id: &str) -> Option<&str> {
        self.names.get(entity_id).map(String::as_str)
    }

    /// The full-name id that the one-word id `entity_id` stands for across the corpus.
    pub fn link(&self, entity_id: &str) -> Option<&str> {
        self.links.get(entity_id).map(|(id, _)| id.as_str())
    }

    /// The decisions that concern `ids`: their names and links, and the names of the ids
    /// they link to.
    pub fn for_ids<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Decisions {
        let mut names = BTreeMap::new();
        let mut links = BTreeMap::new();
        for id in ids {
            for id in std::iter::once(id).chain(self.link(id)) {
                if let Some(name) = self.get(id) {
                    names.insert(id.to_owned(), name.to_owned());
                }
            }
            if let Some(target) = self.links.get(id) {
                links.insert(id.to_owned(), target.clone());
            }
        }
        Decisions { names: names.into_iter().collect(), links: links.into_iter().collect() }
    }

    /// Applies the decisions to mentions: a one-word name the corpus settles takes the full
    /// name's id (`linked_by = corpus`; one the corpus no longer settles gets its own id
    /// back), then every mention takes its id's chosen name.
    pub fn apply(&self, entities: &mut [Entity]) {
        for e in entities.iter_mut() {
            let Decided { entity_id, entity_name, linked_by, country_id } =
                self.decide(Mention::of(e));
            // Owned copies of what changed, so that `e` can take them.
            let id = (entity_id != e.entity_id).then(|| entity_id.into_owned());
            let name = (entity_name != e.entity_name).then(|| entity_name.into_owned());
            let country = (country_id.as_deref() != e.country_id.as_deref())
                .then(|| country_id.map(Cow::into_owned));
            if let Some(id) = id {
                e.entity_id = id;
            }
            if let Some(name) = name {
                e.entity_name = name;
            }
            if let Some(country) = country {
                e.country_id = country;
            }
            e.linked_by = linked_by;
        }
    }

    /// [`ChosenNames::apply`] for one mention given by its columns: what its identity
    /// columns become, borrowed from the mention or the decisions.
    pub fn decide<'a>(&'a self, m: Mention<'a>) -> Decided<'a> {
        let mut d = Decided {
            entity_id: Cow::Borrowed(m.entity_id),
            entity_name: Cow::Borrowed(m.entity_name),
            linked_by: m.linked_by,
            country_id: m.country_id.map(Cow::Borrowed),
        };
        if m.linked_by == Some(LinkedBy::Corpus) {
            let (id, name) = own_identity(m.text, m.entity_type);
            d.entity_id = Cow::Owned(id);
            d.entity_name = Cow::Owned(name);
            d.linked_by = Some(LinkedBy::Own);
            d.country_id = None;
        }
        if d.linked_by == Some(LinkedBy::Own)
            && m.entity_type == EntityType::Person
            && let Some((target, country)) = self.links.get(d.entity_id.as_ref())
        {
            d.entity_id = Cow::Borrowed(target);
            d.country_id = country.as_deref().map(Cow::Borrowed);
            d.linked_by = Some(LinkedBy::Corpus);
        }
        if let Some(name) = self.names.get(d.entity_id.as_ref())
            && d.entity_name != name.as_str()
        {
            d.entity_name = Cow::Borrowed(name);
        }
        d
    }
}

/// The columns of one `entities` row that [`ChosenNames::decide`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Mention<'a> {
    /// `text`.
    pub text: &'a str,
    /// `entity_type`.
    pub entity_type: EntityType,
    /// `entity_id`.
    pub entity_id: &'a str,
    /// `entity_name`.
    pub entity_name: &'a str,
    /// `linked_by`.
    pub linked_by: Option<LinkedBy>,
    /// `country_id`.
    pub country_id: Option<&'a str>,
}

impl<'a> Mention<'a> {
    /// The columns of a row.
    pub fn of(e: &'a Entity) -> Self {
        Self {
            text: &e.text,
            entity_type: e.entity_type,
            entity_id: &e.entity_id,
            entity_name: &e.entity_name,
            linked_by: e.linked_by,
            country_id: e.country_id.as_deref(),
        }
    }
}

/// A mention's identity columns after the corpus-wide decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided<'a> {
    /// `entity_id`.
    pub entity_id: Cow<'a, str>,
    /// `entity_name`.
    pub entity_name: Cow<'a, str>,
    /// `linked_by`.
    pub linked_by: Option<LinkedBy>,
    /// `country_id`.
    pub country_id: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests {
    use entente_schema::{Entity, EntityType, LinkedBy, NameCount};

    use super::{ChosenNames, Names, Surnames};

    fn counts(rows: &[(&str, &str, u64)]) -> Names {
        let mut names = Names::default();
        let rows: Vec<NameCount> = rows
            .iter()
            .map(|&(id, name, count)| NameCount {
                entity_id: id.into(),
                entity_name: name.into(),
                count,
            })
            .collect();
        names.add_counts(&rows);
        names
    }

    fn mention(text: &str, id: &str, linked_by: LinkedBy) -> Entity {
        entente_test::mention(text, id, EntityType::Person, Some(linked_by))
    }

    #[test]
    fn a_surname_takes_the_full_name_the_corpus_clearly_supports() {
        let chosen = counts(&[
            ("person:volcker", "Volcker", 54),
            ("person:paul-volcker", "Paul Volcker", 75),
            ("person:baker", "Baker", 259),
            ("person:james-baker", "James Baker", 106),
            ("person:howard-baker", "Howard Baker", 23),
            ("person:miller", "Miller", 9),
            ("person:james-miller", "James Miller", 9),
            ("person:alexei-miller", "Alexei Miller", 8),
            ("person:lyng", "Lyng", 5),
            ("person:richard-lyng", "Richard Lyng", 1),
        ])
        .choose();
        assert_eq!(chosen.link("person:volcker"), Some("person:paul-volcker"));
        assert_eq!(chosen.link("person:baker"), Some("person:james-baker"), "4.6 times Howard");
        assert_eq!(chosen.link("person:miller"), None, "two Millers as often");
        assert_eq!(chosen.link("person:lyng"), None, "too few full names");
        assert_eq!(chosen.link("person:paul-volcker"), None);
        // A family name with its particles stands for the full name too.
        let chosen = counts(&[
            ("person:du-plessis", "Du Plessis", 5),
            ("person:barend-du-plessis", "Barend du Plessis", 8),
            ("person:de-klerk", "de Klerk", 3),
        ])
        .choose();
        assert_eq!(chosen.link("person:du-plessis"), Some("person:barend-du-plessis"));
        assert_eq!(chosen.link("person:de-klerk"), None, "no full name");
    }

    #[test]
    fn applying_is_idempotent_and_undone_when_support_goes() {
        let linked =
            counts(&[("person:volcker", "Volcker", 2), ("person:paul-volcker", "Paul Volcker", 3)])
                .choose();
        let mut rows = vec![mention("Volcker", "person:volcker", LinkedBy::Own)];
        linked.apply(&mut rows);
        assert_eq!(
            (rows[0].entity_id.as_str(), rows[0].entity_name.as_str(), rows[0].linked_by),
            ("person:paul-volcker", "Paul Volcker", Some(LinkedBy::Corpus))
        );
        let once = rows.clone();
        linked.apply(&mut rows);
        assert_eq!(rows, once);
        // Counted again, a settled mention counts under its own id.
        let mut names = Names::default();
        names.add(&rows);
        assert_eq!(names.counts()[0].entity_id, "person:volcker");
        ChosenNames::default().apply(&mut rows);
        assert_eq!(
            (rows[0].entity_id.as_str(), rows[0].entity_name.as_str(), rows[0].linked_by),
            ("person:volcker", "Volcker", Some(LinkedBy::Own))
        );
    }

    #[test]
    fn a_listed_one_word_alias_counts_once_its_person_is_named_in_full() {
        let g = crate::Gazetteer::builtin_with(&[]).unwrap();
        let surnames = Surnames::of(&g);
        let alone = counts(&[("person:xi", "Xi", 4)]).choose_with(&surnames);
        assert_eq!(alone.link("person:xi"), None, "no full name in the corpus");
        let named = counts(&[("person:xi", "Xi", 4), ("person:xi-jinping", "Xi Jinping", 3)])
            .choose_with(&surnames);
        assert_eq!(named.link("person:xi"), Some("person:xi-jinping"));
        let mut rows = vec![mention("Xi", "person:xi", LinkedBy::Own)];
        named.apply(&mut rows);
        assert_eq!(rows[0].country_id.as_deref(), Some("iso3166:CN"));
    }
}
