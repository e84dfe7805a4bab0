//! Trainer configuration, training examples and the two training modes (one [`Mode`] for the
//! trainer, the pipeline, the sweep's cells and `results.jsonl`).

use std::path::PathBuf;

use edgekd_models::student::StudentConfig;
use edgekd_shared::temperature::check_temperature;
use serde::{Deserialize, Serialize};

use super::error::TrainError;
pub use crate::mode::Mode;

/// One training or dev example: hashed token ids (from `shared::tokenizer`, the same hashing as
/// on the device), the gold label and, for KD, the teacher's logits `[classes]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainExample {
    /// Bucket ids, each `< buckets`.
    pub tokens: Vec<u32>,
    /// Gold class index.
    pub label: usize,
    /// Teacher logits `[classes]` (unscaled), needed by KD.
    pub teacher_logits: Option<Vec<f32>>,
}

impl TrainExample {
    /// Tokenizes `text` with the student's tokenizer settings (the device's hashing).
    pub fn from_text(
        text: &str,
        label: usize,
        teacher_logits: Option<Vec<f32>>,
        student: &StudentConfig,
    ) -> Result<Self, TrainError> {
        let (tokens, _truncated) =
            edgekd_shared::tokenizer::tokenize_to_vec(text, &student.tokenizer())
                .map_err(|e| TrainError::BadConfig(format!("tokenizer: {e}")))?;
        Ok(Self {
            tokens,
            label,
            teacher_logits,
        })
    }
}

/// The KD loss `T²·KL(teacher ‖ student at T) + α·CE` (used in [`Mode::Kd`] only).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KdLoss {
    /// Softmax temperature `T` (in the [checked range](edgekd_shared::temperature)).
    pub temperature: f32,
    /// Weight `α` of the hard-label cross-entropy (≥ 0).
    pub alpha: f32,
}

impl Default for KdLoss {
    /// `T = 2`, `α = 0.5`.
    fn default() -> Self {
        Self {
            temperature: 2.0,
            alpha: 0.5,
        }
    }
}

/// Hyper-parameters of one training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// The student to train.
    pub student: StudentConfig,
    /// Most epochs to run.
    pub epochs: usize,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Stop after this many dev checks without a better dev accuracy.
    pub patience: usize,
    /// Training examples between dev checks (`None`: one check at the end of each epoch). A
    /// fixed count makes early stopping independent of how many copies an epoch holds, the
    /// same for KD and FT.
    #[serde(default)]
    pub check_every: Option<usize>,
    /// Seed of the initialisation and of the per-epoch shuffles.
    pub seed: u64,
    /// Where to checkpoint each epoch and resume from; `None` keeps everything in memory.
    pub checkpoint_dir: Option<PathBuf>,
    /// The KD loss (unused by [`Mode::Ft`]).
    pub kd: KdLoss,
    /// The embedding table `[buckets · dim]` the student starts from (`None`: random), e.g.
    /// [`pretrained_table`](super::word_vectors::pretrained_table).
    #[serde(skip)]
    pub init_table: Option<std::sync::Arc<[f32]>>,
}

impl TrainConfig {
    /// A config with the defaults used by the CLI: 30 epochs, batch 32, lr 3e-3, patience 4, KD at
    /// `T = 2`, `α = 0.5`.
    pub fn new(student: StudentConfig) -> Self {
        Self {
            student,
            epochs: 30,
            batch_size: 32,
            learning_rate: 3e-3,
            patience: 4,
            check_every: None,
            seed: 42,
            checkpoint_dir: None,
            kd: KdLoss::default(),
            init_table: None,
        }
    }

