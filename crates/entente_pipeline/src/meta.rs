//! Keys of the Parquet key-value metadata the run writes (`entente validate` reads them).

/// Metadata key of `cooccurrences` and `cooccurrences_by_period`: the `[aggregate]` options
/// they were counted with, as JSON (`entente validate` recounts with them).
pub const KEY_AGGREGATE: &str = "entente.aggregate.config";

/// Metadata key prefix: `entente.config.<stage>` is the hash of the options of that stage and
/// the ones before it; a file carries one per stage that made it.
pub const KEY_STAGE_CONFIG: &str = "entente.config.";

/// Metadata key of `documents`: input records deliberately not read as documents (WARC
/// requests, non-HTML responses, ...), as a JSON object of counts by kind.
pub const KEY_SKIPPED: &str = "entente.ingest.skipped";

/// Metadata key of `documents`: documents the extract stage skips for their language, as a
/// JSON object of counts by language code.
pub const KEY_NOT_EXTRACTED: &str = "entente.normalise.not_extracted";
