//! `edgekd distill`: the whole host half of the paper's pipeline on one corpus — teacher,
//! augmentation, soft labels, FT and KD students, metrics — as stages over the
//! [engine](super::engine).

use std::time::Instant;

use edgekd_models::burn::prelude::Device;
use edgekd_models::student::StudentConfig;
use serde::{Deserialize, Serialize};

use super::config::{Degree, DistillConfig};
use super::degree_search::{search_degree, DegreeTrial};
use super::engine::{score, teacher, tokenized, train_and_score, with_copies, StudentJob};
use super::error::PipelineError;
use super::labels::{teacher_logits, TeacherStage};
use super::metrics::Metrics;
use super::validate::{check_run, CheckedData};
use crate::augment::{auto_degree, load_lexicon, AugmentConfig, AugmentReport, Lexicon};
use crate::data::{Dataset, Example, Split};
use crate::terminal::Stage;
use crate::train::teacher::TrainEvent;
use crate::train::{Mode, TrainExample, TrainedStudent};

/// Wall time per stage, seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimes {
    /// Loading and splitting the corpus.
    pub data: f64,
    /// Fine-tuning (or loading) the teacher.
    pub teacher: f64,
    /// The dev-set degree search (0 without one).
    #[serde(default)]
    pub degree_search: f64,
    /// Augmentation.
    pub augment: f64,
    /// Teacher soft labels.
    pub labels: f64,
    /// Students, by name.
    pub students: Vec<(String, f64)>,
}

impl StageTimes {
    /// `data 0.5s, teacher 2.1s, …, kd 7.9s`: every stage that ran, in order.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("data {:.1}s", self.data),
            format!("teacher {:.1}s", self.teacher),
        ];
        if self.degree_search > 0.0 {
            parts.push(format!("degree search {:.1}s", self.degree_search));
        }
        parts.push(format!("augment {:.1}s", self.augment));
        parts.push(format!("labels {:.1}s", self.labels));
        parts.extend(
            self.students
                .iter()
                .map(|(name, secs)| format!("{name} {secs:.1}s")),
        );
        parts.join(", ")
    }

    /// Sum of every stage, seconds.
    pub fn total(&self) -> f64 {
        self.data
            + self.teacher
            + self.degree_search
            + self.augment
            + self.labels
            + self.students.iter().map(|x| x.1).sum::<f64>()
    }
}

/// A trained student and its metrics.
#[derive(Debug)]
pub struct StudentOutcome {
    /// `kd`, `ft` or `kd-no-augmentation`.
    pub name: String,
    /// The student.
    pub trained: TrainedStudent,
    /// Dev metrics.
    pub dev: Metrics,
    /// Test metrics.
    pub test: Metrics,
}

/// What a distillation run produced.
#[derive(Debug)]
pub struct DistillOutcome {
    /// The settings.
    pub config: DistillConfig,
    /// The degree the copies were made at (`config.degree` resolved: fixed, the rule's or the
    /// search's choice).
    pub degree: f64,
    /// Class names.
    pub labels: Vec<String>,
    /// Training originals.
    pub train_originals: usize,
    /// Unlabelled texts labelled by the teacher for KD (`--unlabeled`).
    pub unlabeled: usize,
    /// Augmentation report.
    pub augment: AugmentReport,
    /// The dev-set degree search's trials (empty without a search).
    pub degree_search: Vec<DegreeTrial>,
    /// Teacher dev and test metrics.
    pub teacher: (Metrics, Metrics),
    /// Students.
    pub students: Vec<StudentOutcome>,
    /// Wall times.
    pub times: StageTimes,
    /// Training examples (originals and copies, tokenized, with teacher logits): the calibration set.
    pub train: Vec<TrainExample>,
    /// Dev examples (tokenized).
    pub dev: Vec<TrainExample>,
    /// Test examples (tokenized).
    pub test: Vec<TrainExample>,
    /// Test texts, in the order of `test`.
    pub test_texts: Vec<String>,
    /// The plain device the students live on.
    pub device: Device,
}

impl DistillOutcome {
    /// `degree search (KD dev accuracy): 0.10 70.2%, 0.30 71.5% ← chosen, …`, or `None` without one.
    pub fn degree_search_line(&self) -> Option<String> {
        let chosen = self.degree;
        (!self.degree_search.is_empty()).then(|| {
            let trials: Vec<String> = self
                .degree_search
                .iter()
                .map(|t| {
                    let mark = if t.degree == chosen {
                        " ← chosen"
                    } else {
                        ""
                    };
                    format!("{:.2} {:.2}%{mark}", t.degree, 100.0 * t.dev_accuracy)
                })
                .collect();
            format!("degree search (KD dev accuracy): {}", trials.join(", "))
        })
    }
}

