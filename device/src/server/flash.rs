//! `FlashBegin` / `FlashChunk` / `FlashCommit` / `ReadBack`: a new model goes into the inactive
//! slot while the old one keeps serving; it becomes active only after the read-back CRC, the
//! signature and the structural check pass.

use edgekd_shared::artifact::ModelId;
use edgekd_shared::protocol::{ErrorCode, Response};
use embedded_storage::nor_flash::NorFlash;

use super::reply::{self, error};
use super::state::ModelCheck;
use super::{Platform, Server};
use crate::storage::MappedFlash;

impl<F, P, A, const W: usize> Server<'_, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    pub(super) fn flash_begin(&mut self, total_len: u32, model_id: ModelId) -> Response<'static> {
        if total_len == 0 {
            return error(ErrorCode::BadRequest, 0);
        }
        let limit = self.model_limit();
        if total_len > limit {
            return error(ErrorCode::TooLarge, limit);
        }
        self.tail.clear();
        self.announced = None;
        match self.storage.begin_update(total_len) {
            Ok(_) => {
                self.announced = Some(model_id);
                Response::Ack
            }
            Err(e) => reply::storage(&e),
        }
    }

    pub(super) fn flash_chunk(&mut self, offset: u32, data: &[u8]) -> Response<'static> {
        if data.len() > usize::from(self.config.max_chunk) {
            return error(ErrorCode::TooLarge, u32::from(self.config.max_chunk));
        }
        match self.storage.write_chunk(offset, data) {
            Ok(written) => {
                self.tail.push(data, written);
                Response::FlashProgress { written }
            }
            Err(e) => reply::storage(&e),
        }
    }

    pub(super) fn flash_commit(&mut self) -> Response<'static> {
        let Some(announced) = self.announced else {
            return error(ErrorCode::BadState, 0);
        };
        let checker =
            ModelCheck::<W>::expecting(self.config.policy, self.arena.as_ref().len(), announced);
        let result = self.storage.commit_update(&checker);
        if self.storage.update_progress().is_none() {
            self.announced = None;
        }
        match result {
            Ok(active) => {
                // The checker accepted the image that storage has just made active.
                self.model_id = checker.accepted();
                self.stats.flash_commits = self.stats.flash_commits.wrapping_add(1);
                self.tail.clear();
                self.load_head();
                match self.model_id {
                    Some(model_id) => Response::FlashDone {
                        slot: active.slot,
                        model_id,
                    },
                    None => error(ErrorCode::Internal, reply::INTERNAL_MODEL),
                }
            }
            Err(crate::storage::StorageError::Rejected) => match checker.refusal() {
                Some((code, detail)) => error(code, detail),
                None => error(ErrorCode::InvalidArtifact, 0),
            },
            Err(e) => reply::storage(&e),
        }
    }

    /// Bytes of the slot being written (during a transfer, up to the bytes received) or of the
    /// active model, read into the arena (free between requests).
    pub(super) fn read_back(&mut self, offset: u32, len: u16) -> Response<'_> {
        let max = self.config.max_chunk;
        if len > max {
            return error(ErrorCode::TooLarge, u32::from(max));
        }
        let (slot, readable, programmed) =
            match (self.storage.update_progress(), self.storage.active()) {
                (Some(p), _) => {
                    let word = u32::try_from(F::WRITE_SIZE).unwrap_or(1).max(1);
                    (p.slot, p.written, p.written - p.written % word)
                }
                (None, Some(m)) => (m.slot, m.len, m.len),
                (None, None) => return error(ErrorCode::NoModel, 0),
            };
        let end = match offset.checked_add(u32::from(len)) {
            Some(end) if end <= readable => end,
            _ => return error(ErrorCode::TooLarge, readable),
        };
        let arena = self.arena.as_mut();
        let arena_len = arena.len();
        let Some(out) = arena.get_mut(..usize::from(len)) else {
            return error(ErrorCode::TooLarge, reply::sat(arena_len));
        };
        // [offset, split) from flash, [split, end) from the RAM tail.
        let split = programmed.clamp(offset, end);
        let (from_flash, from_tail) = out.split_at_mut((split - offset) as usize);
        if let Err(e) = self.storage.read_slot(slot, offset, from_flash) {
            return reply::storage(&e);
        }
        if !from_tail.is_empty() && !self.tail.read(split, from_tail) {
            return error(ErrorCode::Internal, 0);
        }
        Response::Data { offset, bytes: out }
    }
}
