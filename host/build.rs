//! Builds the emulated board's `server` firmware (`device/boards/qemu-mps2-an386`) and embeds it in
//! `edgekd` (`$OUT_DIR/qemu_server.rs`, read by `src/firmware/embedded.rs`), so that the installed
//! binary emulates the device from any folder. The image is built with an empty key slot
//! (`EDGEKD_PUBLIC_KEY=none`): the host writes each user's public key into it at run time.
//!
//! The board crate is built by a cargo of its own with its target folder under `OUT_DIR` (never the
//! outer target folder, whose lock the running cargo holds). Without the `thumbv7em-none-eabihf`
//! target nothing is embedded: a warning says so, and every command that emulates the device fails
//! with `rustup target add thumbv7em-none-eabihf` (everything else, `edgekd run` included, works). A
//! firmware that fails to build fails this build.
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/firmware/board_cargo.rs"]
mod board_cargo;

const TARGET: &str = "thumbv7em-none-eabihf";
const BOARD: &str = "qemu-mps2-an386";
const BIN: &str = "server";

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"));
    let root = manifest.join("..");
    let board = root.join("device/boards").join(BOARD);
    watch(&root, &board);

    let code = match installed_target() {
        Err(why) => {
            println!("cargo:warning={why}");
            format!("pub const SERVER: Result<&[u8], &str> = Err({why:?});\n")
        }
        Ok(()) => {
            let elf = build(&board, &out.join("firmware-target"));
            let elf = elf.to_str().expect("OUT_DIR is valid UTF-8").to_string();
            format!("pub const SERVER: Result<&[u8], &str> = Ok(include_bytes!({elf:?}));\n")
        }
    };
    fs::write(out.join("qemu_server.rs"), code).expect("write qemu_server.rs into OUT_DIR");
}

/// Reruns this script when the firmware's sources (board crate, firmware core, `device`, `shared`)
/// change, or when a Rust target is added.
fn watch(root: &Path, board: &Path) {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/firmware/board_cargo.rs");
    let inputs = [
        "src",
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "memory.x",
        ".cargo",
    ]
    .map(|f| board.join(f));
    let shared = [
        "device/firmware/src",
        "device/firmware/Cargo.toml",
        "device/firmware/Cargo.lock",
        "device/firmware/build.rs",
        "device/src",
        "device/Cargo.toml",
        "shared/src",
        "shared/Cargo.toml",
        // The workspace manifest: `device` and `shared` inherit fields from it.
        "Cargo.toml",
    ]
    .map(|f| root.join(f));
    for path in inputs.iter().chain(&shared) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    if let Some(rustlib) = sysroot().map(|s| s.join("lib/rustlib")) {
        // rustup rewrites `components` when a target is added.
        let components = rustlib.join("components");
        let watched = if components.is_file() {
            components
        } else {
            rustlib
        };
        println!("cargo:rerun-if-changed={}", watched.display());
    }
}

fn sysroot() -> Option<PathBuf> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// `Ok` when the standard library of [`TARGET`] is installed, else why the firmware is not embedded.
fn installed_target() -> Result<(), String> {
    let installed =
        sysroot().is_some_and(|s| s.join("lib/rustlib").join(TARGET).join("lib").is_dir());
    if installed {
        return Ok(());
    }
    Err(format!(
        "this edgekd embeds no firmware for the emulated board: the {TARGET} target was not installed \
         when it was built; run `rustup target add {TARGET}`, then build edgekd again"
    ))
}

/// Builds [`BIN`] of the board crate in `target_dir` and returns the ELF; panics (failing this
/// build) with cargo's output when it fails.
fn build(board: &Path, target_dir: &Path) -> PathBuf {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = board_cargo::board_cargo(&cargo, board, TARGET, target_dir)
        .args(["--bin", BIN])
        // Debug info is of no use inside edgekd; symbols stay (`nm` shows EDGEKD_KEY_SLOT).
        .args(["--config", "profile.release.debug=false"])
        .env("EDGEKD_PUBLIC_KEY", "none")
        .env_remove("EDGEKD_PUBLIC_KEY_FILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the {BOARD} firmware: {e}"));
    if !out.status.success() {
        panic!(
            "building the {BOARD} firmware ({}) failed ({}):\n{}",
            board.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    target_dir.join(TARGET).join("release").join(BIN)
}