/// Runs the pipeline: the checks of [`check_run`] (no board profile), then [`run_checked`].
pub fn run_distill(cfg: &DistillConfig) -> Result<DistillOutcome, PipelineError> {
    let t0 = Instant::now();
    let data = check_run(cfg, None)?;
    let mut outcome = run_checked(cfg, data)?;
    outcome.times.data += t0.elapsed().as_secs_f64();
    Ok(outcome)
}

/// Runs the pipeline on data that passed [`check_run`]: teacher, degree, augmentation, soft labels,
/// students, metrics.
pub fn run_checked(
    cfg: &DistillConfig,
    data: CheckedData,
) -> Result<DistillOutcome, PipelineError> {
    let mut times = StageTimes::default();
    let t0 = Instant::now();
    let (split, train) = (data.split(), data.train());
    let labels = data.corpus().labels.clone();
    tracing::info!(
        "data: {} train originals, {} dev, {} test, labels {:?}",
        train.len(),
        split.dev.len(),
        split.test.len(),
        labels
    );
    times.data = t0.elapsed().as_secs_f64();

    let (_, device) = cfg.device()?;
    let t1 = Instant::now();
    let mut stage = teacher_stage(cfg, train, &split.dev, &device)?;
    times.teacher = t1.elapsed().as_secs_f64();

    let student_cfg = cfg.student(labels.len());
    let dev_ex = tokenized(&split.dev, None, &student_cfg)?;
    // The search and the copies need the lexicon; a fixed or `auto` degree without copies does not.
    let lexicon = match (&cfg.degree, cfg.copies) {
        (Degree::Fixed(_) | Degree::Auto, 0) => None,
        _ => Some(load_lexicon(cfg.method)?),
    };
    let t_search = Instant::now();
    let (degree, degree_search) = match (&cfg.degree, lexicon.as_deref()) {
        (Degree::Fixed(d), _) => (*d, vec![]),
        (Degree::Search(candidates), Some(lex)) => {
            search_degree(cfg, candidates, train, &dev_ex, lex, &mut stage, &device)?
        }
        _ => (auto_degree(train.len()), vec![]),
    };
    times.degree_search = t_search.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let (with_copies, augment) = augment_stage(cfg, train, lexicon.as_deref(), degree);
    times.augment = t2.elapsed().as_secs_f64();

    let labelled = with_copies.len();
    let mut transfer = with_unlabeled(with_copies, data.unlabeled());
    let t3 = Instant::now();
    let logits = label_stage(&mut stage, &transfer, split)?;
    times.labels = t3.elapsed().as_secs_f64();
    take_teacher_labels(&mut transfer, labelled, &logits.train);

    let train_ex = tokenized(&transfer, Some(&logits.train), &student_cfg)?;
    let test_ex = tokenized(&split.test, None, &student_cfg)?;
    let teacher_metrics = (
        teacher_metrics(&labels, &dev_ex, &logits.dev),
        teacher_metrics(&labels, &test_ex, &logits.test),
    );
    tracing::info!(
        "teacher: test accuracy {:.2}%",
        100.0 * teacher_metrics.1.accuracy
    );
    let sets = Sets {
        labels: &labels,
        train: &train_ex,
        originals: train.len(),
        labelled,
        dev: &dev_ex,
        test: &test_ex,
    };
    let students = train_students(cfg, &student_cfg, &sets, &device, &mut times)?;
    Ok(DistillOutcome {
        config: cfg.clone(),
        degree,
        labels,
        train_originals: train.len(),
        unlabeled: transfer.len() - labelled,
        augment,
        degree_search,
        teacher: teacher_metrics,
        students,
        times,
        train: train_ex,
        dev: dev_ex,
        test: test_ex,
        test_texts: split.test.examples.iter().map(|e| e.text.clone()).collect(),
        device,
    })
}

