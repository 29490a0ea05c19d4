//! Normalise on the shared article, on every repair and boilerplate rule, on copies of one
//! story, and on random text.

use std::fmt::Write as _;
use std::path::Path;

use entente_normalise::{
    NormaliseConfig, Normalised, Normaliser, RepairConfig, raw_to_text, text_to_raw,
};
use entente_schema::{Document, DuplicateKind, Tables, check_tables};
use entente_test::{ARTICLE, document, messy_text, render_table};
use proptest::prelude::*;

fn normalise(documents: &[Document]) -> Normalised {
    normalise_with(documents, &NormaliseConfig::default())
}

fn normalise_with(documents: &[Document], config: &NormaliseConfig) -> Normalised {
    Normaliser::new(config).unwrap().run(documents)
}

fn violations(out: &Normalised) -> Vec<entente_schema::Violation> {
    check_tables(Tables {
        documents: &out.documents,
        sentences: &out.sentences,
        text_edits: &out.text_edits,
        boilerplate: &out.boilerplate,
        entities: &[],
        aggregated: None,
    })
}

/// The shared article's sentences and final document row.
#[test]
fn article() {
    let out = normalise(&[document("article.txt", ARTICLE)]);
    insta::assert_snapshot!(render_table(&out.sentences, &["doc_id"]));
    insta::assert_snapshot!(render_table(&out.documents, &["text", "raw_text"]));
}

/// A document with no visible text is rejected, not silently dropped; one that is only
/// boilerplate says which rules removed it.
#[test]
fn empty_text_is_rejected() {
    let out = normalise(&[
        document("blank.txt", "\u{200b}\u{feff} \n"),
        document("furniture.txt", "Loading...\nAdvertisement"),
    ]);
    assert!(out.documents.is_empty());
    let details: Vec<(&str, &str)> =
        out.rejects.iter().map(|r| (r.source.as_str(), r.detail.as_str())).collect();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].0, "blank.txt");
    assert!(
        details[1]
            .1
            .ends_with("no text left after removing boilerplate (rules: loading, advertisement)"),
        "{details:?}"
    );
}

/// Every repair and boilerplate rule: what goes in, what comes out, and what was removed.
/// The first lines come from the seed articles in `data/`.
const CASES: &[(&str, &str)] = &[
    (
        "seed 001 view counter",
        "Russia And China: A Strategic Partnership\n\nby Jhon Lennon 42 views\n\nHey guys, let's dive in.",
    ),
    ("seed 003 loading", "Together, they shape regional dynamics.\nLoading..."),
    (
        "seed 004 missing spaces",
        "It is a new order.This matters for allies.Understanding it is key, and issues,but also leaders,Kim among them.",
    ),
    (
        "seed 004 table of contents",
        "A Meeting of Strategic interests\nTable of Contents\n- 1. A Meeting of Strategic interests\n- 2. Shanghai Cooperation Association’s Expanding Role\nThe visit, described by Kremlin spokesperson Dmitry Peskov as warm, comes amid tensions.",
    ),
    (
        "seed 004 faq and comment prompt",
        "Businesses watch closely.\nFrequently Asked Questions\n- What is the goal? To counter US hegemony.\n- Will this alliance last? Probably.\nWhat are your thoughts on the implications of this new alliance? Share your opinions in the comments below.\nHow might this alliance impact the balance of power?",
    ),
    (
        "missing spaces kept where they belong",
        "The U.S. and e.g. the E.U. paid 3.5 or 1,000 at 10:30, see https://example.com/a,b:c or www.Example.Com, write to press@example.org, run Node.js.",
    ),
    (
        "missing space after ? ! ; :",
        "Why now?Because of trade.Wow!That was fast;then calm.Note:talks ended.",
    ),
    (
        "mojibake",
        "Putinâ€™s visit â€“ the â€œbest everâ€\u{9d} â€“ was held in ZÃ¼rich, cafÃ© prices rose 5Â\u{a0}%.",
    ),
    ("mojibake twice", "PutinÃ¢â‚¬â„¢s visit"),
    ("legitimate accents", "Café São Paulo, Zürich, naïve, Ångström, façade – “quoted”."),
    (
        "controls and zero-width",
        "Xi Jin\u{200b}ping\u{00ad} met\u{feff} Putin\u{0007}.\r\nThey talked.\u{2028}Again.\rAnd again.",
    ),
    ("nfc", "Cafe\u{301} and Zu\u{308}rich"),
    ("whitespace", "  Xi\u{a0}\u{a0}met\tPutin.  \n\n\n\n  They   talked.  "),
    (
        "hard-wrapped newswire",
        "Argentine grain board figures show\ncrop registrations of grains, oilseeds and their products to\nFebruary 11, in thousands of tonnes, showing those for future\nshipments month.\n    Bread wheat prev 1,655.8, Feb 872.0, March 164.6, total\n2,692.4 (4,161.0).\n    Maize Mar 48.0, total 48.0 (nil).",
    ),
    (
        "hyphen at a line end",
        "The talks between the two foreign ministers covered inter-\nnational trade, which is international in scope, and the well-\nknown pipeline project that is still some way off, officials said.",
    ),
    (
        "short lines are not joined",
        "Xi Jinping\nVladimir Putin\nKim Jong Un\n- a list item\n- another item",
    ),
    (
        "advertisement and share prompts",
        "Talks began on Monday.\nAdvertisement\nShare this article\nFacebook Twitter WhatsApp\nStory continues below advertisement\nThey ended on Tuesday.",
    ),
    (
        "subscribe and cookie prompts",
        "Talks began on Monday.\nSign up for our daily newsletter\nWe use cookies to improve your experience. Accept all cookies\nThey ended on Tuesday.",
    ),
    (
        "read more links",
        "Talks began on Monday.\nREAD MORE: Russia and China sign energy deal\nRelated articles\nClick here to read the full report\nThey ended on Tuesday.",
    ),
    ("wire sign-off", "Talks ended on Tuesday, Reuters reported.\n\n Reuter"),
    (
        "boilerplate words inside sentences stay",
        "Readers can share this story, the editor said. The loading of ships continued, and 42 views were expressed at the table of contents debate.",
    ),
];

