//! `BertEncoder`: embeddings and the transformer stack, loaded from a model directory
//! (`model.safetensors` + `config.json`).

use std::path::Path;

use burn::prelude::*;
use sha2::{Digest, Sha256};

use super::attention::MASKED_SCORE;
use super::config::BertConfig;
use super::embeddings::BertEmbeddings;
use super::error::Result;
use super::layer::BertLayer;
use super::packed::PackedTokens;
use super::tokenize::TokenBatch;
use super::weights::{read_checkpoint_bytes, Checkpoint};

/// A BERT encoder (no pooler).
#[derive(Module, Debug)]
pub struct BertEncoder {
    /// Input embeddings.
    pub embeddings: BertEmbeddings,
    /// Transformer layers, bottom first.
    pub layers: Vec<BertLayer>,
}

/// An encoder with the facts about where it came from.
#[derive(Debug)]
pub struct LoadedEncoder {
    /// The module.
    pub encoder: BertEncoder,
    /// Its config.
    pub config: BertConfig,
    /// SHA-256 of the `model.safetensors` bytes.
    pub checkpoint_sha256: [u8; 32],
}

impl BertEncoder {
    /// Randomly initialised encoder of the config's shape (the skeleton a saved record loads into).
    pub fn init(config: &BertConfig, device: &Device) -> Self {
        Self {
            embeddings: BertEmbeddings::init(config, device),
            layers: (0..config.num_hidden_layers)
                .map(|_| BertLayer::init(config, device))
                .collect(),
        }
    }

    /// Loads `dir/config.json` and `dir/model.safetensors` onto `device`.
    pub fn load(dir: &Path, device: &Device) -> Result<LoadedEncoder> {
        let config = BertConfig::from_hf_json(&dir.join("config.json"))?;
        let path = dir.join("model.safetensors");
        let bytes = read_checkpoint_bytes(&path)?;
        let checkpoint_sha256: [u8; 32] = Sha256::digest(&bytes).into();
        let ck = Checkpoint::parse(&bytes, &path)?;
        let encoder = Self::from_checkpoint(&ck, &config, device)?;
        Ok(LoadedEncoder {
            encoder,
            config,
            checkpoint_sha256,
        })
    }

    /// Builds the encoder from an already parsed checkpoint.
    pub fn from_checkpoint(
        ck: &Checkpoint<'_>,
        config: &BertConfig,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        let embeddings = BertEmbeddings::load(ck, config, device)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| BertLayer::load(ck, config, i, device))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { embeddings, layers })
    }

    /// The last hidden state of packed tokens, through the fused layers.
    ///
    /// # Shapes
    /// - output: `[n, hidden]`, rows as in `packed`
    pub fn forward_packed(&self, packed: &PackedTokens) -> Result<Tensor<2>> {
        let mut x = self.embeddings.forward_packed(packed)?;
        for layer in &self.layers {
            x = layer.forward_packed(x, &packed.offsets);
        }
        Ok(x)
    }

    /// # Shapes
    /// - `batch`: token ids, type ids and mask, each `[batch, seq]`
    /// - output: last hidden state `[batch, seq, hidden]`
    pub fn forward(&self, batch: &TokenBatch) -> Result<Tensor<3>> {
        let [b, s] = batch.mask.dims();
        // 0 where the mask is 1, MASKED_SCORE where it is 0: [batch, 1, 1, seq].
        let mask_bias = (batch.mask.clone() - 1.0)
            .mul_scalar(-MASKED_SCORE)
            .reshape([b, 1, 1, s]);
        let mut x = self
            .embeddings
            .forward(batch.ids.clone(), batch.type_ids.clone())?;
        for layer in &self.layers {
            x = layer.forward(x, mask_bias.clone());
        }
        Ok(x)
    }
}
