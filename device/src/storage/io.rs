//! Flash helpers that respect `READ_SIZE`, `WRITE_SIZE` and `ERASE_SIZE`.

use edgekd_shared::checksum::Crc32Digest;
use embedded_storage::nor_flash::{NorFlash, NorFlashError, ReadNorFlash};

use super::error::{FlashOp, StorageError};
use super::MAX_WRITE_SIZE;

/// Bytes read per flash access (a multiple of every supported `READ_SIZE`).
const BLOCK: usize = MAX_WRITE_SIZE;

/// Checks that storage can drive a flash with this geometry.
pub(crate) fn check_geometry<F: NorFlash>() -> Result<(), StorageError> {
    let (rs, ws, es) = (F::READ_SIZE, F::WRITE_SIZE, F::ERASE_SIZE);
    let fine = rs > 0
        && BLOCK % rs == 0
        && ws > 0
        && ws <= MAX_WRITE_SIZE
        && es > 0
        && es % ws == 0
        && es % rs == 0
        && u32::try_from(es).is_ok();
    if fine {
        Ok(())
    } else {
        Err(StorageError::Geometry {
            read_size: rs,
            write_size: ws,
            erase_size: es,
        })
    }
}

pub(crate) fn flash_err<E: NorFlashError>(
    op: FlashOp,
    offset: u32,
) -> impl FnOnce(E) -> StorageError {
    move |e| StorageError::Flash {
        op,
        offset,
        kind: e.kind(),
    }
}

fn too_far(offset: u32) -> StorageError {
    StorageError::Flash {
        op: FlashOp::Read,
        offset,
        kind: embedded_storage::nor_flash::NorFlashErrorKind::OutOfBounds,
    }
}

/// Reads `out.len()` bytes at any `offset`, reading whole `READ_SIZE` units around it.
pub(crate) fn read<F: ReadNorFlash>(
    flash: &mut F,
    mut offset: u32,
    mut out: &mut [u8],
) -> Result<(), StorageError> {
    let rs = u32::try_from(F::READ_SIZE.max(1)).map_err(|_| too_far(offset))?;
    let mut block = [0u8; BLOCK];
    while !out.is_empty() {
        let start = offset - offset % rs;
        let skip = (offset - start) as usize;
        let want = skip.saturating_add(out.len()).min(BLOCK);
        let n = want
            .div_ceil(rs as usize)
            .saturating_mul(rs as usize)
            .min(BLOCK);
        let buf = block.get_mut(..n).ok_or(too_far(offset))?;
        flash
            .read(start, buf)
            .map_err(flash_err(FlashOp::Read, start))?;
        let take = n.saturating_sub(skip).min(out.len());
        let src = block.get(skip..skip + take).ok_or(too_far(offset))?;
        let (dst, rest) = core::mem::take(&mut out).split_at_mut(take);
        dst.copy_from_slice(src);
        out = rest;
        if take == 0 {
            return Err(too_far(offset));
        }
        offset = offset.checked_add(take as u32).ok_or(too_far(offset))?;
    }
    Ok(())
}

/// CRC-32 of the `len` bytes at `offset`, read through the flash driver.
pub(crate) fn crc_of<F: ReadNorFlash>(
    flash: &mut F,
    offset: u32,
    len: u32,
) -> Result<u32, StorageError> {
    let mut digest = Crc32Digest::new();
    let mut block = [0u8; BLOCK];
    let mut done = 0u32;
    while done < len {
        let n = ((len - done) as usize).min(BLOCK);
        let at = offset.checked_add(done).ok_or(too_far(offset))?;
        let buf = block.get_mut(..n).ok_or(too_far(at))?;
        read(flash, at, buf)?;
        digest.update(buf);
        done += n as u32;
    }
    Ok(digest.finalize())
}

/// Erases `len` bytes (rounded up to whole sectors) from the sector-aligned `offset`, one sector
/// per `erase` call so that a power cut loses at most one sector's state.
pub(crate) fn erase_sectors<F: NorFlash>(
    flash: &mut F,
    offset: u32,
    len: u32,
) -> Result<(), StorageError> {
    let es = F::ERASE_SIZE as u32;
    let sectors = len.div_ceil(es);
    for i in 0..sectors {
        let from = i
            .checked_mul(es)
            .and_then(|d| offset.checked_add(d))
            .ok_or(too_far(offset))?;
        let to = from.checked_add(es).ok_or(too_far(from))?;
        flash
            .erase(from, to)
            .map_err(flash_err(FlashOp::Erase, from))?;
    }
    Ok(())
}

/// Programs a byte stream into erased flash in whole `WRITE_SIZE` words, holding back a partial
/// word until more bytes arrive or [`WordWriter::flush`] pads it with 0xFF.
#[derive(Debug)]
pub(crate) struct WordWriter {
    /// Flash offset of the next word to program.
    next: u32,
    pending: [u8; MAX_WRITE_SIZE],
    pending_len: usize,
}

impl WordWriter {
    /// A writer whose first word goes to the `WRITE_SIZE`-aligned flash offset `start`.
    pub(crate) fn new(start: u32) -> Self {
        Self {
            next: start,
            pending: [0xFF; MAX_WRITE_SIZE],
            pending_len: 0,
        }
    }

    /// The bytes held back in RAM (a partial word, not yet programmed).
    pub(crate) fn pending(&self) -> &[u8] {
        self.pending.get(..self.pending_len).unwrap_or(&[])
    }

    fn program<F: NorFlash>(&mut self, flash: &mut F, bytes: &[u8]) -> Result<(), StorageError> {
        flash
            .write(self.next, bytes)
            .map_err(flash_err(FlashOp::Write, self.next))?;
        self.next = self
            .next
            .checked_add(bytes.len() as u32)
            .ok_or(too_far(self.next))?;
        Ok(())
    }

    /// Appends `data` to the stream.
    pub(crate) fn write<F: NorFlash>(
        &mut self,
        flash: &mut F,
        mut data: &[u8],
    ) -> Result<(), StorageError> {
        let ws = F::WRITE_SIZE;
        if self.pending_len > 0 {
            let take = (ws.saturating_sub(self.pending_len)).min(data.len());
            let (head, tail) = data.split_at(take);
            if let Some(dst) = self
                .pending
                .get_mut(self.pending_len..self.pending_len + take)
            {
                dst.copy_from_slice(head);
            }
            self.pending_len += take;
            data = tail;
            if self.pending_len == ws {
                let word = self.pending;
                self.program(flash, word.get(..ws).unwrap_or(&[]))?;
                self.pending_len = 0;
            }
        }
        let whole = data.len() - data.len() % ws;
        let (words, tail) = data.split_at(whole);
        if !words.is_empty() {
            self.program(flash, words)?;
        }
        // A non-empty tail means any earlier partial word was completed and programmed above.
        if !tail.is_empty() {
            if let Some(dst) = self.pending.get_mut(..tail.len()) {
                dst.copy_from_slice(tail);
                self.pending_len = tail.len();
            }
        }
        Ok(())
    }

    /// Programs a held-back partial word, padded with 0xFF (the erased value).
    pub(crate) fn flush<F: NorFlash>(&mut self, flash: &mut F) -> Result<(), StorageError> {
        if self.pending_len == 0 {
            return Ok(());
        }
        let ws = F::WRITE_SIZE;
        let mut word = self.pending;
        if let Some(pad) = word.get_mut(self.pending_len..ws) {
            pad.fill(0xFF);
        }
        self.program(flash, word.get(..ws).unwrap_or(&[]))?;
        self.pending_len = 0;
        Ok(())
    }
}
