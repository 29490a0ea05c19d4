//! The gazetteer: canonical entities and their aliases, matched leftmost-longest.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use entente_schema::EntityType;
use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use crate::Error;
use crate::words::{alphanumeric_at, run_end};

/// The gazetteer files shipped with entente, compiled into the binary: `(name, contents)`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("countries.tsv", include_str!("../data/gazetteer/countries.tsv")),
    ("organisations.tsv", include_str!("../data/gazetteer/organisations.tsv")),
    ("people.tsv", include_str!("../data/gazetteer/people.tsv")),
    ("places.tsv", include_str!("../data/gazetteer/places.tsv")),
    ("events_laws.tsv", include_str!("../data/gazetteer/events_laws.tsv")),
];

/// Places the extractor never reports on their own but whose ids it gives to the places the
/// name tagger finds there (`scripts/gazetteer/build_places.py`: ISO 3166-2 subdivisions and
/// cities of 100,000 people or more, many of which are also surnames, companies or words).
pub const HINT_FILES: &[(&str, &str)] =
    &[("places_hints.tsv", include_str!("../data/gazetteer/places_hints.tsv"))];

const HEADER: [&str; 5] = ["entity_id", "entity_type", "name", "country_id", "aliases"];

/// One canonical entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable key, e.g. `iso3166:CN`.
    pub id: String,
    /// Its type.
    pub entity_type: EntityType,
    /// Canonical display name.
    pub name: String,
    /// The country it belongs to (demonyms, capitals), if any.
    pub country_id: Option<String>,
}

/// A match of an alias in some text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GazetteerMatch {
    /// Byte offset of the first byte of the match.
    pub start: usize,
    /// Byte offset one past the match.
    pub end: usize,
    /// Index of the entry in [`Gazetteer::entries`].
    pub entry: usize,
}

/// Entities and their aliases, ready to match.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    entries: Vec<Entry>,
    /// Per automaton pattern: the aliases that fold to it, as `(alias, entry)`.
    candidates: Vec<Vec<(String, usize)>>,
    /// Each pattern's index by the pattern (an alias lower-cased in ASCII, as the automaton
    /// matches it): a whole name is looked up here, with no search.
    patterns: HashMap<String, usize>,
    /// The automaton over the patterns: built with the gazetteer when text is searched with
    /// it, else by its first search, if any (the place hints, looked up by whole name only,
    /// would take about 100 ms to compile for their 9,856 places).
    automaton: OnceLock<Option<AhoCorasick>>,
    /// The bytes an alias can start with, in either ASCII case: a search starts nowhere else.
    first_bytes: [bool; 256],
    /// The first words a match starting with a lower-case ASCII letter can have (see
    /// [`lower_case_starts`]): a search starts at no other such word.
    lower_starts: FxHashSet<String>,
}

