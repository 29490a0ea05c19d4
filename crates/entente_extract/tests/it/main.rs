//! Extract on the shared article and on random text.

use entente_extract::{ExtractConfig, Extractor, Overrides, extract};
use entente_normalise::{NormaliseConfig, Normalised, Normaliser};
use entente_schema::{Tables, check_tables};
use entente_test::{ARTICLE, document, messy_text, render_table};
use proptest::prelude::*;

fn normalise(documents: &[entente_schema::Document]) -> Normalised {
    Normaliser::new(&NormaliseConfig::default()).unwrap().run(documents)
}

fn extractor() -> Extractor {
    Extractor::new(&ExtractConfig::default(), &[]).unwrap()
}

/// Every mention in the shared article with its identity.
#[test]
fn article() {
    let out = normalise(&[document("article.txt", ARTICLE)]);
    let entities = extract(&out.documents, &out.sentences, &extractor());
    insta::assert_snapshot!(render_table(&entities, &["doc_id", "byte_start", "byte_end"]));
}

/// A batch's mentions are in table order (`doc_id`, `mention_idx`) whatever the order of its
/// documents, and where two documents share an id (a batch does not hold such, but the
/// function takes any slice) their mentions interleave as a stable sort of all of them would.
#[test]
fn batch_mentions_in_table_order() {
    let texts = [
        "Angela Merkel met Emmanuel Macron in Paris.",
        "Apple and Microsoft reported results in New York on Monday.",
        ARTICLE,
        "The United Nations said Kofi Annan would visit Baghdad.",
    ];
    let documents: Vec<_> =
        texts.iter().enumerate().map(|(i, t)| document(&format!("{i}.txt"), t)).collect();
    let out = normalise(&documents);
    let extractor = extractor();
    let by_hand = |documents: &[entente_schema::Document]| {
        let mut all = Vec::new();
        for doc in documents {
            let sentences: Vec<_> =
                out.sentences.iter().filter(|s| s.doc_id == doc.doc_id).collect();
            all.extend(entente_extract::extract_document(doc, &sentences, &extractor).unwrap());
        }
        all.sort_by(|a, b| (&a.doc_id, a.mention_idx).cmp(&(&b.doc_id, b.mention_idx)));
        all
    };
    let mut reversed = out.documents.clone();
    reversed.reverse();
    let mut doubled = reversed.clone();
    doubled.push(reversed[1].clone());
    for documents in [&out.documents, &reversed, &doubled] {
        let batch = entente_extract::extract_batch(documents, &out.sentences, &extractor);
        assert!(batch.entities.len() > 10);
        let in_order: Vec<_> = batch.entities.iter().cloned().collect();
        assert_eq!(batch.entities.clone().into_vec(), in_order);
        assert_eq!(in_order, by_hand(documents));
        // Equal to the same mentions in one vector.
        let one = entente_extract::Extracted {
            entities: entente_extract::Mentions::from(in_order),
            rejects: batch.rejects.clone(),
        };
        assert_eq!(batch, one);
    }
}

/// Every mention in each fixture of `resources/test/entities/` (gazetteer aliases and case
/// variants, names only the tagger knows, headings and table cells, values, acronyms), as a
/// table per fixture.
#[test]
fn fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/entities");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 6);
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let out = normalise(&[document(&name, &text)]);
        let entities = extract(&out.documents, &out.sentences, &extractor());
        insta::assert_snapshot!(
            name,
            render_table(
                &entities,
                &["doc_id", "mention_idx", "byte_start", "byte_end", "entity_name"]
            )
        );
    }
}

/// A user gazetteer adds entities; a malformed one is an error naming the file and line.
#[test]
fn user_gazetteer() {
    let header = "entity_id\tentity_type\tname\tcountry_id\taliases\n";
    let good = format!("{header}org:novatek\tORG\tNovatek\tiso3166:RU\tNovatek|Novatek PJSC\n");
    let ex = Extractor::new(&ExtractConfig::default(), &[("mine.tsv", &good)]).unwrap();
    let ids: Vec<String> =
        ex.find("Novatek PJSC signs with China").into_iter().map(|f| f.entity_id).collect();
    assert_eq!(ids, ["org:novatek", "iso3166:CN"]);
    let bad = format!("{header}org:x\tCOMPANY\tX\t\tX\n");
    let err = Extractor::new(&ExtractConfig::default(), &[("bad.tsv", &bad)]).unwrap_err();
    assert_eq!(err.to_string(), "gazetteer bad.tsv, line 2: unknown entity type \"COMPANY\"");
}

