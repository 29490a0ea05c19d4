use super::features::{h, shape};
use super::words::{
    CLUSTERS, VECTORS, VECTORS_FILE, VectorClass, is_given_name, vector_class, vector_line,
};
use super::{Allowed, Label, Tagger, TextKind, TextModel, Token, can_name, tokenize};

fn toks<'a>(words: &[&'a str]) -> Vec<Token<'a>> {
    words.iter().map(|w| Token { text: w, gazetteer: "" }).collect()
}

/// The tokens of `text`, as text.
fn tokens_of(text: &str) -> Vec<&str> {
    tokenize(text).into_iter().map(|(s, e)| &text[s..e]).collect()
}

#[test]
fn tokenizes_like_conll() {
    let text = "(Putin's \"deal\") with the U.S. and J. Smith, Corp. ended. St. Louis won.";
    assert_eq!(
        tokens_of(text),
        [
            "(", "Putin", "'s", "\"", "deal", "\"", ")", "with", "the", "U.S.", "and", "J.",
            "Smith", ",", "Corp.", "ended", ".", "St.", "Louis", "won", "."
        ]
    );
}

#[test]
fn a_possessive_is_split_off_and_a_plural_is_not() {
    assert_eq!(
        tokens_of("The boss's bosses say Jones’s plans' costs rose 5s"),
        ["The", "boss", "'s", "bosses", "say", "Jones", "’s", "plans", "'", "costs", "rose", "5s"]
    );
}

#[test]
fn a_handle_is_a_word_after_its_at_sign() {
    assert_eq!(
        tokens_of("RT @BBCNews: mail me@example.com @ noon"),
        ["RT", "@", "BBCNews", ":", "mail", "me@example.com", "@", "noon"]
    );
    // The word after the "@" may open a name however it is written, and ends it: the
    // lower-case word after it goes on with none. After a capitalised word the "@" may be
    // "at" ("@ Philly 's Cheesesteaks").
    let prepared = super::features::prepare(&toks(&["@", "bbcnews", "the", "Lakers", "said"]));
    assert_eq!(
        prepared.name_ok,
        [Allowed::Nothing, Allowed::Any, Allowed::AfterHandle, Allowed::Any, Allowed::Inside]
    );
    let prepared = super::features::prepare(&toks(&["@", "Philly", "'s", "Cheesesteaks"]));
    assert_eq!(prepared.name_ok[2], Allowed::Inside);
}

proptest::proptest! {
    /// The tokenizer reads ASCII a byte at a time; its chunks are those between the
    /// characters `char::is_whitespace` calls white space, Unicode's as well as ASCII's.
    #[test]
    fn tokens_are_cut_at_white_space_as_chars_define_it(
        text in "([ \t\n\u{b}\u{c}\r\u{1c}\u{85}\u{a0}\u{2003}\u{3000}a-zA-Z0-9.,'\"()@é’”]{0,8}){0,12}",
    ) {
        let mut chunks = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    chunks.extend(tokenize(&text[s..i]).into_iter().map(|(a, b)| (s + a, s + b)));
                    start = None;
                }
                _ => {}
            }
        }
        proptest::prop_assert_eq!(tokenize(&text), chunks);
    }
}

fn label(l: &str) -> Label {
    Label::parse(l).unwrap()
}

#[test]
fn prefixed_common_words_are_common() {
    assert!(super::words::is_derived_word("Redesignated"));
    assert!(super::words::is_derived_word("Counterstrategies"));
    assert!(super::words::is_derived_word("Non-binding"));
    // Too short behind the prefix, or a word the news vocabulary knows as it is.
    assert!(!super::words::is_derived_word("Reading"));
    assert!(!super::words::is_derived_word("Reeves"));
    assert!(!super::words::is_derived_word("Republic"));
}

