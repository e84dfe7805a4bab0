//! Wire protocol between the host (`edgekd` CLI) and the device, over a serial byte stream.
//!
//! A message is a [`Request`] (host → device) or a [`Response`] (device → host), both borrowed
//! from the frame buffer. Each message travels as one frame:
//!
//! ```text
//! COBS( postcard(message) ‖ CRC-32/ISO-HDLC(postcard(message)) as 4 bytes LE ) ‖ 0x00
//! ```
//!
//! [`encode_frame`] writes a frame into a caller buffer; [`FrameDecoder`] takes bytes one at a
//! time (or in slices), yields complete, CRC-checked payloads, and resynchronizes on the next
//! `0x00` after any error. The full specification, with example frames pinned as bytes, is in
//! `docs/protocol.md`.
//!
//! Compatibility: the host opens every session with [`Request::Hello`]; the device answers with
//! its [`PROTOCOL_VERSION`] and its limits. New variants are only ever appended to the enums
//! (postcard encodes a variant by its index), so an older peer answers an unknown request with
//! [`ErrorCode::Decode`] instead of misreading it.

mod decoder;
mod error_code;
mod frame;
mod request;
mod response;
mod types;

pub use decoder::{FeedOutcome, FrameDecoder};
pub use error_code::ErrorCode;
pub use frame::{check_frame, decode_message, encode_frame, FrameError, FRAME_OVERHEAD};
pub use request::Request;
pub use response::Response;
pub use types::{BoardProfileId, DeviceInfo, DeviceStats, LearnReport, Slot};

/// Version of this protocol; bumped on any change that an older peer would misread.
///
/// 2: models are named by their [`ModelId`](crate::artifact::ModelId) (`FlashBegin`,
/// `FlashDone`, `Info`) instead of the CRC-32 of the whole artifact, which is the same constant
/// for every artifact; error codes `BadRequest` and `ModelIdMismatch`.
pub const PROTOCOL_VERSION: u16 = 2;

/// Most bytes of model data in one [`Request::FlashChunk`] that the reference firmware accepts
/// (a device states its own limit in [`Response::Hello`]).
pub const DEFAULT_MAX_CHUNK: u16 = 512;

/// Largest encoded frame (COBS bytes, without the `0x00` terminator) that the reference
/// firmware accepts: enough for a [`DEFAULT_MAX_CHUNK`] flash chunk or a [`MAX_TEXT`] text.
pub const DEFAULT_MAX_FRAME: u16 = 1024;

/// Most UTF-8 bytes of text in [`Request::Infer`] or [`Request::Learn`] that a device must accept.
pub const MAX_TEXT: usize = 768;

/// Most classes in a prediction or a soft label: the artifact's limit.
pub use crate::artifact::MAX_CLASSES;

/// Most token ids in one [`Request::InferTokens`].
pub const MAX_TOKENS: usize = 128;
