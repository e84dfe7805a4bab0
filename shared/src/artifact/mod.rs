//! The model artifact (`.ekd`): a versioned, checksummed, optionally signed container around a
//! postcard-encoded [`Model`]. The bytes are pinned in `docs/artifact-format.md`.
//!
//! ```text
//! "EKD1" · version u16 · flags u16 · body_len u32 · postcard body · [signature 64] · CRC-32 u32
//! ```
//!
//! [`decode`] borrows every table from the artifact bytes (no copy, no alloc) and validates
//! every length, shape, index, zero point and scale before handing the model out; the host
//! writes artifacts with `encode` (feature `std`), which refuses what `decode` would refuse.
//!
//! Limits (all checked): [`MAX_LAYERS`] layers, [`MAX_CLASSES`] labels of at most
//! [`MAX_LABEL_BYTES`] bytes, widths (dims, channels, inputs, outputs) `1..=`[`MAX_WIDTH`],
//! conv kernels `1..=`[`MAX_KERNEL`] with `pad < kernel`, sequences of at most
//! [`MAX_SEQUENCE`] positions.

mod bytes;
mod decode;
#[cfg(feature = "std")]
mod encode;
mod error;
mod header;
mod id;
mod model;
mod network;
#[cfg(feature = "std")]
pub mod sample;
mod shape;
mod validate;

pub use bytes::{as_i8, f32_at, i8_as_bytes};
pub use decode::{decode, decode_trusted, VerifyPolicy};
#[cfg(feature = "std")]
pub use encode::{encode, encode_unchecked, seal};
pub use error::{ArtifactError, ShapeKind};
pub use header::{
    parse_container, parse_container_trusted, reseal_crc, Container, Header, CRC_LEN, FLAG_SIGNED,
    HEADER_LEN, KNOWN_FLAGS, SIGNATURE_LEN,
};
pub use id::{model_id, ModelId, MODEL_ID_LEN};
pub use model::{HeadMaster, Layer, Metadata, Model};
pub use network::Network;
pub use shape::{check_layer, layer_output, Act, Depth, Shape};
pub use validate::{plan, plan_at, validate, Plan};

/// The first four bytes of every artifact.
pub const MAGIC: [u8; 4] = *b"EKD1";
/// The format version this code reads and writes.
pub const FORMAT_VERSION: u16 = 1;
/// Most layers in a model.
pub const MAX_LAYERS: usize = 16;
/// Most classes (labels, logits).
pub const MAX_CLASSES: usize = 16;
/// Longest label, in bytes of UTF-8.
pub const MAX_LABEL_BYTES: usize = 64;
/// Largest width of any layer (embedding dim, channels, dense inputs and outputs).
pub const MAX_WIDTH: usize = 1024;
/// Largest conv1d kernel.
pub const MAX_KERNEL: usize = 15;
/// Longest sequence any layer may produce (token count plus conv padding growth).
pub const MAX_SEQUENCE: usize = 4096;
