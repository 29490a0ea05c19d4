//! The corpus-wide decisions, after the last batch: every document's story and every
//! entity's name, written into the final `documents` and `entities` parts, with the state the
//! next incremental run needs.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, StringBuilder};
use arrow::datatypes::Schema;
use entente_extract::{ChosenNames, Mention, Names};
use entente_normalise::Story;
use entente_parquet::{Codec, FileMetadata, table_dir};
use entente_schema::{Document, DuplicateKind, Entity, EntityType, LinkedBy};
use rayon::prelude::*;

use crate::batch::Collected;
use crate::parts::{kept_meta, read_state, rewrite_part, write_rows};
use crate::run::{Ctx, Stage, Steps};
use crate::staged::Staged;
use crate::state::{self, STATE_DIR};

/// Decides the stories (with normalise) and the names (with extract) from what the batches
/// collected, finishes every part with them and, in a full run, writes the run state.
pub(crate) fn finalise(
    ctx: &Ctx<'_>,
    staging: &Staged,
    from: Stage,
    to: Stage,
    collected: Collected,
    previous: Option<&state::Manifest>,
    steps: &mut Steps,
) -> anyhow::Result<()> {
    let Collected { stories, names, surnames, done, records, scratch_docs, scratch_entities } =
        collected;
    let full = from == Stage::Ingest && to == Stage::Aggregate;
    let t = Instant::now();
    let state_dir = staging.root().join(STATE_DIR);
    let assigned = stories
        .as_ref()
        .map(entente_normalise::Stories::assign)
        .transpose()
        .with_context(|| crate::signatures::signatures_error(staging))?;
    if from <= Stage::Normalise || full {
        // Parts are independent: finished in parallel (each on one thread).
        done.par_iter().try_for_each(|d| -> anyhow::Result<()> {
            let keys = match (&stories, &assigned) {
                (Some(stories), Some(assigned)) => stories
                    .state(d.stories.clone(), assigned)
                    .with_context(|| crate::signatures::signatures_error(staging))?,
                _ => Vec::new(),
            };
            let story_of = |doc_id: &str| assigned.as_ref().and_then(|a| a.get(doc_id));
            match (&d.old, &d.documents_meta) {
                (_, Some(meta)) => {
                    restory_part(&scratch_docs, &d.part, staging, &d.part, meta, story_of)?;
                    remove(&scratch_docs.join(&d.part))?;
                }
                (Some(old), None) => {
                    let before = read_state::<entente_schema::StoryKey>(ctx.out, "stories", old)?;
                    let from_dir = table_dir::<Document>(ctx.out);
                    if before == keys {
                        state::link(
                            &from_dir.join(old),
                            &staging.table_dir::<Document>().join(&d.part),
                        )?;
                    } else {
                        let meta = kept_meta(&from_dir.join(old), ctx.meta(Stage::Normalise))?;
                        restory_part(&from_dir, old, staging, &d.part, &meta, story_of)?;
                    }
                }
                (None, None) => {}
            }
            if full {
                write_rows(
                    &state_dir.join("stories"),
                    &d.part,
                    &ctx.meta(Stage::Normalise),
                    Codec::Zstd,
                    &keys,
                )?;
            }
            Ok(())
        })?;
    }
    if let Some(names) = &names {
        let chosen = names.choose_with(&surnames);
        // The names the last run chose, to find reused parts whose names change.
        let mut before = Names::default();
        if let Some(previous) = previous {
            for b in &previous.batches {
                before.add_counts(&read_state::<entente_schema::NameCount>(
                    ctx.out, "names", &b.part,
                )?);
            }
        }
        let before = before.choose_with(&surnames);
        let meta = ctx.meta(Stage::Extract);
        done.par_iter().try_for_each(|d| -> anyhow::Result<()> {
            if d.new_entities {
                rename_part(&scratch_entities, &d.part, staging, &d.part, &meta, &chosen)?;
                remove(&scratch_entities.join(&d.part))?;
            } else if let Some(old) = &d.old {
                let from_dir = table_dir::<Entity>(ctx.out);
                let names = read_state::<entente_schema::NameCount>(ctx.out, "names", old)?;
                let renamed = names.iter().any(|n| {
                    let id = n.entity_id.as_str();
                    let target = |c: &entente_extract::ChosenNames| {
                        c.link(id).map(|t| (t.to_owned(), c.get(t).map(str::to_owned)))
                    };
                    chosen.get(id) != before.get(id) || target(&chosen) != target(&before)
                });
                if renamed {
                    rename_part(&from_dir, old, staging, &d.part, &meta, &chosen)?;
                } else {
                    state::link(&from_dir.join(old), &staging.table_dir::<Entity>().join(&d.part))?;
                }
            }
            Ok(())
        })?;
    }
    if full {
        let batches = done
            .iter()
            .zip(records)
            .map(|(d, files)| state::BatchRecord { part: d.part.clone(), files })
            .collect();
        state::Manifest::new(&ctx.config.name, ctx.hashes.clone(), batches).write(&state_dir)?;
    }
    steps.add("finalise", t);
    Ok(())
}

