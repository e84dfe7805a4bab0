//! Errors of the model storage.

use embedded_storage::nor_flash::NorFlashErrorKind;

use super::layout::LayoutError;

/// The flash operation that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashOp {
    /// `ReadNorFlash::read`.
    Read,
    /// `NorFlash::write`.
    Write,
    /// `NorFlash::erase`.
    Erase,
}

/// Why a storage operation failed. After any error the active model is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageError {
    /// The flash driver failed.
    Flash {
        /// Which operation.
        op: FlashOp,
        /// Flash offset of the operation.
        offset: u32,
        /// The driver's error kind.
        kind: NorFlashErrorKind,
    },
    /// The layout does not fit the flash.
    Layout(LayoutError),
    /// The flash's geometry is unsupported: `WRITE_SIZE` or `READ_SIZE` is 0 or larger than
    /// [`super::MAX_WRITE_SIZE`], or `ERASE_SIZE` is not a multiple of `WRITE_SIZE`.
    Geometry {
        /// The flash's `READ_SIZE`.
        read_size: usize,
        /// The flash's `WRITE_SIZE`.
        write_size: usize,
        /// The flash's `ERASE_SIZE`.
        erase_size: usize,
    },
    /// The announced model is empty or larger than a slot; nothing was erased.
    TooLarge {
        /// Announced length in bytes.
        len: u32,
        /// Slot capacity in bytes.
        capacity: u32,
    },
    /// A chunk or commit arrived without `begin_update`.
    NoUpdate,
    /// A chunk did not start where the previous one ended.
    OutOfOrder {
        /// The offset the next chunk must start at.
        expected: u32,
        /// The offset the chunk claimed.
        got: u32,
    },
    /// A chunk reaches past the announced length.
    Overrun {
        /// The announced length.
        total: u32,
        /// Where the chunk would end.
        end: u32,
    },
    /// Commit came before all announced bytes were written.
    Incomplete {
        /// Bytes written.
        written: u32,
        /// Bytes announced.
        total: u32,
    },
    /// The slot's bytes, read back, do not have the CRC of the bytes written.
    CrcMismatch {
        /// CRC of the bytes received by `write_chunk`.
        expected: u32,
        /// CRC of the bytes read back.
        actual: u32,
    },
    /// The validator (signature and artifact check) rejected the new model.
    Rejected,
    /// The active-model region cannot be borrowed from the flash (`MappedFlash::mapped` failed).
    NotMapped {
        /// Flash offset asked for.
        offset: u32,
        /// Bytes asked for.
        len: u32,
    },
    /// A read asked for bytes outside a slot.
    OutOfRange {
        /// Offset within the slot.
        offset: u32,
        /// Bytes asked for.
        len: u32,
        /// Slot capacity.
        capacity: u32,
    },
    /// The boot record just written did not read back intact; the update did not take effect.
    RecordReadBack {
        /// Flash offset of the boot region.
        offset: u32,
    },
    /// The boot sequence number would wrap (after 2³² updates).
    SequenceExhausted,
}

impl core::fmt::Display for StorageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StorageError::Flash { op, offset, kind } => {
                write!(f, "flash {op:?} at {offset:#x} failed: {kind}")
            }
            StorageError::Layout(e) => write!(f, "bad storage layout: {e}"),
            StorageError::Geometry {
                read_size,
                write_size,
                erase_size,
            } => write!(
                f,
                "unsupported flash geometry: read {read_size}, write {write_size}, erase {erase_size} bytes"
            ),
            StorageError::TooLarge { len, capacity } => {
                write!(f, "model of {len} bytes does not fit a {capacity}-byte slot")
            }
            StorageError::NoUpdate => f.write_str("no model update in progress"),
            StorageError::OutOfOrder { expected, got } => {
                write!(f, "chunk at offset {got}, expected {expected}")
            }
            StorageError::Overrun { total, end } => {
                write!(f, "chunk ends at {end}, past the announced {total} bytes")
            }
            StorageError::Incomplete { written, total } => {
                write!(f, "commit after {written} of {total} bytes")
            }
            StorageError::CrcMismatch { expected, actual } => write!(
                f,
                "slot CRC {actual:#010x} read back, {expected:#010x} written"
            ),
            StorageError::Rejected => f.write_str("the validator rejected the new model"),
            StorageError::NotMapped { offset, len } => {
                write!(f, "flash {offset:#x}+{len} is not memory-mapped")
            }
            StorageError::OutOfRange {
                offset,
                len,
                capacity,
            } => write!(
                f,
                "read of {len} bytes at {offset} is outside the {capacity}-byte slot"
            ),
            StorageError::RecordReadBack { offset } => {
                write!(f, "boot record at {offset:#x} did not read back intact")
            }
            StorageError::SequenceExhausted => f.write_str("boot sequence number exhausted"),
        }
    }
}

impl From<LayoutError> for StorageError {
    fn from(e: LayoutError) -> Self {
        StorageError::Layout(e)
    }
}
