//! Extract: entity mentions with canonical identities, from the `documents` and `sentences`
//! tables.
//!
//! Two recognisers run over every sentence: the value [rules](find_values) (MONEY, PERCENT,
//! DATE) and the [`Gazetteer`] (countries and territories with their short forms, demonyms
//! and capitals; international organisations; political leaders; regions; events and
//! treaties), matched leftmost-longest on word boundaries. Where both match, the rule wins.
//! Every mention carries its canonical `entity_id`, so "SCO", "Shanghai Cooperation
//! Organisation" and "Shanghai Cooperation Organization" count as one entity.
//!
//! ```
//! use entente_extract::{ExtractConfig, Extractor};
//! let extractor = Extractor::new(&ExtractConfig::default(), &[])?;
//! let found = extractor.find("Xi Jinping hosted the SCO summit in 2025.");
//! let ids: Vec<&str> = found.iter().map(|m| m.entity_id.as_str()).collect();
//! assert_eq!(ids, ["person:xi-jinping", "org:sco", "date:2025"]);
//! # Ok::<(), entente_extract::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "stages do no IO")]

pub use crate::gazetteer::{BUILTIN_FILES, Entry, Gazetteer, GazetteerMatch, HINT_FILES};
pub use crate::overrides::{Add, Alias, Block, Merge, Overrides};
pub use crate::rules::{RuleMatch, find_values};

pub mod eval;
pub mod tagger;

mod gazetteer;
mod overrides;
mod resolve;
mod rules;

use std::collections::{BTreeMap, HashMap};

use entente_schema::{
    Document, Entity, EntityType, Method, NameCount, Reject, RejectReason, Sentence,
    spans_from_byte_ranges,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// An error building the extractor from its configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A gazetteer file is malformed.
    #[error("gazetteer {file}, line {line}: {detail}")]
    Gazetteer {
        /// The file's name.
        file: String,
        /// 1-based line number (0 for the whole file).
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// The tagger's model does not load.
    #[error("NER model: {0}")]
    Model(String),
    /// The overrides file asks for something impossible.
    #[error("overrides: {0}")]
    Overrides(String),
}

/// Options of the extract stage (`[extract]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Whether to find MONEY, PERCENT, DATE and QUANTITY mentions.
    pub values: bool,
    /// Whether to use the gazetteer shipped with entente (files given in `gazetteers` are
    /// used either way).
    pub builtin_gazetteer: bool,
    /// Whether to find names no gazetteer lists with the statistical tagger (README, "Entity
    /// recognition").
    pub model: bool,
    /// A document whose extraction takes longer than this many milliseconds is a `timed_out`
    /// reject (its mentions are left out) instead of holding up the run; 0 for no limit.
    /// Checked between the steps of a document's extraction by the clock [`TimeBudget`]
    /// gives, so only a run that hits it depends on the machine's speed.
    pub max_ms_per_document: u64,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        Self { values: true, builtin_gazetteer: true, model: true, max_ms_per_document: 30_000 }
    }
}

/// The per-document time limit with the clock that measures it. Stages do not read the clock
/// themselves (their output must not depend on it): the CLI passes [`std::time::Instant::now`].
#[derive(Debug, Clone, Copy)]
pub struct TimeBudget {
    /// The longest a document's extraction may take.
    pub limit: std::time::Duration,
    /// The clock.
    pub now: fn() -> std::time::Instant,
}

impl TimeBudget {
    /// The budget of `config` on `clock`, or `None` when it has no limit.
    pub fn of(config: &ExtractConfig, now: fn() -> std::time::Instant) -> Option<Self> {
        (config.max_ms_per_document > 0).then(|| Self {
            limit: std::time::Duration::from_millis(config.max_ms_per_document),
            now,
        })
    }
}

/// Starts a document's clock; `over` says, between steps, whether the budget is spent.
struct Stopwatch(Option<(TimeBudget, std::time::Instant)>);

impl Stopwatch {
    fn start(budget: Option<TimeBudget>) -> Self {
        Self(budget.map(|b| (b, (b.now)())))
    }

    /// `Some(elapsed)` once the budget is spent.
    fn over(&self) -> Option<std::time::Duration> {
        let (budget, started) = self.0?;
        let elapsed = (budget.now)().saturating_duration_since(started);
        (elapsed > budget.limit).then_some(elapsed)
    }
}

/// The tagger's weights shipped with entente (`entente train ner`, `just train-ner`); an empty
/// file means no model.
const MODEL: &[u8] = include_bytes!("../data/ner.model.zst");

/// A hash of the data compiled into the extractor: the tagger's model and word lists and the
/// built-in gazetteers. A build with other data extracts again rather than reusing the tables
/// an earlier run left (it is part of the extract stage's configuration hash).
pub fn builtin_data_hash() -> String {
    let mut bytes = MODEL.to_vec();
    let lists = tagger::WORD_LISTS.into_iter();
    let files = BUILTIN_FILES.iter().chain(HINT_FILES).map(|(_, contents)| *contents);
    for text in lists.chain(files) {
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    entente_schema::hash_hex(&bytes)
}

/// A mention found in some text, in byte offsets of that text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Canonical key.
    pub entity_id: String,
    /// Canonical name.
    pub entity_name: String,
    /// Type.
    pub entity_type: EntityType,
    /// How it was found.
    pub method: Method,
    /// The country of a demonym, capital or national body.
    pub country_id: Option<String>,
    /// Value of a MONEY or PERCENT mention.
    pub value: Option<f64>,
    /// Unit of `value`.
    pub unit: Option<String>,
    /// ISO date of a DATE mention.
    pub iso_date: Option<String>,
}

/// The recognisers, built once and shared by all threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    gazetteer: Gazetteer,
    /// Places never reported on their own, whose ids go to the places the tagger finds there
    /// ([`HINT_FILES`]); none when the built-in gazetteer is off.
    hints: Option<Gazetteer>,
    values: bool,
    tagger: Option<tagger::Tagger>,
    corrections: overrides::Corrections,
    budget: Option<TimeBudget>,
}

impl Extractor {
    /// Builds the extractor; `extra_gazetteers` are `(name, contents)` TSV files in the format
    /// of [`Gazetteer::from_files`], added after the built-in ones.
    pub fn new(config: &ExtractConfig, extra_gazetteers: &[(&str, &str)]) -> Result<Self, Error> {
        let (gazetteer, hints) = if config.builtin_gazetteer {
            (Gazetteer::builtin_with(extra_gazetteers)?, Some(Gazetteer::hints()?))
        } else {
            (Gazetteer::from_files(extra_gazetteers)?, None)
        };
        let tagger = if config.model && !MODEL.is_empty() {
            Some(tagger::Tagger::from_bytes(MODEL).map_err(|e| Error::Model(e.to_string()))?)
        } else {
            None
        };
        Ok(Self {
            gazetteer,
            hints,
            values: config.values,
            tagger,
            corrections: overrides::Corrections::default(),
            budget: None,
        })
    }

    /// The same extractor with a per-document time budget (see
    /// [`ExtractConfig::max_ms_per_document`]); without one, extraction never times out.
    #[must_use]
    pub fn with_time_budget(mut self, budget: Option<TimeBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// The `[[merge]]` ids and `[[block]]` ids and texts of the overrides that have changed no
    /// mention this extractor found so far ("merge #2: id org:acme-widgets-inc",
    /// "block #1: text \"Deeper Dive\""): merges first, then blocks, each in the file's order.
    #[must_use]
    pub fn unused_overrides(&self) -> Vec<String> {
        self.corrections.unused()
    }

    /// The same extractor with the user's [`Overrides`]: their entities and aliases join the
    /// gazetteer, their merges and blocks apply to every document's mentions.
    pub fn with_overrides(mut self, overrides: &Overrides) -> Result<Self, Error> {
        let (gazetteer, corrections) = overrides.apply_to(&self.gazetteer)?;
        self.gazetteer = gazetteer;
        self.corrections = corrections;
        Ok(self)
    }

    /// The same extractor with `tagger` as its statistical tagger (or none).
    #[must_use]
    pub fn with_tagger(mut self, tagger: Option<tagger::Tagger>) -> Self {
        self.tagger = tagger;
        self
    }

    /// The `CoNLL` label (`B-LOC`, `I-PER`, or "") the gazetteer gives each token.
    pub fn gazetteer_labels(found: &[Found], tokens: &[(usize, usize)]) -> Vec<&'static str> {
        tokens
            .iter()
            .map(|&(s, e)| {
                found
                    .iter()
                    .filter(|f| f.method == Method::Gazetteer && f.start <= s && e <= f.end)
                    .find_map(|f| {
                        let label = eval::conll_label(f.entity_type)?;
                        let begin = f.start == s;
                        tagger::LABELS.iter().copied().find(|l| {
                            l.len() > 2
                                && l.get(2..) == Some(label)
                                && l.starts_with(if begin { 'B' } else { 'I' })
                        })
                    })
                    .unwrap_or("")
            })
            .collect()
    }

