//! `edgekd distill`: the whole host half of the paper's pipeline on one corpus.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use edgekd_models::backend::{select, BackendKind};
use edgekd_models::burn::prelude::Device;
use edgekd_models::student::{StudentConfig, StudentKind};
use edgekd_models::teacher::{TeacherTrainConfig, TrainEvent};
use serde::{Deserialize, Serialize};

use super::degree_search::{search_degree, DegreeTrial};
use super::{check_run, teacher_logits, CheckedData, Metrics, TeacherStage};
use crate::augment::{
    augment_dataset, auto_degree, load_lexicon, AugmentConfig, AugmentReport, Method,
};
use crate::data::Dataset;
use crate::terminal::Stage;
use crate::train::{predict, train_student, TrainConfig, TrainExample, TrainMode, TrainedStudent};

/// Errors of the pipeline, each naming its stage.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Loading the corpus.
    #[error("corpus: {0}")]
    Corpus(#[from] super::CorpusError),
    /// The data or the settings cannot give a usable model (checked before anything runs).
    #[error("{0}")]
    Invalid(#[from] super::ValidationError),
    /// Splitting or subsampling.
    #[error("data: {0}")]
    Data(#[from] crate::data::DataError),
    /// Assets (teacher checkpoint, lexicons).
    #[error("assets: {0}")]
    Asset(#[from] crate::assets::AssetError),
    /// The augmentation lexicon.
    #[error("augmentation: {0}")]
    Lexicon(#[from] crate::augment::LexiconError),
    /// The teacher.
    #[error("teacher: {0}")]
    Teacher(#[from] edgekd_models::teacher::TeacherError),
    /// Student training.
    #[error("student: {0}")]
    Train(#[from] crate::train::TrainError),
    /// The backend.
    #[error("backend: {0}")]
    Backend(#[from] edgekd_models::backend::BackendError),
    /// A setting that cannot work.
    #[error("config: {0}")]
    Config(String),
    /// A cell of a sweep (building the texts a cell needs labelled).
    #[error("sweep: {0}")]
    Sweep(#[from] crate::sweep::SweepError),
}

/// Settings of a distillation run (`distill.toml`; every field is also a flag of `edgekd distill`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DistillConfig {
    /// Corpus name (`rotten-tomatoes`, `tweets`, `tweets-binary`, `spam`, `pang-lee`) or `csv:PATH`.
    pub corpus: String,
    /// Text column of a user's table.
    pub text_col: String,
    /// Label column of a user's table.
    pub label_col: String,
    /// What a bad row of a user's table does: `fail` (the default) or `{ skip = { max = N } }`.
    pub bad_rows: crate::data::BadRows,
    /// Training originals after subsampling (`None`: the whole training split).
    pub train_size: Option<usize>,
    /// Fraction of the corpus held out for dev.
    pub dev_fraction: f64,
    /// Fraction of the corpus held out for test.
    pub test_fraction: f64,
    /// Seed of the split, subsample, augmentation and training.
    pub seed: u64,
    /// Pretrained teacher folder (`config.json`, `model.safetensors`, `tokenizer.json`); default MiniLM-L6.
    pub teacher_dir: Option<PathBuf>,
    /// Teacher fine-tuning epochs.
    pub teacher_epochs: usize,
    /// Peak learning rate of the teacher's encoder (its head gets `TeacherTrainConfig::head_lr`).
    pub teacher_lr: f64,
    /// Teacher token cap per text.
    pub teacher_max_len: usize,
    /// Stop teacher fine-tuning after this many optimizer steps (`None`: all epochs; for quick runs).
    pub teacher_max_steps: Option<usize>,
    /// Augmentation method.
    pub method: Method,
    /// Degree; `None` is `auto`: the paper's rule by training-set size, or, when `degree_candidates`
    /// is not empty, a short dev-set search among them (`--degree search`).
    pub degree: Option<f64>,
    /// Degrees the dev-set search tries (empty: no search).
    pub degree_candidates: Vec<f64>,
    /// Augmented copies per original for each candidate of the search.
    pub search_copies: usize,
    /// Augmented copies per original.
    pub copies: usize,
    /// KD temperature.
    pub temperature: f32,
    /// Weight of the hard-label loss in KD.
    pub alpha: f32,
    /// Student architecture.
    pub student_kind: StudentKind,
    /// Student hashed-embedding rows.
    pub buckets: usize,
    /// Student embedding width.
    pub dim: usize,
    /// Student hidden width (bag) or channels (cnn).
    pub hidden: usize,
    /// Tokenizer features (1 words, 2 bigrams, 4 char trigrams).
    pub features: u8,
    /// Student epochs (at most).
    pub epochs: usize,
    /// Student batch size.
    pub batch_size: usize,
    /// Student learning rate.
    pub learning_rate: f64,
    /// Early-stopping patience (epochs).
    pub patience: usize,
    /// Backend: `auto`, `wgpu`, `ndarray` or `flex`.
    pub backend: String,
    /// Also train the FT baseline on the same augmented data.
    pub train_ft: bool,
    /// Also train KD on the originals alone (to show what augmentation adds).
    pub train_kd_without_augmentation: bool,
    /// Where checkpoints, logs and results go.
    pub out_dir: PathBuf,
}

impl Default for DistillConfig {
    fn default() -> Self {
        Self {
            corpus: "rotten-tomatoes".into(),
            text_col: "text".into(),
            label_col: "label".into(),
            bad_rows: crate::data::BadRows::Fail,
            train_size: Some(2000),
            dev_fraction: 0.1,
            test_fraction: 0.2,
            seed: 1,
            teacher_dir: None,
            teacher_epochs: 3,
            teacher_lr: 3e-5,
            teacher_max_len: 64,
            teacher_max_steps: None,
            method: Method::Synonym,
            degree: None,
            degree_candidates: vec![],
            search_copies: 2,
            copies: 8,
            temperature: 2.0,
            alpha: 0.5,
            student_kind: StudentKind::Bag,
            // Chosen by KD dev accuracy on Rotten Tomatoes (2,000 originals, degree 0.3, 8 copies):
            // words only beat words + bigrams (70.4% vs 66.4%), and more buckets at a narrower
            // width beat fewer, wider ones at the same flash bytes (73.9% for 32768×6 against
            // 70.5% for 12288×16 and 71.4% for 16384×12).
            buckets: 32768,
            dim: 6,
            hidden: 64,
            features: 1,
            epochs: 30,
            batch_size: 64,
            learning_rate: 3e-3,
            patience: 4,
            backend: "auto".into(),
            train_ft: true,
            train_kd_without_augmentation: true,
            out_dir: PathBuf::from("runs/distill"),
        }
    }
}

impl DistillConfig {
    /// The student's configuration for `classes` classes.
    pub fn student(&self, classes: usize) -> StudentConfig {
        StudentConfig::new(self.buckets, self.dim, classes)
            .with_kind(self.student_kind)
            .with_hidden(self.hidden)
            .with_features(self.features)
    }

    /// Trainer settings for `student` with this config's epochs, batch, learning rate and patience.
    pub fn train_config(&self, student: StudentConfig, seed: u64) -> TrainConfig {
        let mut t = TrainConfig::new(student);
        t.epochs = self.epochs;
        t.batch_size = self.batch_size;
        t.learning_rate = self.learning_rate;
        t.patience = self.patience;
        t.seed = seed;
        t
    }

    /// The teacher's fine-tuning settings (epochs, step cap, encoder learning rate) with `seed`.
    pub fn teacher_train(&self, seed: u64) -> TeacherTrainConfig {
        TeacherTrainConfig::new()
            .with_epochs(self.teacher_epochs)
            .with_lr(self.teacher_lr)
            .with_max_steps(self.teacher_max_steps)
            .with_seed(seed)
    }

    /// The backend device, logged.
    pub fn device(&self) -> Result<(BackendKind, Device), PipelineError> {
        let requested = match self.backend.as_str() {
            "auto" | "" => None,
            name => Some(name.parse()?),
        };
        let (kind, device) = select(requested)?;
        tracing::info!("backend: {kind}");
        Ok((kind, device))
    }
}

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
    /// The settings, with `degree` resolved.
    pub config: DistillConfig,
    /// Class names.
    pub labels: Vec<String>,
    /// Training originals.
    pub train_originals: usize,
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
        let chosen = self.config.degree?;
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

fn metrics_of(labels: &[String], examples: &[TrainExample], predicted: &[usize]) -> Metrics {
    let gold: Vec<usize> = examples.iter().map(|e| e.label).collect();
    Metrics::compute(labels, &gold, predicted)
}

/// Runs the pipeline: the checks of [`check_run`] (no board profile), then [`run_checked`].
pub fn run_distill(cfg: &DistillConfig) -> Result<DistillOutcome, PipelineError> {
    let t0 = Instant::now();
    let data = check_run(cfg, None)?;
    let mut outcome = run_checked(cfg, data)?;
    outcome.times.data += t0.elapsed().as_secs_f64();
    Ok(outcome)
}

/// Runs the pipeline on data that passed [`check_run`]: teacher, augmentation, soft labels,
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
    let pretrained = match &cfg.teacher_dir {
        Some(d) => d.clone(),
        None => crate::assets::ensure("minilm-l6")?,
    };
    let cache_root = crate::assets::Cache::from_env()?.root().to_path_buf();
    let teacher_cfg = cfg.teacher_train(cfg.seed);
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
    let mut stage = TeacherStage::prepare(
        &pretrained,
        train,
        &split.dev,
        &teacher_cfg,
        cfg.teacher_max_len,
        &device,
        &cache_root,
        &mut on_event,
    )?;
    steps_bar.finish(match (&stage.report, last_dev) {
        (None, _) => "reused the fine-tuned teacher from the cache".to_string(),
        (Some(_), Some(dev)) => format!("dev accuracy {:.1}%", 100.0 * dev),
        (Some(_), None) => "done".to_string(),
    });
    times.teacher = t1.elapsed().as_secs_f64();

    let student_cfg = cfg.student(labels.len());
    let dev_ex = tokenized(&split.dev, None, &student_cfg)?;
    let lexicon = if cfg.copies > 0 || cfg.degree.is_none() && !cfg.degree_candidates.is_empty() {
        Some(load_lexicon(cfg.method)?)
    } else {
        None
    };
    let t_search = Instant::now();
    let (degree, degree_search) = match (cfg.degree, &lexicon) {
        (Some(d), _) => (d, vec![]),
        (None, Some(lex)) if !cfg.degree_candidates.is_empty() => search_degree(
            cfg,
            train,
            &dev_ex,
            lex.as_ref(),
            &mut stage,
            &student_cfg,
            &device,
        )?,
        (None, _) => (auto_degree(train.len()), vec![]),
    };
    times.degree_search = t_search.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let augment_stage = Stage::start("Augmenting", None);
    let (augmented, augment) = match &lexicon {
        Some(lex) if cfg.copies > 0 => {
            let acfg = AugmentConfig {
                degree,
                copies: cfg.copies,
                seed: cfg.seed,
            };
            augment_dataset(train, lex.as_ref(), &acfg)
        }
        _ => (vec![], AugmentReport::default()),
    };
    augment_stage.finish(format!(
        "{} originals, {} copies at degree {degree:.2}",
        train.len(),
        augmented.len()
    ));
    times.augment = t2.elapsed().as_secs_f64();

    let t3 = Instant::now();
    let mut texts: Vec<String> = train.examples.iter().map(|e| e.text.clone()).collect();
    texts.extend(augmented.iter().map(|a| a.example.text.clone()));
    let dev_texts: Vec<String> = split.dev.examples.iter().map(|e| e.text.clone()).collect();
    let test_texts: Vec<String> = split.test.examples.iter().map(|e| e.text.clone()).collect();
    let all: Vec<String> = texts
        .iter()
        .chain(&dev_texts)
        .chain(&test_texts)
        .cloned()
        .collect();
    let label_bar = Stage::start("Labelling", Some(all.len() as u64));
    let computed_before = stage.labelled;
    let logits = teacher_logits(&mut stage, &all, &mut |done, _| {
        label_bar.set_position(done as u64)
    })?;
    label_bar.finish(format!(
        "{} texts, {} by the teacher, the rest cached",
        all.len(),
        stage.labelled - computed_before
    ));
    let (train_logits, rest) = logits.split_at(texts.len());
    let (dev_logits, test_logits) = rest.split_at(dev_texts.len());
    let argmax = |l: &[Vec<f32>]| -> Vec<usize> {
        l.iter()
            .map(|r| edgekd_models::student::argmax(r))
            .collect()
    };
    times.labels = t3.elapsed().as_secs_f64();

    let with_copies = {
        let mut ds = train.clone();
        ds.examples
            .extend(augmented.iter().map(|a| a.example.clone()));
        ds
    };
    let train_ex = tokenized(&with_copies, Some(train_logits), &student_cfg)?;
    let test_ex = tokenized(&split.test, None, &student_cfg)?;
    let teacher_metrics = (
        metrics_of(&labels, &dev_ex, &argmax(dev_logits)),
        metrics_of(&labels, &test_ex, &argmax(test_logits)),
    );
    tracing::info!(
        "teacher: test accuracy {:.2}%",
        100.0 * teacher_metrics.1.accuracy
    );

    let kd = TrainMode::Kd {
        temperature: cfg.temperature,
        alpha: cfg.alpha,
    };
    let mut runs: Vec<(&str, TrainMode, &[TrainExample])> = vec![("kd", kd, &train_ex)];
    if cfg.train_ft {
        runs.push(("ft", TrainMode::Ft, &train_ex));
    }
    if cfg.train_kd_without_augmentation && cfg.copies > 0 {
        runs.push(("kd-no-augmentation", kd, &train_ex[..train.len()]));
    }
    let mut students = vec![];
    for (name, mode, data) in runs {
        let t = Instant::now();
        let mut tcfg = cfg.train_config(student_cfg.clone(), cfg.seed);
        tcfg.checkpoint_dir = Some(cfg.out_dir.join("checkpoints").join(name));
        let title = match name {
            "kd" => "Training KD student".to_string(),
            "ft" => "Training FT student".to_string(),
            // Within the terminal's stage-name column (`terminal::NAME_WIDTH`).
            "kd-no-augmentation" => "Training KD no-aug".to_string(),
            other => format!("Training {other}"),
        };
        let epoch_bar = Stage::start(title, Some(cfg.epochs as u64));
        let trained = train_student(&tcfg, data, &dev_ex, mode, &device, &mut |e| {
            epoch_bar.inc(1);
            epoch_bar.set_message(format!("dev {:.1}%", 100.0 * e.dev_accuracy));
            tracing::info!(
                "{name} epoch {}: loss {:.4}, dev accuracy {:.2}%, {:.0} samples/s",
                e.epoch,
                e.train_loss,
                100.0 * e.dev_accuracy,
                e.samples_per_sec
            );
            ControlFlow::Continue(())
        })?;
        let dev_pred = predict(&trained.model, &dev_ex, student_cfg.buckets, 256, &device)?;
        let test_pred = predict(&trained.model, &test_ex, student_cfg.buckets, 256, &device)?;
        let outcome = StudentOutcome {
            name: name.to_string(),
            dev: metrics_of(&labels, &dev_ex, &dev_pred),
            test: metrics_of(&labels, &test_ex, &test_pred),
            trained,
        };
        tracing::info!(
            "{name}: test accuracy {:.2}%",
            100.0 * outcome.test.accuracy
        );
        epoch_bar.finish(format!(
            "{} epochs, dev accuracy {:.1}%",
            outcome.trained.report.epochs.len(),
            100.0 * outcome.dev.accuracy
        ));
        times
            .students
            .push((name.to_string(), t.elapsed().as_secs_f64()));
        students.push(outcome);
    }
    let mut config = cfg.clone();
    config.degree = Some(degree);
    Ok(DistillOutcome {
        config,
        labels,
        train_originals: train.len(),
        augment,
        degree_search,
        teacher: teacher_metrics,
        students,
        times,
        train: train_ex,
        dev: dev_ex,
        test: test_ex,
        test_texts,
        device,
    })
}
