//! Board firmware images: the emulated board's `server`, embedded in this binary, with the user's
//! public key written into its key slot; source-tree builds of any board crate of `device/boards/`
//! with a key set at build time; and measuring an image against its board's flash, RAM and
//! storage budgets.
//!
//! ```text
//! embedded::qemu_server() ─ key_slot::write_key(image, key) ─► the ELF QEMU boots   (any folder)
//! build(board map, key, bin) ─ cargo build --release ─► device/boards/<name>/target/<triple>/release/<bin>
//!                                                      (a source tree: real boards, the tests)
//! measure(board map, ELF PT_LOAD segments) ─► ImageUsage (flash, RAM statics) or BudgetError
//! ```

mod board_cargo;
mod budget;
mod elf;
mod embedded;
mod key_slot;

pub use budget::{firmware_flash, measure, BudgetError, ImageUsage, MIN_STACK};
pub use elf::{load_segments, ElfError, Segment};
pub use embedded::qemu_server;
pub use key_slot::{write_key, KeySlotError};

use std::path::{Path, PathBuf};

use edgekd_device::board::BoardMap;

/// Why a board image could not be built or measured.
#[derive(Debug, thiserror::Error)]
pub enum FirmwareError {
    /// cargo could not be run.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// `cargo build` of the board crate failed.
    #[error("firmware build in {dir} failed ({status}):\n{stderr}")]
    Build {
        /// The board crate directory.
        dir: PathBuf,
        /// cargo's exit status.
        status: String,
        /// The end of cargo's stderr.
        stderr: String,
    },
    /// The public key for the firmware is not 64 hex digits.
    #[error("firmware public key must be 64 hex digits, got {len} characters")]
    BadKey {
        /// Length of what was given.
        len: usize,
    },
    /// This binary embeds no firmware for the emulated board (`host/build.rs` lacked the target).
    #[error("{why}")]
    NotEmbedded {
        /// Why, and the fix.
        why: &'static str,
    },
    /// The public key could not be written into the image's key slot.
    #[error("writing the key into the firmware image: {0}")]
    KeySlot(#[from] KeySlotError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The image is not an ELF this module reads.
    #[error("{path}: {source}")]
    Elf {
        /// The image.
        path: PathBuf,
        /// What is wrong.
        source: ElfError,
    },
}

/// The board crates: `device/boards` of the source tree this binary was built from (for [`build`];
/// an installed `edgekd` needs it only to build real-board images).
pub fn boards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../device/boards")
}

/// The crate of `board`.
pub fn board_dir(board: &BoardMap) -> PathBuf {
    boards_dir().join(board.name)
}

/// Where `cargo build --release` of `board` for Rust target `target` puts its binaries.
pub fn release_dir(board: &BoardMap, target: &str) -> PathBuf {
    board_dir(board).join("target").join(target).join("release")
}

/// Builds `bin` (every binary when `None`) of `board`'s crate in release with `public_key_hex`
/// (64 hex digits) set at build time and returns the release directory. cargo decides what is
/// stale (the firmware core's build script reruns when the key changes). The crate's own target
/// directory is used, whatever `CARGO_TARGET_DIR` says.
pub fn build(
    board: &BoardMap,
    public_key_hex: &str,
    bin: Option<&str>,
) -> Result<PathBuf, FirmwareError> {
    build_for(board, board.target, public_key_hex, bin)
}

/// [`build`] for another Rust target than the board's own (`cargo build --target`): the
/// emulated board's crate also builds for `thumbv6m-none-eabi`, the instruction set of the
/// Pico's Cortex-M0+.
pub fn build_for(
    board: &BoardMap,
    target: &str,
    public_key_hex: &str,
    bin: Option<&str>,
) -> Result<PathBuf, FirmwareError> {
    let key = parse_key(public_key_hex)?;
    let dir = board_dir(board);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = board_cargo::board_cargo(&cargo, &dir, target, &dir.join("target"));
    if let Some(bin) = bin {
        cmd.args(["--bin", bin]);
    }
    let out = cmd
        .env("EDGEKD_PUBLIC_KEY", edgekd_shared::hex::hex(&key))
        .env_remove("EDGEKD_PUBLIC_KEY_FILE")
        .output()
        .map_err(FirmwareError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        return Err(FirmwareError::Build {
            dir,
            status: out.status.to_string(),
            stderr: lines[lines.len().saturating_sub(40)..].join("\n"),
        });
    }
    Ok(release_dir(board, target))
}

/// The 32 bytes of a public key written as 64 hex digits (surrounding blanks ignored).
pub fn parse_key(public_key_hex: &str) -> Result<[u8; 32], FirmwareError> {
    let text = public_key_hex.trim();
    edgekd_shared::hex::parse_32(text).ok_or(FirmwareError::BadKey { len: text.len() })
}

/// Measures the ELF at `elf` against `board`: `Ok(Err(_))` when it does not fit.
pub fn measure_file(
    board: &BoardMap,
    elf: &Path,
) -> Result<Result<ImageUsage, BudgetError>, FirmwareError> {
    let image = std::fs::read(elf).map_err(|source| FirmwareError::Io {
        path: elf.to_path_buf(),
        source,
    })?;
    let segments = load_segments(&image).map_err(|source| FirmwareError::Elf {
        path: elf.to_path_buf(),
        source,
    })?;
    Ok(measure(board, &segments))
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_device::board::{BOARDS, QEMU_MPS2_AN386};

    #[test]
    fn bad_keys_are_refused_before_building() {
        assert!(matches!(
            build(&QEMU_MPS2_AN386, "abc", Some("server")),
            Err(FirmwareError::BadKey { len: 3 })
        ));
        let not_hex = "zz".repeat(32);
        assert!(matches!(
            build(&QEMU_MPS2_AN386, &not_hex, None),
            Err(FirmwareError::BadKey { len: 64 })
        ));
    }

    #[test]
    fn every_board_has_a_crate_here() {
        for board in BOARDS {
            let dir = board_dir(&board);
            for file in ["Cargo.toml", "memory.x", ".cargo/config.toml", "README.md"] {
                assert!(dir.join(file).is_file(), "{}/{file}", dir.display());
            }
        }
    }
}