    /// The hint place written exactly as `text[start..end]`, if any, as a mention there.
    fn hint(&self, text: &str, start: usize, end: usize) -> Option<Found> {
        let hints = self.hints.as_ref()?;
        let surface = text.get(start..end)?;
        let m = hints.find(surface).into_iter().find(|m| m.start == 0 && m.end == surface.len())?;
        let entry = &hints.entries()[m.entry];
        Some(Found {
            start,
            end,
            entity_id: entry.id.clone(),
            entity_name: entry.name.clone(),
            entity_type: entry.entity_type,
            method: Method::Model,
            country_id: entry.country_id.clone(),
            value: None,
            unit: None,
            iso_date: None,
        })
    }

    /// Names the tagger finds in each sentence of a document that overlap nothing the rules
    /// and gazetteers found there: `sentences` are `(text, listed mentions)`.
    fn tagged(&self, sentences: &[(&str, &[Found])]) -> Vec<Vec<Found>> {
        let Some(tagger) = &self.tagger else { return vec![Vec::new(); sentences.len()] };
        let ranges: Vec<Vec<(usize, usize)>> =
            sentences.iter().map(|(text, _)| tagger::tokenize(text)).collect();
        let tokens: Vec<Vec<tagger::Token<'_>>> = sentences
            .iter()
            .zip(&ranges)
            .map(|(&(text, found), ranges)| {
                let gaz = Self::gazetteer_labels(found, ranges);
                ranges
                    .iter()
                    .zip(gaz)
                    .map(|(&(s, e), g)| tagger::Token {
                        text: text.get(s..e).unwrap_or(""),
                        gazetteer: g,
                    })
                    .collect()
            })
            .collect();
        let labels = tagger.tag_doc(&tokens);
        let mut out: Vec<Vec<Found>> = sentences
            .iter()
            .zip(&ranges)
            .zip(&labels)
            .map(|((&(text, found), ranges), labels)| {
                let mut out = Vec::new();
                for mut name in names(text, ranges, labels) {
                    // A nationality or place right before an organisation or event the
                    // tagger found is part of its name ("German Entomological Institute",
                    // "Russian Orthodox Church").
                    if matches!(
                        name.entity_type,
                        EntityType::Org | EntityType::Misc | EntityType::Event
                    ) && let Some(g) = found.iter().find(|g| {
                        g.method == Method::Gazetteer
                            && matches!(g.entity_type, EntityType::Norp | EntityType::Gpe)
                            && g.end + 1 == name.start
                            && text.get(g.end..name.start) == Some(" ")
                    }) {
                        name = tagged_name(text, g.start, name.end, name.entity_type);
                    }
                    let overlapping: Vec<&Found> =
                        found.iter().filter(|f| f.start < name.end && name.start < f.end).collect();
                    // A longer name around gazetteer matches wins when it has a word of its
                    // own ("Dynamo Moscow", "British Masters", not "Russia-China" nor "Xi
                    // Jinping And Putin" in a heading); anything else the lists found stands.
                    let inside = overlapping.iter().all(|f| {
                        f.method == Method::Gazetteer && name.start <= f.start && f.end <= name.end
                    });
                    let own_word = word_ranges(text, name.start, name.end).any(|(s, e)| {
                        !overlapping.iter().any(|f| f.start <= s && e <= f.end)
                            && !text.get(s..e).is_some_and(tagger::is_function_word)
                    });
                    if is_currency(&name.entity_name) || is_abbreviation(&name.entity_name) {
                        // "the Ruble and the Yuan", "areas like AI": currencies and
                        // abbreviations of common nouns, which no kind of name covers.
                        continue;
                    }
                    if overlapping.is_empty() || (inside && own_word) {
                        // "US-led", "Sino-Soviet": a compound kept whole as one name (as
                        // CoNLL-2003 annotates it) belongs to the country it opens with.
                        if name.entity_type == EntityType::Misc
                            && let Some(first) = overlapping.iter().find(|f| {
                                f.start == name.start && text.get(f.end..=f.end) == Some("-")
                            })
                        {
                            name.country_id = if first.entity_id.starts_with("iso3166:") {
                                Some(first.entity_id.clone())
                            } else {
                                first.country_id.clone()
                            };
                        }
                        // A place the hints list, found by the tagger, gets the list's id.
                        if matches!(name.entity_type, EntityType::Gpe | EntityType::Loc)
                            && let Some(hint) = self.hint(text, name.start, name.end)
                        {
                            name = hint;
                        }
                        out.push(name);
                    }
                }
                for title in quoted_titles(text, found) {
                    out.retain(|n| n.end <= title.start || title.end <= n.start);
                    out.push(title);
                }
                out.sort_by_key(|n| n.start);
                out
            })
            .collect();
        let defined = retype_defined(sentences, &mut out);
        company_short_forms(sentences, &mut out);
        self.surname_people(sentences, &mut out, &defined);
        self.place_people(sentences, &mut out, &defined);
        out
    }

