//! One BERT transformer layer: self-attention, then the GELU feed-forward block.

use burn::nn::{Dropout, DropoutConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::gelu;

use burn::backend::Dispatch;
use burn::tensor::Distribution;

use super::attention::BertAttention;
use super::config::BertConfig;
use super::error::Result;
use super::fused::{Dropout as FusedDropout, LayerShape, LayerWeights, TeacherKernels};
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
    /// Epsilon of both LayerNorms (for the fused path).
    pub layer_norm_eps: f64,
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
            layer_norm_eps: cfg.layer_norm_eps,
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
            layer_norm_eps: cfg.layer_norm_eps,
        })
    }

    /// The same layer as one fused operation over packed tokens (burn-flex only; see
    /// `super::fused`).
    ///
    /// # Shapes
    /// - `x`: `[n, hidden]`, sequence `s` in rows `offsets[s]..offsets[s + 1]`
    /// - output: `[n, hidden]`
    pub fn forward_packed(&self, x: Tensor<2>, offsets: &[usize]) -> Tensor<2> {
        let device = x.device();
        let training = self.dropout.training.is_enabled() && device.is_autodiff();
        let dropout = match training && self.dropout.prob > 0.0 {
            true => {
                let draw: Vec<f32> = Tensor::<1>::random([2], Distribution::Default, &device)
                    .into_data()
                    .try_into_vec()
                    .unwrap_or_default();
                let bits = |i: usize| u64::from(draw.get(i).copied().unwrap_or(0.0).to_bits());
                FusedDropout {
                    p: self.dropout.prob as f32,
                    seed: (bits(0) << 32) | bits(1),
                }
            }
            false => FusedDropout { p: 0.0, seed: 0 },
        };
        let linear = |l: &Linear| {
            let w = l.weight.val();
            let b = match &l.bias {
                Some(b) => b.val(),
                None => Tensor::zeros([w.dims()[1]], &device),
            };
            (w.into_dispatch(), b.into_dispatch())
        };
        let norm = |n: &LayerNorm| {
            let g = n.gamma.val();
            let b = match &n.beta {
                Some(b) => b.val(),
                None => Tensor::zeros(g.dims(), &device),
            };
            (g.into_dispatch(), b.into_dispatch())
        };
        let a = &self.attention;
        let ((wq, bq), (wk, bk), (wv, bv), (wo, bo)) = (
            linear(&a.query),
            linear(&a.key),
            linear(&a.value),
            linear(&a.output),
        );
        let ((g1, b1), (wi, bi), (wf, bf), (g2, b2)) = (
            norm(&a.norm),
            linear(&self.intermediate),
            linear(&self.output),
            norm(&self.norm),
        );
        let [_, hidden] = x.dims();
        let shape = LayerShape {
            hidden,
            heads: a.heads,
            intermediate: self.intermediate.weight.dims()[1],
            eps: self.layer_norm_eps as f32,
        };
        let weights = LayerWeights {
            wq,
            bq,
            wk,
            bk,
            wv,
            bv,
            wo,
            bo,
            g1,
            b1,
            wi,
            bi,
            wf,
            bf,
            g2,
            b2,
        };
        Tensor::from_dispatch(Dispatch::fused_bert_layer(
            x.into_dispatch(),
            weights,
            offsets.to_vec(),
            shape,
            dropout,
        ))
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
