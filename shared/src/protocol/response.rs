//! Device → host messages.

use heapless::Vec;
use serde::{Deserialize, Serialize};

use super::{BoardProfileId, DeviceInfo, DeviceStats, ErrorCode, LearnReport, Slot, MAX_CLASSES};
use crate::artifact::ModelId;

/// A response from the device; every request gets exactly one.
///
/// Wire: postcard, as for [`super::Request`]; variants are only ever appended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response<'a> {
    /// Index 0: Answer to `Hello`.
    Hello {
        /// The device's [`super::PROTOCOL_VERSION`].
        version: u16,
        /// The memory budget the firmware was built for.
        profile: BoardProfileId,
        /// Largest encoded frame the device accepts (COBS bytes without the terminator).
        max_frame: u16,
        /// Largest `FlashChunk` data / `ReadBack` length the device accepts.
        max_chunk: u16,
    },
    /// Index 1: Answer to `Info`.
    Info(DeviceInfo),
    /// Index 2: The request succeeded and has nothing to report.
    Ack,
    /// Index 3: Answer to `FlashChunk`: model bytes received so far.
    FlashProgress {
        /// Bytes accepted, i.e. the offset the next chunk must start at.
        written: u32,
    },
    /// Index 4: Answer to `FlashCommit`: the new model is verified and active.
    FlashDone {
        /// The slot that now holds the active model.
        slot: Slot,
        /// The identity of the model now active, computed by the device from the slot's bytes.
        model_id: ModelId,
    },
    /// Index 5: Answer to `ReadBack`.
    Data {
        /// Offset of `bytes` within the slot.
        offset: u32,
        /// The bytes read.
        #[serde(borrow)]
        bytes: &'a [u8],
    },
    /// Index 6: Answer to `Infer` / `InferTokens`.
    Prediction {
        /// Index of the largest logit (the first one on ties).
        label: u8,
        /// Output logits, int8 in the output tensor's quantization, one per class.
        logits: Vec<i8, MAX_CLASSES>,
        /// Cycles (DWT `CYCCNT`) or an instruction estimate spent in the engine.
        instructions: u32,
    },
    /// Index 7: Answer to `Learn`.
    Learned(LearnReport),
    /// Index 8: Answer to `Stats`.
    Stats(DeviceStats),
    /// Index 9: The request failed; see [`ErrorCode`] for `detail`.
    Error {
        /// What went wrong.
        code: ErrorCode,
        /// Code-specific detail.
        detail: u32,
    },
}