/// A document in a language the extractor does not read gets no mentions, and says why.
#[test]
fn other_languages_are_skipped() {
    let german = "Die Außenminister Chinas und Russlands trafen sich am Montag in Moskau, um über \
                  die Zusammenarbeit beider Länder zu sprechen. China und Russland wollen enger \
                  zusammenarbeiten, den Handel ausbauen und die Zahlungen in eigenen Währungen \
                  abwickeln, sagte ein Sprecher des Außenministeriums nach dem Treffen.";
    let out = normalise(&[document("de.txt", german), document("en.txt", ARTICLE)]);
    let by_source = |s: &str| out.documents.iter().find(|d| d.source == s).unwrap();
    assert_eq!(by_source("de.txt").extractable, Some(false));
    assert_eq!(by_source("en.txt").extractable, Some(true));
    let entities = extract(&out.documents, &out.sentences, &extractor());
    let de_id = &by_source("de.txt").doc_id;
    assert!(entities.iter().all(|e| &e.doc_id != de_id));
    assert!(!entities.is_empty());
}

proptest! {
    /// Mentions found in random Unicode text obey every offset invariant of the contract
    /// (char boundaries, inside their sentence, one name per id), never cross a line break and
    /// hold no possessive or bracket at their edges.
    #[test]
    fn offsets_hold_on_random_text(raw in messy_text()) {
        let out = normalise(&[document("r.txt", &raw)]);
        let entities = extract(&out.documents, &out.sentences, &extractor());
        let violations = check_tables(Tables {
            documents: &out.documents,
            sentences: &out.sentences,
            text_edits: &out.text_edits,
            boilerplate: &out.boilerplate,
            entities: &entities,
            aggregated: None,
        });
        prop_assert!(violations.is_empty(), "{violations:#?}");
        for e in &entities {
            prop_assert!(!e.text.contains(['\n', '\r']), "across a line break: {e:?}");
            prop_assert!(!e.text.ends_with("'s") && !e.text.ends_with("’s"), "possessive: {e:?}");
            prop_assert!(
                !e.text.starts_with(['(', '[']) && !e.text.ends_with([')', ']']),
                "bracket: {e:?}"
            );
        }
    }
}

/// A lone surname or family name after the full name is the same person; before it, or
/// shared by two people of the document, it is not resolved (the gazetteer alone here, so the
/// tagger's own reading of "Kim" or "Dmitry" does not blur the rule).
#[test]
fn short_forms_resolve_to_people_named_earlier() {
    let text = "Kim said nothing. Kim Jong Un met Vladimir Putin in Moscow. Later Kim spoke and \
                Putin listened. Dmitry Peskov and Dmitry Medvedev attended; Dmitry left early.";
    let out = normalise(&[document("a.txt", text)]);
    let config = ExtractConfig { model: false, ..ExtractConfig::default() };
    let entities = extract(&out.documents, &out.sentences, &Extractor::new(&config, &[]).unwrap());
    let found: Vec<(&str, &str)> = entities
        .iter()
        .filter(|e| e.entity_type == entente_schema::EntityType::Person)
        .map(|e| (e.text.as_str(), e.entity_id.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("Kim Jong Un", "person:kim-jong-un"),
            ("Vladimir Putin", "person:vladimir-putin"),
            ("Kim", "person:kim-jong-un"),
            ("Putin", "person:vladimir-putin"),
            ("Dmitry Peskov", "person:dmitry-peskov"),
            ("Dmitry Medvedev", "person:dmitry-medvedev"),
        ]
    );
}

/// The mentions of `text` (one document) as `(text, entity_id, type)`.
fn mentions(extractor: &Extractor, text: &str) -> Vec<(String, String, String)> {
    let out = normalise(&[document("a.txt", text)]);
    extract(&out.documents, &out.sentences, extractor)
        .into_iter()
        .map(|e| (e.text, e.entity_id, e.entity_type.as_str().to_owned()))
        .collect()
}

