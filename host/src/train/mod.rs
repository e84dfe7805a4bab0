//! Student training: KD (soft teacher labels at temperature T, + α·CE) or FT (hard labels),
//! Adam, padded mini-batches, early stopping, per-epoch checkpoints and resume.

pub mod checkpoint;
pub mod config;
pub mod error;
pub mod eval;
pub mod report;
pub mod synthetic;
pub mod trainer;
pub mod word_vectors;

pub use config::{KdLoss, Mode, TrainConfig, TrainExample};
pub use error::TrainError;
pub use eval::{accuracy, predict};
pub use report::{EpochReport, StopReason, TrainReport};
pub use trainer::{train_student, TrainedStudent};
pub use word_vectors::{pretrained_table, WordVectors};

#[cfg(test)]
mod tests;
