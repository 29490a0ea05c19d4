//! A user's corrections to extraction: the overrides file a pipeline names (`overrides =
//! "overrides.toml"`). Four verbs, each a TOML array of tables:
//!
//! ```toml
//! [[add]]      # a new entity, matched like the gazetteer's (aliases default to the name)
//! id = "org:gazprom"
//! type = "ORG"
//! name = "Gazprom"
//! country = "iso3166:RU"
//! aliases = ["Gazprom", "Gazprom PJSC"]
//!
//! [[alias]]    # more names for an entity the gazetteer (or an [[add]]) has
//! id = "person:xi-jinping"
//! aliases = ["Chairman Xi"]
//!
//! [[merge]]    # ids that are one entity: their mentions take `into`'s identity
//! ids = ["person:jong-un-kim", "person:kim-jong-eun"]
//! into = "person:kim-jong-un"
//!
//! [[block]]    # false positives: mentions with these ids, or exactly this text, are dropped
//! ids = ["person:hey"]
//! texts = ["Deeper Dive"]
//! ```
//!
//! `[[add]]` and `[[alias]]` extend the gazetteer; `[[merge]]` then `[[block]]` apply to every
//! document's mentions once everything else is settled. A merge target that no gazetteer
//! knows needs `name` and `type`. A merge or block that changes no mention of a run (a
//! misspelt id, an id the tagger no longer gives) is reported by `entente run` as a warning.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use entente_schema::{EntityType, LinkedBy};
use serde::{Deserialize, Serialize};

use crate::{Entry, Error, Found, Gazetteer};

/// The overrides file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// New entities.
    #[serde(default)]
    pub add: Vec<Add>,
    /// More aliases for known entities.
    #[serde(default)]
    pub alias: Vec<Alias>,
    /// Ids to merge.
    #[serde(default)]
    pub merge: Vec<Merge>,
    /// Mentions to drop.
    #[serde(default)]
    pub block: Vec<Block>,
}

/// `[[add]]`: a new entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Add {
    /// Its id; no gazetteer may have it already.
    pub id: String,
    /// PERSON, ORG, GPE, LOC, NORP, EVENT, LAW or MISC.
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Its canonical name.
    pub name: String,
    /// The country it belongs to.
    #[serde(default)]
    pub country: Option<String>,
    /// The surfaces that name it (the name when empty).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// `[[alias]]`: more surfaces for an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// An id of the gazetteer or of an `[[add]]`.
    pub id: String,
    /// The new surfaces.
    pub aliases: Vec<String>,
}

/// `[[merge]]`: ids that name one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The ids to replace.
    pub ids: Vec<String>,
    /// The id they become.
    pub into: String,
    /// The canonical name, when no gazetteer knows `into`.
    #[serde(default)]
    pub name: Option<String>,
    /// The type, when no gazetteer knows `into`.
    #[serde(default, rename = "type")]
    pub entity_type: Option<String>,
}

/// `[[block]]`: mentions to drop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// Every mention with one of these ids.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Every mention whose text is exactly one of these.
    #[serde(default)]
    pub texts: Vec<String>,
}

/// The merges and blocks of an overrides file, checked and ready to apply. Each id or text
/// has a rule number; `used` records, across threads, which rules changed a mention, so a
/// rule that matches nothing (a misspelt id) can be reported.
#[derive(Debug, Clone, Default)]
pub(crate) struct Corrections {
    merges: BTreeMap<String, (Entry, usize)>,
    blocked_ids: BTreeMap<String, usize>,
    blocked_texts: BTreeMap<String, usize>,
    rules: Vec<String>,
    used: Arc<Vec<AtomicBool>>,
}

fn invalid(detail: String) -> Error {
    Error::Overrides(detail)
}

fn parse_type(verb: &str, index: usize, ty: &str) -> Result<EntityType, Error> {
    EntityType::parse(ty)
        .ok_or_else(|| invalid(format!("{verb} #{}: unknown type {ty:?}", index + 1)))
}

