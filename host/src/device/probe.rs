//! [`flash_with_probe`]: put an artifact on a board through a debug probe (probe-rs, feature
//! `probe`), with the device's own storage code running on the host over [`ProbeFlash`].
//!
//! ```text
//! attach (chip, probe) → reset and halt core 0 → load STORAGE into the shadow
//!   → Storage: begin, chunks, commit (slot, read-back CRC, signature, then boot record)
//!   → flush → read slot + boot records back from the chip → reset core 0
//! ```
//!
//! The core is held in reset-halt from before the first read to the final reset, so the firmware
//! cannot touch its storage (or its learner journal) in between. `probe_flash.rs` has the
//! ordering argument; this file only speaks probe-rs.
//!
//! [`ProbeFlash`]: super::ProbeFlash

use std::cell::Cell;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use probe_rs::flashing::{
    DownloadOptions, FlashError, FlashProgress, ProgressEvent, ProgressOperation,
};
use probe_rs::probe::list::Lister;
use probe_rs::probe::{DebugProbeError, DebugProbeSelector};
use probe_rs::{MemoryInterface, Permissions, Session, SessionConfig};

use super::probe_flash::{ProbeStep, TargetMemory};
use super::probe_install::{install, InstallError, InstallReport, StorageTarget};

/// The chip of the default board (`edgekd_device::board::NRF52840_DK`): an nRF52840.
pub const DEFAULT_CHIP: &str = edgekd_device::board::NRF52840_DK.chip;

/// How long the core may take to halt.
const HALT_TIMEOUT: Duration = Duration::from_millis(500);

/// Why flashing through the probe failed; each names what and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// The `--probe-selector` does not parse.
    #[error("probe selector {selector:?}: expected VID:PID[:SERIAL] in hex: {source}")]
    Selector {
        /// What was given.
        selector: String,
        /// probe-rs's parse error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The selected probe could not be opened.
    #[error("opening debug probe {selector}: {source}")]
    Open {
        /// The selector.
        selector: String,
        /// probe-rs's error.
        source: DebugProbeError,
    },
    /// Attaching to the chip failed (no probe, wrong chip name, chip locked).
    #[error("attaching to {chip} through {probe}: {source}")]
    Attach {
        /// The chip name.
        chip: String,
        /// Which probe: the selector, or "the first probe found".
        probe: String,
        /// probe-rs's error.
        source: probe_rs::Error,
    },
    /// The storage region is not inside one flash region of the chip.
    #[error("{chip}: storage {start:#010x}..{end:#010x} is not inside the chip's flash")]
    NotInFlash {
        /// The chip name.
        chip: String,
        /// First byte of the storage region.
        start: u64,
        /// One past its last byte.
        end: u64,
    },
    /// Halting or resetting core 0 failed.
    #[error("{what} core 0 of {chip}: {source}")]
    Core {
        /// `"halting"` or `"resetting"`.
        what: &'static str,
        /// The chip name.
        chip: String,
        /// probe-rs's error.
        source: probe_rs::Error,
    },
    /// The install failed (the model that was running stays bootable); core 0 was reset.
    #[error("{chip}: {source}")]
    Install {
        /// The chip name.
        chip: String,
        /// What failed.
        source: Box<InstallError>,
    },
    /// The model was installed and verified, but core 0 did not reset: power-cycle the board.
    #[error("{chip}: model installed in slot {:?} and verified, but resetting core 0 failed: {source}", report.slot)]
    Reset {
        /// The chip name.
        chip: String,
        /// What was installed.
        report: InstallReport,
        /// probe-rs's error.
        source: probe_rs::Error,
    },
}

/// A probe access that failed ([`ProbeFlash`](super::ProbeFlash) adds the address).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChipError {
    /// Reading through core 0's memory interface failed.
    #[error("core 0 memory access: {0}")]
    Core(#[from] probe_rs::Error),
    /// The flash loader (erase, program, verify) failed.
    #[error("flash loader: {0}")]
    Flash(#[from] FlashError),
}

/// The chip's memory through a probe-rs [`Session`]: reads through core 0, programs through the
/// target's flash loader (which erases whole sectors and keeps the bytes outside the data).
pub struct SessionMemory<'p> {
    session: Session,
    progress: &'p dyn Fn(ProbeStep, u64, u64),
}

impl std::fmt::Debug for SessionMemory<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMemory")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl<'p> SessionMemory<'p> {
    /// Wraps `session`; `progress` hears of programming as [`ProbeStep::Programming`].
    pub fn new(session: Session, progress: &'p dyn Fn(ProbeStep, u64, u64)) -> Self {
        Self { session, progress }
    }

    /// The session.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }
}

