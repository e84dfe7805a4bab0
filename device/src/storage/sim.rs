//! `SimFlash`: a RAM-backed `NorFlash` for host tests, with operation counters and power-cut
//! injection.
//!
//! Built for unit tests and behind the `sim` feature of `edgekd-device` (which links `std` for
//! this module only). It behaves like NOR flash: erase sets bytes to 0xFF, programming can only
//! write erased words (writing a word twice is an error here, as the `NorFlash` contract says),
//! and reads and writes must honour `READ_SIZE` (1), `WRITE_SIZE` and `ERASE_SIZE`.
//!
//! Power cuts: [`SimFlash::cut_power_at`] arms a cut at the k-th program/erase operation from
//! now. That operation is either not applied at all ([`CutMode::Lost`]) or torn
//! ([`CutMode::Torn`]): a torn program writes only the first half of its bytes, a torn erase
//! erases the first half of its sectors and leaves pseudo-random garbage in the next one. From
//! the cut on, every operation fails with [`SimError::PowerLost`] until [`SimFlash::power_on`].

#[cfg(not(test))]
extern crate std;

use std::vec::Vec;

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

use super::validator::MappedFlash;

/// How the operation hit by a power cut ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutMode {
    /// The operation never reaches the flash.
    Lost,
    /// The operation is partly applied (prefix of a program, garbage in an erase).
    Torn,
}

/// Errors of the simulated flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimError {
    /// Offset or length not a multiple of the required size.
    NotAligned,
    /// Past the end of the flash.
    OutOfBounds,
    /// Programming a byte that is not erased (0xFF), at this offset.
    NotErased(u32),
    /// The power was cut; nothing happens until `power_on`.
    PowerLost,
}

impl NorFlashError for SimError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            SimError::NotAligned => NorFlashErrorKind::NotAligned,
            SimError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            SimError::NotErased(_) | SimError::PowerLost => NorFlashErrorKind::Other,
        }
    }
}

/// Operation counters since creation or [`SimFlash::reset_counters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimCounters {
    /// `read` calls.
    pub reads: u64,
    /// `write` calls that reached the flash (a cut one included).
    pub writes: u64,
    /// `erase` calls that reached the flash (a cut one included).
    pub erases: u64,
    /// Bytes programmed.
    pub bytes_written: u64,
    /// Sectors erased.
    pub sectors_erased: u64,
}

/// RAM-backed NOR flash with `ERASE`-byte sectors and `WRITE`-byte words.
#[derive(Clone, Debug)]
pub struct SimFlash<const ERASE: usize, const WRITE: usize> {
    mem: Vec<u8>,
    counters: SimCounters,
    /// Operations (writes + erases) performed so far; the next one has this index.
    ops: u64,
    cut: Option<(u64, CutMode)>,
    powered: bool,
    rng: u32,
}

impl<const ERASE: usize, const WRITE: usize> SimFlash<ERASE, WRITE> {
    /// An erased flash of `sectors` sectors.
    pub fn new(sectors: usize) -> Self {
        Self {
            mem: std::vec![0xFF; sectors.saturating_mul(ERASE)],
            counters: SimCounters::default(),
            ops: 0,
            cut: None,
            powered: true,
            rng: 0x9E37_79B9,
        }
    }

    /// The counters.
    pub fn counters(&self) -> SimCounters {
        self.counters
    }

    /// Zeroes the counters (the operation index used by cuts keeps running).
    pub fn reset_counters(&mut self) {
        self.counters = SimCounters::default();
    }

    /// Program and erase operations performed since creation.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// Arms a power cut at the `k`-th program/erase operation from now (`k = 0`: the next one).
    pub fn cut_power_at(&mut self, k: u64, mode: CutMode) {
        self.cut = Some((self.ops.saturating_add(k), mode));
    }

    /// Restores power and disarms any cut; the contents stay as the cut left them.
    pub fn power_on(&mut self) {
        self.powered = true;
        self.cut = None;
    }

    /// Whether the power is on.
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// The whole flash contents.
    pub fn bytes(&self) -> &[u8] {
        &self.mem
    }

    /// The whole flash contents, for tampering in tests.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.mem
    }

    fn next_garbage(&mut self) -> u8 {
        // xorshift32
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x.to_le_bytes()[0]
    }

    /// Starts an operation: `None` when it runs normally, `Some(mode)` when power dies in it.
    fn begin_op(&mut self) -> Result<Option<CutMode>, SimError> {
        if !self.powered {
            return Err(SimError::PowerLost);
        }
        let index = self.ops;
        self.ops += 1;
        match self.cut {
            Some((at, mode)) if at == index => {
                self.powered = false;
                Ok(Some(mode))
            }
            _ => Ok(None),
        }
    }

    fn range(&self, offset: u32, len: usize, align: usize) -> Result<(usize, usize), SimError> {
        let start = offset as usize;
        let end = start.checked_add(len).ok_or(SimError::OutOfBounds)?;
        if start % align != 0 || len % align != 0 {
            return Err(SimError::NotAligned);
        }
        if end > self.mem.len() {
            return Err(SimError::OutOfBounds);
        }
        Ok((start, end))
    }
}

impl<const ERASE: usize, const WRITE: usize> ErrorType for SimFlash<ERASE, WRITE> {
    type Error = SimError;
}

