//! Where boot records, model slots and the learner journal live inside one flash region.

use edgekd_shared::protocol::Slot;

/// A byte range of the flash: `offset..offset + len`, in bytes from the start of the `NorFlash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
}

impl Region {
    /// One past the last byte, `None` if that overflows `u32`.
    pub const fn end(&self) -> Option<u32> {
        self.offset.checked_add(self.len)
    }

    fn overlaps(&self, other: &Region) -> bool {
        match (self.end(), other.end()) {
            (Some(a_end), Some(b_end)) => self.offset < b_end && other.offset < a_end,
            _ => true,
        }
    }
}

/// The storage map:
///
/// ```text
/// | boot record 0 | boot record 1 | slot A | slot B | learner journal |
/// ```
///
/// Each boot-record region holds one record at its start and is erased as a whole when a new
/// record is written there. Every region must start and end on an erase-sector boundary, and no
/// two may overlap. The journal is reserved for the on-device learner (its format is not defined
/// here); storage never touches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The two boot-record regions (one or more erase sectors each).
    pub boot: [Region; 2],
    /// Model slots A and B.
    pub slots: [Region; 2],
    /// The learner journal (may be empty: `len == 0`).
    pub journal: Region,
}

/// Why a [`Layout`] does not fit a flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// A region does not start or end on an erase-sector boundary.
    Misaligned {
        /// The region's name: "boot0", "boot1", "slot A", "slot B" or "journal".
        region: &'static str,
        /// The erase size it must be a multiple of.
        erase_size: u32,
    },
    /// A region reaches past the flash's capacity.
    OutOfBounds {
        /// The region's name.
        region: &'static str,
        /// The flash capacity in bytes.
        capacity: u32,
    },
    /// Two regions share bytes.
    Overlap {
        /// The first region's name.
        a: &'static str,
        /// The second region's name.
        b: &'static str,
    },
    /// A boot region or a slot is empty, or a boot region cannot hold one record.
    TooSmall {
        /// The region's name.
        region: &'static str,
    },
}

impl core::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LayoutError::Misaligned { region, erase_size } => {
                write!(
                    f,
                    "{region} is not aligned to the {erase_size}-byte erase size"
                )
            }
            LayoutError::OutOfBounds { region, capacity } => {
                write!(f, "{region} reaches past the {capacity}-byte flash")
            }
            LayoutError::Overlap { a, b } => write!(f, "{a} overlaps {b}"),
            LayoutError::TooSmall { region } => write!(f, "{region} is too small"),
        }
    }
}

const NAMES: [&str; 5] = ["boot0", "boot1", "slot A", "slot B", "journal"];

impl Layout {
    /// Regions back to back from `base`: two boot regions of `boot_len` bytes each, two slots of
    /// `slot_len` bytes, then a journal of `journal_len` bytes. Saturates instead of overflowing;
    /// [`Layout::check`] then reports the problem.
    pub const fn contiguous(base: u32, boot_len: u32, slot_len: u32, journal_len: u32) -> Layout {
        let boot1 = base.saturating_add(boot_len);
        let slot_a = boot1.saturating_add(boot_len);
        let slot_b = slot_a.saturating_add(slot_len);
        let journal = slot_b.saturating_add(slot_len);
        Layout {
            boot: [
                Region {
                    offset: base,
                    len: boot_len,
                },
                Region {
                    offset: boot1,
                    len: boot_len,
                },
            ],
            slots: [
                Region {
                    offset: slot_a,
                    len: slot_len,
                },
                Region {
                    offset: slot_b,
                    len: slot_len,
                },
            ],
            journal: Region {
                offset: journal,
                len: journal_len,
            },
        }
    }

    /// The default profile `m4-1m` (1 MiB flash in 4 KiB pages, artifact ≤ 256 KiB, learner state
    /// ≤ 16 KiB): boot regions of 4 KiB, slots of 256 KiB, a 64 KiB journal (two halves, each a
    /// snapshot plus updates): 584 KiB from `base`, leaving 440 KiB for firmware at `base = 440 KiB`.
    pub const fn m4_1m(base: u32) -> Layout {
        Layout::contiguous(base, 4 * 1024, 256 * 1024, 64 * 1024)
    }

    /// The small profile `m4-256k` (256 KiB flash in 4 KiB pages, artifact ≤ 96 KiB, learner
    /// state ≤ 8 KiB): boot regions of 4 KiB, slots of 96 KiB, a 24 KiB journal: 224 KiB from
    /// `base`, leaving 32 KiB for firmware.
    pub const fn m4_256k(base: u32) -> Layout {
        Layout::contiguous(base, 4 * 1024, 96 * 1024, 24 * 1024)
    }

