//! One BERT transformer layer: self-attention, then the GELU feed-forward block.

use burn::nn::{Dropout, DropoutConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::gelu;

use super::attention::BertAttention;
use super::config::BertConfig;
use super::error::Result;
use super::weights::Checkpoint;

/// `encoder.layer.N`.
#[derive(Module, Debug)]
pub struct BertLayer {
    /// Self-attention with residual and LayerNorm.
    pub attention: BertAttention,
    /// `intermediate.dense`: `[hidden, intermediate]`.
    pub intermediate: Linear,
    /// `output.dense`: `[intermediate, hidden]`.
    pub output: Linear,
    /// `output.LayerNorm`.
    pub norm: LayerNorm,
    /// Dropout on the feed-forward output.
    pub dropout: Dropout,
}

impl BertLayer {
    /// Randomly initialised layer of the config's shape.
    pub fn init(cfg: &BertConfig, device: &Device) -> Self {
        let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
        Self {
            attention: BertAttention::init(cfg, device),
            intermediate: LinearConfig::new(h, i).init(device),
            output: LinearConfig::new(i, h).init(device),
            norm: LayerNormConfig::new(h)
                .with_epsilon(cfg.layer_norm_eps)
                .init(device),
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
        }
    }

    /// Loads `encoder.layer.{layer}.*`.
    pub fn load(
        ck: &Checkpoint<'_>,
        cfg: &BertConfig,
        layer: usize,
        device: &Device,
    ) -> Result<Self> {
        let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
        let p = format!("encoder.layer.{layer}");
        Ok(Self {
            attention: BertAttention::load(ck, cfg, layer, device)?,
            intermediate: ck.linear(&format!("{p}.intermediate.dense"), h, i, device)?,
            output: ck.linear(&format!("{p}.output.dense"), i, h, device)?,
            norm: ck.layer_norm(
                &format!("{p}.output.LayerNorm"),
                h,
                cfg.layer_norm_eps,
                device,
            )?,
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
        })
    }

    /// # Shapes
    /// - `x`: `[batch, seq, hidden]`; `mask_bias`: `[batch, 1, 1, seq]`
    /// - output: `[batch, seq, hidden]`
    pub fn forward(&self, x: Tensor<3>, mask_bias: Tensor<4>) -> Tensor<3> {
        let x = self.attention.forward(x, mask_bias);
        let ff = self
            .output
            .forward(gelu(self.intermediate.forward(x.clone())));
        self.norm.forward(self.dropout.forward(ff) + x)
    }
}
