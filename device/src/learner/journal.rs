//! The learner's journal: every accepted update is written to flash before it is acknowledged, so a
//! power cut at any write loses at most the update in flight.
//!
//! The journal region is split into two halves of whole erase sectors. Each half begins with a
//! snapshot record (the head's f32 weights, or a marker meaning "the head as flashed"), followed by
//! update records. Every record carries a sequence number, the identity of the model it belongs to
//! ([`ModelId`]) and a CRC-32 of its own bytes. At boot the half whose first record is the newest valid snapshot for the
//! current model wins; its update records are replayed in sequence order until the first one that is
//! torn, erased or out of sequence. When a half is full, or on [`Journal::commit`] and
//! [`Journal::revert`], the other half is erased and a new snapshot written there; the old half stays
//! valid until that snapshot is complete.
//!
//! # Record layout (little-endian, padded with 0xFF to a multiple of the flash's write size)
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `0x4C4B_4446` (`0x4C4B_4445` was the layout with a 4-byte model CRC) |
//! | 4 | 1 | kind: 1 snapshot of the head, 2 snapshot "as flashed", 3 update |
//! | 5 | 1 | reserved, 0 |
//! | 6 | 2 | payload length |
//! | 8 | 4 | sequence number |
//! | 12 | 16 | identity of the model the record belongs to ([`ModelId`]) |
//! | 28 | n | payload |
//! | 28+n | 4 | CRC-32 of bytes 0..28+n |
//!
//! Snapshot payload: `in_dim u16, out_dim u16, updates u32, W f32[out·in], b f32[out]`.
//! Update payload: `temperature f32, learning_rate f32, x_scale f32, x_zero_point i8, classes u8,
//! in_dim u16, teacher f32[classes], x i8[in_dim]`.

// Indexing into the fixed header, dims and chunk buffers below uses constant offsets, or lengths
// checked just before (a chunk `n ≤ CHUNK`, `in_dim ≤ MAX_HEAD_IN`, `classes ≤ MAX_CLASSES`).

use embedded_storage::nor_flash::{NorFlash, ReadNorFlash};

use super::{HeadLearner, LearnError, LearnHyper, MAX_CLASSES};
use edgekd_shared::artifact::{ModelId, MODEL_ID_LEN};
use edgekd_shared::checksum::Crc32Digest;

/// Widest head input the journal can replay.
pub const MAX_HEAD_IN: usize = 1024;
const MAGIC: u32 = 0x4C4B_4446;
const HEADER: usize = 12 + MODEL_ID_LEN;
const CHUNK: usize = 64;
const KIND_SNAPSHOT: u8 = 1;
const KIND_FLASHED: u8 = 2;
const KIND_UPDATE: u8 = 3;

/// One update as it is journaled and replayed: the head's int8 input with its quantization, the
/// teacher's probabilities and the step's hyper-parameters.
#[derive(Clone, Copy, Debug)]
pub struct UpdateRecord<'a> {
    /// Temperature and learning rate of the step.
    pub hyper: LearnHyper,
    /// Scale of the head's input activation.
    pub x_scale: f32,
    /// Zero point of the head's input activation.
    pub x_zero_point: i8,
    /// The head's int8 input `[in_dim]`.
    pub x: &'a [i8],
    /// Teacher probabilities `[classes]` at `hyper.temperature`.
    pub teacher: &'a [f32],
}

impl UpdateRecord<'_> {
    /// Applies this update to `learner` (the same code path live and in replay).
    pub fn apply<const W: usize>(
        &self,
        learner: &mut HeadLearner<W>,
    ) -> Result<super::StepReport, LearnError> {
        let mut x = [0.0f32; MAX_HEAD_IN];
        let n = self.x.len();
        if n > MAX_HEAD_IN {
            return Err(LearnError::LengthMismatch {
                what: "head input",
                expected: learner.in_dim(),
                found: n,
            });
        }
        dequantize_input(self.x, self.x_scale, self.x_zero_point, &mut x[..n]);
        learner.step(&x[..n], self.teacher, self.hyper)
    }

    fn payload_len(&self) -> usize {
        16 + 4 * self.teacher.len() + self.x.len()
    }
}

/// `out[i] = scale · (q[i] − zero_point)`, the head input the learner sees.
pub fn dequantize_input(q: &[i8], scale: f32, zero_point: i8, out: &mut [f32]) {
    for (o, &v) in out.iter_mut().zip(q) {
        *o = scale * (i32::from(v) - i32::from(zero_point)) as f32;
    }
}