/// `[extract] text = "auto"` (the default) reads a document that reads like a post with the
/// social weights, one that opens like an encyclopedia article with the encyclopedia weights,
/// and any other with the news model.
#[test]
fn auto_reads_posts_as_social_definitions_as_encyclopedia_and_the_rest_as_news() {
    use entente_extract::tagger::TextKind;
    let with = |text| Extractor::new(&ExtractConfig { text, ..ExtractConfig::default() }, &[]);
    let [auto, news, social, encyclopedia] =
        [TextKind::Auto, TextKind::News, TextKind::Social, TextKind::Encyclopedia]
            .map(|k| with(k).unwrap());
    let post = "happy birthday @ jess_m ! see u at Nandos";
    assert_eq!(TextKind::of_document(&[post]), TextKind::Social);
    assert_ne!(mentions(&news, post), mentions(&social, post));
    assert_eq!(mentions(&auto, post), mentions(&social, post));
    let article =
        "West Indian all-rounder Phil Simmons took four for 38 as Leicestershire beat Somerset.";
    assert_eq!(TextKind::of_document(&[article]), TextKind::News);
    assert_ne!(mentions(&news, article), mentions(&social, article));
    assert_eq!(mentions(&auto, article), mentions(&news, article));
    let entry =
        "Gigi is a British indie pop band signed to Rough Trade Records, formed in Glasgow.";
    assert_eq!(TextKind::of_document(&[entry]), TextKind::Encyclopedia);
    assert_ne!(mentions(&news, entry), mentions(&encyclopedia, entry));
    assert_eq!(mentions(&auto, entry), mentions(&encyclopedia, entry));
}

/// Names the lists know, joined by "And" in a headline, stay apart: the tagger's longer span
/// has no word of its own; the headline's subtitle names nothing. Currencies and abbreviations
/// of common nouns written in capitals are no names.
#[test]
fn headline_names_currencies_and_abbreviations() {
    let ex = extractor();
    assert_eq!(
        mentions(&ex, "Xi Jinping And Putin's Meeting: A New Era?\n\nThey met."),
        [
            row("Xi Jinping", "person:xi-jinping", "PERSON"),
            // A surname alone, with no full name in the document or the corpus, is nobody
            // in particular: the gazetteer's Putin needs that support.
            row("Putin", "person:putin", "PERSON"),
        ]
    );
    let text = "They prefer their own currencies, the Ruble and the Yuan, and work on AI.";
    assert_eq!(mentions(&ex, text), []);
}

/// A compound kept whole as one name ("US-led", as CoNLL-2003 annotates it) belongs to the
/// country it opens with.
#[test]
fn compounds_belong_to_their_country() {
    let text = "The US-led coalition shaped the Western-backed plan.";
    let found: Vec<(String, String, Option<String>)> = extractor()
        .find(text)
        .into_iter()
        .map(|f| (f.entity_name, f.entity_type.as_str().to_owned(), f.country_id))
        .collect();
    let country =
        |name: &str| found.iter().find(|f| f.0 == name).map(|f| (f.1.as_str(), f.2.as_deref()));
    assert_eq!(country("US-led"), Some(("MISC", Some("iso3166:US"))), "{found:?}");
    assert_eq!(country("Western-backed"), Some(("MISC", None)), "{found:?}");
}

/// Pipelines, programmes and treaties are in the lists, with their countries.
#[test]
fn pipelines_and_treaties_are_listed() {
    let found = extractor()
        .find("Gas flows through Power of Siberia and once flowed through Nord Stream 2.");
    let ids: Vec<(&str, &str, Option<&str>)> = found
        .iter()
        .map(|f| (f.entity_id.as_str(), f.entity_type.as_str(), f.country_id.as_deref()))
        .collect();
    assert_eq!(
        ids,
        [
            ("law:power-of-siberia", "LAW", Some("iso3166:RU")),
            ("law:nord-stream-2", "LAW", Some("iso3166:RU")),
        ]
    );
}