/// Removes a finished intermediate part.
fn remove(path: &Path) -> anyhow::Result<()> {
    std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))
}

/// The story columns of the `documents` table, which [`restory_part`] encodes again, so a
/// scratch part writes them plain ([`Codec::ZstdBut`]).
pub(crate) const STORIES_DECIDED: &[&str] =
    &["story_id", "duplicate_of", "duplicate_kind", "story_similarity"];

/// The columns [`restory_part`] reads: the document and its story columns.
const STORY_COLUMNS: [&str; 5] =
    ["doc_id", STORIES_DECIDED[0], STORIES_DECIDED[1], STORIES_DECIDED[2], STORIES_DECIDED[3]];

/// The columns [`rename_part`] encodes again ([`decided`] gives them), so a scratch part
/// writes them plain ([`Codec::ZstdBut`]).
pub(crate) const IDENTITY_DECIDED: &[&str] =
    &["entity_id", "entity_name", "linked_by", "country_id"];

/// A document's story columns.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoryColumns {
    #[serde(skip_serializing)]
    doc_id: String,
    story_id: Option<String>,
    duplicate_of: Option<String>,
    duplicate_kind: Option<DuplicateKind>,
    story_similarity: Option<f64>,
}

/// Writes part `from` of `documents` in directory `dir` as part `to` in the staging
/// directory with the story `story_of` gives each document (the others keep theirs): only
/// the story columns are encoded again.
pub(crate) fn restory_part<'a>(
    dir: &Path,
    from: &str,
    staging: &Staged,
    to: &str,
    meta: &FileMetadata,
    story_of: impl Fn(&str) -> Option<&'a Story>,
) -> anyhow::Result<()> {
    rewrite_part::<Document>(dir, from, staging, to, meta, &STORY_COLUMNS, |batch| {
        let mut rows: Vec<StoryColumns> = entente_parquet::rows_in::<Document, _>(batch)?;
        for row in &mut rows {
            if let Some(story) = story_of(&row.doc_id) {
                let story = story.clone();
                row.story_id = Some(story.story_id);
                row.duplicate_of = story.duplicate_of;
                row.duplicate_kind = story.duplicate_kind;
                row.story_similarity = story.story_similarity;
            }
        }
        Ok(entente_parquet::columns_of::<Document, _>(STORIES_DECIDED, &rows)?)
    })
}

/// The columns [`decided`] reads.
const IDENTITY_INPUTS: [&str; 6] =
    ["text", "entity_type", "entity_id", "entity_name", "linked_by", "country_id"];

/// Writes part `from` of `entities` in directory `dir` as part `to` in the staging
/// directory with the identity columns `chosen` decides; the other columns are copied.
pub(crate) fn rename_part(
    dir: &Path,
    from: &str,
    staging: &Staged,
    to: &str,
    meta: &FileMetadata,
    chosen: &ChosenNames,
) -> anyhow::Result<()> {
    rewrite_part::<Entity>(dir, from, staging, to, meta, &IDENTITY_INPUTS, |batch| {
        decided(batch, chosen)
    })
}

