//! `entente schema`: the table contract as a data dictionary.

use std::fmt::Write as _;
use std::io::Write as _;

use entente_parquet::fields;
use entente_schema::{
    Boilerplate, CONTRACT_VERSION, Cooccurrence, Document, Entity, EntitySummary, Reject, Sentence,
    Table, TextEdit,
};

use crate::Outcome;
use crate::args::{SchemaArgs, SchemaFormat};

/// One table of the contract, as printed.
#[derive(Debug, serde::Serialize)]
struct TableDoc {
    name: &'static str,
    doc: String,
    key: &'static [&'static str],
    columns: Vec<ColumnDoc>,
}

#[derive(Debug, serde::Serialize)]
struct ColumnDoc {
    name: &'static str,
    arrow_type: String,
    nullable: bool,
    doc: String,
}

fn describe<T: Table>() -> anyhow::Result<TableDoc> {
    let arrow = fields::<T>()?;
    let columns = T::COLUMNS
        .iter()
        .zip(arrow)
        .map(|(c, f)| ColumnDoc {
            name: c.name,
            arrow_type: f.data_type().to_string(),
            nullable: f.is_nullable(),
            doc: squash(c.doc),
        })
        .collect();
    Ok(TableDoc { name: T::NAME, doc: squash(T::DOC), key: T::KEY, columns })
}

/// Doc comments arrive one line per source line, each with a leading space.
fn squash(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every table of the contract, in pipeline order.
fn tables() -> anyhow::Result<Vec<TableDoc>> {
    Ok(vec![
        describe::<Document>()?,
        describe::<Sentence>()?,
        describe::<TextEdit>()?,
        describe::<Boilerplate>()?,
        describe::<Entity>()?,
        describe::<Cooccurrence>()?,
        describe::<EntitySummary>()?,
        describe::<Reject>()?,
    ])
}

/// The data dictionary in Markdown (what the README embeds).
pub(crate) fn markdown() -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "Table contract version {CONTRACT_VERSION}. Offsets are Unicode code points (`char_*`) and UTF-8 bytes (`byte_*`), end-exclusive, into `documents.text` (`raw_*` offsets point into `documents.raw_text`)."
    )?;
    for t in tables()? {
        writeln!(
            out,
            "\n### `{}`\n\n{} Key: {}.\n",
            t.name,
            t.doc,
            t.key.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        )?;
        writeln!(out, "| column | type | description |\n|---|---|---|")?;
        for c in t.columns {
            let null = if c.nullable { ", nullable" } else { "" };
            writeln!(
                out,
                "| `{}` | {}{null} | {} |",
                c.name,
                c.arrow_type,
                c.doc.replace('|', "\\|")
            )?;
        }
    }
    Ok(out)
}

pub(crate) fn run(args: &SchemaArgs) -> anyhow::Result<Outcome> {
    let text = match args.format {
        SchemaFormat::Markdown => markdown()?,
        SchemaFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "contract_version": CONTRACT_VERSION,
                "tables": tables()?,
            }))? + "\n"
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}