/// Borderline lines and how they are read: each run of tokens of one style. Misreads that
/// stay (ARCHITECTURE.md, tried and dropped): the subtitle "A New Era?" reads as prose,
/// and a sentence whose every word of four letters or more is capitalised reads as a
/// heading ("Wang Yi met Sergey Lavrov.").
#[test]
fn styles_of_borderline_lines() {
    let render = |line: &str| {
        let tokens: Vec<Token<'_>> = tokenize(line)
            .into_iter()
            .map(|(s, e)| Token { text: &line[s..e], gazetteer: "" })
            .collect();
        let styles = super::features::styles(&tokens);
        let mut out = Vec::new();
        let mut k = 0;
        for run in styles.chunk_by(|a, b| a == b) {
            let words: Vec<&str> = tokens[k..k + run.len()].iter().map(|t| t.text).collect();
            out.push(format!("{:?}: {}", run[0], words.join(" ")));
            k += run.len();
        }
        out.join(" / ")
    };
    let lines = [
        "Regional Responses and Western Counterstrategies",
        "Frequently Asked Questions",
        "Xi Jinping And Putin's Meeting: A New Era?",
        "Countering US Influence in Asia: The alliance directly challenges influence.",
        "Economic Synergy: Trade, Energy, and Finance",
        "| North Korea | Securing economic assistance |",
        "JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.",
        "He met officials of the Harbin Electric Company on Monday.",
        "The Kremlin Said Talks Would Continue.",
        "The UN Security Council met in New York on Tuesday.",
        "Wang Yi met Sergey Lavrov.",
    ];
    insta::assert_snapshot!(lines.map(render).join("\n"));
}

#[test]
fn headings_are_styled_per_segment() {
    let words = toks(&[
        "Countering",
        "US",
        "Influence",
        "in",
        "Asia",
        ":",
        "The",
        "alliance",
        "directly",
        "challenges",
        "influence",
        ".",
    ]);
    let styles = super::features::styles(&words);
    assert!(styles[..6].iter().all(|s| *s == super::features::Style::Title), "{styles:?}");
    assert!(styles[6..].iter().all(|s| *s == super::features::Style::Prose), "{styles:?}");
    let caps = toks(&["JAPAN", "GET", "LUCKY", "WIN", "."]);
    assert!(super::features::styles(&caps).iter().all(|s| *s == super::features::Style::Caps));
    // A sentence full of names is still prose; a heading ending in a period is not.
    let prose = "He met officials of the Harbin Electric Company on Monday .";
    let prose = toks(&prose.split(' ').collect::<Vec<_>>());
    assert_eq!(super::features::style(&prose), super::features::Style::Prose);
    let heading = toks(&["Deeper", "Dive", "Into", "Energy", "Ties", "."]);
    assert_eq!(super::features::style(&heading), super::features::Style::Title);
}

