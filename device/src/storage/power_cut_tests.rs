//! Power-cut and misuse tests of the A/B storage on `SimFlash`.
//!
//! The exhaustive tests flash a new model with a power cut at every single program/erase
//! operation, in both cut modes, then reboot and check that the device runs the old model or the
//! new one (never neither, never anything else), and the new one whenever the update completed.

use super::sim::{CutMode, SimFlash};
use super::*;
use edgekd_shared::checksum::crc32;

/// Stand-in for the artifact signature: a magic, a body, and a keyed CRC over the body.
const MAGIC: &[u8; 4] = b"MODL";
const KEY: &[u8] = b"device-key";

fn keyed_tag(body: &[u8]) -> u32 {
    let mut keyed = KEY.to_vec();
    keyed.extend_from_slice(body);
    crc32(&keyed)
}

/// A "signed" model of `len` bytes whose content depends on `tag`.
fn model(tag: u8, len: usize) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let mut x = u32::from(tag).wrapping_mul(0x0100_0193) ^ 0x811C_9DC5;
    while out.len() < len - 4 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push(x.to_le_bytes()[1]);
    }
    let tag = keyed_tag(&out);
    out.extend_from_slice(&tag.to_le_bytes());
    out
}

fn validate(image: &[u8]) -> bool {
    if image.len() < 8 || &image[..4] != MAGIC {
        return false;
    }
    let (body, tag) = image.split_at(image.len() - 4);
    tag == keyed_tag(body).to_le_bytes()
}

fn flash_model<F: NorFlash + MappedFlash>(
    storage: &mut Storage<F>,
    image: &[u8],
    chunk: usize,
) -> Result<ActiveModel, StorageError> {
    storage.begin_update(image.len() as u32)?;
    let mut offset = 0u32;
    for piece in image.chunks(chunk) {
        offset = storage.write_chunk(offset, piece)?;
    }
    storage.commit_update(&validate)
}

/// Boot regions of one sector, slots of `slot_sectors`, a journal of two sectors.
fn layout<const E: usize>(slot_sectors: u32) -> Layout {
    let e = E as u32;
    Layout::contiguous(0, e, slot_sectors * e, 2 * e)
}

fn sectors(slot_sectors: u32) -> usize {
    (2 + 2 * slot_sectors + 2) as usize
}

fn mount<const E: usize, const W: usize>(
    flash: SimFlash<E, W>,
    slot_sectors: u32,
) -> Storage<SimFlash<E, W>> {
    Storage::mount(flash, layout::<E>(slot_sectors), &validate).expect("mount")
}

/// Flashes `history` in order on a fresh device, then flashes `new` with a power cut at every
/// operation in turn. Returns how many cut points were exercised.
fn exhaustive<const E: usize, const W: usize>(
    slot_sectors: u32,
    history: &[Vec<u8>],
    new: &[u8],
    chunk: usize,
) -> u64 {
    let mut cuts = 0;
    for mode in [CutMode::Lost, CutMode::Torn] {
        for k in 0.. {
            let mut s = mount(SimFlash::<E, W>::new(sectors(slot_sectors)), slot_sectors);
            for old in history {
                flash_model(&mut s, old, chunk).expect("setup flash");
            }
            let old = history.last().map(Vec::as_slice);
            let before = s.flash().ops();
            s.flash_mut().cut_power_at(k, mode);
            let result = flash_model(&mut s, new, chunk);
            let cut = !s.flash().is_powered();
            let used = s.flash().ops() - before;
            let mut flash = s.into_flash();
            flash.power_on();
            let mut s = mount(flash, slot_sectors);
            let running = s.model().map(<[u8]>::to_vec);
            match (&running, old) {
                (Some(m), Some(o)) => assert!(
                    m == new || m == o,
                    "{mode:?} cut at op {k}: runs neither the old nor the new model"
                ),
                (Some(m), None) => assert!(m == new, "{mode:?} cut at op {k}: runs garbage"),
                (None, Some(_)) => panic!("{mode:?} cut at op {k}: no model after reboot"),
                (None, None) => {}
            }
            if result.is_ok() {
                assert_eq!(running.as_deref(), Some(new), "{mode:?} op {k}: completed");
            }
            if !cut {
                assert!(result.is_ok(), "no cut, yet {result:?}");
                assert_eq!(k, used, "every one of the {used} operations was cut once");
                break;
            }
            assert!(
                result.is_err(),
                "{mode:?} op {k}: a cut update reported success"
            );
            // The device recovers: a later full update succeeds and survives a reboot.
            let next = model(0xEE, new.len() / 2 + 9);
            flash_model(&mut s, &next, chunk).expect("update after a cut");
            let s = mount(s.into_flash(), slot_sectors);
            assert_eq!(
                s.model(),
                Some(next.as_slice()),
                "{mode:?} op {k}: after recovery"
            );
            cuts += 1;
        }
    }
    println!(
        "erase {E} B, write {W} B, {} old models, new model {} B: {cuts} power cuts survived",
        history.len(),
        new.len()
    );
    cuts
}

