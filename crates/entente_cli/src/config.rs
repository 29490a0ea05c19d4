//! Pipeline files: `pipelines/<name>.toml`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use entente_aggregate::AggregateConfig;
use entente_extract::ExtractConfig;
use entente_ingest::IngestConfig;
use entente_normalise::NormaliseConfig;
use serde::{Deserialize, Serialize};

use crate::UsageError;
use crate::args::RunArgs;

/// One pipeline: where to read, where to write and every stage's options. Unknown keys are an
/// error, so a typo never silently falls back to a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// The pipeline's name, shown in logs.
    pub name: String,
    /// Input files and directories (searched recursively), relative to the pipeline file.
    pub inputs: Vec<PathBuf>,
    /// Output directory, relative to the pipeline file.
    pub output: PathBuf,
    /// Worker threads; absent or 0 means one per core.
    #[serde(default)]
    pub threads: Option<usize>,
    /// About how many megabytes of input go into one batch: the documents of a batch are in
    /// memory together and become one part file of each per-document table. Batches are cut
    /// by the files' names and sizes alone (README "Output layout"), so adding a file changes
    /// only its own batch.
    #[serde(default = "default_batch_mb")]
    pub batch_mb: f64,
    /// Extra gazetteer files (TSV, the format of the built-in ones), relative to the pipeline
    /// file.
    #[serde(default)]
    pub gazetteers: Vec<PathBuf>,
    /// The user's corrections to extraction (TOML: `[[add]]`, `[[alias]]`, `[[merge]]`,
    /// `[[block]]`; README "Correcting entities"), relative to the pipeline file.
    #[serde(default)]
    pub overrides: Option<PathBuf>,
    /// Ingest options.
    #[serde(default)]
    pub ingest: IngestConfig,
    /// Normalise options.
    #[serde(default)]
    pub normalise: NormaliseConfig,
    /// Extract options.
    #[serde(default)]
    pub extract: ExtractConfig,
    /// Aggregate options.
    #[serde(default)]
    pub aggregate: AggregateConfig,
}

impl PipelineConfig {
    /// Reads the pipeline file named in `args` and applies the command-line overrides.
    pub fn load(args: &RunArgs) -> anyhow::Result<Self> {
        let path = &args.pipeline;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read pipeline file {}", path.display()))
            .map_err(|e| anyhow::Error::new(UsageError(format!("{e:#}"))))?;
        let mut config = Self::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        config.inputs = config.inputs.iter().map(|p| clean(&base.join(p))).collect();
        config.output = clean(&base.join(&config.output));
        config.gazetteers = config.gazetteers.iter().map(|p| clean(&base.join(p))).collect();
        config.overrides = config.overrides.as_ref().map(|p| clean(&base.join(p)));
        if !args.inputs.is_empty() {
            config.inputs.clone_from(&args.inputs);
        }
        if let Some(output) = &args.output {
            config.output.clone_from(output);
        }
        if args.threads.is_some() {
            config.threads = args.threads;
        }
        Ok(config)
    }

