//! Pattern rules for values: MONEY, PERCENT, DATE and QUANTITY mentions.
//!
//! - MONEY: a currency sign or code before a number (`$240 billion`, `US$1.5bn`, `€3m`,
//!   `USD 40`), or a currency word after one (`300 million yuan`). The value is the amount
//!   with its scale applied; the unit an ISO 4217 code.
//! - PERCENT: a number followed by `%`, `percent` or `per cent`.
//! - QUANTITY: a number (and scale) followed by a unit of length, area, mass, volume, power or
//!   energy (`500 km`, `38 bcm`, `1.2 million barrels per day`, `3,000 tonnes`, `5 GW`). The
//!   value is converted to the unit's base (`m`, `m2`, `kg`, `m3`, `W`, `Wh`; oil stays in
//!   barrels, `bbl` and `bbl/d`); "tons" are read as metric tonnes.
//! - DATE: a year from 1000 to 2199 standing alone, with a month before it (`May 2024`,
//!   `May 16, 2024`) or a day and month (`16 May 2024`); a month and day without a year are
//!   not dated. The `iso_date` is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.

use entente_schema::EntityType;

/// A value mention found by a rule, in byte offsets of the text searched.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMatch {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// MONEY, PERCENT or DATE.
    pub entity_type: EntityType,
    /// The amount (MONEY) or the percentage (PERCENT).
    pub value: Option<f64>,
    /// Currency code (MONEY), `percent`, or the base unit of a QUANTITY.
    pub unit: Option<String>,
    /// ISO 8601 date (DATE).
    pub iso_date: Option<String>,
}

impl RuleMatch {
    /// The canonical key and name of the value: equal values share them.
    pub fn identity(&self) -> (String, String) {
        match self.entity_type {
            EntityType::Money => {
                let unit = self.unit.as_deref().unwrap_or("XXX");
                let value = self.value.unwrap_or_default();
                (format!("money:{unit}:{value}"), format!("{value} {unit}"))
            }
            EntityType::Percent => {
                let value = self.value.unwrap_or_default();
                (format!("percent:{value}"), format!("{value}%"))
            }
            EntityType::Quantity => {
                let unit = self.unit.as_deref().unwrap_or_default();
                let value = self.value.unwrap_or_default();
                (format!("quantity:{unit}:{value}"), format!("{value} {unit}"))
            }
            _ => {
                let date = self.iso_date.clone().unwrap_or_default();
                (format!("date:{date}"), date)
            }
        }
    }
}

const MONTHS: [(&str, &str); 12] = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may", "may"),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
];

const SCALES: [(&str, f64); 11] = [
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
    ("tn", 1e12),
    ("trn", 1e12),
    ("bn", 1e9),
    ("mn", 1e6),
    ("m", 1e6),
    ("b", 1e9),
    ("k", 1e3),
];

const SIGNS: [(&str, &str); 9] = [
    ("US$", "USD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("HK$", "HKD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "CNY"),
    ("₽", "RUB"),
];

const CODES: [&str; 9] = ["USD", "EUR", "GBP", "CNY", "RMB", "RUB", "JPY", "INR", "CHF"];

const WORDS: [(&str, &str); 14] = [
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("pounds", "GBP"),
    ("yuan", "CNY"),
    ("renminbi", "CNY"),
    ("rubles", "RUB"),
    ("roubles", "RUB"),
    ("ruble", "RUB"),
    ("rouble", "RUB"),
    ("yen", "JPY"),
    ("rupees", "INR"),
    ("won", "KRW"),
];