/// A city or region the tagger finds gets the place list's id and country; the list alone
/// reports nothing, since many of its names are also people or words ("Lincoln").
#[test]
fn places_the_tagger_finds_get_the_place_lists_ids() {
    let text =
        "The company moved from Houston to Maharashtra in 2003, then opened offices in Ontario.";
    let found = extractor().find(text);
    let ids: Vec<(&str, &str, Option<&str>)> = found
        .iter()
        .map(|f| {
            (
                text.get(f.start..f.end).unwrap_or_default(),
                f.entity_id.as_str(),
                f.country_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("Houston", "city:US:houston", Some("iso3166:US")),
            ("Maharashtra", "iso3166-2:IN-MH", Some("iso3166:IN")),
            ("2003", "date:2003", None),
            ("Ontario", "iso3166-2:CA-ON", Some("iso3166:CA")),
        ]
    );
    let lists_only = ExtractConfig { model: false, ..ExtractConfig::default() };
    let ex = Extractor::new(&lists_only, &[]).unwrap();
    let types: Vec<String> =
        ex.find(text).into_iter().map(|f| f.entity_type.as_str().to_owned()).collect();
    assert_eq!(types, ["DATE"]);
}

/// A name that places in several countries share takes the reading its document supports,
/// or, for a country, the other reading when the country did not exist yet; a region abroad
/// that nothing in the document supports is no link; the lists never fire inside a
/// hyphenated company name.
#[test]
fn shared_place_names_take_the_reading_their_document_supports() {
    let ex = extractor();
    let place = |text: &str, published: Option<i64>, name: &str| -> String {
        let mut doc = document("a.txt", text);
        doc.published_at = published;
        let out = normalise(&[doc]);
        let found = extract(&out.documents, &out.sentences, &ex);
        let ids: Vec<&str> =
            found.iter().filter(|e| e.text == name).map(|e| e.entity_id.as_str()).collect();
        ids.join(",")
    };
    let port = "Three ships were loading at Portland, Oregon, on Tuesday.";
    assert_eq!(place(port, None, "Portland"), "city:US:portland");
    let jamaica = "Rain hit Portland and Kingston in Jamaica on Tuesday.";
    assert_eq!(place(jamaica, None, "Portland"), "iso3166-2:JM-04");
    let regulators = "Georgia regulators approved the rate increase on Tuesday.";
    let y1987 = Some(541_296_000_000_000); // 1987-02-26
    let y2020 = Some(1_583_020_800_000_000); // 2020-03-01
    assert_eq!(place(regulators, y1987, "Georgia"), "iso3166-2:US-GA");
    assert_eq!(place(regulators, y2020, "Georgia"), "iso3166:GE");
    let atlanta = "Officials in Atlanta, Georgia, said the plant would close.";
    assert_eq!(place(atlanta, y2020, "Georgia"), "iso3166-2:US-GA");
    // Santa Fe is Argentina's province and New Mexico's capital: a US story takes the city,
    // a story that names neither country neither.
    let kansas = "Kansas regulators said Santa Fe must sell its stake, Topeka officials said.";
    assert_eq!(place(kansas, None, "Santa Fe"), "city:US:santa-fe");
    let railroad = "Santa Fe said its railroad earned more in the quarter.";
    let own = place(railroad, None, "Santa Fe");
    assert!(
        own.ends_with(":santa-fe") && !own.starts_with("city:") && !own.contains("AR"),
        "{own}"
    );
    let company = "Georgia-Pacific Corp shares rose 2 dlrs in New York.";
    assert!(!place(company, y2020, "Georgia").contains("GE"));
}

fn with_overrides(toml: &str) -> Result<Extractor, entente_extract::Error> {
    let overrides: Overrides = toml::from_str(toml).unwrap();
    extractor().with_overrides(&overrides)
}

fn row(text: &str, id: &str, ty: &str) -> (String, String, String) {
    (text.to_owned(), id.to_owned(), ty.to_owned())
}

/// `[[add]]` creates an entity the gazetteer finds by its aliases; an id that exists is an
/// error that says what to do instead.
#[test]
fn overrides_add() {
    let ex = with_overrides(
        "[[add]]\nid = \"org:novatek\"\ntype = \"ORG\"\nname = \"Novatek\"\ncountry = \"iso3166:RU\"\naliases = [\"Novatek\", \"Novatek PJSC\"]\n",
    )
    .unwrap();
    let found = mentions(&ex, "Novatek PJSC signed a deal. Novatek said so.");
    assert_eq!(
        found,
        [row("Novatek PJSC", "org:novatek", "ORG"), row("Novatek", "org:novatek", "ORG")]
    );
    let err = with_overrides("[[add]]\nid = \"iso3166:CN\"\ntype = \"GPE\"\nname = \"China\"\n")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "overrides: add #1: iso3166:CN is already an entity; use [[alias]] to give it more names"
    );
}

