//! What a training run reports, per epoch, per dev check and at the end.

use serde::{Deserialize, Serialize};

/// Figures of one finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's examples.
    pub train_loss: f64,
    /// Dev accuracy (fraction in 0..=1) of the f32 student at the last dev check up to the end of
    /// this epoch (with checks at epoch ends, the default, the accuracy after the epoch).
    pub dev_accuracy: f64,
    /// Training throughput: examples per second of wall time (forward + backward + step).
    pub samples_per_sec: f64,
    /// Wall time of the epoch's training part, in seconds.
    pub seconds: f64,
    /// Whether a dev check of this epoch set a new best dev accuracy.
    pub improved: bool,
}

/// One dev check: the student evaluated on dev after `step` optimizer steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Optimizer steps (mini-batches) taken before the check.
    pub step: usize,
    /// Training examples seen before the check (over all epochs).
    pub examples: u64,
    /// The 1-based epoch the check fell in.
    pub epoch: usize,
    /// Dev accuracy (fraction in 0..=1) of the f32 student at the check.
    pub dev_accuracy: f64,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// Every configured epoch ran.
    EpochsDone,
    /// `patience` dev checks passed without a better dev accuracy.
    EarlyStopped,
    /// The progress callback asked to stop.
    Interrupted,
}

/// Summary of a run (including epochs run before a resume).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Every finished epoch, in order.
    pub epochs: Vec<EpochReport>,
    /// Every dev check, in order (one per epoch unless checks are set in examples).
    #[serde(default)]
    pub checks: Vec<CheckReport>,
    /// The epoch of the check whose weights are returned (best dev accuracy).
    pub best_epoch: usize,
    /// The optimizer step of that check.
    #[serde(default)]
    pub best_step: usize,
    /// Its dev accuracy.
    pub best_dev_accuracy: f64,
    /// The learning rate it trained with (0 in reports written before it was recorded).
    #[serde(default)]
    pub learning_rate: f64,
    /// The last epoch read from a checkpoint, when the run resumed.
    pub resumed_from: Option<usize>,
    /// Why the run ended.
    pub stop: StopReason,
}

impl TrainReport {
    /// Mean training throughput over the epochs of this report (examples per second).
    pub fn mean_samples_per_sec(&self) -> f64 {
        if self.epochs.is_empty() {
            return 0.0;
        }
        self.epochs.iter().map(|e| e.samples_per_sec).sum::<f64>() / self.epochs.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_throughput() {
        let e = |epoch, sps| EpochReport {
            epoch,
            train_loss: 0.0,
            dev_accuracy: 0.0,
            samples_per_sec: sps,
            seconds: 1.0,
            improved: false,
        };
        let mut r = TrainReport {
            epochs: vec![],
            checks: vec![],
            best_epoch: 0,
            best_step: 0,
            best_dev_accuracy: 0.0,
            learning_rate: 3e-3,
            resumed_from: None,
            stop: StopReason::EpochsDone,
        };
        assert_eq!(r.mean_samples_per_sec(), 0.0);
        r.epochs = vec![e(1, 100.0), e(2, 300.0)];
        assert_eq!(r.mean_samples_per_sec(), 200.0);
    }
}