impl Gazetteer {
    /// Builds a gazetteer from TSV files given as `(name, contents)`; `name` appears in errors.
    ///
    /// Each file has a header `entity_id, entity_type, name, country_id, aliases` (tab
    /// separated), then one entity per line with its aliases separated by `|`; `#` starts a
    /// comment line. An id defined in two files is an error; later files may not redefine it.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Self, Error> {
        let (entries, aliases) = read_files(files)?;
        Self::build(entries, &aliases).searchable()
    }

    /// [`Gazetteer::from_files`] for lookups of whole names ([`Gazetteer::exact`],
    /// [`Gazetteer::whole`]): the automaton a search of text needs is compiled by the first
    /// [`Gazetteer::find`], if any.
    pub fn for_lookups(files: &[(&str, &str)]) -> Result<Self, Error> {
        let (entries, aliases) = read_files(files)?;
        Ok(Self::build(entries, &aliases))
    }

    /// The same gazetteer with more entities and more aliases `(alias, index into
    /// entries)`; `entries` extends [`Gazetteer::entries`].
    pub(crate) fn extended(
        &self,
        entries: Vec<Entry>,
        aliases: &[(String, usize)],
    ) -> Result<Self, Error> {
        let mut all: Vec<(String, usize)> = self.candidates.iter().flatten().cloned().collect();
        all.extend_from_slice(aliases);
        let mut everything = self.entries.clone();
        everything.extend(entries);
        Self::build(everything, &all).searchable()
    }

    /// Gathers every alias (and its curly-apostrophe spelling) under its pattern, without
    /// the automaton ([`Gazetteer::searchable`]).
    fn build(entries: Vec<Entry>, aliases: &[(String, usize)]) -> Self {
        let mut candidates: Vec<Vec<(String, usize)>> = Vec::new();
        let mut pattern_of: HashMap<String, usize> = HashMap::default();
        for (alias, entry) in aliases {
            for variant in apostrophe_variants(alias) {
                let next = candidates.len();
                let pattern = *pattern_of.entry(variant.to_ascii_lowercase()).or_insert(next);
                if pattern == next {
                    candidates.push(Vec::new());
                }
                if !candidates[pattern].iter().any(|(a, e)| *a == variant && e == entry) {
                    candidates[pattern].push((variant, *entry));
                }
            }
        }
        let mut first_bytes = [false; 256];
        for (alias, _) in candidates.iter().flatten() {
            if let Some(&b) = alias.as_bytes().first() {
                first_bytes[usize::from(b.to_ascii_lowercase())] = true;
                first_bytes[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        let lower_starts = lower_case_starts(&entries, &candidates);
        Self {
            entries,
            candidates,
            patterns: pattern_of,
            automaton: OnceLock::new(),
            first_bytes,
            lower_starts,
        }
    }

    /// The gazetteer with its automaton compiled, or the error that stopped it.
    fn searchable(self) -> Result<Self, Error> {
        let automaton = self.compile().map_err(|e| Error::Gazetteer {
            file: "(all)".into(),
            line: 0,
            detail: e.to_string(),
        })?;
        let _ = self.automaton.set(Some(automaton));
        Ok(self)
    }

    /// The automaton over every pattern, in the order of their indices (a pattern is any of
    /// its aliases lower-cased).
    fn compile(&self) -> Result<AhoCorasick, aho_corasick::BuildError> {
        let folded = self.candidates.iter().map(|c| c.first().map(|(a, _)| a.to_ascii_lowercase()));
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .start_kind(StartKind::Both)
            .build(folded.map(Option::unwrap_or_default))
    }

    /// The automaton, compiled now if it was not ([`Gazetteer::for_lookups`]); none if it
    /// cannot be, which a test rules out for the shipped files read so.
    fn automaton(&self) -> Option<&AhoCorasick> {
        self.automaton.get_or_init(|| self.compile().ok()).as_ref()
    }

    /// The gazetteer shipped with entente plus `extra` files.
    pub fn builtin_with(extra: &[(&str, &str)]) -> Result<Self, Error> {
        let mut files = BUILTIN_FILES.to_vec();
        files.extend_from_slice(extra);
        Self::from_files(&files)
    }

    /// The hint gazetteer shipped with entente ([`HINT_FILES`]), for lookups of whole names.
    pub fn hints() -> Result<Self, Error> {
        Self::for_lookups(HINT_FILES)
    }

    /// Every alias with the index of its entry, in no particular order.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, usize)> {
        self.candidates.iter().flatten().map(|(alias, entry)| (alias.as_str(), *entry))
    }

    /// Every entity, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries with an alias written exactly as `surface`, in file order.
    pub fn exact(&self, surface: &str) -> Vec<usize> {
        let Some(&pattern) = self.patterns.get(&surface.to_ascii_lowercase()) else {
            return Vec::new();
        };
        self.candidates[pattern]
            .iter()
            .filter(|(alias, _)| alias == surface)
            .map(|&(_, entry)| entry)
            .collect()
    }

    /// The entry whose alias `name` is as a whole, under the casing rules of
    /// [`Gazetteer::find`]: what `find(name)` matches from the first byte to the last.
    pub fn whole(&self, name: &str) -> Option<usize> {
        let &pattern = self.patterns.get(&name.to_ascii_lowercase())?;
        self.accepted(name, 0, name.len(), pattern)
    }

    /// The alias matches in `text`, leftmost-longest, non-overlapping, on word boundaries.
    ///
    /// Case: an alias matches as written. A multi-word alias also matches with other casing
    /// when the match starts with a capital ("United states", "UNITED STATES"; not the name
    /// of an event or law: "Sea breeze"), an alias of
    /// five or more letters matches in all capitals ("RUSSIA"), and a one-word place or people
    /// of four letters or more in lower case ("russia", "beijing"), unless the word is common
    /// ("turkey"). Acronyms match only as written, so "US" never matches "us".
    pub fn find(&self, text: &str) -> Vec<GazetteerMatch> {
        // A match must start where a word can (no letter or digit before it): the automaton
        // is run anchored from each such place that an alias can start with, which finds
        // what an unanchored leftmost-longest search finds there, since every match it finds
        // elsewhere is refused. After a match is taken, none may start inside it.
        let mut out = Vec::new();
        let Some(automaton) = self.automaton() else { return out };
        let mut taken_to = 0;
        let mut after_word = false;
        let mut next = 0;
        while let Some((alphanumeric, width)) = alphanumeric_at(text, next) {
            let start = next;
            next += width;
            let word_start = !after_word;
            after_word = alphanumeric;
            if alphanumeric {
                // No match starts inside a word: on to its end.
                next = run_end(text, next);
            }
            let byte = text.as_bytes()[start];
            if !word_start
                || start < taken_to
                || !self.first_bytes[usize::from(byte)]
                // A lower-case start is a letter, so `next` is its word's end.
                || (byte.is_ascii_lowercase()
                    && !self.lower_starts.contains(text.get(start..next).unwrap_or_default()))
            {
                continue;
            }
            let input = Input::new(text).range(start..).anchored(Anchored::Yes);
            let Some(m) = automaton.find(input) else { continue };
            if let Some(entry) = self.accepted(text, start, m.end(), m.pattern().as_usize()) {
                out.push(GazetteerMatch { start, end: m.end(), entry });
                taken_to = m.end();
            }
        }
        out
    }

    /// The entry of the longest match of pattern `pattern` at `start..end` of `text`, if it
    /// ends a word and one of the pattern's aliases takes it as written there.
    fn accepted(&self, text: &str, start: usize, end: usize, pattern: usize) -> Option<usize> {
        if !on_word_boundaries(text, start, end) {
            return None;
        }
        let surface = text.get(start..end)?;
        let candidates = &self.candidates[pattern];
        let exact = candidates.iter().find(|(alias, _)| alias == surface);
        let chosen = exact.or_else(|| {
            candidates.iter().find(|&&(ref alias, entry)| {
                case_variant_ok(alias, surface, self.entries[entry].entity_type)
            })
        });
        chosen.map(|&(_, entry)| entry)
    }

    /// [`Gazetteer::find`] as an unanchored leftmost-longest search: the reference the
    /// anchored one is tested against.
    #[cfg(test)]
    fn find_unanchored(&self, text: &str) -> Vec<GazetteerMatch> {
        let mut out = Vec::new();
        let mut at = 0;
        let automaton = self.automaton().expect("the automaton compiles");
        while let Some(m) = automaton.find(Input::new(text).range(at..)) {
            let (start, end) = (m.start(), m.end());
            match self.accepted(text, start, end, m.pattern().as_usize()) {
                Some(entry) => {
                    out.push(GazetteerMatch { start, end, entry });
                    at = end;
                }
                // A refused longest match must not hide a shorter one inside it: the search
                // goes on from the next character.
                None => {
                    at = start
                        + text
                            .get(start..)
                            .and_then(|t| t.chars().next())
                            .map_or(1, char::len_utf8);
                }
            }
        }
        out
    }
}

/// `(alias, index of its entry)` pairs.
type Aliases = Vec<(String, usize)>;

/// The entities and aliases of gazetteer files ([`Gazetteer::from_files`]).
fn read_files(files: &[(&str, &str)]) -> Result<(Vec<Entry>, Aliases), Error> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut aliases: Aliases = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::default();
    for &(file, contents) in files {
        let mut header_seen = false;
        for (index, raw) in contents.lines().enumerate() {
            let line_no = index + 1;
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let bad =
                |detail: String| Error::Gazetteer { file: file.to_owned(), line: line_no, detail };
            if !header_seen {
                if fields != HEADER {
                    return Err(bad(format!("the header must be {}", HEADER.join(", "))));
                }
                header_seen = true;
                continue;
            }
            let [id, ty, name, country, names] = fields[..] else {
                return Err(bad(format!(
                    "expected 5 tab-separated fields, found {}",
                    fields.len()
                )));
            };
            let entity_type =
                EntityType::parse(ty).ok_or_else(|| bad(format!("unknown entity type {ty:?}")))?;
            if id.is_empty() || name.is_empty() {
                return Err(bad("entity_id and name must not be empty".into()));
            }
            if by_id.contains_key(id) {
                return Err(bad(format!("entity_id {id} is defined twice")));
            }
            let entry = entries.len();
            by_id.insert(id.to_owned(), entry);
            entries.push(Entry {
                id: id.to_owned(),
                entity_type,
                name: name.to_owned(),
                country_id: (!country.is_empty()).then(|| country.to_owned()),
            });
            for alias in names.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                aliases.push((alias.to_owned(), entry));
            }
        }
        if !header_seen {
            return Err(Error::Gazetteer {
                file: file.to_owned(),
                line: 0,
                detail: "the file has no header".into(),
            });
        }
    }
    Ok((entries, aliases))
}

