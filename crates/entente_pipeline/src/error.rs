//! The library's error type.

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a run, or loading a pipeline, failed. Bad input records are never errors: they are
/// rows of the `rejects` table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pipeline, or a file it names (gazetteer, overrides), is not usable; nothing ran.
    /// The message names the file and what is wrong with it.
    #[error("{0}")]
    Config(String),
    /// The run failed: an input root that does not exist, an output that cannot be written,
    /// tables of an earlier stage that are missing. The last output is unchanged.
    #[error(transparent)]
    Run(Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The run was stopped through its [`Cancel`](crate::Cancel) handle. The last output is
    /// unchanged.
    #[error("the run was cancelled")]
    Cancelled,
}

impl Error {
    /// Whether this is [`Error::Config`]: how the pipeline was given, not the run, is wrong.
    pub fn is_config(&self) -> bool {
        matches!(self, Self::Config(_))
    }
}

/// A configuration error inside the run's own error chain, so that [`from_anyhow`] can tell it
/// from a failed run.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ConfigError(pub(crate) String);

/// A config error (anywhere in the chain) becomes [`Error::Config`] with the whole chain as its
/// message, a cancellation [`Error::Cancelled`]; anything else becomes [`Error::Run`].
pub(crate) fn from_anyhow(err: anyhow::Error) -> Error {
    let own = err.downcast_ref::<Error>();
    if matches!(own, Some(Error::Cancelled)) {
        return Error::Cancelled;
    }
    let config = err.downcast_ref::<ConfigError>().is_some() || own.is_some_and(Error::is_config);
    if config { Error::Config(chain_message(err.as_ref())) } else { Error::Run(err.into()) }
}

/// A usage error as an `anyhow` error, for the run's internals.
pub(crate) fn config(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ConfigError(message.into()))
}

/// The error and its causes, each once, joined by `": "`: errors that name their file print
/// their cause too ("`<path>: File too large`"), so a cause the message already ends with is
/// not repeated.
pub fn chain_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut next = Some(err);
    while let Some(cause) = next {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}
