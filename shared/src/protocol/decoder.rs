//! Incremental frame receiver: bytes in, checked frame bodies out.

use super::frame::{check_frame, FrameError};

/// Accumulates the bytes of one frame in a fixed `N`-byte buffer (the largest encoded frame it
/// accepts, terminator excluded) and yields its checked postcard body when the `0x00` arrives.
///
/// Errors (overflow, bad COBS, short frame, bad CRC) are reported once, when the frame's
/// terminator arrives; the decoder is then ready for the next frame, so a stream resynchronizes
/// at the next `0x00`. Empty frames (consecutive `0x00`) are ignored, so a sender may emit a
/// `0x00` first to flush a half-received frame.
pub struct FrameDecoder<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflowed: bool,
}

/// Result of [`FrameDecoder::feed`].
#[derive(Debug, PartialEq, Eq)]
pub enum FeedOutcome<'d, 'i> {
    /// All input was consumed and no frame ended.
    NeedMore,
    /// A frame ended and checked; `body` is its postcard body, `rest` the input after it.
    Frame {
        /// The checked body, borrowed from the decoder until the next push.
        body: &'d [u8],
        /// Input bytes not yet consumed.
        rest: &'i [u8],
    },
    /// A frame ended and was bad; `rest` is the input after it.
    Error {
        /// What was wrong with the frame.
        error: FrameError,
        /// Input bytes not yet consumed.
        rest: &'i [u8],
    },
}

impl<const N: usize> FrameDecoder<N> {
    /// An empty decoder.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    /// Drops any partly received frame.
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    /// Bytes of the current, unfinished frame held so far.
    pub fn pending(&self) -> usize {
        self.len
    }

    /// Takes one byte. Returns `Some` when it ended a non-empty frame: the checked body, or why
    /// the frame was dropped.
    pub fn push(&mut self, byte: u8) -> Option<Result<&[u8], FrameError>> {
        match self.step(byte)? {
            Ok(body_len) => Some(Ok(self.buf.get(..body_len).unwrap_or(&[]))),
            Err(e) => Some(Err(e)),
        }
    }

    /// Takes bytes from `input` up to and including the first frame terminator.
    pub fn feed<'d, 'i>(&'d mut self, input: &'i [u8]) -> FeedOutcome<'d, 'i> {
        for (i, byte) in input.iter().enumerate() {
            if let Some(outcome) = self.step(*byte) {
                let rest = input.get(i + 1..).unwrap_or(&[]);
                return match outcome {
                    Ok(body_len) => FeedOutcome::Frame {
                        body: self.buf.get(..body_len).unwrap_or(&[]),
                        rest,
                    },
                    Err(error) => FeedOutcome::Error { error, rest },
                };
            }
        }
        FeedOutcome::NeedMore
    }

    /// One byte of the state machine; a finished frame's body is at `buf[..len]`.
    fn step(&mut self, byte: u8) -> Option<Result<usize, FrameError>> {
        if byte != 0 {
            match self.buf.get_mut(self.len) {
                Some(slot) if !self.overflowed => {
                    *slot = byte;
                    self.len += 1;
                }
                _ => self.overflowed = true,
            }
            return None;
        }
        let (len, overflowed) = (self.len, self.overflowed);
        self.reset();
        if overflowed {
            return Some(Err(FrameError::Overflow { capacity: N }));
        }
        if len == 0 {
            return None;
        }
        let frame = self.buf.get_mut(..len)?;
        Some(check_frame(frame).map(<[u8]>::len))
    }
}

impl<const N: usize> Default for FrameDecoder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for FrameDecoder<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("capacity", &N)
            .field("pending", &self.len)
            .field("overflowed", &self.overflowed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decode_message, encode_frame, Request};
    use super::*;

    fn frame_of(msg: &Request<'_>) -> ([u8; 128], usize) {
        let mut buf = [0u8; 128];
        let len = encode_frame(msg, &mut buf).unwrap().len();
        (buf, len)
    }

    #[test]
    fn bytewise_push_yields_the_message() {
        let msg = Request::Infer { text: "good film" };
        let (buf, len) = frame_of(&msg);
        let mut dec = FrameDecoder::<64>::new();
        for b in &buf[..len - 1] {
            assert!(dec.push(*b).is_none());
        }
        let body = dec.push(0).unwrap().unwrap();
        assert_eq!(decode_message::<Request<'_>>(body).unwrap(), msg);
        assert_eq!(dec.pending(), 0);
    }

    #[test]
    fn overflow_is_reported_once_then_recovers() {
        let mut dec = FrameDecoder::<8>::new();
        for _ in 0..20 {
            assert!(dec.push(0x11).is_none());
        }
        assert_eq!(
            dec.push(0).unwrap().unwrap_err(),
            FrameError::Overflow { capacity: 8 }
        );
        let (buf, len) = frame_of(&Request::Stats);
        match dec.feed(&buf[..len]) {
            FeedOutcome::Frame { body, rest } => {
                assert_eq!(decode_message::<Request<'_>>(body).unwrap(), Request::Stats);
                assert!(rest.is_empty());
            }
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[test]
    fn feed_returns_the_rest_after_each_frame() {
        let (a, la) = frame_of(&Request::Info);
        let (b, lb) = frame_of(&Request::Reset);
        let mut stream = [0u8; 256];
        stream[..la].copy_from_slice(&a[..la]);
        stream[la..la + lb].copy_from_slice(&b[..lb]);
        let mut dec = FrameDecoder::<64>::new();
        let rest = match dec.feed(&stream[..la + lb]) {
            FeedOutcome::Frame { body, rest } => {
                assert_eq!(decode_message::<Request<'_>>(body).unwrap(), Request::Info);
                rest
            }
            other => panic!("{other:?}"),
        };
        match dec.feed(rest) {
            FeedOutcome::Frame { body, rest } => {
                assert_eq!(decode_message::<Request<'_>>(body).unwrap(), Request::Reset);
                assert!(rest.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(dec.feed(&[]), FeedOutcome::NeedMore);
    }

    #[test]
    fn empty_frames_are_ignored() {
        let mut dec = FrameDecoder::<16>::new();
        assert!(dec.push(0).is_none());
        assert!(dec.push(0).is_none());
        assert_eq!(dec.feed(&[0, 0, 0]), FeedOutcome::NeedMore);
    }
}
