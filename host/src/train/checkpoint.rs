//! Per-epoch checkpoints: burn records of the student and the optimizer, the best dev check's
//! weights, the student config as JSON and the trainer state as JSON, committed by an atomic
//! rename of `state.json`.
//!
//! Layout of a checkpoint directory:
//! ```text
//! student.json               StudentConfig
//! state.json                 TrainerState (written last: the commit point)
//! epoch-0007/model.bpk       student weights after epoch 7 (burnpack)
//! epoch-0007/optim.bpk       Adam moments after epoch 7
//! best-00000420/model.bpk    weights of the best dev check, taken after optimizer step 420
//! ```
//! Only the directories of the last epoch and of the best check are kept. A kill at any point
//! leaves `state.json` naming files that were completely written before it. (Checkpoints written
//! before dev checks were counted in steps have no `best-*` folder: their best weights are those
//! of the epoch `best_epoch`.)

use std::fs;
use std::path::{Path, PathBuf};

use edgekd_models::burn::config::Config;
use edgekd_models::burn::module::Module;
use edgekd_models::burn::optim::ModuleOptimizer;
use edgekd_models::student::{Student, StudentConfig};
use serde::{Deserialize, Serialize};

use super::config::{KdLoss, Mode};
use super::error::TrainError;
use super::report::{CheckReport, EpochReport};

/// Where a run stands after its last finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// Last finished epoch (0 before the first).
    pub epoch: usize,
    /// Optimizer steps taken up to the end of the last finished epoch.
    #[serde(default)]
    pub step: usize,
    /// Training examples seen up to the end of the last finished epoch.
    #[serde(default)]
    pub examples: u64,
    /// Examples trained on since the last dev check (carried across epoch ends).
    #[serde(default)]
    pub examples_since_check: usize,
    /// Epoch of the best dev check so far (0 when none).
    pub best_epoch: usize,
    /// Optimizer step of the best dev check so far (0 when none, or in an older checkpoint).
    #[serde(default)]
    pub best_step: usize,
    /// Best dev accuracy so far.
    pub best_dev_accuracy: f64,
    /// Dev checks since the best one (the early-stopping counter).
    #[serde(alias = "epochs_since_best")]
    pub checks_since_best: usize,
    /// Seed of the run (initialisation and shuffles).
    pub seed: u64,
    /// Training mode of the run.
    pub mode: Mode,
    /// Its KD loss (`None` for FT).
    pub kd: Option<KdLoss>,
    /// Every finished epoch.
    pub history: Vec<EpochReport>,
    /// Every dev check of the finished epochs.
    #[serde(default)]
    pub checks: Vec<CheckReport>,
}

impl TrainerState {
    /// The state before the first epoch (`kd` is kept for KD only).
    pub fn new(seed: u64, mode: Mode, kd: KdLoss) -> Self {
        Self {
            epoch: 0,
            step: 0,
            examples: 0,
            examples_since_check: 0,
            best_epoch: 0,
            best_step: 0,
            best_dev_accuracy: f64::NEG_INFINITY,
            checks_since_best: 0,
            seed,
            mode,
            kd: (mode == Mode::Kd).then_some(kd),
            history: Vec::new(),
            checks: Vec::new(),
        }
    }
}

fn epoch_dir(dir: &Path, epoch: usize) -> PathBuf {
    dir.join(format!("epoch-{epoch:04}"))
}

fn best_dir(dir: &Path, step: usize) -> PathBuf {
    dir.join(format!("best-{step:08}"))
}

/// Path of the student weights saved after `epoch`.
pub fn model_path(dir: &Path, epoch: usize) -> PathBuf {
    epoch_dir(dir, epoch).join("model.bpk")
}

fn optim_path(dir: &Path, epoch: usize) -> PathBuf {
    epoch_dir(dir, epoch).join("optim.bpk")
}

