//! What an incremental run keeps about each batch besides the tables (in the output
//! directory's `_state/`), so that unchanged batches need no work: the documents' story keys and
//! the entity names counted. Not part of the table contract: a newer entente may change them
//! (and then runs everything once).

use crate::table;
use crate::tables::DuplicateKind;

table! {
    /// One document as duplicate grouping sees it, and the story it was given.
    StoryKey => "stories",
    key = ["doc_id"],
    timestamps = ["published_at"],
    {
        /// The document.
        doc_id: String,
        /// Its publication time.
        published_at: Option<i64>,
        /// Its input file.
        source: String,
        /// Its record in the file.
        source_record: u32,
        /// Whitespace-blind hash of its text (or its position, without exact grouping).
        text_hash: u64,
        /// The `MinHash` signature of its text; null when near grouping is off or an earlier
        /// row of the same part has the same `text_hash`.
        signature: Option<Vec<u64>>,
        /// The story it was written with.
        story_id: String,
        /// As written in `documents`.
        duplicate_of: Option<String>,
        /// As written in `documents`.
        duplicate_kind: Option<DuplicateKind>,
        /// As written in `documents`.
        story_similarity: Option<f64>,
    }
}

table! {
    /// How often a batch wrote one name for one entity id.
    NameCount => "names",
    key = ["entity_id", "entity_name"],
    timestamps = [],
    {
        /// The entity.
        entity_id: String,
        /// One of its names as extraction gave it.
        entity_name: String,
        /// Mentions with that name.
        count: u64,
    }
}