    /// A one-word name that is the last word of a person's full name in the same document is
    /// that person, whatever the tagger typed it ("Senator Maria Lindqvist ... Lindqvist was
    /// not convinced"): the tagger reads a lone surname from its letters and context alone.
    /// The full name must open with a given name ("Lebed Chechnya", a misread headline, makes
    /// no surname of "Chechnya"), and the word must not be a place the hints hold nor a name
    /// the document defines (`defined`, folded: "CALOI is a Brazilian manufacturer" founded by
    /// Luigi Caloi).
    fn surname_people(
        &self,
        sentences: &[(&str, &[Found])],
        names: &mut [Vec<Found>],
        defined: &[(String, EntityType)],
    ) {
        let surnames: Vec<String> = full_names(names)
            .filter(|(first, _)| tagger::is_given_name(&first.to_lowercase()))
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
                    && self.hint(text, name.start, name.end).is_none()
                    && !is_defined(defined, &name.entity_name)
                {
                    *name = tagged_name(text, name.start, name.end, EntityType::Person);
                }
            }
        }
    }

    /// A "person" the place hints hold is that place ("Perth", "Kecskemet", "Chiang Mai"): the
    /// tagger's guess for words it does not know. Not when it opens with a given name or is the
    /// last word of a person's full name in the same document ("Manuel Belgrano" ... "Belgrano"),
    /// nor a name the document defines (`defined`).
    fn place_people(
        &self,
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
                    && !tagger::is_given_name(&first.to_lowercase())
                    && !is_defined(defined, &name.entity_name)
                    && let Some(hint) = self.hint(text, name.start, name.end)
                {
                    places.push((k, i, hint));
                }
            }
        }
        for (k, i, place) in places {
            names[k][i] = place;
        }
    }

    /// The gazetteer in use.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The mentions in `text`, read as one sentence, sorted by position, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        self.find_sentences(&[text]).pop().unwrap_or_default()
    }

    /// The mentions in each of a document's sentences, in order: the tagger reads the
    /// sentences together, so how the document writes a word elsewhere counts.
    pub fn find_sentences(&self, sentences: &[&str]) -> Vec<Vec<Found>> {
        self.find_sentences_checked(sentences, &|_| Ok::<(), ()>(())).unwrap_or_default()
    }

    /// [`Extractor::find_sentences`], calling `check` with the name of each step done (every
    /// 256 sentences of the rules and gazetteer, then the tagger) and stopping at its error.
    fn find_sentences_checked<E>(
        &self,
        sentences: &[&str],
        check: &dyn Fn(&str) -> Result<(), E>,
    ) -> Result<Vec<Vec<Found>>, E> {
        let mut listed: Vec<Vec<Found>> = Vec::with_capacity(sentences.len());
        for chunk in sentences.chunks(256) {
            listed.extend(chunk.iter().map(|t| self.find_listed(t)));
            check("rules and gazetteer")?;
        }
        let input: Vec<(&str, &[Found])> =
            sentences.iter().copied().zip(listed.iter().map(Vec::as_slice)).collect();
        let tagged = self.tagged(&input);
        check("tagger")?;
        Ok(listed
            .into_iter()
            .zip(tagged)
            .zip(sentences)
            .map(|((listed, tagged), text)| {
                let mut out: Vec<((), Found)> = listed
                    .into_iter()
                    .filter(|f| !tagged.iter().any(|t| f.start < t.end && t.start < f.end))
                    .map(|f| ((), f))
                    .collect();
                out.extend(tagged.into_iter().map(|f| ((), f)));
                self.corrections.apply(text, &mut out);
                let mut out: Vec<Found> = out.into_iter().map(|((), f)| f).collect();
                out.sort_by_key(|f| f.start);
                out
            })
            .collect())
    }

    /// The mentions the rules and gazetteers find in `text` (not the tagger), sorted.
    pub fn find_listed(&self, text: &str) -> Vec<Found> {
        let values = if self.values { find_values(text) } else { Vec::new() };
        let mut out: Vec<Found> = Vec::with_capacity(values.len());
        for v in values {
            let (entity_id, entity_name) = v.identity();
            out.push(Found {
                start: v.start,
                end: v.end,
                entity_id,
                entity_name,
                entity_type: v.entity_type,
                method: Method::Rule,
                country_id: None,
                value: v.value,
                unit: v.unit,
                iso_date: v.iso_date,
            });
        }
        let taken: Vec<(usize, usize)> = out.iter().map(|f| (f.start, f.end)).collect();
        for m in self.gazetteer.find(text) {
            if taken.iter().any(|&(s, e)| m.start < e && s < m.end) {
                continue;
            }
            let entry = &self.gazetteer.entries()[m.entry];
            out.push(Found {
                start: m.start,
                end: m.end,
                entity_id: entry.id.clone(),
                entity_name: entry.name.clone(),
                entity_type: entry.entity_type,
                method: Method::Gazetteer,
                country_id: entry.country_id.clone(),
                value: None,
                unit: None,
                iso_date: None,
            });
        }
        out.sort_by_key(|f| f.start);
        out
    }
}

/// The byte ranges of the alphanumeric runs of `text[start..end]`.
fn word_ranges(text: &str, start: usize, end: usize) -> impl Iterator<Item = (usize, usize)> {
    let slice = text.get(start..end).unwrap_or_default();
    slice.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(move |w| {
        let at = w.as_ptr() as usize - slice.as_ptr() as usize;
        (start + at, start + at + w.len())
    })
}

/// Whether a name is the name of a currency written capitalised ("the Ruble and the Yuan").
/// The euro and the franc are left out: "Euro 96" and "Franc" are names too.
fn is_currency(name: &str) -> bool {
    const CURRENCIES: &[&str] = &[
        "baht", "dinar", "dinars", "dirham", "dirhams", "dollar", "dollars", "forint", "hryvnia",
        "lira", "peso", "pesos", "renminbi", "rial", "rials", "ringgit", "riyal", "riyals",
        "rouble", "roubles", "ruble", "rubles", "rupee", "rupees", "rupiah", "shekel", "shekels",
        "yen", "yuan", "zloty",
    ];
    CURRENCIES.contains(&name.to_lowercase().as_str())
}

/// Whether a name is an abbreviation of a common noun ("AI", "CEO", "SUVs"), which the
/// tagger takes for an organisation by its shape. Abbreviations that `CoNLL-2003` annotates as
/// names (GMT, RBI, ERA, CPI, AIDS, HIV) are left out.
fn is_abbreviation(name: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "AI", "ATM", "CD", "CEO", "CFO", "COO", "CTO", "DJ", "DVD", "EP", "FAQ", "GDP", "GPS",
        "HQ", "KO", "LCD", "LED", "LP", "MBA", "NGO", "PC", "PDF", "PhD", "SMS", "SUV", "TV",
        "UAV", "URL", "USB", "VIP",
    ];
    let singular = name.strip_suffix('s').filter(|s| s.len() >= 2).unwrap_or(name);
    ABBREVIATIONS.contains(&name) || ABBREVIATIONS.contains(&singular)
}

/// Head words of "X of Y" names, with the type they give: "Battle of Antietam" is an event,
/// "University of Tokyo" an organisation.
const OF_HEADS: &[(&str, EntityType)] = &[
    ("battle", EntityType::Event),
    ("siege", EntityType::Event),
    ("treaty", EntityType::Law),
    ("university", EntityType::Org),
    ("bank", EntityType::Org),
    ("ministry", EntityType::Org),
    ("department", EntityType::Org),
    ("house", EntityType::Org),
    ("gulf", EntityType::Loc),
    ("bay", EntityType::Loc),
    ("isle", EntityType::Loc),
    ("lake", EntityType::Loc),
    ("mount", EntityType::Loc),
    ("kingdom", EntityType::Gpe),
    ("republic", EntityType::Gpe),
    ("duchy", EntityType::Gpe),
    ("city", EntityType::Gpe),
    ("army", EntityType::Org),
    ("college", EntityType::Org),
    ("council", EntityType::Org),
    ("court", EntityType::Org),
    ("institute", EntityType::Org),
    ("museum", EntityType::Org),
    ("school", EntityType::Org),
    ("sea", EntityType::Loc),
    ("empire", EntityType::Gpe),
    ("province", EntityType::Gpe),
    ("county", EntityType::Gpe),
];