/// `[[alias]]` gives a known entity more names; an unknown id is an error.
#[test]
fn overrides_alias() {
    let text = "The Middle Kingdom and the Celestial Empire traded.";
    assert!(!mentions(&extractor(), text).iter().any(|(_, id, _)| id == "iso3166:CN"));
    let ex = with_overrides(
        "[[alias]]\nid = \"iso3166:CN\"\naliases = [\"Middle Kingdom\", \"Celestial Empire\"]\n",
    )
    .unwrap();
    let found = mentions(&ex, text);
    assert_eq!(
        found,
        [row("Middle Kingdom", "iso3166:CN", "GPE"), row("Celestial Empire", "iso3166:CN", "GPE")]
    );
    let err = with_overrides("[[alias]]\nid = \"org:nobody\"\naliases = [\"X\"]\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "overrides: alias #1: no entity has the id org:nobody; use [[add]] to create it"
    );
}

/// `[[merge]]` gives the mentions of several ids one identity, the gazetteer's when it knows
/// the target; a target nobody knows needs a name and a type.
#[test]
fn overrides_merge() {
    let text = "Vladimir Putin met Xi Jinping in Moscow.";
    let ex = with_overrides("[[merge]]\nids = [\"person:vladimir-putin\", \"person:xi-jinping\"]\ninto = \"org:kremlin\"\n").unwrap();
    let found = mentions(&ex, text);
    assert_eq!(
        found,
        [
            row("Vladimir Putin", "org:kremlin", "ORG"),
            row("Xi Jinping", "org:kremlin", "ORG"),
            row("Moscow", "city:RU:moscow", "GPE"),
        ]
    );
    let ex = with_overrides("[[merge]]\nids = [\"city:RU:moscow\"]\ninto = \"gpe:moskva\"\nname = \"Moskva\"\ntype = \"GPE\"\n").unwrap();
    let out = normalise(&[document("a.txt", text)]);
    let moscow = extract(&out.documents, &out.sentences, &ex).pop().unwrap();
    assert_eq!((moscow.entity_id.as_str(), moscow.entity_name.as_str()), ("gpe:moskva", "Moskva"));
    let err = with_overrides("[[merge]]\nids = [\"a:b\"]\ninto = \"gpe:nowhere\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "overrides: merge #1: no gazetteer knows gpe:nowhere; give its name and type"
    );
}

/// `[[block]]` drops mentions by id and by exact text, whoever found them.
#[test]
fn overrides_block() {
    let text = "Vladimir Putin met Xi Jinping in Moscow. Moscow agreed.";
    let ex =
        with_overrides("[[block]]\nids = [\"person:xi-jinping\"]\ntexts = [\"Moscow\"]\n").unwrap();
    assert_eq!(mentions(&ex, text), [row("Vladimir Putin", "person:vladimir-putin", "PERSON")]);
    assert!(ex.unused_overrides().is_empty(), "{:?}", ex.unused_overrides());
    // A rule that changes nothing is reported: merges, then blocks.
    let ex = with_overrides(
        "[[block]]\nids = [\"person:xi-jinpin\"]\ntexts = [\"Moscow\", \"Kiev\"]\n\n[[merge]]\nids = [\"a:b\"]\ninto = \"iso3166:RU\"\n",
    )
    .unwrap();
    assert_eq!(ex.unused_overrides().len(), 4);
    mentions(&ex, text);
    assert_eq!(
        ex.unused_overrides(),
        ["merge #1: id a:b", "block #1: id person:xi-jinpin", "block #1: text \"Kiev\""]
    );
}

/// An acronym in parentheses after a name names that entity for the rest of the document
/// (here without the tagger, so only the definition can find it); before its definition it
/// is left alone.
#[test]
fn acronyms_defined_in_parentheses() {
    let overrides: Overrides = toml::from_str(
        "[[add]]\nid = \"org:northern-lumber\"\ntype = \"ORG\"\nname = \"Northern Lumber Cooperative\"\n",
    )
    .unwrap();
    let config = ExtractConfig { model: false, ..ExtractConfig::default() };
    let ex = Extractor::new(&config, &[]).unwrap().with_overrides(&overrides).unwrap();
    let text = "Shares of NLC fell. The Northern Lumber Cooperative (NLC) signed a deal with \
                China. Later NLC grew, and NLC-backed mills opened.";
    let lumber = row("Northern Lumber Cooperative", "org:northern-lumber", "ORG");
    let nlc = row("NLC", "org:northern-lumber", "ORG");
    assert_eq!(
        mentions(&ex, text),
        [lumber, nlc.clone(), row("China", "iso3166:CN", "GPE"), nlc.clone(), nlc]
    );
}
