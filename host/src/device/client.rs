//! The host side of the wire protocol: one request, one reply frame, with a timeout.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use edgekd_shared::artifact::{parse_container_trusted, ModelId};
use edgekd_shared::protocol::{
    decode_message, encode_frame, BoardProfileId, DeviceInfo, DeviceStats, FrameDecoder,
    LearnReport, Request, Response, Slot, DEFAULT_MAX_CHUNK, DEFAULT_MAX_FRAME, MAX_CLASSES,
    MAX_TEXT, MAX_TOKENS, PROTOCOL_VERSION,
};

use super::ClientError;

/// How long a request waits for its reply unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest reply frame the client accepts (a `Data` reply with a 4 KiB chunk fits).
const RX_FRAME: usize = 8192;

/// Bytes a request frame needs beyond its payload (variant, offset, length varints, CRC, COBS).
const REQUEST_OVERHEAD: usize = 32;

/// What the device said in answer to `Hello`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloInfo {
    /// The device's protocol version (equal to ours, or `hello` fails).
    pub version: u16,
    /// The memory budget the firmware was built for.
    pub profile: BoardProfileId,
    /// Largest encoded frame the device accepts.
    pub max_frame: u16,
    /// Largest flash chunk / read-back length the device accepts.
    pub max_chunk: u16,
}

/// A device's answer to `Infer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// Index of the predicted class.
    pub label: u8,
    /// `[classes]` int8 logits in the model's output quantization.
    pub logits: Vec<i8>,
    /// Instructions (QEMU) or cycles (board) the device spent on the inference.
    pub instructions: u32,
}

/// The outcome of [`DeviceClient::flash`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlashReport {
    /// The slot that now holds the active model.
    pub slot: Slot,
    /// The model's identity as the device computed it from its slot (equal to the artifact's).
    pub model_id: ModelId,
    /// Bytes flashed.
    pub len: u32,
}

/// A protocol client over a byte stream `T` (TCP to QEMU, a serial port, or a
/// [`SimDevice`](super::SimDevice)). Reads that fail with `WouldBlock` or `TimedOut` are retried
/// until the request's timeout; give blocking streams a short read timeout of their own.
#[derive(Debug)]
pub struct DeviceClient<T> {
    io: T,
    timeout: Duration,
    decoder: Box<FrameDecoder<RX_FRAME>>,
    unread: VecDeque<u8>,
    max_frame: u16,
    max_chunk: u16,
}

impl DeviceClient<std::net::TcpStream> {
    /// Connects to a device on a TCP port (QEMU's UART0 with `-serial tcp:127.0.0.1:PORT,server`).
    pub fn tcp(addr: impl std::net::ToSocketAddrs, timeout: Duration) -> Result<Self, ClientError> {
        let io_err = |source| ClientError::Io {
            what: "tcp connect",
            source,
        };
        let stream = std::net::TcpStream::connect(addr).map_err(io_err)?;
        stream.set_nodelay(true).map_err(io_err)?;
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(io_err)?;
        Ok(Self::new(stream, timeout))
    }
}

impl DeviceClient<Box<dyn serialport::SerialPort>> {
    /// Opens a serial port (8N1, no flow control) at `baud`.
    pub fn serial(path: &str, baud: u32, timeout: Duration) -> Result<Self, ClientError> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(50))
            .open()
            .map_err(|e| ClientError::Io {
                what: "open serial port",
                source: e.into(),
            })?;
        Ok(Self::new(port, timeout))
    }
}

impl<T: Read + Write> DeviceClient<T> {
    /// A client over `io`; each request waits at most `timeout` for its reply.
    pub fn new(io: T, timeout: Duration) -> Self {
        Self {
            io,
            timeout,
            decoder: Box::new(FrameDecoder::new()),
            unread: VecDeque::new(),
            max_frame: DEFAULT_MAX_FRAME,
            max_chunk: DEFAULT_MAX_CHUNK,
        }
    }

    /// The byte stream.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// Ends the session and gives the byte stream back.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The byte stream, mutably (to inject faults in tests).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// Opens the session: checks the protocol version and learns the device's limits.
    pub fn hello(&mut self) -> Result<HelloInfo, ClientError> {
        let info = self.hello_with_version(PROTOCOL_VERSION)?;
        self.max_frame = info.max_frame;
        self.max_chunk = info.max_chunk;
        Ok(info)
    }

    /// Sends `Hello` with an arbitrary version (to test the device's refusal).
    pub fn hello_with_version(&mut self, version: u16) -> Result<HelloInfo, ClientError> {
        self.call(&Request::Hello { version }, "hello", |r| match r {
            Response::Hello {
                version,
                profile,
                max_frame,
                max_chunk,
            } => Some(HelloInfo {
                version,
                profile,
                max_frame,
                max_chunk,
            }),
            _ => None,
        })
    }

