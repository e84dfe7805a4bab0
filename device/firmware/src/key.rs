//! The Ed25519 public key that models must be signed with: the firmware's key slot
//! (`edgekd_device::key_slot`), a marked 52-byte static in the image.
//!
//! `build.rs` fills the slot when a key is given at build time (`EDGEKD_PUBLIC_KEY`,
//! `EDGEKD_PUBLIC_KEY_FILE` or the host's development key); the host can overwrite it in the image
//! file after linking (`edgekd_host::firmware::write_key`), which is how the one prebuilt image of
//! the emulated board inside `edgekd` trusts each user's own key.

use ed25519_dalek::VerifyingKey;
use edgekd_device::key_slot::{self, KeyOrigin, SlotError, SLOT_LEN};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/public_key.rs"));
}

pub use generated::{PUBLIC_KEY, PUBLIC_KEY_SOURCE};

/// The key slot. Its symbol name is fixed for inspection (`nm`); the host finds it by its marker.
#[no_mangle]
#[used]
pub static EDGEKD_KEY_SLOT: [u8; SLOT_LEN] = key_slot::encode(PUBLIC_KEY, KeyOrigin::Build);

/// Why the embedded key cannot verify anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The slot holds no key.
    Missing,
    /// The slot's state byte is unknown (a damaged image).
    Damaged(u8),
    /// The 32 bytes are not a valid Ed25519 point.
    Invalid(KeyOrigin),
    /// [`verifying_key`] was called twice.
    Taken,
}

impl core::fmt::Display for KeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyError::Missing => write!(
                f,
                "no public key in the key slot (set EDGEKD_PUBLIC_KEY or EDGEKD_PUBLIC_KEY_FILE when \
                 building, or let edgekd write the slot into the image)"
            ),
            KeyError::Damaged(state) => write!(f, "the key slot's state {state} is unknown"),
            KeyError::Invalid(KeyOrigin::Build) => write!(
                f,
                "the public key set at build time ({PUBLIC_KEY_SOURCE}) is not a valid Ed25519 point"
            ),
            KeyError::Invalid(KeyOrigin::Written) => write!(
                f,
                "the public key written into the image is not a valid Ed25519 point"
            ),
            KeyError::Taken => write!(f, "the verifying key was already taken"),
        }
    }
}

/// The slot as it is in the image now.
pub fn slot() -> [u8; SLOT_LEN] {
    // SAFETY: a read of an immutable static through a pointer made from a reference to it: valid,
    // aligned and initialised. Volatile only so that the compiler reads the bytes in the image
    // instead of folding the build-time initialiser into the code (the host rewrites them).
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(EDGEKD_KEY_SLOT)) }
}

/// The key in the slot, decoded once into a static (the server borrows it for its whole life).
pub fn verifying_key() -> Result<&'static VerifyingKey, KeyError> {
    let (bytes, origin) = key_slot::decode(&slot()).map_err(|e| match e {
        SlotError::Empty => KeyError::Missing,
        SlotError::BadState(s) => KeyError::Damaged(s),
    })?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Invalid(origin))?;
    cortex_m::singleton!(: VerifyingKey = key)
        .map(|k| &*k)
        .ok_or(KeyError::Taken)
}