impl Overrides {
    /// The gazetteer with the added entities and aliases, and the merges and blocks to apply.
    pub(crate) fn apply_to(
        &self,
        gazetteer: &Gazetteer,
    ) -> Result<(Gazetteer, Corrections), Error> {
        let known = |id: &str, extra: &[Entry]| {
            gazetteer.entries().iter().chain(extra).position(|e| e.id == id)
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut aliases: Vec<(String, usize)> = Vec::new();
        for (i, add) in self.add.iter().enumerate() {
            if add.id.is_empty() || add.name.is_empty() {
                return Err(invalid(format!("add #{}: id and name must not be empty", i + 1)));
            }
            if known(&add.id, &entries).is_some() {
                return Err(invalid(format!(
                    "add #{}: {} is already an entity; use [[alias]] to give it more names",
                    i + 1,
                    add.id
                )));
            }
            let index = gazetteer.entries().len() + entries.len();
            entries.push(Entry {
                id: add.id.clone(),
                entity_type: parse_type("add", i, &add.entity_type)?,
                name: add.name.clone(),
                country_id: add.country.clone(),
            });
            let names =
                if add.aliases.is_empty() { std::slice::from_ref(&add.name) } else { &add.aliases };
            aliases.extend(names.iter().map(|a| (a.clone(), index)));
        }
        for (i, alias) in self.alias.iter().enumerate() {
            let Some(index) = known(&alias.id, &entries) else {
                return Err(invalid(format!(
                    "alias #{}: no entity has the id {}; use [[add]] to create it",
                    i + 1,
                    alias.id
                )));
            };
            aliases.extend(alias.aliases.iter().map(|a| (a.clone(), index)));
        }
        let extended = gazetteer.extended(entries, &aliases)?;
        let mut corrections = Corrections::default();
        for (i, merge) in self.merge.iter().enumerate() {
            let target = match (
                extended.entries().iter().find(|e| e.id == merge.into),
                &merge.name,
                &merge.entity_type,
            ) {
                (Some(entry), _, _) => entry.clone(),
                (None, Some(name), Some(ty)) => Entry {
                    id: merge.into.clone(),
                    entity_type: parse_type("merge", i, ty)?,
                    name: name.clone(),
                    country_id: None,
                },
                _ => {
                    return Err(invalid(format!(
                        "merge #{}: no gazetteer knows {}; give its name and type",
                        i + 1,
                        merge.into
                    )));
                }
            };
            for id in &merge.ids {
                let rule = corrections.rule(format!("merge #{}: id {id}", i + 1));
                corrections.merges.insert(id.clone(), (target.clone(), rule));
            }
        }
        for (i, block) in self.block.iter().enumerate() {
            for id in &block.ids {
                let rule = corrections.rule(format!("block #{}: id {id}", i + 1));
                corrections.blocked_ids.insert(id.clone(), rule);
            }
            for text in &block.texts {
                let rule = corrections.rule(format!("block #{}: text {text:?}", i + 1));
                corrections.blocked_texts.insert(text.clone(), rule);
            }
        }
        corrections.used =
            Arc::new(corrections.rules.iter().map(|_| AtomicBool::new(false)).collect());
        Ok((extended, corrections))
    }
}

impl Corrections {
    /// A new rule described as `what`; returns its number.
    fn rule(&mut self, what: String) -> usize {
        self.rules.push(what);
        self.rules.len() - 1
    }

    /// Notes that rule `rule` changed a mention.
    fn hit(&self, rule: usize) {
        if let Some(used) = self.used.get(rule) {
            used.store(true, Ordering::Relaxed);
        }
    }

    /// The rules that have changed no mention yet ("merge #2: id org:acme-widgets-inc").
    pub(crate) fn unused(&self) -> Vec<String> {
        self.rules
            .iter()
            .zip(self.used.iter())
            .filter(|(_, used)| !used.load(Ordering::Relaxed))
            .map(|(rule, _)| rule.clone())
            .collect()
    }

    /// Merges, then drops blocked mentions, in `found` (mentions of `text`, each with a
    /// value of the caller's alongside).
    pub(crate) fn apply<T>(&self, text: &str, found: &mut Vec<(T, Found)>) {
        if self.rules.is_empty() {
            return;
        }
        for (_, f) in found.iter_mut() {
            if let Some((target, rule)) = self.merges.get(&f.entity_id) {
                self.hit(*rule);
                f.entity_id.clone_from(&target.id);
                f.entity_name.clone_from(&target.name);
                f.entity_type = target.entity_type;
                f.country_id.clone_from(&target.country_id);
                f.linked_by = Some(LinkedBy::Override);
            }
        }
        found.retain(|(_, f)| {
            let rule = self
                .blocked_ids
                .get(&f.entity_id)
                .or_else(|| text.get(f.start..f.end).and_then(|t| self.blocked_texts.get(t)));
            rule.inspect(|&&rule| self.hit(rule)).is_none()
        });
    }
}
