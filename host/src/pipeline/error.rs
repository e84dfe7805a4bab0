//! Errors of the experiment engine, each naming its stage.

/// Errors of the pipeline, each naming its stage.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Loading the corpus.
    #[error("corpus: {0}")]
    Corpus(#[from] super::corpus::CorpusError),
    /// The data or the settings cannot give a usable model (checked before anything runs).
    #[error("{0}")]
    Invalid(#[from] super::validate::ValidationError),
    /// Splitting or subsampling.
    #[error("data: {0}")]
    Data(#[from] crate::data::DataError),
    /// Assets (teacher checkpoint, lexicons).
    #[error("assets: {0}")]
    Asset(#[from] crate::assets::AssetError),
    /// The augmentation lexicon.
    #[error("augmentation: {0}")]
    Lexicon(#[from] crate::augment::LexiconError),
    /// The teacher.
    #[error("teacher: {0}")]
    Teacher(#[from] edgekd_models::teacher::TeacherError),
    /// The teacher's fine-tuning.
    #[error("teacher: {0}")]
    TeacherTraining(#[from] crate::train::teacher::TeacherTrainError),
    /// The soft-label cache (and the teacher labelling the texts it lacks).
    #[error("teacher: {0}")]
    SoftLabels(#[from] crate::soft_labels::SoftLabelError),
    /// Student training.
    #[error("student: {0}")]
    Train(#[from] crate::train::TrainError),
    /// The backend.
    #[error("backend: {0}")]
    Backend(#[from] edgekd_models::backend::BackendError),
    /// A setting that cannot work.
    #[error("config: {0}")]
    Config(String),
    /// A degree that is not a fraction, `auto` or a search.
    #[error(transparent)]
    Degree(#[from] super::config::DegreeError),
    /// A cell of a sweep (building the texts a cell needs labelled).
    #[error("sweep: {0}")]
    Sweep(#[from] crate::sweep::SweepError),
}
