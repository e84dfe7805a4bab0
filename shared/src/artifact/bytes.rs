//! Helpers for the borrowed byte tables of an artifact: serialization as postcard byte arrays,
//! the int8 view, and little-endian f32 reads.

use serde::Serializer;

/// Serializes a byte table as a postcard byte array (varint length, then the raw bytes), the same
/// bytes that borrowed `&[u8]` deserialization reads.
pub(crate) fn serialize_bytes<B: AsRef<[u8]>, S: Serializer>(
    bytes: &B,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(bytes.as_ref())
}

/// Views a byte table as int8 values (two's complement), without copying.
pub fn as_i8(bytes: &[u8]) -> &[i8] {
    bytemuck::must_cast_slice(bytes)
}

/// Views int8 values as bytes, without copying (for building artifacts).
pub fn i8_as_bytes(values: &[i8]) -> &[u8] {
    bytemuck::must_cast_slice(values)
}

/// The little-endian f32 at position `index` (in f32 units) of `bytes`, or `None` if out of range.
pub fn f32_at(bytes: &[u8], index: usize) -> Option<f32> {
    let start = index.checked_mul(4)?;
    let chunk = bytes.get(start..start.checked_add(4)?)?;
    let mut le = [0u8; 4];
    le.copy_from_slice(chunk);
    Some(f32::from_le_bytes(le))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_view_is_twos_complement() {
        assert_eq!(as_i8(&[0x00, 0x7f, 0x80, 0xff]), &[0, 127, -128, -1]);
        assert_eq!(i8_as_bytes(&[-1, 1]), &[0xff, 0x01]);
    }

    #[test]
    fn f32_reads_stay_in_bounds() {
        let bytes = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x01];
        assert_eq!(f32_at(&bytes, 0), Some(1.0));
        assert_eq!(f32_at(&bytes, 1), Some(-2.0));
        assert_eq!(f32_at(&bytes, 2), None);
        assert_eq!(f32_at(&bytes, usize::MAX), None);
    }
}