    pub(crate) fn validate(&self, mode: Mode) -> Result<(), TrainError> {
        self.student.validate()?;
        if self.batch_size == 0 {
            return Err(TrainError::BadConfig("batch_size must be > 0".into()));
        }
        if self.check_every == Some(0) {
            return Err(TrainError::BadConfig(
                "check_every must be > 0 examples (or unset: a check per epoch)".into(),
            ));
        }
        check_learning_rate(self.learning_rate).map_err(TrainError::BadConfig)?;
        if mode == Mode::Kd {
            let KdLoss { temperature, alpha } = self.kd;
            check_temperature(temperature).map_err(|e| TrainError::BadConfig(format!("KD {e}")))?;
            if !(alpha.is_finite() && alpha >= 0.0) {
                return Err(TrainError::BadConfig(format!(
                    "KD alpha must be finite and >= 0, got {alpha}"
                )));
            }
        }
        Ok(())
    }
}

/// Checks labels (and, for KD, teacher logits) of a set against `classes`.
pub(crate) fn check_examples(
    set: &'static str,
    examples: &[TrainExample],
    classes: usize,
    need_logits: bool,
) -> Result<(), TrainError> {
    if examples.is_empty() {
        return Err(TrainError::EmptySet(set));
    }
    for (index, ex) in examples.iter().enumerate() {
        if ex.label >= classes {
            return Err(TrainError::LabelOutOfRange {
                set,
                index,
                label: ex.label,
                classes,
            });
        }
        if need_logits {
            let found = ex.teacher_logits.as_ref().map(Vec::len);
            if found != Some(classes) {
                return Err(TrainError::TeacherLogits {
                    index,
                    classes,
                    found,
                });
            }
        }
    }
    Ok(())
}

/// A student learning rate is finite and > 0; the error says which value is not.
pub fn check_learning_rate(rate: f64) -> Result<(), String> {
    match rate.is_finite() && rate > 0.0 {
        true => Ok(()),
        false => Err(format!("learning_rate must be finite and > 0, got {rate}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(label: usize, logits: Option<Vec<f32>>) -> TrainExample {
        TrainExample {
            tokens: vec![1],
            label,
            teacher_logits: logits,
        }
    }

    #[test]
    fn examples_are_checked() {
        assert!(matches!(
            check_examples("train", &[], 2, false),
            Err(TrainError::EmptySet("train"))
        ));
        assert!(matches!(
            check_examples("dev", &[ex(0, None), ex(2, None)], 2, false),
            Err(TrainError::LabelOutOfRange { index: 1, .. })
        ));
        let err = check_examples("train", &[ex(0, Some(vec![1.0]))], 2, true).unwrap_err();
        assert!(err.to_string().contains("length 2"), "{err}");
        assert!(check_examples("train", &[ex(1, Some(vec![0.0, 1.0]))], 2, true).is_ok());
    }

    #[test]
    fn text_is_tokenized_like_the_device() {
        let student = StudentConfig::new(1024, 8, 2);
        let a = TrainExample::from_text("A fine, FINE film", 1, None, &student).unwrap();
        let b = TrainExample::from_text("a fine fine film", 1, None, &student).unwrap();
        assert_eq!(a.tokens, b.tokens);
        assert!(!a.tokens.is_empty() && a.tokens.iter().all(|&t| t < 1024));
        let mut out = vec![0u32; 64];
        let n =
            edgekd_shared::tokenizer::tokenize("a fine fine film", &student.tokenizer(), &mut out)
                .unwrap()
                .len;
        assert_eq!(&out[..n], a.tokens.as_slice());
    }

    #[test]
    fn bad_hyper_parameters_are_named() {
        let mut cfg = TrainConfig::new(StudentConfig::new(16, 4, 2));
        assert!(cfg.validate(Mode::Ft).is_ok());
        assert!(cfg.validate(Mode::Kd).is_ok());
        cfg.kd.temperature = 0.0;
        // FT does not use the KD loss.
        assert!(cfg.validate(Mode::Ft).is_ok());
        assert!(cfg
            .validate(Mode::Kd)
            .unwrap_err()
            .to_string()
            .contains("temperature"));
        cfg.batch_size = 0;
        assert!(cfg
            .validate(Mode::Ft)
            .unwrap_err()
            .to_string()
            .contains("batch_size"));
    }
}
