//! Writing a new model into the inactive slot and switching to it.

use edgekd_shared::checksum::Crc32Digest;
use edgekd_shared::protocol::Slot;
use embedded_storage::nor_flash::NorFlash;

use super::io::{self, WordWriter};
use super::record::{BootRecord, RECORD_LEN};
use super::validator::{MappedFlash, ModelValidator};
use super::{record_area, ActiveModel, Storage, StorageError, MAX_WRITE_SIZE};

/// An update in progress (RAM only: a reboot forgets it and the half-written slot is ignored).
#[derive(Debug)]
pub(super) struct UpdateState {
    slot: Slot,
    total: u32,
    written: u32,
    digest: Crc32Digest,
    writer: WordWriter,
}

/// How far an update has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateProgress {
    /// The slot being written (never the running one).
    pub slot: Slot,
    /// Bytes accepted so far: the offset the next chunk must start at.
    pub written: u32,
    /// Bytes announced.
    pub total: u32,
}

impl<F: NorFlash + MappedFlash> Storage<F> {
    /// Starts an update of `total_len` bytes: picks the inactive slot and erases the sectors the
    /// model will occupy. A model that is empty or larger than the slot is refused before
    /// anything is erased. Any update already in progress is abandoned.
    ///
    /// The CRC-32 of the bytes as they stream in is what the boot record will hold; the slot is
    /// read back against it at commit. Which model the bytes are is the validator's business
    /// (the server compares the artifact's identity there).
    pub fn begin_update(&mut self, total_len: u32) -> Result<Slot, StorageError> {
        let slot = self.active.map_or(Slot::A, |(m, _)| m.slot.other());
        let region = self.layout.slot(slot);
        if total_len == 0 || total_len > region.len {
            return Err(StorageError::TooLarge {
                len: total_len,
                capacity: region.len,
            });
        }
        self.update = None;
        io::erase_sectors(&mut self.flash, region.offset, total_len)?;
        self.update = Some(UpdateState {
            slot,
            total: total_len,
            written: 0,
            digest: Crc32Digest::new(),
            writer: WordWriter::new(region.offset),
        });
        Ok(slot)
    }

    /// Writes the next `data` of the model; `offset` must equal the bytes written so far.
    /// Returns the bytes written so far. A flash error abandons the update.
    pub fn write_chunk(&mut self, offset: u32, data: &[u8]) -> Result<u32, StorageError> {
        let up = self.update.as_mut().ok_or(StorageError::NoUpdate)?;
        if offset != up.written {
            return Err(StorageError::OutOfOrder {
                expected: up.written,
                got: offset,
            });
        }
        let end = u32::try_from(data.len())
            .ok()
            .and_then(|n| offset.checked_add(n))
            .filter(|end| *end <= up.total)
            .ok_or(StorageError::Overrun {
                total: up.total,
                end: offset.saturating_add(u32::try_from(data.len()).unwrap_or(u32::MAX)),
            })?;
        if let Err(e) = up.writer.write(&mut self.flash, data) {
            self.update = None;
            return Err(e);
        }
        up.digest.update(data);
        up.written = end;
        Ok(end)
    }

    /// Where the update in progress stands, if any.
    pub fn update_progress(&self) -> Option<UpdateProgress> {
        self.update.as_ref().map(|u| UpdateProgress {
            slot: u.slot,
            written: u.written,
            total: u.total,
        })
    }

    /// Reads back `out.len()` bytes at `offset` of the update in progress (for the protocol's
    /// `ReadBack`): programmed bytes from flash, the partial word still held in RAM from there.
    /// Only the bytes received so far can be read.
    pub fn read_update(&mut self, offset: u32, out: &mut [u8]) -> Result<(), StorageError> {
        let up = self.update.as_ref().ok_or(StorageError::NoUpdate)?;
        let len = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let out_of_range = StorageError::OutOfRange {
            offset,
            len,
            capacity: up.written,
        };
        let end = offset.checked_add(len).ok_or(out_of_range)?;
        if end > up.written {
            return Err(out_of_range);
        }
        let pending = up.writer.pending();
        let programmed = up.written.saturating_sub(pending.len() as u32);
        let split = programmed.clamp(offset, end);
        let (from_flash, from_ram) = out.split_at_mut(split.saturating_sub(offset) as usize);
        let ram_start = split.saturating_sub(programmed) as usize;
        let ram = pending
            .get(ram_start..ram_start + from_ram.len())
            .ok_or(out_of_range)?;
        from_ram.copy_from_slice(ram);
        let at = self.layout.slot(up.slot).offset + offset;
        if !from_flash.is_empty() {
            io::read(&mut self.flash, at, from_flash)?;
        }
        Ok(())
    }

