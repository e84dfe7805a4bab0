//! What a training run reports, per epoch and at the end.

use serde::{Deserialize, Serialize};

/// Figures of one finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's examples.
    pub train_loss: f64,
    /// Dev accuracy (fraction in 0..=1) of the f32 student after the epoch.
    pub dev_accuracy: f64,
    /// Training throughput: examples per second of wall time (forward + backward + step).
    pub samples_per_sec: f64,
    /// Wall time of the epoch's training part, in seconds.
    pub seconds: f64,
    /// Whether this epoch set a new best dev accuracy.
    pub improved: bool,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// Every configured epoch ran.
    EpochsDone,
    /// `patience` epochs passed without a better dev accuracy.
    EarlyStopped,
    /// The progress callback asked to stop.
    Interrupted,
}

/// Summary of a run (including epochs run before a resume).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Every finished epoch, in order.
    pub epochs: Vec<EpochReport>,
    /// The epoch whose weights are returned (best dev accuracy).
    pub best_epoch: usize,
    /// Its dev accuracy.
    pub best_dev_accuracy: f64,
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
            best_epoch: 0,
            best_dev_accuracy: 0.0,
            resumed_from: None,
            stop: StopReason::EpochsDone,
        };
        assert_eq!(r.mean_samples_per_sec(), 0.0);
        r.epochs = vec![e(1, 100.0), e(2, 300.0)];
        assert_eq!(r.mean_samples_per_sec(), 200.0);
    }
}
