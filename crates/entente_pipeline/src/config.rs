//! Pipelines: `pipelines/<name>.toml` files, and the built-in default.

use std::path::{Path, PathBuf};

use entente_aggregate::AggregateConfig;
use entente_extract::ExtractConfig;
use entente_ingest::IngestConfig;
use entente_normalise::NormaliseConfig;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The built-in default pipeline, compiled into the library: `pipelines/default.toml` is its
/// documented copy (a test proves the two equal). Its paths are relative to the working
/// directory: `data` into `output/default`.
pub const DEFAULT_PIPELINE: &str = include_str!("default.toml");

/// One pipeline: where to read, where to write and every stage's options. Unknown keys are an
/// error, so a typo never silently falls back to a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
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

impl Pipeline {
    /// The pipeline file at `path`, or the built-in default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        path.map_or_else(|| Ok(Self::builtin()), Self::from_file)
    }

    /// The built-in default pipeline ([`DEFAULT_PIPELINE`]).
    ///
    /// # Panics
    ///
    /// Never: the compiled-in text parses (`builtin_equals_the_documented_copy` tests it).
    pub fn builtin() -> Self {
        // A test parses it; it cannot fail at run time.
        #[allow(clippy::expect_used, reason = "compiled in and tested")]
        Self::parse(DEFAULT_PIPELINE, Path::new("(built-in default pipeline)"))
            .expect("the built-in pipeline parses")
    }

    /// Reads the pipeline file at `path`; the paths inside it are made relative to the file's
    /// directory.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read pipeline file {}: {e}", path.display()))
        })?;
        let mut config = Self::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        config.inputs = config.inputs.iter().map(|p| clean(&base.join(p))).collect();
        config.output = clean(&base.join(&config.output));
        config.gazetteers = config.gazetteers.iter().map(|p| clean(&base.join(p))).collect();
        config.overrides = config.overrides.as_ref().map(|p| clean(&base.join(p)));
        Ok(config)
    }

    /// The pipeline with its paths (inputs, output, gazetteers, overrides) taken relative to
    /// `base` where they are relative.
    #[must_use]
    pub fn relative_to(mut self, base: &Path) -> Self {
        let at = |p: &Path| clean(&base.join(p));
        self.inputs = self.inputs.iter().map(|p| at(p)).collect();
        self.output = at(&self.output);
        self.gazetteers = self.gazetteers.iter().map(|p| at(p)).collect();
        self.overrides = self.overrides.as_deref().map(at);
        self
    }

    /// The pipeline as TOML, every option written out (`entente pipeline` prints it).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Config(format!("cannot write the pipeline: {e}")))
    }

    /// Parses a pipeline file's text; `path` names it in errors. Paths stay as written.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let invalid = |e: &dyn std::fmt::Display| {
            Error::Config(format!("invalid pipeline file {}: {e}", path.display()))
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

/// [`Pipeline::stage_hashes`]: written into the files (`entente.config.<stage>`) and the
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
    pub fn read(config: &Pipeline) -> Result<Self> {
        let read = |p: &Path, what: &str| {
            std::fs::read_to_string(p)
                .map(|text| (p.display().to_string(), text))
                .map_err(|e| Error::Run(format!("cannot read {what} {}: {e}", p.display()).into()))
        };
        Ok(Self {
            gazetteers: config
                .gazetteers
                .iter()
                .map(|p| read(p, "gazetteer"))
                .collect::<Result<_>>()?,
            overrides: config
                .overrides
                .as_deref()
                .map(|p| read(p, "overrides file"))
                .transpose()?,
        })
    }

    /// The extractor `config` describes with these files; a bad gazetteer or overrides file
    /// is a usage error naming it.
    pub fn extractor(&self, config: &Pipeline) -> Result<entente_extract::Extractor> {
        let usage = Error::Config;
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

#[cfg(test)]
mod builtin_tests {
    use std::path::Path;

    use super::Pipeline;

    /// `pipelines/default.toml` is the documented copy of the built-in pipeline: the same
    /// options, and the same paths once each is resolved (the file's relative to itself, the
    /// built-in's relative to the working directory, here the workspace root).
    #[test]
    fn builtin_equals_the_documented_copy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = super::clean(&root);
        let file = Pipeline::from_file(&root.join("pipelines/default.toml")).unwrap();
        assert_eq!(file, Pipeline::builtin().relative_to(&root));
    }

    #[test]
    fn builtin_reads_data_into_output_default() {
        let builtin = Pipeline::builtin();
        assert_eq!(builtin.inputs, vec![Path::new("data")]);
        assert_eq!(builtin.output, Path::new("output/default"));
    }

    /// What `entente pipeline` prints parses back to the same pipeline.
    #[test]
    fn toml_round_trips() {
        let builtin = Pipeline::builtin();
        let text = builtin.to_toml().unwrap();
        assert_eq!(Pipeline::parse(&text, Path::new("printed")).unwrap(), builtin);
    }

    #[test]
    fn unknown_keys_are_config_errors_naming_the_file() {
        let err = Pipeline::parse(
            "name = \"x\"\ninputs = []\noutput = \"o\"\nbach_mb = 2\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert!(err.is_config());
        assert!(err.to_string().starts_with("invalid pipeline file p.toml: "), "{err}");
    }
}
