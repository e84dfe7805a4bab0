//! Fine-tuning the teacher (`edgekd_models::teacher`) on the original (un-augmented) training set:
//! AdamW, linear warmup and decay, a higher learning rate for the head, early stopping on dev
//! accuracy. The students' loop is [`super::trainer`] (feature `student`).

use std::time::Instant;

// `burn` by that name: `#[derive(Config)]` expands to paths under `burn::`.
use edgekd_models::burn;
use edgekd_models::burn::module::list_param_ids;
use edgekd_models::burn::nn::loss::CrossEntropyLossConfig;
use edgekd_models::burn::optim::{AdamWConfig, GradientsParams};
use edgekd_models::burn::prelude::*;
use edgekd_models::teacher::{Teacher, TeacherError, TeacherNet, TeacherTokenizer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;

use super::schedule::lr_factor;

/// What went wrong while fine-tuning the teacher.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TeacherTrainError {
    /// No training examples.
    #[error("empty input: no training examples")]
    NoTrainingExamples,
    /// A label index is out of range for the head.
    #[error("label {label} of example {index} is out of range for {classes} classes")]
    LabelOutOfRange {
        /// Index of the example in the training set followed by the dev set.
        index: usize,
        /// The label.
        label: usize,
        /// Classes of the head.
        classes: usize,
    },
    /// The teacher failed (tokenizing, running, reading a tensor back).
    #[error(transparent)]
    Teacher(#[from] TeacherError),
}

type TeacherResult<T> = std::result::Result<T, TeacherTrainError>;

/// Fine-tuning hyper-parameters. Its `Debug` text is part of the key of a fine-tuned teacher in the
/// cache (`pipeline::TeacherStage`): renaming the type or a field re-trains every teacher.
#[derive(Config, Debug)]
pub struct TeacherTrainConfig {
    /// Peak learning rate of the encoder.
    #[config(default = 3e-5)]
    pub lr: f64,
    /// Peak learning rate of the freshly initialised head.
    #[config(default = 1e-3)]
    pub head_lr: f64,
    /// AdamW decoupled weight decay.
    #[config(default = 0.01)]
    pub weight_decay: f32,
    /// Maximum passes over the training set.
    #[config(default = 3)]
    pub epochs: usize,
    /// Examples per optimizer step.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Fraction of all steps spent warming up.
    #[config(default = 0.1)]
    pub warmup_fraction: f64,
    /// Epochs without a dev-accuracy gain before stopping.
    #[config(default = 1)]
    pub patience: usize,
    /// Keep the embedding tables frozen (the 30522×384 word table is half the parameters and
    /// its AdamW update dominates a CPU step while adding little on small sets).
    #[config(default = true)]
    pub freeze_embeddings: bool,
    /// Freeze the lowest N transformer layers as well.
    #[config(default = 0)]
    pub freeze_layers: usize,
    /// Stop after this many optimizer steps in total (for quick runs).
    #[config(default = "None")]
    pub max_steps: Option<usize>,
    /// Shuffling and dropout seed.
    #[config(default = 42)]
    pub seed: u64,
}

/// What happened during fine-tuning; reported through the progress callback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TrainEvent {
    /// One optimizer step done.
    Step {
        /// 0-based epoch.
        epoch: usize,
        /// Steps done so far (1-based).
        step: usize,
        /// Planned steps in all.
        total_steps: usize,
        /// Mean cross-entropy of the batch.
        loss: f32,
        /// Encoder learning rate used.
        lr: f64,
    },
    /// One epoch done and evaluated.
    Epoch {
        /// 0-based epoch.
        epoch: usize,
        /// Mean training loss over the epoch.
        train_loss: f64,
        /// Accuracy on the dev set (NaN when the dev set is empty).
        dev_accuracy: f64,
    },
}

/// Summary of a fine-tuning run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherTrainReport {
    /// Epochs run.
    pub epochs_run: usize,
    /// Optimizer steps run.
    pub steps: usize,
    /// Epoch (0-based) whose weights were kept.
    pub best_epoch: usize,
    /// Dev accuracy of the kept weights (NaN when the dev set is empty).
    pub best_dev_accuracy: f64,
    /// Dev accuracy after each epoch.
    pub dev_accuracy: Vec<f64>,
    /// Mean training loss of each epoch.
    pub train_loss: Vec<f64>,
    /// True when patience ran out before `epochs`.
    pub stopped_early: bool,
    /// Wall-clock seconds spent in optimizer steps.
    pub train_seconds: f64,
    /// Optimizer steps per second.
    pub steps_per_second: f64,
    /// Training examples per second.
    pub examples_per_second: f64,
}

