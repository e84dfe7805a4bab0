//! Frame encoding and checking: `COBS(body ‖ CRC-32 LE of body) ‖ 0x00`.

use postcard::ser_flavors::{Cobs, Flavor, Slice};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use crate::checksum::{crc32, Crc32Digest};

/// Bytes of CRC after the body.
const CRC_LEN: usize = 4;

/// Worst-case bytes that framing adds to a postcard body of `n` bytes is `FRAME_OVERHEAD + n / 254`:
/// the CRC (4), the COBS header (1), one COBS code byte per 254 bytes, and the terminator (1).
pub const FRAME_OVERHEAD: usize = CRC_LEN + 2 + 1;

/// What went wrong while encoding or receiving a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The output buffer given to [`encode_frame`] cannot hold the frame.
    BufferTooSmall {
        /// Length of the buffer that was given.
        capacity: usize,
    },
    /// The message could not be serialized (a sequence longer than its bound; not expected for
    /// the protocol's own types).
    Serialize,
    /// A frame grew past the decoder's buffer before its terminator; it was dropped up to the
    /// next `0x00`.
    Overflow {
        /// The decoder's buffer size in bytes.
        capacity: usize,
    },
    /// The frame is not valid COBS.
    Cobs {
        /// Encoded bytes of the frame.
        len: usize,
    },
    /// The decoded frame is shorter than a CRC plus one body byte.
    TooShort {
        /// Decoded bytes of the frame.
        len: usize,
    },
    /// The CRC at the end of the frame does not match its body.
    BadCrc {
        /// The CRC carried by the frame.
        received: u32,
        /// The CRC computed over the received body.
        computed: u32,
    },
    /// The body is not a valid postcard encoding of the expected message type.
    Decode(postcard::Error),
    /// The body decoded but bytes were left over after the message.
    TrailingBytes {
        /// How many bytes were left.
        extra: usize,
    },
}

impl FrameError {
    /// The [`ErrorCode`] and `detail` a device sends back for this error.
    pub fn to_wire(&self) -> (ErrorCode, u32) {
        let sat = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        match self {
            FrameError::Overflow { capacity } => (ErrorCode::BadFrame, sat(*capacity)),
            FrameError::Cobs { len } | FrameError::TooShort { len } => {
                (ErrorCode::BadFrame, sat(*len))
            }
            FrameError::BadCrc { computed, .. } => (ErrorCode::BadCrc, *computed),
            FrameError::Decode(_) | FrameError::TrailingBytes { .. } => (ErrorCode::Decode, 0),
            FrameError::BufferTooSmall { .. } | FrameError::Serialize => (ErrorCode::Internal, 0),
        }
    }
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FrameError::BufferTooSmall { capacity } => {
                write!(f, "frame does not fit the {capacity}-byte output buffer")
            }
            FrameError::Serialize => f.write_str("message could not be serialized"),
            FrameError::Overflow { capacity } => {
                write!(f, "frame longer than the {capacity}-byte receive buffer")
            }
            FrameError::Cobs { len } => write!(f, "invalid COBS in a {len}-byte frame"),
            FrameError::TooShort { len } => {
                write!(f, "frame of {len} decoded bytes is shorter than body + CRC")
            }
            FrameError::BadCrc { received, computed } => write!(
                f,
                "frame CRC mismatch: frame says {received:#010x}, body gives {computed:#010x}"
            ),
            FrameError::Decode(e) => write!(f, "frame body did not decode: {e}"),
            FrameError::TrailingBytes { extra } => {
                write!(f, "{extra} bytes left over after the message")
            }
        }
    }
}

/// A postcard flavor that feeds every byte to a CRC-32 and appends it (LE) before finalizing the
/// inner flavor.
struct AppendCrc<B> {
    inner: B,
    digest: Crc32Digest,
}

impl<B: Flavor> Flavor for AppendCrc<B> {
    type Output = B::Output;

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.digest.update(&[data]);
        self.inner.try_push(data)
    }

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.digest.update(data);
        self.inner.try_extend(data)
    }

    fn finalize(mut self) -> postcard::Result<Self::Output> {
        let crc = self.digest.finalize();
        self.inner.try_extend(&crc.to_le_bytes())?;
        self.inner.finalize()
    }
}

