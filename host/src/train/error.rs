//! Errors of the student trainer.

use std::path::PathBuf;

use edgekd_models::student::StudentError;

/// What went wrong while training a student.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The student could not be built or fed.
    #[error(transparent)]
    Student(#[from] StudentError),
    /// No training or no dev examples.
    #[error("{0} set is empty")]
    EmptySet(&'static str),
    /// A label outside `0..classes`.
    #[error("{set} example {index}: label {label} >= classes {classes}")]
    LabelOutOfRange {
        /// `train` or `dev`.
        set: &'static str,
        /// Index in the set.
        index: usize,
        /// The label.
        label: usize,
        /// Classes of the student.
        classes: usize,
    },
    /// KD needs teacher logits with one value per class on every training example.
    #[error("train example {index}: KD needs teacher logits of length {classes}, found {found:?}")]
    TeacherLogits {
        /// Index in the training set.
        index: usize,
        /// Classes of the student.
        classes: usize,
        /// Length found (`None` when absent).
        found: Option<usize>,
    },
    /// A hyper-parameter out of range.
    #[error("train config: {0}")]
    BadConfig(String),
    /// The word vectors of the student's initialisation did not load.
    #[error("word vectors {path}: {message}")]
    WordVectors {
        /// The file (or asset) concerned.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The checkpoint directory holds a run with another configuration.
    #[error("checkpoint {dir}: it was written for {what} {found}, this run has {expected}")]
    CheckpointMismatch {
        /// Checkpoint directory.
        dir: PathBuf,
        /// What differs.
        what: &'static str,
        /// Saved value.
        found: String,
        /// This run's value.
        expected: String,
    },
    /// Reading or writing a checkpoint file failed.
    #[error("checkpoint file {path}: {message}")]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl TrainError {
    pub(crate) fn checkpoint(path: &std::path::Path, message: impl ToString) -> Self {
        TrainError::Checkpoint {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}
