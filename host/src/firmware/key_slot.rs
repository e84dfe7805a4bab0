//! Writing a public key into a firmware image's key slot (`edgekd_device::key_slot`): the slot is
//! found by its marker, which must occur exactly once and inside the file bytes of a `PT_LOAD`
//! segment (bytes the emulator or a flasher actually loads).
//!
//! ```text
//! ELF image ─ find MARKER (once) ─ inside a PT_LOAD's file bytes? ─► slot := encode(key, Written)
//! ```

use edgekd_device::key_slot::{encode, KeyOrigin, MARKER, SLOT_LEN};

use super::elf::{load_segments, ElfError};

/// Why a key cannot be written into an image.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeySlotError {
    /// The image is not an ELF the reader understands.
    #[error(transparent)]
    Elf(#[from] ElfError),
    /// The marker occurs `count` times, not once.
    #[error("the image holds {count} key slots (markers), not one")]
    Slots {
        /// How many markers were found.
        count: usize,
    },
    /// The slot is not in bytes that are loaded onto the device.
    #[error("the key slot at file offset {offset:#x} is in no loaded segment")]
    NotLoaded {
        /// File offset of the slot.
        offset: usize,
    },
}

/// Writes `key` into the one key slot of the ELF `image`, marked as written after linking.
pub fn write_key(image: &mut [u8], key: &[u8; 32]) -> Result<(), KeySlotError> {
    let found: Vec<usize> = image
        .windows(MARKER.len())
        .enumerate()
        .filter(|(_, w)| *w == MARKER)
        .map(|(at, _)| at)
        .collect();
    let &[offset] = found.as_slice() else {
        return Err(KeySlotError::Slots { count: found.len() });
    };
    let end = offset + SLOT_LEN;
    let loaded = load_segments(image)?.iter().any(|s| {
        let start = s.offset as usize;
        start <= offset && end <= start + s.file_size as usize
    });
    let slot = image
        .get_mut(offset..end)
        .filter(|_| loaded)
        .ok_or(KeySlotError::NotLoaded { offset })?;
    slot.copy_from_slice(&encode(Some(*key), KeyOrigin::Written));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firmware::elf::tests::elf_with;
    use edgekd_device::key_slot::{decode, SlotError};

    /// An ELF whose one loaded segment (file offset 0x100, 0x80 bytes) holds an empty slot at
    /// `at` (an offset into the whole file).
    fn image_with_slot_at(at: usize) -> Vec<u8> {
        let mut image = elf_with(&[[1, 0, 0, 0x80, 0x80]]);
        image.resize(0x200, 0xee);
        image[at..at + SLOT_LEN].copy_from_slice(&encode(None, KeyOrigin::Build));
        image
    }

    fn slot_at(image: &[u8], at: usize) -> [u8; SLOT_LEN] {
        image[at..at + SLOT_LEN].try_into().unwrap()
    }

    #[test]
    fn the_key_lands_in_the_slot_and_nothing_else_changes() {
        let mut image = image_with_slot_at(0x120);
        let before = image.clone();
        assert_eq!(decode(&slot_at(&image, 0x120)), Err(SlotError::Empty));
        write_key(&mut image, &[0x42; 32]).unwrap();
        assert_eq!(
            decode(&slot_at(&image, 0x120)),
            Ok(([0x42; 32], KeyOrigin::Written))
        );
        let changed: Vec<usize> = (0..image.len())
            .filter(|&i| image[i] != before[i])
            .collect();
        assert!(changed
            .iter()
            .all(|&i| (0x120 + 16..0x120 + SLOT_LEN).contains(&i)));
        // Writing again (another key) finds the same slot.
        write_key(&mut image, &[0x43; 32]).unwrap();
        assert_eq!(decode(&slot_at(&image, 0x120)).unwrap().0, [0x43; 32]);
    }

    #[test]
    fn images_without_one_loaded_slot_are_refused() {
        let mut none = elf_with(&[[1, 0, 0, 0x80, 0x80]]);
        none.resize(0x200, 0);
        assert_eq!(
            write_key(&mut none, &[1; 32]),
            Err(KeySlotError::Slots { count: 0 })
        );
        let mut two = image_with_slot_at(0x100);
        two[0x140..0x140 + SLOT_LEN].copy_from_slice(&encode(None, KeyOrigin::Build));
        assert_eq!(
            write_key(&mut two, &[1; 32]),
            Err(KeySlotError::Slots { count: 2 })
        );
        // The segment ends at 0x180: a slot at 0x170 reaches past it.
        let mut outside = image_with_slot_at(0x170);
        assert_eq!(
            write_key(&mut outside, &[1; 32]),
            Err(KeySlotError::NotLoaded { offset: 0x170 })
        );
        let mut not_elf = encode(None, KeyOrigin::Build).to_vec();
        assert_eq!(
            write_key(&mut not_elf, &[1; 32]),
            Err(KeySlotError::Elf(ElfError::NotElf32))
        );
    }
}