/// Last words of names, with the type they give ("Doyt Perry Stadium", "Dave Matthews Band"),
/// also heads before "of" ("Academy of Sciences", "War of the Spanish Succession").
const LAST_HEADS: &[(&str, EntityType)] = &[
    ("street", EntityType::Loc),
    ("road", EntityType::Loc),
    ("avenue", EntityType::Loc),
    ("bridge", EntityType::Loc),
    ("river", EntityType::Loc),
    ("lake", EntityType::Loc),
    ("bay", EntityType::Loc),
    ("harbor", EntityType::Loc),
    ("harbour", EntityType::Loc),
    ("island", EntityType::Loc),
    ("islands", EntityType::Loc),
    ("mountains", EntityType::Loc),
    ("valley", EntityType::Loc),
    ("park", EntityType::Loc),
    ("stadium", EntityType::Loc),
    ("arena", EntityType::Loc),
    ("square", EntityType::Loc),
    ("dock", EntityType::Loc),
    ("airport", EntityType::Loc),
    ("canal", EntityType::Loc),
    ("creek", EntityType::Loc),
    ("peninsula", EntityType::Loc),
    ("strait", EntityType::Loc),
    ("province", EntityType::Gpe),
    ("county", EntityType::Gpe),
    ("township", EntityType::Gpe),
    ("parish", EntityType::Gpe),
    ("oblast", EntityType::Gpe),
    ("prefecture", EntityType::Gpe),
    ("beach", EntityType::Loc),
    ("plateau", EntityType::Loc),
    ("junction", EntityType::Loc),
    ("desert", EntityType::Loc),
    ("mountain", EntityType::Loc),
    ("hills", EntityType::Loc),
    ("band", EntityType::Org),
    ("club", EntityType::Org),
    ("institute", EntityType::Org),
    ("university", EntityType::Org),
    ("college", EntityType::Org),
    ("museum", EntityType::Org),
    ("party", EntityType::Org),
    ("church", EntityType::Org),
    ("company", EntityType::Org),
    ("corporation", EntityType::Org),
    ("records", EntityType::Org),
    ("association", EntityType::Org),
    ("society", EntityType::Org),
    ("council", EntityType::Org),
    ("committee", EntityType::Org),
    ("agency", EntityType::Org),
    ("army", EntityType::Org),
    ("corps", EntityType::Org),
    ("division", EntityType::Org),
    ("brigade", EntityType::Org),
    ("regiment", EntityType::Org),
    ("navy", EntityType::Org),
    ("federation", EntityType::Org),
    ("foundation", EntityType::Org),
    ("commission", EntityType::Org),
    ("ministry", EntityType::Org),
    ("academy", EntityType::Org),
    ("orchestra", EntityType::Org),
    ("railway", EntityType::Org),
    ("railroad", EntityType::Org),
    ("airlines", EntityType::Org),
    ("inc", EntityType::Org),
    ("ltd", EntityType::Org),
    ("llc", EntityType::Org),
    ("plc", EntityType::Org),
    ("corp", EntityType::Org),
    ("co", EntityType::Org),
    ("gmbh", EntityType::Org),
    ("group", EntityType::Org),
    ("school", EntityType::Org),
    ("hospital", EntityType::Org),
    ("trust", EntityType::Org),
    ("authority", EntityType::Org),
    ("laboratory", EntityType::Org),
    ("laboratories", EntityType::Org),
    ("brothers", EntityType::Org),
    ("publishing", EntityType::Org),
    ("festival", EntityType::Event),
    ("championship", EntityType::Event),
    ("championships", EntityType::Event),
    ("cup", EntityType::Event),
    ("olympics", EntityType::Event),
    ("war", EntityType::Event),
    ("campaign", EntityType::Event),
    ("tournament", EntityType::Event),
    ("summit", EntityType::Event),
    ("award", EntityType::Misc),
    ("awards", EntityType::Misc),
    ("prize", EntityType::Misc),
    ("trophy", EntityType::Misc),
];

/// The type a name's head word gives it, whatever the tagger said: "Doyt Perry Stadium" is a
/// place, "Dave Matthews Band" an organisation, "Battle of Antietam" an event. The head is
/// the word before the first "of" of "X of Y" names ("Federal Republic of Yugoslavia") and
/// the last word otherwise; one-word names have none.
fn head_type(name: &str) -> Option<EntityType> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < 2 {
        return None;
    }
    let lookup = |table: &[(&str, EntityType)], word: &str| {
        table.iter().find(|(w, _)| *w == word).map(|&(_, t)| t)
    };
    // An ordinal before the head counts for nothing ("Second Battle of Bull Run").
    let ordinal = |w: &str| {
        ORDINALS.iter().any(|o| o.eq_ignore_ascii_case(w))
            || w.len() > 2
                && w.starts_with(|c: char| c.is_ascii_digit())
                && ["st", "nd", "rd", "th"].iter().any(|x| w.ends_with(x))
    };
    let words = if words.len() > 2 && ordinal(&words[0]) { &words[1..] } else { &words[..] };
    // "Operation Market Garden", "Operation Desert Storm": a military operation.
    if words[0] == "operation" {
        return Some(EntityType::Event);
    }
    // The head of "X of Y" is the word before the first "of" ("Federal Republic of
    // Yugoslavia", "Bulgarian Academy of Sciences").
    if let Some(of) = words.iter().position(|w| w == "of").filter(|&of| of > 0) {
        let head = &words[of - 1];
        return lookup(OF_HEADS, head).or_else(|| lookup(LAST_HEADS, head));
    }
    lookup(LAST_HEADS, &words[words.len() - 1])
}

/// Ordinal words that may open a name ("Second Battle of Bull Run").
const ORDINALS: &[&str] = &[
    "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
];

/// Where a name starting at token `i` really starts: at the head of an "X of (the) Y" name
/// when the tagger found only Y ("Battle of Antietam", "Second Battle of Bull Run", "Army of
/// the Potomac" where it found "Antietam", "Bull Run", "Potomac"), with a capitalised ordinal
/// before the head; else at `i`. The words taken in are outside any other name (`O` in
/// `labels`), so names never overlap.
fn of_head(text: &str, ranges: &[(usize, usize)], labels: &[usize], i: usize) -> usize {
    let word = |k: usize| text.get(ranges[k].0..ranges[k].1).unwrap_or_default();
    let same_line =
        |a: usize, b: usize| !text.get(ranges[a].0..ranges[b].1).unwrap_or_default().contains('\n');
    let of = match i.checked_sub(1).map(word) {
        Some("the") if i >= 2 && word(i - 2) == "of" => i - 2,
        Some("of") => i - 1,
        _ => return i,
    };
    let Some(head) = of.checked_sub(1) else { return i };
    // A last-word head opens the name only when no other name ends right before it: "the
    // War of Spanish Succession", not "Couch's Division of the IV Corps" or "Victoria Hockey
    // Club of Montreal".
    let opens = |w: &str| {
        head.checked_sub(1)
            .map(word)
            .is_none_or(|b| !b.starts_with(char::is_uppercase) && !["'s", "’s"].contains(&b))
            && LAST_HEADS.iter().any(|(h, _)| w.eq_ignore_ascii_case(h))
    };
    let is_head = word(head).chars().next().is_some_and(char::is_uppercase)
        && (OF_HEADS.iter().any(|(w, _)| word(head).eq_ignore_ascii_case(w)) || opens(word(head)));
    let outside = |k: usize| labels.get(k) == Some(&0);
    if !is_head || !same_line(head, i) || !(head..i).all(outside) {
        return i;
    }
    match head.checked_sub(1) {
        Some(o) if ORDINALS.contains(&word(o)) && same_line(o, head) && outside(o) => o,
        _ => head,
    }
}

/// Where a name starting at token `i` really starts: at a capitalised article right before
/// it in mid-sentence ("the film The Last Emperor", "their album A Beautiful Lie", "at The
/// Oval"), which only a title or a name writes so (CoNLL-2003 train has 28 such articles
/// inside names and 3 outside, wikigold 41 and none); else at `i`.
fn article(text: &str, ranges: &[(usize, usize)], labels: &[usize], i: usize) -> usize {
    let word = |k: usize| text.get(ranges[k].0..ranges[k].1).unwrap_or_default();
    let Some(a) = i.checked_sub(1) else { return i };
    let Some(before) = a.checked_sub(1) else { return i };
    let mid_sentence = word(before) == "," || word(before).starts_with(char::is_lowercase);
    let same_line = !text.get(ranges[before].0..ranges[i].0).unwrap_or_default().contains('\n');
    // "A" before a one-word name is an initial ("Italy: A Masi, A Troncon").
    let initial =
        word(a) == "A" && labels.get(i + 1).is_none_or(|&l| !tagger::LABELS[l].starts_with('I'));
    if matches!(word(a), "The" | "A" | "An")
        && labels[a] == 0
        && mid_sentence
        && same_line
        && !initial
    {
        a
    } else {
        i
    }
}

