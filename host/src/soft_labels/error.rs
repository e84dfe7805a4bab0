//! Errors of the soft-label cache.

use std::path::PathBuf;

use edgekd_models::teacher::TeacherError;
use edgekd_shared::temperature::TemperatureOutOfRange;

/// What went wrong reading, writing or filling the soft-label cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoftLabelError {
    /// A cache or chunk file (or their folder) could not be read or written.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A cache or chunk file is not in the expected format.
    #[error("soft-label cache {path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A record would hold more logits than the format allows.
    #[error("soft-label cache {path}: record has {found} logits, cache holds {expected}")]
    Width {
        /// The cache file.
        path: PathBuf,
        /// Logits in the record.
        found: usize,
        /// Most logits a record may hold.
        expected: usize,
    },
    /// The labeller gave another number of rows than texts it was asked for.
    #[error("soft-label cache {path}: labelling gave {found} rows for {expected} texts")]
    Rows {
        /// The cache file.
        path: PathBuf,
        /// Rows returned.
        found: usize,
        /// Texts asked for.
        expected: usize,
    },
    /// The temperature to read the logits at is out of range.
    #[error("invalid config: {0}")]
    Temperature(#[from] TemperatureOutOfRange),
    /// The teacher failed while labelling the texts the cache lacks.
    #[error(transparent)]
    Teacher(#[from] TeacherError),
}

impl SoftLabelError {
    /// Wraps an i/o error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
