//! Model storage flash for the emulated board: NOR flash semantics over the `STORAGE` memory
//! region (memory.x: 584 KiB at `0x0006_E000`, where an nRF52840 keeps it in internal flash),
//! persisted in a host file through semihosting.
//!
//! ```text
//! boot:    host file ──SYS_READ──► STORAGE (missing bytes: 0xFF, and the file is extended)
//! erase:   STORAGE[range] = 0xFF  ──SYS_WRITE──► host file[range]
//! write:   STORAGE[range] &= data ──SYS_WRITE──► host file[range]
//! read:    STORAGE, in place (MappedFlash: the engine borrows the model from it)
//! ```
//!
//! Every erase and write reaches the host file before it returns, so killing QEMU at any point is
//! a power cut between two flash operations (or, inside one `SYS_WRITE`, in the middle of one),
//! which `edgekd_device::storage` and the learner journal are built to survive.
//!
//! Geometry as on the nRF52840: 4 KiB erase pages, 4-byte program words, byte reads.

use core::fmt;

use edgekd_device::storage::MappedFlash;
use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

use crate::hostfile::{HostFile, HostFileError, OpenMode};

/// Erase page size in bytes.
pub const ERASE_SIZE: usize = 4096;
/// Program word size in bytes.
pub const WRITE_SIZE: usize = 4;

/// Why a flash operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashError {
    /// `offset`/`len` not a multiple of the operation's unit.
    NotAligned {
        /// Requested offset.
        offset: u32,
    },
    /// The range reaches past the region.
    OutOfBounds {
        /// Requested offset.
        offset: u32,
        /// Requested length.
        len: usize,
    },
    /// Writing the change through to the host file failed (the RAM copy was changed).
    Host(HostFileError),
}

impl fmt::Display for FlashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlashError::NotAligned { offset } => write!(f, "flash: offset {offset} not aligned"),
            FlashError::OutOfBounds { offset, len } => {
                write!(
                    f,
                    "flash: {len} bytes at {offset} reach past the storage region"
                )
            }
            FlashError::Host(e) => write!(f, "flash write-through: {e}"),
        }
    }
}

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            FlashError::NotAligned { .. } => NorFlashErrorKind::NotAligned,
            FlashError::OutOfBounds { .. } => NorFlashErrorKind::OutOfBounds,
            FlashError::Host(_) => NorFlashErrorKind::Other,
        }
    }
}

/// What [`PersistentFlash::mount`] found in the host file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountReport {
    /// Bytes loaded from the file (the rest of the region was set to 0xFF).
    pub loaded: usize,
    /// The file did not exist and was created.
    pub created: bool,
}

/// NOR flash over a memory region (`edgekd_firmware::region::storage_ram`), written through to
/// a host file. See the module docs.
#[derive(Debug)]
pub struct PersistentFlash {
    mem: &'static mut [u8],
    file: HostFile,
}

impl PersistentFlash {
    /// Loads `mem` from the host file at `path` (creating the file when it does not exist) and
    /// makes the file exactly `mem.len()` bytes, padding with 0xFF (erased flash).
    pub fn mount(mem: &'static mut [u8], path: &str) -> Result<(Self, MountReport), FlashError> {
        let (mut file, created) = match HostFile::open(path, OpenMode::ReadWrite) {
            Ok(f) => (f, false),
            Err(_) => (
                HostFile::open(path, OpenMode::Create).map_err(FlashError::Host)?,
                true,
            ),
        };
        let mut loaded = 0usize;
        if !created {
            while loaded < mem.len() {
                let rest = mem.get_mut(loaded..).unwrap_or(&mut []);
                let n = file
                    .read_at(offset32(loaded), rest)
                    .map_err(FlashError::Host)?;
                if n == 0 {
                    break;
                }
                loaded = loaded.saturating_add(n);
            }
        }
        let tail = mem.get_mut(loaded..).unwrap_or(&mut []);
        tail.fill(0xFF);
        file.write_at(offset32(loaded), tail)
            .map_err(FlashError::Host)?;
        Ok((Self { mem, file }, MountReport { loaded, created }))
    }

    /// The region's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.mem
    }

    fn range(&self, offset: u32, len: usize) -> Result<core::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= self.mem.len())
            .ok_or(FlashError::OutOfBounds { offset, len })?;
        Ok(start..end)
    }

    fn write_through(&mut self, range: core::ops::Range<usize>) -> Result<(), FlashError> {
        let start = offset32(range.start);
        let bytes = self.mem.get(range).unwrap_or(&[]);
        self.file.write_at(start, bytes).map_err(FlashError::Host)
    }
}

fn offset32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ErrorType for PersistentFlash {
    type Error = FlashError;
}

impl ReadNorFlash for PersistentFlash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        let range = self.range(offset, bytes.len())?;
        let src = self.mem.get(range).ok_or(FlashError::OutOfBounds {
            offset,
            len: bytes.len(),
        })?;
        bytes.copy_from_slice(src);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.mem.len()
    }
}

impl NorFlash for PersistentFlash {
    const WRITE_SIZE: usize = WRITE_SIZE;
    const ERASE_SIZE: usize = ERASE_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        if from as usize % ERASE_SIZE != 0 || to as usize % ERASE_SIZE != 0 {
            return Err(FlashError::NotAligned { offset: from });
        }
        let len = to.checked_sub(from).ok_or(FlashError::OutOfBounds {
            offset: from,
            len: 0,
        })?;
        let range = self.range(from, len as usize)?;
        if let Some(dst) = self.mem.get_mut(range.clone()) {
            dst.fill(0xFF);
        }
        self.write_through(range)
    }

    /// Programs `bytes` at `offset`: like NOR flash, a write can only clear bits (new = old & data).
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        if offset as usize % WRITE_SIZE != 0 || bytes.len() % WRITE_SIZE != 0 {
            return Err(FlashError::NotAligned { offset });
        }
        let range = self.range(offset, bytes.len())?;
        if let Some(dst) = self.mem.get_mut(range.clone()) {
            dst.iter_mut().zip(bytes).for_each(|(d, &s)| *d &= s);
        }
        self.write_through(range)
    }
}

impl MappedFlash for PersistentFlash {
    fn mapped(&self, offset: u32, len: u32) -> Option<&[u8]> {
        let start = offset as usize;
        self.mem.get(start..start.checked_add(len as usize)?)
    }
}
