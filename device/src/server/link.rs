//! The byte-stream side: bytes in, reply frames out, over any serial port.
//!
//! Every complete frame gets exactly one reply frame: the response, or `Error{BadFrame}` (bad
//! COBS, too short, longer than the receive buffer), `Error{BadCrc}` or `Error{Decode}`. A bad
//! frame is dropped up to its `0x00` terminator and the next frame is read normally, so the
//! server never hangs and never resets on line noise.

use edgekd_shared::protocol::{
    decode_message, encode_frame, ErrorCode, FrameDecoder, Request, Response,
};
use embedded_storage::nor_flash::NorFlash;

use super::reply::{self, error};
use super::{Platform, Server};
use crate::storage::MappedFlash;

/// Receive and transmit buffers of one serial link.
///
/// - `RX`: the largest encoded frame accepted (COBS bytes, terminator excluded); at least the
///   server's `max_frame`.
/// - `TX`: the reply buffer; at least `max_chunk` + 32 so that a full `ReadBack` fits.
pub struct Link<const RX: usize, const TX: usize> {
    decoder: FrameDecoder<RX>,
    tx: [u8; TX],
}

impl<const RX: usize, const TX: usize> Link<RX, TX> {
    /// Empty buffers; usable in a `static`.
    pub const fn new() -> Self {
        Self {
            decoder: FrameDecoder::new(),
            tx: [0; TX],
        }
    }

    /// Drops a partly received frame.
    pub fn reset(&mut self) {
        self.decoder.reset();
    }
}

impl<const RX: usize, const TX: usize> Default for Link<RX, TX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const RX: usize, const TX: usize> core::fmt::Debug for Link<RX, TX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("decoder", &self.decoder)
            .field("tx", &TX)
            .finish()
    }
}

/// Why [`Server::serve`] returned.
#[derive(Debug)]
pub enum ServeExit<E> {
    /// Reading from or writing to the port failed.
    Io(E),
    /// A `Reset` request was answered (and its reply flushed); the firmware resets the board.
    Reset,
}

impl<F, P, A, const W: usize> Server<'_, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    /// Takes one received byte. When it ends a frame, returns the reply frame to send
    /// (terminator included), borrowed from the link's transmit buffer.
    pub fn poll<'l, const RX: usize, const TX: usize>(
        &mut self,
        link: &'l mut Link<RX, TX>,
        byte: u8,
    ) -> Option<&'l [u8]> {
        let Link { decoder, tx } = link;
        let outcome = decoder.push(byte)?;
        let request = outcome.and_then(decode_message::<Request<'_>>);
        let len = match request {
            Ok(request) => {
                self.stats.frames_ok = self.stats.frames_ok.wrapping_add(1);
                let response = self.handle(&request);
                encoded_len(&response, tx)
            }
            Err(e) => {
                self.stats.frames_bad = self.stats.frames_bad.wrapping_add(1);
                let (code, detail) = e.to_wire();
                encoded_len(&error(code, detail), tx)
            }
        };
        tx.get(..len)
    }

    /// Serves requests from `io` until it fails or a `Reset` was answered.
    pub fn serve<IO, const RX: usize, const TX: usize>(
        &mut self,
        io: &mut IO,
        link: &mut Link<RX, TX>,
    ) -> ServeExit<IO::Error>
    where
        IO: embedded_io::Read + embedded_io::Write,
    {
        let mut buf = [0u8; 64];
        loop {
            let n = match io.read(&mut buf) {
                Ok(n) => n,
                Err(e) => return ServeExit::Io(e),
            };
            for &byte in buf.get(..n).unwrap_or(&[]) {
                if let Some(frame) = self.poll(link, byte) {
                    if let Err(e) = io.write_all(frame).and_then(|()| io.flush()) {
                        return ServeExit::Io(e);
                    }
                }
                if self.reset_requested {
                    return ServeExit::Reset;
                }
            }
        }
    }
}

/// Encodes `response` into `tx`; when it does not fit, an `Error{Internal}` reply instead.
fn encoded_len(response: &Response<'_>, tx: &mut [u8]) -> usize {
    if let Ok(frame) = encode_frame(response, tx) {
        return frame.len();
    }
    encode_frame(&error(ErrorCode::Internal, reply::INTERNAL_TX), tx).map_or(0, <[u8]>::len)
}
