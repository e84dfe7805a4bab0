//! A chip for the probe tests: the firmware's storage region in a `Vec<u8>`, with every program call
//! logged and an optional failing call.

use super::probe_flash::{TargetMemory, FIRMWARE_STORAGE_BASE, FIRMWARE_STORAGE_LEN};

/// A chip: `mem` is the storage region at `FIRMWARE_STORAGE_BASE`; every program call is
/// logged as `(address, len)`. `fail_at` makes the k-th program call fail without effect.
#[derive(Debug)]
pub(super) struct Fake {
    pub(super) mem: Vec<u8>,
    pub(super) log: Vec<(u64, usize)>,
    pub(super) fail_at: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("fake probe: {0}")]
pub(super) struct FakeError(&'static str);

impl Fake {
    pub(super) fn erased() -> Self {
        Self {
            mem: vec![0xFF; FIRMWARE_STORAGE_LEN],
            log: Vec::new(),
            fail_at: None,
        }
    }

    fn index(&self, address: u64, len: usize) -> Result<std::ops::Range<usize>, FakeError> {
        let start = address
            .checked_sub(FIRMWARE_STORAGE_BASE)
            .ok_or(FakeError("below the region"))? as usize;
        let end = start + len;
        if end > self.mem.len() {
            return Err(FakeError("past the region"));
        }
        Ok(start..end)
    }
}

impl TargetMemory for Fake {
    type Error = FakeError;

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), FakeError> {
        let range = self.index(address, buf.len())?;
        buf.copy_from_slice(&self.mem[range]);
        Ok(())
    }

    fn program(&mut self, address: u64, data: &[u8]) -> Result<(), FakeError> {
        if self.fail_at == Some(self.log.len()) {
            self.fail_at = None;
            return Err(FakeError("power cut"));
        }
        let range = self.index(address, data.len())?;
        self.log.push((address, data.len()));
        self.mem[range].copy_from_slice(data);
        Ok(())
    }
}
