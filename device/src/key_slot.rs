//! The public-key slot of a firmware image: a 52-byte static that a firmware reads its Ed25519
//! verifying key from, and that the host can find in the image file by its marker and overwrite
//! before handing the image to the emulator or a flasher. This is what lets one prebuilt image
//! (the emulated board's `server`, embedded in the `edgekd` binary) trust each user's own key.
//!
//! ```text
//! offset  0..16  MARKER ("edgekd:keyslot:1"), found by the host, never read by the firmware
//!        16      state: 0 empty, 1 key set when the firmware was built, 2 key written into the image
//!        17..20  zero
//!        20..52  the 32-byte Ed25519 public key (zero when empty)
//! ```
//!
//! The firmware must read the slot with a volatile read: its initial value is a constant the
//! compiler would otherwise fold into the code, and the bytes in the image are rewritten after
//! linking.

/// The bytes that open the slot (unique in an image: nothing else contains them).
pub const MARKER: [u8; 16] = *b"edgekd:keyslot:1";
/// Length of the slot in bytes.
pub const SLOT_LEN: usize = 52;
/// Offset of the state byte.
const STATE_AT: usize = 16;
/// Offset of the key.
const KEY_AT: usize = 20;

const _: () = assert!(KEY_AT + 32 == SLOT_LEN && STATE_AT < KEY_AT && MARKER.len() == STATE_AT);

/// Where the key in a slot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Set when the firmware was built (`EDGEKD_PUBLIC_KEY` and friends).
    Build,
    /// Written into the image after linking (the host's `firmware::write_key`).
    Written,
}

impl KeyOrigin {
    const fn state(self) -> u8 {
        match self {
            KeyOrigin::Build => 1,
            KeyOrigin::Written => 2,
        }
    }
}

/// Why a slot holds no usable key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotError {
    /// The slot is empty: no key at build time, none written since.
    Empty,
    /// The state byte is none of the known values (a damaged image).
    BadState(u8),
}

/// The slot holding `key` from `origin` (`None`: an empty slot).
pub const fn encode(key: Option<[u8; 32]>, origin: KeyOrigin) -> [u8; SLOT_LEN] {
    let mut slot = [0u8; SLOT_LEN];
    let mut i = 0;
    while i < MARKER.len() {
        slot[i] = MARKER[i];
        i += 1;
    }
    if let Some(key) = key {
        slot[STATE_AT] = origin.state();
        let mut j = 0;
        while j < key.len() {
            slot[KEY_AT + j] = key[j];
            j += 1;
        }
    }
    slot
}

/// The key in `slot` and where it came from. The marker is not checked (the firmware would
/// otherwise carry a second copy of it, and the host finds the slot by it anyway).
pub fn decode(slot: &[u8; SLOT_LEN]) -> Result<([u8; 32], KeyOrigin), SlotError> {
    let origin = match slot[STATE_AT] {
        0 => return Err(SlotError::Empty),
        1 => KeyOrigin::Build,
        2 => KeyOrigin::Written,
        other => return Err(SlotError::BadState(other)),
    };
    let mut key = [0u8; 32];
    // In bounds: KEY_AT + 32 == SLOT_LEN, checked at compile time below.
    key.copy_from_slice(&slot[KEY_AT..]);
    Ok((key, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_and_open_with_the_marker() {
        let key = [7u8; 32];
        for origin in [KeyOrigin::Build, KeyOrigin::Written] {
            let slot = encode(Some(key), origin);
            assert_eq!(slot[..16], MARKER);
            assert_eq!(decode(&slot), Ok((key, origin)));
        }
        let empty = encode(None, KeyOrigin::Build);
        assert_eq!(empty[..16], MARKER);
        assert!(empty[16..].iter().all(|&b| b == 0));
        assert_eq!(decode(&empty), Err(SlotError::Empty));
    }

    #[test]
    fn unknown_states_are_refused() {
        let mut slot = encode(Some([1; 32]), KeyOrigin::Written);
        slot[STATE_AT] = 9;
        assert_eq!(decode(&slot), Err(SlotError::BadState(9)));
    }
}
