//! Mapping the runtime's typed errors to the wire's `Response::Error { code, detail }`.
//!
//! `detail` values that are not defined by [`ErrorCode`] itself are listed in
//! `docs/device-server.md` (and as constants here).

use edgekd_shared::artifact::ArtifactError;
use edgekd_shared::protocol::{ErrorCode, Response};

use crate::engine::EngineError;
use crate::learner::{JournalError, LearnError};
use crate::storage::StorageError;
use edgekd_shared::kernels::KernelError;

/// `InvalidArtifact` detail: the header is wrong (magic, version, flags, length).
pub const INVALID_HEADER: u32 = 1;
/// `InvalidArtifact` detail: the body does not decode as a model.
pub const INVALID_BODY: u32 = 2;
/// `InvalidArtifact` detail: the model fails structural validation (shapes, scales, labels).
pub const INVALID_STRUCTURE: u32 = 3;
/// `InvalidArtifact` detail: the model needs a larger inference arena than the device has.
pub const INVALID_ARENA: u32 = 4;
/// `InvalidArtifact` detail: the model's head master does not fit the device's learner.
pub const INVALID_HEAD: u32 = 5;

/// `Internal` detail: the active model no longer decodes (flash changed under the server).
pub const INTERNAL_MODEL: u32 = 0x100;
/// `Internal` detail: the engine failed on a validated model; low byte = the engine error kind.
pub const INTERNAL_ENGINE: u32 = 0x200;
/// `Internal` detail: the learner refused the step (it would overflow the head) — the head is unchanged.
pub const INTERNAL_LEARN_OVERFLOW: u32 = 0x300;
/// `Internal` detail: the learner refused the step for another reason (shape, non-finite input).
pub const INTERNAL_LEARN: u32 = 0x301;
/// `Internal` detail: a response did not fit the transmit buffer.
pub const INTERNAL_TX: u32 = 0x400;

/// `Response::Error` with `code` and `detail`.
pub const fn error(code: ErrorCode, detail: u32) -> Response<'static> {
    Response::Error { code, detail }
}

/// Saturating `usize` → `u32`.
pub fn sat(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Why an artifact was refused, on the wire.
pub fn artifact(e: &ArtifactError) -> (ErrorCode, u32) {
    match e {
        ArtifactError::Unsigned | ArtifactError::BadSignature => (ErrorCode::BadSignature, 0),
        ArtifactError::Checksum { computed, .. } => (ErrorCode::ImageCrc, *computed),
        ArtifactError::TooShort { .. }
        | ArtifactError::BadMagic { .. }
        | ArtifactError::UnsupportedVersion { .. }
        | ArtifactError::UnknownFlags { .. }
        | ArtifactError::LengthMismatch { .. } => (ErrorCode::InvalidArtifact, INVALID_HEADER),
        ArtifactError::Decode(_) | ArtifactError::TrailingBytes { .. } => {
            (ErrorCode::InvalidArtifact, INVALID_BODY)
        }
        _ => (ErrorCode::InvalidArtifact, INVALID_STRUCTURE),
    }
}

/// A storage failure, on the wire.
pub fn storage(e: &StorageError) -> Response<'static> {
    match *e {
        StorageError::Flash { offset, .. } => error(ErrorCode::FlashIo, offset),
        StorageError::TooLarge { capacity, .. } => error(ErrorCode::TooLarge, capacity),
        StorageError::NoUpdate | StorageError::Incomplete { .. } => error(ErrorCode::BadState, 0),
        StorageError::OutOfOrder { expected, .. } => error(ErrorCode::OutOfOrder, expected),
        StorageError::Overrun { total, .. } => error(ErrorCode::TooLarge, total),
        StorageError::CrcMismatch { actual, .. } => error(ErrorCode::ImageCrc, actual),
        StorageError::OutOfRange { capacity, .. } => error(ErrorCode::TooLarge, capacity),
        StorageError::NotMapped { offset, .. } | StorageError::RecordReadBack { offset } => {
            error(ErrorCode::FlashIo, offset)
        }
        StorageError::Rejected => error(ErrorCode::InvalidArtifact, 0),
        _ => error(ErrorCode::Internal, 0),
    }
}

/// An engine failure on a validated model, on the wire: what the request asked for that the
/// model cannot take is the host's fault, anything else an internal one.
pub fn engine(e: &EngineError) -> Response<'static> {
    match *e {
        EngineError::TooManyTokens { max, .. } => error(ErrorCode::TooLarge, sat(max)),
        EngineError::Kernel {
            error: KernelError::TokenOutOfRange { buckets, .. },
            ..
        } => error(ErrorCode::BadRequest, sat(buckets)),
        EngineError::ArenaTooSmall { needed, .. } => error(ErrorCode::TooLarge, sat(needed)),
        _ => error(ErrorCode::Internal, INTERNAL_ENGINE),
    }
}

/// A refused learning step, on the wire: bad soft labels and temperatures are the host's fault.
pub fn learn(e: &LearnError, classes: usize) -> Response<'static> {
    match e {
        LearnError::BadSoftLabel { .. }
        | LearnError::SoftLabelSum { .. }
        | LearnError::BadHyper => error(ErrorCode::BadSoftLabel, sat(classes)),
        LearnError::LengthMismatch {
            what: "teacher probabilities",
            ..
        } => error(ErrorCode::BadSoftLabel, sat(classes)),
        LearnError::StepOverflow => error(ErrorCode::Internal, INTERNAL_LEARN_OVERFLOW),
        _ => error(ErrorCode::Internal, INTERNAL_LEARN),
    }
}

/// A journal failure, on the wire.
pub fn journal(e: &JournalError, region_offset: u32) -> Response<'static> {
    match e {
        JournalError::Learn(l) => learn(l, 0),
        _ => error(ErrorCode::FlashIo, region_offset),
    }
}
