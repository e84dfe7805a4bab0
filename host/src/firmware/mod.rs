//! Board firmware images: building a board crate of `device/boards/` with a public key embedded,
//! and measuring an image against its board's flash, RAM and storage budgets.
//!
//! ```text
//! build(board map, key, bin) ─ cargo build --release ─► device/boards/<name>/target/<triple>/release/<bin>
//! measure(board map, ELF PT_LOAD segments) ─► ImageUsage (flash, RAM statics) or BudgetError
//! ```

mod budget;
mod elf;

pub use budget::{firmware_flash, measure, BudgetError, ImageUsage, MIN_STACK};
pub use elf::{load_segments, ElfError, Segment};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

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

/// The board crates: `device/boards` of this source tree.
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
/// (64 hex digits) embedded and returns the release directory. Skipped when the `server` ELF
/// (or `bin`'s) is newer than every source of the board crate, the firmware core, `device` and
/// `shared` and was built by this function with the same key (a stamp file beside it, newer than
/// the ELF). The crate's own target directory is used, whatever `CARGO_TARGET_DIR` says.
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
    let key = public_key_hex.trim();
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FirmwareError::BadKey { len: key.len() });
    }
    let dir = board_dir(board);
    let release = release_dir(board, target);
    let elf = release.join(bin.unwrap_or("server"));
    let stamp = release.join(format!("{}.key", bin.unwrap_or("all")));
    if up_to_date(&elf, &stamp, key, &dir) {
        return Ok(release);
    }
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["build", "--release", "--locked", "--target", target]);
    if let Some(bin) = bin {
        cmd.args(["--bin", bin]);
    }
    let out = cmd
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("EDGEKD_PUBLIC_KEY", key)
        .env_remove("EDGEKD_PUBLIC_KEY_FILE")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
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
    std::fs::write(&stamp, key).map_err(|source| FirmwareError::Io {
        path: stamp.clone(),
        source,
    })?;
    Ok(release)
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

fn up_to_date(elf: &Path, stamp: &Path, key: &str, board_dir: &Path) -> bool {
    let Ok(built) = std::fs::metadata(elf).and_then(|m| m.modified()) else {
        return false;
    };
    if std::fs::read_to_string(stamp).ok().as_deref() != Some(key) {
        return false;
    }
    // An ELF newer than the stamp was rebuilt by someone else, perhaps with another key.
    if std::fs::metadata(stamp)
        .and_then(|m| m.modified())
        .map_or(true, |t| t < built)
    {
        return false;
    }
    let root = board_dir.join("../../..");
    let mut sources: Vec<PathBuf> = ["src", "Cargo.toml", "Cargo.lock", "build.rs", "memory.x"]
        .iter()
        .map(|f| board_dir.join(f))
        .collect();
    sources.extend(
        [
            "device/firmware/src",
            "device/firmware/Cargo.toml",
            "device/firmware/build.rs",
            "device/src",
            "device/Cargo.toml",
            "shared/src",
            "shared/Cargo.toml",
        ]
        .iter()
        .map(|p| root.join(p)),
    );
    sources
        .iter()
        .all(|p| newest(p).is_some_and(|t| t <= built))
}

/// The newest modification time under `path` (a file or a directory tree).
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    let mut latest = meta.modified().ok()?;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        latest = latest.max(newest(&entry.path())?);
    }
    Some(latest)
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

    #[test]
    fn newest_sees_files_in_subdirectories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/f"), b"x").unwrap();
        let file_time = std::fs::metadata(dir.path().join("a/f"))
            .unwrap()
            .modified()
            .unwrap();
        assert!(newest(dir.path()).unwrap() >= file_time);
        assert!(newest(&dir.path().join("missing")).is_none());
    }
}
