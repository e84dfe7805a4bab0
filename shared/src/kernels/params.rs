//! Per-output-channel bias and requantization, read in place from artifact bytes.

use super::{mul_len, KernelError};
use crate::quant::Requant;

/// Per-output-channel parameters of a `dense` or `conv1d` layer, borrowed from little-endian
/// bytes, 12 bytes per channel: bias i32 (input zero point already folded in:
/// `bias − in_zp · Σw`), multiplier i32, shift i32.
///
/// Built by [`ChannelParams::new`], which checks the length and every [`Requant`], so the
/// kernels can use it without further checks.
#[derive(Clone, Copy, Debug)]
pub struct ChannelParams<'a> {
    bytes: &'a [u8],
    channels: usize,
}

impl<'a> ChannelParams<'a> {
    /// Bytes per output channel: bias, multiplier, shift, each an i32 LE.
    pub const BYTES_PER_CHANNEL: usize = 12;

    /// Wraps `bytes` (`[channels, 12]`). Errors: a length other than `12 · channels`
    /// (`ShapeMismatch`), an invalid requantization (`BadRequant { channel }`).
    pub fn new(bytes: &'a [u8], channels: usize) -> Result<Self, KernelError> {
        let expected = mul_len("channel params", channels, Self::BYTES_PER_CHANNEL)?;
        if bytes.len() != expected {
            return Err(KernelError::ShapeMismatch {
                what: "channel params",
                expected,
                found: bytes.len(),
            });
        }
        let params = Self { bytes, channels };
        for channel in 0..channels {
            match params.get(channel) {
                Some((_, rq)) if rq.is_valid() => {}
                _ => return Err(KernelError::BadRequant { channel }),
            }
        }
        Ok(params)
    }

    /// Number of output channels.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Bias and requantization of channel `c`, or `None` when `c ≥ channels()`.
    #[inline]
    pub fn get(&self, c: usize) -> Option<(i32, Requant)> {
        let start = c.checked_mul(Self::BYTES_PER_CHANNEL)?;
        let rec = self
            .bytes
            .get(start..start.checked_add(Self::BYTES_PER_CHANNEL)?)?;
        let bias = read_i32(rec, 0)?;
        let multiplier = read_i32(rec, 4)?;
        let shift = read_i32(rec, 8)?;
        Some((bias, Requant { multiplier, shift }))
    }

    /// Writes `[channels, 12]` bytes for `bias` and `requant` (equal lengths) into `out`
    /// (exactly `12 · channels` bytes). Used by the host exporter and by tests.
    pub fn encode(bias: &[i32], requant: &[Requant], out: &mut [u8]) -> Result<(), KernelError> {
        if requant.len() != bias.len() {
            return Err(KernelError::ShapeMismatch {
                what: "requant",
                expected: bias.len(),
                found: requant.len(),
            });
        }
        let expected = mul_len("channel params", bias.len(), Self::BYTES_PER_CHANNEL)?;
        if out.len() != expected {
            return Err(KernelError::ShapeMismatch {
                what: "channel params",
                expected,
                found: out.len(),
            });
        }
        for (channel, rq) in requant.iter().enumerate() {
            if !rq.is_valid() {
                return Err(KernelError::BadRequant { channel });
            }
        }
        for ((rec, b), rq) in out
            .chunks_exact_mut(Self::BYTES_PER_CHANNEL)
            .zip(bias)
            .zip(requant)
        {
            for (dst, v) in rec.chunks_exact_mut(4).zip([*b, rq.multiplier, rq.shift]) {
                dst.copy_from_slice(&v.to_le_bytes());
            }
        }
        Ok(())
    }
}

fn read_i32(bytes: &[u8], at: usize) -> Option<i32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes(b.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_read_back() {
        let rq = [Requant::from_real(0.25).unwrap(), Requant::ZERO];
        let mut buf = [0u8; 24];
        ChannelParams::encode(&[-5, 70000], &rq, &mut buf).unwrap();
        assert_eq!(&buf[..4], &(-5i32).to_le_bytes());
        let p = ChannelParams::new(&buf, 2).unwrap();
        assert_eq!(p.channels(), 2);
        assert_eq!(p.get(0), Some((-5, rq[0])));
        assert_eq!(p.get(1), Some((70000, Requant::ZERO)));
        assert_eq!(p.get(2), None);
        assert_eq!(p.get(usize::MAX), None);
    }

    #[test]
    fn rejects_bad_bytes() {
        assert_eq!(
            ChannelParams::new(&[0u8; 23], 2).unwrap_err(),
            KernelError::ShapeMismatch {
                what: "channel params",
                expected: 24,
                found: 23
            }
        );
        let mut buf = [0u8; 24];
        let good = Requant::from_real(1.0).unwrap();
        let bad = Requant {
            multiplier: 7,
            shift: 0,
        };
        assert_eq!(
            ChannelParams::encode(&[0, 0], &[good, bad], &mut buf),
            Err(KernelError::BadRequant { channel: 1 })
        );
        // Hand-made bytes with a bad shift in channel 1.
        ChannelParams::encode(&[0, 0], &[good, good], &mut buf).unwrap();
        buf[20..24].copy_from_slice(&99i32.to_le_bytes());
        assert_eq!(
            ChannelParams::new(&buf, 2).unwrap_err(),
            KernelError::BadRequant { channel: 1 }
        );
        assert!(ChannelParams::new(&[], usize::MAX).is_err());
        assert!(ChannelParams::encode(&[0], &[good, good], &mut buf).is_err());
    }
}
