//! The build-time content of the key slot that every board's `server` firmware verifies models
//! with (`$OUT_DIR/public_key.rs`, read by `src/key.rs`). Board crates link their own `memory.x`.
//!
//! The key, first found wins:
//! 1. `EDGEKD_PUBLIC_KEY`: 64 hex digits, or `none` for an empty slot that the host fills in the
//!    image (what `edgekd`'s own build of the emulated board does);
//! 2. `EDGEKD_PUBLIC_KEY_FILE`: a file holding 64 hex digits or the 32 raw key bytes;
//! 3. the host's development key `$EDGEKD_CACHE/keys/dev.pub` (default cache `~/.cache/edgekd`),
//!    same formats.
//!
//! Without a key the build still succeeds (the other binaries need none) and the `server`
//! firmware fails at boot with [`BootFailure::Key`](src/failure.rs), saying so where it can, unless
//! the host wrote a key into the image's slot.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"));
    println!("cargo:rerun-if-changed=build.rs");

    let (key, source) = match find_key() {
        Ok(Some((key, source))) => (Some(key), source),
        Ok(None) => (None, String::from("none")),
        Err(e) => panic!("edgekd firmware build: {e}"),
    };
    let code = match key {
        Some(k) => format!("Some({k:?})"),
        None => String::from("None"),
    };
    let text = format!(
        "/// The Ed25519 public key models must be signed with (build.rs).\n\
         pub const PUBLIC_KEY: Option<[u8; 32]> = {code};\n\
         /// Where build.rs found it.\n\
         pub const PUBLIC_KEY_SOURCE: &str = {source:?};\n"
    );
    fs::write(out.join("public_key.rs"), text).expect("write public_key.rs into OUT_DIR");
}

fn find_key() -> Result<Option<([u8; 32], String)>, String> {
    for var in [
        "EDGEKD_PUBLIC_KEY",
        "EDGEKD_PUBLIC_KEY_FILE",
        "EDGEKD_CACHE",
        "HOME",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if let Some(hex) = env::var("EDGEKD_PUBLIC_KEY")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        if hex.trim() == "none" {
            return Ok(None);
        }
        let key = parse_hex(hex.trim()).map_err(|e| format!("EDGEKD_PUBLIC_KEY: {e}"))?;
        return Ok(Some((key, String::from("EDGEKD_PUBLIC_KEY"))));
    }
    if let Some(path) = env::var_os("EDGEKD_PUBLIC_KEY_FILE").filter(|s| !s.is_empty()) {
        let path = PathBuf::from(path);
        return read_key_file(&path).map(|k| Some((k, path.display().to_string())));
    }
    let cache = env::var_os("EDGEKD_CACHE")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/edgekd")));
    let Some(path) = cache.map(|c| c.join("keys/dev.pub")) else {
        return Ok(None);
    };
    println!("cargo:rerun-if-changed={}", path.display());
    if !path.exists() {
        return Ok(None);
    }
    read_key_file(&path).map(|k| Some((k, path.display().to_string())))
}

fn read_key_file(path: &std::path::Path) -> Result<[u8; 32], String> {
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Ok(raw) = <[u8; 32]>::try_from(bytes.as_slice()) {
        return Ok(raw);
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: neither 32 bytes nor hex", path.display()))?;
    parse_hex(text.trim()).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_hex(s: &str) -> Result<[u8; 32], String> {
    if s.len() != 64 {
        return Err(format!(
            "expected 64 hex digits, got {} characters",
            s.len()
        ));
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        let pair = s.get(2 * i..2 * i + 2).ok_or("not ASCII hex")?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| format!("'{pair}' is not hex"))?;
    }
    Ok(key)
}
