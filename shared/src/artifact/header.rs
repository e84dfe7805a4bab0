//! The container around the postcard body: fixed header, optional signature, CRC-32 trailer.
//!
//! ```text
//! offset  size  field
//! 0       4     magic  b"EKD1"
//! 4       2     format version, u16 LE
//! 6       2     flags, u16 LE (bit 0: signed; other bits must be 0)
//! 8       4     body length B, u32 LE
//! 12      B     postcard body (a `Model`)
//! 12+B    64    Ed25519 signature over bytes [0, 12+B)   (only when the signed flag is set)
//! end-4   4     CRC-32/ISO-HDLC over every preceding byte, u32 LE
//! ```

use super::{ArtifactError, FORMAT_VERSION, MAGIC};
use crate::checksum::crc32;

/// Bytes of the fixed header.
pub const HEADER_LEN: usize = 12;
/// Bytes of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Bytes of the CRC-32 trailer.
pub const CRC_LEN: usize = 4;
/// Header flag: a signature follows the body.
pub const FLAG_SIGNED: u16 = 1;
/// Every flag this reader knows.
pub const KNOWN_FLAGS: u16 = FLAG_SIGNED;

/// The fixed header at the start of an artifact.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Header {
    /// Format version ([`FORMAT_VERSION`] for artifacts this code writes).
    pub version: u16,
    /// Flag bits ([`FLAG_SIGNED`]).
    pub flags: u16,
    /// Length of the postcard body in bytes.
    pub body_len: u32,
}

impl Header {
    /// True when the signed flag is set.
    pub fn is_signed(&self) -> bool {
        self.flags & FLAG_SIGNED != 0
    }

    /// The 12 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..4].copy_from_slice(&MAGIC);
        out[4..6].copy_from_slice(&self.version.to_le_bytes());
        out[6..8].copy_from_slice(&self.flags.to_le_bytes());
        out[8..12].copy_from_slice(&self.body_len.to_le_bytes());
        out
    }

    /// Total artifact length this header implies (header, body, signature if any, CRC), or
    /// `None` when it does not fit `usize`.
    pub fn total_len(&self) -> Option<usize> {
        let sig = if self.is_signed() { SIGNATURE_LEN } else { 0 };
        usize::try_from(self.body_len)
            .ok()?
            .checked_add(HEADER_LEN + sig + CRC_LEN)
    }
}

/// An artifact split into its parts, with magic, version, flags, length and CRC checked
/// (signature not yet verified, body not yet decoded).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Container<'a> {
    /// The parsed header.
    pub header: Header,
    /// Header and body: the bytes the signature covers.
    pub signed_part: &'a [u8],
    /// The postcard body.
    pub body: &'a [u8],
    /// The signature, when the signed flag is set.
    pub signature: Option<&'a [u8; SIGNATURE_LEN]>,
}

/// Splits `bytes` into header, body and signature, checking magic, version, flags, the total
/// length and the CRC-32 trailer, in that order.
pub fn parse_container(bytes: &[u8]) -> Result<Container<'_>, ArtifactError> {
    let (container, stored) = split_container(bytes)?;
    let covered = bytes
        .get(..bytes.len().saturating_sub(CRC_LEN))
        .unwrap_or(&[]);
    let computed = crc32(covered);
    if stored != computed {
        return Err(ArtifactError::Checksum { stored, computed });
    }
    Ok(container)
}

/// Like [`parse_container`] but WITHOUT the CRC-32 pass (for bytes already checked, see
/// [`decode_trusted`](super::decode_trusted)).
pub fn parse_container_trusted(bytes: &[u8]) -> Result<Container<'_>, ArtifactError> {
    split_container(bytes).map(|(container, _)| container)
}

