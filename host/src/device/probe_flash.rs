//! [`ProbeFlash`]: a board's model-storage region, seen from the host through a debug probe, as
//! the `NorFlash` + `MappedFlash` that the device's own `Storage` drives (`probe_install.rs` puts
//! an artifact into the A/B slots with it, so the layout is bit-identical to what the firmware
//! writes, and the A/B safety argument of `edgekd_device::storage` holds).
//!
//! ```text
//! open:   chip[base..base+len] ──read──► shadow (host RAM)
//! erase:  shadow[sectors] = 0xFF           mark sectors dirty
//! write:  shadow[words] &= data            mark sectors dirty
//! flush:  dirty sectors, in address order ──program──► chip
//! read / mapped: shadow
//! ```
//!
//! Power safety rests on order: before any erase or write that touches one of the two boot-record
//! regions, everything pending is flushed, and the boot region is flushed right after. So a new
//! slot's bytes are on the chip before the boot record that points to them, exactly the order in
//! which the device's flash driver would see them. A cut between two program calls leaves the
//! chip in a state the device's own storage already survives (old model or new one boots).
//!
//! No probe-rs here: the chip is a [`TargetMemory`], which `probe.rs` (feature `probe`)
//! implements over a probe-rs session and the tests implement over a `Vec<u8>`.

use std::error::Error;
use std::sync::Arc;

use edgekd_device::board::NRF52840_DK;
use edgekd_device::storage::{FlashOp, Layout, MappedFlash, Region};
use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Erase sector of the storage flash (the default board's: nRF52840 4 KiB pages; the RP2040's
/// QSPI flash has 4 KiB sectors too).
pub const PROBE_ERASE_SIZE: usize = NRF52840_DK.erase_size as usize;
/// Program word of the storage flash (nRF52840: 32-bit words; a multiple of every board's).
pub const PROBE_WRITE_SIZE: usize = 4;
/// Where the default board's `STORAGE` region starts on the chip (`edgekd_device::board`, which
/// `device/boards/nrf52840-dk/memory.x` is tested against).
pub const FIRMWARE_STORAGE_BASE: u64 = NRF52840_DK.storage.origin as u64;
/// Bytes of the `STORAGE` region (584 KiB on every `m4-1m` board).
pub const FIRMWARE_STORAGE_LEN: usize = NRF52840_DK.storage.len as usize;
/// The layout the firmware mounts over its `STORAGE` region (offsets from the region's start).
pub const FIRMWARE_LAYOUT: Layout = NRF52840_DK.layout;

/// Bytes read from the chip per call while loading the shadow or reading back.
pub(super) const READ_BLOCK: usize = 16 * 1024;

/// The chip's memory as a debug probe reaches it. Addresses are absolute (the chip's bus).
pub trait TargetMemory {
    /// The probe's error.
    type Error: Error + Send + Sync + 'static;

    /// Reads `buf.len()` bytes at `address`.
    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), Self::Error>;

    /// Erases the flash sectors that `address..address + data.len()` touches and programs `data`
    /// there, keeping the bytes of those sectors that lie outside `data`.
    fn program(&mut self, address: u64, data: &[u8]) -> Result<(), Self::Error>;
}

impl<T: TargetMemory + ?Sized> TargetMemory for &mut T {
    type Error = T::Error;

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), Self::Error> {
        (**self).read(address, buf)
    }

    fn program(&mut self, address: u64, data: &[u8]) -> Result<(), Self::Error> {
        (**self).program(address, data)
    }
}

/// What the host is doing, for a progress display: `(step, done, total)` in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeStep {
    /// Loading the storage region into the shadow.
    Reading,
    /// Programming sectors (reported by the [`TargetMemory`], once per program call or finer).
    Programming,
    /// Reading the new slot back from the chip.
    Verifying,
}