/// Errors of the journal.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum JournalError {
    /// The region is not two halves of whole erase sectors, or the write size is not supported.
    BadRegion,
    /// A record is larger than a half of the region.
    RecordTooLarge {
        /// Bytes the record needs.
        bytes: usize,
        /// Bytes in a half.
        half: usize,
    },
    /// The flash driver failed.
    Flash,
    /// Replaying or applying an update was refused by the learner.
    Learn(LearnError),
}

impl core::fmt::Display for JournalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadRegion => {
                f.write_str("journal region is not two halves of whole erase sectors")
            }
            Self::RecordTooLarge { bytes, half } => {
                write!(
                    f,
                    "journal record of {bytes} bytes exceeds a half of {half} bytes"
                )
            }
            Self::Flash => f.write_str("flash error in the learner journal"),
            Self::Learn(e) => write!(f, "journal replay refused: {e}"),
        }
    }
}

/// What [`Journal::restore`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    /// Whether a snapshot for this model was found (otherwise the head is the flashed one).
    pub found: bool,
    /// Update records replayed after the snapshot.
    pub replayed: u32,
    /// Sequence number of the last valid record.
    pub last_seq: u32,
}

/// Position and state of the journal in its flash region.
#[derive(Clone, Debug)]
pub struct Journal {
    start: u32,
    half: u32,
    active: u32,
    write_pos: u32,
    seq: u32,
    model: ModelId,
    align: u32,
}

impl Journal {
    /// A journal over `[start, start + len)` of a flash with erase size `erase` and write size `write`.
    pub fn new(start: u32, len: u32, erase: u32, write: u32) -> Result<Self, JournalError> {
        let ok = erase > 0
            && write > 0
            && (CHUNK as u32) % write == 0
            && len % (2 * erase) == 0
            && start % erase == 0
            && len > 0;
        if !ok {
            return Err(JournalError::BadRegion);
        }
        Ok(Self {
            start,
            half: len / 2,
            active: 0,
            write_pos: 0,
            seq: 0,
            model: ModelId::default(),
            align: write.max(4),
        })
    }

    /// Restores the head for the model `model`: `load_flashed` puts the artifact's head
    /// into the learner, then the newest snapshot and its updates are applied. A journal that belongs
    /// to another model, or none at all, leaves the flashed head and is replaced at the next write.
    pub fn restore<F: ReadNorFlash, const W: usize>(
        &mut self,
        flash: &mut F,
        model: ModelId,
        learner: &mut HeadLearner<W>,
        load_flashed: impl Fn(&mut HeadLearner<W>) -> Result<(), LearnError>,
    ) -> Result<RestoreReport, JournalError> {
        self.model = model;
        load_flashed(learner).map_err(JournalError::Learn)?;
        let mut best: Option<(u32, u32)> = None; // (half, seq)
        for h in 0..2 {
            if let Some(head) = self.read_header(flash, self.half_start(h))? {
                let fresh = best.is_none_or(|(_, s)| seq_after(head.seq, s));
                if head.kind != KIND_UPDATE && head.model == model && fresh {
                    best = Some((h, head.seq));
                }
            }
        }
        let Some((h, seq)) = best else {
            // Nothing for this model: the next write starts a fresh half (the older one, 1).
            self.active = 1;
            self.write_pos = self.half;
            self.seq = 0;
            return Ok(RestoreReport {
                found: false,
                replayed: 0,
                last_seq: 0,
            });
        };
        self.active = h;
        let mut pos = self.half_start(h);
        let snap = self.read_header(flash, pos)?.ok_or(JournalError::Flash)?;
        if snap.kind == KIND_SNAPSHOT {
            self.load_snapshot(flash, pos, &snap, learner)?;
        }
        pos += self.record_len(snap.payload_len);
        self.seq = seq;
        let mut replayed = 0;
        let end = self.half_start(h) + self.half;
        while pos < end {
            let Some(rec) = self.read_header(flash, pos)? else {
                break;
            };
            if rec.kind != KIND_UPDATE || rec.model != model || rec.seq != self.seq.wrapping_add(1)
            {
                break;
            }
            self.replay_update(flash, pos, &rec, learner)?;
            self.seq = rec.seq;
            replayed += 1;
            pos += self.record_len(rec.payload_len);
        }
        self.write_pos = pos - self.half_start(h);
        Ok(RestoreReport {
            found: true,
            replayed,
            last_seq: self.seq,
        })
    }

