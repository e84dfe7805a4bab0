//! The emulated board's `server` firmware (`device/boards/qemu-mps2-an386`), built for
//! `thumbv7em-none-eabihf` by `host/build.rs` with an empty key slot and embedded in this binary, so
//! that `edgekd` needs no source tree to emulate the device. [`super::key_slot::write_key`] gives
//! it the user's public key before it is handed to QEMU.

mod generated {
    // `pub const SERVER: Result<&[u8], &str>`: the ELF, or why this build embeds none.
    include!(concat!(env!("OUT_DIR"), "/qemu_server.rs"));
}

use super::FirmwareError;

/// The ELF image of the emulated board's `server`, its key slot empty; an error naming the fix when
/// this binary was built without the `thumbv7em-none-eabihf` target.
pub fn qemu_server() -> Result<&'static [u8], FirmwareError> {
    generated::SERVER.map_err(|why| FirmwareError::NotEmbedded { why })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firmware::{load_segments, write_key};
    use edgekd_device::key_slot::{decode, KeyOrigin, MARKER, SLOT_LEN};

    #[test]
    fn the_embedded_server_has_one_empty_key_slot_that_takes_a_key() {
        let image = match qemu_server() {
            Ok(image) => image,
            Err(e) => return crate::prerequisite::skip(&e.to_string()).unwrap(),
        };
        assert!(!load_segments(image).unwrap().is_empty());
        let at = image
            .windows(MARKER.len())
            .position(|w| w == MARKER)
            .expect("a key slot");
        let slot = |img: &[u8]| -> [u8; SLOT_LEN] { img[at..at + SLOT_LEN].try_into().unwrap() };
        assert!(decode(&slot(image)).is_err(), "built with a key");
        let mut mine = image.to_vec();
        write_key(&mut mine, &[9; 32]).unwrap();
        assert_eq!(decode(&slot(&mine)), Ok(([9; 32], KeyOrigin::Written)));
    }
}