/// Why a [`ProbeFlash`] operation failed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeFlashError {
    /// Offset or length is not a multiple of the operation's unit.
    #[error("{} of {len} bytes at storage offset {offset:#x}: not a multiple of {align} bytes", op_name(*op))]
    NotAligned {
        /// The operation.
        op: FlashOp,
        /// Offset within the region.
        offset: u32,
        /// Length asked for.
        len: usize,
        /// The unit it must be a multiple of.
        align: usize,
    },
    /// The range reaches past the region.
    #[error("{} of {len} bytes at storage offset {offset:#x}: past the {capacity}-byte region", op_name(*op))]
    OutOfBounds {
        /// The operation.
        op: FlashOp,
        /// Offset within the region.
        offset: u32,
        /// Length asked for.
        len: usize,
        /// The region's size.
        capacity: usize,
    },
    /// The region does not start and end on sector boundaries, or is too large.
    #[error("storage region at {base:#x} of {len} bytes is not whole {PROBE_ERASE_SIZE}-byte sectors below 4 GiB")]
    Region {
        /// Its chip address.
        base: u64,
        /// Its length.
        len: usize,
    },
    /// The probe failed to read or program the chip.
    #[error("probe {what} of {len} bytes at {address:#010x} failed: {source}")]
    Target {
        /// `"read"` or `"program"`.
        what: &'static str,
        /// Chip address.
        address: u64,
        /// Bytes.
        len: usize,
        /// The probe's error.
        #[source]
        source: Arc<dyn Error + Send + Sync>,
    },
}

fn op_name(op: FlashOp) -> &'static str {
    match op {
        FlashOp::Read => "read",
        FlashOp::Write => "write",
        FlashOp::Erase => "erase",
    }
}

impl NorFlashError for ProbeFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            ProbeFlashError::NotAligned { .. } => NorFlashErrorKind::NotAligned,
            ProbeFlashError::OutOfBounds { .. } => NorFlashErrorKind::OutOfBounds,
            ProbeFlashError::Region { .. } | ProbeFlashError::Target { .. } => {
                NorFlashErrorKind::Other
            }
        }
    }
}

pub(super) fn target_error<E: Error + Send + Sync + 'static>(
    what: &'static str,
    address: u64,
    len: usize,
) -> impl FnOnce(E) -> ProbeFlashError {
    move |e| ProbeFlashError::Target {
        what,
        address,
        len,
        source: Arc::new(e),
    }
}

/// NOR flash over the chip region `base..base + len`, with a host-RAM shadow (see the module
/// documentation). Offsets are from `base`, as in the firmware's `PersistentFlash`.
#[derive(Debug)]
pub struct ProbeFlash<M> {
    memory: M,
    base: u64,
    shadow: Vec<u8>,
    /// Per sector: changed in the shadow, not yet programmed.
    dirty: Vec<bool>,
    /// The two boot-record regions: flushed around, never batched with slot bytes.
    boot: [Region; 2],
    /// Program calls made (and succeeded) since open.
    programs: u64,
    /// The last probe failure, which `Storage` reduces to an error kind.
    last_error: Option<ProbeFlashError>,
}

impl<M: TargetMemory> ProbeFlash<M> {
    /// Reads the region `base..base + len` of the chip into the shadow, in blocks, calling
    /// `on_read(done, total)` after each. `layout` names the boot regions (its offsets are from
    /// `base`); the region must be whole sectors.
    pub fn open(
        mut memory: M,
        base: u64,
        len: usize,
        layout: &Layout,
        mut on_read: impl FnMut(usize, usize),
    ) -> Result<Self, ProbeFlashError> {
        let aligned = base % PROBE_ERASE_SIZE as u64 == 0
            && len % PROBE_ERASE_SIZE == 0
            && u32::try_from(len).is_ok();
        if !aligned {
            return Err(ProbeFlashError::Region { base, len });
        }
        let mut shadow = vec![0xFF; len];
        let mut done = 0;
        for block in shadow.chunks_mut(READ_BLOCK) {
            let address = base + done as u64;
            memory
                .read(address, block)
                .map_err(target_error("read", address, block.len()))?;
            done += block.len();
            on_read(done, len);
        }
        Ok(Self {
            memory,
            base,
            shadow,
            dirty: vec![false; len / PROBE_ERASE_SIZE],
            boot: layout.boot,
            programs: 0,
            last_error: None,
        })
    }

