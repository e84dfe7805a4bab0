//! The experiment engine: the steps every experiment takes to get a scored student, written once.
//! `distill` (teacher, KD/FT students), the sweep's cells and the degree search all run
//!
//! ```text
//! originals ──with_copies──▶ training set ──teacher logits──▶ ──tokenized──▶ examples
//!           ──train_and_score──▶ trained student + dev metrics ──score──▶ test metrics
//! ```
//!
//! and differ only in which originals, copies and students they ask for.

use std::ops::ControlFlow;
use std::path::PathBuf;

use edgekd_models::burn::prelude::Device;
use edgekd_models::student::StudentConfig;

use super::config::{DistillConfig, StudentInit};
use super::error::PipelineError;
use super::labels::TeacherStage;
use super::metrics::Metrics;
use crate::augment::{augment_dataset, AugmentConfig, AugmentReport, Lexicon};
use crate::data::Dataset;
use crate::train::teacher::TrainEvent;
use crate::train::{
    predict, pretrained_table, train_student, EpochReport, Mode, TrainExample, TrainedStudent,
    WordVectors,
};

/// Examples per batch when a student predicts.
const PREDICT_BATCH: usize = 256;

/// The teacher of a run: fine-tuned on `train` (selected on `dev`) with `cfg`'s teacher settings
/// and seed, or loaded from the cache's `teachers/` folder when it was fine-tuned before.
pub(super) fn teacher(
    cfg: &DistillConfig,
    train: &Dataset,
    dev: &Dataset,
    device: &Device,
    progress: &mut dyn FnMut(&TrainEvent),
) -> Result<TeacherStage, PipelineError> {
    let pretrained = match &cfg.teacher_dir {
        Some(d) => d.clone(),
        None => crate::assets::ensure("minilm-l6")?,
    };
    let cache_root = crate::assets::Cache::from_env()?.root().to_path_buf();
    TeacherStage::prepare(
        &pretrained,
        train,
        dev,
        &cfg.teacher_train(cfg.seed),
        cfg.teacher_max_len,
        device,
        &cache_root,
        progress,
    )
}

/// The originals followed by `acfg.copies` augmented copies of each (none without a lexicon or
/// with 0 copies), and the augmentation's report. Copy `c` of original `i` depends only on
/// `acfg.seed`, `i` and `c`.
///
/// # Shapes
/// - returns `originals.len() · (1 + copies)` examples, the originals first
pub(super) fn with_copies(
    originals: &Dataset,
    lexicon: Option<&dyn Lexicon>,
    acfg: &AugmentConfig,
) -> (Dataset, AugmentReport) {
    let (copies, report) = match lexicon {
        Some(lexicon) if acfg.copies > 0 => augment_dataset(originals, lexicon, acfg),
        _ => (vec![], AugmentReport::default()),
    };
    let mut all = originals.clone();
    all.examples.extend(copies.into_iter().map(|a| a.example));
    (all, report)
}

/// `ds` tokenized with `student`'s tokenizer (the device's hashing), with the teacher's logits
/// when given (for KD).
///
/// # Shapes
/// - `logits`: `[ds.len()][classes]`; returns `[ds.len()]`
pub(super) fn tokenized(
    ds: &Dataset,
    logits: Option<&[Vec<f32>]>,
    student: &StudentConfig,
) -> Result<Vec<TrainExample>, PipelineError> {
    ds.examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(TrainExample::from_text(
                &e.text,
                e.label,
                logits.map(|l| l[i].clone()),
                student,
            )?)
        })
        .collect()
}

/// One student to train.
#[derive(Debug)]
pub(super) struct StudentJob<'a> {
    /// KD or FT.
    pub mode: Mode,
    /// Seed of its initialisation and batch order.
    pub seed: u64,
    /// Its training examples (with teacher logits for KD).
    pub train: &'a [TrainExample],
    /// Where it checkpoints each epoch and resumes from (`None`: in memory).
    pub checkpoint_dir: Option<PathBuf>,
}