    /// Abandons the update in progress; the running model is untouched.
    pub fn abort_update(&mut self) {
        self.update = None;
    }

    /// Finishes the update: programs any buffered partial word, reads the slot back and checks
    /// its CRC against that of the bytes received, runs `validator` on it, and only then writes
    /// the boot record that makes it active. On a failed check the update is abandoned and the
    /// running model stays; commit before all bytes arrived leaves the update open.
    pub fn commit_update(
        &mut self,
        validator: &dyn ModelValidator,
    ) -> Result<ActiveModel, StorageError> {
        let mut up = self.update.take().ok_or(StorageError::NoUpdate)?;
        if up.written != up.total {
            let err = StorageError::Incomplete {
                written: up.written,
                total: up.total,
            };
            self.update = Some(up);
            return Err(err);
        }
        up.writer.flush(&mut self.flash)?;
        let region = self.layout.slot(up.slot);
        let streamed = up.digest.finalize();
        let record = BootRecord {
            seq: self.next_seq()?,
            slot: up.slot,
            model_len: up.total,
            model_crc32: streamed,
        };
        let actual = io::crc_of(&mut self.flash, region.offset, up.total)?;
        if actual != streamed {
            return Err(StorageError::CrcMismatch {
                expected: streamed,
                actual,
            });
        }
        let image = self
            .flash
            .mapped(region.offset, up.total)
            .ok_or(StorageError::NotMapped {
                offset: region.offset,
                len: up.total,
            })?;
        if !validator.validate(image) {
            return Err(StorageError::Rejected);
        }
        let target = self
            .active
            .map_or_else(|| self.free_boot_region(), |(_, i)| i ^ 1);
        self.write_record(target, &record)?;
        let model = ActiveModel {
            slot: record.slot,
            len: record.model_len,
            crc32: record.model_crc32,
            seq: record.seq,
        };
        self.active = Some((model, target));
        Ok(model)
    }

    /// One more than the largest valid sequence number on flash.
    fn next_seq(&self) -> Result<u32, StorageError> {
        let newest = self.records.iter().flatten().map(|r| r.seq).max();
        match newest {
            None => Ok(1),
            Some(s) => s.checked_add(1).ok_or(StorageError::SequenceExhausted),
        }
    }

    /// With no model running: a boot region without a valid record, else the older one.
    fn free_boot_region(&self) -> usize {
        match self.records {
            [None, _] => 0,
            [_, None] => 1,
            [Some(a), Some(b)] => usize::from(b.seq < a.seq),
        }
    }

    /// Erases boot region `index` (0 or 1) and writes `record` at its start, then reads it back.
    fn write_record(&mut self, index: usize, record: &BootRecord) -> Result<(), StorageError> {
        let index = index & 1;
        let region = self.layout.boot[index];
        if let Some(r) = self.records.get_mut(index) {
            *r = None;
        }
        io::erase_sectors(&mut self.flash, region.offset, region.len)?;
        let mut word = [0xFF_u8; MAX_WRITE_SIZE];
        let bytes = record.encode();
        if let Some(dst) = word.get_mut(..RECORD_LEN) {
            dst.copy_from_slice(&bytes);
        }
        let area = word.get(..record_area::<F>()).unwrap_or(&[]);
        let mut writer = WordWriter::new(region.offset);
        writer.write(&mut self.flash, area)?;
        let mut back = [0u8; RECORD_LEN];
        io::read(&mut self.flash, region.offset, &mut back)?;
        if BootRecord::decode(&back).ok() != Some(*record) {
            return Err(StorageError::RecordReadBack {
                offset: region.offset,
            });
        }
        if let Some(r) = self.records.get_mut(index) {
            *r = Some(*record);
        }
        Ok(())
    }
}
