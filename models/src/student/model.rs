//! The student module: a burn mirror of the device's int8 op sequence, in f32.

use burn::module::Param;
use burn::nn::conv::Conv1d;
use burn::nn::{Embedding, Linear};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::batch::TokenBatch;
use super::config::StudentKind;
use super::error::StudentError;

/// A hashed-token text classifier whose ops map one-to-one onto `shared::kernels`.
///
/// - `bag`: `embed_bag(mean)` → `dense + relu` (`hidden`) → `dense` (`output`)
/// - `cnn`: `embed` → `conv1d + relu` (`conv`, zero padding `pad` each side) →
///   `global_max_pool` → `dense` (`output`)
///
/// burn's `Linear` weight is `[d_in, d_out]`; the device's dense weight is `[out, in]`.
#[derive(Module, Debug)]
pub struct Student {
    /// Hashed embedding table, weight `[buckets, dim]`.
    pub embedding: Embedding,
    /// `cnn` only: weight `[hidden, dim, kernel]`, bias `[hidden]`.
    pub conv: Option<Conv1d>,
    /// `bag` only: weight `[dim, hidden]`, bias `[hidden]`.
    pub hidden: Option<Linear>,
    /// Classifier: weight `[hidden, classes]`, bias `[classes]`.
    pub output: Linear,
    /// Architecture.
    #[module(skip)]
    pub kind: StudentKind,
    /// Convolution zero padding on each side (tokens).
    pub pad: usize,
}

/// Every intermediate activation of one forward pass (what calibration needs).
#[derive(Debug, Clone)]
pub struct StudentTrace {
    /// `bag`: mean of the token embeddings `[batch, dim]`; `cnn`: the max-pooled convolution
    /// features `[batch, hidden]`.
    pub pooled: Tensor<2>,
    /// `cnn` only: ReLU'd convolution output `[batch, out_len, hidden]` and its validity mask
    /// `[batch, out_len, 1]` (positions past `len + 2·pad − kernel + 1` are 0).
    pub conv: Option<(Tensor<3>, Tensor<3>)>,
    /// The classifier's input `[batch, hidden]`: `relu(dense)` for `bag`, `pooled` for `cnn`.
    pub features: Tensor<2>,
    /// Logits `[batch, classes]`.
    pub logits: Tensor<2>,
}

impl Student {
    /// Logits `[batch, classes]` for a padded batch.
    pub fn forward(&self, batch: &TokenBatch) -> Tensor<2> {
        self.forward_trace(batch).logits
    }

    /// The forward pass, keeping every intermediate activation.
    pub fn forward_trace(&self, batch: &TokenBatch) -> StudentTrace {
        let [b, _] = batch.tokens.dims();
        // [b, len, dim] with padding positions zeroed (the device pads with the zero point).
        let mask3 = batch.mask.clone().unsqueeze_dim::<3>(2);
        let emb = self.embedding.forward(batch.tokens.clone()) * mask3;
        match (self.kind, &self.hidden, &self.conv) {
            (StudentKind::Bag, Some(hidden), _) => {
                let dim = emb.dims()[2];
                let sum = emb.sum_dim(1).reshape([b, dim]);
                let count = batch.mask.clone().sum_dim(1).clamp_min(1.0);
                let pooled = sum / count;
                let features = relu(hidden.forward(pooled.clone()));
                let logits = self.output.forward(features.clone());
                StudentTrace {
                    pooled,
                    conv: None,
                    features,
                    logits,
                }
            }
            (StudentKind::Cnn, _, Some(conv)) => {
                let x = emb.swap_dims(1, 2); // [b, dim, len]
                let y = relu(conv.forward(x)); // [b, hidden, out_len]
                let [_, channels, out_len] = y.dims();
                let kernel = conv.kernel_size;
                let mut valid = vec![0f32; b * out_len];
                for (i, &n) in batch.lengths.iter().enumerate() {
                    let n_out = (n + 2 * self.pad + 1).saturating_sub(kernel).min(out_len);
                    for v in valid.iter_mut().skip(i * out_len).take(n_out) {
                        *v = 1.0;
                    }
                }
                let device = y.device();
                let out_mask: Tensor<3> =
                    Tensor::from_data(TensorData::new(valid, [b, 1, out_len]), &device);
                // After ReLU every value is >= 0, so zeroing invalid positions leaves the max of the
                // valid ones unchanged (and gives 0 when no position is valid).
                let y = y * out_mask.clone();
                let pooled = y.clone().max_dim(2).reshape([b, channels]);
                let logits = self.output.forward(pooled.clone());
                StudentTrace {
                    pooled: pooled.clone(),
                    conv: Some((y.swap_dims(1, 2), out_mask.swap_dims(1, 2))),
                    features: pooled,
                    logits,
                }
            }
            // `StudentConfig::init` always builds the layers its kind needs; a module loaded from
            // a record keeps that structure, so this arm is unreachable in practice.
            _ => unreachable!("student of kind {} is missing its layers", self.kind),
        }
    }

