//! Server state around the model: the boot-time/commit-time model check, the learner's head
//! for the active model, and the journal.

use core::cell::Cell;

use edgekd_shared::artifact::{
    decode, decode_trusted, parse_container_trusted, ModelId, VerifyPolicy,
};
use edgekd_shared::protocol::ErrorCode;
use embedded_storage::nor_flash::NorFlash;

use super::{reply, Platform, Server};
use crate::engine::arena_size;
use crate::learner::{head_dims, HeadLearner, Journal};
use crate::storage::{MappedFlash, ModelValidator, Region};

/// What the learner holds for the active model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct HeadState {
    /// The learner holds the active model's head (false: no model, or a model without a head master).
    pub ready: bool,
    /// Steps since the last commit or revert.
    pub pending: u32,
}

/// The storage validator: a model may become active when it decodes under the device's
/// signature policy, validates, fits the arena, its head (if any) fits the learner, and its
/// identity is the one announced (when one was). Remembers why it last refused, for the error
/// reply, and the identity of the last image it accepted (the one storage makes active).
pub(super) struct ModelCheck<'k, const W: usize> {
    policy: VerifyPolicy<'k>,
    arena_len: usize,
    expected: Option<ModelId>,
    refusal: Cell<Option<(ErrorCode, u32)>>,
    accepted: Cell<Option<ModelId>>,
}

impl<'k, const W: usize> ModelCheck<'k, W> {
    /// A check that accepts any identity (at boot).
    pub fn new(policy: VerifyPolicy<'k>, arena_len: usize) -> Self {
        Self {
            policy,
            arena_len,
            expected: None,
            refusal: Cell::new(None),
            accepted: Cell::new(None),
        }
    }

    /// A check that also requires the identity `expected` (at `FlashCommit`).
    pub fn expecting(policy: VerifyPolicy<'k>, arena_len: usize, expected: ModelId) -> Self {
        Self {
            expected: Some(expected),
            ..Self::new(policy, arena_len)
        }
    }

    /// Why the last refused image was refused.
    pub fn refusal(&self) -> Option<(ErrorCode, u32)> {
        self.refusal.get()
    }

    /// The identity of the last image accepted.
    pub fn accepted(&self) -> Option<ModelId> {
        self.accepted.get()
    }

    fn check(&self, image: &[u8]) -> Result<ModelId, (ErrorCode, u32)> {
        let model = decode(image, self.policy).map_err(|e| reply::artifact(&e))?;
        // `decode` has checked the container; this only splits it again.
        let container = parse_container_trusted(image).map_err(|e| reply::artifact(&e))?;
        let id = ModelId::of_container(&container);
        if self.expected.is_some_and(|e| e != id) {
            return Err((ErrorCode::ModelIdMismatch, 0));
        }
        let arena =
            arena_size(&model).map_err(|_| (ErrorCode::InvalidArtifact, reply::INVALID_ARENA))?;
        if arena > self.arena_len {
            return Err((ErrorCode::InvalidArtifact, reply::INVALID_ARENA));
        }
        if model.head.is_some() {
            let fits = head_dims(&model)
                .and_then(|(i, o)| i.checked_mul(o))
                .is_some_and(|n| n <= W);
            if !fits {
                return Err((ErrorCode::InvalidArtifact, reply::INVALID_HEAD));
            }
        }
        Ok(id)
    }
}

impl<const W: usize> ModelValidator for ModelCheck<'_, W> {
    fn validate(&self, image: &[u8]) -> bool {
        match self.check(image) {
            Ok(id) => {
                self.refusal.set(None);
                self.accepted.set(Some(id));
                true
            }
            Err(refusal) => {
                self.refusal.set(Some(refusal));
                false
            }
        }
    }
}

/// The journal over `region`, or `None` when the region is empty or unusable with this flash.
pub(super) fn journal_for<F: NorFlash>(region: Region) -> Option<Journal> {
    if region.len == 0 {
        return None;
    }
    Journal::new(
        region.offset,
        region.len,
        F::ERASE_SIZE as u32,
        F::WRITE_SIZE as u32,
    )
    .ok()
}

impl<F, P, A, const W: usize> Server<'_, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    /// Loads the active model's head master and replays the journal on top of it. Without a
    /// model or a head the learner stays unused; a journal that fails to restore is disabled and
    /// the head is the flashed one.
    pub(super) fn load_head(&mut self) {
        self.head = HeadState::default();
        let Some(model_id) = self.model_id else {
            return;
        };
        let flashed = match self.storage.model().map(decode_trusted) {
            Some(Ok(model)) => self.committed.load_model_head(&model).is_ok(),
            _ => false,
        };
        if !flashed {
            return;
        }
        // The journal is bound to the model by its identity (see `ModelId`).
        let committed = &self.committed;
        let load_flashed = |l: &mut HeadLearner<W>| {
            l.load(
                committed.in_dim(),
                committed.out_dim(),
                committed.weights(),
                committed.bias(),
            )
        };
        let restored = match self.journal.as_mut() {
            Some(journal) => journal
                .restore(
                    self.storage.flash_mut(),
                    model_id,
                    &mut self.learner,
                    load_flashed,
                )
                .is_ok(),
            None => false,
        };
        if !restored {
            self.journal = None;
            self.learner.copy_from(&self.committed);
        }
        self.committed.copy_from(&self.learner);
        self.head.ready = true;
    }

    /// Whether predictions go through the learner's f32 head (it has taken at least one step).
    pub(super) fn use_learned_head(&self) -> bool {
        self.head.ready && self.learner.updates() > 0
    }
}
