//! Training: the students (KD: soft teacher labels at temperature T, + α·CE; or FT: hard labels;
//! Adam, padded mini-batches, early stopping on dev checks, per-epoch checkpoints and resume;
//! feature `student`)
//! and the teacher's fine-tuning ([`teacher`], feature `teacher`).

#[cfg(feature = "student")]
pub mod checkpoint;
#[cfg(feature = "student")]
pub mod config;
#[cfg(feature = "student")]
pub mod error;
#[cfg(feature = "student")]
pub mod eval;
#[cfg(feature = "student")]
pub mod report;
#[cfg(feature = "teacher")]
mod schedule;
#[cfg(feature = "student")]
pub mod synthetic;
#[cfg(feature = "teacher")]
pub mod teacher;
#[cfg(feature = "student")]
pub mod trainer;
#[cfg(feature = "student")]
pub mod word_vectors;

#[cfg(feature = "student")]
pub use config::{check_learning_rate, KdLoss, Mode, TrainConfig, TrainExample};
#[cfg(feature = "student")]
pub use error::TrainError;
#[cfg(feature = "student")]
pub use eval::{accuracy, predict};
#[cfg(feature = "student")]
pub use report::{CheckReport, EpochReport, StopReason, TrainReport};
#[cfg(feature = "student")]
pub use trainer::{train_student, TrainedStudent};
#[cfg(feature = "student")]
pub use word_vectors::{pretrained_table, WordVectors};

#[cfg(all(test, feature = "student"))]
mod tests;
