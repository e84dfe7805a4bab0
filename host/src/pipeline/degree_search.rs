//! `degree = search`: the paper's rule refined by a short dev-set sweep. For each candidate degree a KD
//! student is trained on the originals and a few augmented copies, and the degree whose student is
//! best on dev wins. The copies are those a full run at that degree starts with (copy `c` of original
//! `i` depends only on the seed, `i` and `c`), so the chosen degree's soft labels are already cached.

use std::ops::ControlFlow;

use edgekd_models::burn::prelude::Device;
use edgekd_models::student::StudentConfig;
use serde::{Deserialize, Serialize};

use super::distill::tokenized;
use super::{teacher_logits, DistillConfig, PipelineError, TeacherStage};
use crate::augment::{augment_dataset, AugmentConfig, Lexicon};
use crate::data::Dataset;
use crate::train::{predict, train_student, TrainExample, TrainMode};

/// The candidates `--degree search` tries when none are given.
pub const DEFAULT_DEGREE_CANDIDATES: [f64; 4] = [0.1, 0.3, 0.5, 0.7];

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

/// Runs the search over `cfg.degree_candidates` with `cfg.search_copies` copies per original.
///
/// # Shapes
/// - `train`: the originals; `dev`: the tokenized dev split
#[allow(clippy::too_many_arguments)] // the stages of the run it is part of
pub(super) fn search_degree(
    cfg: &DistillConfig,
    train: &Dataset,
    dev: &[TrainExample],
    lexicon: &dyn Lexicon,
    stage: &mut TeacherStage,
    student: &StudentConfig,
    device: &Device,
) -> Result<(f64, Vec<DegreeTrial>), PipelineError> {
    let mut trials = Vec::with_capacity(cfg.degree_candidates.len());
    for &degree in &cfg.degree_candidates {
        let acfg = AugmentConfig {
            degree,
            copies: cfg.search_copies,
            seed: cfg.seed,
        };
        let (copies, report) = augment_dataset(train, lexicon, &acfg);
        let mut data = train.clone();
        data.examples
            .extend(copies.iter().map(|a| a.example.clone()));
        let texts: Vec<String> = data.examples.iter().map(|e| e.text.clone()).collect();
        let logits = teacher_logits(stage, &texts, &mut |_, _| {})?;
        let examples = tokenized(&data, Some(&logits), student)?;
        let mode = TrainMode::Kd {
            temperature: cfg.temperature,
            alpha: cfg.alpha,
        };
        let tcfg = cfg.train_config(student.clone(), cfg.seed);
        let trained = train_student(&tcfg, &examples, dev, mode, device, &mut |_| {
            ControlFlow::Continue(())
        })?;
        let predicted = predict(&trained.model, dev, student.buckets, 256, device)?;
        let right = predicted
            .iter()
            .zip(dev)
            .filter(|(p, e)| **p == e.label)
            .count();
        let trial = DegreeTrial {
            degree,
            realised: report.mean_realised_degree,
            dev_accuracy: right as f64 / dev.len().max(1) as f64,
        };
        tracing::info!(
            "degree search: degree {degree:.2} (realised {:.3}): KD dev accuracy {:.2}%",
            trial.realised,
            100.0 * trial.dev_accuracy
        );
        trials.push(trial);
    }
    let best = best_trial(&trials)
        .ok_or_else(|| PipelineError::Config("degree search: no candidate degrees".into()))?;
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