    /// The device's model storage and memory.
    pub fn info(&mut self) -> Result<DeviceInfo, ClientError> {
        self.call(&Request::Info, "info", |r| match r {
            Response::Info(i) => Some(i),
            _ => None,
        })
    }

    /// The device's counters.
    pub fn stats(&mut self) -> Result<DeviceStats, ClientError> {
        self.call(&Request::Stats, "stats", |r| match r {
            Response::Stats(s) => Some(s),
            _ => None,
        })
    }

    /// Flashes `artifact`: announces its identity, sends it in chunks, reads it back and
    /// compares, then commits (the device checks CRC, signature, structure and identity before
    /// switching slots). `progress` gets `(bytes sent, total)` after each chunk. On a read-back
    /// mismatch the transfer is aborted. Bytes without an artifact's header and length are
    /// refused before anything is sent (they have no identity to announce).
    pub fn flash(
        &mut self,
        artifact: &[u8],
        mut progress: impl FnMut(u32, u32),
    ) -> Result<FlashReport, ClientError> {
        let total = u32::try_from(artifact.len()).map_err(|_| ClientError::Request {
            request: "flash begin",
            reason: format!("artifact of {} bytes", artifact.len()),
        })?;
        // The identity names the bytes; checking them (CRC, signature, structure) is the
        // device's job, so a damaged file is sent and refused there.
        let id = parse_container_trusted(artifact)
            .map(|c| ModelId::of_container(&c))
            .map_err(|e| ClientError::Request {
                request: "flash begin",
                reason: format!("not an artifact: {e}"),
            })?;
        self.expect_ack(
            &Request::FlashBegin {
                total_len: total,
                model_id: id,
            },
            "flash begin",
        )?;
        let chunk = self.chunk_len();
        let mut offset = 0u32;
        for data in artifact.chunks(chunk) {
            let written =
                self.call(
                    &Request::FlashChunk { offset, data },
                    "flash chunk",
                    |r| match r {
                        Response::FlashProgress { written } => Some(written),
                        _ => None,
                    },
                )?;
            offset = written;
            progress(written, total);
        }
        if let Err(e) = self.read_back_compare(artifact, chunk) {
            // Best effort: the transfer is abandoned either way when the session ends.
            let _ = self.expect_ack(&Request::FlashAbort, "flash abort");
            return Err(e);
        }
        let (slot, device_id) = self.call(&Request::FlashCommit, "flash commit", |r| match r {
            Response::FlashDone { slot, model_id } => Some((slot, model_id)),
            _ => None,
        })?;
        if device_id != id {
            return Err(ClientError::ModelIdMismatch {
                artifact: id,
                device: device_id,
            });
        }
        Ok(FlashReport {
            slot,
            model_id: device_id,
            len: total,
        })
    }

    /// Reads `len` bytes at `offset` of the slot being written, or of the active model.
    pub fn read_back(&mut self, offset: u32, len: u16) -> Result<Vec<u8>, ClientError> {
        self.call(
            &Request::ReadBack { offset, len },
            "read back",
            |r| match r {
                Response::Data { offset: at, bytes } if at == offset => Some(bytes.to_vec()),
                _ => None,
            },
        )
    }

    /// Sends any request and returns the device's reply as a debug string (for tools and tests
    /// that drive the raw protocol). Device error replies are `Err(Device)`.
    pub fn raw(&mut self, request: &Request<'_>) -> Result<String, ClientError> {
        self.call(request, "raw", |r| Some(format!("{r:?}")))
    }

    /// Classifies `text` on the device.
    pub fn infer(&mut self, text: &str) -> Result<Prediction, ClientError> {
        if text.len() > MAX_TEXT {
            return Err(ClientError::Request {
                request: "infer",
                reason: format!("text of {} bytes > {MAX_TEXT}", text.len()),
            });
        }
        self.call(&Request::Infer { text }, "infer", prediction)
    }

    /// Classifies already tokenized input on the device.
    pub fn infer_tokens(&mut self, tokens: &[u32]) -> Result<Prediction, ClientError> {
        let tokens = heapless::Vec::from_slice(tokens).map_err(|()| ClientError::Request {
            request: "infer tokens",
            reason: format!("{} tokens > {MAX_TOKENS}", tokens.len()),
        })?;
        self.call(&Request::InferTokens { tokens }, "infer tokens", prediction)
    }

    /// One on-device distillation step on `text` with the teacher's probabilities `probs` taken
    /// at temperature `temperature`.
    pub fn learn(
        &mut self,
        text: &str,
        probs: &[f32],
        temperature: f32,
    ) -> Result<LearnReport, ClientError> {
        let teacher_probs =
            heapless::Vec::from_slice(probs).map_err(|()| ClientError::Request {
                request: "learn",
                reason: format!("{} classes > {MAX_CLASSES}", probs.len()),
            })?;
        self.call(
            &Request::Learn {
                text,
                teacher_probs,
                temperature,
            },
            "learn",
            |r| match r {
                Response::Learned(report) => Some(report),
                _ => None,
            },
        )
    }

