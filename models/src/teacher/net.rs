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

    /// Sentence embeddings.
    ///
    /// # Shapes
    /// - output: `[batch, hidden]`
    pub fn pooled(&self, batch: &TokenBatch) -> Result<Tensor<2>> {
        let hidden = self.encoder.forward(batch)?;
        Ok(masked_mean(hidden, batch.mask.clone()))
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
