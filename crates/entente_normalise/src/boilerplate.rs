//! Boilerplate: lines and blocks of page furniture that survived extraction ("42 views",
//! "Loading...", share prompts, tables of contents). Every removal is reported, with its rule.
#![allow(
    clippy::string_slice,
    reason = "every byte offset here comes from char_indices or a char-boundary search"
)]

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::repair::lines;
use crate::tracked::Replacement;

/// One boilerplate rule. A *line* rule removes every line it matches as a whole. A *block*
/// rule starts at a line matching `start` and also removes the lines right after it that
/// match `continue`, at most `max_lines` of them. Patterns are regular expressions (Rust
/// `regex` syntax), matched case-insensitively against the whole line without its leading
/// and trailing whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoilerplateRule {
    /// The rule's name, written in `boilerplate.rule`.
    pub name: String,
    /// A line rule's pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// A block rule's first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// A block rule's following lines.
    #[serde(default, rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continues: Option<String>,
    /// A block rule's limit on following lines (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lines: Option<usize>,
}

/// Boilerplate removal (`[normalise.boilerplate]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BoilerplateConfig {
    /// Remove boilerplate at all.
    pub enabled: bool,
    /// Names of built-in rules to switch off (see [`default_rules`]).
    pub disable: Vec<String>,
    /// Rules of your own, applied after the built-in ones.
    pub rules: Vec<BoilerplateRule>,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        Self { enabled: true, disable: Vec::new(), rules: Vec::new() }
    }
}

fn line_rule(name: &str, pattern: &str) -> BoilerplateRule {
    BoilerplateRule {
        name: name.into(),
        line: Some(pattern.into()),
        start: None,
        continues: None,
        max_lines: None,
    }
}

fn block_rule(name: &str, start: &str, continues: &str, max_lines: usize) -> BoilerplateRule {
    BoilerplateRule {
        name: name.into(),
        line: None,
        start: Some(start.into()),
        continues: Some(continues.into()),
        max_lines: Some(max_lines),
    }
}

/// A list item: a bullet, or a number followed by `.` or `)`.
const LIST_ITEM: &str = r"(?:[-*•·–—]\s*|\d{1,3}(?:\.\d{1,3})*[.)]?\s+).*";

/// The built-in rules, in the order they are tried.
pub fn default_rules() -> Vec<BoilerplateRule> {
    let social = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|email|e-mail|messenger|copy link)";
    vec![
        line_rule(
            "view_counter",
            r"(?:by\s+.{1,60}?\s+)?\d[\d.,]*\s*[km]?\s+(?:views?|reads?|shares?|comments?|likes?)",
        ),
        line_rule("loading", r"(?:loading|please wait|loading comments)\s*(?:\.{2,}|…)?"),
        line_rule(
            "advertisement",
            r"(?:advertisement|advertising|ad|sponsored(?: content)?|story continues below(?: advertisement)?|continue reading (?:below|the main story)|scroll to continue(?: with content)?)",
        ),
        line_rule(
            "share_prompt",
            &format!(
                r"(?:share|share this(?: article| story| post| page)?|share (?:on|via) {social}|tweet|print(?: this(?: article| page)?)?|email this(?: article| story)?|{social}(?:\s*[|/·,]?\s*{social})*)\s*:?"
            ),
        ),
        line_rule(
            "subscribe_prompt",
            r"(?:subscribe|sign up|sign-up|register|join)\b.{0,100}\b(?:newsletters?|subscribers?|inbox|mailing list)\b.{0,100}|subscribe(?: now| today| here)?[.!]?",
        ),
        line_rule(
            "cookie_prompt",
            r".{0,200}\b(?:we use cookies|(?:this|our) (?:web)?site uses cookies|accept (?:all )?cookies|cookie (?:policy|settings|preferences))\b.{0,200}",
        ),
        line_rule(
            "comment_prompt",
            r".{0,200}\b(?:share your (?:thoughts|opinions?|views)|let us know|tell us)\b.{0,100}\bcomments?\b.{0,100}|leave a (?:comment|reply)\.?|comments are closed\.?",
        ),
        line_rule(
            "read_more",
            r"(?:read more|read more\s*[:>»].{0,200}|(?:also read|read also|related|see also|more on this(?: story)?|recommended(?: reading)?|you may also like)\s*[:>»].{0,200}|related (?:articles?|stories|coverage|content|news|posts)|click here.{0,200}|recommended for you)",
        ),
        // A wire's sign-off on a line of its own ("Reuter" closes every Reuters-21578 story):
        // left in, it is a name that co-occurs with every other in its story.
        line_rule("wire_signoff", r"-*\s*reuters?\s*-*"),
        block_rule(
            "table_of_contents",
            r"(?:table of contents|contents|in this article|on this page|jump to(?: section)?)\s*:?",
            LIST_ITEM,
            100,
        ),
        block_rule(
            "faq",
            r"(?:faqs?|frequently asked questions|people also ask)\s*:?",
            &format!(r"{LIST_ITEM}|q\s*[:.].*|a\s*[:.].*"),
            100,
        ),
    ]
}

