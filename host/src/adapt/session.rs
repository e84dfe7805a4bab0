//! The adaptation loop: stream `Learn` requests, evaluate at checkpoints, commit or revert.

use std::io::{Read, Write};
use std::time::Instant;

use edgekd_shared::temperature::check_temperature;

use crate::device::DeviceClient;

use super::{clip_text, AdaptError, AdaptReport, Checkpoint, SoftExample};

/// Checkpoints of the usual schedule (updates after which both splits are evaluated).
pub const DEFAULT_CHECKPOINTS: [usize; 5] = [0, 100, 250, 500, 1000];

/// What happens to the device's steps at the end of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// `LearnCommit`: the adapted head becomes the device's revert point and survives a reboot.
    Commit,
    /// `LearnRevert`: the head goes back to the last commit.
    Revert,
}

/// The schedule of a session.
#[derive(Clone, Debug, PartialEq)]
pub struct AdaptPlan {
    /// Updates to send; the training examples are cycled through in order when there are fewer.
    pub updates: usize,
    /// Distillation temperature `T` sent with every update (the soft labels must be taken at it).
    pub temperature: f32,
    /// Update counts after which to evaluate (0 evaluates before the first update). Counts beyond
    /// `updates` are skipped; the end is always evaluated.
    pub checkpoints: Vec<usize>,
    /// Commit or revert at the end.
    pub finish: Finish,
}

impl AdaptPlan {
    /// `updates` at temperature `T`, with the [`DEFAULT_CHECKPOINTS`], committing at the end.
    pub fn new(updates: usize, temperature: f32) -> Self {
        Self {
            updates,
            temperature,
            checkpoints: DEFAULT_CHECKPOINTS.to_vec(),
            finish: Finish::Commit,
        }
    }

    /// The evaluation points, sorted, deduplicated, within `0..=updates`, the end included.
    fn points(&self) -> Vec<usize> {
        let mut p: Vec<usize> = self
            .checkpoints
            .iter()
            .copied()
            .filter(|&c| c <= self.updates)
            .collect();
        p.push(self.updates);
        p.sort_unstable();
        p.dedup();
        p
    }
}

/// A labelled evaluation split with gold labels as model class indices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvalSet {
    /// Name shown in errors (`in-domain`, `original`).
    pub name: String,
    /// Texts (clipped to the device's `MAX_TEXT` when sent).
    pub texts: Vec<String>,
    /// `[texts.len()]` gold class indices in the model's label order.
    pub gold: Vec<usize>,
}

/// What the session reports as it goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress<'a> {
    /// Update `done` of `total` was accepted; `loss` is the device's KL before the step (nats).
    Update {
        /// Updates accepted so far.
        done: usize,
        /// Updates planned.
        total: usize,
        /// The device's `KL(teacher ‖ student)` before this step.
        loss: f32,
    },
    /// Both splits were evaluated.
    Checkpoint(&'a Checkpoint),
}

/// Accuracy of the device on `set` through `Infer` (`None` for an empty set).
pub fn evaluate<T: Read + Write>(
    client: &mut DeviceClient<T>,
    set: &EvalSet,
) -> Result<Option<f64>, AdaptError> {
    if set.texts.len() != set.gold.len() {
        return Err(AdaptError::EvalLengths {
            name: set.name.clone(),
            texts: set.texts.len(),
            labels: set.gold.len(),
        });
    }
    if set.texts.is_empty() {
        return Ok(None);
    }
    let mut correct = 0usize;
    for (i, (text, &gold)) in set.texts.iter().zip(&set.gold).enumerate() {
        let got = client
            .infer(clip_text(text))
            .map_err(|source| AdaptError::Device {
                during: format!("evaluate {} text {i}", set.name),
                source,
            })?;
        correct += usize::from(usize::from(got.label) == gold);
    }
    Ok(Some(correct as f64 / set.texts.len() as f64))
}

/// Runs one adaptation session on the device behind `client`, whose active model must have a head
/// master: `plan.updates` `Learn` requests cycling through `train`, evaluation of `held_out` and
/// `original` at the plan's checkpoints, then `LearnCommit` or `LearnRevert`, then `Info`/`Stats`
/// for the learner's RAM. The first refused update (e.g. `BadSoftLabel`) ends the session with
/// [`AdaptError::Device`]; the device's head is then as before that request.
///
/// # Shapes
/// - `train[i].probs`: `[classes]` teacher probabilities at `plan.temperature`
pub fn adapt<T: Read + Write>(
    client: &mut DeviceClient<T>,
    train: &[SoftExample],
    held_out: &EvalSet,
    original: &EvalSet,
    plan: &AdaptPlan,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<AdaptReport, AdaptError> {
    let t = check_temperature(plan.temperature)?;
    if plan.updates > 0 && train.is_empty() {
        return Err(AdaptError::NoTrainingData {
            updates: plan.updates,
        });
    }
    let device = |during: String| {
        move |source: crate::device::ClientError| AdaptError::Device { during, source }
    };
    let mut checkpoints = Vec::new();
    let (mut done, mut loss_sum, mut loss_n) = (0usize, 0.0f64, 0usize);
    let mut update_secs = 0.0f64;
    for point in plan.points() {
        let started = Instant::now();
        while done < point {
            let ex = &train[done % train.len()];
            let report = client
                .learn(&ex.text, &ex.probs, t)
                .map_err(device(format!(
                    "update {} (text {})",
                    done + 1,
                    done % train.len()
                )))?;
            done += 1;
            loss_sum += f64::from(report.loss);
            loss_n += 1;
            progress(Progress::Update {
                done,
                total: plan.updates,
                loss: report.loss,
            });
        }
        update_secs += started.elapsed().as_secs_f64();
        let checkpoint = Checkpoint {
            updates: done,
            in_domain: evaluate(client, held_out)?,
            original: evaluate(client, original)?,
            mean_loss: (loss_n > 0).then(|| loss_sum / loss_n as f64),
        };
        (loss_sum, loss_n) = (0.0, 0);
        progress(Progress::Checkpoint(&checkpoint));
        checkpoints.push(checkpoint);
    }
    match plan.finish {
        Finish::Commit => client
            .learn_commit()
            .map_err(device("learn commit".into()))?,
        Finish::Revert => client
            .learn_revert()
            .map_err(device("learn revert".into()))?,
    }
    let info = client.info().map_err(device("info".into()))?;
    let stats = client.stats().map_err(device("stats".into()))?;
    Ok(AdaptReport {
        checkpoints,
        updates: done,
        finish: plan.finish,
        learner_bytes: info.learner_bytes,
        ram_bytes: stats.ram_bytes,
        device_learn_steps: stats.learn_steps,
        update_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_sorted_bounded_and_end_with_the_total() {
        let mut plan = AdaptPlan::new(300, 2.0);
        assert_eq!(plan.points(), vec![0, 100, 250, 300]);
        plan.checkpoints = vec![50, 0, 50];
        plan.updates = 0;
        assert_eq!(plan.points(), vec![0]);
    }
}