    /// Journals `update`, which the caller has just applied to `learner`. When the active half is full,
    /// writes a snapshot of `learner` (which already holds the update) into the other half instead.
    pub fn append_update<F: NorFlash, const W: usize>(
        &mut self,
        flash: &mut F,
        learner: &HeadLearner<W>,
        update: &UpdateRecord<'_>,
    ) -> Result<(), JournalError> {
        let len = self.record_len(update.payload_len() as u16);
        if update.payload_len() > u16::MAX as usize || len > self.half {
            return Err(JournalError::RecordTooLarge {
                bytes: len as usize,
                half: self.half as usize,
            });
        }
        if self.write_pos + len > self.half {
            return self.commit(flash, learner);
        }
        let mut w = self.begin(KIND_UPDATE, update.payload_len() as u16);
        let mut head = [0u8; 16];
        head[0..4].copy_from_slice(&update.hyper.temperature.to_le_bytes());
        head[4..8].copy_from_slice(&update.hyper.learning_rate.to_le_bytes());
        head[8..12].copy_from_slice(&update.x_scale.to_le_bytes());
        head[12] = update.x_zero_point as u8;
        head[13] = update.teacher.len() as u8;
        head[14..16].copy_from_slice(&(update.x.len() as u16).to_le_bytes());
        w.put(flash, &head)?;
        for q in update.teacher {
            w.put(flash, &q.to_le_bytes())?;
        }
        for &v in update.x {
            w.put(flash, &[v as u8])?;
        }
        let end = w.finish(flash)?;
        self.seq = self.seq.wrapping_add(1);
        self.write_pos = end - self.half_start(self.active);
        Ok(())
    }

    /// Writes a snapshot of `learner` into the other half, which then becomes active.
    pub fn commit<F: NorFlash, const W: usize>(
        &mut self,
        flash: &mut F,
        learner: &HeadLearner<W>,
    ) -> Result<(), JournalError> {
        let n = learner.weights().len() + learner.bias().len();
        self.snapshot(
            flash,
            KIND_SNAPSHOT,
            8 + 4 * n as u16 as usize,
            |w, flash| {
                let mut dims = [0u8; 8];
                dims[0..2].copy_from_slice(&(learner.in_dim() as u16).to_le_bytes());
                dims[2..4].copy_from_slice(&(learner.out_dim() as u16).to_le_bytes());
                dims[4..8].copy_from_slice(&learner.updates().to_le_bytes());
                w.put(flash, &dims)?;
                for v in learner.weights().iter().chain(learner.bias()) {
                    w.put(flash, &v.to_le_bytes())?;
                }
                Ok(())
            },
        )
    }

    /// Writes the "as flashed" marker into the other half: after it, the head is the artifact's again.
    /// The caller reloads the flashed head into the learner.
    pub fn revert<F: NorFlash>(&mut self, flash: &mut F) -> Result<(), JournalError> {
        self.snapshot(flash, KIND_FLASHED, 0, |_, _| Ok(()))
    }

    /// Sequence number of the last record written or replayed.
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// Bytes used in the active half.
    pub fn used_bytes(&self) -> u32 {
        self.write_pos
    }

    fn snapshot<F: NorFlash>(
        &mut self,
        flash: &mut F,
        kind: u8,
        payload_len: usize,
        body: impl FnOnce(&mut RecordWriter, &mut F) -> Result<(), JournalError>,
    ) -> Result<(), JournalError> {
        let len = self.record_len(payload_len as u16);
        if payload_len > u16::MAX as usize || len > self.half {
            return Err(JournalError::RecordTooLarge {
                bytes: len as usize,
                half: self.half as usize,
            });
        }
        let target = 1 - self.active;
        let from = self.half_start(target);
        flash
            .erase(from, from + self.half)
            .map_err(|_| JournalError::Flash)?;
        self.active = target;
        self.write_pos = 0;
        let mut w = self.begin(kind, payload_len as u16);
        body(&mut w, flash)?;
        let end = w.finish(flash)?;
        self.seq = self.seq.wrapping_add(1);
        self.write_pos = end - from;
        Ok(())
    }

