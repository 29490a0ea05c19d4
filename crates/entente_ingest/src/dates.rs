//! Publication dates as sources write them, to UTC microseconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses a publication date into microseconds since the Unix epoch, UTC. Accepts RFC 3339
/// (`2024-05-16T09:30:00+08:00`), RFC 2822 (`Thu, 16 May 2024 09:30:00 +0800`), naive
/// date-times (`2024-05-16 09:30:00`, `2024-05-16T09:30`, read as UTC) and dates
/// (`2024-05-16`, read as midnight UTC). Anything else is `None`; the raw string is kept in
/// `published_raw` either way.
///
/// ```
/// use entente_ingest::parse_published;
/// assert_eq!(parse_published("1970-01-02"), Some(86_400_000_000));
/// assert_eq!(parse_published("1970-01-01T01:00:00+01:00"), Some(0));
/// assert_eq!(parse_published("last Tuesday"), None);
/// ```
pub fn parse_published(raw: &str) -> Option<i64> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp_micros());
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, format) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_micros());
        }
    }
    None
}
