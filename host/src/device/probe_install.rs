//! [`install`]: an artifact into a board's A/B slots through a [`TargetMemory`], with the device's own
//! `Storage` over a [`ProbeFlash`], then read back from the chip itself; and [`check_model`], the
//! firmware's commit-time checks run on the host.

use ed25519_dalek::VerifyingKey;
use edgekd_device::engine::{arena_size, EngineError};
use edgekd_device::storage::{BootRecord, Layout, Storage, StorageError, RECORD_LEN};
use edgekd_shared::artifact::{decode, model_id, ArtifactError, ModelId, VerifyPolicy};
use edgekd_shared::checksum::crc32;
use edgekd_shared::profile::M4_1M;
use edgekd_shared::protocol::Slot;

use super::probe_flash::{
    target_error, ProbeFlash, ProbeFlashError, ProbeStep, TargetMemory, FIRMWARE_LAYOUT,
    FIRMWARE_STORAGE_LEN, PROBE_ERASE_SIZE, READ_BLOCK,
};

/// Why an artifact may not run on the firmware (the checks its commit-time validator makes).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelCheckError {
    /// The artifact does not decode, validate, or verify against the key.
    #[error("artifact refused: {0}")]
    Artifact(#[from] ArtifactError),
    /// The engine cannot plan its arena.
    #[error("artifact refused: {0}")]
    Engine(#[from] EngineError),
    /// Its inference arena exceeds the board's.
    #[error("artifact needs a {needed}-byte arena; the m4-1m board has {budget}")]
    Arena {
        /// Bytes the model needs.
        needed: usize,
        /// Bytes the board has.
        budget: usize,
    },
}

/// Checks `image` as the firmware does before it makes a model active: it decodes and validates
/// with a signature by `key`, and its arena fits the `m4-1m` board. (The firmware also checks
/// that a head master fits its learner; a model failing only that would not boot, and the device
/// would keep running the old one.)
pub fn check_model(image: &[u8], key: &VerifyingKey) -> Result<(), ModelCheckError> {
    let model = decode(image, VerifyPolicy::RequireKey(key))?;
    let needed = arena_size(&model)?;
    if needed > M4_1M.max_arena {
        return Err(ModelCheckError::Arena {
            needed,
            budget: M4_1M.max_arena,
        });
    }
    Ok(())
}

/// Where the storage region lies on the chip and how it is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageTarget {
    /// Chip address of the region's first byte.
    pub base: u64,
    /// Bytes of the region.
    pub len: usize,
    /// The layout the firmware mounts over it.
    pub layout: Layout,
}

impl StorageTarget {
    /// The firmware's `STORAGE` region (memory.x) at `base`, with its `m4-1m` layout.
    pub const fn firmware(base: u64) -> Self {
        Self {
            base,
            len: FIRMWARE_STORAGE_LEN,
            layout: FIRMWARE_LAYOUT,
        }
    }
}

/// What [`install`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstallReport {
    /// The slot that now holds the active model.
    pub slot: Slot,
    /// Bytes of the model.
    pub len: u32,
    /// CRC-32 of the model as read back from the chip (equal to the artifact's).
    pub crc32: u32,
    /// The model's identity.
    pub model_id: ModelId,
    /// Sequence number of the boot record that makes it active.
    pub seq: u32,
    /// Program calls made to the chip.
    pub program_calls: u64,
}

