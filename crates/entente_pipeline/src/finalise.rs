//! The corpus-wide decisions, after the last batch: every document's story and every
//! entity's name, written into the final `documents` and `entities` parts, with the state the
//! next incremental run needs.

use std::time::Instant;

use entente_extract::Names;
use entente_parquet::{Codec, table_dir};
use entente_schema::{Document, Entity};
use rayon::prelude::*;

use crate::batch::Collected;
use crate::parts::{finalise_part, kept_meta, read_state, rewrite_part, write_rows};
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
    let assigned = stories.as_ref().map(entente_normalise::Stories::assign);
    if from <= Stage::Normalise || full {
        // Parts are independent: finished in parallel (each on one thread).
        done.par_iter().try_for_each(|d| -> anyhow::Result<()> {
            let keys = match (&stories, &assigned) {
                (Some(stories), Some(assigned)) => stories.state(d.stories.clone(), assigned),
                _ => Vec::new(),
            };
            let fix = |documents: &mut [Document]| {
                if let Some(assigned) = &assigned {
                    for doc in documents {
                        if let Some(story) = assigned.get(&doc.doc_id) {
                            story.clone().apply(doc);
                        }
                    }
                }
            };
            match (&d.old, &d.documents_meta) {
                (_, Some(meta)) => {
                    finalise_part::<Document>(staging, &scratch_docs, &d.part, meta, fix)?;
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
                        rewrite_part::<Document>(&from_dir, old, staging, &d.part, &meta, fix)?;
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
            let fix = |rows: &mut [Entity]| chosen.apply(rows);
            if d.new_entities {
                finalise_part::<Entity>(staging, &scratch_entities, &d.part, &meta, fix)?;
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
                    rewrite_part::<Entity>(&from_dir, old, staging, &d.part, &meta, fix)?;
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
