//! How a [`Server`](super::Server) is set up: the key models must be signed with, and limits.

use ed25519_dalek::VerifyingKey;
use edgekd_shared::artifact::VerifyPolicy;
use edgekd_shared::protocol::{DEFAULT_MAX_CHUNK, DEFAULT_MAX_FRAME};

/// Learning rate of the on-device SGD step when none is configured.
pub const DEFAULT_LEARNING_RATE: f32 = 0.02;

/// Settings of a [`Server`](super::Server).
#[derive(Clone, Copy, Debug)]
pub struct ServerConfig<'k> {
    /// Which signatures a model needs: `RequireKey` on every real device.
    pub policy: VerifyPolicy<'k>,
    /// SGD learning rate of `Learn` steps, in `(0, 1]`.
    pub learning_rate: f32,
    /// Largest `FlashChunk` / `ReadBack` payload accepted, in bytes (announced in `Hello`).
    pub max_chunk: u16,
    /// Largest encoded frame accepted (announced in `Hello`); must not exceed the receive buffer
    /// of the byte-stream [`Link`](super::Link).
    pub max_frame: u16,
}

impl<'k> ServerConfig<'k> {
    /// A device configuration: models must carry an Ed25519 signature that verifies against `key`.
    pub const fn new(key: &'k VerifyingKey) -> Self {
        Self {
            policy: VerifyPolicy::RequireKey(key),
            learning_rate: DEFAULT_LEARNING_RATE,
            max_chunk: DEFAULT_MAX_CHUNK,
            max_frame: DEFAULT_MAX_FRAME,
        }
    }

    /// FOR TESTS ONLY: accepts unsigned models (a signature present is not checked).
    pub const fn dev_allow_unsigned() -> ServerConfig<'static> {
        ServerConfig {
            policy: VerifyPolicy::AllowUnsigned,
            learning_rate: DEFAULT_LEARNING_RATE,
            max_chunk: DEFAULT_MAX_CHUNK,
            max_frame: DEFAULT_MAX_FRAME,
        }
    }
}