/// Encodes `msg` as one complete frame (terminating `0x00` included) into `buf` and returns the
/// frame, ready to write to the serial port.
///
/// A buffer of `postcard body length + FRAME_OVERHEAD + body length / 254` bytes always suffices.
pub fn encode_frame<'b, T: Serialize + ?Sized>(
    msg: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], FrameError> {
    let capacity = buf.len();
    let too_small = FrameError::BufferTooSmall { capacity };
    let cobs = Cobs::try_new(Slice::new(buf)).map_err(|_| too_small.clone())?;
    let flavor = AppendCrc {
        inner: cobs,
        digest: Crc32Digest::new(),
    };
    let out: &'b mut [u8] = postcard::serialize_with_flavor(msg, flavor).map_err(|e| match e {
        postcard::Error::SerializeBufferFull => too_small,
        _ => FrameError::Serialize,
    })?;
    Ok(out)
}

/// Checks one received frame in place: `frame` holds the COBS bytes (a terminating `0x00` and
/// anything after it are ignored). Returns the postcard body with the CRC verified and removed.
pub fn check_frame(frame: &mut [u8]) -> Result<&[u8], FrameError> {
    let encoded_len = frame.iter().position(|b| *b == 0).unwrap_or(frame.len());
    let frame = frame
        .get_mut(..encoded_len)
        .ok_or(FrameError::Cobs { len: encoded_len })?;
    let decoded =
        cobs::decode_in_place(frame).map_err(|_| FrameError::Cobs { len: encoded_len })?;
    let decoded = frame
        .get(..decoded)
        .ok_or(FrameError::Cobs { len: encoded_len })?;
    let body_len = decoded
        .len()
        .checked_sub(CRC_LEN)
        .filter(|n| *n > 0)
        .ok_or(FrameError::TooShort { len: decoded.len() })?;
    let (body, crc) = decoded.split_at(body_len);
    let mut received = [0u8; CRC_LEN];
    received.copy_from_slice(crc);
    let received = u32::from_le_bytes(received);
    let computed = crc32(body);
    if received != computed {
        return Err(FrameError::BadCrc { received, computed });
    }
    Ok(body)
}

/// Decodes a checked frame body (as yielded by [`super::FrameDecoder`] or [`check_frame`]) into a
/// message that borrows from it. The whole body must be consumed.
pub fn decode_message<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, FrameError> {
    let (msg, rest) = postcard::take_from_bytes::<T>(body).map_err(FrameError::Decode)?;
    if rest.is_empty() {
        Ok(msg)
    } else {
        Err(FrameError::TrailingBytes { extra: rest.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Request, Response};
    use super::*;

    #[test]
    fn encode_then_check_round_trips() {
        let mut buf = [0u8; 64];
        let frame = encode_frame(&Request::Hello { version: 1 }, &mut buf).unwrap();
        assert_eq!(frame.last(), Some(&0));
        assert_eq!(frame.iter().filter(|b| **b == 0).count(), 1);
        let mut copy = [0u8; 64];
        copy[..frame.len()].copy_from_slice(frame);
        let body = check_frame(&mut copy[..frame.len()]).unwrap();
        assert_eq!(body, &[0x00, 0x01]);
        let msg: Request<'_> = decode_message(body).unwrap();
        assert_eq!(msg, Request::Hello { version: 1 });
    }

    #[test]
    fn small_buffer_is_a_typed_error() {
        let mut buf = [0u8; 6];
        let err = encode_frame(&Request::Infer { text: "hello" }, &mut buf).unwrap_err();
        assert_eq!(err, FrameError::BufferTooSmall { capacity: 6 });
        let mut none: [u8; 0] = [];
        assert!(encode_frame(&Response::Ack, &mut none).is_err());
    }

    #[test]
    fn flipped_bit_is_bad_crc() {
        let mut buf = [0u8; 64];
        let len = encode_frame(&Request::Infer { text: "abc" }, &mut buf)
            .unwrap()
            .len();
        buf[3] ^= 0x01;
        let err = check_frame(&mut buf[..len]).unwrap_err();
        assert!(matches!(err, FrameError::BadCrc { .. }), "{err}");
        assert_eq!(err.to_wire().0, ErrorCode::BadCrc);
    }

    #[test]
    fn short_and_trailing_are_typed() {
        // COBS of [1, 2, 3]: too short for a CRC plus a body byte.
        let mut f = [0x04, 1, 2, 3, 0];
        assert_eq!(
            check_frame(&mut f).unwrap_err(),
            FrameError::TooShort { len: 3 }
        );
        // `Info` (index 1) followed by a stray byte.
        let body = [0x01, 0x07];
        assert_eq!(
            decode_message::<Request<'_>>(&body).unwrap_err(),
            FrameError::TrailingBytes { extra: 1 }
        );
    }
}
