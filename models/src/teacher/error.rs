//! Errors of the teacher: loading, tokenizing, running and saving it.

use std::path::PathBuf;

/// What went wrong in the teacher, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TeacherError {
    /// A file could not be read or written.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (config, report) did not parse or could not be written.
    #[error("bad JSON in {path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The safetensors file did not parse.
    #[error("bad safetensors file {path}: {message}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A tensor the encoder needs is not in the checkpoint.
    #[error("tensor {name} is missing from the checkpoint")]
    MissingTensor {
        /// The BERT key name, e.g. `encoder.layer.0.attention.self.query.weight`.
        name: String,
    },
    /// A checkpoint tensor has a shape other than the config implies.
    #[error("tensor {name} has shape {found:?}, expected {expected:?}")]
    ShapeMismatch {
        /// The BERT key name.
        name: String,
        /// Shape in the file.
        found: Vec<usize>,
        /// Shape the config implies.
        expected: Vec<usize>,
    },
    /// A checkpoint tensor is not stored as F32.
    #[error("tensor {name} has dtype {dtype}, only F32 is supported")]
    UnsupportedDtype {
        /// The BERT key name.
        name: String,
        /// The dtype found.
        dtype: String,
    },
    /// The config is inconsistent (e.g. hidden size not divisible by the head count).
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// The tokenizer failed to load or to encode.
    #[error("tokenizer error ({context}): {message}")]
    Tokenizer {
        /// What was being done: the file loaded or the step.
        context: String,
        /// What the tokenizer said.
        message: String,
    },
    /// An empty batch of texts was given where at least one is needed.
    #[error("empty input: {0}")]
    EmptyInput(&'static str),
    /// A burn tensor read-back or record operation failed.
    #[error("burn error ({context}): {message}")]
    Burn {
        /// What was being done.
        context: String,
        /// What burn said.
        message: String,
    },
}

impl TeacherError {
    /// Wraps an i/o error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps a burn error (read-back, record) with what was being done.
    pub fn burn(context: impl Into<String>, err: impl std::fmt::Debug) -> Self {
        Self::Burn {
            context: context.into(),
            message: format!("{err:?}"),
        }
    }
}

/// Result of the teacher's operations.
pub type Result<T> = std::result::Result<T, TeacherError>;
