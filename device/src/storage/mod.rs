//! Model storage with safe A/B slots over one `NorFlash` region.
//!
//! ```text
//! | boot record 0 | boot record 1 | slot A | slot B | learner journal |
//! ```
//!
//! A new model is written into the slot that is *not* running, read back and checked (CRC, then
//! the caller's [`ModelValidator`]: the signature check), and only then made active by writing a
//! boot record with the next sequence number into the boot region that does *not* hold the
//! running model's record. At boot the newest valid record whose slot passes CRC and validator
//! wins, else the other one. A power cut at any point therefore leaves the old model or the new
//! one bootable, never neither. `docs/storage.md` has the details and the power-cut analysis.

mod boot;
mod error;
mod io;
mod layout;
mod record;
#[cfg(any(test, feature = "sim"))]
pub mod sim;
mod update;
mod validator;

#[cfg(test)]
mod power_cut_tests;

use edgekd_shared::protocol::Slot;
use embedded_storage::nor_flash::NorFlash;

pub use boot::BootReport;
pub use error::{FlashOp, StorageError};
pub use layout::{Layout, LayoutError, Region};
pub use record::{BootRecord, RecordError, RECORD_LEN, RECORD_MAGIC, RECORD_VERSION};
pub use update::UpdateProgress;
pub use validator::{MappedFlash, ModelValidator};

use update::UpdateState;

/// Largest flash `WRITE_SIZE` (and `READ_SIZE`) supported; a partial word is buffered in RAM.
pub const MAX_WRITE_SIZE: usize = 256;

/// The model that runs: where it is and what it should hash to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveModel {
    /// The slot holding it.
    pub slot: Slot,
    /// Its length in bytes.
    pub len: u32,
    /// CRC-32/ISO-HDLC of its bytes.
    pub crc32: u32,
    /// Sequence number of the boot record that made it active.
    pub seq: u32,
}

/// A/B model storage over the flash `F`. See the module documentation.
#[derive(Debug)]
pub struct Storage<F> {
    flash: F,
    layout: Layout,
    /// The valid records in the two boot regions, as last read or written.
    records: [Option<BootRecord>; 2],
    /// The running model and the boot region holding its record.
    active: Option<(ActiveModel, usize)>,
    report: BootReport,
    update: Option<UpdateState>,
}

impl<F: NorFlash + MappedFlash> Storage<F> {
    /// Checks `layout` against the flash's geometry and capacity, then boots: picks the newest
    /// valid boot record whose slot passes CRC and `validator`, else the other record, else none
    /// (see [`Storage::active`]).
    ///
    /// Errors are configuration errors (layout, geometry) or flash read failures.
    pub fn mount(
        flash: F,
        layout: Layout,
        validator: &dyn ModelValidator,
    ) -> Result<Self, StorageError> {
        io::check_geometry::<F>()?;
        let capacity = u32::try_from(flash.capacity()).unwrap_or(u32::MAX);
        layout.check(capacity, F::ERASE_SIZE as u32, record_area::<F>() as u32)?;
        let mut storage = Storage {
            flash,
            layout,
            records: [None, None],
            active: None,
            report: BootReport::default(),
            update: None,
        };
        storage.boot(validator)?;
        Ok(storage)
    }

    /// The running model, `None` when no valid model is stored.
    pub fn active(&self) -> Option<ActiveModel> {
        self.active.map(|(m, _)| m)
    }

    /// The running model's bytes, borrowed from flash.
    pub fn model(&self) -> Option<&[u8]> {
        let (m, _) = self.active?;
        self.flash.mapped(self.layout.slot(m.slot).offset, m.len)
    }

    /// What the last boot found.
    pub fn boot_report(&self) -> &BootReport {
        &self.report
    }

    /// The layout in use.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The region reserved for the learner journal.
    pub fn journal(&self) -> Region {
        self.layout.journal
    }

    /// Capacity of one slot: the largest model accepted.
    pub fn slot_capacity(&self) -> u32 {
        self.layout.slots[0].len.min(self.layout.slots[1].len)
    }

    /// Reads `out.len()` bytes at `offset` within `slot` (for the protocol's `ReadBack`).
    pub fn read_slot(
        &mut self,
        slot: Slot,
        offset: u32,
        out: &mut [u8],
    ) -> Result<(), StorageError> {
        let region = self.layout.slot(slot);
        let len = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let out_of_range = StorageError::OutOfRange {
            offset,
            len,
            capacity: region.len,
        };
        let end = offset.checked_add(len).ok_or(out_of_range)?;
        if end > region.len {
            return Err(out_of_range);
        }
        io::read(&mut self.flash, region.offset + offset, out)
    }

    /// The flash, for reading counters in tests.
    pub fn flash(&self) -> &F {
        &self.flash
    }

    /// The flash, for the learner journal. Writing outside [`Storage::journal`] voids the
    /// guarantees of this module.
    pub fn flash_mut(&mut self) -> &mut F {
        &mut self.flash
    }

    /// Gives the flash back (to reboot a simulated device).
    pub fn into_flash(self) -> F {
        self.flash
    }
}

/// Bytes a boot record occupies once padded to whole `WRITE_SIZE` words.
fn record_area<F: NorFlash>() -> usize {
    RECORD_LEN.div_ceil(F::WRITE_SIZE.max(1)) * F::WRITE_SIZE.max(1)
}