/// A sentence's style as the plain definition reads it: letters counted on each token's
/// characters.
fn plain_style(tokens: &[Token<'_>]) -> super::features::Style {
    use super::features::Style;
    let is_word = |t: &&Token<'_>| t.text.chars().any(char::is_alphabetic);
    let words = tokens.iter().filter(is_word).count();
    let upper = tokens.iter().filter(is_word).filter(|t| !t.text.chars().any(char::is_lowercase));
    if words >= 3 && upper.count() * 10 >= words * 8 {
        return Style::Caps;
    }
    let ends =
        tokens.last().is_some_and(|t| matches!(t.text, "." | "!" | "?" | "\"" | "”" | "'" | "’"));
    let long: Vec<&Token<'_>> = tokens
        .iter()
        .filter(|t| t.text.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    let capitalised =
        long.iter().filter(|t| t.text.chars().next().is_some_and(char::is_uppercase)).count();
    let titled = if ends {
        long.len() >= 3 && capitalised == long.len()
    } else {
        long.len() >= 2 && capitalised * 10 >= long.len() * 7
    };
    if titled { Style::Title } else { Style::Prose }
}

proptest::proptest! {
    /// Styles from letters counted once per token are the plain definition's, segment by
    /// segment.
    #[test]
    fn styles_are_the_plain_definition(
        words in proptest::collection::vec(
            "(Ünion|ÉTÉ|état|Ab|ABCD|abcd|Abcde|A1b2c3d|x|DÉJÀ|déjà|:|\\||[.!?\"”'’,]|[A-Za-zé]{1,6})",
            0..14,
        )
    ) {
        let tokens = toks(&words.iter().map(String::as_str).collect::<Vec<_>>());
        proptest::prop_assert_eq!(super::features::style(&tokens), plain_style(&tokens));
        let styles = super::features::styles(&tokens);
        let whole = plain_style(&tokens);
        let mut start = 0;
        for segment in tokens.split_inclusive(|t| matches!(t.text, ":" | "|")) {
            let end = start + segment.len();
            let words_end = if matches!(segment.last().map(|t| t.text), Some(":" | "|")) { end - 1 } else { end };
            let expected = if whole == super::features::Style::Caps {
                whole
            } else {
                plain_style(&tokens[start..words_end])
            };
            proptest::prop_assert!(styles[start..end].iter().all(|s| *s == expected));
            start = end;
        }
    }
}

#[test]
fn runs_of_capitalised_words_join_across_of_and_possessives() {
    let text = "the Army of the Potomac met Couch 's Division with Lee in 139th Fighter Squadron";
    let words = toks(&text.split(' ').collect::<Vec<_>>());
    let runs: Vec<String> = super::features::runs(&words)
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| words[r].iter().map(|t| t.text).collect::<Vec<_>>().join(" "))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(runs, ["139th Fighter Squadron", "Army of the Potomac", "Couch 's Division"]);
}

#[test]
fn clitics_written_apart_stay_whole() {
    let text = "Ford County 's four , they 're here ' quoted '";
    let tokens = tokens_of(text);
    assert_eq!(
        tokens,
        ["Ford", "County", "'s", "four", ",", "they", "'re", "here", "'", "quoted", "'"]
    );
}

#[test]
fn brackets_and_commas_are_never_inside_a_name() {
    // Gold that puts a bracket inside a name cannot teach the tagger to do so.
    let words = ["Benny", "Boynton", "(", "born", ")", "plays"];
    let gold: Vec<Label> =
        ["B-PER", "I-PER", "I-PER", "I-PER", "O", "O"].iter().map(|l| label(l)).collect();
    let tagger = Tagger::train(&[vec![(toks(&words), gold)]], 5);
    let labels: Vec<&str> = tagger.tag(&toks(&words)).iter().map(|l| l.as_str()).collect();
    assert_eq!(labels[2], "O");
    assert_eq!(&labels[..2], ["B-PER", "I-PER"]);
    for (token, allowed) in [
        (",", Allowed::Nothing),
        ("(", Allowed::Nothing),
        ("band", Allowed::Inside),
        ("&", Allowed::NotPerson),
        ("'s", Allowed::Inside),
        ("of", Allowed::Inside),
        ("139th", Allowed::NotPerson),
        ("van", Allowed::Any),
        ("Lee", Allowed::Any),
    ] {
        assert_eq!(can_name(token), allowed, "{token}");
    }
}

#[test]
fn a_person_has_no_lower_case_word_but_particles() {
    // Gold that runs a person's name across "&" cannot teach the tagger to do so.
    let words = ["Karl", "Langdon", "&", "Harvey", "Deegan", "band"];
    let gold: Vec<Label> =
        ["B-PER", "I-PER", "I-PER", "I-PER", "I-PER", "I-PER"].iter().map(|l| label(l)).collect();
    let tagger = Tagger::train(&[vec![(toks(&words), gold)]], 5);
    let labels = tagger.tag(&toks(&words));
    for k in [2, 5] {
        assert_ne!(labels[k].kind(), Some(super::Kind::Per), "{:?}", labels[k]);
    }
}

#[test]
fn lower_case_words_open_no_name_but_may_continue_one() {
    let words = ["the", "interior", "ministry", "said", "Interior", "ministry", "said"];
    let gold: Vec<Label> =
        ["B-ORG", "I-ORG", "I-ORG", "O", "B-ORG", "I-ORG", "O"].iter().map(|l| label(l)).collect();
    let tagger = Tagger::train(&[vec![(toks(&words), gold)]], 5);
    let labels: Vec<&str> = tagger.tag(&toks(&words)).iter().map(|l| l.as_str()).collect();
    assert_eq!(labels, ["O", "O", "O", "O", "B-ORG", "I-ORG", "O"]);
}

#[test]
fn word_lists_load() {
    let cluster = |w: &str| CLUSTERS.get(&h(w)).copied();
    assert!(CLUSTERS.len() > 20_000, "{}", CLUSTERS.len());
    assert_eq!(cluster("January").map(|c| c.1), cluster("February").map(|c| c.1));
    assert_ne!(cluster("January").map(|c| c.1), cluster("guitarist").map(|c| c.1));
    assert!(is_given_name("john") && is_given_name("maria"));
    assert!(!is_given_name("the"));
    let vector = |w: &str| vector_class(h(w), h(&w.to_lowercase()));
    // Every line of the file is read (its words are distinct).
    let lines = zstd::stream::decode_all(VECTORS_FILE).expect("vector classes decompress");
    let lines = lines.split(|&b| b == b'\n').filter(|l| !l.is_empty() && l[0] != b'#').count();
    assert!(lines > 300_000, "{lines}");
    assert_eq!(VECTORS.len(), lines);
    for word in ["Ohio", "Oregon", "John", "OHIO"] {
        assert!(vector(word).row > 0, "{word} has classes");
    }
    assert_eq!(vector("Ohio").mid, vector("Oregon").mid);
    assert_ne!(vector("Ohio").mid, vector("John").mid);
    assert_eq!(vector("xyzzyqx").row, 0, "a word the vectors lack has none");
}

#[test]
fn vector_lines_are_read_or_refused_whole() {
    let class = |line: &str| vector_line(line.as_bytes()).map(|(w, c)| (w.to_vec(), c));
    let read = class("Oregon\t17\t0\t99").expect("a well-formed line");
    assert_eq!(read.0, b"Oregon");
    // Counted from 1, so that 0 can mean "no class".
    let VectorClass { row, mid, coarse } = read.1;
    assert_eq!((row, mid, coarse), (18, 1, 100));
    for bad in [
        "Oregon\t17\t0",
        "Oregon\t17\t0\t99\t5",
        "Oregon\t17\tx\t99",
        "Oregon\t-1\t0\t99",
        "Oregon\t\t0\t99",
        "Oregon\t17\t70000\t99",
        "Oregon\t9999999999\t0\t99",
        "",
    ] {
        assert!(class(bad).is_none(), "{bad:?}");
    }
    assert!(vector_line(b"\xff\t1\t2\t3").is_none(), "a word that is not UTF-8");
}

#[test]
fn a_source_without_a_kind_teaches_nothing_about_it() {
    // One source labels "Acme" MISC; another labels no MISC at all and leaves it outside.
    let words = ["Acme", "rose", "."];
    let misc = vec![label("B-MISC"), label("O"), label("O")];
    let outside = vec![label("O"); 3];
    let mut docs = vec![vec![(toks(&words), misc)]];
    docs.extend((0..3).map(|_| vec![(toks(&words), outside.clone())]));
    let tag = |tagger: &Tagger| tagger.tag(&toks(&words))[0].as_str();
    assert_eq!(tag(&Tagger::train(&docs, 5)), "O");
    let annotated = [
        [true; 4],
        [true, true, true, false],
        [true, true, true, false],
        [true, true, true, false],
    ];
    assert_eq!(tag(&Tagger::train_partial(&docs, &annotated, 5, 0.5)), "B-MISC");
}

#[test]
fn each_kind_of_text_reads_with_its_own_weights() {
    // News calls "Jaguar" a company; the posts of one social source call it a person.
    let words = ["Jaguar", "rose", "."];
    let news = vec![label("B-ORG"), label("O"), label("O")];
    let social = vec![label("B-PER"), label("O"), label("O")];
    let mut docs: Vec<_> = (0..3).map(|_| vec![(toks(&words), news.clone())]).collect();
    docs.push(vec![(toks(&words), social)]);
    let texts = [TextKind::News, TextKind::News, TextKind::News, TextKind::Social];
    let model = TextModel::train(&docs, &[[true; 4]; 4], &texts, 5, 0.5);
    let tag = |tagger: &Tagger| tagger.tag(&toks(&words))[0].as_str();
    assert_eq!(tag(&model.tagger(TextKind::News)), "B-ORG");
    assert_eq!(tag(&model.tagger(TextKind::Social)), "B-PER");
    // No encyclopedia text trained weights of its own: it reads as news does.
    assert_eq!(model.kinds().collect::<Vec<_>>(), [TextKind::Social]);
    assert_eq!(tag(&model.tagger(TextKind::Encyclopedia)), "B-ORG");
    // The same weights give the same bytes, and read back the same.
    let bytes = model.to_bytes().unwrap();
    let back = TextModel::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes().unwrap(), bytes);
    assert_eq!(back.len(), model.len());
    assert_eq!(tag(&back.tagger(TextKind::Social)), "B-PER");
    // A news-only model, or bytes of nothing, are no text model: each format's reader
    // refuses the other's header (before decompressing the rest).
    let plain = Tagger::train(&docs, 5).to_bytes().unwrap();
    assert!(matches!(TextModel::from_bytes(&plain), Err(super::ModelError::Format)));
    assert!(matches!(Tagger::from_bytes(&bytes), Err(super::ModelError::Format)));
    let short = zstd::encode_all(&b"entn"[..], 3).unwrap();
    assert!(matches!(TextModel::from_bytes(&short), Err(super::ModelError::Format)));
    assert!(matches!(Tagger::from_bytes(&short), Err(super::ModelError::Format)));
    assert!(TextModel::from_bytes(b"nonsense").is_err());
    let cut = zstd::encode_all(&zstd::decode_all(bytes.as_slice()).unwrap()[..40], 3).unwrap();
    assert!(TextModel::from_bytes(&cut).is_err());
}