/// Runs every case through the default pipeline and renders before and after.
#[test]
fn repairs_and_boilerplate() {
    let docs: Vec<Document> = CASES
        .iter()
        .enumerate()
        .map(|(i, (_, raw))| document(&format!("case{i:02}.txt"), raw))
        .collect();
    let out = normalise(&docs);
    assert_eq!(violations(&out), []);
    let mut shown = String::new();
    for (i, (name, raw)) in CASES.iter().enumerate() {
        let source = format!("case{i:02}.txt");
        let doc = out.documents.iter().find(|d| d.source == source).unwrap();
        writeln!(shown, "## {name}\nraw:  {}\ntext: {}", visible(raw), visible(&doc.text)).unwrap();
        for b in out.boilerplate.iter().filter(|b| b.doc_id == doc.doc_id) {
            writeln!(shown, "  removed by {}: {}", b.rule, visible(&b.text)).unwrap();
        }
        shown.push('\n');
    }
    insta::assert_snapshot!(shown);
}

fn visible(s: &str) -> String {
    s.replace('\n', "⏎")
        .replace('\r', "␍")
        .replace('\u{200b}', "[ZWSP]")
        .replace('\u{feff}', "[BOM]")
}

/// Each repair can be switched off, and then its case comes through unrepaired.
#[test]
fn each_repair_can_be_switched_off() {
    type Switch = (&'static str, fn(&mut RepairConfig), &'static str);
    let switches: [Switch; 6] = [
        ("mojibake", |r| r.mojibake = false, "Putinâ€™s visit"),
        ("controls", |r| r.controls = false, "Xi\u{200b}Jinping met."),
        ("nfc", |r| r.nfc = false, "Cafe\u{301} talks."),
        (
            "unwrap_lines",
            |r| r.unwrap_lines = false,
            "Argentine grain board figures show crop\nregistrations of grains, oilseeds and their products to\nFebruary 11, in thousands of tonnes, showing those for future\nshipments month.",
        ),
        ("whitespace", |r| r.whitespace = false, "Xi  met   Putin."),
        ("punctuation_spacing", |r| r.punctuation_spacing = false, "A new order.This matters."),
    ];
    for (name, switch_off, raw) in switches {
        let on = normalise(&[document("a.txt", raw)]);
        let mut config = NormaliseConfig::default();
        switch_off(&mut config.repair);
        let off = normalise_with(&[document("a.txt", raw)], &config);
        assert_ne!(on.documents[0].text, raw, "{name} on should change the text");
        assert_eq!(off.documents[0].text, raw, "{name} off should leave the text alone");
    }
    let mut config = NormaliseConfig::default();
    config.boilerplate.disable = vec!["loading".into()];
    let out = normalise_with(&[document("a.txt", "Xi met Putin.\nLoading...")], &config);
    assert_eq!(out.documents[0].text, "Xi met Putin.\nLoading...");
    config.boilerplate.disable = vec!["no_such_rule".into()];
    let err = Normaliser::new(&config).unwrap_err().to_string();
    assert!(err.contains("no built-in rule named \"no_such_rule\""), "{err}");
}

