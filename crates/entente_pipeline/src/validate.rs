//! Checks an output directory against the table contract (`entente validate`).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use entente_parquet::{KEY_CONTRACT, parts, read_metadata, read_table, table_dir};
use entente_schema::{
    AggregateConfig, Aggregated, Boilerplate, CONTRACT_VERSION, Cooccurrence, CooccurrencePeriod,
    Document, Entity, Reject, Sentence, Table, Tables, TextEdit, Violation, check_tables,
};

use crate::error::{Error, Result};
use crate::meta::{KEY_AGGREGATE, KEY_STAGE_CONFIG};

/// Every broken invariant of the contract in the tables of the output directory `dir`
/// (empty when it is consistent): file metadata (contract version, one configuration per
/// stage), then the rows, with the aggregate tables recounted from the mentions. An error
/// means `dir` could not be read as an output directory at all.
pub fn validate(dir: &Path) -> Result<Vec<Violation>> {
    violations(dir).map_err(|e| Error::Run(e.into()))
}

fn violations(dir: &Path) -> anyhow::Result<Vec<Violation>> {
    let mut violations = Vec::new();
    let mut hashes = BTreeSet::new();
    for name in entente_schema::TABLE_NAMES {
        let table = dir.join(name);
        if !table.is_dir() {
            continue;
        }
        for path in parts(&table)? {
            let meta = read_metadata(&path)?;
            let part = path.strip_prefix(dir).unwrap_or(&path).display().to_string();
            if meta.get(KEY_CONTRACT).map(String::as_str) != Some(CONTRACT_VERSION) {
                violations.push(Violation {
                    table: name,
                    key: part.clone(),
                    rule: "contract-version",
                    detail: format!(
                        "written under contract {:?}, this entente reads {CONTRACT_VERSION}",
                        meta.get(KEY_CONTRACT)
                    ),
                });
            }
            // Every stage's options must be the same in every file that stage made.
            for (key, value) in meta.iter().filter(|(k, _)| k.starts_with(KEY_STAGE_CONFIG)) {
                hashes.insert((key.clone(), value.clone(), name));
            }
        }
    }
    let distinct: BTreeSet<(&String, &String)> = hashes.iter().map(|(k, v, _)| (k, v)).collect();
    let keys: BTreeSet<&String> = distinct.iter().map(|(k, _)| *k).collect();
    for key in keys.into_iter().filter(|k| distinct.iter().filter(|(x, _)| x == k).count() > 1) {
        let tables: Vec<String> = hashes
            .iter()
            .filter(|(k, _, _)| k == key)
            .map(|(_, v, t)| format!("{t}: {v}"))
            .collect();
        violations.push(Violation {
            table: "(all)",
            key: "file".into(),
            rule: "one-config",
            detail: format!("tables were made with different {key}: {}", tables.join(", ")),
        });
    }
    let documents = required::<Document>(dir)?;
    let sentences = required::<Sentence>(dir)?;
    let entities = required::<Entity>(dir)?;
    let text_edits = required::<TextEdit>(dir)?;
    let boilerplate = required::<Boilerplate>(dir)?;
    let cooc_path = table_dir::<Cooccurrence>(dir);
    let aggregated = if cooc_path.is_dir() {
        let meta = read_metadata(&cooc_path)?;
        match meta.get(KEY_AGGREGATE).map(|json| serde_json::from_str::<AggregateConfig>(json)) {
            Some(Ok(config)) => {
                let rows = read_table::<Cooccurrence>(dir)?;
                let by_period = if table_dir::<CooccurrencePeriod>(dir).is_dir() {
                    read_table::<CooccurrencePeriod>(dir)?
                } else {
                    Vec::new()
                };
                Some((rows, by_period, config))
            }
            other => {
                let why = match other {
                    Some(Err(e)) => format!("bad {KEY_AGGREGATE} key ({e})"),
                    _ => format!("no {KEY_AGGREGATE} key"),
                };
                violations.push(Violation {
                    table: Cooccurrence::NAME,
                    key: "file".into(),
                    rule: "metadata",
                    detail: format!("{why}: cannot recount"),
                });
                None
            }
        }
    } else {
        None
    };
    if table_dir::<Reject>(dir).is_dir() {
        read_table::<Reject>(dir)?;
    }
    violations.extend(check_tables(Tables {
        documents: &documents,
        sentences: &sentences,
        text_edits: &text_edits,
        boilerplate: &boilerplate,
        entities: &entities,
        aggregated: aggregated.as_ref().map(|(rows, by_period, config)| Aggregated {
            cooccurrences: rows,
            by_period,
            config,
        }),
    }));
    Ok(violations)
}

fn required<T: Table>(dir: &Path) -> anyhow::Result<Vec<T>> {
    read_table::<T>(dir)
        .with_context(|| format!("{} is not a complete entente output directory", dir.display()))
}