#[test]
fn posts_read_as_social_definitions_as_encyclopedia_and_articles_as_news() {
    let kind = |text: &str| TextKind::of_document(&text.split('\n').collect::<Vec<_>>());
    for post in [
        "RT @ jsmith : watching the game",
        "@bbcnews Is this true?",
        "Polls close at 10pm #GE2024",
        "Our new report is out: https://example.org/report",
        "just landed in london , so tired",
    ] {
        assert_eq!(kind(post), TextKind::Social, "{post}");
    }
    for entry in [
        "Mount Tambora\nMount Tambora (or Tomboro) is an active stratovolcano in Indonesia.",
        "Alan Turing was an English mathematician. He was born in London in 1912.",
        "The Beatles were an English rock band, formed in Liverpool in 1960.",
    ] {
        assert_eq!(kind(entry), TextKind::Encyclopedia, "{entry}");
    }
    let long_with_link =
        format!("{} https://example.org", "Officials met in Geneva again. ".repeat(20));
    // 80 words are still a post, 81 are not; under 40 words opening in lower case are.
    let words = |n: usize| vec!["word"; n].join(" ");
    assert_eq!(kind(&format!("{} #tag", words(79))), TextKind::Social);
    assert_eq!(kind(&format!("{} #tag", words(80))), TextKind::News);
    assert_eq!(kind(&words(39)), TextKind::Social);
    assert_eq!(kind(&words(40)), TextKind::News);
    assert_eq!(kind("Watching RT with friends"), TextKind::News, "RT opens a retweet only");
    assert_eq!(kind("Polls close # 10 at ten"), TextKind::News, "a number after a lone #");
    for article in [
        "Russia has offered India the Su-57 Felon, officials said.",
        "Email the desk @ 9am.\nThe vote is on Monday.",
        "Standard Life is the latest shareholder to object, a spokesman said.",
        "Snow Patrol were the big winners at the awards on Thursday.",
        "Markets fell.\nThe index is a measure of the largest companies.",
        long_with_link.as_str(),
        "",
    ] {
        assert_eq!(kind(article), TextKind::News, "{article}");
    }
}

