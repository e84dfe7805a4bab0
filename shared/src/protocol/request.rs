//! Host → device messages.

use heapless::Vec;
use serde::{Deserialize, Serialize};

use super::{MAX_CLASSES, MAX_TOKENS};
use crate::artifact::ModelId;

/// A request from the host. Payloads borrow from the frame buffer they were decoded from.
///
/// Wire: postcard; the variant index (a varint, in declaration order from 0) comes first, then
/// the fields in order. Integers are varints, `f32` is 4 bytes little-endian, `&[u8]` and `&str`
/// are a varint length and the bytes. Variants are only ever appended.
///
/// Size: `InferTokens` makes this about 520 bytes. A device decodes one request at a time into a
/// stack local, which fits its budget, and no_std has no `Box` to shrink it with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum Request<'a> {
    /// Index 0: Opens a session; the device answers [`super::Response::Hello`] or
    /// `Error(VersionMismatch)`.
    Hello {
        /// The host's [`super::PROTOCOL_VERSION`].
        version: u16,
    },
    /// Index 1: Asks for [`super::Response::Info`].
    Info,
    /// Index 2: Starts writing a new model into the inactive slot (which is erased first). Answered by
    /// `Ack`; `Error(BadRequest)` for an empty model, `Error(TooLarge)` when it does not fit a slot.
    FlashBegin {
        /// Model length in bytes (at least 1).
        total_len: u32,
        /// The model's identity ([`ModelId`]); `FlashCommit` refuses bytes with another one.
        model_id: ModelId,
    },
    /// Index 3: The next piece of the model; `offset` must equal the bytes written so far. Answered by
    /// `FlashProgress`.
    FlashChunk {
        /// Byte offset of `data` within the model.
        offset: u32,
        /// At most `max_chunk` bytes (see `Hello`).
        #[serde(borrow)]
        data: &'a [u8],
    },
    /// Index 4: Ends the transfer: the device reads the slot back, checks CRC, signature and the
    /// identity announced by `FlashBegin`, and only then makes it active. Answered by `FlashDone`.
    FlashCommit,
    /// Index 5: Abandons a transfer; the active model is untouched. Answered by `Ack`.
    FlashAbort,
    /// Index 6: Reads back bytes of the slot being written (during a transfer) or of the active model
    /// (otherwise). Answered by `Data`.
    ReadBack {
        /// Byte offset within the slot.
        offset: u32,
        /// Bytes wanted; at most `max_chunk`.
        len: u16,
    },
    /// Index 7: Classifies `text` with the active model. Answered by `Prediction`.
    Infer {
        /// UTF-8 text, at most [`super::MAX_TEXT`] bytes; the device tokenizes it.
        #[serde(borrow)]
        text: &'a str,
    },
    /// Index 8: Classifies an already tokenized input (bucket ids from the shared tokenizer), for
    /// checking the device against the host bit for bit. Answered by `Prediction`;
    /// `Error(BadRequest, buckets)` for an id past the model's embedding table.
    InferTokens {
        /// Hashed token bucket ids, in text order.
        tokens: Vec<u32, MAX_TOKENS>,
    },
    /// Index 9: One on-device distillation step on `text` with the teacher's soft label. Answered by
    /// `Learned`. Updates stay in RAM until `LearnCommit`.
    Learn {
        /// UTF-8 text, at most [`super::MAX_TEXT`] bytes.
        #[serde(borrow)]
        text: &'a str,
        /// Teacher probabilities at `temperature`, one per class, summing to 1.
        teacher_probs: Vec<f32, MAX_CLASSES>,
        /// Distillation temperature T (> 0).
        temperature: f32,
    },
    /// Index 10: Persists the learner's pending updates to the journal. Answered by `Ack`; with
    /// nothing pending nothing is written.
    LearnCommit,
    /// Index 11: Drops the learner's pending updates. Answered by `Ack`; with nothing pending
    /// nothing is written.
    LearnRevert,
    /// Index 12: Asks for [`super::Response::Stats`].
    Stats,
    /// Index 13: Resets the device after answering `Ack`.
    Reset,
}
