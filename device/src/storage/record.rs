//! The boot record: which slot holds the active model, with its length and CRC.
//!
//! 24 bytes, little-endian, at the start of a boot region:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `b"EKBR"` |
//! | 4 | 2 | record format version, 1 |
//! | 6 | 1 | slot: 0 = A, 1 = B |
//! | 7 | 1 | reserved, 0 |
//! | 8 | 4 | sequence number (newest wins) |
//! | 12 | 4 | model length in bytes |
//! | 16 | 4 | CRC-32/ISO-HDLC of the model bytes |
//! | 20 | 4 | CRC-32/ISO-HDLC of bytes 0..20 |

use edgekd_shared::checksum::crc32;
use edgekd_shared::protocol::Slot;

/// Bytes of an encoded record.
pub const RECORD_LEN: usize = 24;
/// First four bytes of every record.
pub const RECORD_MAGIC: [u8; 4] = *b"EKBR";
/// The record format this code writes and reads.
pub const RECORD_VERSION: u16 = 1;

/// A decoded boot record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootRecord {
    /// Sequence number; each new record takes the largest valid one plus 1.
    pub seq: u32,
    /// The slot this record makes active.
    pub slot: Slot,
    /// Model length in bytes.
    pub model_len: u32,
    /// CRC-32 of the model's bytes.
    pub model_crc32: u32,
}

/// Why bytes at a boot region are not a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// All bytes are 0xFF: the region is erased.
    Erased,
    /// The magic is wrong (garbage, or another format).
    BadMagic,
    /// The record's own CRC does not match (torn write, bit rot).
    BadCrc,
    /// A field is out of range: unknown version, slot index or reserved byte.
    BadField,
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            RecordError::Erased => "boot region is erased",
            RecordError::BadMagic => "boot record magic is wrong",
            RecordError::BadCrc => "boot record CRC does not match",
            RecordError::BadField => "boot record has an out-of-range field",
        })
    }
}

fn le32(bytes: &[u8; RECORD_LEN], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(src) = bytes.get(at..at + 4) {
        w.copy_from_slice(src);
    }
    u32::from_le_bytes(w)
}

impl BootRecord {
    /// The record's bytes.
    pub fn encode(&self) -> [u8; RECORD_LEN] {
        let mut out = [0u8; RECORD_LEN];
        out[0..4].copy_from_slice(&RECORD_MAGIC);
        out[4..6].copy_from_slice(&RECORD_VERSION.to_le_bytes());
        out[6] = self.slot.index() as u8;
        out[7] = 0;
        out[8..12].copy_from_slice(&self.seq.to_le_bytes());
        out[12..16].copy_from_slice(&self.model_len.to_le_bytes());
        out[16..20].copy_from_slice(&self.model_crc32.to_le_bytes());
        let crc = crc32(&out[..20]);
        out[20..24].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and checks a record.
    pub fn decode(bytes: &[u8; RECORD_LEN]) -> Result<BootRecord, RecordError> {
        if bytes.iter().all(|b| *b == 0xFF) {
            return Err(RecordError::Erased);
        }
        if bytes[0..4] != RECORD_MAGIC {
            return Err(RecordError::BadMagic);
        }
        if crc32(&bytes[..20]) != le32(bytes, 20) {
            return Err(RecordError::BadCrc);
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        let slot = Slot::from_index(bytes[6]);
        match slot {
            Some(slot) if version == RECORD_VERSION && bytes[7] == 0 => Ok(BootRecord {
                seq: le32(bytes, 8),
                slot,
                model_len: le32(bytes, 12),
                model_crc32: le32(bytes, 16),
            }),
            _ => Err(RecordError::BadField),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: BootRecord = BootRecord {
        seq: 7,
        slot: Slot::B,
        model_len: 0x1234,
        model_crc32: 0xDEAD_BEEF,
    };

    #[test]
    fn round_trip_and_pinned_bytes() {
        let bytes = REC.encode();
        assert_eq!(
            &bytes[..20],
            &[
                b'E', b'K', b'B', b'R', 1, 0, 1, 0, 7, 0, 0, 0, 0x34, 0x12, 0, 0, 0xEF, 0xBE, 0xAD,
                0xDE
            ]
        );
        assert_eq!(BootRecord::decode(&bytes), Ok(REC));
    }

    #[test]
    fn every_single_bit_flip_is_caught() {
        let good = REC.encode();
        for byte in 0..RECORD_LEN {
            for bit in 0..8 {
                let mut bad = good;
                bad[byte] ^= 1 << bit;
                assert!(BootRecord::decode(&bad).is_err(), "byte {byte} bit {bit}");
            }
        }
    }

    #[test]
    fn erased_and_torn_records_are_rejected() {
        assert_eq!(
            BootRecord::decode(&[0xFF; RECORD_LEN]),
            Err(RecordError::Erased)
        );
        let good = REC.encode();
        for keep in 1..RECORD_LEN {
            let mut torn = [0xFF; RECORD_LEN];
            torn[..keep].copy_from_slice(&good[..keep]);
            assert!(BootRecord::decode(&torn).is_err(), "prefix {keep}");
        }
    }
}
