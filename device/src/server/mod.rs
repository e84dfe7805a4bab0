//! The protocol server: answers the host's [`Request`]s from the model storage, the inference
//! engine and the on-device learner.
//!
//! ```text
//! bytes ─► Link (FrameDecoder) ─► Request ─► Server::handle ─► Response ─► encode_frame ─► bytes
//!                                             │
//!        Storage<F> (A/B slots) ◄─ flash ─────┤── infer: engine over the active model (+ f32 head)
//!        Journal (learner region) ◄─ learn ───┘── learn: engine → head input → HeadLearner step
//! ```
//!
//! No allocation, no panic on any input: the arena and the frame buffers are fixed and supplied
//! by the caller, every failure is a `Response::Error`. The active model's CRC and signature
//! are verified once, at boot and at `FlashCommit` (the storage validator); afterwards each
//! request decodes it with [`decode_trusted`](edgekd_shared::artifact::decode_trusted), which
//! skips both. `docs/device-server.md` describes every request's behaviour and error details.

mod config;
mod flash;
mod infer;
mod learn;
mod link;
mod platform;
mod reply;
mod state;
mod tail;

#[cfg(test)]
mod tests;

pub use config::{ServerConfig, DEFAULT_LEARNING_RATE};
pub use infer::head_prediction;
pub use link::{Link, ServeExit};
pub use platform::Platform;
pub use reply::{
    INTERNAL_ENGINE, INTERNAL_LEARN, INTERNAL_LEARN_OVERFLOW, INTERNAL_MODEL, INTERNAL_TX,
    INVALID_ARENA, INVALID_BODY, INVALID_HEAD, INVALID_HEADER, INVALID_STRUCTURE,
};

use edgekd_shared::artifact::ModelId;
use edgekd_shared::protocol::{DeviceInfo, DeviceStats, Request, Response, PROTOCOL_VERSION};
use embedded_storage::nor_flash::NorFlash;

use crate::learner::{HeadLearner, Journal};
use crate::storage::{Layout, MappedFlash, Storage, StorageError};
use reply::error;
use state::HeadState;
use tail::Tail;

/// The device side of the protocol. See the module documentation.
///
/// - `F`: the flash holding boot records, model slots and the learner journal.
/// - `P`: the board ([`Platform`]): instruction counter, stack high-water mark, profile.
/// - `A`: the inference arena, e.g. `&'static mut [u8]` on the device or `Vec<u8>` on a host.
/// - `W`: capacity of the learner's f32 head weights (`inputs · classes` of the largest head).
///
/// RAM: the arena, plus two [`HeadLearner<W>`] (the live head and the last committed one, for
/// `LearnRevert`), plus a few hundred bytes of state.
#[derive(Debug)]
pub struct Server<'k, F, P, A, const W: usize> {
    storage: Storage<F>,
    platform: P,
    config: ServerConfig<'k>,
    arena: A,
    learner: HeadLearner<W>,
    committed: HeadLearner<W>,
    head: HeadState,
    /// The active model's identity, computed when it was verified (at boot or `FlashCommit`).
    model_id: Option<ModelId>,
    /// The identity announced by the `FlashBegin` of the transfer in progress.
    announced: Option<ModelId>,
    journal: Option<Journal>,
    stats: DeviceStats,
    tail: Tail,
    reset_requested: bool,
}

/// Why a [`Server`] could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerError {
    /// Mounting the storage failed (layout, flash geometry, flash read).
    Storage(StorageError),
}

impl core::fmt::Display for ServerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ServerError::Storage(e) => write!(f, "server start: storage: {e}"),
        }
    }
}