/// Units of measurement after a number: `(surface, base unit, factor)`. Longer surfaces come
/// first; symbols match as written, words in any case.
const UNITS: &[(&str, &str, f64)] = &[
    ("barrels per day", "bbl/d", 1.0),
    ("barrels a day", "bbl/d", 1.0),
    ("square kilometres", "m2", 1e6),
    ("square kilometers", "m2", 1e6),
    ("square miles", "m2", 2_589_988.110_336),
    ("cubic metres", "m3", 1.0),
    ("cubic meters", "m3", 1.0),
    ("cubic feet", "m3", 0.028_316_846_592),
    ("kilometres", "m", 1e3),
    ("kilometers", "m", 1e3),
    ("kilometre", "m", 1e3),
    ("kilometer", "m", 1e3),
    ("metres", "m", 1.0),
    ("meters", "m", 1.0),
    ("miles", "m", 1_609.344),
    ("mile", "m", 1_609.344),
    ("hectares", "m2", 1e4),
    ("acres", "m2", 4_046.856_422_4),
    ("kilograms", "kg", 1.0),
    ("kilogrammes", "kg", 1.0),
    ("tonnes", "kg", 1e3),
    ("tonne", "kg", 1e3),
    ("tons", "kg", 1e3),
    ("ton", "kg", 1e3),
    ("barrels", "bbl", 1.0),
    ("barrel", "bbl", 1.0),
    ("gigawatts", "W", 1e9),
    ("megawatts", "W", 1e6),
    ("kilowatts", "W", 1e3),
    ("sq km", "m2", 1e6),
    ("km2", "m2", 1e6),
    ("km²", "m2", 1e6),
    ("km", "m", 1e3),
    ("kg", "kg", 1.0),
    ("bcm", "m3", 1e9),
    ("tcf", "m3", 28_316_846.592),
    ("bpd", "bbl/d", 1.0),
    ("b/d", "bbl/d", 1.0),
    ("bbl", "bbl", 1.0),
    ("TWh", "Wh", 1e12),
    ("GWh", "Wh", 1e9),
    ("MWh", "Wh", 1e6),
    ("kWh", "Wh", 1e3),
    ("GW", "W", 1e9),
    ("MW", "W", 1e6),
    ("kW", "W", 1e3),
];

/// The unit right after byte `at` (one space or none before it), as `(base unit, factor,
/// end)`.
fn unit_after(text: &str, at: usize) -> Option<(&'static str, f64, usize)> {
    let rest = text.get(at..)?;
    let (rest, skipped) = match rest.strip_prefix(' ') {
        Some(r) => (r, 1),
        None => (rest, 0),
    };
    UNITS.iter().find_map(|&(surface, unit, factor)| {
        let head = rest.get(..surface.len())?;
        // Units written as lower-case words match in any case, symbols as written.
        let word = surface.bytes().all(|b| b.is_ascii_lowercase() || b == b' ');
        let same = if word { head.eq_ignore_ascii_case(surface) } else { head == surface };
        if !same {
            return None;
        }
        let end = at + skipped + surface.len();
        let boundary =
            !text.get(end..).and_then(|r| r.chars().next()).is_some_and(char::is_alphanumeric);
        boundary.then_some((unit, factor, end))
    })
}

/// A number parsed from text.
struct Number {
    start: usize,
    end: usize,
    value: f64,
    plain_integer: bool,
}

/// Every value mention in `text`, in order, non-overlapping.
pub fn find_values(text: &str) -> Vec<RuleMatch> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        i = next_digit(bytes, i);
        if i >= bytes.len() {
            break;
        }
        // A digit starts a number unless it continues a word or a number.
        let starts_number = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'.' | b','));
        if !starts_number {
            i += 1;
            continue;
        }
        let Some(number) = parse_number(text, i) else {
            i += 1;
            continue;
        };
        match classify(text, &number) {
            Some(m) => {
                i = m.end.max(i + 1);
                out.push(m);
            }
            None => i = number.end,
        }
    }
    out
}

/// The first index from `i` of an ASCII digit in `bytes`, or the length.
pub(crate) fn next_digit(bytes: &[u8], i: usize) -> usize {
    let marks = |word: u64| crate::words::ascii_in(word, b'0', b'9');
    crate::words::next_marked(bytes, i, marks, |b| b.is_ascii_digit())
}

fn parse_number(text: &str, start: usize) -> Option<Number> {
    let bytes = text.as_bytes();
    let mut end = start;
    let mut digits = String::new();
    let mut plain = true;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        digits.push(char::from(bytes[end]));
        end += 1;
    }
    // Thousands separators: groups of exactly three digits.
    while end + 3 < bytes.len()
        && bytes[end] == b','
        && bytes[end + 1..=end + 3].iter().all(u8::is_ascii_digit)
        && !bytes.get(end + 4).is_some_and(u8::is_ascii_digit)
    {
        digits.extend(bytes[end + 1..=end + 3].iter().map(|&b| char::from(b)));
        end += 4;
        plain = false;
    }
    if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
        digits.push('.');
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            digits.push(char::from(bytes[end]));
            end += 1;
        }
        plain = false;
    }
    let value = digits.parse::<f64>().ok()?;
    Some(Number { start, end, value, plain_integer: plain })
}

/// The word (ASCII letters) starting at `at`, and where it ends.
fn word_at(text: &str, at: usize) -> (&str, usize) {
    let rest = text.get(at..).unwrap_or("");
    let len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    (rest.get(..len).unwrap_or(""), at + len)
}