/// Writes the checkpoint of `state.epoch`: weights, optimizer, the best check's weights (`best`,
/// those of `state.best_step`; `None` when they were already saved), config, then the state.
pub fn save(
    dir: &Path,
    student: &StudentConfig,
    model: &Student,
    optim: &ModuleOptimizer,
    best: Option<&Student>,
    state: &TrainerState,
) -> Result<(), TrainError> {
    let edir = epoch_dir(dir, state.epoch);
    fs::create_dir_all(&edir).map_err(|e| TrainError::checkpoint(&edir, e))?;
    let mpath = model_path(dir, state.epoch);
    model
        .clone()
        .save_file(&mpath)
        .map_err(|e| TrainError::checkpoint(&mpath, e))?;
    if let Some(best) = best {
        let bdir = best_dir(dir, state.best_step);
        fs::create_dir_all(&bdir).map_err(|e| TrainError::checkpoint(&bdir, e))?;
        let bpath = bdir.join("model.bpk");
        best.clone()
            .save_file(&bpath)
            .map_err(|e| TrainError::checkpoint(&bpath, e))?;
    }
    let opath = optim_path(dir, state.epoch);
    optim
        .save(&opath)
        .map_err(|e| TrainError::checkpoint(&opath, e))?;
    let cpath = dir.join("student.json");
    student
        .save(&cpath)
        .map_err(|e| TrainError::checkpoint(&cpath, e))?;
    let spath = dir.join("state.json");
    let tmp = dir.join("state.json.tmp");
    let json =
        serde_json::to_string_pretty(state).map_err(|e| TrainError::checkpoint(&spath, e))?;
    fs::write(&tmp, json).map_err(|e| TrainError::checkpoint(&tmp, e))?;
    fs::rename(&tmp, &spath).map_err(|e| TrainError::checkpoint(&spath, e))?;
    prune(dir, state.epoch, state.best_step);
    Ok(())
}

/// Removes the epoch directories other than `epoch`'s and the best-check directories other than
/// `best_step`'s (best effort: a leftover costs only disk).
fn prune(dir: &Path, epoch: usize, best_step: usize) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let stale = |prefix: &str, keep: usize| {
            name.strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n != keep)
        };
        if stale("epoch-", epoch) || stale("best-", best_step) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Reads the trainer state and checks that the saved student config is `student`.
/// `Ok(None)` when `dir` holds no committed checkpoint.
pub fn load_state(dir: &Path, student: &StudentConfig) -> Result<Option<TrainerState>, TrainError> {
    let spath = dir.join("state.json");
    if !spath.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(&spath).map_err(|e| TrainError::checkpoint(&spath, e))?;
    let state: TrainerState =
        serde_json::from_str(&text).map_err(|e| TrainError::checkpoint(&spath, e))?;
    let cpath = dir.join("student.json");
    let saved = StudentConfig::load(&cpath).map_err(|e| TrainError::checkpoint(&cpath, e))?;
    if &saved != student {
        return Err(TrainError::CheckpointMismatch {
            dir: dir.to_path_buf(),
            what: "student config",
            found: serde_json::to_string(&saved).unwrap_or_default(),
            expected: serde_json::to_string(student).unwrap_or_default(),
        });
    }
    Ok(Some(state))
}

/// Loads the weights saved after `epoch` into `model` (same structure).
pub fn load_model(dir: &Path, epoch: usize, model: Student) -> Result<Student, TrainError> {
    let path = model_path(dir, epoch);
    model
        .try_load_file(&path)
        .map_err(|e| TrainError::checkpoint(&path, e))
}

/// Loads the best check's weights of `state` into `model` (same structure): `best-<step>`, or,
/// in a checkpoint written before checks were counted in steps, the epoch `best_epoch`.
pub fn load_best(dir: &Path, state: &TrainerState, model: Student) -> Result<Student, TrainError> {
    let path = best_dir(dir, state.best_step).join("model.bpk");
    if state.best_step == 0 && !path.exists() {
        return load_model(dir, state.best_epoch, model);
    }
    model
        .try_load_file(&path)
        .map_err(|e| TrainError::checkpoint(&path, e))
}

/// Loads the optimizer state saved after `epoch`.
pub fn load_optim(
    dir: &Path,
    epoch: usize,
    optim: ModuleOptimizer,
) -> Result<ModuleOptimizer, TrainError> {
    let path = optim_path(dir, epoch);
    optim
        .load(&path)
        .map_err(|e| TrainError::checkpoint(&path, e))
}
