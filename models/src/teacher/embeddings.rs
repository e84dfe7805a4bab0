//! BERT input embeddings: word + learned absolute position + token type, then LayerNorm and dropout.

use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::prelude::*;

use super::config::BertConfig;
use super::error::{Result, TeacherError};
use super::packed::PackedTokens;
use super::weights::Checkpoint;

/// The embedding block of a BERT encoder.
#[derive(Module, Debug)]
pub struct BertEmbeddings {
    /// Word table `[vocab_size, hidden]`.
    pub word: Embedding,
    /// Position table `[max_position_embeddings, hidden]`.
    pub position: Embedding,
    /// Token-type table `[type_vocab_size, hidden]`.
    pub token_type: Embedding,
    /// LayerNorm over `hidden`.
    pub norm: LayerNorm,
    /// Dropout (active only when training on an autodiff device).
    pub dropout: Dropout,
    /// Rows of the position table: longer inputs are refused.
    pub max_positions: usize,
}

impl BertEmbeddings {
    /// Randomly initialised embeddings of the config's shape (the skeleton a saved record loads into).
    pub fn init(cfg: &BertConfig, device: &Device) -> Self {
        let h = cfg.hidden_size;
        Self {
            word: EmbeddingConfig::new(cfg.vocab_size, h).init(device),
            position: EmbeddingConfig::new(cfg.max_position_embeddings, h).init(device),
            token_type: EmbeddingConfig::new(cfg.type_vocab_size, h).init(device),
            norm: LayerNormConfig::new(h)
                .with_epsilon(cfg.layer_norm_eps)
                .init(device),
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
            max_positions: cfg.max_position_embeddings,
        }
    }

    /// Loads `embeddings.*` from the checkpoint.
    pub fn load(ck: &Checkpoint<'_>, cfg: &BertConfig, device: &Device) -> Result<Self> {
        let h = cfg.hidden_size;
        Ok(Self {
            word: ck.embedding(
                "embeddings.word_embeddings.weight",
                cfg.vocab_size,
                h,
                device,
            )?,
            position: ck.embedding(
                "embeddings.position_embeddings.weight",
                cfg.max_position_embeddings,
                h,
                device,
            )?,
            token_type: ck.embedding(
                "embeddings.token_type_embeddings.weight",
                cfg.type_vocab_size,
                h,
                device,
            )?,
            norm: ck.layer_norm("embeddings.LayerNorm", h, cfg.layer_norm_eps, device)?,
            dropout: DropoutConfig::new(cfg.hidden_dropout_prob).init(),
            max_positions: cfg.max_position_embeddings,
        })
    }

    /// Embeddings of packed tokens (see `super::packed`).
    ///
    /// # Shapes
    /// - output: `[n, hidden]`
    pub fn forward_packed(&self, packed: &PackedTokens) -> Result<Tensor<2>> {
        if packed.longest() > self.max_positions {
            return Err(TeacherError::InvalidConfig(format!(
                "sequence of {} tokens exceeds the {} learned positions",
                packed.longest(),
                self.max_positions
            )));
        }
        let x = self.word.forward(packed.ids.clone())
            + self.position.forward(packed.positions.clone())
            + self.token_type.forward(packed.type_ids.clone());
        let [_, n, h] = x.dims();
        Ok(self.dropout.forward(self.norm.forward(x)).reshape([n, h]))
    }

    /// # Shapes
    /// - `ids`, `type_ids`: `[batch, seq]` token ids
    /// - output: `[batch, seq, hidden]`
    pub fn forward(&self, ids: Tensor<2, Int>, type_ids: Tensor<2, Int>) -> Result<Tensor<3>> {
        let [_, seq] = ids.dims();
        if seq > self.max_positions {
            return Err(TeacherError::InvalidConfig(format!(
                "sequence of {seq} tokens exceeds the {} learned positions",
                self.max_positions
            )));
        }
        let device = ids.device();
        let seq_i64 = i64::try_from(seq).unwrap_or(i64::MAX);
        let positions = Tensor::<1, Int>::arange(0..seq_i64, &device).unsqueeze::<2>();
        let x = self.word.forward(ids)
            + self.position.forward(positions)
            + self.token_type.forward(type_ids);
        Ok(self.dropout.forward(self.norm.forward(x)))
    }
}