/// After a number: an optional scale word, as `(multiplier, end)`.
fn scale_after(text: &str, end: usize) -> (f64, usize) {
    let bytes = text.as_bytes();
    // "bn", "m", "k" may follow directly; words follow after one space.
    let (word, word_end) = word_at(text, end);
    let (spaced, spaced_end) =
        if bytes.get(end) == Some(&b' ') { word_at(text, end + 1) } else { ("", end) };
    for (name, mult) in SCALES {
        if name.len() <= 3 && word.eq_ignore_ascii_case(name) {
            return (mult, word_end);
        }
        if name.len() > 3 && spaced.eq_ignore_ascii_case(name) {
            return (mult, spaced_end);
        }
    }
    (1.0, end)
}

fn classify(text: &str, n: &Number) -> Option<RuleMatch> {
    let before = text.get(..n.start).unwrap_or("");
    let (mult, after_scale) = scale_after(text, n.end);
    let amount = n.value * mult;
    let money = |start, end, unit: &str| RuleMatch {
        start,
        end,
        entity_type: EntityType::Money,
        value: Some(amount),
        unit: Some(unit.to_owned()),
        iso_date: None,
    };
    // A currency sign or code right before the number.
    for (sign, code) in SIGNS {
        if let Some(head) = before.strip_suffix(sign) {
            let start = head.len();
            if !head.chars().next_back().is_some_and(char::is_alphanumeric) {
                return Some(money(start, after_scale, code));
            }
        }
    }
    for code in CODES {
        // "USD 5" or "USD5".
        let spaced = before.strip_suffix(' ').and_then(|b| b.strip_suffix(code));
        if let Some(head) = spaced.or_else(|| before.strip_suffix(code))
            && !head.chars().next_back().is_some_and(char::is_alphanumeric)
        {
            let unit = if code == "RMB" { "CNY" } else { code };
            return Some(money(head.len(), after_scale, unit));
        }
    }
    // A currency word after the number (and its scale).
    if text.as_bytes().get(after_scale) == Some(&b' ') {
        let (word, end) = word_at(text, after_scale + 1);
        if let Some((_, code)) = WORDS.iter().find(|(w, _)| word.eq_ignore_ascii_case(w)) {
            return Some(money(n.start, end, code));
        }
    }
    // Percentages.
    let rest = text.get(n.end..).unwrap_or("");
    for suffix in ["%", " percent", " per cent", " pct"] {
        if rest.starts_with(suffix)
            && !rest
                .get(suffix.len()..)
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_alphanumeric)
        {
            return Some(RuleMatch {
                start: n.start,
                end: n.end + suffix.len(),
                entity_type: EntityType::Percent,
                value: Some(n.value),
                unit: Some("percent".into()),
                iso_date: None,
            });
        }
    }
    // Measurements.
    if let Some((unit, factor, end)) = unit_after(text, after_scale) {
        return Some(RuleMatch {
            start: n.start,
            end,
            entity_type: EntityType::Quantity,
            value: Some(amount * factor),
            unit: Some(unit.to_owned()),
            iso_date: None,
        });
    }
    date(text, n)
}

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|(full, short)| {
            lower == *full
                || (lower == *short && word.len() >= 3)
                || (lower == "sept" && *short == "sep")
        })
        .and_then(|p| u32::try_from(p + 1).ok())
}

/// The month word that ends right before `at` (skipping one space), as `(month, start)`.
fn month_before(text: &str, at: usize) -> Option<(u32, usize)> {
    let head = text.get(..at)?.strip_suffix(' ')?;
    let head = head.strip_suffix('.').unwrap_or(head);
    let len = head.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    let start = head.len() - len;
    let word = head.get(start..)?;
    if !word.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    month_number(word).map(|m| (m, start))
}