/// A model designation: up to four letters, the first a capital, a hyphen and a number
/// ("F-86", "MiG-29", "Su-57", "S-400"): what it begins is a product (`MISC`), an aircraft
/// or a weapon, not a person.
fn is_designation(word: &str) -> bool {
    let Some((letters, number)) = word.split_once('-') else { return false };
    (1..=4).contains(&letters.len())
        && letters.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && letters.chars().all(|c| c.is_ascii_alphabetic())
        && number.chars().next().is_some_and(|c| c.is_ascii_digit())
        && number.len() <= 5
        && number.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The names in a tagged sentence: BIO labels over `ranges`.
fn names(text: &str, ranges: &[(usize, usize)], labels: &[usize]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        let l = tagger::LABELS[labels[i]];
        if l == "O" {
            i += 1;
            continue;
        }
        let kind = l.get(2..).unwrap_or("");
        let mut j = i + 1;
        // A name never runs across a line break.
        while j < labels.len()
            && tagger::LABELS[labels[j]].get(2..) == Some(kind)
            && tagger::LABELS[labels[j]].starts_with('I')
            && !text.get(ranges[j - 1].1..ranges[j].0).is_some_and(|gap| gap.contains('\n'))
        {
            j += 1;
        }
        let head = of_head(text, ranges, labels, i);
        let first = article(text, ranges, labels, head);
        let (mut start, mut end) = (ranges[first].0, ranges[j - 1].1);
        // No person's name opens with an article: "The Eddy Duchin Story" is a work.
        let kind = if first < head && kind == "PER" { "MISC" } else { kind };
        i = j;
        // Punctuation the tokenizer left on a word ("China。", "«Gazprom") is not the name's.
        let edge = |c: char| !c.is_alphanumeric() && c != '.';
        let surface = text.get(start..end).unwrap_or("");
        let trimmed = surface.trim_start_matches(|c: char| !c.is_alphanumeric());
        start += surface.len() - trimmed.len();
        end -= trimmed.len() - trimmed.trim_end_matches(edge).len();
        // Nor is a possessive the tokenizer could not split off ("Organization’s。China"),
        // however many there are ("Putin's’s").
        while let Some(stem) = text.get(start..end).and_then(|surface| {
            ["'s", "’s", "'S", "’S"].iter().find_map(|p| surface.strip_suffix(p))
        }) {
            end = start + stem.trim_end_matches(edge).len();
        }
        let surface = text.get(start..end).unwrap_or("");
        if !surface.chars().any(char::is_alphabetic) {
            continue;
        }
        let designation = surface.split_whitespace().next().is_some_and(is_designation);
        // "DJ Khaled", "MC Kano", "DJ John Peel": a performer, whatever the shape said.
        let stage_name = surface.split_once(' ').is_some_and(|(w, _)| matches!(w, "DJ" | "MC"));
        let entity_type = head_type(surface)
            .or(designation.then_some(EntityType::Misc))
            .or(stage_name.then_some(EntityType::Person))
            .unwrap_or(match kind {
                "PER" => EntityType::Person,
                "ORG" => EntityType::Org,
                "LOC" => EntityType::Gpe,
                _ => EntityType::Misc,
            });
        // "Siemens and Ericsson": two one-word names joined by "and" are two names
        // (CoNLL-2003 train has 186 such pairs and 6 one-word-and-one-word names, 2 of them
        // "Trinidad and Tobago", which the gazetteer holds). Two common words are rather the
        // end of a longer name ("... for Trade and Industry", "... Arts and Sciences").
        if let Some((a, b)) = surface.split_once(" and ")
            && [a, b].iter().all(|w| !w.contains(' ') && w.starts_with(char::is_uppercase))
            && ![a, b].iter().all(|w| tagger::is_common_word(&w.to_lowercase()))
        {
            let entity_type =
                |w: &str| if is_designation(w) { EntityType::Misc } else { entity_type };
            out.push(tagged_name(text, start, start + a.len(), entity_type(a)));
            out.push(tagged_name(text, end - b.len(), end, entity_type(b)));
            continue;
        }
        out.push(tagged_name(text, start, end, entity_type));
    }
    out
}

/// Nouns that say what a name is when a sentence defines it ("Korn is an American nu metal
/// band", "Harbin Electric, a state-owned company", "Aisby is a village in Lincolnshire").
const KIND_NOUNS: &[(&str, EntityType)] = &[
    ("actor", EntityType::Person),
    ("actress", EntityType::Person),
    ("author", EntityType::Person),
    ("footballer", EntityType::Person),
    ("journalist", EntityType::Person),
    ("musician", EntityType::Person),
    ("politician", EntityType::Person),
    ("singer", EntityType::Person),
    ("singer-songwriter", EntityType::Person),
    ("writer", EntityType::Person),
    ("agency", EntityType::Org),
    ("airline", EntityType::Org),
    ("band", EntityType::Org),
    ("bank", EntityType::Org),
    ("broadcaster", EntityType::Org),
    ("charity", EntityType::Org),
    ("club", EntityType::Org),
    ("company", EntityType::Org),
    ("corporation", EntityType::Org),
    ("firm", EntityType::Org),
    ("label", EntityType::Org),
    ("magazine", EntityType::Org),
    ("manufacturer", EntityType::Org),
    ("newspaper", EntityType::Org),
    ("organisation", EntityType::Org),
    ("organization", EntityType::Org),
    ("party", EntityType::Org),
    ("publisher", EntityType::Org),
    ("team", EntityType::Org),
    ("university", EntityType::Org),
    ("capital", EntityType::Gpe),
    ("city", EntityType::Gpe),
    ("commune", EntityType::Gpe),
    ("county", EntityType::Gpe),
    ("hamlet", EntityType::Gpe),
    ("municipality", EntityType::Gpe),
    ("parish", EntityType::Gpe),
    ("suburb", EntityType::Gpe),
    ("town", EntityType::Gpe),
    ("village", EntityType::Gpe),
    ("island", EntityType::Loc),
    ("lake", EntityType::Loc),
    ("mountain", EntityType::Loc),
    ("river", EntityType::Loc),
    ("album", EntityType::Misc),
    ("book", EntityType::Misc),
    ("ep", EntityType::Misc),
    ("film", EntityType::Misc),
    ("novel", EntityType::Misc),
    ("series", EntityType::Misc),
    ("single", EntityType::Misc),
    ("song", EntityType::Misc),
    ("festival", EntityType::Event),
    ("tournament", EntityType::Event),
];

/// The kind a sentence gives the name ending at byte `end` of `text`: "is a" / "was an" /
/// ", the" followed by up to six words, the first of them a [`KIND_NOUNS`] noun ("is an
/// American rock band"). The words stop at a preposition, conjunction or relative pronoun, so
/// "is a member of the band" defines nothing.
fn defined_kind(text: &str, end: usize) -> Option<EntityType> {
    const STOP: &[&str] = &[
        "of", "and", "or", "in", "on", "at", "for", "from", "by", "with", "who", "which", "that",
        "to", "is", "was",
    ];
    let rest = text.get(end..)?;
    let rest = rest
        .strip_prefix(" is ")
        .or_else(|| rest.strip_prefix(" was "))
        .or_else(|| rest.strip_prefix(", "))?;
    let mut words = rest.split(' ');
    if !matches!(words.next()?, "a" | "an" | "the") {
        return None;
    }
    for word in words.take(6) {
        let bare = word.trim_end_matches([',', '.', ';', ':']);
        let lower = bare.to_lowercase();
        if STOP.contains(&lower.as_str()) || !bare.chars().all(|c| c.is_alphanumeric() || c == '-')
        {
            return None;
        }
        if let Some(&(_, kind)) = KIND_NOUNS.iter().find(|(w, _)| *w == lower) {
            return Some(kind);
        }
        if bare.len() != word.len() {
            return None;
        }
    }
    None
}

