//! What storage needs from its caller and its flash to vet a model.

/// Decides whether bytes in a slot are a model this device may run: typically the artifact's
/// Ed25519 signature check plus its structural validation. Storage calls it after the slot's
/// CRC has passed, at boot for each candidate and at the end of every update.
///
/// Any `Fn(&[u8]) -> bool` is a validator.
pub trait ModelValidator {
    /// `true` when `image` (the whole model, borrowed from flash) may become active.
    fn validate(&self, image: &[u8]) -> bool;
}

impl<T: Fn(&[u8]) -> bool> ModelValidator for T {
    fn validate(&self, image: &[u8]) -> bool {
        self(image)
    }
}

/// A flash whose bytes the CPU can read in place: memory-mapped (XIP) internal flash, or a
/// RAM-backed simulator. Storage borrows the model from it for the validator and the engine, so
/// that a 256 KiB model never has to be copied into RAM.
pub trait MappedFlash {
    /// The `len` bytes at flash offset `offset`, or `None` if that range is not mapped.
    fn mapped(&self, offset: u32, len: u32) -> Option<&[u8]>;
}
