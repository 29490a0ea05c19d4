//! Publication dates as sources write them, to UTC microseconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Date-times with an offset (`%z` accepts `+0800` and `+08:00`).
const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y%m%dT%H%M%S%z",
    // JavaScript's Date.toString(): "Tue Nov 19 2019 03:05:46 GMT+0000".
    "%a %b %d %Y %H:%M:%S GMT%z",
    "%B %d, %Y, %I:%M %p %z",
    "%B %d, %Y %I:%M %p %z",
];

/// North American zone abbreviations, common in US news metadata. Ambiguous ones (IST, BST)
/// are not guessed.
const ZONES: &[(&str, &str)] = &[
    ("EST", "-0500"),
    ("EDT", "-0400"),
    ("CST", "-0600"),
    ("CDT", "-0500"),
    ("MST", "-0700"),
    ("MDT", "-0600"),
    ("PST", "-0800"),
    ("PDT", "-0700"),
];

/// Date-times without an offset, read as UTC.
const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d-%b-%Y %H:%M:%S%.f",
    "%d %b %Y %H:%M:%S",
    "%d %B %Y %H:%M",
    "%B %d, %Y %H:%M",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%Y%m%dT%H%M%S",
];

/// Dates, read as midnight UTC.
const DATES: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d-%b-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%A, %B %d, %Y",
    "%A, %d %B %Y",
    "%a, %d %b %Y",
    "%Y%m%d",
];

/// Parses a publication date into microseconds since the Unix epoch, UTC.
///
/// Accepts RFC 3339 and ISO 8601 (`2024-05-16T09:30:00+08:00`, `1987-02-26T15:01:01.79`),
/// RFC 2822 (`Thu, 16 May 2024 09:30:00 +0800`), the Reuters-21578 form
/// (`26-FEB-1987 15:01:01.79`), written-out dates (`November 19, 2019`, `19 Nov 2019`,
/// `Tuesday, November 19, 2019`, `November 19, 2019, 07:47 PM EST`), JavaScript's
/// `Tue Nov 19 2019 03:05:46 GMT+0000`, compact ISO (`20191119`), and Unix time in seconds or
/// milliseconds (10 or 13 digits). A trailing `UTC`, `GMT` or `Z` means UTC; date-times with
/// no zone are read as UTC and dates as midnight UTC. A year outside 1000–9999 is a misreading
/// (`16/05/20` is not the year 16). Anything else is `None`; the raw string is kept in
/// `published_raw` either way.
///
/// ```
/// use entente_ingest::parse_published;
/// assert_eq!(parse_published("1970-01-02"), Some(86_400_000_000));
/// assert_eq!(parse_published("1970-01-01T01:00:00+01:00"), Some(0));
/// assert_eq!(parse_published("02-JAN-1970 00:00:00.50"), Some(86_400_500_000));
/// assert_eq!(parse_published("January 2, 1970"), Some(86_400_000_000));
/// assert_eq!(parse_published("last Tuesday"), None);
/// assert_eq!(parse_published("16/05/20"), None);
/// ```
pub fn parse_published(raw: &str) -> Option<i64> {
    /// 1000-01-01 and 10000-01-01 (exclusive), in microseconds since the epoch.
    const YEARS: std::ops::Range<i64> = -30_610_224_000_000_000..253_402_300_800_000_000;
    parse_any(raw).filter(|t| YEARS.contains(t))
}

fn parse_any(raw: &str) -> Option<i64> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp_micros());
    }
    if let Some(t) = unix_time(s) {
        return Some(t);
    }
    // "EST" and friends become numeric offsets; "UTC", "GMT" and "Z" are dropped (read as UTC).
    let zoned = ZONES
        .iter()
        .find_map(|(name, offset)| Some(format!("{} {offset}", s.strip_suffix(name)?.trim_end())));
    let with_offset = zoned.as_deref().unwrap_or(s);
    let s = ["UTC", "GMT", "Z"].iter().find_map(|z| s.strip_suffix(z)).map_or(s, str::trim_end);
    WITH_OFFSET
        .iter()
        .find_map(|f| DateTime::parse_from_str(with_offset, f).ok())
        .map(|t| t.timestamp_micros())
        .or_else(|| {
            NAIVE
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(|t| t.and_utc().timestamp_micros())
        })
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp_micros())
        })
}

/// Unix time: 10 digits are seconds, 13 are milliseconds.
fn unix_time(s: &str) -> Option<i64> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    match s.len() {
        10 => n.checked_mul(1_000_000),
        13 => n.checked_mul(1_000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_published;

    /// Each form from the sources entente reads, against the same instant.
    #[test]
    fn common_forms() {
        let noon = parse_published("2019-11-19T12:00:00Z").unwrap();
        for raw in [
            "2019-11-19T12:00:00+00:00",
            "2019-11-19T14:00:00+0200",
            "2019-11-19T12:00:00.000Z",
            "2019-11-19 12:00:00",
            "2019-11-19 12:00:00 UTC",
            "Tue, 19 Nov 2019 12:00:00 GMT",
            "Tue, 19 Nov 2019 07:00:00 -0500",
            "19-NOV-2019 12:00:00.00",
            "November 19, 2019 12:00 PM",
            "1574164800",
            "Tue Nov 19 2019 12:00:00 GMT+0000",
            "November 19, 2019, 07:00 AM EST",
            "1574164800000",
        ] {
            assert_eq!(parse_published(raw), Some(noon), "{raw}");
        }
        let midnight = parse_published("2019-11-19").unwrap();
        for raw in [
            "November 19, 2019",
            "Nov 19, 2019",
            "19 November 2019",
            "2019/11/19",
            "20191119",
            "Tuesday, November 19, 2019",
        ] {
            assert_eq!(parse_published(raw), Some(midnight), "{raw}");
        }
        assert_eq!(
            parse_published("1987-02-26T15:01:01.79"),
            parse_published("26-FEB-1987 15:01:01.79")
        );
        for raw in ["", "yesterday", "2019-13-45", "12345", "16/05/20", "0999-12-31"] {
            assert_eq!(parse_published(raw), None, "{raw}");
        }
    }
}
