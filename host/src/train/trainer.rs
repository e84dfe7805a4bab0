//! The training loop: Adam on mini-batches, KD or FT loss, dev checks (at each epoch's end, or
//! every `check_every` training examples) with early stopping on their accuracy, a checkpoint per
//! epoch and resume from the last one.

use std::ops::ControlFlow;
use std::time::Instant;

use edgekd_models::burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use edgekd_models::burn::prelude::*;
use edgekd_models::loss::{ft_loss, kd_loss};
use edgekd_models::student::{Student, StudentConfig, TokenBatch};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::checkpoint::{self, TrainerState};
use super::config::{check_examples, KdLoss, Mode, TrainConfig, TrainExample};
use super::error::TrainError;
use super::eval::accuracy;
use super::report::{CheckReport, EpochReport, StopReason, TrainReport};

/// A trained student (the weights of its best dev check, without autodiff) and its report.
#[derive(Debug)]
pub struct TrainedStudent {
    /// The student, on the plain (non-autodiff) device it was trained on.
    pub model: Student,
    /// Its configuration.
    pub config: StudentConfig,
    /// What happened during training.
    pub report: TrainReport,
}

/// Trains a student on `train`, selecting among its dev checks by accuracy on `dev`.
///
/// `device` is a plain device (`Device::ndarray()`, `Device::flex()`, a wgpu device); the
/// trainer wraps it with autodiff. With `cfg.checkpoint_dir` set, each epoch is checkpointed and
/// a run that finds a committed checkpoint there resumes after its last epoch (same shuffles,
/// same optimizer moments). `progress` is called after every epoch; `ControlFlow::Break` stops
/// the run after that epoch's checkpoint (as a kill would, but cleanly).
pub fn train_student(
    cfg: &TrainConfig,
    train: &[TrainExample],
    dev: &[TrainExample],
    mode: Mode,
    device: &Device,
    progress: &mut dyn FnMut(&EpochReport) -> ControlFlow<()>,
) -> Result<TrainedStudent, TrainError> {
    cfg.validate(mode)?;
    let classes = cfg.student.classes;
    check_examples("train", train, classes, mode == Mode::Kd)?;
    check_examples("dev", dev, classes, false)?;

    let ad = device.clone().autodiff();
    ad.seed(cfg.seed);
    let mut model = cfg.student.init(&ad)?;
    if let Some(table) = &cfg.init_table {
        model = model.with_embedding_table(table.to_vec())?;
    }
    let mut optim: ModuleOptimizer = AdamConfig::new().with_epsilon(1e-8).init();
    let mut state = TrainerState::new(cfg.seed, mode, cfg.kd);
    let mut best: Option<Student> = None;
    let mut resumed_from = None;

    if let Some(dir) = &cfg.checkpoint_dir {
        std::fs::create_dir_all(dir).map_err(|e| TrainError::checkpoint(dir, e))?;
        if let Some(saved) = checkpoint::load_state(dir, &cfg.student)? {
            if saved.mode != state.mode || saved.kd != state.kd || saved.seed != cfg.seed {
                return Err(TrainError::CheckpointMismatch {
                    dir: dir.clone(),
                    what: "mode and seed",
                    found: format!("{:?} {:?} seed {}", saved.mode, saved.kd, saved.seed),
                    expected: format!("{mode:?} {:?} seed {}", state.kd, cfg.seed),
                });
            }
            if saved.epoch > 0 {
                model = checkpoint::load_model(dir, saved.epoch, model)?;
                optim = checkpoint::load_optim(dir, saved.epoch, optim)?;
                let fresh = cfg.student.init(device)?;
                best = Some(checkpoint::load_best(dir, &saved, fresh)?);
                resumed_from = Some(saved.epoch);
            }
            state = saved;
        }
    }

    let mut stop = StopReason::EpochsDone;
    if resumed_from.is_some() && state.checks_since_best >= cfg.patience.max(1) {
        stop = StopReason::EarlyStopped;
    }
    // A resumed run's best weights are written again with its next checkpoint.
    let mut best_unsaved = resumed_from.is_some();
    let mut order: Vec<usize> = (0..train.len()).collect();
    while stop == StopReason::EpochsDone && state.epoch < cfg.epochs {
        let epoch = state.epoch + 1;
        // The shuffle depends only on (seed, epoch), so a resumed run replays the same order.
        order.sort_unstable();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(
            cfg.seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ));
        let started = Instant::now();
        let mut loss_sum = 0.0f64;
        let mut improved = false;
        let mut trained = 0usize;
        for chunk in order.chunks(cfg.batch_size) {
            let batch_examples: Vec<&TrainExample> =
                chunk.iter().filter_map(|&i| train.get(i)).collect();
            let (next, loss) = step(
                &cfg.student,
                model,
                &mut optim,
                &batch_examples,
                state.kd,
                cfg.learning_rate,
                &ad,
            )?;
            model = next;
            loss_sum += loss * batch_examples.len() as f64;
            trained += batch_examples.len();
            state.step += 1;
            state.examples += batch_examples.len() as u64;
            state.examples_since_check += batch_examples.len();
            let due = match cfg.check_every {
                Some(every) => state.examples_since_check >= every,
                None => trained == train.len(),
            };
            if due {
                let valid = model.valid();
                if check(&mut state, epoch, &valid, dev, cfg, device)? {
                    best = Some(valid);
                    improved = true;
                    best_unsaved = true;
                }
                if state.checks_since_best >= cfg.patience.max(1) {
                    break;
                }
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let report = EpochReport {
            epoch,
            train_loss: loss_sum / trained.max(1) as f64,
            dev_accuracy: state.checks.last().map_or(0.0, |c| c.dev_accuracy),
            samples_per_sec: trained as f64 / seconds.max(1e-9),
            seconds,
            improved,
        };
        state.epoch = epoch;
        state.history.push(report.clone());
        if let Some(dir) = &cfg.checkpoint_dir {
            let unsaved = best.as_ref().filter(|_| best_unsaved);
            checkpoint::save(dir, &cfg.student, &model, &optim, unsaved, &state)?;
            best_unsaved = false;
        }
        if progress(&report).is_break() {
            stop = StopReason::Interrupted;
        } else if state.checks_since_best >= cfg.patience.max(1) {
            stop = StopReason::EarlyStopped;
        }
    }

    let model = match best {
        Some(m) => m,
        None => model.valid(),
    };
    Ok(TrainedStudent {
        model,
        config: cfg.student.clone(),
        report: TrainReport {
            epochs: state.history,
            checks: state.checks,
            best_epoch: state.best_epoch,
            best_step: state.best_step,
            best_dev_accuracy: state.best_dev_accuracy.max(0.0),
            learning_rate: cfg.learning_rate,
            resumed_from,
            stop,
        },
    })
}

/// One dev check of `model` after `state.step` steps, recorded in `state`; `true` when it is the
/// best so far.
fn check(
    state: &mut TrainerState,
    epoch: usize,
    model: &Student,
    dev: &[TrainExample],
    cfg: &TrainConfig,
    device: &Device,
) -> Result<bool, TrainError> {
    let dev_accuracy = accuracy(
        model,
        dev,
        cfg.student.buckets,
        cfg.batch_size.max(64),
        device,
    )?;
    state.examples_since_check = 0;
    state.checks.push(CheckReport {
        step: state.step,
        examples: state.examples,
        epoch,
        dev_accuracy,
    });
    let improved = dev_accuracy > state.best_dev_accuracy;
    if improved {
        state.best_dev_accuracy = dev_accuracy;
        state.best_epoch = epoch;
        state.best_step = state.step;
        state.checks_since_best = 0;
    } else {
        state.checks_since_best += 1;
    }
    Ok(improved)
}

/// One optimizer step on a mini-batch; returns the updated model and the batch's mean loss.
fn step(
    student: &StudentConfig,
    model: Student,
    optim: &mut ModuleOptimizer,
    examples: &[&TrainExample],
    kd: Option<KdLoss>,
    lr: f64,
    device: &Device,
) -> Result<(Student, f64), TrainError> {
    let n = examples.len();
    let seqs: Vec<&[u32]> = examples.iter().map(|e| e.tokens.as_slice()).collect();
    let batch = TokenBatch::new(&seqs, student.buckets, 1, device)?;
    let labels: Vec<i64> = examples.iter().map(|e| e.label as i64).collect();
    let labels: Tensor<1, Int> = Tensor::from_data(TensorData::new(labels, [n]), device);
    let logits = model.forward(&batch);
    let loss = match kd {
        None => ft_loss(logits, labels),
        Some(KdLoss { temperature, alpha }) => {
            let c = student.classes;
            let mut t = Vec::with_capacity(n * c);
            for e in examples {
                t.extend(e.teacher_logits.iter().flatten().copied());
            }
            let teacher: Tensor<2> = Tensor::from_data(TensorData::new(t, [n, c]), device);
            kd_loss(logits, teacher, labels, temperature, alpha)
        }
    };
    let value: f64 = loss
        .clone()
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .map(f64::from)
        .unwrap_or(f64::NAN);
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    Ok((optim.step(lr, model, grads), value))
}
