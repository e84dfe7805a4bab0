//! Memory maps of the boards the firmware is built for: the one definition of where each board's
//! firmware, model storage and RAM live.
//!
//! Three parties read these addresses and must agree: the board's `memory.x` (the linker), the
//! firmware (which mounts [`BoardMap::layout`] over the `STORAGE` region and checks the linker's
//! region against [`BoardMap::storage`] at boot), and the host's `edgekd flash --probe`, which
//! writes the model slots at [`BoardMap::storage`]`.origin` (`--board`, `--storage-base`). The
//! test `tests/tests/boards.rs` parses every board's `memory.x` and compares it with this table.
//!
//! ```text
//! chip flash ─┬─ firmware (FLASH: vector table, code, rodata)
//!             └─ storage  (STORAGE: boot records ×2, model slots A/B, learner journal = layout)
//! RAM ──────── statics (arena, learner heads, link buffers) + stack
//! ```

use edgekd_shared::protocol::BoardProfileId;

use crate::storage::Layout;

/// A range of the chip's address space, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemRegion {
    /// First address.
    pub origin: u32,
    /// Length in bytes.
    pub len: u32,
}

impl MemRegion {
    /// One past the last address, `None` if that overflows `u32`.
    pub const fn end(&self) -> Option<u32> {
        self.origin.checked_add(self.len)
    }

    /// Whether `other` lies wholly inside this region.
    pub const fn contains(&self, other: &MemRegion) -> bool {
        match (self.end(), other.end()) {
            (Some(end), Some(other_end)) => self.origin <= other.origin && other_end <= end,
            _ => false,
        }
    }
}

/// Where one board keeps its firmware, its model storage and its RAM. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardMap {
    /// The board crate's folder under `device/boards/`, and `--board` on the command line.
    pub name: &'static str,
    /// The chip as probe-rs names it (`--chip`); empty for an emulated board.
    pub chip: &'static str,
    /// The Rust target the board crate builds for (its `.cargo/config.toml`).
    pub target: &'static str,
    /// The memory budget the firmware is built for.
    pub profile: BoardProfileId,
    /// The chip's whole flash (code flash, or the XIP window of an external one).
    pub chip_flash: MemRegion,
    /// `FLASH` of `memory.x`: what the linker may fill with the image.
    pub firmware: MemRegion,
    /// `STORAGE` of `memory.x`: boot records, model slots and learner journal.
    pub storage: MemRegion,
    /// `RAM` of `memory.x`: statics and stack.
    pub ram: MemRegion,
    /// Erase sector of the storage flash in bytes (the layout's alignment).
    pub erase_size: u32,
    /// Boot records, slots and journal, as offsets from `storage.origin`.
    pub layout: Layout,
}

/// Bytes of firmware in the `m4-1m` profile's 1 MiB: 440 KiB, then the 584 KiB storage.
const M4_1M_FIRMWARE: u32 = 440 * 1024;
/// The `m4-1m` profile's RAM: 256 KiB.
const M4_1M_RAM: u32 = 256 * 1024;
/// Storage span of [`Layout::m4_1m`]: 584 KiB.
const M4_1M_STORAGE: u32 = 584 * 1024;
/// Second-stage bootloader at the start of an RP2040's flash: 256 bytes.
const RP2040_BOOT2: u32 = 256;

/// Nordic nRF52840 DK (PCA10056): nRF52840, Cortex-M4F at 64 MHz, 1 MiB flash in 4 KiB pages,
/// 256 KiB RAM. The default board of `edgekd flash --probe`.
pub const NRF52840_DK: BoardMap = BoardMap {
    name: "nrf52840-dk",
    chip: "nRF52840_xxAA",
    target: "thumbv7em-none-eabihf",
    profile: BoardProfileId::M4_1M,
    chip_flash: MemRegion {
        origin: 0,
        len: 1024 * 1024,
    },
    firmware: MemRegion {
        origin: 0,
        len: M4_1M_FIRMWARE,
    },
    storage: MemRegion {
        origin: M4_1M_FIRMWARE,
        len: M4_1M_STORAGE,
    },
    ram: MemRegion {
        origin: 0x2000_0000,
        len: M4_1M_RAM,
    },
    erase_size: 4096,
    layout: Layout::m4_1m(0),
};

/// QEMU `mps2-an386` (Cortex-M4F), laid out as an nRF52840: its 4 MiB of SSRAM at 0 stand in for
/// the flash, of which the firmware uses the nRF52840's first MiB.
pub const QEMU_MPS2_AN386: BoardMap = BoardMap {
    name: "qemu-mps2-an386",
    chip: "",
    chip_flash: MemRegion {
        origin: 0,
        len: 4 * 1024 * 1024,
    },
    ..NRF52840_DK
};

/// Raspberry Pi Pico: RP2040 (Cortex-M0+ at 125 MHz), 2 MiB QSPI flash in 4 KiB sectors mapped
/// at `0x1000_0000`, 264 KiB RAM. Built for `m4-1m`'s budgets in the flash's first MiB: boot2
/// (256 B) and firmware in 440 KiB, then the same 584 KiB storage as the nRF52840.
pub const RPI_PICO: BoardMap = BoardMap {
    name: "rpi-pico",
    chip: "RP2040",
    target: "thumbv6m-none-eabi",
    profile: BoardProfileId::M4_1M,
    chip_flash: MemRegion {
        origin: 0x1000_0000,
        len: 2 * 1024 * 1024,
    },
    firmware: MemRegion {
        origin: 0x1000_0000 + RP2040_BOOT2,
        len: M4_1M_FIRMWARE - RP2040_BOOT2,
    },
    storage: MemRegion {
        origin: 0x1000_0000 + M4_1M_FIRMWARE,
        len: M4_1M_STORAGE,
    },
    ram: MemRegion {
        origin: 0x2000_0000,
        len: M4_1M_RAM,
    },
    erase_size: 4096,
    layout: Layout::m4_1m(0),
};