/// The kind the words around the name at bytes `start..end` of `text` give it: a
/// [`KIND_NOUNS`] noun in lower case right before it ("the band Gigi", "the island Divar"),
/// before "of" if the noun is a place ("the island of Divar", "the city of Aleppo"), or
/// before "called" / "named" ("a band called Squirrel"). The noun must head the phrase and the
/// name must not modify a noun of its own: a lower-case word after the name other than a
/// function word or a verb ending in "s" or "ed" ("county Labour group", "a single AAA
/// battery") or "best" before the noun (an award: "the best actor Bafta") defines nothing.
fn preceding_kind(text: &str, start: usize, end: usize) -> Option<EntityType> {
    const AFTER: &[&str] = &[
        "of", "and", "or", "but", "in", "on", "at", "for", "from", "by", "with", "to", "as", "who",
        "which", "that", "when", "where", "while", "after", "before", "is", "was", "are", "were",
        "had", "have", "will", "would", "became", "began", "won", "made", "went",
    ];
    let next = text.get(end..)?.split_whitespace().next().unwrap_or_default();
    let next = next.trim_end_matches([',', '.', ';', ':']);
    // A verb in the present or past ("lies", "played") may follow, a noun may not.
    let verb = (next.ends_with('s') && !next.ends_with("ss")) || next.ends_with("ed");
    if next.starts_with(char::is_lowercase) && !verb && !AFTER.contains(&next) {
        return None;
    }
    let before = text.get(..start)?.strip_suffix(' ')?;
    let mut words = before.rsplit(' ');
    let mut noun = words.next()?;
    let mut place_only = false;
    if matches!(noun, "called" | "named") {
        noun = words.next()?;
    } else if noun == "of" {
        noun = words.next()?;
        place_only = true;
    }
    // People are broadcasters and publishers too ("fellow broadcaster Michael Pointon").
    let &(_, kind) = KIND_NOUNS
        .iter()
        .find(|(w, _)| *w == noun && !matches!(noun, "broadcaster" | "publisher"))?;
    if words.next() == Some("best") {
        return None;
    }
    (!place_only || matches!(kind, EntityType::Gpe | EntityType::Loc)).then_some(kind)
}

/// Gives every name the tagger found in a document the kind a sentence of the document
/// defines it as ([`defined_kind`], [`preceding_kind`]), in any casing ("CALOI is a
/// manufacturer" types "Caloi"): the tagger types an unknown name from its letters and
/// context, the definition says what it is. Returns the defined names, folded, with their kinds.
fn retype_defined(
    sentences: &[(&str, &[Found])],
    names: &mut [Vec<Found>],
) -> Vec<(String, EntityType)> {
    let mut kinds: Vec<(String, EntityType)> = Vec::new();
    for ((text, _), found) in sentences.iter().zip(names.iter()) {
        for name in found.iter().filter(|n| n.method == Method::Model) {
            let folded = name.entity_name.to_lowercase();
            if let Some(kind) =
                defined_kind(text, name.end).or_else(|| preceding_kind(text, name.start, name.end))
                && !kinds.iter().any(|(n, _)| *n == folded)
            {
                kinds.push((folded, kind));
            }
        }
    }
    if kinds.is_empty() {
        return kinds;
    }
    for ((text, _), found) in sentences.iter().zip(names.iter_mut()) {
        for name in found.iter_mut().filter(|n| n.method == Method::Model) {
            let folded = name.entity_name.to_lowercase();
            if let Some(&(_, kind)) = kinds.iter().find(|(n, _)| *n == folded)
                && name.entity_type != kind
            {
                *name = tagged_name(text, name.start, name.end, kind);
            }
        }
    }
    kinds
}

/// Whether the document defines `name` ([`retype_defined`]'s list, folded).
fn is_defined(defined: &[(String, EntityType)], name: &str) -> bool {
    if defined.is_empty() {
        return false;
    }
    let folded = name.to_lowercase();
    defined.iter().any(|(n, _)| *n == folded)
}

/// A name the tagger typed otherwise that is an organisation's name of the same document
/// without its legal form is that organisation ("Harbin Electric Company" ... "Harbin
/// Electric"): both have one id once typed so.
fn company_short_forms(sentences: &[(&str, &[Found])], names: &mut [Vec<Found>]) {
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

/// The first and last words of every person's name of more than one word in a document.
fn full_names(names: &[Vec<Found>]) -> impl Iterator<Item = (&str, &str)> {
    names
        .iter()
        .flatten()
        .filter(|n| n.entity_type == EntityType::Person)
        .filter_map(|n| n.entity_name.split_once(' ').zip(n.entity_name.rsplit_once(' ')))
        .map(|((first, _), (_, last))| (first, last))
}

/// Titles in quotation marks: a quoted phrase of one to ten words whose words are all
/// capitalised but for short function words, that does not end a sentence, names a work, a
/// programme or a campaign (`MISC`: "A Beautiful Lie", "Time to Wake Up", “Made in China
/// 2025”), not speech; a single quoted word must not be a common one. A quoted name the lists
/// hold stays theirs ("Russia").
fn quoted_titles(text: &str, found: &[Found]) -> Vec<Found> {
    const OPEN: &[char] = &['"', '“'];
    const CLOSE: &[char] = &['"', '”'];
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text.get(at..).and_then(|t| t.find(OPEN)).map(|o| at + o) {
        let mark = text.get(open..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
        let body = open + mark;
        let Some(close) = text.get(body..).and_then(|t| t.find(CLOSE)).map(|c| body + c) else {
            break;
        };
        let inner = text.get(body..close).unwrap_or_default();
        let start = body + (inner.len() - inner.trim_start().len());
        let end = body + inner.trim_end().len();
        let title = text.get(start..end).unwrap_or_default();
        let words: Vec<&str> = title.split_whitespace().collect();
        let is_title = (1..=10).contains(&words.len())
            && words.first().is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
            && words
                .iter()
                .filter(|w| !tagger::is_minor_word(w))
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()))
            && !title.ends_with(['.', '!', '?', ','])
            // Nor are brackets or a possessive part of a name ("Putin's)").
            && !title.contains(['(', ')', '[', ']', '{', '}'])
            && !["'s", "’s"].iter().any(|p| title.ends_with(p))
            // One quoted common word is a word held at arm's length ("Donate", "New").
            && (words.len() > 1 || !tagger::is_common_word(&title.to_lowercase()))
            && !found.iter().any(|f| f.start <= start && end <= f.end);
        if is_title {
            let mut name = tagged_name(text, start, end, EntityType::Misc);
            name.method = Method::Rule;
            out.push(name);
        }
        // The closing mark of one quotation is never the opening of the next.
        at = close + text.get(close..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
    }
    out
}

/// A name the tagger found at `text[start..end]`, with its id from its type and words.
fn tagged_name(text: &str, start: usize, end: usize, entity_type: EntityType) -> Found {
    let name = text.get(start..end).unwrap_or_default().split_whitespace().collect::<Vec<_>>();
    let name = name.join(" ");
    Found {
        start,
        end,
        entity_id: entente_schema::entity_id_for_name(&entity_type.as_str().to_lowercase(), &name),
        entity_name: name,
        entity_type,
        method: Method::Model,
        country_id: None,
        value: None,
        unit: None,
        iso_date: None,
    }
}

/// Finds the entity mentions of every document's sentences, in parallel on the current rayon
/// pool. Rows are sorted by `doc_id` and `mention_idx`; mentions are numbered in text order.
/// Sentences whose document is missing, or whose offsets do not fit its text, yield nothing
/// (`entente validate` reports such tables). Documents with `extractable = false` (a language
/// the extractor does not read) are skipped, and so are documents over the time budget (see
/// [`extract_batch`] for their rejects).
pub fn extract(
    documents: &[Document],
    sentences: &[Sentence],
    extractor: &Extractor,
) -> Vec<Entity> {
    let mut entities = extract_batch(documents, sentences, extractor).entities;
    let mut names = Names::default();
    names.add(&entities);
    names.choose().apply(&mut entities);
    entities
}

/// What extraction made of a batch of documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// The mentions, sorted by `doc_id` and `mention_idx`.
    pub entities: Vec<Entity>,
    /// One `timed_out` reject per document over the time budget, sorted by source and record.
    pub rejects: Vec<Reject>,
}