/// The teacher stage with its progress bar (steps, dev accuracy per epoch).
fn teacher_stage(
    cfg: &DistillConfig,
    train: &Dataset,
    dev: &Dataset,
    device: &Device,
) -> Result<TeacherStage, PipelineError> {
    let t1 = Instant::now();
    let steps_bar = Stage::start("Fine-tuning teacher", None);
    let mut last_dev = None;
    let mut on_event = |ev: &TrainEvent| match ev {
        TrainEvent::Step {
            step,
            total_steps,
            loss,
            ..
        } => {
            steps_bar.set_length(*total_steps as u64);
            steps_bar.set_position(*step as u64);
            if step % 20 == 0 {
                tracing::debug!("teacher step {step}/{total_steps}: loss {loss:.4}");
            }
        }
        TrainEvent::Epoch {
            epoch,
            dev_accuracy,
            ..
        } => {
            tracing::info!(
                "teacher epoch {epoch}: dev accuracy {:.2}% after {:.0} s",
                100.0 * dev_accuracy,
                t1.elapsed().as_secs_f64()
            );
            steps_bar.set_message(format!("epoch {epoch}: dev {:.1}%", 100.0 * dev_accuracy));
            last_dev = Some(*dev_accuracy);
        }
    };
    let stage = teacher(cfg, train, dev, device, &mut on_event)?;
    steps_bar.finish(match (&stage.report, last_dev) {
        (None, _) => "reused the fine-tuned teacher from the cache".to_string(),
        (Some(_), Some(dev)) => format!("dev accuracy {:.1}%", 100.0 * dev),
        (Some(_), None) => "done".to_string(),
    });
    Ok(stage)
}

/// The originals and `cfg.copies` copies of each at `degree`, with the stage's bar.
fn augment_stage(
    cfg: &DistillConfig,
    train: &Dataset,
    lexicon: Option<&dyn Lexicon>,
    degree: f64,
) -> (Dataset, AugmentReport) {
    let bar = Stage::start("Augmenting", None);
    let acfg = AugmentConfig {
        degree,
        copies: cfg.copies,
        seed: cfg.seed,
    };
    let (all, report) = with_copies(train, lexicon, &acfg);
    bar.finish(format!(
        "{} originals, {} copies at degree {degree:.2}",
        train.len(),
        all.len() - train.len()
    ));
    (all, report)
}

/// `transfer` followed by the `unlabeled` texts (label 0 until [`take_teacher_labels`]).
fn with_unlabeled(mut transfer: Dataset, unlabeled: &[String]) -> Dataset {
    if !unlabeled.is_empty() {
        tracing::info!(
            "unlabeled: {} texts for the teacher to label",
            unlabeled.len()
        );
    }
    transfer
        .examples
        .extend(unlabeled.iter().map(|text| Example {
            text: text.clone(),
            label: 0,
        }));
    transfer
}

/// Gives every example of `transfer` from `labelled` on (the unlabelled texts) the teacher's
/// argmax as its label: KD's hard-label term then follows the teacher where no gold label exists.
///
/// # Shapes
/// - `logits`: `[transfer.len()][classes]`
fn take_teacher_labels(transfer: &mut Dataset, labelled: usize, logits: &[Vec<f32>]) {
    for (e, l) in transfer.examples.iter_mut().zip(logits).skip(labelled) {
        e.label = edgekd_models::student::argmax(l);
    }
}

/// Teacher logits of the training set (originals and copies), dev and test.
struct SetLogits {
    train: Vec<Vec<f32>>,
    dev: Vec<Vec<f32>>,
    test: Vec<Vec<f32>>,
}

/// Labels the training set, dev and test in one pass (cached texts are read, not labelled).
fn label_stage(
    stage: &mut TeacherStage,
    train: &Dataset,
    split: &Split,
) -> Result<SetLogits, PipelineError> {
    let all: Vec<String> = [&train.examples, &split.dev.examples, &split.test.examples]
        .into_iter()
        .flatten()
        .map(|e| e.text.clone())
        .collect();
    let bar = Stage::start("Labelling", Some(all.len() as u64));
    let computed_before = stage.labelled;
    let mut logits = teacher_logits(stage, &all, &mut |done, _| bar.set_position(done as u64))?;
    bar.finish(format!(
        "{} texts, {} by the teacher, the rest cached",
        all.len(),
        stage.labelled - computed_before
    ));
    let test = logits.split_off(train.len() + split.dev.len());
    let dev = logits.split_off(train.len());
    Ok(SetLogits {
        train: logits,
        dev,
        test,
    })
}

/// Metrics of the teacher's argmax on `examples`.
fn teacher_metrics(labels: &[String], examples: &[TrainExample], logits: &[Vec<f32>]) -> Metrics {
    let gold: Vec<usize> = examples.iter().map(|e| e.label).collect();
    let predicted: Vec<usize> = logits
        .iter()
        .map(|r| edgekd_models::student::argmax(r))
        .collect();
    Metrics::compute(labels, &gold, &predicted)
}

