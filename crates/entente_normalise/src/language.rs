//! Language identification: `whatlang` (69 languages, with a confidence) checked by
//! `whichlang` (16 major languages). A detection is trusted only on prose (at least 80% of the
//! sample's visible characters are letters, and 25 words of three letters or more), with
//! whatlang's confidence at least `min_confidence`, and, when the language is one of
//! whichlang's, with whichlang agreeing. Measured on Reuters-21578 (all English): whatlang
//! alone called 616 earnings tables ("Shr seven cts vs nine cts Net 168,000") French with
//! confidence up to 1.0; the prose check and the second opinion leave none. Latin-script
//! text gets whatlang's answer from [`crate::latin`], which computes it far cheaper.

use serde::{Deserialize, Serialize};
use whatlang::Lang;

/// Language identification (`[normalise.language]` in a pipeline file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Languages the extract stage reads (ISO 639-1 codes). Documents whose `language` is
    /// another one get `extractable = false`: they keep their `documents` and `sentences`
    /// rows, and extraction skips them.
    pub supported: Vec<String>,
    /// A detection below this confidence is not trusted: `language` then falls back to the
    /// declared language, or stays null (and the document is extracted).
    pub min_confidence: f64,
    /// How much of the text the detector reads, in bytes (the start of the text).
    pub sample_bytes: usize,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        Self { supported: vec!["en".into()], min_confidence: 0.5, sample_bytes: 512 }
    }
}

/// The outcome for one document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Identified {
    pub language: Option<String>,
    pub confidence: Option<f64>,
    pub extractable: bool,
}

/// How much of the sample whichlang reads first; the whole sample only when that part's
/// language is not whatlang's.
const SECOND_OPINION_BYTES: usize = 256;

/// The start of `text`, at most `bytes` long, cut at a character boundary.
fn head(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or(text)
}

/// Whether whichlang reads `sample` as the language of ISO 639-3 `code`: its first
/// [`SECOND_OPINION_BYTES`], or failing that the whole sample. Asked of the whole sample
/// alone it costs twice as much and decided the same on BBC news, Reuters-21578 and the
/// Zyte pages (docs/normalise.md).
fn second_opinion_agrees(sample: &str, code: &str) -> bool {
    let short = head(sample, SECOND_OPINION_BYTES);
    whichlang::detect_language(short).three_letter_code() == code
        || (short.len() < sample.len()
            && whichlang::detect_language(sample).three_letter_code() == code)
}

pub(crate) fn identify(text: &str, declared: Option<&str>, config: &LanguageConfig) -> Identified {
    let sample = head(text, config.sample_bytes);
    let info = match whatlang::detect_script(sample) {
        Some(whatlang::Script::Latin) => Some(crate::latin::detect(sample)),
        _ => whatlang::detect(sample),
    };
    let confidence = info.as_ref().map(whatlang::Info::confidence);
    let detected = info
        .filter(|i| i.confidence() >= config.min_confidence && is_prose(sample))
        .filter(|i| {
            let code = i.lang().code();
            let known = whichlang::LANGUAGES.iter().any(|l| l.three_letter_code() == code);
            !known || second_opinion_agrees(sample, code)
        })
        .map(|i| iso639_1(i.lang()).to_owned());
    let language = detected.or_else(|| declared.and_then(declared_code));
    let extractable = language.as_ref().is_none_or(|l| config.supported.iter().any(|s| s == l));
    Identified { language, confidence, extractable }
}

/// Whether `sample` reads as running text rather than a table of figures: at least 80% of its
/// visible characters are letters and it has 25 words of three letters or more (a run of
/// letters counts as one word, so unspaced scripts qualify by length).
fn is_prose(sample: &str) -> bool {
    let (mut visible, mut letters, mut words, mut run) = (0usize, 0usize, 0usize, 0usize);
    for c in sample.chars() {
        if c.is_alphabetic() {
            letters += 1;
            run += 1;
        } else {
            words += usize::from(run >= 3);
            run = 0;
        }
        visible += usize::from(!c.is_whitespace());
    }
    words += usize::from(run >= 3);
    letters * 5 >= visible * 4 && (words >= 25 || letters >= 150)
}

