//! The Parquet edge: the only crate that turns entente's row types into Parquet files and back.
//!
//! The Arrow schema of a table is derived once from its row type (`serde_arrow`), with unit
//! enums stored as plain strings and [`Table::TIMESTAMP_COLUMNS`](entente_schema::Table::TIMESTAMP_COLUMNS) as UTC microsecond
//! timestamps, so `DuckDB`, pandas and polars see ordinary `VARCHAR`, integer, `DOUBLE` and
//! `TIMESTAMP WITH TIME ZONE` columns. Rows whose columns are all scalars become record
//! batches from their [`Table::CELLS`](entente_schema::Table::CELLS), column by column; the
//! others (lists) through `serde_arrow`.
//!
//! Every table is a directory of part files, `<out>/<table>/part-00000.parquet`, ...; a
//! table with [`Table::PARTITION_COLUMNS`](entente_schema::Table::PARTITION_COLUMNS) puts its parts in Hive directories
//! (`cooccurrences/scope=sentence/part-00000.parquet`) and leaves those columns out of the
//! files, as Hive, `DuckDB`, polars and pyarrow expect. [`read_table`] and [`read_batches`]
//! put them back. Row groups are cut at [`ROW_GROUP_BYTES`] or [`ROW_GROUP_ROWS`], whichever
//! comes first, and compressed with zstd.
//!
//! A run writes its tables into a [`Staging`] directory beside the output directory and
//! [`Staging::commit`]s them: the tables it did not write are hard-linked in, and the staged
//! directory takes the output directory's place in one atomic exchange (Linux `renameat2`).
//! A run that fails or is killed at any point leaves the output directory exactly as it was;
//! a reader never sees some tables of one run and some of another.
//!
//! ```
//! use entente_parquet::{FileMetadata, read_table, write_table};
//! use entente_schema::Sentence;
//!
//! let dir = tempfile::tempdir()?;
//! let rows = vec![Sentence {
//!     doc_id: "d".into(), sentence_idx: 0, char_start: 0, char_end: 2,
//!     byte_start: 0, byte_end: 2, text: "Hi".into(),
//! }];
//! let out = dir.path().join("out"); // its lock file goes beside it
//! write_table(&out, &rows, &FileMetadata::new("cfg"))?;
//! assert!(out.join("sentences/part-00000.parquet").exists());
//! assert_eq!(read_table::<Sentence>(&out)?, rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::error::Error;
pub use crate::layout::{part_name, partition_values, parts, table_dir};
pub use crate::read::{
    batch_of, read_arrow, read_batches, read_column_batches, read_columns, read_metadata,
    read_part, read_record_batches, read_table, row_count, rows_of,
};
pub use crate::rewrite::{columns_of, rows_in};
pub use crate::schema::{fields, part_schema, schema};
pub use crate::staging::{Staging, link_tree, remove_table, scratch_dir};
pub use crate::write::{Codec, FileMetadata, TableWriter, temporary_suffix, write_table};

mod cells;
mod error;
mod layout;
mod read;
mod rewrite;
mod schema;
mod staging;
mod write;

/// A row group is closed when its encoded size reaches this many bytes ...
pub const ROW_GROUP_BYTES: usize = 64 << 20;
/// ... or this many rows.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Metadata key: the entente version that wrote the file.
pub const KEY_VERSION: &str = "entente.version";
/// Metadata key: the table contract version ([`CONTRACT_VERSION`](entente_schema::CONTRACT_VERSION)).
pub const KEY_CONTRACT: &str = "entente.contract_version";
/// Metadata key: hash of the pipeline configuration that produced the file.
pub const KEY_CONFIG_HASH: &str = "entente.config_hash";
/// Metadata key: the table's name.
pub const KEY_TABLE: &str = "entente.table";