impl TargetMemory for SessionMemory<'_> {
    type Error = ChipError;

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), ChipError> {
        self.session.core(0)?.read(address, buf)?;
        Ok(())
    }

    fn program(&mut self, address: u64, data: &[u8]) -> Result<(), ChipError> {
        let mut loader = self.session.target().flash_loader();
        loader.add_data(address, data)?;
        let total = data.len() as u64;
        let progress = self.progress;
        let done = Cell::new(0u64);
        let mut options = DownloadOptions::new();
        options.keep_unwritten_bytes = true;
        options.verify = true;
        options.progress = FlashProgress::new(|event| {
            if let ProgressEvent::Progress {
                operation: ProgressOperation::Program,
                size,
                ..
            } = event
            {
                done.set(done.get().saturating_add(size).min(total));
                progress(ProbeStep::Programming, done.get(), total);
            }
        });
        progress(ProbeStep::Programming, 0, total);
        loader.commit(&mut self.session, options)?;
        // The flash loader resets and halts the core to run its algorithm; make sure it stays
        // halted (the firmware must not run until the final reset).
        self.session.core(0)?.halt(HALT_TIMEOUT)?;
        progress(ProbeStep::Programming, total, total);
        Ok(())
    }
}

/// Attaches to `chip` through the probe `selector` (`VID:PID[:SERIAL]`, hex), or the first
/// probe found.
pub fn attach(chip: &str, selector: Option<&str>) -> Result<Session, ProbeError> {
    let attach_err = |probe: &str| {
        let (chip, probe) = (chip.to_string(), probe.to_string());
        move |source| ProbeError::Attach {
            chip,
            probe,
            source,
        }
    };
    let Some(selector) = selector else {
        return Session::auto_attach(chip, SessionConfig::default())
            .map_err(attach_err("the first probe found"));
    };
    let parsed: DebugProbeSelector = selector.parse().map_err(|e| ProbeError::Selector {
        selector: selector.to_string(),
        source: Box::new(e),
    })?;
    let probe = Lister::new()
        .open(parsed)
        .map_err(|source| ProbeError::Open {
            selector: selector.to_string(),
            source,
        })?;
    probe
        .attach(chip, Permissions::default())
        .map_err(attach_err(selector))
}

/// Refuses a storage region that is not inside one flash (NVM) region of the chip.
fn check_in_flash(session: &Session, chip: &str, target: StorageTarget) -> Result<(), ProbeError> {
    let (start, end) = (target.base, target.base + target.len as u64);
    let inside = session.target().memory_map.iter().any(|region| {
        region
            .as_nvm_region()
            .is_some_and(|nvm| nvm.range.start <= start && end <= nvm.range.end)
    });
    if inside {
        Ok(())
    } else {
        Err(ProbeError::NotInFlash {
            chip: chip.to_string(),
            start,
            end,
        })
    }
}

/// Installs `artifact` (which must be signed by `key`, the key the firmware was built with) into
/// the A/B slots of the firmware's storage region at `storage_base` on `chip`, through the probe
/// `probe_selector` or the first one found; reads it back from the chip, then resets the core.
/// `progress(step, done, total)` hears of reading, programming and verifying.
pub fn flash_with_probe(
    artifact: &[u8],
    chip: &str,
    probe_selector: Option<&str>,
    storage_base: u64,
    key: &VerifyingKey,
    progress: &dyn Fn(ProbeStep, u64, u64),
) -> Result<InstallReport, ProbeError> {
    let target = StorageTarget::firmware(storage_base);
    let mut session = attach(chip, probe_selector)?;
    check_in_flash(&session, chip, target)?;
    let core_err = |what: &'static str| {
        let chip = chip.to_string();
        move |source| ProbeError::Core { what, chip, source }
    };
    session
        .core(0)
        .and_then(|mut core| core.reset_and_halt(HALT_TIMEOUT))
        .map_err(core_err("halting"))?;
    let mut memory = SessionMemory::new(session, progress);
    let installed = install(&mut memory, target, artifact, key, progress);
    // Reset either way: after a failure the chip still boots the model it ran before.
    let reset = memory.session().core(0).and_then(|mut core| core.reset());
    match (installed, reset) {
        (Ok(report), Ok(())) => Ok(report),
        (Ok(report), Err(source)) => Err(ProbeError::Reset {
            chip: chip.to_string(),
            report,
            source,
        }),
        (Err(source), _) => Err(ProbeError::Install {
            chip: chip.to_string(),
            source: Box::new(source),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_selector_is_refused_before_any_probe_is_touched() {
        for bad in ["nonsense", "1366", "zz:1015"] {
            let err = attach(DEFAULT_CHIP, Some(bad)).unwrap_err();
            assert!(matches!(err, ProbeError::Selector { .. }), "{bad}: {err}");
            assert!(err.to_string().contains(bad));
        }
    }
}
