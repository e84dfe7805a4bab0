//! The host pipeline that ties the stages together: corpus → split → teacher fine-tuning → augmentation
//! → teacher soft labels → FT and KD students → metrics → int8 export. One engine
//! ([`engine`](self::engine)) does the augment → label → tokenize → train → score steps for
//! `edgekd distill`/`run` ([`run_distill`]), the sweep's cells ([`RealCellRunner`]) and the degree
//! search; the CLI only parses settings into a [`DistillConfig`] and prints what comes back.
//!
//! Files import each other in one direction only: `config` ← `error` ← `engine` ← `degree_search` ←
//! `distill` ← `export` ← `run`, and `engine` ← `cell` ← `label_stage`.

mod cell;
mod config;
mod corpus;
mod degree_search;
mod distill;
mod engine;
mod error;
mod export;
mod label_stage;
mod labels;
mod metrics;
mod run;
mod validate;

pub use cell::{RealCellRunner, TeacherSpec};
pub use config::{Degree, DegreeError, DistillConfig, StudentInit, DEFAULT_DEGREE_CANDIDATES};
pub use corpus::{load_corpus, CorpusError};
pub use degree_search::{best_trial, DegreeTrial};
pub use distill::{run_checked, run_distill, DistillOutcome, StageTimes, StudentOutcome};
pub use error::PipelineError;
pub use export::{export_student, git_revision, ExportOutcome, CALIBRATION_PERCENTILES};
pub use label_stage::{
    describe_teacher, plan_label_chunks, run_label_shard, LabelChunk, LabelSummary,
};
pub use labels::{teacher_logits, TeacherStage};
pub use metrics::{ClassMetrics, Metrics};
pub use run::{new_run_dir, run_main_job, summary, RunMetrics};
pub use validate::{check_run, rows_needed, CheckedData, ValidationError};