    /// Programs the dirty sectors in address order, one program call per run of adjacent dirty
    /// sectors. A sector stays dirty until its program call succeeds.
    pub fn flush(&mut self) -> Result<(), ProbeFlashError> {
        let mut sector = 0;
        while sector < self.dirty.len() {
            if !self.dirty[sector] {
                sector += 1;
                continue;
            }
            let run_end = (sector..self.dirty.len())
                .find(|&s| !self.dirty[s])
                .unwrap_or(self.dirty.len());
            let (start, end) = (sector * PROBE_ERASE_SIZE, run_end * PROBE_ERASE_SIZE);
            let address = self.base + start as u64;
            let result = self
                .memory
                .program(address, &self.shadow[start..end])
                .map_err(target_error("program", address, end - start));
            if let Err(e) = result {
                self.last_error = Some(e.clone());
                return Err(e);
            }
            self.programs += 1;
            self.dirty[sector..run_end].fill(false);
            sector = run_end;
        }
        Ok(())
    }

    /// Whether every change in the shadow has been programmed.
    pub fn is_clean(&self) -> bool {
        !self.dirty.contains(&true)
    }

    /// Program calls made since open.
    pub fn program_calls(&self) -> u64 {
        self.programs
    }

    /// The last probe failure (a failing `erase`/`write` reports only its error kind to
    /// `Storage`; this keeps the whole error).
    pub fn last_error(&self) -> Option<&ProbeFlashError> {
        self.last_error.as_ref()
    }

    /// The chip address of the region's first byte.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The shadow: what the region holds once flushed.
    pub fn bytes(&self) -> &[u8] {
        &self.shadow
    }

    /// Gives the chip back; unflushed changes are dropped.
    pub fn into_memory(self) -> M {
        self.memory
    }

    /// Checks `offset..offset + len` against the region and `align`; returns it as indices.
    fn range(
        &self,
        op: FlashOp,
        offset: u32,
        len: usize,
        align: usize,
    ) -> Result<(usize, usize), ProbeFlashError> {
        let start = offset as usize;
        if start % align != 0 || len % align != 0 {
            return Err(ProbeFlashError::NotAligned {
                op,
                offset,
                len,
                align,
            });
        }
        match start.checked_add(len) {
            Some(end) if end <= self.shadow.len() => Ok((start, end)),
            _ => Err(ProbeFlashError::OutOfBounds {
                op,
                offset,
                len,
                capacity: self.shadow.len(),
            }),
        }
    }

    fn touches_boot(&self, start: usize, end: usize) -> bool {
        start < end
            && self.boot.iter().any(|r| {
                let (r_start, r_end) = (
                    r.offset as usize,
                    r.end().map_or(usize::MAX, |e| e as usize),
                );
                r.len > 0 && start < r_end && r_start < end
            })
    }

    /// Applies `change` to `shadow[start..end]` and marks its sectors dirty; around a boot
    /// region, flushes before and after (see the module documentation).
    fn change(
        &mut self,
        start: usize,
        end: usize,
        change: impl FnOnce(&mut [u8]),
    ) -> Result<(), ProbeFlashError> {
        if start == end {
            return Ok(());
        }
        let boot = self.touches_boot(start, end);
        if boot {
            self.flush()?;
        }
        change(&mut self.shadow[start..end]);
        let sectors = start / PROBE_ERASE_SIZE..end.div_ceil(PROBE_ERASE_SIZE);
        self.dirty[sectors].fill(true);
        if boot {
            self.flush()?;
        }
        Ok(())
    }
}

impl<M> ErrorType for ProbeFlash<M> {
    type Error = ProbeFlashError;
}

impl<M: TargetMemory> ReadNorFlash for ProbeFlash<M> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), ProbeFlashError> {
        let (start, end) = self.range(FlashOp::Read, offset, bytes.len(), 1)?;
        bytes.copy_from_slice(&self.shadow[start..end]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.shadow.len()
    }
}

