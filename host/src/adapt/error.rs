//! Errors of an adaptation session: each says what failed and where.

use edgekd_shared::temperature::TemperatureOutOfRange;

use crate::device::ClientError;

/// Why an adaptation session could not run or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdaptError {
    /// A `--map` entry is not of the form `from=to`.
    #[error("label map entry {entry:?} is not of the form from=to")]
    BadMapEntry {
        /// The entry as given.
        entry: String,
    },
    /// An in-domain label names no class of the model (after the label map).
    #[error(
        "in-domain label {label:?} (mapped to {mapped:?}) is not a class of the model {model:?}; \
         map it with --map {label}=<model label>"
    )]
    UnmappedLabel {
        /// The in-domain label.
        label: String,
        /// Its name after the map.
        mapped: String,
        /// The model's classes.
        model: Vec<String>,
    },
    /// A teacher logit vector has the wrong length or a non-finite value.
    #[error("teacher logits of text {index}: {reason}")]
    BadTeacherLogits {
        /// Position of the text.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The flashed student's own logits (replay targets) could not be computed on the host.
    #[error("the student's own logits: {reason}")]
    StudentLogits {
        /// What failed, and on which text.
        reason: String,
    },
    /// The temperature is outside the checked range (the device's).
    #[error(transparent)]
    BadTemperature(#[from] TemperatureOutOfRange),
    /// Updates were asked for but there is no in-domain training text.
    #[error("{updates} updates asked for but the in-domain training split is empty")]
    NoTrainingData {
        /// Updates asked for.
        updates: usize,
    },
    /// Texts and labels of an evaluation set differ in length.
    #[error("evaluation set {name:?}: {texts} texts but {labels} labels")]
    EvalLengths {
        /// The set.
        name: String,
        /// Number of texts.
        texts: usize,
        /// Number of labels.
        labels: usize,
    },
    /// The model file is not an artifact (its container does not parse).
    #[error("the model is not an artifact: {reason}")]
    NotAnArtifact {
        /// The decoder's error.
        reason: String,
    },
    /// The model has no f32 head master, so the device cannot learn.
    #[error("the model has no f32 head master, so the device cannot learn")]
    NoHead,
    /// A corpus could not be split or subsampled.
    #[error("data: {0}")]
    Data(#[from] crate::data::DataError),
    /// Replay by the teacher was asked for without an original-domain teacher.
    #[error("--replay teacher needs --replay-teacher DIR")]
    NoReplayTeacher,
    /// An example's label index is outside its corpus's labels.
    #[error("evaluation set {set:?}: label index {label} is outside the corpus's labels")]
    LabelIndex {
        /// The set.
        set: String,
        /// The label index.
        label: usize,
    },
    /// The teacher could not label texts.
    #[error("the teacher's logits: {reason}")]
    Teacher {
        /// What failed.
        reason: String,
    },
    /// A device exchange failed (the device's refusal, e.g. `BadSoftLabel`, included).
    #[error("{during}: {source}")]
    Device {
        /// What the session was doing (`update 37`, `evaluate in-domain`, …).
        during: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
}

impl AdaptError {
    /// The device's error code, when the device refused a request.
    pub fn device_code(&self) -> Option<edgekd_shared::protocol::ErrorCode> {
        match self {
            AdaptError::Device { source, .. } => source.device_code(),
            _ => None,
        }
    }
}
