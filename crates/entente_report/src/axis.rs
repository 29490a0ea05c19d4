//! The time axis of the trends: buckets of one period from the first dated document's to the
//! last's.

use std::path::Path;

use entente_schema::{CooccurrencePeriod, Period};
use serde::Serialize;

use crate::summary::{Docs, has_table};

/// Buckets of one period length from the first dated document's to the last's.
#[derive(Serialize)]
pub(crate) struct Axis {
    pub(crate) unit: &'static str,
    pub(crate) labels: Vec<String>,
    /// Whether `cooccurrences_by_period` has this period (else pairs have no trends).
    pub(crate) pairs: bool,
    #[serde(skip)]
    pub(crate) period: Period,
    /// The first bucket's start.
    #[serde(skip)]
    first: i64,
}

impl Axis {
    /// Buckets beyond this many are too fine to draw: a coarser period is taken.
    const MAX_BUCKETS: i64 = 400;

    /// The axis of the trends: the coarsest period the run counted pairs by (a month when it
    /// counted none), coarser when that makes too many buckets; none without dates.
    pub(crate) fn choose(docs: &Docs, counted: &[Period], out: &Path) -> Option<Self> {
        let (first, last) = (docs.first?, docs.last?);
        let mut period = counted.iter().copied().max().unwrap_or(Period::Month);
        for coarser in [Period::Week, Period::Month] {
            if period < coarser && Self::span(period, first, last) > Self::MAX_BUCKETS {
                period = coarser;
            }
        }
        let labels =
            Self::starts(period, first, last).into_iter().map(|t| label(period, t)).collect();
        let pairs = counted.contains(&period) && has_table::<CooccurrencePeriod>(out);
        Some(Self {
            unit: period.as_str(),
            labels,
            pairs,
            period,
            first: period.bucket_start(first),
        })
    }

    /// Buckets from `first`'s to `last`'s.
    fn span(period: Period, first: i64, last: i64) -> i64 {
        Self::index(period, period.bucket_start(first), period.bucket_start(last)) + 1
    }

    /// The number of buckets between two bucket starts.
    fn index(period: Period, first: i64, start: i64) -> i64 {
        const DAY: i64 = 86_400_000_000;
        match period {
            Period::Day => (start - first) / DAY,
            Period::Week => (start - first) / (7 * DAY),
            _ => {
                let months = |t: i64| {
                    let (y, m, _) = entente_schema::civil_date(t);
                    y * 12 + i64::from(m)
                };
                months(start) - months(first)
            }
        }
    }

    /// The start of every bucket from `first`'s to `last`'s.
    fn starts(period: Period, first: i64, last: i64) -> Vec<i64> {
        const DAY: i64 = 86_400_000_000;
        let mut t = period.bucket_start(first);
        let end = period.bucket_start(last);
        let mut out = Vec::new();
        while t <= end {
            out.push(t);
            // A step of at least the period's length, then back to the bucket's start.
            t = match period {
                Period::Day => t + DAY,
                Period::Week => t + 7 * DAY,
                _ => period.bucket_start(t + 32 * DAY),
            };
        }
        out
    }

    /// The bucket index of a bucket start.
    pub(crate) fn bucket(&self, start: i64) -> Option<u32> {
        let i = Self::index(self.period, self.first, start);
        u32::try_from(i).ok().filter(|&i| (i as usize) < self.labels.len())
    }
}

/// A bucket's label: `2024-05` for a month, the start day otherwise.
fn label(period: Period, start: i64) -> String {
    let (y, m, d) = entente_schema::civil_date(start);
    match period {
        Period::Month => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}-{m:02}-{d:02}"),
    }
}

/// The UTC day of a time, `YYYY-MM-DD`.
pub(crate) fn day(micros: i64) -> String {
    label(Period::Day, micros)
}