    fn begin(&self, kind: u8, payload_len: u16) -> RecordWriter {
        let mut w = RecordWriter::new(self.half_start(self.active) + self.write_pos, self.align);
        let mut h = [0u8; HEADER];
        h[0..4].copy_from_slice(&MAGIC.to_le_bytes());
        h[4] = kind;
        h[6..8].copy_from_slice(&payload_len.to_le_bytes());
        h[8..12].copy_from_slice(&self.seq.wrapping_add(1).to_le_bytes());
        h[12..HEADER].copy_from_slice(self.model.as_bytes());
        w.stage(&h);
        w
    }

    fn half_start(&self, h: u32) -> u32 {
        self.start + h * self.half
    }

    fn record_len(&self, payload_len: u16) -> u32 {
        let raw = (HEADER + payload_len as usize + 4) as u32;
        raw.div_ceil(self.align) * self.align
    }

    /// Reads and CRC-checks the record at `pos`; `None` when it is not a whole valid record.
    fn read_header<F: ReadNorFlash>(
        &self,
        flash: &mut F,
        pos: u32,
    ) -> Result<Option<Header>, JournalError> {
        let region_end = self.start + 2 * self.half;
        if pos + HEADER as u32 + 4 > region_end {
            return Ok(None);
        }
        let mut h = [0u8; HEADER];
        read_at(flash, pos, &mut h)?;
        let header = Header {
            kind: h[4],
            payload_len: u16::from_le_bytes([h[6], h[7]]),
            seq: u32::from_le_bytes([h[8], h[9], h[10], h[11]]),
            model: ModelId(core::array::from_fn(|i| h[12 + i])),
        };
        let half_end = if pos < self.start + self.half {
            self.start + self.half
        } else {
            region_end
        };
        if u32::from_le_bytes([h[0], h[1], h[2], h[3]]) != MAGIC
            || !(KIND_SNAPSHOT..=KIND_UPDATE).contains(&header.kind)
            || h[5] != 0
            || pos + self.record_len(header.payload_len) > half_end
        {
            return Ok(None);
        }
        let mut digest = Crc32Digest::new();
        let mut buf = [0u8; CHUNK];
        let body_end = pos + HEADER as u32 + u32::from(header.payload_len);
        let mut at = pos;
        while at < body_end {
            let n = ((body_end - at) as usize).min(CHUNK);
            read_at(flash, at, &mut buf[..n])?;
            digest.update(&buf[..n]);
            at += n as u32;
        }
        let mut crc = [0u8; 4];
        read_at(flash, body_end, &mut crc)?;
        Ok((digest.finalize() == u32::from_le_bytes(crc)).then_some(header))
    }

    fn load_snapshot<F: ReadNorFlash, const W: usize>(
        &self,
        flash: &mut F,
        pos: u32,
        header: &Header,
        learner: &mut HeadLearner<W>,
    ) -> Result<(), JournalError> {
        let mut dims = [0u8; 8];
        let p = pos + HEADER as u32;
        read_at(flash, p, &mut dims)?;
        let in_dim = u16::from_le_bytes([dims[0], dims[1]]) as usize;
        let out_dim = u16::from_le_bytes([dims[2], dims[3]]) as usize;
        let updates = u32::from_le_bytes([dims[4], dims[5], dims[6], dims[7]]);
        let n = in_dim * out_dim;
        if 8 + 4 * (n + out_dim) != header.payload_len as usize || n > W || out_dim > MAX_CLASSES {
            return Err(JournalError::Learn(LearnError::HeadTooLarge {
                weights: n,
                capacity: W,
            }));
        }
        let (weights, bias) = learner
            .raw_parts_mut(in_dim, out_dim)
            .map_err(JournalError::Learn)?;
        let mut b = [0u8; 4];
        let values = weights.iter_mut().chain(bias.iter_mut());
        for (i, v) in values.enumerate() {
            read_at(flash, p + 8 + 4 * i as u32, &mut b)?;
            *v = f32::from_le_bytes(b);
        }
        learner.finish_raw(updates).map_err(JournalError::Learn)
    }