    /// Predicted class of each example (argmax of the logits).
    pub fn predict(&self, batch: &TokenBatch) -> Vec<usize> {
        let logits = self.forward(batch);
        let [b, classes] = logits.dims();
        let values: Vec<f32> = logits
            .into_data()
            .convert::<f32>()
            .try_to_vec()
            .unwrap_or_default();
        (0..b)
            .map(|i| argmax(values.get(i * classes..(i + 1) * classes).unwrap_or(&[])))
            .collect()
    }

    /// Embedding table `[buckets, dim]`, row-major.
    pub fn embedding_table(&self) -> Vec<f32> {
        self.embedding
            .weight
            .val()
            .into_data()
            .convert::<f32>()
            .try_to_vec()
            .unwrap_or_default()
    }

    /// Replaces the embedding table (for example with GloVe or teacher embeddings projected to
    /// `dim`), keeping the parameter id. `table` is `[buckets, dim]` row-major.
    pub fn with_embedding_table(mut self, table: Vec<f32>) -> Result<Self, StudentError> {
        let [buckets, dim] = self.embedding.weight.dims();
        if table.len() != buckets * dim {
            return Err(StudentError::TableSize {
                got: table.len(),
                expected: buckets * dim,
            });
        }
        let device = self.embedding.weight.val().device();
        let id = self.embedding.weight.id;
        let value = Tensor::from_data(TensorData::new(table, [buckets, dim]), &device);
        let mut param = Param::from_tensor(value);
        param.id = id;
        self.embedding.weight = param;
        Ok(self)
    }
}

/// Index of the largest value; the first one on ties (as `shared::kernels::argmax`).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if let Some(b) = values.get(best) {
            if v > b {
                best = i;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::super::config::StudentConfig;
    use super::*;

    fn batch(seqs: &[&[u32]], buckets: usize, device: &Device) -> TokenBatch {
        TokenBatch::new(seqs, buckets, 1, device).unwrap()
    }

    #[test]
    fn bag_mean_ignores_padding() {
        let device = Device::flex();
        let cfg = StudentConfig::new(8, 2, 2).with_hidden(3);
        let table: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let model = cfg
            .init(&device)
            .unwrap()
            .with_embedding_table(table)
            .unwrap();
        let a: &[u32] = &[1, 3];
        let b: &[u32] = &[1, 3, 0, 0]; // the same tokens plus two real zeros
        let c: &[u32] = &[];
        let trace = model.forward_trace(&batch(&[a, b, c], 8, &device));
        let pooled: Vec<f32> = trace.pooled.into_data().try_to_vec().unwrap();
        // row 1 = [2,3], row 3 = [6,7]; mean = [4,5]; with rows 0 ([0,1]) twice: [2,3]; empty: 0.
        assert_eq!(pooled, vec![4., 5., 2., 3., 0., 0.]);
        assert_eq!(trace.logits.dims(), [3, 2]);
    }

    #[test]
    fn cnn_output_does_not_depend_on_batch_padding() {
        let device = Device::flex();
        let cfg = StudentConfig::new(16, 4, 3)
            .with_kind(StudentKind::Cnn)
            .with_hidden(5)
            .with_kernel(3);
        let model = cfg.init(&device).unwrap();
        let short: &[u32] = &[4, 7];
        let long: &[u32] = &[1, 2, 3, 4, 5, 6, 7, 8, 9];
        let alone = model.forward(&batch(&[short], 16, &device));
        let padded = model.forward(&batch(&[short, long], 16, &device));
        let alone: Vec<f32> = alone.into_data().try_to_vec().unwrap();
        let padded: Vec<f32> = padded.into_data().try_to_vec().unwrap();
        for (x, y) in alone.iter().zip(&padded[..3]) {
            assert!((x - y).abs() < 1e-5, "{alone:?} vs {padded:?}");
        }
    }

    #[test]
    fn argmax_takes_first_maximum() {
        assert_eq!(argmax(&[0.1, 0.5, 0.5]), 1);
        assert_eq!(argmax(&[]), 0);
    }

    #[test]
    fn table_size_is_checked() {
        let device = Device::flex();
        let model = StudentConfig::new(8, 2, 2).init(&device).unwrap();
        assert!(model.with_embedding_table(vec![0.0; 3]).is_err());
    }
}
