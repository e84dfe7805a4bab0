//! Attention-masked mean pooling of token states into one sentence vector.

use burn::prelude::*;

/// Mean of the hidden states of the real (unpadded) tokens.
///
/// # Shapes
/// - `hidden`: `[batch, seq, hidden]`
/// - `mask`: `[batch, seq]`, 1.0 for real tokens, 0.0 for padding
/// - output: `[batch, hidden]`
pub fn masked_mean(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [b, s, h] = hidden.dims();
    let m = mask.reshape([b, s, 1]);
    let summed = (hidden * m.clone()).sum_dim(1).reshape([b, h]);
    // A row of padding only would divide by zero: clamp as sentence-transformers does.
    let counts = m.sum_dim(1).reshape([b, 1]).clamp_min(1e-9);
    summed / counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_ignored() {
        let device = Device::flex();
        // batch 2, seq 3, hidden 2; second row has one padded position holding junk.
        let hidden = Tensor::<3>::from_data(
            TensorData::new(
                vec![
                    1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0, 20.0, 30.0, 40.0, 999.0, -999.0,
                ],
                [2, 3, 2],
            ),
            &device,
        );
        let mask = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 1.0, 1.0, 1.0, 1.0, 0.0], [2, 3]),
            &device,
        );
        let out: Vec<f32> = masked_mean(hidden, mask).into_data().try_to_vec().unwrap();
        assert_eq!(out, vec![3.0, 4.0, 20.0, 30.0]);
    }
}
