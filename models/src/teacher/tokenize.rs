//! WordPiece tokenization for the teacher (`tokenizers` reading `tokenizer.json`), with dynamic
//! padding: each batch is padded to its longest text, capped at `max_len` tokens.

use std::path::Path;

use burn::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use super::error::{Result, TeacherError};
use super::packed::{EncoderPath, PackedTokens};

/// A tokenized batch on the host: row-major `[batch, seq]` arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedBatch {
    /// Texts in the batch.
    pub batch: usize,
    /// Padded length (longest text in the batch, ≤ `max_len`).
    pub seq: usize,
    /// Token ids, `[batch, seq]`, padded with the pad id.
    pub ids: Vec<i64>,
    /// Token-type ids, `[batch, seq]`.
    pub type_ids: Vec<i64>,
    /// 1.0 for real tokens, 0.0 for padding, `[batch, seq]`.
    pub mask: Vec<f32>,
    /// Real tokens of each text (≤ `seq`), `[batch]`.
    pub lengths: Vec<usize>,
}

/// A tokenized batch as tensors on a device.
#[derive(Debug, Clone)]
pub struct TokenBatch {
    /// `[batch, seq]`.
    pub ids: Tensor<2, Int>,
    /// `[batch, seq]`.
    pub type_ids: Tensor<2, Int>,
    /// `[batch, seq]`, 1.0 real / 0.0 padding.
    pub mask: Tensor<2>,
    /// The same tokens without padding, for the fused encoder (`None` on the reference path).
    pub packed: Option<PackedTokens>,
}

impl EncodedBatch {
    /// Moves the arrays onto `device`, packed too where the device runs the fused encoder.
    pub fn to_device(&self, device: &Device) -> TokenBatch {
        self.to_device_with(device, EncoderPath::for_device(device))
    }

    /// Moves the arrays onto `device` for the encoder `path`.
    pub fn to_device_with(&self, device: &Device, path: EncoderPath) -> TokenBatch {
        let shape = [self.batch, self.seq];
        let packed = (path == EncoderPath::Fused)
            .then(|| PackedTokens::new(&self.ids, &self.type_ids, self.seq, &self.lengths, device));
        TokenBatch {
            ids: Tensor::from_data(TensorData::new(self.ids.clone(), shape), device),
            type_ids: Tensor::from_data(TensorData::new(self.type_ids.clone(), shape), device),
            mask: Tensor::from_data(TensorData::new(self.mask.clone(), shape), device),
            packed,
        }
    }
}

/// The teacher's WordPiece tokenizer.
#[derive(Debug, Clone)]
pub struct TeacherTokenizer {
    inner: Tokenizer,
    max_len: usize,
    pad_id: i64,
}

impl TeacherTokenizer {
    /// Loads `tokenizer.json`; texts are truncated to `max_len` tokens ([CLS] and [SEP] included).
    pub fn from_file(path: &Path, max_len: usize, pad_id: usize) -> Result<Self> {
        let tok_err = |message: String| TeacherError::Tokenizer {
            context: path.display().to_string(),
            message,
        };
        if max_len < 2 {
            return Err(TeacherError::InvalidConfig(format!(
                "max_len {max_len} leaves no room for [CLS] and [SEP]"
            )));
        }
        let mut inner = Tokenizer::from_file(path).map_err(|e| tok_err(e.to_string()))?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..Default::default()
            }))
            .map_err(|e| tok_err(e.to_string()))?;
        let pad_id = i64::try_from(pad_id).map_err(|_| tok_err("pad id too large".into()))?;
        Ok(Self {
            inner,
            max_len,
            pad_id,
        })
    }

    /// Writes the tokenizer as `tokenizer.json` (padding off, truncation at `max_len`).
    pub fn save(&self, path: &Path) -> Result<()> {
        self.inner
            .save(path, false)
            .map_err(|e| TeacherError::Tokenizer {
                context: format!("saving {}", path.display()),
                message: e.to_string(),
            })
    }

    /// Token cap per text.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Tokenizes `texts` and pads them to the longest one.
    pub fn encode<S: AsRef<str>>(&self, texts: &[S]) -> Result<EncodedBatch> {
        if texts.is_empty() {
            return Err(TeacherError::EmptyInput("no texts to tokenize"));
        }
        let inputs: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
        let encodings =
            self.inner
                .encode_batch(inputs, true)
                .map_err(|e| TeacherError::Tokenizer {
                    context: "encode_batch".into(),
                    message: e.to_string(),
                })?;
        let seq = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .clamp(1, self.max_len);
        let batch = encodings.len();
        let mut out = EncodedBatch {
            batch,
            seq,
            ids: vec![self.pad_id; batch * seq],
            type_ids: vec![0; batch * seq],
            mask: vec![0.0; batch * seq],
            lengths: vec![0; batch],
        };
        for (row, enc) in encodings.iter().enumerate() {
            let base = row * seq;
            out.lengths[row] = enc.get_ids().len().min(seq);
            let ids = enc.get_ids().iter().zip(enc.get_type_ids()).take(seq);
            for (col, (&id, &tt)) in ids.enumerate() {
                out.ids[base + col] = i64::from(id);
                out.type_ids[base + col] = i64::from(tt);
                out.mask[base + col] = 1.0;
            }
        }
        Ok(out)
    }
}
