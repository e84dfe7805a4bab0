//! The storage region of a chip's memory-mapped flash as the `NorFlash + MappedFlash` that
//! `edgekd_device::storage` mounts: offsets `0..len` of the partition are offsets
//! `offset..offset + len` of the board's flash driver, and the CPU reads the same bytes at
//! `mapped..mapped + len` (internal flash, or the XIP window of an external one), so the engine
//! borrows the model in place.
//!
//! ```text
//! storage offset o ──erase/write──► driver offset (offset + o) ──► NVMC / QSPI flash
//!                  ──read/mapped──► address (mapped + o)        (the CPU's view of the same bytes)
//! ```
//!
//! Bounds are checked here, so the storage code can never erase the firmware.

use core::fmt;

use edgekd_device::board::BoardMap;
use edgekd_device::storage::MappedFlash;
use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Why a partition operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionError<E> {
    /// The range reaches past the partition.
    OutOfBounds {
        /// Requested offset in the partition.
        offset: u32,
        /// Requested length in bytes.
        len: usize,
    },
    /// The driver refused (alignment, hardware).
    Flash(E),
}

impl<E: fmt::Debug> fmt::Display for PartitionError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionError::OutOfBounds { offset, len } => {
                write!(
                    f,
                    "{len} bytes at {offset} reach past the storage partition"
                )
            }
            PartitionError::Flash(e) => write!(f, "flash driver: {e:?}"),
        }
    }
}

impl<E: NorFlashError> NorFlashError for PartitionError<E> {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            PartitionError::OutOfBounds { .. } => NorFlashErrorKind::OutOfBounds,
            PartitionError::Flash(e) => e.kind(),
        }
    }
}

/// Why [`MappedPartition::for_board`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionSetupError {
    /// The board's storage region does not fit the driver's capacity.
    BeyondDriver,
    /// The region does not start and end on the driver's erase sectors.
    Misaligned,
}

/// A memory-mapped partition of a flash driver `F`. See the module docs.
#[derive(Debug)]
pub struct MappedPartition<F> {
    flash: F,
    offset: u32,
    len: u32,
    mapped: usize,
}

impl<F: NorFlash> MappedPartition<F> {
    /// The `STORAGE` region of `board` over `flash`, a driver that addresses the chip's whole
    /// flash from offset 0 (`board.chip_flash.origin`).
    ///
    /// # Safety
    ///
    /// The CPU must read what `flash` holds at offset `o` at address `board.chip_flash.origin + o`
    /// for the program's life, and nothing else may write the region.
    pub unsafe fn for_board(flash: F, board: &BoardMap) -> Result<Self, PartitionSetupError> {
        let (offset, len) = (board.storage_offset(), board.storage.len);
        let end = offset
            .checked_add(len)
            .ok_or(PartitionSetupError::BeyondDriver)?;
        if end as usize > flash.capacity() {
            return Err(PartitionSetupError::BeyondDriver);
        }
        let erase = F::ERASE_SIZE as u32;
        if erase == 0 || offset % erase != 0 || len % erase != 0 {
            return Err(PartitionSetupError::Misaligned);
        }
        Ok(Self {
            flash,
            offset,
            len,
            mapped: board.storage.origin as usize,
        })
    }

    fn shift(&self, offset: u32, len: usize) -> Result<u32, PartitionError<F::Error>> {
        let out = || PartitionError::OutOfBounds { offset, len };
        let end = u32::try_from(len)
            .ok()
            .and_then(|l| offset.checked_add(l))
            .ok_or_else(out)?;
        if end > self.len {
            return Err(out());
        }
        self.offset.checked_add(offset).ok_or_else(out)
    }
}

impl<F: NorFlash> ErrorType for MappedPartition<F> {
    type Error = PartitionError<F::Error>;
}

impl<F: NorFlash> ReadNorFlash for MappedPartition<F> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        self.shift(offset, bytes.len())?;
        let src = self
            .mapped(offset, bytes.len() as u32)
            .ok_or(PartitionError::OutOfBounds {
                offset,
                len: bytes.len(),
            })?;
        bytes.copy_from_slice(src);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.len as usize
    }
}

impl<F: NorFlash> NorFlash for MappedPartition<F> {
    const WRITE_SIZE: usize = F::WRITE_SIZE;
    const ERASE_SIZE: usize = F::ERASE_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = to.checked_sub(from).ok_or(PartitionError::OutOfBounds {
            offset: from,
            len: 0,
        })?;
        let start = self.shift(from, len as usize)?;
        self.flash
            .erase(start, start.saturating_add(len))
            .map_err(PartitionError::Flash)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let start = self.shift(offset, bytes.len())?;
        self.flash
            .write(start, bytes)
            .map_err(PartitionError::Flash)
    }
}

impl<F: NorFlash> MappedFlash for MappedPartition<F> {
    fn mapped(&self, offset: u32, len: u32) -> Option<&[u8]> {
        let end = offset.checked_add(len)?;
        if end > self.len {
            return None;
        }
        let address = self.mapped.checked_add(offset as usize)?;
        // SAFETY: `for_board`'s contract: the CPU reads the partition's bytes at `mapped..+len`
        // for the program's life. Writes need `&mut self`, so none happens while this borrow
        // of `self` lives.
        Some(unsafe { core::slice::from_raw_parts(address as *const u8, len as usize) })
    }
}