    /// Makes the learner's steps so far the revert point (a snapshot in the device's journal).
    pub fn learn_commit(&mut self) -> Result<(), ClientError> {
        self.expect_ack(&Request::LearnCommit, "learn commit")
    }

    /// Drops the learner's steps since the last commit.
    pub fn learn_revert(&mut self) -> Result<(), ClientError> {
        self.expect_ack(&Request::LearnRevert, "learn revert")
    }

    /// Writes raw bytes to the line (to test the device's handling of garbage).
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        let io_err = |source| ClientError::Io {
            what: "write",
            source,
        };
        self.io.write_all(bytes).map_err(io_err)?;
        self.io.flush().map_err(io_err)
    }

    /// Waits for the next reply frame and returns its response as an error code, if it is
    /// `Error` (for replies to [`Self::send_raw`]).
    pub fn next_error_reply(
        &mut self,
    ) -> Result<Option<(edgekd_shared::protocol::ErrorCode, u32)>, ClientError> {
        let body = self.receive("raw bytes")?;
        let response: Response<'_> = decode_message(&body).map_err(|e| ClientError::Garbled {
            request: "raw bytes",
            reason: e.to_string(),
        })?;
        Ok(match response {
            Response::Error { code, detail } => Some((code, detail)),
            _ => None,
        })
    }

    fn chunk_len(&self) -> usize {
        let by_frame = usize::from(self.max_frame)
            .saturating_sub(REQUEST_OVERHEAD + usize::from(self.max_frame) / 254);
        usize::from(self.max_chunk).min(by_frame).max(1)
    }

    fn read_back_compare(&mut self, artifact: &[u8], chunk: usize) -> Result<(), ClientError> {
        for (i, want) in artifact.chunks(chunk).enumerate() {
            let offset = u32::try_from(i * chunk).unwrap_or(u32::MAX);
            let len = u16::try_from(want.len()).unwrap_or(u16::MAX);
            let got = self.read_back(offset, len)?;
            if let Some(k) = got.iter().zip(want).position(|(a, b)| a != b) {
                return Err(ClientError::ReadBackMismatch {
                    offset: offset + k as u32,
                });
            }
            if got.len() != want.len() {
                return Err(ClientError::ReadBackMismatch {
                    offset: offset + got.len() as u32,
                });
            }
        }
        Ok(())
    }

    fn expect_ack(&mut self, request: &Request<'_>, name: &'static str) -> Result<(), ClientError> {
        self.call(request, name, |r| matches!(r, Response::Ack).then_some(()))
    }

    /// Sends `request`, waits for one reply and maps it with `accept` (`None`: unexpected).
    fn call<R>(
        &mut self,
        request: &Request<'_>,
        name: &'static str,
        accept: impl FnOnce(Response<'_>) -> Option<R>,
    ) -> Result<R, ClientError> {
        let mut frame = vec![0u8; usize::from(self.max_frame).max(64) + 8];
        let bytes = encode_frame(request, &mut frame).map_err(|e| ClientError::Request {
            request: name,
            reason: e.to_string(),
        })?;
        self.send_raw(bytes)?;
        let body = self.receive(name)?;
        let response: Response<'_> = decode_message(&body).map_err(|e| ClientError::Garbled {
            request: name,
            reason: e.to_string(),
        })?;
        if let Response::Error { code, detail } = response {
            return Err(ClientError::Device {
                request: name,
                code,
                detail,
            });
        }
        let got = format!("{response:?}");
        accept(response).ok_or(ClientError::Unexpected { request: name, got })
    }

    /// Reads until one frame ends; returns its checked body.
    fn receive(&mut self, name: &'static str) -> Result<Vec<u8>, ClientError> {
        let deadline = Instant::now() + self.timeout;
        let mut buf = [0u8; 1024];
        loop {
            while let Some(byte) = self.unread.pop_front() {
                if let Some(done) = self.decoder.push(byte) {
                    return done.map(<[u8]>::to_vec).map_err(|e| ClientError::Garbled {
                        request: name,
                        reason: e.to_string(),
                    });
                }
            }
            if Instant::now() >= deadline {
                return Err(ClientError::Timeout {
                    request: name,
                    waited: self.timeout,
                });
            }
            match self.io.read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(1)),
                Ok(n) => self.unread.extend(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(source) => {
                    return Err(ClientError::Io {
                        what: "read",
                        source,
                    })
                }
            }
        }
    }
}

fn prediction(r: Response<'_>) -> Option<Prediction> {
    match r {
        Response::Prediction {
            label,
            logits,
            instructions,
        } => Some(Prediction {
            label,
            logits: logits.to_vec(),
            instructions,
        }),
        _ => None,
    }
}
