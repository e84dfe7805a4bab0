//! `TeacherNet`: the burn module of the teacher — encoder, mean pooling, dropout, linear head.

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::encoder::BertEncoder;
use super::error::Result;
use super::pooling::masked_mean;
use super::tokenize::TokenBatch;

/// Encoder + masked mean pooling + dropout + classification head.
#[derive(Module, Debug)]
pub struct TeacherNet {
    /// The BERT encoder.
    pub encoder: BertEncoder,
    /// Dropout on the pooled vector (training only).
    pub dropout: Dropout,
    /// Head `[hidden, classes]`.
    pub head: Linear,
}

impl TeacherNet {
    /// Puts a freshly initialised head of `classes` outputs on `encoder`.
    pub fn new(
        encoder: BertEncoder,
        hidden: usize,
        classes: usize,
        dropout: f64,
        device: &Device,
    ) -> Self {
        Self {
            encoder,
            dropout: DropoutConfig::new(dropout).init(),
            head: LinearConfig::new(hidden, classes).init(device),
        }
    }

    /// Sentence embeddings: the fused encoder over packed tokens when `batch` carries them,
    /// burn's reference modules over the padded batch otherwise.
    ///
    /// # Shapes
    /// - output: `[batch, hidden]`
    pub fn pooled(&self, batch: &TokenBatch) -> Result<Tensor<2>> {
        match &batch.packed {
            Some(packed) => {
                let hidden = self.encoder.forward_packed(packed)?;
                Ok(packed.pool.clone().matmul(hidden))
            }
            None => {
                let hidden = self.encoder.forward(batch)?;
                Ok(masked_mean(hidden, batch.mask.clone()))
            }
        }
    }

    /// Class logits.
    ///
    /// # Shapes
    /// - output: `[batch, classes]`
    pub fn forward(&self, batch: &TokenBatch) -> Result<Tensor<2>> {
        let pooled = self.pooled(batch)?;
        Ok(self.head.forward(self.dropout.forward(pooled)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teacher::{BertConfig, EncodedBatch, EncoderPath};

    fn small_net(dropout: f64, device: &Device) -> TeacherNet {
        let cfg = BertConfig::new()
            .with_vocab_size(40)
            .with_hidden_size(16)
            .with_num_hidden_layers(2)
            .with_num_attention_heads(4)
            .with_intermediate_size(24)
            .with_max_position_embeddings(12)
            .with_hidden_dropout_prob(dropout);
        device.seed(3);
        TeacherNet::new(BertEncoder::init(&cfg, device), 16, 3, dropout, device)
    }

    /// Three texts of 5, 2 and 3 tokens, padded to 5.
    fn batch() -> EncodedBatch {
        let lengths = vec![5, 2, 3];
        let (b, seq) = (3, 5);
        let mut ids = vec![0i64; b * seq];
        let mut mask = vec![0.0f32; b * seq];
        for (row, &len) in lengths.iter().enumerate() {
            for col in 0..len {
                ids[row * seq + col] = ((row * 7 + col * 3) % 39 + 1) as i64;
                mask[row * seq + col] = 1.0;
            }
        }
        EncodedBatch {
            batch: b,
            seq,
            ids,
            type_ids: vec![0; b * seq],
            mask,
            lengths,
        }
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec().unwrap()
    }

    #[test]
    fn fused_and_reference_paths_give_the_same_logits() {
        let device = Device::flex();
        let net = small_net(0.1, &device);
        let enc = batch();
        let fused = values(
            net.forward(&enc.to_device_with(&device, EncoderPath::Fused))
                .unwrap(),
        );
        let reference = values(
            net.forward(&enc.to_device_with(&device, EncoderPath::Reference))
                .unwrap(),
        );
        for (a, b) in fused.iter().zip(&reference) {
            assert!((a - b).abs() < 1e-5, "fused {a} vs reference {b}");
        }
    }

    #[test]
    fn fused_and_reference_paths_give_the_same_gradients() {
        let device = Device::flex().autodiff();
        let net = small_net(0.0, &device);
        let enc = batch();
        let grads_of = |path: EncoderPath| {
            let logits = net.forward(&enc.to_device_with(&device, path)).unwrap();
            let weights = Tensor::<2>::from_data(
                TensorData::new(
                    (0..9).map(|i| (i as f32 * 0.9).sin()).collect::<Vec<_>>(),
                    [3, 3],
                ),
                &device,
            );
            let grads = (logits * weights).sum().backward();
            let l0 = &net.encoder.layers[0];
            let l1 = &net.encoder.layers[1];
            [
                l0.attention.query.weight.val().grad(&grads).unwrap(),
                l0.intermediate.weight.val().grad(&grads).unwrap(),
                l1.output.weight.val().grad(&grads).unwrap(),
                l1.attention.value.weight.val().grad(&grads).unwrap(),
                net.encoder
                    .embeddings
                    .word
                    .weight
                    .val()
                    .grad(&grads)
                    .unwrap(),
            ]
            .map(values)
        };
        let fused = grads_of(EncoderPath::Fused);
        let reference = grads_of(EncoderPath::Reference);
        for (k, (f, r)) in fused.iter().zip(&reference).enumerate() {
            let scale = r.iter().map(|v| v.abs()).fold(0.0f32, f32::max).max(1e-6);
            for (a, b) in f.iter().zip(r) {
                assert!(
                    (a - b).abs() < 1e-4 * scale.max(1.0),
                    "gradient {k}: fused {a} vs reference {b}"
                );
            }
        }
    }
}
