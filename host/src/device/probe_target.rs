//! Which chip and which storage region `edgekd flash --probe` writes: from the board map of
//! `edgekd_device::board` (`--board`, default the nRF52840 DK), the same definition that the
//! board's firmware mounts and its `memory.x` is tested against; `--chip` and `--storage-base`
//! override it.

use edgekd_device::board::{BoardMap, BOARDS};

use super::probe_flash::{FIRMWARE_LAYOUT, FIRMWARE_STORAGE_LEN};
use super::probe_install::StorageTarget;

/// Where a probe install goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The board whose firmware will read the model.
    pub board: BoardMap,
    /// The chip as probe-rs names it.
    pub chip: String,
    /// The storage region on the chip and its layout.
    pub storage: StorageTarget,
}

/// Why no probe target follows from the arguments.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProbeTargetError {
    /// No board of that name.
    #[error("unknown board {name:?}; known: {known}")]
    UnknownBoard {
        /// What was given.
        name: String,
        /// The board names.
        known: String,
    },
    /// The board is emulated: flash it with `--qemu`.
    #[error("{name} is emulated and has no debug probe; use --qemu")]
    Emulated {
        /// The board.
        name: &'static str,
    },
    /// The board's storage is not the probe installer's `m4-1m` region.
    #[error("{name}: storage of {len} bytes with another layout; the probe installer writes the m4-1m region only")]
    Layout {
        /// The board.
        name: &'static str,
        /// Bytes of its storage region.
        len: u32,
    },
}

/// The probe target of `board` (a folder name under `device/boards/`), with `chip` and
/// `storage_base` overriding the board map's when given.
pub fn probe_target(
    board: &str,
    chip: Option<&str>,
    storage_base: Option<u64>,
) -> Result<ProbeTarget, ProbeTargetError> {
    let map = BoardMap::by_name(board).ok_or_else(|| ProbeTargetError::UnknownBoard {
        name: board.to_string(),
        known: BOARDS.map(|b| b.name).join(", "),
    })?;
    if map.chip.is_empty() {
        return Err(ProbeTargetError::Emulated { name: map.name });
    }
    if map.storage.len as usize != FIRMWARE_STORAGE_LEN || map.layout != FIRMWARE_LAYOUT {
        return Err(ProbeTargetError::Layout {
            name: map.name,
            len: map.storage.len,
        });
    }
    let base = storage_base.unwrap_or(u64::from(map.storage.origin));
    Ok(ProbeTarget {
        board: map,
        chip: chip.unwrap_or(map.chip).to_string(),
        storage: StorageTarget::firmware(base),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_board_map_and_flags_override_them() {
        let t = probe_target("nrf52840-dk", None, None).unwrap();
        assert_eq!(t.chip, "nRF52840_xxAA");
        assert_eq!(t.storage.base, 0x6E000);
        let t = probe_target("rpi-pico", None, None).unwrap();
        assert_eq!((t.chip.as_str(), t.storage.base), ("RP2040", 0x1006_E000));
        let t = probe_target("rpi-pico", Some("RP2040"), Some(0x1010_0000)).unwrap();
        assert_eq!(t.storage.base, 0x1010_0000);
    }

    #[test]
    fn unknown_and_emulated_boards_are_refused() {
        assert!(matches!(
            probe_target("nucleo", None, None),
            Err(ProbeTargetError::UnknownBoard { .. })
        ));
        assert_eq!(
            probe_target("qemu-mps2-an386", None, None),
            Err(ProbeTargetError::Emulated {
                name: "qemu-mps2-an386"
            })
        );
    }
}