/// Fine-tunes `teacher` on `train` (text, class) and keeps the weights of the epoch with the best
/// accuracy on `dev`. Runs on the teacher's device with autodiff; `progress` sees every step and
/// epoch. Train only on the original texts: augmented copies get soft labels, not training.
pub fn fine_tune(
    teacher: Teacher,
    train: &[(String, usize)],
    dev: &[(String, usize)],
    cfg: &TeacherTrainConfig,
    mut progress: impl FnMut(&TrainEvent),
) -> TeacherResult<(Teacher, TeacherTrainReport)> {
    if train.is_empty() {
        return Err(TeacherTrainError::NoTrainingExamples);
    }
    let classes = teacher.config().num_classes;
    for (index, (_, label)) in train.iter().chain(dev).enumerate() {
        if *label >= classes {
            return Err(TeacherTrainError::LabelOutOfRange {
                index,
                label: *label,
                classes,
            });
        }
    }
    let device = teacher.device().clone();
    let ad = device.clone().autodiff();
    ad.seed(cfg.seed);
    let mut net = freeze(teacher.net().clone().fork(&ad).train(), cfg);
    let encoder_ids = list_param_ids(&net.encoder);
    let head_ids = list_param_ids(&net.head);
    let adamw = AdamWConfig::new().with_weight_decay(cfg.weight_decay);
    let (mut opt_encoder, mut opt_head) = (adamw.init(), adamw.init());
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);

    let batch_size = cfg.batch_size.max(1);
    let per_epoch = train.len().div_ceil(batch_size);
    let mut total = per_epoch * cfg.epochs;
    if let Some(max) = cfg.max_steps {
        total = total.min(max);
    }
    let warmup = (total as f64 * cfg.warmup_fraction).round() as usize;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..train.len()).collect();

    let mut report = TeacherTrainReport {
        epochs_run: 0,
        steps: 0,
        best_epoch: 0,
        best_dev_accuracy: f64::NAN,
        dev_accuracy: Vec::new(),
        train_loss: Vec::new(),
        stopped_early: false,
        train_seconds: 0.0,
        steps_per_second: 0.0,
        examples_per_second: 0.0,
    };
    let mut best: Option<TeacherNet> = None;
    let mut since_best = 0usize;
    let mut examples = 0usize;
    for epoch in 0..cfg.epochs {
        if report.steps >= total {
            break;
        }
        order.shuffle(&mut rng);
        let (mut loss_sum, mut loss_n) = (0.0f64, 0usize);
        let started = Instant::now();
        for chunk in order.chunks(batch_size) {
            if report.steps >= total {
                break;
            }
            let texts: Vec<&str> = chunk.iter().map(|&i| train[i].0.as_str()).collect();
            let labels: Vec<i64> = chunk.iter().map(|&i| train[i].1 as i64).collect();
            let batch = teacher
                .tokenizer()
                .encode(&texts)?
                .to_device_with(&ad, teacher.encoder_path());
            let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [chunk.len()]), &ad);
            let loss = loss_fn.forward(net.forward(&batch)?, targets);
            let loss_value: f32 = loss
                .clone()
                .into_data()
                .try_into_vec::<f32>()
                .map_err(|e| TeacherError::burn("reading the loss", e))?
                .first()
                .copied()
                .unwrap_or(f32::NAN);
            let mut grads = loss.backward();
            let g_encoder = GradientsParams::from_params(&mut grads, &net, &encoder_ids);
            let g_head = GradientsParams::from_params(&mut grads, &net, &head_ids);
            let f = lr_factor(report.steps, warmup, total);
            net = opt_encoder.step(cfg.lr * f, net, g_encoder);
            net = opt_head.step(cfg.head_lr * f, net, g_head);
            report.steps += 1;
            examples += chunk.len();
            loss_sum += f64::from(loss_value);
            loss_n += 1;
            progress(&TrainEvent::Step {
                epoch,
                step: report.steps,
                total_steps: total,
                loss: loss_value,
                lr: cfg.lr * f,
            });
        }
        report.train_seconds += started.elapsed().as_secs_f64();
        report.epochs_run += 1;
        let train_loss = loss_sum / loss_n.max(1) as f64;
        let eval = net.valid();
        let acc = accuracy(&eval, teacher.tokenizer(), dev, batch_size, &device)?;
        report.train_loss.push(train_loss);
        report.dev_accuracy.push(acc);
        progress(&TrainEvent::Epoch {
            epoch,
            train_loss,
            dev_accuracy: acc,
        });
        let improved = best.is_none() || acc > report.best_dev_accuracy || dev.is_empty();
        if improved {
            report.best_epoch = epoch;
            report.best_dev_accuracy = acc;
            best = Some(eval);
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience && epoch + 1 < cfg.epochs {
                report.stopped_early = true;
                break;
            }
        }
    }
    if report.train_seconds > 0.0 {
        report.steps_per_second = report.steps as f64 / report.train_seconds;
        report.examples_per_second = examples as f64 / report.train_seconds;
    }
    let best = best.unwrap_or_else(|| net.valid());
    Ok((teacher.with_net(best)?, report))
}

fn freeze(mut net: TeacherNet, cfg: &TeacherTrainConfig) -> TeacherNet {
    if cfg.freeze_embeddings || cfg.freeze_layers > 0 {
        net.encoder.embeddings = net.encoder.embeddings.freeze();
    }
    for layer in net.encoder.layers.iter_mut().take(cfg.freeze_layers) {
        *layer = layer.clone().freeze();
    }
    net
}

/// Fraction of `data` whose arg-max logit is the label; NaN for an empty set.
pub fn accuracy(
    net: &TeacherNet,
    tokenizer: &TeacherTokenizer,
    data: &[(String, usize)],
    batch_size: usize,
    device: &Device,
) -> Result<f64, TeacherError> {
    if data.is_empty() {
        return Ok(f64::NAN);
    }
    let mut correct = 0usize;
    for chunk in data.chunks(batch_size.max(1)) {
        let texts: Vec<&str> = chunk.iter().map(|(t, _)| t.as_str()).collect();
        let batch = tokenizer.encode(&texts)?.to_device(device);
        let predicted: Vec<i64> = net
            .forward(&batch)?
            .argmax(1)
            .into_data()
            .convert::<i64>()
            .try_into_vec()
            .map_err(|e| TeacherError::burn("reading predictions", e))?;
        correct += predicted
            .iter()
            .zip(chunk)
            .filter(|(p, (_, label))| usize::try_from(**p).ok() == Some(*label))
            .count();
    }
    Ok(correct as f64 / data.len() as f64)
}