/// Checks magic, version, flags and total length; returns the parts and the stored CRC.
fn split_container(bytes: &[u8]) -> Result<(Container<'_>, u32), ArtifactError> {
    let min = HEADER_LEN + CRC_LEN;
    let too_short = ArtifactError::TooShort {
        len: bytes.len(),
        min,
    };
    let head: &[u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(too_short.clone())?;
    let [m0, m1, m2, m3, v0, v1, f0, f1, l0, l1, l2, l3] = *head;
    let magic = [m0, m1, m2, m3];
    if magic != MAGIC {
        return Err(ArtifactError::BadMagic { found: magic });
    }
    let header = Header {
        version: u16::from_le_bytes([v0, v1]),
        flags: u16::from_le_bytes([f0, f1]),
        body_len: u32::from_le_bytes([l0, l1, l2, l3]),
    };
    if header.version != FORMAT_VERSION {
        return Err(ArtifactError::UnsupportedVersion {
            found: header.version,
            supported: FORMAT_VERSION,
        });
    }
    if header.flags & !KNOWN_FLAGS != 0 {
        return Err(ArtifactError::UnknownFlags {
            flags: header.flags,
        });
    }
    if bytes.len() < min {
        return Err(too_short);
    }
    let expected = header.total_len().unwrap_or(usize::MAX);
    let mismatch = ArtifactError::LengthMismatch {
        expected,
        found: bytes.len(),
    };
    if bytes.len() != expected {
        return Err(mismatch);
    }
    let (covered, trailer) = bytes
        .split_at_checked(bytes.len() - CRC_LEN)
        .ok_or(too_short.clone())?;
    let stored = <[u8; CRC_LEN]>::try_from(trailer)
        .map(u32::from_le_bytes)
        .map_err(|_| too_short)?;
    let body_end = usize::try_from(header.body_len)
        .ok()
        .and_then(|n| n.checked_add(HEADER_LEN))
        .ok_or(mismatch.clone())?;
    let (signed_part, after_body) = covered.split_at_checked(body_end).ok_or(mismatch.clone())?;
    let body = signed_part.get(HEADER_LEN..).unwrap_or(&[]);
    let signature = if header.is_signed() {
        Some(<&[u8; SIGNATURE_LEN]>::try_from(after_body).map_err(|_| mismatch)?)
    } else {
        None
    };
    Ok((
        Container {
            header,
            signed_part,
            body,
            signature,
        },
        stored,
    ))
}

/// Rewrites the CRC-32 trailer of `artifact` to match its other bytes (tests and fuzzing use it
/// to reach the checks behind the CRC). Errors when `artifact` is shorter than the trailer.
pub fn reseal_crc(artifact: &mut [u8]) -> Result<(), ArtifactError> {
    let len = artifact.len();
    let crc_at = len.checked_sub(CRC_LEN).ok_or(ArtifactError::TooShort {
        len,
        min: HEADER_LEN + CRC_LEN,
    })?;
    let (covered, trailer) = artifact.split_at_mut(crc_at);
    trailer.copy_from_slice(&crc32(covered).to_le_bytes());
    Ok(())
}

/// An unsigned container around `body`, whatever the body holds (tests of this module and of
/// the model identity).
#[cfg(test)]
pub(super) fn unsigned(body: &[u8]) -> std::vec::Vec<u8> {
    let h = Header {
        version: FORMAT_VERSION,
        flags: 0,
        body_len: body.len() as u32,
    };
    let mut v = h.to_bytes().to_vec();
    v.extend_from_slice(body);
    v.extend_from_slice(&[0; CRC_LEN]);
    let _ = reseal_crc(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_well_formed_container() {
        let bytes = unsigned(&[1, 2, 3]);
        let c = parse_container(&bytes).unwrap();
        assert_eq!(c.body, &[1, 2, 3]);
        assert_eq!(c.signed_part.len(), HEADER_LEN + 3);
        assert!(c.signature.is_none());
    }

    #[test]
    fn checks_in_order() {
        assert_eq!(
            parse_container(b"EKD"),
            Err(ArtifactError::TooShort { len: 3, min: 16 })
        );
        let mut bytes = unsigned(&[1, 2, 3]);
        bytes[0] = b'X';
        assert!(matches!(
            parse_container(&bytes),
            Err(ArtifactError::BadMagic { .. })
        ));
        let mut bytes = unsigned(&[]);
        bytes[4] = 9;
        assert!(matches!(
            parse_container(&bytes),
            Err(ArtifactError::UnsupportedVersion { .. })
        ));
        let mut bytes = unsigned(&[]);
        bytes[6] = 2;
        assert_eq!(
            parse_container(&bytes),
            Err(ArtifactError::UnknownFlags { flags: 2 })
        );
        let mut bytes = unsigned(&[7]);
        bytes.push(0);
        assert_eq!(
            parse_container(&bytes),
            Err(ArtifactError::LengthMismatch {
                expected: 17,
                found: 18
            })
        );
        let mut bytes = unsigned(&[7]);
        bytes[12] = 8;
        assert!(matches!(
            parse_container(&bytes),
            Err(ArtifactError::Checksum { .. })
        ));
        let mut bytes = unsigned(&[7]);
        bytes[6] = 1; // claims a signature that is not there
        reseal_crc(&mut bytes).unwrap();
        assert!(matches!(
            parse_container(&bytes),
            Err(ArtifactError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn huge_body_length_is_a_length_error() {
        let h = Header {
            version: FORMAT_VERSION,
            flags: FLAG_SIGNED,
            body_len: u32::MAX,
        };
        let mut v = h.to_bytes().to_vec();
        v.extend_from_slice(&[0; 4]);
        assert!(matches!(
            parse_container(&v),
            Err(ArtifactError::LengthMismatch { .. })
        ));
    }
}