/// Trains `job`'s student with `cfg`'s trainer settings (epochs, batch, patience, KD loss), keeping
/// its best dev check, once per candidate learning rate ([`DistillConfig::candidate_learning_rates`]),
/// and returns the candidate of best dev accuracy (the first on a tie; its
/// `report.learning_rate` says which) scored on `dev`. `on_epoch` sees every epoch of every
/// candidate. With several candidates each checkpoints under `checkpoint_dir/lr-<rate>`.
///
/// # Shapes
/// - `dev`: tokenized, labels index `labels`
pub(super) fn train_and_score(
    cfg: &DistillConfig,
    student: &StudentConfig,
    job: StudentJob<'_>,
    dev: &[TrainExample],
    labels: &[String],
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<(TrainedStudent, Metrics), PipelineError> {
    let init_table = match cfg.student_init {
        StudentInit::Glove => {
            let vectors = WordVectors::glove()?;
            let table = pretrained_table(student, &vectors, job.train, job.mode, job.seed)?;
            Some(table.into())
        }
        StudentInit::Random => None,
    };
    let rates = cfg.candidate_learning_rates();
    let mut best: Option<TrainedStudent> = None;
    for &rate in &rates {
        let mut tcfg = cfg.train_config(student.clone(), job.seed);
        tcfg.learning_rate = rate;
        tcfg.checkpoint_dir = match rates.len() {
            1 => job.checkpoint_dir.clone(),
            _ => job
                .checkpoint_dir
                .as_ref()
                .map(|d| d.join(format!("lr-{rate:e}"))),
        };
        tcfg.init_table = init_table.clone();
        let trained = train_student(&tcfg, job.train, dev, job.mode, device, &mut |e| {
            on_epoch(e);
            ControlFlow::Continue(())
        })?;
        if rates.len() > 1 {
            tracing::info!(
                "{:?} student, learning rate {rate:e}: dev accuracy {:.4}",
                job.mode,
                trained.report.best_dev_accuracy
            );
        }
        let better = best
            .as_ref()
            .is_none_or(|b| trained.report.best_dev_accuracy > b.report.best_dev_accuracy);
        if better {
            best = Some(trained);
        }
    }
    let trained =
        best.ok_or_else(|| PipelineError::Config("no student learning rate to try".into()))?;
    let dev_metrics = score(&trained, dev, labels, device)?;
    Ok((trained, dev_metrics))
}

/// Metrics of `trained`'s f32 predictions on `examples` against their labels.
pub(super) fn score(
    trained: &TrainedStudent,
    examples: &[TrainExample],
    labels: &[String],
    device: &Device,
) -> Result<Metrics, PipelineError> {
    let predicted = predictions(trained, examples, device)?;
    Ok(Metrics::compute(labels, &gold(examples), &predicted))
}

/// `trained`'s f32 predicted class of each of `examples`, in order.
///
/// # Shapes
/// - returns `[examples.len()]` class indices
pub(super) fn predictions(
    trained: &TrainedStudent,
    examples: &[TrainExample],
    device: &Device,
) -> Result<Vec<usize>, PipelineError> {
    Ok(predict(
        &trained.model,
        examples,
        trained.config.buckets,
        PREDICT_BATCH,
        device,
    )?)
}

/// The gold class of each of `examples`, in order.
pub(super) fn gold(examples: &[TrainExample]) -> Vec<usize> {
    examples.iter().map(|e| e.label).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::MapLexicon;
    use crate::data::Example;

    /// Every word of the originals has one synonym: itself with a `~`.
    fn tilde() -> MapLexicon {
        let words = ["a", "dull", "long", "film", "bright", "warm"];
        MapLexicon::new(
            "tilde",
            words.map(|w| (w.to_string(), vec![format!("{w}~")])),
        )
    }

    fn originals() -> Dataset {
        Dataset {
            name: "toy".into(),
            labels: vec!["neg".into(), "pos".into()],
            examples: ["a dull long film", "a bright warm film"]
                .iter()
                .enumerate()
                .map(|(label, text)| Example {
                    text: text.to_string(),
                    label,
                })
                .collect(),
        }
    }

    #[test]
    fn copies_follow_the_originals_and_keep_their_labels() {
        let acfg = AugmentConfig {
            degree: 0.5,
            copies: 3,
            seed: 4,
        };
        let (all, report) = with_copies(&originals(), Some(&tilde()), &acfg);
        assert_eq!(all.len(), 2 * (1 + 3));
        assert_eq!(all.examples[..2], originals().examples[..]);
        assert!(all.examples[2..].iter().all(|e| e.text.contains('~')));
        assert_eq!(all.examples[2..].iter().filter(|e| e.label == 1).count(), 3);
        assert!(report.mean_realised_degree > 0.0);
        // One realised degree per copy, in the copies' order, averaging to the report's mean.
        assert_eq!(report.copy_degrees.len(), 2 * 3);
        let mean = report.copy_degrees.iter().sum::<f64>() / 6.0;
        assert!((mean - report.mean_realised_degree).abs() < 1e-12);
        // The same seed gives the same copies; no lexicon or no copies gives the originals.
        assert_eq!(with_copies(&originals(), Some(&tilde()), &acfg).0, all);
        assert_eq!(with_copies(&originals(), None, &acfg).0, originals());
        let none = AugmentConfig { copies: 0, ..acfg };
        assert_eq!(
            with_copies(&originals(), Some(&tilde()), &none).0,
            originals()
        );
    }

    #[test]
    fn tokenized_examples_carry_the_teacher_logits_of_their_row() {
        let student = StudentConfig::new(1024, 4, 2);
        let logits = vec![vec![1.0, -1.0], vec![-2.0, 2.0]];
        let ex = tokenized(&originals(), Some(&logits), &student).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1].teacher_logits.as_deref(), Some(&logits[1][..]));
        assert_eq!(ex[1].label, 1);
        assert!(tokenized(&originals(), None, &student)
            .unwrap()
            .iter()
            .all(|e| e.teacher_logits.is_none() && !e.tokens.is_empty()));
    }

    #[test]
    fn each_student_keeps_the_learning_rate_of_best_dev_accuracy() {
        let device = Device::flex();
        let task = crate::train::synthetic::PlantedTask::default();
        let (train, dev) = (task.generate(600, 1), task.generate(200, 2));
        let student = StudentConfig::new(512, 16, 2).with_hidden(16);
        let labels = vec!["neg".to_string(), "pos".to_string()];
        let mut cfg = DistillConfig {
            epochs: 3,
            batch_size: 32,
            ..DistillConfig::default()
        };
        // Trains `mode`'s student with `cfg`: the student kept and its dev metrics.
        let run = |cfg: &DistillConfig, mode| {
            let job = StudentJob {
                mode,
                seed: 3,
                train: &train,
                checkpoint_dir: None,
            };
            train_and_score(cfg, &student, job, &dev, &labels, &device, &mut |_| {}).unwrap()
        };
        // A rate too small to move the weights loses to one that learns the task, whatever its
        // place in the list; with one candidate that candidate is used. (Two runs of one rate need
        // not agree to the example: burn draws fresh weights from its own RNG.)
        for mode in [Mode::Kd, Mode::Ft] {
            cfg.learning_rates = vec![1e-9, 1e-2];
            let (picked, dev_metrics) = run(&cfg, mode);
            assert_eq!(picked.report.learning_rate, 1e-2, "{mode:?}");
            assert_eq!(dev_metrics.accuracy, picked.report.best_dev_accuracy);
            assert!(
                picked.report.best_dev_accuracy >= 0.75,
                "{mode:?}: learns (chance 0.5)"
            );
            cfg.learning_rates = vec![];
            cfg.learning_rate = 1e-9;
            let (stuck, _) = run(&cfg, mode);
            assert_eq!(stuck.report.learning_rate, 1e-9);
            assert!(
                stuck.report.best_dev_accuracy < picked.report.best_dev_accuracy,
                "{mode:?}: {} alone against {} picked",
                stuck.report.best_dev_accuracy,
                picked.report.best_dev_accuracy
            );
        }
    }
}