    /// Parses a pipeline file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<Self> {
        let invalid = |e: &dyn std::fmt::Display| {
            anyhow::Error::new(UsageError(format!("invalid pipeline file {}: {e}", path.display())))
        };
        let config: Self = toml::from_str(text).map_err(|e| invalid(&e))?;
        // Bad boilerplate patterns are reported now, not after ingest has run.
        entente_normalise::Normaliser::new(&config.normalise).map_err(|e| invalid(&e))?;
        config.aggregate.check().map_err(|e| invalid(&e))?;
        if !(config.batch_mb.is_finite() && config.batch_mb * 1_048_576.0 >= 1.0) {
            return Err(invalid(&"batch_mb must be a positive number (at least one byte)"));
        }
        Ok(config)
    }

    /// One hash per stage of everything that changes its tables (its options, the data compiled
    /// into its crate, and for extract the extra gazetteers' and the overrides file's
    /// contents), chained: each stage's hash
    /// covers the stages before it. Paths, threads and `batch_mb` do not change the rows and
    /// are left out.
    pub fn stage_hashes(&self, files: &ExtractFiles) -> StageHashes {
        let chain = |before: &str, options: serde_json::Value| {
            entente_schema::hash_hex(format!("{before}\n{options}").as_bytes())
        };
        let ingest = chain("", serde_json::json!(self.ingest));
        let normalise = chain(
            &ingest,
            serde_json::json!({
                "normalise": self.normalise,
                "builtin": entente_normalise::builtin_data_hash(),
            }),
        );
        let extract = chain(
            &normalise,
            serde_json::json!({
                "extract": self.extract,
                "builtin": entente_extract::builtin_data_hash(),
                "gazetteers": files.gazetteers.iter().map(|(_, text)| entente_schema::hash_hex(text.as_bytes())).collect::<Vec<_>>(),
                "overrides": files.overrides.as_ref().map(|(_, text)| entente_schema::hash_hex(text.as_bytes())),
            }),
        );
        let aggregate = chain(&extract, serde_json::json!(self.aggregate));
        StageHashes { ingest, normalise, extract, aggregate }
    }
}

/// [`PipelineConfig::stage_hashes`]: written into the files (`entente.config.<stage>`) and the
/// incremental state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageHashes {
    /// Ingest options.
    pub ingest: String,
    /// Normalise options, built-in data and the above.
    pub normalise: String,
    /// Extract options, built-in data, gazetteers, overrides and the above.
    pub extract: String,
    /// Aggregate options and the above.
    pub aggregate: String,
}

fn default_batch_mb() -> f64 {
    8.0
}

/// `pipelines/../data` → `data`, without touching the file system (the path may not exist).
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    #[test]
    fn clean_resolves_parent_components_lexically() {
        assert_eq!(
            super::clean(Path::new("pipelines/../output/default")),
            PathBuf::from("output/default")
        );
        assert_eq!(super::clean(Path::new("../a/./b")), PathBuf::from("../a/b"));
        assert_eq!(super::clean(Path::new("a/..")), PathBuf::from("."));
    }
}

/// The files the extract stage reads besides its tables: extra gazetteers and the overrides
/// file, each as `(path, contents)`.
#[derive(Debug, Clone, Default)]
pub struct ExtractFiles {
    /// Extra gazetteers.
    pub gazetteers: Vec<(String, String)>,
    /// The overrides file.
    pub overrides: Option<(String, String)>,
}

impl ExtractFiles {
    /// Reads the files `config` names.
    pub fn read(config: &PipelineConfig) -> anyhow::Result<Self> {
        let read = |p: &Path, what: &str| {
            std::fs::read_to_string(p)
                .map(|text| (p.display().to_string(), text))
                .with_context(|| format!("cannot read {what} {}", p.display()))
        };
        Ok(Self {
            gazetteers: config
                .gazetteers
                .iter()
                .map(|p| read(p, "gazetteer"))
                .collect::<anyhow::Result<_>>()?,
            overrides: config
                .overrides
                .as_deref()
                .map(|p| read(p, "overrides file"))
                .transpose()?,
        })
    }

    /// The extractor `config` describes with these files; a bad gazetteer or overrides file
    /// is a usage error naming it.
    pub fn extractor(&self, config: &PipelineConfig) -> anyhow::Result<entente_extract::Extractor> {
        let usage = |e: String| anyhow::Error::new(UsageError(e));
        let extra: Vec<(&str, &str)> =
            self.gazetteers.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let budget = entente_extract::TimeBudget::of(&config.extract, std::time::Instant::now);
        let mut extractor = entente_extract::Extractor::new(&config.extract, &extra)
            .map_err(|e| usage(e.to_string()))?
            .with_time_budget(budget);
        if let Some((path, text)) = &self.overrides {
            let overrides: entente_extract::Overrides = toml::from_str(text)
                .map_err(|e| usage(format!("invalid overrides file {path}: {e}")))?;
            extractor = extractor
                .with_overrides(&overrides)
                .map_err(|e| usage(format!("overrides file {path}: {e}")))?;
        }
        Ok(extractor)
    }
}
