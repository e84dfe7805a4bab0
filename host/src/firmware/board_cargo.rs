//! The `cargo build` of a board crate (`device/boards/<name>`), shared by the host's build script
//! (the emulated board's `server`, embedded in `edgekd`: `host/build.rs` includes this file through
//! `#[path]`, so it uses std only) and [`super::build_for`] (source-tree builds of every board, for
//! flashing real boards and for the tests).

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// Variables of the calling cargo's build environment that would change the board build: the
/// host's rustflags and target, clippy's wrapper, the output folder of the caller's build script.
const INHERITED: [&str; 9] = [
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CARGO_PRIMARY_PACKAGE",
    "OUT_DIR",
];

/// `cargo build --release --locked --target TARGET` of the board crate in `crate_dir` (its own
/// `.cargo/config.toml` and `Cargo.lock`), with its artifacts in `target_dir`: never the caller's
/// target folder, whose lock a running cargo holds. Nothing of the calling build's environment
/// leaks in ([`INHERITED`], the caller's `CARGO_FEATURE_*` and `CARGO_CFG_*`).
pub fn board_cargo(cargo: &OsStr, crate_dir: &Path, target: &str, target_dir: &Path) -> Command {
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--locked", "--target", target])
        .current_dir(crate_dir);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if INHERITED.contains(&name)
            || name.starts_with("CARGO_FEATURE_")
            || name.starts_with("CARGO_CFG_")
        {
            cmd.env_remove(name);
        }
    }
    cmd.env("CARGO_TARGET_DIR", target_dir);
    cmd
}