/// A rule with its patterns compiled.
#[derive(Debug, Clone)]
struct Compiled {
    name: String,
    first: Regex,
    continues: Option<(Regex, usize)>,
    /// Text every line matching `first` contains, found far quicker than `first` is
    /// matched: a line without it is no match ([`NEEDLES`]).
    needle: Option<Regex>,
}

/// For built-in rules whose pattern may scan a whole line before failing (`.{0,200}` before
/// the words that make the match), words that every line they match contains: "cookie"
/// is in each alternative of `cookie_prompt`, "comment" or "leave a reply" in each of
/// `comment_prompt`. Searched for with the same case folding, so a line without them
/// cannot match and the rule's result does not change.
const NEEDLES: &[(&str, &str)] =
    &[("cookie_prompt", "cookie"), ("comment_prompt", "comment|leave a reply")];

/// The boilerplate rules in force, compiled once per run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    rules: Vec<Compiled>,
}

/// A bad rule in the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A pattern does not compile.
    #[error("boilerplate rule {rule:?}: bad pattern: {source}")]
    Pattern {
        /// The rule.
        rule: String,
        /// The regex error.
        source: regex::Error,
    },
    /// A rule has neither `line` nor `start`, or both, or `continue` without `start`.
    #[error(
        "boilerplate rule {rule:?}: give either `line`, or `start` (with optional `continue` and `max_lines`)"
    )]
    Shape {
        /// The rule.
        rule: String,
    },
    /// `disable` names no built-in rule.
    #[error("boilerplate: no built-in rule named {0:?} to disable (built-in: {1})")]
    UnknownRule(String, String),
}

impl Rules {
    /// Compiles the built-in rules not disabled and the user's rules.
    pub(crate) fn new(config: &BoilerplateConfig) -> Result<Self, RuleError> {
        if !config.enabled {
            return Ok(Self::default());
        }
        let defaults = default_rules();
        for name in &config.disable {
            if !defaults.iter().any(|r| &r.name == name) {
                let known: Vec<&str> = defaults.iter().map(|r| r.name.as_str()).collect();
                return Err(RuleError::UnknownRule(name.clone(), known.join(", ")));
            }
        }
        let builtin = defaults.into_iter().filter(|r| !config.disable.contains(&r.name)).map(|r| {
            let needle = NEEDLES.iter().find(|(name, _)| *name == r.name).map(|(_, n)| *n);
            (r, needle)
        });
        let rules = builtin
            .chain(config.rules.iter().map(|r| (r.clone(), None)))
            .map(|(r, needle)| compile(&r, needle))
            .collect::<Result<_, _>>()?;
        Ok(Self { rules })
    }

