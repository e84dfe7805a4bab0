//! A firmware image measured against its board's budgets (`edgekd_device::board`): flash for
//! the image before the storage region, RAM for the statics with room left for the stack, and
//! the storage region for boot records, both model slots and the learner journal.

use std::fmt;

use edgekd_device::board::{BoardMap, MemRegion};
use edgekd_shared::profile::BoardProfile;

use super::elf::Segment;

/// Stack the statics must leave free, in bytes: the server's measured high-water mark on the
/// emulated board is 11 776 B (flashing a signed model), rounded up with a margin.
pub const MIN_STACK: u32 = 16 * 1024;

/// What an image uses of its board, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageUsage {
    /// The board.
    pub board: BoardMap,
    /// Bytes written to flash (every loadable segment's file bytes, `.data`'s initial values
    /// included).
    pub flash: u32,
    /// Bytes of RAM taken by statics (`.data`, `.bss`, `.uninit`).
    pub ram: u32,
}

/// Why an image does not fit its board.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// A segment lies outside the flash before the storage region and outside RAM.
    #[error("{board}: segment at {address:#010x} ({len} bytes) is neither in the firmware flash {flash:#010x}..{storage:#010x} nor in RAM")]
    Outside {
        /// The board.
        board: &'static str,
        /// Where the segment is (load address for flash, run address for RAM).
        address: u32,
        /// Its length.
        len: u32,
        /// Start of the chip's flash.
        flash: u32,
        /// Start of the storage region (end of the firmware's flash).
        storage: u32,
    },
    /// The image leaves less than [`MIN_STACK`] bytes of RAM for the stack.
    #[error("{board}: statics take {ram} of {budget} bytes of RAM, leaving {left} for the stack (at least {MIN_STACK} needed)")]
    Stack {
        /// The board.
        board: &'static str,
        /// Bytes of statics.
        ram: u32,
        /// RAM of the board.
        budget: u32,
        /// What is left.
        left: u32,
    },
}

/// The flash an image may fill: from the start of the chip's flash to the storage region (the
/// firmware region plus what the board keeps before it, e.g. the RP2040's boot2).
pub fn firmware_flash(board: &BoardMap) -> MemRegion {
    MemRegion {
        origin: board.chip_flash.origin,
        len: board.storage.origin.saturating_sub(board.chip_flash.origin),
    }
}

fn within(region: &MemRegion, address: u32, len: u32) -> bool {
    region.contains(&MemRegion {
        origin: address,
        len,
    })
}

/// Measures the loadable `segments` of an image for `board`.
pub fn measure(board: &BoardMap, segments: &[Segment]) -> Result<ImageUsage, BudgetError> {
    let flash_region = firmware_flash(board);
    let (mut flash, mut ram) = (0u32, 0u32);
    for s in segments {
        let outside = |address, len| BudgetError::Outside {
            board: board.name,
            address,
            len,
            flash: flash_region.origin,
            storage: board.storage.origin,
        };
        if s.file_size > 0 {
            if !within(&flash_region, s.paddr, s.file_size) {
                return Err(outside(s.paddr, s.file_size));
            }
            flash = flash.saturating_add(s.file_size);
        }
        if within(&board.ram, s.vaddr, s.mem_size) {
            ram = ram.saturating_add(s.mem_size);
        } else if !within(&flash_region, s.vaddr, s.mem_size) {
            return Err(outside(s.vaddr, s.mem_size));
        }
    }
    let left = board.ram.len.saturating_sub(ram);
    if left < MIN_STACK {
        return Err(BudgetError::Stack {
            board: board.name,
            ram,
            budget: board.ram.len,
            left,
        });
    }
    Ok(ImageUsage {
        board: *board,
        flash,
        ram,
    })
}

fn percent(used: u32, budget: u32) -> f64 {
    f64::from(used) * 100.0 / f64::from(budget.max(1))
}

impl fmt::Display for ImageUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.board;
        let flash_budget = firmware_flash(b).len;
        let l = &b.layout;
        let profile = BoardProfile::by_id(b.profile);
        write!(
            f,
            "{:<16} flash {:>7} / {:>7} B ({:4.1}%)  RAM statics {:>6} / {:>6} B ({:4.1}%, stack room {} B)  \
             storage {} B at {:#010x}: boot 2×{} + slots 2×{} (artifact ≤ {}) + journal {}  [{}]",
            b.name,
            self.flash,
            flash_budget,
            percent(self.flash, flash_budget),
            self.ram,
            b.ram.len,
            percent(self.ram, b.ram.len),
            b.ram.len.saturating_sub(self.ram),
            b.storage.len,
            b.storage.origin,
            l.boot[0].len,
            l.slots[0].len,
            profile.max_artifact,
            l.journal.len,
            profile.name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_device::board::{NRF52840_DK, RPI_PICO};

    fn seg(vaddr: u32, paddr: u32, file_size: u32, mem_size: u32) -> Segment {
        Segment {
            offset: 0,
            vaddr,
            paddr,
            file_size,
            mem_size,
        }
    }

    #[test]
    fn flash_counts_file_bytes_and_ram_counts_statics() {
        let segs = [
            seg(0, 0, 0x100, 0x100),
            seg(0x100, 0x100, 0x2_0000, 0x2_0000),
            seg(0x2000_0000, 0x2_0100, 0x40, 0x40),
            seg(0x2000_0040, 0x2000_0040, 0, 0xC000),
        ];
        let u = measure(&NRF52840_DK, &segs).unwrap();
        assert_eq!(u.flash, 0x2_0140);
        assert_eq!(u.ram, 0xC040);
        let line = u.to_string();
        assert!(
            line.contains("nrf52840-dk") && line.contains("/  450560 B"),
            "{line}"
        );
        assert!(line.contains("slots 2×262144"), "{line}");
    }

    #[test]
    fn the_pico_may_fill_boot2_and_firmware_up_to_its_storage() {
        let segs = [
            seg(0x1000_0000, 0x1000_0000, 0x100, 0x100),
            seg(0x1000_0100, 0x1000_0100, 0x6_DF00, 0x6_DF00),
        ];
        assert_eq!(measure(&RPI_PICO, &segs).unwrap().flash, 440 * 1024);
        let over = [seg(0x1000_0100, 0x1000_0100, 0x6_E000, 0x6_E000)];
        assert!(matches!(
            measure(&RPI_PICO, &over),
            Err(BudgetError::Outside { .. })
        ));
    }

    #[test]
    fn statics_that_crowd_out_the_stack_are_refused() {
        let segs = [seg(0x2000_0000, 0x2000_0000, 0, 250 * 1024)];
        assert!(matches!(
            measure(&NRF52840_DK, &segs),
            Err(BudgetError::Stack { left: 6144, .. })
        ));
    }
}