fn apostrophe_variants(alias: &str) -> Vec<String> {
    if alias.contains('\'') {
        vec![alias.to_owned(), alias.replace('\'', "\u{2019}")]
    } else {
        vec![alias.to_owned()]
    }
}

/// Places whose names are also things ("turkey", "jersey"): never matched in lower case.
const THINGS: &[&str] = &["chile", "guinea", "java", "jersey", "panama", "polish", "turkey"];

fn case_variant_ok(alias: &str, surface: &str, entity_type: EntityType) -> bool {
    let acronym = !alias.chars().any(char::is_lowercase);
    if acronym {
        return false;
    }
    let starts_upper = surface.chars().next().is_some_and(char::is_uppercase);
    let all_caps = !surface.chars().any(char::is_lowercase);
    let all_lower = !surface.chars().any(char::is_uppercase);
    // "russia", "beijing", "chinese": a place or people written in lower case, unless the
    // word is a common one (the lexicon's words, and places named after things).
    let place = matches!(entity_type, EntityType::Gpe | EntityType::Loc | EntityType::Norp);
    let lower_place = place
        && all_lower
        && !alias.contains(' ')
        && surface.chars().count() >= 4
        && !THINGS.contains(&surface)
        && !crate::tagger::words::is_common_word(surface);
    // "United states": a place, people, organisation or person of more than one word in
    // another casing. Events and laws are often named in common words ("Sea breeze" is
    // weather, not the Sea Breeze exercises): their files list the casings news uses.
    let named = !matches!(entity_type, EntityType::Event | EntityType::Law);
    (alias.contains(' ') && starts_upper && named)
        || (all_caps && alias.chars().filter(|c| c.is_alphabetic()).count() >= 5)
        || lower_place
}