#[test]
fn every_cut_during_the_first_update_leaves_old_and_new() {
    let old = model(1, 3001);
    let new = model(2, 4321);
    let cuts = exhaustive::<1024, 8>(6, &[old], &new, 100);
    // 5 sector erases, 44 chunks of 100 bytes in 8-byte words (1 or 2 programs each),
    // 1 boot-region erase and 1 record program; each op cut in both modes.
    assert!(cuts > 2 * 50, "{cuts}");
}

#[test]
fn every_cut_with_both_boot_records_in_use() {
    let history = [model(1, 2000), model(2, 5000), model(3, 3333)];
    let new = model(4, 6143);
    assert!(exhaustive::<1024, 8>(6, &history, &new, 97) > 100);
}

#[test]
fn every_cut_on_a_fresh_device_leaves_nothing_or_new() {
    let new = model(9, 2500);
    assert!(exhaustive::<1024, 4>(4, &[], &new, 256) > 10);
}

#[test]
fn every_cut_with_other_geometries() {
    let history = [model(1, 700), model(2, 900)];
    let new = model(3, 1001);
    assert!(exhaustive::<256, 1>(5, &history, &new, 64) > 20);
    assert!(exhaustive::<4096, 256>(1, &history, &new, 300) > 4);
    assert!(exhaustive::<512, 16>(3, &history, &new, 33) > 40);
}

#[test]
fn tampered_or_misannounced_images_never_become_active() {
    let old = model(1, 3000);
    let mut s = mount(SimFlash::<1024, 8>::new(sectors(6)), 6);
    flash_model(&mut s, &old, 128).unwrap();

    // Body changed after signing; the announced CRC matches the tampered bytes.
    let mut tampered = model(2, 4000);
    tampered[100] ^= 0x40;
    assert_eq!(
        flash_model(&mut s, &tampered, 128),
        Err(StorageError::Rejected)
    );
    assert_eq!(s.model(), Some(old.as_slice()));

    // A valid image whose bytes change in the slot after they were written (a flash fault).
    let new = model(3, 4000);
    let slot = s.begin_update(new.len() as u32).unwrap();
    s.write_chunk(0, &new).unwrap();
    let at = s.layout().slot(slot).offset as usize + 100;
    s.flash_mut().bytes_mut()[at] ^= 0x01;
    assert!(matches!(
        s.commit_update(&validate),
        Err(StorageError::CrcMismatch { .. })
    ));
    assert_eq!(s.update_progress(), None);

    let s = mount(s.into_flash(), 6);
    assert_eq!(s.model(), Some(old.as_slice()));
    assert_eq!(s.active().map(|m| m.seq), Some(1));
}

#[test]
fn too_large_is_refused_before_any_erase() {
    let mut s = mount(SimFlash::<1024, 8>::new(sectors(2)), 2);
    let ops = s.flash().ops();
    assert_eq!(
        s.begin_update(2049),
        Err(StorageError::TooLarge {
            len: 2049,
            capacity: 2048
        })
    );
    assert!(matches!(
        s.begin_update(0),
        Err(StorageError::TooLarge { .. })
    ));
    assert_eq!(s.flash().ops(), ops);
    assert_eq!(s.slot_capacity(), 2048);
    let fits = model(5, 2048);
    assert!(flash_model(&mut s, &fits, 512).is_ok());
}

#[test]
fn chunk_protocol_errors_are_typed_and_recoverable() {
    let new = model(7, 1000);
    let mut s = mount(SimFlash::<1024, 8>::new(sectors(2)), 2);
    assert_eq!(s.write_chunk(0, &new[..10]), Err(StorageError::NoUpdate));
    assert_eq!(s.read_update(0, &mut [0u8; 1]), Err(StorageError::NoUpdate));
    assert_eq!(s.commit_update(&validate), Err(StorageError::NoUpdate));
    assert_eq!(s.begin_update(1000), Ok(Slot::A));
    assert_eq!(s.write_chunk(0, &new[..333]), Ok(333));
    assert_eq!(
        s.write_chunk(0, &new[..333]),
        Err(StorageError::OutOfOrder {
            expected: 333,
            got: 0
        })
    );
    assert_eq!(
        s.write_chunk(333, &new[..700]),
        Err(StorageError::Overrun {
            total: 1000,
            end: 1033
        })
    );
    assert_eq!(
        s.commit_update(&validate),
        Err(StorageError::Incomplete {
            written: 333,
            total: 1000
        })
    );
    let mut back = [0u8; 8];
    s.read_slot(Slot::A, 0, &mut back).unwrap();
    assert_eq!(&back, &new[..8]);
    // 333 bytes in 8-byte words: 328 programmed, 5 held in RAM; read-back sees all of them.
    let mut span = [0u8; 20];
    s.read_update(313, &mut span).unwrap();
    assert_eq!(&span, &new[313..333]);
    let mut head = [0u8; 8];
    s.read_update(0, &mut head).unwrap();
    assert_eq!(&head, &new[..8]);
    let mut tail = [0u8; 3];
    s.read_update(330, &mut tail).unwrap();
    assert_eq!(&tail, &new[330..333]);
    assert!(matches!(
        s.read_update(330, &mut [0u8; 4]),
        Err(StorageError::OutOfRange { capacity: 333, .. })
    ));
    assert_eq!(s.write_chunk(333, &new[333..]), Ok(1000));
    let m = s.commit_update(&validate).unwrap();
    assert_eq!((m.slot, m.len, m.seq), (Slot::A, 1000, 1));
    assert!(matches!(
        s.read_slot(Slot::A, 2044, &mut back),
        Err(StorageError::OutOfRange { .. })
    ));
    // The next update goes to the other slot, and abort leaves A running.
    assert_eq!(s.begin_update(1000), Ok(Slot::B));
    s.abort_update();
    assert_eq!(s.write_chunk(0, &new), Err(StorageError::NoUpdate));
    assert_eq!(s.active().map(|m| m.slot), Some(Slot::A));
}