/// A user's own rules: a line rule and a block rule.
#[test]
fn user_rules() {
    let mut config = NormaliseConfig::default();
    config.boilerplate.rules = toml::from_str::<toml::Table>(
        r#"
        [[rules]]
        name = "photo_credit"
        line = 'photo: .*'
        [[rules]]
        name = "key_points"
        start = 'key points'
        continue = '[*] .*'
        max_lines = 2
        "#,
    )
    .unwrap()["rules"]
        .clone()
        .try_into()
        .unwrap();
    let raw = "Xi met Putin.\nPhoto: Reuters\nKey points\n* one\n* two\n* three\nThey talked.";
    let out = normalise_with(&[document("a.txt", raw)], &config);
    assert_eq!(out.documents[0].text, "Xi met Putin.\n* three\nThey talked.");
    let rules: Vec<(&str, &str)> =
        out.boilerplate.iter().map(|b| (b.rule.as_str(), b.text.as_str())).collect();
    assert_eq!(
        rules,
        [("photo_credit", "Photo: Reuters"), ("key_points", "Key points\n* one\n* two")]
    );
    config.boilerplate.rules[0].line = Some("(unclosed".into());
    assert!(Normaliser::new(&config).unwrap_err().to_string().contains("photo_credit"));
}

/// Removed boilerplate points at its place in `raw_text`.
#[test]
fn boilerplate_offsets_point_into_raw_text() {
    let raw = "  Xi met Putin.\r\n\r\nby Jhon Lennon 42 views\r\nThey talked.";
    let out = normalise(&[document("a.txt", raw)]);
    let b = &out.boilerplate[0];
    let span: String = raw
        .chars()
        .skip(b.raw_char_start as usize)
        .take((b.raw_char_end - b.raw_char_start) as usize)
        .collect();
    assert_eq!(span, "by Jhon Lennon 42 views");
    assert_eq!(raw.get(b.raw_byte_start as usize..b.raw_byte_end as usize), Some(span.as_str()));
}

fn read_dir(dir: &Path) -> Vec<Document> {
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            document(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// Copies of one story (new headline and page furniture, a paragraph added, an exact copy)
/// share a `story_id`; another story on the same topic, and the seed articles 000, 001 and
/// 002 (all about China–Russia meetings), each stay their own story.
#[test]
fn duplicate_stories() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = read_dir(&root.join("resources/test/stories"));
    docs.extend(read_dir(&root.join("../../data")));
    let out = normalise(&docs);
    assert_eq!(violations(&out), []);
    let mut rows: Vec<&Document> = out.documents.iter().collect();
    rows.sort_by(|a, b| a.source.cmp(&b.source));
    let name_of = |id: &Option<String>| {
        id.as_ref().map_or("·".to_owned(), |id| {
            out.documents.iter().find(|d| &d.doc_id == id).unwrap().source.clone()
        })
    };
    let mut shown = String::from("source | story | duplicate_of | kind | similarity\n");
    for d in rows {
        writeln!(
            shown,
            "{} | {} | {} | {} | {}",
            d.source,
            name_of(&d.story_id),
            name_of(&d.duplicate_of),
            d.duplicate_kind.map_or("·", |k| k.as_str()),
            d.story_similarity.map_or("·".into(), |s| format!("{s:.2}")),
        )
        .unwrap();
    }
    insta::assert_snapshot!(shown);
    let story =
        |source: &str| out.documents.iter().find(|d| d.source == source).unwrap().story_id.clone();
    let wire = story("wire_original.txt");
    for copy in ["syndicated_copy.txt", "updated_copy.txt", "exact_copy.txt"] {
        assert_eq!(story(copy), wire, "{copy}");
    }
    assert_ne!(story("same_topic_other_story.txt"), wire);
    let seeds: Vec<_> = out.documents.iter().filter(|d| d.source.starts_with("00")).collect();
    assert_eq!(seeds.len(), 5);
    assert!(seeds.iter().all(|d| d.duplicate_of.is_none()));
}

/// Signatures kept in a file ([`Stories::spill_to`], as `entente run` keeps them) give the
/// stories and run state that signatures in memory give, documents added in two batches; a
/// later run's stories from that state are the same.
#[test]
fn stories_with_signatures_in_a_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = read_dir(&root.join("resources/test/stories"));
    docs.extend(read_dir(&root.join("../../data")));
    let normaliser = Normaliser::new(&NormaliseConfig::default()).unwrap();
    let documents = normaliser.run(&docs).documents;
    let (first, rest) = documents.split_at(documents.len() / 2);
    let stories = |spill: bool| {
        let mut stories = normaliser.stories();
        if spill {
            // Three in memory, the rest in the file.
            stories.spill_to(tempfile::tempfile().unwrap(), 3);
        }
        stories.add(first).unwrap();
        stories.add(rest).unwrap();
        let assigned = stories.assign().unwrap();
        let state = stories.state(0..stories.len(), &assigned).unwrap();
        (assigned, state)
    };
    let (assigned, state) = stories(true);
    assert!(assigned.values().any(|s| s.duplicate_kind == Some(DuplicateKind::Near)));
    assert!(state.iter().any(|k| k.signature.is_some()));
    assert_eq!((assigned.clone(), state.clone()), stories(false));
    let mut later = normaliser.stories();
    later.spill_to(tempfile::tempfile().unwrap(), 0);
    later.add_state(&state).unwrap();
    assert_eq!(later.assign().unwrap(), assigned);
}

