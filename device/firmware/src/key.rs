//! The Ed25519 public key that models must be signed with, embedded at build time by `build.rs`
//! (`EDGEKD_PUBLIC_KEY`, `EDGEKD_PUBLIC_KEY_FILE` or the host's development key).

use ed25519_dalek::VerifyingKey;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/public_key.rs"));
}

pub use generated::{PUBLIC_KEY, PUBLIC_KEY_SOURCE};

/// Why the embedded key cannot verify anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The firmware was built without a key.
    Missing,
    /// The 32 bytes are not a valid Ed25519 point.
    Invalid,
    /// [`verifying_key`] was called twice.
    Taken,
}

impl core::fmt::Display for KeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyError::Missing => write!(
                f,
                "built without a public key (set EDGEKD_PUBLIC_KEY or EDGEKD_PUBLIC_KEY_FILE when building)"
            ),
            KeyError::Invalid => write!(
                f,
                "the embedded public key ({PUBLIC_KEY_SOURCE}) is not a valid Ed25519 point"
            ),
            KeyError::Taken => write!(f, "the verifying key was already taken"),
        }
    }
}

/// The embedded key, decoded once into a static (the server borrows it for its whole life).
pub fn verifying_key() -> Result<&'static VerifyingKey, KeyError> {
    let bytes = PUBLIC_KEY.ok_or(KeyError::Missing)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Invalid)?;
    cortex_m::singleton!(: VerifyingKey = key)
        .map(|k| &*k)
        .ok_or(KeyError::Taken)
}
