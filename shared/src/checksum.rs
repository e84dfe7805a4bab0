//! CRC-32 used by the artifact and the wire protocol.
//!
//! The polynomial is CRC-32/ISO-HDLC (the CRC of zip, PNG and Ethernet): reflected 0x04C11DB7,
//! initial value and final XOR 0xFFFF_FFFF. Check value: `crc32(b"123456789") == 0xCBF4_3926`.

use crc::{Crc, CRC_32_ISO_HDLC};

const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

/// CRC-32/ISO-HDLC of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC32.checksum(bytes)
}

/// Incremental CRC-32/ISO-HDLC, for data that arrives in pieces (a flash stream, a frame).
pub struct Crc32Digest(crc::Digest<'static, u32>);

impl Crc32Digest {
    /// A digest over no bytes yet.
    pub fn new() -> Self {
        Self(CRC32.digest())
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The CRC of everything fed so far.
    pub fn finalize(self) -> u32 {
        self.0.finalize()
    }
}

impl Default for Crc32Digest {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Crc32Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Crc32Digest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_the_standard() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn incremental_equals_one_shot() {
        let mut d = Crc32Digest::new();
        d.update(b"1234");
        d.update(b"56789");
        assert_eq!(d.finalize(), crc32(b"123456789"));
    }
}