/// The canonical member of a story is the earliest published, whatever the input order.
#[test]
fn canonical_member_is_the_earliest() {
    let body = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/stories/wire_original.txt"),
    )
    .unwrap();
    let mut early = document("z_late_in_input.txt", &body);
    early.published_at = Some(1_000);
    let mut late = document("a_first_in_input.txt", &body);
    late.published_at = Some(2_000);
    let undated = document("0_undated.txt", &body);
    let out = normalise(&[late, undated, early.clone()]);
    for d in &out.documents {
        assert_eq!(d.story_id.as_deref(), Some(early.doc_id.as_str()), "{}", d.source);
    }
}

/// The same documents give the same tables on 1 and 3 threads, in any input order.
#[test]
fn deterministic_at_any_thread_count() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = read_dir(&root.join("resources/test/stories"));
    docs.extend(read_dir(&root.join("../../data")));
    let run = |threads: usize, docs: &[Document]| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| normalise(docs))
    };
    let one = run(1, &docs);
    docs.reverse();
    let three = run(3, &docs);
    assert_eq!(one, three);
}

proptest! {
    /// Sentences tile the text: in order, not overlapping, only whitespace between and around
    /// them, so every other character is in exactly one sentence.
    #[test]
    fn sentences_tile_the_text(raw in messy_text()) {
        let out = normalise(&[document("r.txt", &raw)]);
        if let Some(doc) = out.documents.first() {
            let mut at = 0usize;
            for s in &out.sentences {
                let (start, end) = (s.byte_start as usize, s.byte_end as usize);
                prop_assert!(start >= at && end > start);
                let gap = doc.text.get(at..start);
                prop_assert!(gap.is_some_and(|g| g.chars().all(char::is_whitespace)), "{gap:?}");
                at = end;
            }
            prop_assert!(doc.text.get(at..).is_some_and(|g| g.chars().all(char::is_whitespace)));
        }
    }

    /// On random text repair never panics, the tables obey the contract (the edits rebuild
    /// `text` from `raw_text`), and spans map to `raw_text` and back.
    #[test]
    fn offset_map_holds_on_random_text(raw in messy_text()) {
        let out = normalise(&[document("r.txt", &raw)]);
        prop_assert_eq!(out.documents.len() + out.rejects.len(), 1);
        prop_assert_eq!(violations(&out), []);
        if let Some(doc) = out.documents.first() {
            let text: Vec<char> = doc.text.chars().collect();
            let raw_chars: Vec<char> = doc.raw_text.chars().collect();
            let n = u32::try_from(text.len()).unwrap();
            for s in &out.sentences {
                let (rs, re) = text_to_raw(&out.text_edits, s.char_start, s.char_end);
                prop_assert!(rs <= re && re as usize <= raw_chars.len());
                // Back again: the raw span covers at least the sentence.
                let (ts, te) = raw_to_text(&out.text_edits, rs, re);
                prop_assert!(ts <= s.char_start && te >= s.char_end, "{:?} -> {:?} -> {:?}", (s.char_start, s.char_end), (rs, re), (ts, te));
            }
            // A span that no edit touches maps to the same characters.
            for start in 0..n {
                for end in start + 1..=n.min(start + 6) {
                    let touched = out.text_edits.iter().any(|e| {
                        let (a, b) = (e.text_char_start, e.text_char_end);
                        (a < end && b > start) || (a == b && start < a && a < end)
                    });
                    if touched {
                        continue;
                    }
                    let (rs, re) = text_to_raw(&out.text_edits, start, end);
                    let a: String = text[start as usize..end as usize].iter().collect();
                    let b: String = raw_chars[rs as usize..re as usize].iter().collect();
                    prop_assert_eq!(a, b);
                }
            }
        }
    }
}

/// Each category of sentence boundary the splitter handles, one fixture per category
/// (`resources/test/sentences/*.txt`), through the whole stage: one sentence per line.
#[test]
fn sentence_categories() {
    insta::glob!("../../resources/test/sentences", "*.txt", |path| {
        let raw = std::fs::read_to_string(path).unwrap();
        let out = normalise(&[document("s.txt", &raw)]);
        assert_eq!(violations(&out), []);
        let shown: Vec<String> = out
            .sentences
            .iter()
            .map(|s| format!("{:>2} | {}", s.sentence_idx, visible(&s.text)))
            .collect();
        insta::assert_snapshot!(shown.join("\n"));
    });
}