/// Why [`install`] failed. Before `Flush` nothing reached the chip after a failed step except
/// whole, flushed sectors; the model that was running stays bootable in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The artifact is over 4 GiB.
    #[error("artifact of {len} bytes is too large")]
    TooLarge {
        /// Its length.
        len: usize,
    },
    /// The artifact would not be accepted by the firmware; nothing was written.
    #[error(transparent)]
    Refused(#[from] ModelCheckError),
    /// Loading the storage region failed; nothing was written.
    #[error("loading the storage region: {0}")]
    Open(#[source] ProbeFlashError),
    /// A step of the device's storage code failed.
    #[error("{step}: {error}")]
    Storage {
        /// `"mount"`, `"begin update"`, `"write chunk"` or `"commit update"`.
        step: &'static str,
        /// The storage error.
        error: StorageError,
        /// The probe failure behind it, if any.
        #[source]
        target: Option<ProbeFlashError>,
    },
    /// Programming the last sectors failed.
    #[error("flushing: {0}")]
    Flush(#[source] ProbeFlashError),
    /// Reading the slot or the boot records back from the chip failed.
    #[error("read-back: {0}")]
    ReadBack(#[source] ProbeFlashError),
    /// The slot read back from the chip differs from the artifact.
    #[error("slot {slot:?} at {address:#010x} read back with CRC {actual:#010x}, artifact has {expected:#010x} (first difference at byte {offset})")]
    Mismatch {
        /// The slot.
        slot: Slot,
        /// Its chip address.
        address: u64,
        /// First differing byte of the model.
        offset: usize,
        /// CRC-32 of the artifact.
        expected: u32,
        /// CRC-32 read back.
        actual: u32,
    },
    /// No boot record read back from the chip names the new model.
    #[error("no boot record on the chip names the new model (expected {expected:?})")]
    BootRecord {
        /// The record storage wrote.
        expected: BootRecord,
    },
}

/// Writes `artifact` into the inactive slot of the storage region on `memory` with the device's
/// own [`Storage`] (begin, chunks, commit: slot, read-back CRC, validator, then the boot record),
/// flushes, then reads the slot and the boot records back from the chip itself (not the shadow)
/// and compares them with the artifact.
pub fn install<M: TargetMemory>(
    memory: &mut M,
    target: StorageTarget,
    artifact: &[u8],
    key: &VerifyingKey,
    progress: &dyn Fn(ProbeStep, u64, u64),
) -> Result<InstallReport, InstallError> {
    let len = u32::try_from(artifact.len()).map_err(|_| InstallError::TooLarge {
        len: artifact.len(),
    })?;
    check_model(artifact, key)?;
    let validator = |image: &[u8]| check_model(image, key).is_ok();
    let flash = ProbeFlash::open(
        &mut *memory,
        target.base,
        target.len,
        &target.layout,
        |done, total| progress(ProbeStep::Reading, done as u64, total as u64),
    )
    .map_err(InstallError::Open)?;
    let mut storage = Storage::mount(flash, target.layout, &validator).map_err(|error| {
        InstallError::Storage {
            step: "mount",
            error,
            target: None,
        }
    })?;
    let failed = |step: &'static str, storage: &Storage<ProbeFlash<&mut M>>| {
        let target = storage.flash().last_error().cloned();
        move |error| InstallError::Storage {
            step,
            error,
            target,
        }
    };
    let crc = crc32(artifact);
    // `check_model` has decoded the artifact, so its container parses.
    let id = model_id(artifact).map_err(ModelCheckError::from)?;
    storage
        .begin_update(len)
        .map_err(failed("begin update", &storage))?;
    let mut offset = 0u32;
    for chunk in artifact.chunks(PROBE_ERASE_SIZE) {
        offset = storage
            .write_chunk(offset, chunk)
            .map_err(failed("write chunk", &storage))?;
    }
    let active = match storage.commit_update(&validator) {
        Ok(active) => active,
        Err(e) => return Err(failed("commit update", &storage)(e)),
    };
    storage.flash_mut().flush().map_err(InstallError::Flush)?;
    let program_calls = storage.flash().program_calls();
    drop(storage);
    verify(memory, target, artifact, active, progress)?;
    Ok(InstallReport {
        slot: active.slot,
        len,
        crc32: crc,
        model_id: id,
        seq: active.seq,
        program_calls,
    })
}

/// Reads the new slot and both boot records back from the chip and checks them.
fn verify<M: TargetMemory>(
    memory: &mut M,
    target: StorageTarget,
    artifact: &[u8],
    active: edgekd_device::storage::ActiveModel,
    progress: &dyn Fn(ProbeStep, u64, u64),
) -> Result<(), InstallError> {
    let slot = target.layout.slot(active.slot);
    let address = target.base + u64::from(slot.offset);
    let mut back = vec![0u8; artifact.len()];
    let mut done = 0;
    for block in back.chunks_mut(READ_BLOCK) {
        let at = address + done as u64;
        memory
            .read(at, block)
            .map_err(target_error("read", at, block.len()))
            .map_err(InstallError::ReadBack)?;
        done += block.len();
        progress(ProbeStep::Verifying, done as u64, artifact.len() as u64);
    }
    if back != artifact {
        return Err(InstallError::Mismatch {
            slot: active.slot,
            address,
            offset: back
                .iter()
                .zip(artifact)
                .position(|(a, b)| a != b)
                .unwrap_or(0),
            expected: crc32(artifact),
            actual: crc32(&back),
        });
    }
    let expected = BootRecord {
        seq: active.seq,
        slot: active.slot,
        model_len: active.len,
        model_crc32: active.crc32,
    };
    for region in target.layout.boot {
        let at = target.base + u64::from(region.offset);
        let mut bytes = [0u8; RECORD_LEN];
        memory
            .read(at, &mut bytes)
            .map_err(target_error("read", at, RECORD_LEN))
            .map_err(InstallError::ReadBack)?;
        if BootRecord::decode(&bytes) == Ok(expected) {
            return Ok(());
        }
    }
    Err(InstallError::BootRecord { expected })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::fake_chip::Fake;
    use crate::device::probe_flash::{FIRMWARE_STORAGE_BASE, PROBE_WRITE_SIZE};
    use ed25519_dalek::SigningKey;
    use edgekd_device::storage::sim::SimFlash;
    use edgekd_device::storage::Region;
    use edgekd_shared::artifact::sample::{sample, SampleKind};

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[42u8; 32])
    }

    fn signed(kind: SampleKind, seed: u64) -> Vec<u8> {
        sample(kind, seed, Some(&key())).unwrap().bytes
    }

    const TARGET: StorageTarget = StorageTarget::firmware(FIRMWARE_STORAGE_BASE);

    fn no_progress(_: ProbeStep, _: u64, _: u64) {}

    /// Mounts the device's storage over a copy of the fake's bytes in the simulated flash.
    fn boot_sim(fake: &Fake, vk: &VerifyingKey) -> Option<(Slot, Vec<u8>)> {
        let mut flash = SimFlash::<PROBE_ERASE_SIZE, PROBE_WRITE_SIZE>::new(
            FIRMWARE_STORAGE_LEN / PROBE_ERASE_SIZE,
        );
        flash.bytes_mut().copy_from_slice(&fake.mem);
        let validator = |image: &[u8]| check_model(image, vk).is_ok();
        let storage = Storage::mount(flash, FIRMWARE_LAYOUT, &validator).unwrap();
        let active = storage.active()?;
        Some((active.slot, storage.model()?.to_vec()))
    }

    fn touches(call: (u64, usize), region: Region) -> bool {
        let start = FIRMWARE_STORAGE_BASE + u64::from(region.offset);
        let end = start + u64::from(region.len);
        call.0 < end && start < call.0 + call.1 as u64
    }

    #[test]
    fn an_update_through_the_shadow_boots_from_the_chip_bytes() {
        let vk = key().verifying_key();
        let mut fake = Fake::erased();
        let first = signed(SampleKind::Bag, 1);
        let report = install(&mut fake, TARGET, &first, &vk, &no_progress).unwrap();
        assert_eq!((report.slot, report.seq), (Slot::A, 1));
        assert_eq!(report.crc32, crc32(&first));
        assert_eq!(boot_sim(&fake, &vk), Some((Slot::A, first.clone())));

        let second = signed(SampleKind::Conv, 2);
        let report = install(&mut fake, TARGET, &second, &vk, &no_progress).unwrap();
        assert_eq!((report.slot, report.seq), (Slot::B, 2));
        assert_eq!(boot_sim(&fake, &vk), Some((Slot::B, second.clone())));

        // A fresh ProbeFlash over the same chip mounts the same model.
        let flash = ProbeFlash::open(
            &mut fake,
            TARGET.base,
            TARGET.len,
            &FIRMWARE_LAYOUT,
            |_, _| {},
        )
        .unwrap();
        let validator = |image: &[u8]| check_model(image, &vk).is_ok();
        let storage = Storage::mount(flash, FIRMWARE_LAYOUT, &validator).unwrap();
        assert_eq!(storage.active().map(|m| m.slot), Some(Slot::B));
        assert_eq!(storage.model(), Some(&second[..]));
    }

    #[test]
    fn slot_sectors_reach_the_chip_before_the_boot_record() {
        let vk = key().verifying_key();
        let mut fake = Fake::erased();
        install(
            &mut fake,
            TARGET,
            &signed(SampleKind::Bag, 3),
            &vk,
            &no_progress,
        )
        .unwrap();
        fake.log.clear();
        let artifact = signed(SampleKind::Conv, 4);
        install(&mut fake, TARGET, &artifact, &vk, &no_progress).unwrap();
        let log = fake.log.clone();
        assert!(log
            .iter()
            .all(|&(a, n)| a % PROBE_ERASE_SIZE as u64 == 0 && n % PROBE_ERASE_SIZE == 0));
        let slot = FIRMWARE_LAYOUT.slot(Slot::B);
        let boot = |c: &(u64, usize)| FIRMWARE_LAYOUT.boot.iter().any(|r| touches(*c, *r));
        let last_slot = log.iter().rposition(|c| touches(*c, slot)).unwrap();
        let first_boot = log.iter().position(boot).unwrap();
        assert!(last_slot < first_boot, "{log:x?}");
        // The boot record's final program is the last call; nothing touches slot A or the journal.
        assert!(boot(log.last().unwrap()));
        assert!(!log
            .iter()
            .any(|c| touches(*c, FIRMWARE_LAYOUT.slot(Slot::A))
                || touches(*c, FIRMWARE_LAYOUT.journal)));
        // No call mixes boot and slot sectors.
        assert!(!log.iter().any(|c| boot(c) && touches(*c, slot)));
    }

    #[test]
    fn a_failed_program_call_leaves_a_bootable_chip() {
        let vk = key().verifying_key();
        let old = signed(SampleKind::Bag, 5);
        let new = signed(SampleKind::Conv, 6);
        let mut base = Fake::erased();
        install(&mut base, TARGET, &old, &vk, &no_progress).unwrap();
        base.log.clear();
        let mut probe = Fake {
            mem: base.mem.clone(),
            ..Fake::erased()
        };
        install(&mut probe, TARGET, &new, &vk, &no_progress).unwrap();
        let calls = probe.log.len();
        assert!(calls >= 3, "slot, erased boot region, boot record: {calls}");
        for k in 0..calls {
            let mut fake = Fake {
                mem: base.mem.clone(),
                log: Vec::new(),
                fail_at: Some(k),
            };
            let err = install(&mut fake, TARGET, &new, &vk, &no_progress).unwrap_err();
            assert!(
                matches!(
                    &err,
                    InstallError::Storage {
                        target: Some(_),
                        ..
                    }
                ),
                "{err}"
            );
            assert_eq!(
                boot_sim(&fake, &vk),
                Some((Slot::A, old.clone())),
                "cut at {k}"
            );
        }
    }

    #[test]
    fn unsigned_or_foreign_artifacts_are_refused_before_anything_is_written() {
        let vk = key().verifying_key();
        let mut fake = Fake::erased();
        let unsigned = sample(SampleKind::Bag, 7, None).unwrap().bytes;
        let foreign = sample(SampleKind::Bag, 7, Some(&SigningKey::from_bytes(&[1; 32])))
            .unwrap()
            .bytes;
        for bytes in [unsigned, foreign] {
            let err = install(&mut fake, TARGET, &bytes, &vk, &no_progress).unwrap_err();
            assert!(matches!(err, InstallError::Refused(_)), "{err}");
        }
        assert!(fake.log.is_empty());
    }
}