/// The first words of the aliases a match starting with a lower-case ASCII letter can be
/// taken for ([`Gazetteer::accepted`]): the aliases written so (matched as written), and
/// the one-word places and peoples, lower-cased (matched in lower case, see
/// [`case_variant_ok`]). Any other match there is refused, so a word not in the set needs no
/// search: most words of a text are lower-case and start none.
fn lower_case_starts(entries: &[Entry], candidates: &[Vec<(String, usize)>]) -> FxHashSet<String> {
    let mut starts = FxHashSet::default();
    for &(ref alias, entry) in candidates.iter().flatten() {
        if alias.starts_with(|c: char| c.is_ascii_lowercase()) {
            starts.insert(first_word(alias).to_owned());
        }
        let place = matches!(
            entries[entry].entity_type,
            EntityType::Gpe | EntityType::Loc | EntityType::Norp
        );
        if place && !alias.contains(' ') {
            starts.insert(first_word(alias).to_ascii_lowercase());
        }
    }
    starts
}

/// The letters and digits `text` starts with.
fn first_word(text: &str) -> &str {
    text.get(..run_end(text, 0)).unwrap_or_default()
}

/// Whether `text[start..end]` has no letter or digit right before or after it.
pub(crate) fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|t| t.chars().next_back());
    let after = text.get(end..).and_then(|t| t.chars().next());
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::Gazetteer;

    proptest::proptest! {
        /// The first word, read as bytes where ASCII, is what splitting at the first
        /// character that is no letter or digit gives.
        #[test]
        fn a_first_word_ends_at_the_first_non_alphanumeric(text in "[ a-zA-Z0-9.'\\-éÅß’\u{a0}二]{0,12}") {
            let split = text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
            proptest::prop_assert_eq!(super::first_word(&text), split);
        }
    }

    fn ids(text: &str) -> Vec<String> {
        let g = Gazetteer::builtin_with(&[]).unwrap();
        g.find(text)
            .into_iter()
            .map(|m| format!("{}={}", text.get(m.start..m.end).unwrap(), g.entries()[m.entry].id))
            .collect()
    }

    #[test]
    fn case_rules_and_longest_match() {
        assert_eq!(
            ids(
                "Let us see: the US, the United states, UNITED STATES and the Russian Federation's SCO; russia, not turkey or sco. Sea breeze, the Paris agreement and the Sea Breeze drills. To polish the island, ask Mann."
            ),
            [
                "US=iso3166:US",
                "United states=iso3166:US",
                "UNITED STATES=iso3166:US",
                "Russian Federation=iso3166:RU",
                "SCO=org:sco",
                "russia=iso3166:RU",
                "Paris agreement=law:paris-agreement",
                "Sea Breeze=event:sea-breeze-exercise",
            ]
        );
    }

    #[test]
    fn lower_case_aliases_of_a_users_file() {
        let extra = [(
            "mine.tsv",
            "entity_id\tentity_type\tname\tcountry_id\taliases\n\
             org:ebay\tORG\teBay\t\teBay\n\
             gpe:foo-land\tGPE\tFoo-land\t\tFoo-land\n\
             org:acme\tORG\tAcme Widgets\t\tAcme Widgets\n",
        )];
        let g = Gazetteer::builtin_with(&extra).unwrap();
        let text = "shares of eBay and ebay rose in foo-land; acme widgets and Acme widgets fell";
        let found: Vec<&str> =
            g.find(text).iter().filter_map(|m| text.get(m.start..m.end)).collect();
        // An organisation in lower case is refused; a one-word place and a capitalised
        // multi-word name in other casing are taken.
        assert_eq!(found, ["eBay", "foo-land", "Acme widgets"]);
        assert_eq!(g.find(text), g.find_unanchored(text));
    }

    #[test]
    fn word_boundaries_and_curly_apostrophes() {
        assert_eq!(
            ids("Chinatown; USB; People’s Republic of China; Russia-China"),
            ["People’s Republic of China=iso3166:CN", "Russia=iso3166:RU", "China=iso3166:CN"]
        );
    }

    /// Pieces of text for the search tests: aliases, their other casings and first halves,
    /// and words and marks that join them.
    fn pieces(g: &Gazetteer) -> Vec<String> {
        let mut aliases: Vec<&str> = g.aliases().map(|(alias, _)| alias).collect();
        aliases.sort_unstable();
        let mut out: Vec<String> =
            ["the", "Chinatown", "USB", "us", "2024", "é", "Ünion", "de"].map(str::to_owned).into();
        for alias in aliases.iter().step_by(37) {
            out.push((*alias).to_owned());
            out.push(alias.to_uppercase());
            out.push(alias.to_lowercase());
            out.push(alias.chars().take(alias.chars().count() / 2 + 1).collect());
        }
        out
    }

    #[test]
    #[allow(clippy::disallowed_methods, reason = "the test reads the sample input")]
    fn anchored_search_finds_what_the_unanchored_one_finds() {
        let g = Gazetteer::builtin_with(&[]).unwrap();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data")).unwrap()
        {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            assert!(!g.find(&text).is_empty());
            assert_eq!(g.find(&text), g.find_unanchored(&text));
        }
        // Every alias as written, in lower case and in capitals, between lower-case words.
        for (alias, _) in g.aliases() {
            for form in [alias.to_owned(), alias.to_lowercase(), alias.to_uppercase()] {
                let text = format!("said {form} and");
                assert_eq!(g.find(&text), g.find_unanchored(&text), "{text:?}");
            }
        }
        let pieces = pieces(&g);
        let glue = ["", " ", "  ", "-", ", ", "'s ", "’", ".", "\n", "é"];
        let mut runner = proptest::test_runner::TestRunner::default();
        let strategy = proptest::collection::vec((0..pieces.len(), 0..glue.len()), 0..24);
        runner
            .run(&strategy, |parts| {
                let text: String =
                    parts.iter().flat_map(|&(p, j)| [pieces[p].as_str(), glue[j]]).collect();
                proptest::prop_assert_eq!(g.find(&text), g.find_unanchored(&text), "{:?}", text);
                Ok(())
            })
            .unwrap();
    }

    /// `whole` and `exact` look names up without searching: `whole` takes what `find` matches
    /// from a name's first byte to its last, `exact` the entries with an alias written so, for
    /// every alias of the gazetteers read by whole names (and of the main one) in several
    /// casings, with a word more and a word less.
    #[test]
    fn whole_names_are_looked_up_as_the_search_finds_them() {
        let gazetteers = [
            Gazetteer::hints().unwrap(),
            Gazetteer::for_lookups(crate::READING_FILES).unwrap(),
            Gazetteer::builtin_with(&[]).unwrap(),
        ];
        let mut checked = 0;
        for g in &gazetteers {
            // The automaton of a gazetteer for lookups still compiles for a search.
            assert!(g.automaton().is_some());
            let mut names = vec![String::new(), "x".to_owned(), "the city".to_owned()];
            for (alias, _) in g.aliases() {
                let first = alias.split(' ').next().unwrap_or_default();
                names.extend([
                    alias.to_owned(),
                    alias.to_lowercase(),
                    alias.to_uppercase(),
                    format!("{alias} Street"),
                    format!("New {alias}"),
                    first.to_owned(),
                ]);
            }
            for name in &names {
                let searched =
                    g.find(name).into_iter().find(|m| m.start == 0 && m.end == name.len());
                assert_eq!(g.whole(name), searched.map(|m| m.entry), "{name:?}");
                let written: Vec<usize> =
                    g.aliases().filter(|&(a, _)| a == name).map(|(_, e)| e).collect();
                assert_eq!(g.exact(name), written, "{name:?}");
                checked += 1;
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn every_builtin_file_loads_and_ids_are_unique() {
        let g = Gazetteer::builtin_with(&[]).unwrap();
        assert!(g.entries().len() > 700, "{}", g.entries().len());
        let dup = [(
            "dup.tsv",
            "entity_id\tentity_type\tname\tcountry_id\taliases\niso3166:CN\tGPE\tChina\t\tChina\n",
        )];
        let err = Gazetteer::builtin_with(&dup).unwrap_err().to_string();
        assert_eq!(err, "gazetteer dup.tsv, line 2: entity_id iso3166:CN is defined twice");
    }
}
