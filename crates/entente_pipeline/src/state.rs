//! The state of incremental runs, in `<output>/_state/`: `manifest.json` (the stage hashes and
//! each batch's input files with their sizes and content hashes) and, per batch part,
//! `stories/` (the documents' story keys, `entente_schema::StoryKey`) and `names/` (entity
//! names counted, `entente_schema::NameCount`). With them, `entente run` skips every batch whose
//! files and options are unchanged and still gives the files a run from scratch gives.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::StageHashes;
use crate::plan::BatchInput;

/// The directory of the state in an output directory (skipped by Hive-style readers).
pub(crate) const STATE_DIR: &str = "_state";

/// Bumped when the state's meaning changes; a manifest of another version is ignored.
const VERSION: u32 = 1;

/// What the last complete `entente run` into an output directory was made of.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub(crate) version: u32,
    /// The entente version that wrote it: another version runs everything again.
    pub(crate) entente: String,
    /// The table contract its tables follow: another contract runs everything again, as a
    /// build of the same version with other tables would otherwise keep the old files.
    #[serde(default)]
    pub(crate) contract: String,
    /// The name of the pipeline that made the tables (`entente report` shows it).
    #[serde(default)]
    pub(crate) pipeline: String,
    pub(crate) config: StageHashes,
    pub(crate) batches: Vec<BatchRecord>,
}

/// One batch: its part name and input files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BatchRecord {
    pub(crate) part: String,
    pub(crate) files: Vec<FileRecord>,
}

/// One input file as it was read, or one chunk of a big one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    pub(crate) source: String,
    /// The file's size (a chunk: its decompressed length).
    pub(crate) size: u64,
    /// XXH3-64 of the bytes (empty if the file could not be read: never equal to a later run).
    pub(crate) hash: String,
    /// A chunk: everything besides its bytes that its rows depend on (where it starts and
    /// sits in the file; the file's encoding, header row and damage), as a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) chunk: Option<String>,
}

impl Manifest {
    pub(crate) fn new(pipeline: &str, config: StageHashes, batches: Vec<BatchRecord>) -> Self {
        Self {
            version: VERSION,
            entente: env!("CARGO_PKG_VERSION").to_owned(),
            contract: entente_schema::CONTRACT_VERSION.to_owned(),
            pipeline: pipeline.to_owned(),
            config,
            batches,
        }
    }

    /// The manifest in `out`, if there is a usable one (same state version, entente and
    /// table contract).
    pub(crate) fn load(out: &Path) -> Option<Self> {
        let path = out.join(STATE_DIR).join("manifest.json");
        let text = std::fs::read_to_string(&path).ok()?;
        match serde_json::from_str::<Self>(&text) {
            Ok(m)
                if m.version == VERSION
                    && m.entente == env!("CARGO_PKG_VERSION")
                    && m.contract == entente_schema::CONTRACT_VERSION =>
            {
                Some(m)
            }
            Ok(_) => {
                tracing::info!(
                    "{}: written by another entente, running everything",
                    path.display()
                );
                None
            }
            Err(e) => {
                tracing::warn!("{}: unreadable ({e}), running everything", path.display());
                None
            }
        }
    }

    /// Writes the manifest into the state directory `dir`.
    pub(crate) fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("manifest.json");
        let text = serde_json::to_string_pretty(self).context("cannot encode the run state")?;
        // A new file renamed into place: `dir` may hold hard links to the last output's files.
        let tmp = dir.join(".manifest.json.tmp");
        std::fs::write(&tmp, text + "\n")
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The files of each batch with their sizes and content hashes, read in parallel (a chunk:
/// the hash its scan took).
pub(crate) fn records(batches: &[BatchInput]) -> Vec<Vec<FileRecord>> {
    batches
        .iter()
        .map(|batch| match batch {
            BatchInput::Files(files) => files
                .par_iter()
                .map(|f| {
                    // Unread files are recorded as such, so the run after the problem is
                    // fixed reads them (a named pipe is never opened: it would block).
                    let read = f.problem.is_none().then(|| content_hash(&f.path).ok()).flatten();
                    let (size, hash) = read.unwrap_or_default();
                    FileRecord { source: f.source.clone(), size, hash, chunk: None }
                })
                .collect(),
            BatchInput::Chunk { file, plan, chunk } => plan
                .chunks
                .get(*chunk)
                .map(|c| FileRecord {
                    source: file.source.clone(),
                    size: c.len,
                    hash: c.hash.clone(),
                    chunk: Some(chunk_key(plan, c)),
                })
                .into_iter()
                .collect(),
        })
        .collect()
}

/// What a chunk's rows depend on besides its bytes.
fn chunk_key(plan: &entente_ingest::FilePlan, chunk: &entente_ingest::Chunk) -> String {
    let header = xxhash_rust::xxh3::xxh3_64(&plan.header);
    let p = &chunk.pos;
    format!(
        "{} {} {} {} {} {:?} {} {header:016x} {:?} {:?}",
        chunk.offset,
        p.first_index,
        p.records_before,
        p.lines_before,
        p.last,
        plan.encoding,
        plan.bom,
        p.last.then_some(&plan.damage),
        chunk.rejects,
    )
}

/// A file's size and XXH3 hash (as [`entente_schema::hash_hex`] of its bytes), read in
/// blocks: a file larger than memory is hashed too.
fn content_hash(path: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, format!("{:016x}", hasher.digest())))
}

/// How a batch of this run relates to the last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// New or changed files, or changed ingest/normalise options: every stage runs.
    Process,
    /// Same files and options: the parts of `old` are used as they are.
    Reuse { old: String },
    /// Same files, changed extract options: extraction runs again on `old`'s sentences.
    Extract { old: String },
}

/// The plan of each batch (`files` as [`records`] gives them), given the last run's manifest.
/// A batch is reused only if every file the reuse needs is still in `out`.
pub(crate) fn plan(
    out: &Path,
    previous: Option<&Manifest>,
    current: &StageHashes,
    files: &[Vec<FileRecord>],
    tables: &[&str],
) -> Vec<Plan> {
    let Some(previous) = previous else { return vec![Plan::Process; files.len()] };
    if previous.config.normalise != current.normalise {
        return vec![Plan::Process; files.len()];
    }
    let same_extract = previous.config.extract == current.extract;
    files
        .iter()
        .map(|batch| {
            let Some(old) = previous.batches.iter().find(|b| b.files == *batch) else {
                return Plan::Process;
            };
            let present = tables
                .iter()
                .map(|t| out.join(t).join(&old.part))
                .chain(state_parts(out, &old.part))
                .all(|p| p.is_file());
            match (present, same_extract) {
                (false, _) => Plan::Process,
                (true, true) => Plan::Reuse { old: old.part.clone() },
                (true, false) => Plan::Extract { old: old.part.clone() },
            }
        })
        .collect()
}

/// Whether every batch of this run is the same batch of the last run, in the same place.
pub(crate) fn all_reused(previous: &Manifest, plans: &[Plan]) -> bool {
    plans.len() == previous.batches.len()
        && plans
            .iter()
            .zip(&previous.batches)
            .all(|(p, b)| matches!(p, Plan::Reuse { old } if *old == b.part))
}

/// The state files of part `part` in output directory `out`.
pub(crate) fn state_parts(out: &Path, part: &str) -> [PathBuf; 2] {
    let dir = out.join(STATE_DIR);
    [dir.join("stories").join(part), dir.join("names").join(part)]
}

/// Puts a file of the last run at `to`: a hard link (no copy), or a copy where links fail.
pub(crate) fn link(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}