/// The shipped weights load for every kind of text, each kind's its own.
#[test]
fn shipped_weights_load_for_every_kind_of_text() {
    let mut sizes = Vec::new();
    for kind in TextKind::READ {
        let tagger = crate::shipped_tagger(kind).unwrap();
        assert!(tagger.len() > 100_000, "{kind}: {} features", tagger.len());
        sizes.push(tagger.len());
    }
    sizes.dedup();
    assert_eq!(sizes.len(), TextKind::READ.len(), "{sizes:?}");
}

#[test]
fn shapes_collapse_long_runs() {
    assert_eq!(shape("Putin"), "Xxx");
    assert_eq!(shape("U.S."), "X.X.");
    assert_eq!(shape("1996-08-30"), "dd-dd-dd");
}

#[test]
fn learns_a_toy_language_and_round_trips() {
    let sents: Vec<(Vec<Token<'_>>, Vec<Label>)> = (0..30)
        .map(|_| {
            (
                toks(&["Alice", "Smith", "visited", "Paris", "."]),
                vec![label("B-PER"), label("I-PER"), label("O"), label("B-LOC"), label("O")],
            )
        })
        .collect();
    let docs = vec![sents.clone()];
    let tagger = Tagger::train(&docs, 3);
    let tags = tagger.tag(&toks(&["Alice", "Smith", "visited", "Paris", "."]));
    assert_eq!(tags, sents[0].1);
    let back = Tagger::from_bytes(&tagger.to_bytes().unwrap()).unwrap();
    assert_eq!(back.tag(&sents[0].0), sents[0].1);
    assert!(Tagger::from_bytes(b"nonsense").is_err());
}

/// Scores made of remembered sums are the plain sums of every feature's weight: for every
/// token of two documents whose words come back beside other words, after other labels and in
/// another document's contexts, read twice (the second time from memory), with a second
/// tagger on the same thread in between.
#[test]
fn remembered_sums_are_the_plain_sums() {
    use super::features::{DocContext, Features, features, prepare};
    use super::{N, Remembered};

    let shipped = crate::shipped_tagger(TextKind::News).unwrap();
    let other = Tagger::train(&[vec![(toks(&["Ann", "Lee", "ran"]), vec![Label::ALL[1]; 3])]], 1);
    let documents = [
        "PARIS SUMMIT ENDS. Paris hosted the summit on Monday. Mr Macron met Olaf Scholz in Paris, \
         and Scholz said the talks in Paris went well. Paris Saint-Germain won later.",
        "Scholz flew to Rome. In Rome, Giorgia Meloni met Scholz; Paris was not mentioned.",
    ];
    let mut remembered = Remembered::default();
    let mut feats = Features::default();
    for round in 0..4 {
        let tagger = if round == 2 { &other } else { &*shipped };
        for text in documents {
            // "Paris" is a gazetteer match at some places only.
            let token = |s: &'static str, (a, b): (usize, usize)| Token {
                text: &s[a..b],
                gazetteer: if &s[a..b] == "Paris" && a % 2 == 0 { "B-LOC" } else { "" },
            };
            let sentences: Vec<Vec<Token<'_>>> = text
                .split_inclusive(". ")
                .map(|s| tokenize(s).into_iter().map(|span| token(s, span)).collect())
                .collect();
            let prepared: Vec<_> = sentences.iter().map(|t| prepare(t)).collect();
            let mut doc = DocContext::new(&prepared);
            remembered.start(tagger.id);
            for p in &prepared {
                // Labels of every kind before each token, other ones each round.
                let labels: Vec<usize> = (0..p.hashes.len()).map(|i| (i * 7 + round) % N).collect();
                for i in 0..p.hashes.len() {
                    features(p, i, &labels[..i], &doc, &mut feats);
                    let mut plain = [0; N];
                    tagger.table.add(&mut plain, &feats.ids);
                    let mut left_out = Features::default();
                    let scores =
                        tagger.score(p, i, &labels[..i], &doc, &mut left_out, &mut remembered);
                    assert_eq!(scores, plain, "round {round}, token {i} of {text:?}");
                }
                doc.remember(p, &labels);
            }
        }
    }
}