impl<'k, F, P, A, const W: usize> Server<'k, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    /// Mounts the storage over `flash` with `layout` (booting the newest model that passes CRC,
    /// signature per `config.policy`, validation and this device's arena and learner budgets),
    /// then restores the learner's head from the journal region.
    pub fn new(
        flash: F,
        layout: Layout,
        platform: P,
        arena: A,
        config: ServerConfig<'k>,
    ) -> Result<Self, ServerError> {
        let arena_len = arena.as_ref().len();
        let checker = state::ModelCheck::<W>::new(config.policy, arena_len);
        let storage = Storage::mount(flash, layout, &checker).map_err(ServerError::Storage)?;
        // Boot stops at the first image the checker accepts: that one is active.
        let model_id = storage.active().and(checker.accepted());
        let journal = state::journal_for::<F>(storage.journal());
        let mut server = Server {
            storage,
            platform,
            config,
            arena,
            learner: HeadLearner::empty(),
            committed: HeadLearner::empty(),
            head: HeadState::default(),
            model_id,
            announced: None,
            journal,
            stats: DeviceStats::default(),
            tail: Tail::new(),
            reset_requested: false,
        };
        server.load_head();
        Ok(server)
    }

    /// Answers one request. Never panics; every failure is a `Response::Error`.
    pub fn handle(&mut self, request: &Request<'_>) -> Response<'_> {
        match request {
            Request::Hello { version } => self.hello(*version),
            Request::Info => Response::Info(self.info()),
            Request::FlashBegin {
                total_len,
                model_id,
            } => self.flash_begin(*total_len, *model_id),
            Request::FlashChunk { offset, data } => self.flash_chunk(*offset, data),
            Request::FlashCommit => self.flash_commit(),
            Request::FlashAbort => {
                self.storage.abort_update();
                self.announced = None;
                Response::Ack
            }
            Request::ReadBack { offset, len } => self.read_back(*offset, *len),
            Request::Infer { text } => self.infer(crate::engine::Input::Text(text)),
            Request::InferTokens { tokens } => self.infer(crate::engine::Input::Tokens(tokens)),
            Request::Learn {
                text,
                teacher_probs,
                temperature,
            } => self.learn(text, teacher_probs, *temperature),
            Request::LearnCommit => self.learn_commit(),
            Request::LearnRevert => self.learn_revert(),
            Request::Stats => Response::Stats(self.stats()),
            Request::Reset => {
                self.reset_requested = true;
                Response::Ack
            }
        }
    }

    fn hello(&self, version: u16) -> Response<'static> {
        if version != PROTOCOL_VERSION {
            return error(
                edgekd_shared::protocol::ErrorCode::VersionMismatch,
                u32::from(PROTOCOL_VERSION),
            );
        }
        Response::Hello {
            version: PROTOCOL_VERSION,
            profile: self.platform.profile(),
            max_frame: self.config.max_frame,
            max_chunk: self.config.max_chunk,
        }
    }

    /// What `Info` reports.
    pub fn info(&self) -> DeviceInfo {
        let active = self.storage.active();
        DeviceInfo {
            active_slot: active.map(|m| m.slot),
            model_len: active.map_or(0, |m| m.len),
            model_id: active.and(self.model_id),
            boot_seq: active.map_or(0, |m| m.seq),
            slot_capacity: self.model_limit(),
            arena_bytes: reply::sat(self.arena.as_ref().len()),
            learner_bytes: reply::sat(Self::learner_bytes()),
        }
    }

    /// What `Stats` reports: the counters, RAM in use and the journal's sequence number.
    pub fn stats(&self) -> DeviceStats {
        let stack = self.platform.stack_high_water();
        let ram = self
            .arena
            .as_ref()
            .len()
            .saturating_add(Self::learner_bytes())
            .saturating_add(stack);
        DeviceStats {
            uptime_ms: self.platform.uptime_ms(),
            ram_bytes: reply::sat(ram),
            stack_high_water: reply::sat(stack),
            journal_seq: self.journal.as_ref().map_or(0, Journal::seq),
            ..self.stats
        }
    }

    /// Bytes of RAM of the learner: the live head and the committed copy.
    pub const fn learner_bytes() -> usize {
        2 * HeadLearner::<W>::ram_bytes()
    }

    /// Largest model accepted: the slot capacity, capped by the board profile's artifact budget.
    pub fn model_limit(&self) -> u32 {
        let profile = edgekd_shared::profile::BoardProfile::by_id(self.platform.profile());
        self.storage
            .slot_capacity()
            .min(reply::sat(profile.max_artifact))
    }

    /// True once a `Reset` request was answered; the firmware then resets the board.
    pub fn reset_requested(&self) -> bool {
        self.reset_requested
    }

    /// The storage (for tests and the host simulation).
    pub fn storage(&self) -> &Storage<F> {
        &self.storage
    }

    /// The live learner head.
    pub fn learner(&self) -> &HeadLearner<W> {
        &self.learner
    }

    /// The active model's identity (`None` without a model).
    pub fn model_id(&self) -> Option<ModelId> {
        self.storage.active().and(self.model_id)
    }

    /// Whether predictions currently go through the learned f32 head.
    pub fn head_learned(&self) -> bool {
        self.use_learned_head()
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// Stops the server and gives the flash back (to reboot a simulated device).
    pub fn into_flash(self) -> F {
        self.storage.into_flash()
    }
}