/// The tokenized sets the students are trained and scored on.
struct Sets<'a> {
    labels: &'a [String],
    /// Originals first, then their copies.
    train: &'a [TrainExample],
    /// How many of `train` are originals.
    originals: usize,
    /// How many of `train` have a gold label (originals and copies; the rest is unlabelled
    /// text with the teacher's argmax as its label, for KD only).
    labelled: usize,
    dev: &'a [TrainExample],
    test: &'a [TrainExample],
}

/// The students of a run: KD, then (as `cfg` asks) FT on the same data and KD on the originals
/// alone; each checkpointed under `cfg.out_dir/checkpoints/<name>`.
fn train_students(
    cfg: &DistillConfig,
    student: &StudentConfig,
    sets: &Sets<'_>,
    device: &Device,
    times: &mut StageTimes,
) -> Result<Vec<StudentOutcome>, PipelineError> {
    let mut runs = vec![("kd", Mode::Kd, sets.train)];
    if cfg.train_ft {
        runs.push(("ft", Mode::Ft, &sets.train[..sets.labelled]));
    }
    if cfg.train_kd_without_augmentation && cfg.copies > 0 {
        runs.push((
            "kd-no-augmentation",
            Mode::Kd,
            &sets.train[..sets.originals],
        ));
    }
    // Every candidate learning rate trains its own student: a bar counts all their epochs.
    let rates = cfg.candidate_learning_rates().len();
    let mut students = vec![];
    for (name, mode, train) in runs {
        let t = Instant::now();
        let title = match name {
            "kd" => "Training KD student".to_string(),
            "ft" => "Training FT student".to_string(),
            // Within the terminal's stage-name column (`terminal::NAME_WIDTH`).
            "kd-no-augmentation" => "Training KD no-aug".to_string(),
            other => format!("Training {other}"),
        };
        let epoch_bar = Stage::start(title, Some((cfg.epochs * rates) as u64));
        let job = StudentJob {
            mode,
            seed: cfg.seed,
            train,
            checkpoint_dir: Some(cfg.out_dir.join("checkpoints").join(name)),
        };
        let (trained, dev) =
            train_and_score(cfg, student, job, sets.dev, sets.labels, device, &mut |e| {
                epoch_bar.inc(1);
                epoch_bar.set_message(format!("dev {:.1}%", 100.0 * e.dev_accuracy));
                tracing::info!(
                    "{name} epoch {}: loss {:.4}, dev accuracy {:.2}%, {:.0} samples/s",
                    e.epoch,
                    e.train_loss,
                    100.0 * e.dev_accuracy,
                    e.samples_per_sec
                );
            })?;
        let test = score(&trained, sets.test, sets.labels, device)?;
        tracing::info!("{name}: test accuracy {:.2}%", 100.0 * test.accuracy);
        let picked = match rates {
            1 => String::new(),
            _ => format!(
                ", learning rate {:e} of {rates}",
                trained.report.learning_rate
            ),
        };
        epoch_bar.finish(format!(
            "{} epochs, dev accuracy {:.1}%{picked}",
            trained.report.epochs.len(),
            100.0 * dev.accuracy
        ));
        times
            .students
            .push((name.to_string(), t.elapsed().as_secs_f64()));
        students.push(StudentOutcome {
            name: name.to_string(),
            trained,
            dev,
            test,
        });
    }
    Ok(students)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlabelled_texts_follow_the_labelled_ones_and_take_the_teachers_argmax() {
        let labelled = Dataset {
            name: "toy".into(),
            labels: vec!["neg".into(), "pos".into()],
            examples: vec![Example {
                text: "a dull film".into(),
                label: 0,
            }],
        };
        let mut transfer = with_unlabeled(labelled, &["bright".into(), "grey".into()]);
        assert_eq!(transfer.len(), 3);
        // The teacher disagrees with the gold label of the labelled text: that label stays.
        let logits = vec![vec![-1.0, 1.0], vec![-2.0, 2.0], vec![3.0, 0.5]];
        take_teacher_labels(&mut transfer, 1, &logits);
        let labels: Vec<usize> = transfer.examples.iter().map(|e| e.label).collect();
        assert_eq!(labels, vec![0, 1, 0]);
        assert_eq!(transfer.examples[1].text, "bright");
    }
}