/// A document is tagged as it would be alone, whatever the thread tagged before it: the
/// document context a thread keeps between documents carries nothing over.
#[test]
fn documents_tagged_after_others_as_alone() {
    use crate::passes::Passes;

    let shipped = crate::shipped_tagger(TextKind::News).unwrap();
    let sentences = |text: &'static str| -> Vec<Vec<Token<'static>>> {
        text.split_inclusive(". ")
            .map(|s| {
                let token = |(a, b): (usize, usize)| Token { text: &s[a..b], gazetteer: "" };
                tokenize(s).into_iter().map(token).collect()
            })
            .collect()
    };
    let first = sentences(
        "Jordan said Jordan would stay. Coach Jordan met Jordan Smith. Said Jordan, Jordan wins. \
         Jordan told Jordan Henderson that Jordan and Jordan agreed.",
    );
    let second = sentences("JORDAN WINS. Jordan beat Chelsea. The Jordan team drew in Amman.");
    let alone =
        std::thread::scope(|s| s.spawn(|| shipped.tag_doc(&second, Passes::all())).join().unwrap());
    let after = std::thread::scope(|s| {
        s.spawn(|| {
            shipped.tag_doc(&first, Passes::all());
            shipped.tag_doc(&second, Passes::all())
        })
        .join()
        .unwrap()
    });
    assert_eq!(after, alone);
}

