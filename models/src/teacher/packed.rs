//! Packed tokens: the real tokens of a batch one sequence after the other, without padding, for the
//! fused encoder (`super::fused`). Which path a device takes is [`EncoderPath::for_device`].

use burn::backend::DispatchDevice;
use burn::prelude::*;

/// How the encoder runs on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderPath {
    /// Fused layers over packed tokens (burn-flex, with or without autodiff).
    Fused,
    /// burn's tensor operations over padded batches (every backend; the reference).
    Reference,
}

impl EncoderPath {
    /// `Fused` on burn-flex (and autodiff over it), `Reference` elsewhere.
    pub fn for_device(device: &Device) -> Self {
        // Builds without other backends have only the two arms that lead to Fused.
        #[allow(unreachable_patterns)]
        match device.as_dispatch() {
            DispatchDevice::Flex(_) => EncoderPath::Fused,
            DispatchDevice::Autodiff(inner) => match &**inner {
                DispatchDevice::Flex(_) => EncoderPath::Fused,
                _ => EncoderPath::Reference,
            },
            _ => EncoderPath::Reference,
        }
    }
}

/// The tokens of a batch, packed.
#[derive(Debug, Clone)]
pub struct PackedTokens {
    /// Token ids, `[1, n]` (n = real tokens of the batch).
    pub ids: Tensor<2, Int>,
    /// Position of each token in its text, `[1, n]`.
    pub positions: Tensor<2, Int>,
    /// Token-type ids, `[1, n]`.
    pub type_ids: Tensor<2, Int>,
    /// Sequence `s` is rows `offsets[s]..offsets[s + 1]`; `offsets[0] = 0`, the last is `n`.
    pub offsets: Vec<usize>,
    /// Mean pooling as a matrix: `1/len(s)` at `(s, t)` for the tokens `t` of sequence `s`, `[b, n]`.
    pub pool: Tensor<2>,
}

impl PackedTokens {
    /// Packs padded `[batch, seq]` arrays (`lengths[r]` real tokens at the start of row `r`).
    pub fn new(
        ids: &[i64],
        type_ids: &[i64],
        seq: usize,
        lengths: &[usize],
        device: &Device,
    ) -> Self {
        let n: usize = lengths.iter().sum();
        let b = lengths.len();
        let mut offsets = Vec::with_capacity(b + 1);
        offsets.push(0);
        let (mut pid, mut ppos, mut ptype) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut pool = vec![0.0f32; b * n];
        for (row, &len) in lengths.iter().enumerate() {
            let start = *offsets.last().unwrap_or(&0);
            for col in 0..len {
                pid.push(ids[row * seq + col]);
                ptype.push(type_ids[row * seq + col]);
                ppos.push(col as i64);
                pool[row * n + start + col] = 1.0 / len as f32;
            }
            offsets.push(start + len);
        }
        let int = |v: Vec<i64>| Tensor::<2, Int>::from_data(TensorData::new(v, [1, n]), device);
        Self {
            ids: int(pid),
            positions: int(ppos),
            type_ids: int(ptype),
            offsets,
            pool: Tensor::from_data(TensorData::new(pool, [b, n]), device),
        }
    }

    /// Real tokens in the batch.
    pub fn tokens(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Tokens of the longest sequence.
    pub fn longest(&self) -> usize {
        self.offsets
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_dropped_and_pooling_averages_each_text() {
        let device = Device::flex();
        // Two texts of 3 and 1 tokens, padded to 3.
        let p = PackedTokens::new(&[5, 6, 7, 8, 0, 0], &[0; 6], 3, &[3, 1], &device);
        assert_eq!(p.offsets, vec![0, 3, 4]);
        assert_eq!((p.tokens(), p.longest()), (4, 3));
        let ids: Vec<i64> = p.ids.into_data().convert::<i64>().try_into_vec().unwrap();
        assert_eq!(ids, vec![5, 6, 7, 8]);
        let pos: Vec<i64> = p
            .positions
            .into_data()
            .convert::<i64>()
            .try_into_vec()
            .unwrap();
        assert_eq!(pos, vec![0, 1, 2, 0]);
        let pool: Vec<f32> = p.pool.into_data().try_into_vec().unwrap();
        let third = 1.0 / 3.0;
        assert_eq!(pool, vec![third, third, third, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(EncoderPath::for_device(&device), EncoderPath::Fused);
        assert_eq!(
            EncoderPath::for_device(&device.clone().autodiff()),
            EncoderPath::Fused
        );
    }
}