/// The primary subtag of a declared language (`en-US`, `en_GB`, `EN`, `eng` → `en`).
pub(crate) fn declared_code(declared: &str) -> Option<String> {
    let primary = declared.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.len() {
        2 if primary.chars().all(|c| c.is_ascii_lowercase()) => Some(primary),
        3 => Some(Lang::from_code(primary.as_str()).map_or(primary, |l| iso639_1(l).to_owned())),
        _ => None,
    }
}

/// ISO 639-1 code of a whatlang language (every one of them has one).
fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

#[cfg(test)]
mod tests {
    use super::{LanguageConfig, declared_code, identify};

    #[test]
    fn declared_codes_reduce_to_their_primary_subtag() {
        assert_eq!(declared_code("en-US").as_deref(), Some("en"));
        assert_eq!(declared_code("EN_gb").as_deref(), Some("en"));
        assert_eq!(declared_code("deu").as_deref(), Some("de"));
        assert_eq!(declared_code("").as_deref(), None);
    }

    /// whichlang reads the head of this sample as Portuguese (a list of Brazilian cities) and
    /// the whole as English, as whatlang does: the second opinion asks again of the whole.
    #[test]
    fn second_opinion_reads_the_whole_sample_when_its_head_disagrees() {
        let text = "Sao Paulo, Rio de Janeiro, Belo Horizonte, Porto Alegre, Salvador, Recife, \
                    Fortaleza, Curitiba, Manaus, Belem, Goiania, Campinas, Sao Luis, Maceio, \
                    Natal, Teresina, Joao Pessoa, Aracaju, Cuiaba, Florianopolis, Vitoria, \
                    Palmas, Boa Vista, Macapa, Rio Branco. These are the state capitals of \
                    Brazil, where the census bureau counted more people this year than in any \
                    earlier count, and where the government plans to build new schools, \
                    hospitals and roads over the next ten years, officials said on Tuesday.";
        let head = super::head(text, super::SECOND_OPINION_BYTES);
        assert_eq!(whichlang::detect_language(head).three_letter_code(), "por");
        let out = identify(text, None, &LanguageConfig::default());
        assert_eq!(out.language.as_deref(), Some("en"));
    }

    #[test]
    fn tables_of_figures_are_not_trusted() {
        let earnings = "Shr seven cts vs nine cts Net 168,000 vs 206,000 Sales 15.3 mln vs 10.9 mln \
                        Nine mths Shr 10 cts vs 38 cts Net 228,000 vs 649,000 Sales 35.8 mln";
        let out = identify(earnings, None, &LanguageConfig::default());
        assert_eq!(out.language, None);
        assert!(out.extractable);
    }

    #[test]
    fn german_is_detected_and_not_extractable() {
        let config = LanguageConfig::default();
        let de = identify(
            "Die Außenminister Chinas und Russlands trafen sich am Montag in Moskau, um über die \
             Zusammenarbeit beider Länder zu sprechen. Beide Seiten wollen den Handel ausbauen \
             und die Zahlungen in eigenen Währungen abwickeln, sagte ein Sprecher des \
             Außenministeriums nach dem Treffen.",
            None,
            &config,
        );
        assert_eq!(de.language.as_deref(), Some("de"));
        assert!(!de.extractable);
        // Detection on prose overrides a wrong declaration; a short line falls back to it.
        let en = identify(
            "The foreign ministers of China and Russia met in Moscow on Monday to discuss \
             cooperation between the two countries. Both sides want to expand trade and settle \
             more payments in their own currencies, a spokesman said after the meeting.",
            Some("fr"),
            &config,
        );
        assert_eq!(en.language.as_deref(), Some("en"));
        assert!(en.extractable);
        let short = identify("The ministers met on Monday.", Some("fr-FR"), &config);
        assert_eq!(short.language.as_deref(), Some("fr"));
        assert!(!short.extractable);
    }
}
