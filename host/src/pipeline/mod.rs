//! The host pipeline that ties the stages together: corpus → split → teacher fine-tuning → augmentation
//! → teacher soft labels → FT and KD students → metrics. `edgekd distill`, `edgekd run` and the sweep's
//! cell runner are thin layers over it.

mod cell;
mod corpus;
mod degree_search;
mod distill;
mod export;
mod label_stage;
mod labels;
mod metrics;
mod run;
mod validate;

pub use cell::RealCellRunner;
pub use corpus::{load_corpus, CorpusError};
pub use degree_search::{best_trial, DegreeTrial, DEFAULT_DEGREE_CANDIDATES};
pub use distill::{
    run_checked, run_distill, DistillConfig, DistillOutcome, PipelineError, StageTimes,
    StudentOutcome,
};
pub use export::{export_student, git_revision, ExportOutcome, CALIBRATION_PERCENTILES};
pub use label_stage::{plan_label_chunks, run_label_shard, LabelChunk, LabelSummary};
pub use labels::{teacher_logits, TeacherStage};
pub use metrics::{ClassMetrics, Metrics};
pub use run::{new_run_dir, run_main_job, summary, RunMetrics};
pub use validate::{check_run, rows_needed, CheckedData, ValidationError};
