//! The rules that run after the tagger, as an ordered list of named passes.
//!
//! The tagger reads a word's letters and context; these passes add what it cannot know: word
//! lists, the rest of the sentence, the rest of the document. Each lives in a module of its
//! own with its word tables in `data/words/`, and each has a fixture of pre-tagged text in
//! `tests/fixtures/passes/<name>.txt` whose output with that pass alone is a snapshot, so a
//! pass is tested without the trained model. `entente eval ner --without-pass NAME` scores
//! without one. They run in [`Pass::ALL`]'s order, over four levels:
//!
//! - labels: [`Pass::CommonWords`] edits each sentence's BIO labels;
//! - names: the labels are read into names (`tagged.rs`), whose start
//!   ([`Pass::OfHeads`], [`Pass::Articles`]), type ([`Pass::StageNames`],
//!   [`Pass::HeadWords`]) passes decide;
//! - sentences: each name against the lists' mentions of its sentence
//!   ([`Pass::NationalityPrefix`], [`Pass::Currencies`], [`Pass::Abbreviations`], then the
//!   merge with the lists, [`Pass::HyphenCompounds`], [`Pass::HintPlaces`]) and quoted titles
//!   ([`Pass::QuotedTitles`]);
//! - documents: a name typed by what the document says of it elsewhere
//!   ([`Pass::Definitions`], [`Pass::CompanyShortForms`], [`Pass::Surnames`],
//!   [`Pass::PlacePeople`]), and a sentence in capitals read against the rest
//!   ([`Pass::Capitals`], which also has the tagger read such sentences last).

pub(crate) mod abbreviations;
pub(crate) mod articles;
pub(crate) mod capitals;
pub(crate) mod common_words;
pub(crate) mod company_short_forms;
pub(crate) mod currencies;
pub(crate) mod definitions;
pub(crate) mod head_words;
pub(crate) mod hint_places;
pub(crate) mod hyphen_compounds;
pub(crate) mod nationality_prefix;
pub(crate) mod of_heads;
pub(crate) mod place_people;
pub(crate) mod quoted_titles;
pub(crate) mod stage_names;
pub(crate) mod surnames;
#[cfg(test)]
mod tests;

use entente_schema::EntityType;

use crate::Found;

/// A post-tagger rule. See the [module](self) for what each level sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pass {
    /// Where capitals prove nothing (sentence starts, headings), names of common words are
    /// dropped; titles and function words are trimmed off names; a title or given name opens
    /// a person.
    CommonWords,
    /// "X of Y" names start at their head when the tagger found only Y ("Battle of
    /// Antietam").
    OfHeads,
    /// A capitalised article in mid-sentence opens the name after it ("the film The Last
    /// Emperor"); such a name is no person.
    Articles,
    /// "DJ" or "MC" opens a performer's name.
    StageNames,
    /// A name's head word gives its type ("Doyt Perry Stadium", "Battle of Antietam").
    HeadWords,
    /// A nationality or place right before an organisation or event is part of its name
    /// ("Russian Orthodox Church").
    NationalityPrefix,
    /// A capitalised currency is no name ("the Ruble").
    Currencies,
    /// An abbreviation of a common noun is no name ("AI", "CEO").
    Abbreviations,
    /// "US-led": a hyphenated compound belongs to the country it opens with.
    HyphenCompounds,
    /// A place the hint lists hold, found by the tagger, gets the list's id.
    HintPlaces,
    /// A capitalised phrase in quotation marks is a title (`MISC`).
    QuotedTitles,
    /// A name gets the kind a sentence of its document defines it as ("Korn is an American
    /// band").
    Definitions,
    /// A name that is an organisation's name of the same document without its legal form is
    /// that organisation.
    CompanyShortForms,
    /// A lone surname of a person of the same document is that person.
    Surnames,
    /// A "person" the hint lists hold as a place is that place ("Perth").
    PlacePeople,
    /// A headline in capitals keeps only the names its document or the lists vouch for,
    /// and the tagger reads it after the rest of its document ("YEUTTER SAYS ...").
    Capitals,
}

impl Pass {
    /// Every pass, in the order they run.
    pub const ALL: [Pass; 16] = [
        Pass::CommonWords,
        Pass::OfHeads,
        Pass::Articles,
        Pass::StageNames,
        Pass::HeadWords,
        Pass::NationalityPrefix,
        Pass::Currencies,
        Pass::Abbreviations,
        Pass::HyphenCompounds,
        Pass::HintPlaces,
        Pass::QuotedTitles,
        Pass::Definitions,
        Pass::CompanyShortForms,
        Pass::Surnames,
        Pass::PlacePeople,
        Pass::Capitals,
    ];

    /// The pass's name: its module's name in kebab case ("common-words").
    pub fn name(self) -> &'static str {
        match self {
            Pass::CommonWords => "common-words",
            Pass::OfHeads => "of-heads",
            Pass::Articles => "articles",
            Pass::StageNames => "stage-names",
            Pass::HeadWords => "head-words",
            Pass::NationalityPrefix => "nationality-prefix",
            Pass::Currencies => "currencies",
            Pass::Abbreviations => "abbreviations",
            Pass::HyphenCompounds => "hyphen-compounds",
            Pass::HintPlaces => "hint-places",
            Pass::QuotedTitles => "quoted-titles",
            Pass::Definitions => "definitions",
            Pass::CompanyShortForms => "company-short-forms",
            Pass::Surnames => "surnames",
            Pass::PlacePeople => "place-people",
            Pass::Capitals => "capitals",
        }
    }

    /// The pass of a name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of passes: those that run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Passes(u32);

impl Default for Passes {
    fn default() -> Self {
        Self::all()
    }
}

impl Passes {
    /// Every pass (the extractor's default).
    pub fn all() -> Self {
        Self(Pass::ALL.iter().fold(0, |bits, p| bits | p.bit()))
    }

    /// No pass: the tagger's names as it labelled them, merged with the lists'.
    pub fn none() -> Self {
        Self(0)
    }

    /// These passes and `pass`.
    #[must_use]
    pub fn with(self, pass: Pass) -> Self {
        Self(self.0 | pass.bit())
    }

    /// These passes but `pass`.
    #[must_use]
    pub fn without(self, pass: Pass) -> Self {
        Self(self.0 & !pass.bit())
    }

    /// Whether `pass` runs.
    pub fn contains(self, pass: Pass) -> bool {
        self.0 & pass.bit() != 0
    }
}

/// The first and last words of every person's name of more than one word in a document.
pub(crate) fn full_names(names: &[Vec<Found>]) -> impl Iterator<Item = (&str, &str)> {
    names
        .iter()
        .flatten()
        .filter(|n| n.entity_type == EntityType::Person)
        .filter_map(|n| n.entity_name.split_once(' ').zip(n.entity_name.rsplit_once(' ')))
        .map(|((first, _), (_, last))| (first, last))
}
