//! Errors of the device client: each names the request it happened in.

use std::time::Duration;

use edgekd_shared::artifact::ModelId;
use edgekd_shared::protocol::ErrorCode;

/// Why a device exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Opening or using the port failed.
    #[error("{what}: I/O error: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No complete reply arrived in time.
    #[error("{request}: no reply within {waited:?}")]
    Timeout {
        /// The request that went unanswered.
        request: &'static str,
        /// How long the client waited.
        waited: Duration,
    },
    /// The device answered with an error.
    #[error("{request}: device refused: {code} (code {code:?}, detail {detail})")]
    Device {
        /// The request the device refused.
        request: &'static str,
        /// The device's error code.
        code: ErrorCode,
        /// Code-specific detail (see `docs/device-server.md`).
        detail: u32,
    },
    /// The reply frame was corrupt or did not decode.
    #[error("{request}: garbled reply: {reason}")]
    Garbled {
        /// The request whose reply was garbled.
        request: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The reply decoded but is not an answer to the request.
    #[error("{request}: unexpected reply {got}")]
    Unexpected {
        /// The request.
        request: &'static str,
        /// The reply received, debug-formatted.
        got: String,
    },
    /// The request could not be sent as asked (too long for the device's frame, for example).
    #[error("{request}: cannot send: {reason}")]
    Request {
        /// The request.
        request: &'static str,
        /// Why.
        reason: String,
    },
    /// Bytes read back from the device's slot differ from the artifact (the transfer is aborted).
    #[error("flash: read-back mismatch at byte {offset} of the artifact")]
    ReadBackMismatch {
        /// First differing offset.
        offset: u32,
    },
    /// The device committed a model whose identity is not the artifact's.
    #[error("flash: device reports model {device}, the artifact is model {artifact}")]
    ModelIdMismatch {
        /// Identity of the artifact on the host.
        artifact: ModelId,
        /// Identity the device reported in `FlashDone`.
        device: ModelId,
    },
}

impl ClientError {
    /// The device's error code, when the device refused the request.
    pub fn device_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Device { code, .. } => Some(*code),
            _ => None,
        }
    }
}
