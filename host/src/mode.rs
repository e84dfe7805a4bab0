//! The two ways a student learns, KD and FT: one enum for the trainer, the sweep's cells and the
//! report (it needs no burn, so the report and the sweep's grid build without the `student` feature).

use serde::{Deserialize, Serialize};

/// How the student learns. The serialized names (`"kd"`, `"ft"`) are those of a sweep's
/// `results.jsonl` and grid files.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Knowledge distillation from the teacher's soft labels, with the loss of [`KdLoss`].
    Kd,
    /// Fine-tuning on hard labels only (the paper's baseline; augmented copies inherit the
    /// original's label).
    Ft,
}