/// Taggers read in turn on one thread each keep their remembered sums; one more than there is
/// room for takes over the memory of the one used least recently.
#[test]
fn each_tagger_keeps_its_own_remembered_sums() {
    use super::features::Part;
    use super::{N, REMEMBERED_TAGGERS, memory_of};

    let mut memories = Vec::new();
    let sum = |id: u64| [i32::try_from(id).unwrap() * 10; N];
    let ids = 1..=REMEMBERED_TAGGERS as u64;
    for id in ids.clone() {
        let memory = memory_of(&mut memories, id);
        memory.start(id);
        memory.put(Part::Word, 7, sum(id));
    }
    // In turn, and the first again last: it is then the most recently used.
    for id in ids.clone().chain([1]) {
        let memory = memory_of(&mut memories, id);
        memory.start(id);
        assert_eq!(memory.get(Part::Word, 7), Some(&sum(id)), "tagger {id}");
    }
    let more = REMEMBERED_TAGGERS as u64 + 1;
    let taken = memory_of(&mut memories, more);
    taken.start(more);
    assert_eq!(taken.get(Part::Word, 7), None);
    assert_eq!(memories.len(), REMEMBERED_TAGGERS);
    // The second was the least recently used: its sums are gone, the first's kept.
    let second = memory_of(&mut memories, 2);
    second.start(2);
    assert_eq!(second.get(Part::Word, 7), None);
    let first = memory_of(&mut memories, 1);
    first.start(1);
    assert_eq!(first.get(Part::Word, 7), Some(&sum(1)));
}
