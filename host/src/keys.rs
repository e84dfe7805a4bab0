//! Ed25519 signing keys for artifacts.
//!
//! A key pair is two files: `NAME.key` (the 32-byte secret seed, hex, mode 0600) and `NAME.pub` (the
//! 32-byte public key, hex). The development key lives in `$EDGEKD_CACHE/keys/dev.{key,pub}` and is made
//! on first use; it is never written inside the repository. Devices are built with the public key.

use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore;

/// Errors of key handling.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing a key file failed.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key file does not hold 64 hex digits.
    #[error("key file {path}: expected 64 hex digits (32 bytes), found {found:?}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What was found (shortened).
        found: String,
    },
    /// A public key is not a valid Ed25519 point.
    #[error("key file {path}: not a valid Ed25519 public key")]
    BadPublicKey {
        /// The file.
        path: PathBuf,
    },
    /// Refusing to overwrite an existing key.
    #[error("{path} exists; refusing to overwrite a key (remove it first)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The cache folder could not be located.
    #[error("cannot locate the cache folder: set EDGEKD_CACHE or HOME")]
    NoCache,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `$EDGEKD_CACHE/keys`, else `~/.cache/edgekd/keys`.
pub fn default_key_dir() -> Result<PathBuf, KeyError> {
    crate::assets::Cache::from_env()
        .map(|c| c.root().join("keys"))
        .map_err(|_| KeyError::NoCache)
}

/// Paths of the key pair `NAME` in `dir`.
pub fn key_paths(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

/// Makes a new key pair `NAME` in `dir`; refuses to overwrite.
pub fn generate(dir: &Path, name: &str) -> Result<SigningKey, KeyError> {
    let (secret_path, public_path) = key_paths(dir, name);
    for p in [&secret_path, &public_path] {
        if p.exists() {
            return Err(KeyError::Exists { path: p.clone() });
        }
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    write_private(&secret_path, &hex(&seed))?;
    std::fs::write(&public_path, hex(key.verifying_key().as_bytes()) + "\n")
        .map_err(io(&public_path))?;
    Ok(key)
}

fn write_private(path: &Path, text: &str) -> Result<(), KeyError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(io(path))?;
    writeln!(f, "{text}").map_err(io(path))
}

/// Reads a signing key (`NAME.key`).
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::from_bytes(&read_hex32(path)?))
}

/// Reads a public key (`NAME.pub`).
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_bytes(&read_hex32(path)?).map_err(|_| KeyError::BadPublicKey {
        path: path.to_path_buf(),
    })
}

/// The development key pair in [`default_key_dir`], made on first use.
pub fn dev_signing_key() -> Result<SigningKey, KeyError> {
    let dir = default_key_dir()?;
    let (secret, _) = key_paths(&dir, "dev");
    if secret.exists() {
        load_signing_key(&secret)
    } else {
        let key = generate(&dir, "dev")?;
        tracing::info!("made a development signing key in {}", dir.display());
        Ok(key)
    }
}

fn read_hex32(path: &Path) -> Result<[u8; 32], KeyError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let t = text.trim();
    let malformed = || KeyError::Malformed {
        path: path.to_path_buf(),
        found: t.chars().take(16).collect(),
    };
    edgekd_shared::hex::parse_32(t).ok_or_else(malformed)
}

pub use edgekd_shared::hex::hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_back_and_are_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate(dir.path(), "k").unwrap();
        let (s, p) = key_paths(dir.path(), "k");
        assert_eq!(load_signing_key(&s).unwrap().to_bytes(), key.to_bytes());
        assert_eq!(load_verifying_key(&p).unwrap(), key.verifying_key());
        assert!(matches!(
            generate(dir.path(), "k"),
            Err(KeyError::Exists { .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&s).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn malformed_key_files_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "abc").unwrap();
        assert!(matches!(
            load_signing_key(&path),
            Err(KeyError::Malformed { .. })
        ));
        std::fs::write(&path, "zz".repeat(32)).unwrap();
        assert!(matches!(
            load_signing_key(&path),
            Err(KeyError::Malformed { .. })
        ));
        assert!(matches!(
            load_signing_key(&dir.path().join("none")),
            Err(KeyError::Io { .. })
        ));
    }
}
