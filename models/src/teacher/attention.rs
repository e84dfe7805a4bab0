//! BERT self-attention with a padding mask, plus its output projection, residual and LayerNorm.

use burn::nn::{Dropout, DropoutConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::config::BertConfig;
use super::error::Result;
use super::weights::Checkpoint;

/// Added to the attention scores of padded keys: large enough that `exp` underflows to 0.
pub const MASKED_SCORE: f32 = -1.0e4;

/// Multi-head self-attention block of one BERT layer (`attention.self.*` and `attention.output.*`).
#[derive(Module, Debug)]
pub struct BertAttention {
    /// Query projection `[hidden, hidden]`.
    pub query: Linear,
    /// Key projection `[hidden, hidden]`.
    pub key: Linear,
    /// Value projection `[hidden, hidden]`.
    pub value: Linear,
    /// Output projection `[hidden, hidden]`.
    pub output: Linear,
    /// LayerNorm after the residual.
    pub norm: LayerNorm,
    /// Dropout on the output projection.
    pub dropout: Dropout,
    /// Heads.
    pub heads: usize,
}

impl BertAttention {
    /// Randomly initialised block of the config's shape.
    pub fn init(cfg: &BertConfig, device: &Device) -> Self {
        let h = cfg.hidden_size;
        Self {
            query: LinearConfig::new(h, h).init(device),
            key: LinearConfig::new(h, h).init(device),
            value: LinearConfig::new(h, h).init(device),
            output: LinearConfig::new(h, h).init(device),
            norm: LayerNormConfig::new(h)
                .with_epsilon(cfg.layer_norm_eps)
                .init(device),
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
            heads: cfg.num_attention_heads,
        }
    }

    /// Loads `encoder.layer.{layer}.attention.*`.
    pub fn load(
        ck: &Checkpoint<'_>,
        cfg: &BertConfig,
        layer: usize,
        device: &Device,
    ) -> Result<Self> {
        let h = cfg.hidden_size;
        let p = format!("encoder.layer.{layer}.attention");
        Ok(Self {
            query: ck.linear(&format!("{p}.self.query"), h, h, device)?,
            key: ck.linear(&format!("{p}.self.key"), h, h, device)?,
            value: ck.linear(&format!("{p}.self.value"), h, h, device)?,
            output: ck.linear(&format!("{p}.output.dense"), h, h, device)?,
            norm: ck.layer_norm(
                &format!("{p}.output.LayerNorm"),
                h,
                cfg.layer_norm_eps,
                device,
            )?,
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
            heads: cfg.num_attention_heads,
        })
    }

    /// # Shapes
    /// - `x`: `[batch, seq, hidden]`
    /// - `mask_bias`: `[batch, 1, 1, seq]`, 0 for real tokens and [`MASKED_SCORE`] for padding
    /// - output: `[batch, seq, hidden]`
    pub fn forward(&self, x: Tensor<3>, mask_bias: Tensor<4>) -> Tensor<3> {
        let [b, s, h] = x.dims();
        let dh = h / self.heads;
        let split = |t: Tensor<3>| t.reshape([b, s, self.heads, dh]).swap_dims(1, 2);
        let q = split(self.query.forward(x.clone()));
        let k = split(self.key.forward(x.clone()));
        let v = split(self.value.forward(x.clone()));
        // [b, heads, s, s]
        let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt()) + mask_bias;
        let probs = softmax(scores, 3);
        let ctx = probs.matmul(v).swap_dims(1, 2).reshape([b, s, h]);
        let out = self.dropout.forward(self.output.forward(ctx));
        self.norm.forward(out + x)
    }
}