/// The `entity_id`, `entity_name`, `linked_by` and `country_id` columns `chosen` decides for
/// a batch of `entities` rows (at least the columns [`IDENTITY_INPUTS`]), decided from Arrow
/// arrays with the result [`ChosenNames::apply`] gives rows, without building a row per
/// mention.
fn decided(batch: &RecordBatch, chosen: &ChosenNames) -> anyhow::Result<RecordBatch> {
    let column = |name: &str| -> anyhow::Result<(usize, &StringArray)> {
        let (i, _) =
            batch.schema_ref().column_with_name(name).context(format!("no column {name}"))?;
        let array = batch.column(i).as_any().downcast_ref::<StringArray>();
        Ok((i, array.context(format!("column {name} is not Utf8"))?))
    };
    let (_, text) = column("text")?;
    let (_, entity_type) = column("entity_type")?;
    let (id_at, entity_id) = column("entity_id")?;
    let (name_at, entity_name) = column("entity_name")?;
    let (linked_at, linked_by) = column("linked_by")?;
    let (country_at, country_id) = column("country_id")?;
    let rows = batch.num_rows();
    let mut ids = StringBuilder::with_capacity(rows, entity_id.value_data().len());
    let mut names = StringBuilder::with_capacity(rows, entity_name.value_data().len());
    let mut links = StringBuilder::with_capacity(rows, linked_by.value_data().len());
    let mut countries = StringBuilder::with_capacity(rows, country_id.value_data().len());
    for row in 0..rows {
        let label = entity_type.value(row);
        let entity_type = EntityType::ALL
            .into_iter()
            .find(|t| t.as_str() == label)
            .with_context(|| format!("row {row}: unknown entity_type {label:?}"))?;
        let linked = if linked_by.is_valid(row) {
            let way = linked_by.value(row);
            let found = LinkedBy::ALL.into_iter().find(|l| l.as_str() == way);
            Some(found.with_context(|| format!("row {row}: unknown linked_by {way:?}"))?)
        } else {
            None
        };
        let d = chosen.decide(Mention {
            text: text.value(row),
            entity_type,
            entity_id: entity_id.value(row),
            entity_name: entity_name.value(row),
            linked_by: linked,
            country_id: country_id.is_valid(row).then(|| country_id.value(row)),
        });
        ids.append_value(d.entity_id);
        names.append_value(d.entity_name);
        links.append_option(d.linked_by.map(LinkedBy::as_str));
        countries.append_option(d.country_id);
    }
    let schema = batch.schema();
    let fields = [id_at, name_at, linked_at, country_at].map(|i| schema.field(i).clone());
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ids.finish()),
        Arc::new(names.finish()),
        Arc::new(links.finish()),
        Arc::new(countries.finish()),
    ];
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields.to_vec())), columns)?)
}

#[cfg(test)]
mod tests {
    use entente_extract::{ChosenNames, Decisions};
    use entente_schema::{Entity, EntityType, LinkedBy};
    use entente_test::mention;

    use super::decided;

    /// Deciding the identity columns from Arrow arrays gives the rows `apply` gives.
    #[test]
    fn arrays_are_decided_as_rows_are() {
        let chosen = ChosenNames::from_decisions(&Decisions {
            names: vec![
                ("person:paul-volcker".into(), "Paul A. Volcker".into()),
                ("iso3166:US".into(), "United States".into()),
            ],
            links: vec![(
                "person:volcker".into(),
                ("person:paul-volcker".into(), Some("iso3166:US".into())),
            )],
        });
        let person = EntityType::Person;
        let mut rows = vec![
            // Settled by the corpus: the full name's id, country and name.
            mention("Volcker", "person:volcker", person, Some(LinkedBy::Own)),
            // Linked by an earlier run, no longer settled: its own id back.
            mention("Baker", "person:james-baker", person, Some(LinkedBy::Corpus)),
            // Renamed by the chosen names.
            mention("US", "iso3166:US", EntityType::Gpe, Some(LinkedBy::Gazetteer)),
            // Untouched, with no `linked_by`.
            mention("$5", "money:usd", EntityType::Money, None),
            mention("Paul Volcker", "person:paul-volcker", person, Some(LinkedBy::Own)),
        ];
        rows[3].country_id = Some("iso3166:US".into());
        let batch = entente_parquet::batch_of(&rows).expect("rows convert");
        let new = decided(&batch, &chosen).expect("decided");
        let names: Vec<&str> =
            new.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, super::IDENTITY_DECIDED, "the columns a scratch part writes plain");
        let mut columns = batch.columns().to_vec();
        for (i, field) in batch.schema().fields().iter().enumerate() {
            if let Some(column) = new.column_by_name(field.name()) {
                columns[i] = column.clone();
            }
        }
        let batch = arrow::array::RecordBatch::try_new(batch.schema(), columns).expect("batch");
        let from_arrays: Vec<Entity> = entente_parquet::rows_of(&batch).expect("rows");
        chosen.apply(&mut rows);
        assert_eq!(from_arrays, rows);
        assert_eq!(rows[0].entity_id, "person:paul-volcker");
        assert_eq!(rows[0].country_id.as_deref(), Some("iso3166:US"));
        assert_eq!(rows[1].linked_by, Some(LinkedBy::Own));
        assert_eq!(rows[2].entity_name, "United States");
        assert_eq!(rows[4].entity_name, "Paul A. Volcker");
    }
}