fn date(text: &str, n: &Number) -> Option<RuleMatch> {
    let bytes = text.as_bytes();
    let len = n.end - n.start;
    let after = text.get(n.end..).and_then(|r| r.chars().next());
    let year_like = |v: f64| (1000.0..2200.0).contains(&v);
    let dated = |start, end, iso: String| RuleMatch {
        start,
        end,
        entity_type: EntityType::Date,
        value: None,
        unit: None,
        iso_date: Some(iso),
    };
    // "16 May 2024"
    if n.plain_integer && len <= 2 && bytes.get(n.end) == Some(&b' ') {
        let (word, word_end) = word_at(text, n.end + 1);
        let word_end = if bytes.get(word_end) == Some(&b'.') { word_end + 1 } else { word_end };
        if let Some(month) =
            month_number(word).filter(|_| word.chars().next().is_some_and(char::is_uppercase))
            && bytes.get(word_end) == Some(&b' ')
            && let Some(year) = parse_number(text, word_end + 1)
                .filter(|y| y.plain_integer && y.end - y.start == 4 && year_like(y.value))
        {
            let day = n.value;
            if (1.0..=31.0).contains(&day) {
                return Some(dated(
                    n.start,
                    year.end,
                    format!("{:04}-{month:02}-{:02}", year.value, day),
                ));
            }
        }
    }
    if !(n.plain_integer && len == 4 && year_like(n.value))
        || after.is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let year = n.value;
    // "May 16, 2024" / "May 2024"
    if let Some(head) = text.get(..n.start).and_then(|h| h.strip_suffix(", ")) {
        let digits = head.bytes().rev().take_while(u8::is_ascii_digit).count();
        if (1..=2).contains(&digits) {
            let day_start = head.len() - digits;
            let day: f64 = head.get(day_start..).and_then(|d| d.parse().ok()).unwrap_or(0.0);
            if let Some((month, start)) =
                month_before(text, day_start).filter(|_| (1.0..=31.0).contains(&day))
            {
                return Some(dated(start, n.end, format!("{year:04}-{month:02}-{day:02}")));
            }
        }
    }
    if let Some((month, start)) = month_before(text, n.start) {
        return Some(dated(start, n.end, format!("{year:04}-{month:02}")));
    }
    Some(dated(n.start, n.end, format!("{year:04}")))
}

#[cfg(test)]
mod tests {
    use super::find_values;

    proptest::proptest! {
        /// Eight bytes at a time, the search for a digit stops where a byte at a time does.
        #[test]
        fn digits_found_eight_bytes_at_a_time(text in "[a-z ,.'\\-]{0,30}[0-9é€]?[a-z0-9 ]{0,20}", from in 0usize..60) {
            let bytes = text.as_bytes();
            let mut one = from;
            while bytes.get(one).is_some_and(|b| !b.is_ascii_digit()) {
                one += 1;
            }
            proptest::prop_assert_eq!(super::next_digit(bytes, from), one);
        }
    }

    fn render(text: &str) -> Vec<String> {
        find_values(text)
            .into_iter()
            .map(|m| {
                format!(
                    "{:?} {} value={:?} unit={:?} date={:?}",
                    text.get(m.start..m.end).unwrap(),
                    m.entity_type.as_str(),
                    m.value,
                    m.unit,
                    m.iso_date
                )
            })
            .collect()
    }

    #[test]
    fn money_percent_and_dates() {
        insta::assert_snapshot!(render(concat!(
            "Trade hit $240 billion in 2023, up 26.3% from 2022; a $1 trillion goal by May 2030. ",
            "US$1.5bn, €3m and 300 million yuan; 5 per cent. On 16 May 2024 and March 4, 2025 ",
            "they met. Room 1234a, 12,500 troops, version 2.0, 3.14, and the year 20245."
        )).join("\n"), @r#"
        "$240 billion" MONEY value=Some(240000000000.0) unit=Some("USD") date=None
        "2023" DATE value=None unit=None date=Some("2023")
        "26.3%" PERCENT value=Some(26.3) unit=Some("percent") date=None
        "2022" DATE value=None unit=None date=Some("2022")
        "$1 trillion" MONEY value=Some(1000000000000.0) unit=Some("USD") date=None
        "May 2030" DATE value=None unit=None date=Some("2030-05")
        "US$1.5bn" MONEY value=Some(1500000000.0) unit=Some("USD") date=None
        "€3m" MONEY value=Some(3000000.0) unit=Some("EUR") date=None
        "300 million yuan" MONEY value=Some(300000000.0) unit=Some("CNY") date=None
        "5 per cent" PERCENT value=Some(5.0) unit=Some("percent") date=None
        "16 May 2024" DATE value=None unit=None date=Some("2024-05-16")
        "March 4, 2025" DATE value=None unit=None date=Some("2025-03-04")
        "#);
    }

    #[test]
    fn quantities_in_base_units() {
        insta::assert_snapshot!(render(concat!(
            "Power of Siberia carries 38 bcm a year along 3,000 km of pipe; exports of 1.2 million ",
            "barrels per day, 500bpd, 2 miles, 40,000 tonnes of grain, 5 GW and 12 TWh, 7 sq km. ",
            "Not units: 5 men, 30 metro stops, 3 kmh, the km."
        )).join("\n"));
    }
}