#[test]
fn bit_rot_in_the_running_slot_falls_back_to_the_previous_model() {
    let (a, b) = (model(1, 1500), model(2, 1700));
    let mut s = mount(SimFlash::<1024, 8>::new(sectors(2)), 2);
    flash_model(&mut s, &a, 200).unwrap();
    flash_model(&mut s, &b, 200).unwrap();
    assert_eq!(s.active().map(|m| (m.slot, m.seq)), Some((Slot::B, 2)));
    let mut flash = s.into_flash();
    let slot_b = layout::<1024>(2).slot(Slot::B).offset as usize;
    flash.bytes_mut()[slot_b + 10] ^= 0x01;
    let mut s = mount(flash, 2);
    assert_eq!(s.model(), Some(a.as_slice()));
    let report = *s.boot_report();
    assert!(report.fell_back);
    assert_eq!(report.slot_ok, [true, false]);
    // Updating now writes B again and a record with seq 3 over the stale one.
    let c = model(3, 1234);
    let m = flash_model(&mut s, &c, 200).unwrap();
    assert_eq!((m.slot, m.seq), (Slot::B, 3));
    let s = mount(s.into_flash(), 2);
    assert_eq!(s.model(), Some(c.as_slice()));
    assert!(!s.boot_report().fell_back);
}

#[test]
fn bad_layouts_and_geometries_are_refused() {
    let flash = SimFlash::<1024, 8>::new(4);
    let too_big = Layout::contiguous(0, 1024, 4096, 0);
    assert!(matches!(
        Storage::mount(flash.clone(), too_big, &validate),
        Err(StorageError::Layout(LayoutError::OutOfBounds { .. }))
    ));
    let misaligned = Layout::contiguous(512, 1024, 1024, 0);
    assert!(matches!(
        Storage::mount(flash, misaligned, &validate),
        Err(StorageError::Layout(LayoutError::Misaligned { .. }))
    ));
    let huge_words = SimFlash::<1024, 512>::new(8);
    assert!(matches!(
        Storage::mount(huge_words, Layout::contiguous(0, 1024, 1024, 0), &validate),
        Err(StorageError::Geometry { .. })
    ));
}

#[test]
fn garbage_everywhere_boots_no_model() {
    let mut flash = SimFlash::<1024, 8>::new(sectors(2));
    let mut x = 0x1234_5678u32;
    for b in flash.bytes_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let mut s = mount(flash, 2);
    assert_eq!(s.active(), None);
    assert_eq!(s.model(), None);
    assert!(s.boot_report().records.iter().all(Result::is_err));
    // Garbage does not block a first flash (the slot is erased first).
    let m = model(4, 999);
    flash_model(&mut s, &m, 100).unwrap();
    assert_eq!(mount(s.into_flash(), 2).model(), Some(m.as_slice()));
}

/// Every chunking of models of awkward lengths lands byte-exact in flash, for several word sizes.
fn chunking_sweep<const E: usize, const W: usize>() {
    for len in [9usize, W + 11, 3 * W + 1, 1000, 2 * E - 1] {
        for chunk in 1..=(2 * W + 3) {
            let image = model((len + chunk) as u8, len);
            let len = image.len();
            let mut s = mount(SimFlash::<E, W>::new(sectors(2)), 2);
            let m = flash_model(&mut s, &image, chunk).unwrap();
            assert_eq!(s.model(), Some(image.as_slice()), "len {len} chunk {chunk}");
            let start = layout::<E>(2).slot(m.slot).offset as usize;
            // Past the model, the rest of its last word is 0xFF padding.
            let after = &s.flash().bytes()[start + len..start + len.next_multiple_of(W)];
            assert!(after.iter().all(|b| *b == 0xFF));
        }
    }
}

#[test]
fn any_chunking_writes_the_exact_bytes() {
    chunking_sweep::<1024, 1>();
    chunking_sweep::<1024, 4>();
    chunking_sweep::<1024, 8>();
    chunking_sweep::<2048, 32>();
}
