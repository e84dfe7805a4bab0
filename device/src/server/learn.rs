//! `Learn` / `LearnCommit` / `LearnRevert`: one distillation step of the f32 head per request,
//! journaled to flash before it is acknowledged.
//!
//! - `Learn`: engine → head input (int8) → [`UpdateRecord::apply`] (the learner checks the soft
//!   label and the step before touching the head) → [`Journal::append_update`].
//! - `LearnCommit`: a snapshot of the head into the journal; it becomes the revert point.
//! - `LearnRevert`: the head goes back to the last commit (or to the flashed head), and a
//!   snapshot of it supersedes the journaled updates.
//! - With nothing pending, `LearnCommit` and `LearnRevert` answer `Ack` and write nothing (the
//!   head already is the revert point; a flash sector is not worn for nothing).
//!
//! A power cut loses at most the step in flight: the journal replays every acknowledged step
//! at boot (uncommitted ones included; "pending" means "since the last revert point").

use edgekd_shared::protocol::{ErrorCode, LearnReport, Response, MAX_TEXT};
use embedded_storage::nor_flash::NorFlash;

use super::reply::{self, error};
use super::{Platform, Server};
use crate::engine::{infer, Input};
use crate::learner::{LearnHyper, UpdateRecord};
use crate::storage::MappedFlash;

impl<F, P, A, const W: usize> Server<'_, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    pub(super) fn learn(
        &mut self,
        text: &str,
        teacher: &[f32],
        temperature: f32,
    ) -> Response<'static> {
        if text.len() > MAX_TEXT {
            return error(ErrorCode::TooLarge, reply::sat(MAX_TEXT));
        }
        let Some(bytes) = self.storage.model() else {
            return error(ErrorCode::NoModel, 0);
        };
        if self.storage.update_progress().is_some() {
            return error(ErrorCode::Busy, 0);
        }
        if !self.head.ready {
            return error(ErrorCode::Unsupported, 0);
        }
        let classes = self.learner.out_dim();
        let Ok(model) = edgekd_shared::artifact::decode_trusted(bytes) else {
            return error(ErrorCode::Internal, reply::INTERNAL_MODEL);
        };
        let inference = match infer(&model, Input::Text(text), self.arena.as_mut()) {
            Ok(i) => i,
            Err(e) => return reply::engine(&e),
        };
        // The model borrows the storage, which the journal needs mutably below.
        drop(model);
        let Some(x_quant) = inference.head_input_quant else {
            return error(ErrorCode::Unsupported, 0);
        };
        let label_before = if self.learner.updates() > 0 {
            match super::head_prediction(
                &self.learner,
                inference.head_input,
                x_quant,
                inference.prediction.quant,
            ) {
                Ok((label, _)) => label,
                Err(e) => return reply::learn(&e, classes),
            }
        } else {
            inference.prediction.label
        };
        let record = UpdateRecord {
            hyper: LearnHyper {
                temperature,
                learning_rate: self.config.learning_rate,
            },
            x_scale: x_quant.scale,
            x_zero_point: x_quant.zero_point,
            x: inference.head_input,
            teacher,
        };
        let step = match record.apply(&mut self.learner) {
            Ok(s) => s,
            Err(e) => return reply::learn(&e, classes),
        };
        self.stats.learn_steps = self.stats.learn_steps.wrapping_add(1);
        self.head.pending = self.head.pending.saturating_add(1);
        if let Some(journal) = self.journal.as_mut() {
            if let Err(e) = journal.append_update(self.storage.flash_mut(), &self.learner, &record)
            {
                // The step stays applied in RAM but is not durable.
                return reply::journal(&e, self.storage.journal().offset);
            }
        }
        let t2 = temperature * temperature;
        Response::Learned(LearnReport {
            pending_steps: self.head.pending,
            loss: if t2 > 0.0 { step.loss / t2 } else { step.loss },
            label_before: u8::try_from(label_before).unwrap_or(u8::MAX),
        })
    }

    pub(super) fn learn_commit(&mut self) -> Response<'static> {
        if !self.head.ready {
            return error(ErrorCode::Unsupported, 0);
        }
        if self.head.pending == 0 {
            return Response::Ack;
        }
        if let Some(journal) = self.journal.as_mut() {
            if let Err(e) = journal.commit(self.storage.flash_mut(), &self.learner) {
                return reply::journal(&e, self.storage.journal().offset);
            }
        }
        self.committed.copy_from(&self.learner);
        self.head.pending = 0;
        self.stats.learn_commits = self.stats.learn_commits.wrapping_add(1);
        Response::Ack
    }

    pub(super) fn learn_revert(&mut self) -> Response<'static> {
        if !self.head.ready {
            return error(ErrorCode::Unsupported, 0);
        }
        if self.head.pending == 0 {
            return Response::Ack;
        }
        self.learner.copy_from(&self.committed);
        self.head.pending = 0;
        if let Some(journal) = self.journal.as_mut() {
            if let Err(e) = journal.commit(self.storage.flash_mut(), &self.learner) {
                return reply::journal(&e, self.storage.journal().offset);
            }
        }
        Response::Ack
    }
}