    /// The lines of `text` to remove, as replacements (each removing whole lines with their
    /// line break), with the rule that removed them.
    pub(crate) fn find(&self, text: &str) -> Vec<(Replacement, String)> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let all = lines(text);
        let mut out: Vec<(Replacement, String)> = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let line = all[i].text.trim();
            let hit =
                (!line.is_empty()).then(|| self.rules.iter().find(|r| r.matches(line))).flatten();
            let Some(rule) = hit else {
                i += 1;
                continue;
            };
            let mut last = i;
            if let Some((more, max)) = &rule.continues {
                while last + 1 < all.len()
                    && last - i < *max
                    && more.is_match(all[last + 1].text.trim())
                    && !all[last + 1].text.trim().is_empty()
                {
                    last += 1;
                }
            }
            // Remove the lines with the line break after them (or before them, at the end).
            let (mut start, mut end) = (all[i].start, all[last].end);
            if end < text.len() {
                end += 1;
            } else {
                start = start.saturating_sub(1);
            }
            out.push((Replacement::new(start, end, ""), rule.name.clone()));
            i = last + 1;
        }
        // A removal at the end takes the line break before it, which the previous removal
        // may already have taken.
        for k in 1..out.len() {
            let prev_end = out[k - 1].0.end;
            let r = &mut out[k].0;
            r.start = r.start.max(prev_end);
        }
        out
    }
}

impl Compiled {
    fn matches(&self, line: &str) -> bool {
        self.needle.as_ref().is_none_or(|n| n.is_match(line)) && self.first.is_match(line)
    }
}

fn compile(rule: &BoilerplateRule, needle: Option<&str>) -> Result<Compiled, RuleError> {
    let regex = |p: &str| {
        RegexBuilder::new(p)
            .case_insensitive(true)
            .build()
            .map_err(|source| RuleError::Pattern { rule: rule.name.clone(), source })
    };
    let build = |p: &str| regex(&format!("^(?:{p})$"));
    let needle = needle.map(regex).transpose()?;
    let shape = || RuleError::Shape { rule: rule.name.clone() };
    match (&rule.line, &rule.start) {
        (Some(line), None) if rule.continues.is_none() => {
            Ok(Compiled { name: rule.name.clone(), first: build(line)?, continues: None, needle })
        }
        (None, Some(start)) => Ok(Compiled {
            name: rule.name.clone(),
            first: build(start)?,
            continues: match &rule.continues {
                Some(c) => Some((build(c)?, rule.max_lines.unwrap_or(100))),
                None => None,
            },
            needle,
        }),
        _ => Err(shape()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every alternative of the rules with a needle still removes its line: the needle
    /// never hides a match of the full pattern.
    #[test]
    fn needles_keep_every_match() {
        let rules = Rules::new(&BoilerplateConfig::default()).expect("built-in rules compile");
        let cases = [
            ("cookie_prompt", "We use cookies to improve your experience."),
            ("cookie_prompt", "This website uses cookies"),
            ("cookie_prompt", "By browsing on you agree: OUR SITE USES COOKIES."),
            ("cookie_prompt", "Accept all cookies"),
            ("cookie_prompt", "Manage your Cookie preferences here"),
            ("cookie_prompt", "Read our cookie policy"),
            ("comment_prompt", "What do you think? Share your views in the comments below."),
            ("comment_prompt", "Let us know in the comment section"),
            ("comment_prompt", "Tell us what you think in the comments."),
            ("comment_prompt", "Leave a comment"),
            ("comment_prompt", "LEAVE A REPLY"),
            ("comment_prompt", "Comments are closed."),
        ];
        for (rule, line) in cases {
            let text = format!("Talks began.\n{line}\nThey ended.");
            let found: Vec<String> = rules.find(&text).into_iter().map(|(_, r)| r).collect();
            assert_eq!(found, [rule], "{line:?}");
        }
        let compiled = |name: &str| rules.rules.iter().find(|r| r.name == name).expect("rule");
        assert!(compiled("cookie_prompt").needle.is_some());
        assert!(compiled("comment_prompt").needle.is_some());
        // A needle alone removes nothing: the full pattern still decides.
        assert!(rules.find("She baked a cookie.\nComments from readers followed.").is_empty());
    }
}
