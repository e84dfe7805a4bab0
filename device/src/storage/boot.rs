//! Boot: choose the model to run from the two boot records.

use embedded_storage::nor_flash::NorFlash;

use super::record::{BootRecord, RecordError, RECORD_LEN};
use super::validator::{MappedFlash, ModelValidator};
use super::{io, ActiveModel, Storage, StorageError};

/// What [`Storage::mount`] found in the boot regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootReport {
    /// Per boot region: its record, or why it holds none.
    pub records: [Result<BootRecord, RecordError>; 2],
    /// Per boot region: whether its record's slot passed CRC and the validator.
    pub slot_ok: [bool; 2],
    /// The boot region whose record is running, if any.
    pub chosen: Option<usize>,
    /// A newer valid record was passed over because its slot failed verification.
    pub fell_back: bool,
}

impl Default for BootReport {
    fn default() -> Self {
        Self {
            records: [Err(RecordError::Erased); 2],
            slot_ok: [false; 2],
            chosen: None,
            fell_back: false,
        }
    }
}

impl<F: NorFlash + MappedFlash> Storage<F> {
    /// Reads both boot records and activates the newest one whose slot verifies.
    pub(super) fn boot(&mut self, validator: &dyn ModelValidator) -> Result<(), StorageError> {
        let mut report = BootReport::default();
        for (i, region) in self.layout.boot.iter().enumerate() {
            let mut bytes = [0u8; RECORD_LEN];
            io::read(&mut self.flash, region.offset, &mut bytes)?;
            let decoded = BootRecord::decode(&bytes);
            if let Some(r) = report.records.get_mut(i) {
                *r = decoded;
            }
            if let Some(r) = self.records.get_mut(i) {
                *r = decoded.ok();
            }
        }
        // Newest first; on equal sequence numbers (never written so) region 0 first.
        let order = match (self.records[0], self.records[1]) {
            (Some(a), Some(b)) if b.seq > a.seq => [1, 0],
            _ => [0, 1],
        };
        self.active = None;
        for i in order {
            let Some(record) = self.records.get(i).copied().flatten() else {
                continue;
            };
            let ok = self.slot_verifies(&record, validator)?;
            if let Some(s) = report.slot_ok.get_mut(i) {
                *s = ok;
            }
            if ok {
                self.active = Some((
                    ActiveModel {
                        slot: record.slot,
                        len: record.model_len,
                        crc32: record.model_crc32,
                        seq: record.seq,
                    },
                    i,
                ));
                report.chosen = Some(i);
                break;
            }
            report.fell_back = true;
        }
        if report.chosen.is_none() {
            report.fell_back = false;
        }
        self.report = report;
        Ok(())
    }

    /// Whether the slot named by `record` holds bytes with its length and CRC that the validator
    /// accepts.
    pub(super) fn slot_verifies(
        &mut self,
        record: &BootRecord,
        validator: &dyn ModelValidator,
    ) -> Result<bool, StorageError> {
        let region = self.layout.slot(record.slot);
        if record.model_len == 0 || record.model_len > region.len {
            return Ok(false);
        }
        let crc = io::crc_of(&mut self.flash, region.offset, record.model_len)?;
        if crc != record.model_crc32 {
            return Ok(false);
        }
        Ok(self
            .flash
            .mapped(region.offset, record.model_len)
            .is_some_and(|image| validator.validate(image)))
    }
}