/// Every board, the default (`edgekd flash --probe` without `--board`) first.
pub const BOARDS: [BoardMap; 3] = [NRF52840_DK, RPI_PICO, QEMU_MPS2_AN386];

impl BoardMap {
    /// The board called `name` (its folder under `device/boards/`).
    pub fn by_name(name: &str) -> Option<BoardMap> {
        BOARDS.iter().copied().find(|b| b.name == name)
    }

    /// Offset of the storage region inside the chip's flash (what a flash driver that addresses
    /// the whole flash from 0 needs).
    pub const fn storage_offset(&self) -> u32 {
        self.storage.origin.wrapping_sub(self.chip_flash.origin)
    }

    /// Checks the map: firmware and storage inside the chip's flash and apart, the storage on
    /// erase-sector boundaries, and the layout filling exactly the storage region.
    pub fn check(&self) -> Result<(), BoardMapError> {
        let name = self.name;
        if !self.chip_flash.contains(&self.firmware) || !self.chip_flash.contains(&self.storage) {
            return Err(BoardMapError::OutsideFlash { board: name });
        }
        let apart = match (self.firmware.end(), self.storage.end()) {
            (Some(fw_end), Some(st_end)) => {
                fw_end <= self.storage.origin || st_end <= self.firmware.origin
            }
            _ => false,
        };
        if !apart {
            return Err(BoardMapError::Overlap { board: name });
        }
        let erase = self.erase_size;
        if erase == 0 || self.storage_offset() % erase != 0 || self.storage.len % erase != 0 {
            return Err(BoardMapError::Misaligned { board: name });
        }
        if self.layout.span() != Some(self.storage.len) {
            return Err(BoardMapError::LayoutSpan {
                board: name,
                span: self.layout.span().unwrap_or(0),
                storage: self.storage.len,
            });
        }
        self.layout
            .check(self.storage.len, erase, crate::storage::RECORD_LEN as u32)
            .map_err(|error| BoardMapError::Layout { board: name, error })
    }
}

/// Why a [`BoardMap`] is inconsistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardMapError {
    /// Firmware or storage reaches outside the chip's flash.
    OutsideFlash {
        /// The board.
        board: &'static str,
    },
    /// Firmware and storage share addresses.
    Overlap {
        /// The board.
        board: &'static str,
    },
    /// The storage region does not start and end on erase-sector boundaries.
    Misaligned {
        /// The board.
        board: &'static str,
    },
    /// The layout does not fill the storage region exactly.
    LayoutSpan {
        /// The board.
        board: &'static str,
        /// Bytes the layout spans.
        span: u32,
        /// Bytes of the storage region.
        storage: u32,
    },
    /// The layout does not fit the storage region.
    Layout {
        /// The board.
        board: &'static str,
        /// What is wrong with it.
        error: crate::storage::LayoutError,
    },
}

impl core::fmt::Display for BoardMapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BoardMapError::OutsideFlash { board } => {
                write!(f, "{board}: firmware or storage outside the chip's flash")
            }
            BoardMapError::Overlap { board } => write!(f, "{board}: firmware overlaps storage"),
            BoardMapError::Misaligned { board } => {
                write!(f, "{board}: storage not on erase-sector boundaries")
            }
            BoardMapError::LayoutSpan {
                board,
                span,
                storage,
            } => write!(
                f,
                "{board}: layout spans {span} bytes, the storage region has {storage}"
            ),
            BoardMapError::Layout { board, error } => write!(f, "{board}: layout: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_map_is_consistent() {
        for board in BOARDS {
            assert_eq!(board.check(), Ok(()), "{}", board.name);
            assert_eq!(BoardMap::by_name(board.name), Some(board));
        }
        assert_eq!(BoardMap::by_name("nucleo"), None);
    }

    #[test]
    fn the_nrf52840_keeps_its_storage_at_440_kib() {
        assert_eq!(NRF52840_DK.storage.origin, 0x0006_E000);
        assert_eq!(NRF52840_DK.storage.end(), Some(0x0010_0000));
        assert_eq!(RPI_PICO.storage.origin, 0x1006_E000);
        assert_eq!(RPI_PICO.storage_offset(), 0x0006_E000);
        assert_eq!(BOARDS[0], NRF52840_DK);
    }

    #[test]
    fn inconsistent_maps_are_refused() {
        let mut b = NRF52840_DK;
        b.storage.origin += 4096;
        assert_eq!(
            b.check(),
            Err(BoardMapError::OutsideFlash {
                board: "nrf52840-dk"
            })
        );
        let mut b = NRF52840_DK;
        b.firmware.len += 4096;
        assert_eq!(
            b.check(),
            Err(BoardMapError::Overlap {
                board: "nrf52840-dk"
            })
        );
        let mut b = NRF52840_DK;
        b.storage.origin -= 2048;
        b.firmware.len -= 2048;
        assert!(matches!(b.check(), Err(BoardMapError::Misaligned { .. })));
        let mut b = NRF52840_DK;
        b.layout = Layout::m4_256k(0);
        assert!(matches!(b.check(), Err(BoardMapError::LayoutSpan { .. })));
    }
}
