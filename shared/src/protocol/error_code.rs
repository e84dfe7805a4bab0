//! Error codes carried by [`crate::protocol::Response::Error`].

use serde::{Deserialize, Serialize};

/// Why the device refused or failed a request. Sent as `Response::Error { code, detail }`; the
/// meaning of `detail` is given per variant (0 when unused).
///
/// Wire: postcard enum index, in declaration order starting at 0. New codes are appended only;
/// `docs/protocol.md` lists the indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Index 0: The frame was not valid COBS, was shorter than its CRC, or was longer than the device's
    /// frame buffer. `detail`: bytes received in the frame.
    BadFrame,
    /// Index 1: The frame's CRC-32 did not match its body. `detail`: the CRC computed by the device.
    BadCrc,
    /// Index 2: The body did not decode as a request (unknown variant, bad varint, bad UTF-8, trailing
    /// bytes). `detail`: 0.
    Decode,
    /// Index 3: `Hello` named a protocol version the device does not speak. `detail`: the device's
    /// version.
    VersionMismatch,
    /// Index 4: A length exceeded a limit: a model larger than a slot, a chunk larger than `max_chunk`,
    /// or a read past the end. `detail`: the limit.
    TooLarge,
    /// Index 5: The request needs a model and no valid model is stored. `detail`: 0.
    NoModel,
    /// Index 6: The new model's Ed25519 signature did not verify against the device's key. `detail`: 0.
    BadSignature,
    /// Index 7: The new model is not a valid artifact for this device (magic, version, shapes, memory
    /// budget). `detail`: validator-specific reason code.
    InvalidArtifact,
    /// Index 8: `Learn` carried an unusable soft label: wrong class count, a probability outside
    /// \[0, 1\], a sum away from 1, a non-finite value, or a temperature ≤ 0. `detail`: the model's
    /// class count.
    BadSoftLabel,
    /// Index 9: The device is busy with another operation (for example a flash in progress blocks
    /// `Learn`). `detail`: 0.
    Busy,
    /// Index 10: The request is not valid in the current state (`FlashChunk` or `FlashCommit` without
    /// `FlashBegin`, `FlashCommit` before every byte arrived). `detail`: 0.
    BadState,
    /// Index 11: A `FlashChunk` did not start where the previous one ended. `detail`: the expected offset.
    OutOfOrder,
    /// Index 12: The flashed bytes did not match the CRC announced in `FlashBegin`, or they did not read
    /// back correctly. `detail`: the CRC the device computed.
    ImageCrc,
    /// Index 13: The flash driver reported an error. `detail`: the flash offset involved.
    FlashIo,
    /// Index 14: The device does not implement this request. `detail`: 0.
    Unsupported,
    /// Index 15: An internal invariant failed (a bug); the request had no effect. `detail`: a
    /// firmware-specific code.
    Internal,
    /// Index 16: A field of the request is out of range for this device or its model (the host's
    /// fault): a token id past the model's embedding table, an empty model in `FlashBegin`.
    /// `detail`: the limit (the table's rows for a token id, 0 for an empty model).
    BadRequest,
    /// Index 17: The flashed bytes are a valid model whose identity is not the one announced in
    /// `FlashBegin`; the old model stays. `detail`: 0.
    ModelIdMismatch,
}

impl ErrorCode {
    /// A short, stable, human-readable description.
    pub const fn describe(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad frame",
            ErrorCode::BadCrc => "frame CRC mismatch",
            ErrorCode::Decode => "request did not decode",
            ErrorCode::VersionMismatch => "protocol version mismatch",
            ErrorCode::TooLarge => "length exceeds a limit",
            ErrorCode::NoModel => "no valid model stored",
            ErrorCode::BadSignature => "model signature did not verify",
            ErrorCode::InvalidArtifact => "model is not a valid artifact",
            ErrorCode::BadSoftLabel => "unusable soft label",
            ErrorCode::Busy => "device busy",
            ErrorCode::BadState => "request not valid in this state",
            ErrorCode::OutOfOrder => "flash chunk out of order",
            ErrorCode::ImageCrc => "flashed image CRC mismatch",
            ErrorCode::FlashIo => "flash I/O error",
            ErrorCode::Unsupported => "request not supported",
            ErrorCode::Internal => "internal error",
            ErrorCode::BadRequest => "request field out of range",
            ErrorCode::ModelIdMismatch => "flashed model is not the one announced",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_indices_are_the_documented_ones() {
        let mut buf = [0u8; 4];
        let pinned = [
            (ErrorCode::BadFrame, 0u8),
            (ErrorCode::BadCrc, 1),
            (ErrorCode::Decode, 2),
            (ErrorCode::VersionMismatch, 3),
            (ErrorCode::TooLarge, 4),
            (ErrorCode::NoModel, 5),
            (ErrorCode::BadSignature, 6),
            (ErrorCode::InvalidArtifact, 7),
            (ErrorCode::BadSoftLabel, 8),
            (ErrorCode::Busy, 9),
            (ErrorCode::BadState, 10),
            (ErrorCode::OutOfOrder, 11),
            (ErrorCode::ImageCrc, 12),
            (ErrorCode::FlashIo, 13),
            (ErrorCode::Unsupported, 14),
            (ErrorCode::Internal, 15),
            (ErrorCode::BadRequest, 16),
            (ErrorCode::ModelIdMismatch, 17),
        ];
        for (code, index) in pinned {
            let bytes = postcard::to_slice(&code, &mut buf).unwrap();
            assert_eq!(bytes, &[index], "{code:?}");
            assert!(!code.describe().is_empty());
        }
    }
}
