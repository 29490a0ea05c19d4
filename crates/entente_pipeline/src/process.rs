//! The whole pipeline over records held in memory, its tables returned in memory: what the
//! Python package's `process` calls.
//!
//! The records are written as one JSON Lines file, [`RECORDS_SOURCE`], in a temporary
//! directory and run through [`run()`] like any input, so the tables are the rows `entente
//! run` gives on that file: one code path, no second implementation of any stage to keep in
//! step. The directory is removed when the call returns.

use std::io::Write;
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use entente_parquet::read_arrow;
use entente_schema::{
    Boilerplate, Cooccurrence, CooccurrencePeriod, Document, Entity, EntitySummary, Reject,
    Sentence, Table, TextEdit,
};

use crate::error::{Error, Result};
use crate::run::{RunOptions, run};
use crate::{Pipeline, RunSummary};

/// The name the records' file has in `documents.source` and `rejects.source`.
pub const RECORDS_SOURCE: &str = "records.jsonl";

/// One table of a [`process`] call, with the contract's schema (partition columns included).
#[derive(Debug, Clone)]
pub struct ArrowTable {
    /// The table's name, as in [`entente_schema::TABLE_NAMES`].
    pub name: &'static str,
    /// Its Arrow schema, [`entente_parquet::schema`].
    pub schema: SchemaRef,
    /// Its rows, in the order the part files hold them.
    pub batches: Vec<RecordBatch>,
}

/// Runs `pipeline` (its inputs and output are ignored) over the records `write` writes as
/// JSON Lines, one record per line, and returns every table of the contract, in its order,
/// and the run's summary. A table the pipeline does not make (`cooccurrences_by_period`
/// without periods) has no batches.
pub fn process(
    pipeline: &Pipeline,
    options: &RunOptions,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(Vec<ArrowTable>, RunSummary)> {
    let io = |what: &str, e: std::io::Error| Error::Run(format!("{what}: {e}").into());
    let dir = tempfile::Builder::new()
        .prefix("entente-process-")
        .tempdir()
        .map_err(|e| io("cannot create a temporary directory", e))?;
    let input = dir.path().join("input");
    std::fs::create_dir(&input).map_err(|e| io("cannot create a temporary directory", e))?;
    let file = input.join(RECORDS_SOURCE);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&file).map_err(|e| io(&file.display().to_string(), e))?,
    );
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| io(&format!("cannot write {}", file.display()), e))?;
    drop(out);
    let mut pipeline = pipeline.clone();
    pipeline.inputs = vec![input];
    pipeline.output = dir.path().join("output");
    let options = RunOptions { only: None, from_scratch: true, ..options.clone() };
    let summary = run(&pipeline, &options)?;
    let tables = read_tables(&pipeline.output)?;
    Ok((tables, summary))
}

/// `$f::<T>($arg)` for every table `T` of the contract, in its order, into a `Vec`.
macro_rules! each_table {
    ($f:ident($arg:expr)) => {
        vec![
            $f::<Document>($arg)?,
            $f::<Sentence>($arg)?,
            $f::<TextEdit>($arg)?,
            $f::<Boilerplate>($arg)?,
            $f::<Entity>($arg)?,
            $f::<Cooccurrence>($arg)?,
            $f::<CooccurrencePeriod>($arg)?,
            $f::<EntitySummary>($arg)?,
            $f::<Reject>($arg)?,
        ]
    };
}

/// Every table of the output directory `out` in memory, in the contract's order.
pub fn read_tables(out: &Path) -> Result<Vec<ArrowTable>> {
    fn one<T: Table>(out: &Path) -> Result<ArrowTable> {
        let (schema, batches) = read_arrow::<T>(out).map_err(|e| Error::Run(e.into()))?;
        Ok(ArrowTable { name: T::NAME, schema, batches })
    }
    Ok(each_table!(one(out)))
}

/// Every table's name and Arrow schema (partition columns included), in the contract's order.
pub fn schemas() -> Result<Vec<(&'static str, SchemaRef)>> {
    fn one<T: Table>((): ()) -> Result<(&'static str, SchemaRef)> {
        Ok((T::NAME, entente_parquet::schema::<T>().map_err(|e| Error::Run(e.into()))?))
    }
    Ok(each_table!(one(())))
}

/// Writes Arrow record batches as JSON Lines, one object per row with the columns as its
/// fields (nulls left out), for [`process`]: the records' columns are then found by the
/// field names a JSON Lines input uses. Returns the number of rows.
pub fn write_jsonl(
    batches: impl IntoIterator<Item = std::result::Result<RecordBatch, ArrowError>>,
    out: &mut dyn Write,
) -> std::io::Result<u64> {
    let to_io = |e: ArrowError| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let mut writer = arrow::json::LineDelimitedWriter::new(out);
    let mut rows = 0u64;
    for batch in batches {
        let batch = batch.map_err(to_io)?;
        rows += batch.num_rows() as u64;
        writer.write(&batch).map_err(to_io)?;
    }
    writer.finish().map_err(to_io)?;
    Ok(rows)
}