/// [`extract`] without choosing one name per id across documents: each mention keeps the
/// name its own document gave it. A run over batches counts each batch's names in [`Names`]
/// and applies [`Names::choose`] once all are seen.
pub fn extract_batch(
    documents: &[Document],
    sentences: &[Sentence],
    extractor: &Extractor,
) -> Extracted {
    let mut by_doc: HashMap<&str, Vec<&Sentence>> = HashMap::new();
    for s in sentences {
        by_doc.entry(s.doc_id.as_str()).or_default().push(s);
    }
    let results: Vec<Result<Vec<Entity>, Reject>> = documents
        .par_iter()
        .filter(|doc| doc.extractable != Some(false))
        .map(|doc| {
            let sentences = by_doc.get(doc.doc_id.as_str()).map_or(&[][..], Vec::as_slice);
            extract_document(doc, sentences, extractor)
        })
        .collect();
    let mut out = Extracted::default();
    for result in results {
        match result {
            Ok(entities) => out.entities.extend(entities),
            Err(reject) => out.rejects.push(reject),
        }
    }
    out.entities.sort_by(|a, b| (&a.doc_id, a.mention_idx).cmp(&(&b.doc_id, b.mention_idx)));
    out.rejects.sort_by(|a, b| (&a.source, a.source_record).cmp(&(&b.source, b.source_record)));
    out
}

/// How often each name was written for each entity id, across batches of mentions.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, BTreeMap<String, u64>>);

impl Names {
    /// Counts the names of `entities`.
    pub fn add(&mut self, entities: &[Entity]) {
        for e in entities {
            let names = match self.0.get_mut(e.entity_id.as_str()) {
                Some(names) => names,
                None => self.0.entry(e.entity_id.clone()).or_default(),
            };
            match names.get_mut(e.entity_name.as_str()) {
                Some(n) => *n += 1,
                None => {
                    names.insert(e.entity_name.clone(), 1);
                }
            }
        }
    }