    fn replay_update<F: ReadNorFlash, const W: usize>(
        &self,
        flash: &mut F,
        pos: u32,
        header: &Header,
        learner: &mut HeadLearner<W>,
    ) -> Result<(), JournalError> {
        let p = pos + HEADER as u32;
        let mut head = [0u8; 16];
        read_at(flash, p, &mut head)?;
        let f = |i: usize| f32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let classes = head[13] as usize;
        let in_dim = u16::from_le_bytes([head[14], head[15]]) as usize;
        if classes > MAX_CLASSES
            || in_dim > MAX_HEAD_IN
            || 16 + 4 * classes + in_dim != header.payload_len as usize
        {
            return Err(JournalError::Learn(LearnError::BadShape {
                in_dim,
                out_dim: classes,
            }));
        }
        let mut teacher = [0.0f32; MAX_CLASSES];
        let mut b = [0u8; 4];
        for (i, t) in teacher.iter_mut().take(classes).enumerate() {
            read_at(flash, p + 16 + 4 * i as u32, &mut b)?;
            *t = f32::from_le_bytes(b);
        }
        let mut x = [0i8; MAX_HEAD_IN];
        let mut raw = [0u8; CHUNK];
        let x_start = p + 16 + 4 * classes as u32;
        let mut done = 0;
        while done < in_dim {
            let k = (in_dim - done).min(CHUNK);
            read_at(flash, x_start + done as u32, &mut raw[..k])?;
            for (d, s) in x[done..done + k].iter_mut().zip(&raw[..k]) {
                *d = *s as i8;
            }
            done += k;
        }
        let record = UpdateRecord {
            hyper: LearnHyper {
                temperature: f(0),
                learning_rate: f(4),
            },
            x_scale: f(8),
            x_zero_point: head[12] as i8,
            x: &x[..in_dim],
            teacher: &teacher[..classes],
        };
        record
            .apply(learner)
            .map(|_| ())
            .map_err(JournalError::Learn)
    }
}

#[derive(Clone, Copy, Debug)]
struct Header {
    kind: u8,
    payload_len: u16,
    seq: u32,
    model: ModelId,
}

/// Reads `buf.len()` bytes of the journal at flash offset `at`.
fn read_at<F: ReadNorFlash>(flash: &mut F, at: u32, buf: &mut [u8]) -> Result<(), JournalError> {
    flash.read(at, buf).map_err(|_| JournalError::Flash)
}

/// `a` is newer than `b` in wrapping sequence order.
fn seq_after(a: u32, b: u32) -> bool {
    let d = a.wrapping_sub(b);
    d != 0 && d < u32::MAX / 2
}

/// Streams one record to flash through a small buffer, in whole write units, with a running CRC.
struct RecordWriter {
    pos: u32,
    align: u32,
    buf: [u8; CHUNK],
    fill: usize,
    digest: Crc32Digest,
}

impl RecordWriter {
    fn new(pos: u32, align: u32) -> Self {
        Self {
            pos,
            align,
            buf: [0xFF; CHUNK],
            fill: 0,
            digest: Crc32Digest::new(),
        }
    }

    /// Buffers bytes that are covered by the CRC; the caller flushes with `put`.
    fn stage(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
        self.buf[self.fill..self.fill + bytes.len()].copy_from_slice(bytes);
        self.fill += bytes.len();
    }

    fn put<F: NorFlash>(&mut self, flash: &mut F, mut bytes: &[u8]) -> Result<(), JournalError> {
        while !bytes.is_empty() {
            let n = bytes.len().min(CHUNK - self.fill);
            self.stage(&bytes[..n]);
            bytes = &bytes[n..];
            if self.fill == CHUNK {
                self.flush(flash, CHUNK)?;
            }
        }
        Ok(())
    }

    fn flush<F: NorFlash>(&mut self, flash: &mut F, len: usize) -> Result<(), JournalError> {
        flash
            .write(self.pos, &self.buf[..len])
            .map_err(|_| JournalError::Flash)?;
        self.pos += len as u32;
        self.buf = [0xFF; CHUNK];
        self.fill = 0;
        Ok(())
    }

    /// Appends the CRC, pads to the write unit, writes the rest; returns the end position.
    fn finish<F: NorFlash>(mut self, flash: &mut F) -> Result<u32, JournalError> {
        let crc = core::mem::take(&mut self.digest).finalize();
        let bytes = crc.to_le_bytes();
        for b in bytes {
            if self.fill == CHUNK {
                self.flush(flash, CHUNK)?;
            }
            self.buf[self.fill] = b;
            self.fill += 1;
        }
        let padded = (self.fill as u32).div_ceil(self.align) * self.align;
        if padded > 0 {
            self.flush(flash, padded as usize)?;
        }
        Ok(self.pos)
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
