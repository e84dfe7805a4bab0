//! Lower-case hexadecimal text of bytes: model and teacher identities, digests, keys.

use core::fmt;

/// Displays its bytes as lower-case hex, two digits a byte, without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Lower-case hex of `bytes` (`2 × bytes.len()` characters).
#[cfg(feature = "std")]
pub fn hex(bytes: &[u8]) -> String {
    Hex(bytes).to_string()
}

/// The 32 bytes written as exactly 64 hex digits (either case), or `None`.
pub fn parse_32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *o = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

/// The value of one hexadecimal digit (either case), `None` for any other byte.
pub fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_lower_case_digits_a_byte() {
        assert_eq!(Hex(&[0x00, 0x0f, 0xa0, 0xff]).to_string(), "000fa0ff");
        assert_eq!(Hex(&[]).to_string(), "");
    }

    #[test]
    fn parse_32_reads_what_hex_writes() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(parse_32(&Hex(&bytes).to_string()), Some(bytes));
        assert_eq!(parse_32(&"AB".repeat(32)), Some([0xab; 32]));
        assert_eq!(parse_32("zz"), None);
        assert_eq!(parse_32(&"g".repeat(64)), None);
        assert_eq!(parse_32(&"é".repeat(32)), None);
    }

    #[cfg(feature = "std")]
    #[test]
    fn hex_is_the_display() {
        assert_eq!(hex(&[1, 0xab]), "01ab");
    }
}