    /// Adds counts kept by [`Names::counts`] in an earlier run.
    pub fn add_counts(&mut self, counts: &[NameCount]) {
        for c in counts {
            *self
                .0
                .entry(c.entity_id.clone())
                .or_default()
                .entry(c.entity_name.clone())
                .or_default() += c.count;
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

    /// One name per id across the run: names no gazetteer lists get their ids from a folded
    /// form ("Kim Jong-un" and "Kim Jong Un", "Organisation" and "Organization" share one),
    /// so the name written most often stands for all (the first in sort order on a tie).
    pub fn choose(&self) -> ChosenNames {
        ChosenNames(
            self.0
                .iter()
                .filter_map(|(id, n)| {
                    let best = n.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
                    Some((id.clone(), best.0.clone()))
                })
                .collect(),
        )
    }
}

/// The name chosen for each entity id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChosenNames(pub HashMap<String, String>);

impl ChosenNames {
    /// The chosen name of `entity_id`.
    pub fn get(&self, entity_id: &str) -> Option<&str> {
        self.0.get(entity_id).map(String::as_str)
    }

    /// Gives every mention its id's chosen name.
    pub fn apply(&self, entities: &mut [Entity]) {
        if self.0.is_empty() {
            return;
        }
        for e in entities.iter_mut() {
            if let Some(name) = self.0.get(&e.entity_id)
                && e.entity_name != *name
            {
                e.entity_name.clone_from(name);
            }
        }
    }
}

/// The stage name written in `rejects.stage`.
pub const STAGE: entente_schema::Stage = entente_schema::Stage::Extract;

/// The mentions of one document, numbered in text order; a `timed_out` reject when the
/// extractor's [`TimeBudget`] runs out (checked after each step: rules and gazetteer, tagger,
/// short forms, acronyms).
pub fn extract_document(
    doc: &Document,
    sentences: &[&Sentence],
    extractor: &Extractor,
) -> Result<Vec<Entity>, Reject> {
    let stopwatch = Stopwatch::start(extractor.budget);
    let check = |step: &str| match stopwatch.over() {
        Some(elapsed) => Err(Reject {
            source: doc.source.clone(),
            source_record: doc.source_record,
            stage: STAGE,
            reason: RejectReason::TimedOut,
            detail: format!(
                "extraction stopped after {} ms ({step}), over max_ms_per_document = {}; \
                 the document is kept without mentions",
                elapsed.as_millis(),
                extractor.budget.map_or(0, |b| b.limit.as_millis())
            ),
        }),
        None => Ok(()),
    };
    let mut sentences = sentences.to_vec();
    sentences.sort_by_key(|s| s.sentence_idx);
    sentences.retain(|s| doc.text.get(s.byte_start as usize..s.byte_end as usize).is_some());
    let texts: Vec<&str> = sentences
        .iter()
        .map(|s| doc.text.get(s.byte_start as usize..s.byte_end as usize).unwrap_or_default())
        .collect();
    let mut found: Vec<(u32, Found)> = Vec::new();
    for (s, mentions) in sentences.iter().zip(extractor.find_sentences_checked(&texts, &check)?) {
        let start = s.byte_start as usize;
        found.extend(mentions.into_iter().map(|mut f| {
            f.start += start;
            f.end += start;
            (s.sentence_idx, f)
        }));
    }
    let short = resolve::short_forms(&doc.text, &sentences, &mut found);
    found.extend(short);
    check("short forms")?;
    resolve::acronyms(&doc.text, &sentences, &mut found);
    check("acronyms")?;
    // Again: short forms and acronyms may bring back a merged id or a blocked text.
    extractor.corrections.apply(&doc.text, &mut found);
    let ranges: Vec<(usize, usize)> = found.iter().map(|(_, f)| (f.start, f.end)).collect();
    let spans = spans_from_byte_ranges(&doc.text, &ranges);
    Ok(found
        .into_iter()
        .zip(spans)
        .enumerate()
        .map(|(i, ((sentence_idx, f), span))| Entity {
            doc_id: doc.doc_id.clone(),
            sentence_idx,
            mention_idx: u32::try_from(i).unwrap_or(u32::MAX),
            char_start: span.char_start,
            char_end: span.char_end,
            byte_start: span.byte_start,
            byte_end: span.byte_end,
            text: doc.text.get(f.start..f.end).unwrap_or_default().to_owned(),
            entity_id: f.entity_id,
            entity_name: f.entity_name,
            entity_type: f.entity_type,
            method: f.method,
            country_id: f.country_id,
            value: f.value,
            unit: f.unit,
            iso_date: f.iso_date,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use entente_schema::EntityType;

    use super::head_type;

    #[test]
    fn head_words_type_names() {
        assert_eq!(head_type("Doyt Perry Stadium"), Some(EntityType::Loc));
        assert_eq!(head_type("Dave Matthews Band"), Some(EntityType::Org));
        assert_eq!(head_type("Battle of Antietam"), Some(EntityType::Event));
        assert_eq!(head_type("University of Tokyo"), Some(EntityType::Org));
        assert_eq!(head_type("Republic of Nauru"), Some(EntityType::Gpe));
        assert_eq!(head_type("Ford County"), Some(EntityType::Gpe));
        assert_eq!(head_type("Bridgton Junction"), Some(EntityType::Loc));
        assert_eq!(head_type("Cold Spring Harbor Laboratory"), Some(EntityType::Org));
        assert_eq!(head_type("Eberhard Faber Inc."), Some(EntityType::Org));
        // The head of "X of Y" is the word before "of", a first or a last word.
        assert_eq!(head_type("Federal Republic of Yugoslavia"), Some(EntityType::Gpe));
        assert_eq!(head_type("Bulgarian Academy of Sciences"), Some(EntityType::Org));
        assert_eq!(head_type("Campaign of Alto Peru"), Some(EntityType::Event));
        assert_eq!(head_type("Duke of Norfolk"), None);
        assert_eq!(head_type("Bank"), None);
        assert_eq!(head_type("West Bank"), None);
        assert_eq!(head_type("Vladimir Putin"), None);
    }

    #[test]
    fn quoted_titles_are_works_not_speech() {
        let titles = |text: &str| -> Vec<String> {
            super::quoted_titles(text, &[]).into_iter().map(|f| f.entity_name).collect()
        };
        assert_eq!(
            titles("The single \"Time to Wake Up\" and “Made in China 2025” came out."),
            ["Time to Wake Up", "Made in China 2025"]
        );
        assert!(titles("He said \"we will win\" and \"Go Home.\" twice").is_empty());
        assert_eq!(titles("Click \"Donate\" to help \"Longhorn\""), ["Longhorn"]);
        assert!(titles("an \"unclosed Title").is_empty());
        assert!(titles("“Putin's)” and \"Xi's\"").is_empty());
    }

    #[test]
    fn ordinals_do_not_hide_the_head() {
        assert_eq!(head_type("Second Battle of Bull Run"), Some(EntityType::Event));
        assert_eq!(head_type("2nd Battle of Fredericksburg"), Some(EntityType::Event));
        assert_eq!(head_type("Operation Market Garden"), Some(EntityType::Event));
        assert_eq!(head_type("Hanved Parish"), Some(EntityType::Gpe));
    }

    #[test]
    fn of_names_start_at_their_head() {
        let start_after = |text: &str, word: &str, named: &str| {
            let ranges = crate::tagger::tokenize(text);
            let at = |w: &str| ranges.iter().position(|&(s, e)| text.get(s..e) == Some(w));
            let mut labels = vec![0; ranges.len()];
            if let Some(k) = at(named) {
                labels[k] = 3; // B-ORG
            }
            let k = super::of_head(text, &ranges, &labels, at(word).unwrap());
            text.get(ranges[k].0..).unwrap().to_owned()
        };
        let start = |text: &str, word: &str| start_after(text, word, "");
        assert_eq!(start("at the Battle of Antietam", "Antietam"), "Battle of Antietam");
        assert_eq!(start("the Army of the Potomac", "Potomac"), "Army of the Potomac");
        assert_eq!(start("the Second Battle of Bull", "Bull"), "Second Battle of Bull");
        // Only a capitalised head on the same line.
        assert_eq!(start("a battle of Antietam", "Antietam"), "Antietam");
        assert_eq!(start("Battle\nof Antietam", "Antietam"), "Antietam");
        assert_eq!(start("the President of Russia", "Russia"), "Russia");
        // Not into another name: "Bank" tagged on its own stays apart.
        assert_eq!(start_after("the Bank of America", "America", "Bank"), "America");
        assert_eq!(start_after("the Second Battle of Bull", "Bull", "Second"), "Battle of Bull");
        // A last-word head opens a name of its own only after no other name.
        assert_eq!(start("the War of Spanish Succession", "Spanish"), "War of Spanish Succession");
        assert_eq!(start("Hockey Club of Montreal", "Montreal"), "Montreal");
        assert_eq!(start("Couch 's Division of the IV Corps", "IV"), "IV Corps");
    }

    #[test]
    fn one_word_names_joined_by_and_are_two() {
        let names = |text: &str| -> Vec<String> {
            let ranges = crate::tagger::tokenize(text);
            let mut labels = vec![4; ranges.len()]; // I-ORG
            labels[0] = 3; // B-ORG
            super::names(text, &ranges, &labels).into_iter().map(|f| f.entity_name).collect()
        };
        assert_eq!(names("Siemens and Ericsson"), ["Siemens", "Ericsson"]);
        assert_eq!(names("Trade and Industry"), ["Trade and Industry"]);
        assert_eq!(
            names("Securities and Exchange Commission"),
            ["Securities and Exchange Commission"]
        );
    }

    #[test]
    fn stage_names_are_people() {
        let text = "DJ Green Lantern";
        let ranges = crate::tagger::tokenize(text);
        let labels = [3, 4, 4]; // B-ORG I-ORG I-ORG
        let found = super::names(text, &ranges, &labels);
        assert_eq!(found[0].entity_type, EntityType::Person);
        assert_eq!(found[0].entity_name, "DJ Green Lantern");
    }

    #[test]
    fn capitalised_articles_open_titles() {
        // Labels: the words from `first` to `last` form one name.
        let start = |text: &str, first: &str, last: &str| {
            let ranges = crate::tagger::tokenize(text);
            let at = |w: &str| ranges.iter().position(|&(s, e)| text.get(s..e) == Some(w));
            let (i, j) = (at(first).unwrap(), at(last).unwrap());
            let mut labels = vec![0; ranges.len()];
            labels[i] = 3; // B-ORG
            for l in &mut labels[i + 1..=j] {
                *l = 4; // I-ORG
            }
            let k = super::article(text, &ranges, &labels, i);
            text.get(ranges[k].0..).unwrap().to_owned()
        };
        assert_eq!(start("the film The Last Emperor", "Last", "Emperor"), "The Last Emperor");
        assert_eq!(start("their album , A Beautiful Lie", "Beautiful", "Lie"), "A Beautiful Lie");
        // Not at a sentence's start, not on another line, not an initial.
        assert_eq!(start("The Last Emperor", "Last", "Emperor"), "Last Emperor");
        assert_eq!(start("the film\nThe Last Emperor", "Last", "Emperor"), "Last Emperor");
        assert_eq!(start("Italy : A Masi , A Troncon", "Troncon", "Troncon"), "Troncon");
    }

    #[test]
    fn definitions_say_what_a_name_is() {
        let kind = |text: &str, name: &str| super::defined_kind(text, name.len());
        assert_eq!(kind("Korn is an American nu metal band.", "Korn"), Some(EntityType::Org));
        assert_eq!(
            kind("Harbin Electric, a state-owned company", "Harbin Electric"),
            Some(EntityType::Org)
        );
        assert_eq!(kind("Aisby was a village in Lincolnshire", "Aisby"), Some(EntityType::Gpe));
        assert_eq!(kind("Home is the second album by", "Home"), Some(EntityType::Misc));
        assert_eq!(kind("Lenkova, a Russian singer,", "Lenkova"), Some(EntityType::Person));
        // A preposition or punctuation before the noun ends the definition.
        assert_eq!(kind("Tate is a member of the band", "Tate"), None);
        assert_eq!(kind("Tate, a friend, and the band", "Tate"), None);
        assert_eq!(kind("Tate is a very very very very very very old band", "Tate"), None);
        assert_eq!(kind("Tate said a band", "Tate"), None);
        // The noun before the name.
        let before = |text: &str, name: &str| {
            let start = text.find(name).unwrap();
            super::preceding_kind(text, start, start + name.len())
        };
        assert_eq!(before("songwriter of the band Gigi.", "Gigi"), Some(EntityType::Org));
        assert_eq!(before("a band called Squirrel", "Squirrel"), Some(EntityType::Org));
        assert_eq!(before("The island of Divar lies", "Divar"), Some(EntityType::Loc));
        assert_eq!(before("the city of Aleppo", "Aleppo"), Some(EntityType::Gpe));
        // Only a place noun reaches over "of"; only a lower-case noun right before the name.
        assert_eq!(before("the first album of Korn", "Korn"), None);
        assert_eq!(before("the Band Gigi", "Gigi"), None);
        assert_eq!(before("the band leader Tate", "Tate"), None);
        assert_eq!(before("Gigi played", "Gigi"), None);
        // Nor a name that modifies a noun, nor an award.
        assert_eq!(before("the county Labour group", "Labour"), None);
        assert_eq!(before("the best actor Bafta to Foxx", "Bafta"), None);
        assert_eq!(before("US firm Skype has said", "Skype"), Some(EntityType::Org));
        assert_eq!(before("fellow broadcaster Michael Pointon.", "Michael Pointon"), None);
    }

    #[test]
    fn currencies_and_abbreviations_are_no_names() {
        let no_name = |n: &str| super::is_currency(n) || super::is_abbreviation(n);
        for name in ["Yuan", "Roubles", "AI", "SUVs"] {
            assert!(no_name(name), "{name}");
        }
        // The euro is a name too ("Euro 96"); CoNLL-2003 annotates GMT.
        for name in ["Euro", "Yuan Shikai", "GMT", "NATO", "s"] {
            assert!(!no_name(name), "{name}");
        }
    }

    #[test]
    fn designations_are_products() {
        for word in ["F-86", "MiG-29", "Su-57", "S-400", "EC-130"] {
            assert!(super::is_designation(word), "{word}");
        }
        for word in ["Sino-Russian", "X-Men", "al-Assad", "COVID19", "F-", "-86", "ABCDE-1"] {
            assert!(!super::is_designation(word), "{word}");
        }
    }
}