    /// The region of `slot`.
    pub const fn slot(&self, slot: Slot) -> Region {
        self.slots[slot.index()]
    }

    /// Total bytes from the first region's start to the last region's end.
    pub fn span(&self) -> Option<u32> {
        let regions = self.regions();
        let start = regions.iter().map(|r| r.offset).min()?;
        let end = regions
            .iter()
            .map(Region::end)
            .try_fold(0u32, |acc, e| Some(acc.max(e?)))?;
        end.checked_sub(start)
    }

    fn regions(&self) -> [Region; 5] {
        [
            self.boot[0],
            self.boot[1],
            self.slots[0],
            self.slots[1],
            self.journal,
        ]
    }

    /// Checks alignment to `erase_size`, bounds against `capacity`, that no regions overlap, and
    /// that each boot region holds at least `min_boot_len` bytes.
    pub fn check(
        &self,
        capacity: u32,
        erase_size: u32,
        min_boot_len: u32,
    ) -> Result<(), LayoutError> {
        let regions = self.regions();
        for (region, name) in regions.iter().zip(NAMES) {
            let end = region.end().ok_or(LayoutError::OutOfBounds {
                region: name,
                capacity,
            })?;
            if erase_size == 0 || region.offset % erase_size != 0 || region.len % erase_size != 0 {
                return Err(LayoutError::Misaligned {
                    region: name,
                    erase_size,
                });
            }
            if end > capacity {
                return Err(LayoutError::OutOfBounds {
                    region: name,
                    capacity,
                });
            }
        }
        for (i, name) in NAMES.iter().enumerate().take(4) {
            let len = regions.get(i).map_or(0, |r| r.len);
            if len == 0 || (i < 2 && len < min_boot_len) {
                return Err(LayoutError::TooSmall { region: name });
            }
        }
        for (i, a) in regions.iter().enumerate() {
            for (j, b) in regions.iter().enumerate().skip(i + 1) {
                if a.len > 0 && b.len > 0 && a.overlaps(b) {
                    return Err(LayoutError::Overlap {
                        a: NAMES.get(i).copied().unwrap_or("?"),
                        b: NAMES.get(j).copied().unwrap_or("?"),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_layout_checks() {
        let l = Layout::contiguous(0x1000, 0x1000, 0x4000, 0x2000);
        assert_eq!(l.slot(Slot::A).offset, 0x3000);
        assert_eq!(l.slot(Slot::B).offset, 0x7000);
        assert_eq!(l.journal.offset, 0xB000);
        assert_eq!(l.span(), Some(0xC000));
        assert_eq!(l.check(0xD000, 0x1000, 32), Ok(()));
        assert_eq!(
            l.check(0xC000, 0x1000, 32),
            Err(LayoutError::OutOfBounds {
                region: "journal",
                capacity: 0xC000
            })
        );
        assert!(matches!(
            l.check(0xD000, 0x3000, 32),
            Err(LayoutError::Misaligned { .. })
        ));
        assert_eq!(
            l.check(0xD000, 0x1000, 0x2000),
            Err(LayoutError::TooSmall { region: "boot0" })
        );
    }

    #[test]
    fn profile_layouts_fit_their_flash() {
        let big = Layout::m4_1m(440 * 1024);
        assert_eq!(big.span(), Some(584 * 1024));
        assert_eq!(big.check(1024 * 1024, 4096, 32), Ok(()));
        assert_eq!(big.journal.end(), Some(1024 * 1024));
        let small = Layout::m4_256k(32 * 1024);
        assert_eq!(small.span(), Some(224 * 1024));
        assert_eq!(small.check(256 * 1024, 4096, 32), Ok(()));
    }

    #[test]
    fn overlap_and_empty_slots_are_refused() {
        let mut l = Layout::contiguous(0, 0x100, 0x400, 0);
        assert_eq!(l.check(0x1000, 0x100, 32), Ok(()));
        l.slots[1].offset = 0x300;
        assert_eq!(
            l.check(0x1000, 0x100, 32),
            Err(LayoutError::Overlap {
                a: "slot A",
                b: "slot B"
            })
        );
        let empty = Layout::contiguous(0, 0x100, 0, 0);
        assert_eq!(
            empty.check(0x1000, 0x100, 32),
            Err(LayoutError::TooSmall { region: "slot A" })
        );
        let overflow = Layout::contiguous(u32::MAX - 0xFF, 0x100, 0x100, 0);
        assert!(overflow.check(u32::MAX, 0x100, 32).is_err());
    }
}