impl<const ERASE: usize, const WRITE: usize> ReadNorFlash for SimFlash<ERASE, WRITE> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), SimError> {
        if !self.powered {
            return Err(SimError::PowerLost);
        }
        let (start, end) = self.range(offset, bytes.len(), 1)?;
        self.counters.reads += 1;
        bytes.copy_from_slice(&self.mem[start..end]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.mem.len()
    }
}

impl<const ERASE: usize, const WRITE: usize> NorFlash for SimFlash<ERASE, WRITE> {
    const WRITE_SIZE: usize = WRITE;
    const ERASE_SIZE: usize = ERASE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), SimError> {
        let len = (to as usize)
            .checked_sub(from as usize)
            .ok_or(SimError::OutOfBounds)?;
        let (start, end) = self.range(from, len, ERASE)?;
        let cut = self.begin_op()?;
        self.counters.erases += 1;
        let sectors = len / ERASE;
        match cut {
            None => {
                self.mem[start..end].fill(0xFF);
                self.counters.sectors_erased += sectors as u64;
            }
            Some(CutMode::Lost) => {}
            Some(CutMode::Torn) => {
                let done = sectors / 2;
                let split = start + done * ERASE;
                self.mem[start..split].fill(0xFF);
                self.counters.sectors_erased += done as u64;
                let garbage_end = (split + ERASE).min(end);
                for i in split..garbage_end {
                    self.mem[i] = self.next_garbage();
                }
            }
        }
        if cut.is_some() {
            return Err(SimError::PowerLost);
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), SimError> {
        let (start, end) = self.range(offset, bytes.len(), WRITE)?;
        if let Some(i) = self.mem[start..end].iter().position(|b| *b != 0xFF) {
            return Err(SimError::NotErased(offset + i as u32));
        }
        let cut = self.begin_op()?;
        self.counters.writes += 1;
        let applied = match cut {
            None => bytes.len(),
            Some(CutMode::Lost) => 0,
            Some(CutMode::Torn) => bytes.len() / 2,
        };
        self.mem[start..start + applied].copy_from_slice(&bytes[..applied]);
        self.counters.bytes_written += applied as u64;
        if cut.is_some() {
            return Err(SimError::PowerLost);
        }
        Ok(())
    }
}

impl<const ERASE: usize, const WRITE: usize> MappedFlash for SimFlash<ERASE, WRITE> {
    fn mapped(&self, offset: u32, len: u32) -> Option<&[u8]> {
        let start = offset as usize;
        self.mem.get(start..start.checked_add(len as usize)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Flash = SimFlash<256, 4>;

    #[test]
    fn behaves_like_nor() {
        let mut f = Flash::new(4);
        assert_eq!(f.capacity(), 1024);
        f.write(0, &[1, 2, 3, 4]).unwrap();
        assert_eq!(f.write(0, &[0; 4]), Err(SimError::NotErased(0)));
        assert_eq!(f.write(2, &[0; 4]), Err(SimError::NotAligned));
        assert_eq!(f.erase(0, 100), Err(SimError::NotAligned));
        assert_eq!(f.write(1024, &[0; 4]), Err(SimError::OutOfBounds));
        let mut back = [0u8; 5];
        f.read(0, &mut back).unwrap();
        assert_eq!(back, [1, 2, 3, 4, 0xFF]);
        f.erase(0, 256).unwrap();
        assert!(f.bytes()[..256].iter().all(|b| *b == 0xFF));
        let c = f.counters();
        assert_eq!(
            (c.writes, c.erases, c.bytes_written, c.sectors_erased),
            (1, 1, 4, 1)
        );
        assert_eq!(f.ops(), 2);
    }

    #[test]
    fn lost_cut_applies_nothing_then_stays_dead() {
        let mut f = Flash::new(2);
        f.cut_power_at(1, CutMode::Lost);
        f.write(0, &[0; 8]).unwrap();
        assert_eq!(f.write(8, &[0; 8]), Err(SimError::PowerLost));
        assert_eq!(f.erase(0, 256), Err(SimError::PowerLost));
        let mut b = [0u8; 1];
        assert_eq!(f.read(0, &mut b), Err(SimError::PowerLost));
        f.power_on();
        assert_eq!(
            &f.bytes()[..16],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        );
        f.write(8, &[7; 8]).unwrap();
    }

    #[test]
    fn torn_program_leaves_a_prefix_torn_erase_leaves_garbage() {
        let mut f = Flash::new(4);
        f.cut_power_at(0, CutMode::Torn);
        assert_eq!(f.write(0, &[0; 8]), Err(SimError::PowerLost));
        f.power_on();
        assert_eq!(&f.bytes()[..8], &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        f.write(256, &[0; 256]).unwrap();
        f.cut_power_at(0, CutMode::Torn);
        assert_eq!(f.erase(0, 512), Err(SimError::PowerLost));
        f.power_on();
        assert!(
            f.bytes()[..256].iter().all(|b| *b == 0xFF),
            "first half erased"
        );
        let garbage = &f.bytes()[256..512];
        assert!(garbage.iter().any(|b| *b != 0xFF) && garbage.iter().any(|b| *b != 0));
    }

    #[test]
    fn mapped_view_is_bounded() {
        let f = Flash::new(1);
        assert_eq!(f.mapped(0, 256).map(<[u8]>::len), Some(256));
        assert!(f.mapped(1, 256).is_none());
        assert!(f.mapped(u32::MAX, 2).is_none());
    }
}