impl<M: TargetMemory> NorFlash for ProbeFlash<M> {
    const WRITE_SIZE: usize = PROBE_WRITE_SIZE;
    const ERASE_SIZE: usize = PROBE_ERASE_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), ProbeFlashError> {
        let len = to.checked_sub(from).ok_or(ProbeFlashError::OutOfBounds {
            op: FlashOp::Erase,
            offset: from,
            len: 0,
            capacity: self.shadow.len(),
        })?;
        let (start, end) = self.range(FlashOp::Erase, from, len as usize, PROBE_ERASE_SIZE)?;
        self.change(start, end, |bytes| bytes.fill(0xFF))
    }

    /// Programs `bytes` at `offset` like NOR flash: bits can only be cleared (new = old & data).
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), ProbeFlashError> {
        let (start, end) = self.range(FlashOp::Write, offset, bytes.len(), PROBE_WRITE_SIZE)?;
        self.change(start, end, |dst| {
            dst.iter_mut().zip(bytes).for_each(|(d, &s)| *d &= s);
        })
    }
}

impl<M> MappedFlash for ProbeFlash<M> {
    fn mapped(&self, offset: u32, len: u32) -> Option<&[u8]> {
        let start = offset as usize;
        self.shadow.get(start..start.checked_add(len as usize)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::fake_chip::Fake;
    use edgekd_shared::protocol::Slot;

    /// The firmware's storage region of `fake`, shadowed.
    fn open(fake: &mut Fake) -> ProbeFlash<&mut Fake> {
        ProbeFlash::open(
            fake,
            FIRMWARE_STORAGE_BASE,
            FIRMWARE_STORAGE_LEN,
            &FIRMWARE_LAYOUT,
            |_, _| {},
        )
        .unwrap()
    }

    #[test]
    fn misaligned_and_out_of_range_changes_are_refused() {
        let mut fake = Fake::erased();
        let mut flash = open(&mut fake);
        let slot = FIRMWARE_LAYOUT.slot(Slot::A).offset;
        assert!(matches!(
            flash.write(slot + 2, &[0; 4]),
            Err(ProbeFlashError::NotAligned {
                op: FlashOp::Write,
                align: 4,
                ..
            })
        ));
        assert!(matches!(
            flash.write(slot, &[0; 3]),
            Err(ProbeFlashError::NotAligned { .. })
        ));
        assert!(matches!(
            flash.erase(slot + 100, slot + 4096),
            Err(ProbeFlashError::NotAligned {
                op: FlashOp::Erase,
                ..
            })
        ));
        assert!(matches!(
            flash.write(FIRMWARE_STORAGE_LEN as u32, &[0; 4]),
            Err(ProbeFlashError::OutOfBounds { .. })
        ));
        assert!(matches!(
            flash.erase(4096, 0),
            Err(ProbeFlashError::OutOfBounds { .. })
        ));
        assert!(flash.is_clean());
        flash.flush().unwrap();
        drop(flash);
        assert!(fake.log.is_empty());
        assert!(fake.mem.iter().all(|b| *b == 0xFF));
    }

    #[test]
    fn nor_semantics_and_flush_order() {
        let mut fake = Fake::erased();
        fake.mem[8192..8196].copy_from_slice(&[0x0F; 4]);
        let mut flash = open(&mut fake);
        let at = FIRMWARE_LAYOUT.slot(Slot::B).offset;
        flash.write(at + 4096, &[0xF0, 0x00, 0xFF, 0x3C]).unwrap();
        flash.write(at + 4096, &[0x3F, 0xFF, 0xFF, 0xFF]).unwrap();
        flash.erase(at, at + 4096).unwrap();
        flash.write(8192, &[0xFF; 4]).unwrap();
        let mut back = [0u8; 4];
        flash.read(at + 4096, &mut back).unwrap();
        assert_eq!(back, [0x30, 0x00, 0xFF, 0x3C]);
        assert_eq!(flash.mapped(8192, 4), Some(&[0x0F; 4][..]));
        assert!(!flash.is_clean());
        flash.flush().unwrap();
        assert!(flash.is_clean());
        drop(flash);
        // Sector 2 (slot A), then slot B's two sectors in one call, in address order.
        let base = FIRMWARE_STORAGE_BASE;
        let b = base + u64::from(at);
        assert_eq!(fake.log, vec![(base + 8192, 4096), (b, 8192)]);
        assert_eq!(
            &fake.mem[at as usize + 4096..][..4],
            &[0x30, 0x00, 0xFF, 0x3C]
        );
    }
}
