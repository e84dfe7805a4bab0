//! Padded, masked mini-batches of hashed token ids.

use burn::prelude::*;

use super::error::StudentError;

/// A mini-batch of variable-length token sequences, padded to a common length.
///
/// # Shapes
/// - `tokens`: `[batch, len]` token ids (padding positions hold 0, masked out)
/// - `mask`: `[batch, len]`, 1.0 where a real token is, 0.0 on padding
/// - `lengths`: `batch` real token counts
#[derive(Debug, Clone)]
pub struct TokenBatch {
    /// Token ids, `[batch, len]`.
    pub tokens: Tensor<2, Int>,
    /// Validity mask, `[batch, len]`.
    pub mask: Tensor<2>,
    /// Real token count of each example.
    pub lengths: Vec<usize>,
}

impl TokenBatch {
    /// Pads `sequences` to the longest one (and at least `min_len`, at least 1) and checks every
    /// id is below `buckets`.
    pub fn new(
        sequences: &[&[u32]],
        buckets: usize,
        min_len: usize,
        device: &Device,
    ) -> Result<Self, StudentError> {
        if sequences.is_empty() {
            return Err(StudentError::EmptyBatch);
        }
        let longest = sequences.iter().map(|s| s.len()).max().unwrap_or(0);
        let len = longest.max(min_len).max(1);
        let batch = sequences.len();
        let mut ids = vec![0i64; batch * len];
        let mut mask = vec![0f32; batch * len];
        for (example, seq) in sequences.iter().enumerate() {
            for (position, &token) in seq.iter().enumerate() {
                if token as usize >= buckets {
                    return Err(StudentError::TokenOutOfRange {
                        example,
                        position,
                        token,
                        buckets,
                    });
                }
                ids[example * len + position] = i64::from(token);
                mask[example * len + position] = 1.0;
            }
        }
        Ok(Self {
            tokens: Tensor::from_data(TensorData::new(ids, [batch, len]), device),
            mask: Tensor::from_data(TensorData::new(mask, [batch, len]), device),
            lengths: sequences.iter().map(|s| s.len()).collect(),
        })
    }

    /// Number of examples.
    pub fn batch_size(&self) -> usize {
        self.lengths.len()
    }

    /// Padded length.
    pub fn padded_len(&self) -> usize {
        self.tokens.dims()[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_and_masks() {
        let device = Device::flex();
        let a: &[u32] = &[3, 1];
        let b: &[u32] = &[];
        let c: &[u32] = &[2, 2, 2];
        let batch = TokenBatch::new(&[a, b, c], 4, 0, &device).unwrap();
        assert_eq!(batch.padded_len(), 3);
        assert_eq!(batch.lengths, vec![2, 0, 3]);
        let mask: Vec<f32> = batch.mask.to_data().try_to_vec().unwrap();
        assert_eq!(mask, vec![1., 1., 0., 0., 0., 0., 1., 1., 1.]);
        let ids: Vec<i64> = batch
            .tokens
            .to_data()
            .convert::<i64>()
            .try_to_vec()
            .unwrap();
        assert_eq!(ids, vec![3, 1, 0, 0, 0, 0, 2, 2, 2]);
    }

    #[test]
    fn rejects_out_of_range_and_empty() {
        let device = Device::flex();
        let a: &[u32] = &[0, 9];
        let err = TokenBatch::new(&[a], 4, 0, &device).unwrap_err();
        assert_eq!(
            err,
            StudentError::TokenOutOfRange {
                example: 0,
                position: 1,
                token: 9,
                buckets: 4
            }
        );
        assert_eq!(
            TokenBatch::new(&[], 4, 0, &device).unwrap_err(),
            StudentError::EmptyBatch
        );
        let min = TokenBatch::new(&[a], 16, 5, &device).unwrap();
        assert_eq!(min.padded_len(), 5);
    }
}
