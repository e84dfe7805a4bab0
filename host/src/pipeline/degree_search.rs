//! `degree = search`: the paper's rule refined by a short dev-set sweep. For each candidate degree a KD
//! student is trained on the originals and a few augmented copies, and the degree whose student is
//! best on dev wins. The copies are those a full run at that degree starts with (copy `c` of original
//! `i` depends only on the seed, `i` and `c`), so the chosen degree's soft labels are already cached.

use edgekd_models::burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::config::{DegreeError, DistillConfig};
use super::engine::{tokenized, train_and_score, with_copies, StudentJob};
use super::error::PipelineError;
use super::labels::{teacher_logits, TeacherStage};
use crate::augment::{AugmentConfig, Lexicon};
use crate::data::Dataset;
use crate::train::{Mode, TrainExample};

/// One candidate of the search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DegreeTrial {
    /// The candidate degree.
    pub degree: f64,
    /// Mean proportion of word tokens its copies actually changed.
    pub realised: f64,
    /// Dev accuracy of its KD student, in `[0, 1]`.
    pub dev_accuracy: f64,
}

/// The degree whose trial has the best dev accuracy (the smaller degree on a tie).
pub fn best_trial(trials: &[DegreeTrial]) -> Option<f64> {
    trials
        .iter()
        .fold(None::<&DegreeTrial>, |best, t| match best {
            Some(b) if b.dev_accuracy >= t.dev_accuracy => Some(b),
            _ => Some(t),
        })
        .map(|t| t.degree)
}

/// Runs the search over `candidates` with `cfg.search_copies` copies per original: per candidate
/// the engine's copies → soft labels → tokens → KD student scored on `dev`.
///
/// # Shapes
/// - `train`: the originals; `dev`: the tokenized dev split
pub(super) fn search_degree(
    cfg: &DistillConfig,
    candidates: &[f64],
    train: &Dataset,
    dev: &[TrainExample],
    lexicon: &dyn Lexicon,
    stage: &mut TeacherStage,
    device: &Device,
) -> Result<(f64, Vec<DegreeTrial>), PipelineError> {
    let student = cfg.student(train.labels.len());
    let mut trials = Vec::with_capacity(candidates.len());
    for &degree in candidates {
        let acfg = AugmentConfig {
            degree,
            copies: cfg.search_copies,
            seed: cfg.seed,
        };
        let (data, report) = with_copies(train, Some(lexicon), &acfg);
        let texts: Vec<String> = data.examples.iter().map(|e| e.text.clone()).collect();
        let logits = teacher_logits(stage, &texts, &mut |_, _| {})?;
        let examples = tokenized(&data, Some(&logits), &student)?;
        let job = StudentJob {
            mode: Mode::Kd,
            seed: cfg.seed,
            train: &examples,
            checkpoint_dir: None,
        };
        let (_, dev_metrics) =
            train_and_score(cfg, &student, job, dev, &train.labels, device, &mut |_| {})?;
        let trial = DegreeTrial {
            degree,
            realised: report.mean_realised_degree,
            dev_accuracy: dev_metrics.accuracy,
        };
        tracing::info!(
            "degree search: degree {degree:.2} (realised {:.3}): KD dev accuracy {:.2}%",
            trial.realised,
            100.0 * trial.dev_accuracy
        );
        trials.push(trial);
    }
    let best = best_trial(&trials).ok_or(DegreeError::NoCandidates)?;
    tracing::info!("degree search: chose degree {best:.2}");
    Ok((best, trials))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(degree: f64, dev_accuracy: f64) -> DegreeTrial {
        DegreeTrial {
            degree,
            realised: degree,
            dev_accuracy,
        }
    }

    #[test]
    fn the_best_dev_accuracy_wins_and_ties_go_to_the_smaller_degree() {
        let trials = [
            trial(0.1, 0.70),
            trial(0.3, 0.74),
            trial(0.5, 0.74),
            trial(0.7, 0.71),
        ];
        assert_eq!(best_trial(&trials), Some(0.3));
        assert_eq!(best_trial(&[trial(0.5, 0.6)]), Some(0.5));
        assert_eq!(best_trial(&[]), None);
    }
}
