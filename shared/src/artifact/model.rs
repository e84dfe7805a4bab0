//! The decoded model: metadata, tokenizer config, the layer list and an optional f32 head master.
//!
//! Every byte table is borrowed from the artifact bytes (flash on the device): decoding copies
//! nothing. The field order here IS the wire order (postcard is not self-describing); changing it
//! needs a new [`FORMAT_VERSION`](super::FORMAT_VERSION). New layer kinds are appended at the end
//! of [`Layer`] so that older variants keep their index.

use serde::{Deserialize, Serialize};

use super::bytes::serialize_bytes;
use super::{MAX_CLASSES, MAX_LAYERS};
use crate::kernels::Pool;
use crate::quant::ActQuant;
use crate::tokenizer::TokenizerConfig;

/// A whole model as carried by an artifact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model<'a> {
    /// Provenance and label names.
    #[serde(borrow)]
    pub meta: Metadata<'a>,
    /// How text becomes token ids `[n] u32`, each `< tokenizer.buckets`.
    pub tokenizer: TokenizerConfig,
    /// The layers in execution order. The first takes token ids; the last gives the logits.
    #[serde(borrow)]
    pub layers: heapless::Vec<Layer<&'a [u8]>, MAX_LAYERS>,
    /// f32 master copy of the last (Dense) layer, for on-device learning.
    #[serde(borrow)]
    pub head: Option<HeadMaster<'a>>,
}

/// Provenance of a model and the names of its classes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata<'a> {
    /// Class names, one per logit, in logit order (1..=16, each 1..=64 bytes of UTF-8).
    #[serde(borrow)]
    pub labels: heapless::Vec<&'a str, MAX_CLASSES>,
    /// Name of the teacher the student was distilled from.
    pub teacher: &'a str,
    /// Name of the training data set.
    pub dataset: &'a str,
    /// Augmentation degree p (fraction of word tokens changed), in `0.0..=1.0`.
    pub degree: f32,
    /// Augmented copies per original text.
    pub copies: u32,
    /// Git revision of the code that exported the model.
    pub git_rev: &'a str,
    /// Board profile the model was exported for (e.g. `m4-1m`).
    pub board: &'a str,
    /// Free-form notes.
    pub notes: &'a str,
}

/// One operation of the student. Byte tables are int8 values stored as bytes (two's complement)
/// unless said otherwise; read them with [`as_i8`](super::as_i8).
///
/// `B` holds each byte table: `&[u8]` borrowed from the artifact in a decoded [`Model`], `Vec<u8>`
/// in the host's quantizer before an artifact exists. The engine runs either
/// (see [`Network`](super::Network)); [`map_bytes`](Layer::map_bytes) converts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: Deserialize<'de>"))]
pub enum Layer<B> {
    /// Hashed-token embedding pooled over the tokens: tokens `[n] u32` → vector `[dim]`.
    /// The output has the quantization of the table, `out`.
    EmbedBag {
        /// Rows of the table (every token id must be `< buckets`).
        buckets: u32,
        /// Width of a row.
        dim: u16,
        /// Mean or max over the tokens; no token gives `out.zero_point` (real 0.0).
        pool: Pool,
        /// `[buckets, dim]` int8.
        #[serde(serialize_with = "serialize_bytes")]
        table: B,
        /// Quantization of the table and of the output.
        out: ActQuant,
    },
    /// Hashed-token embedding kept as a sequence: tokens `[n] u32` → sequence `[n, dim]`.
    Embed {
        /// Rows of the table.
        buckets: u32,
        /// Width of a row.
        dim: u16,
        /// `[buckets, dim]` int8.
        #[serde(serialize_with = "serialize_bytes")]
        table: B,
        /// Quantization of the table and of the output.
        out: ActQuant,
    },
    /// 1-D convolution over a sequence, stride 1, `pad` input zero points each side:
    /// `[len, in_ch]` → `[len + 2·pad − kernel + 1, out_ch]`.
    Conv1d {
        /// Input channels.
        in_ch: u16,
        /// Output channels.
        out_ch: u16,
        /// Taps, `1..=MAX_KERNEL`.
        kernel: u16,
        /// Padding each side, `< kernel`.
        pad: u16,
        /// `[out_ch, kernel, in_ch]` int8, symmetric per output channel (−127..=127).
        #[serde(serialize_with = "serialize_bytes")]
        weights: B,
        /// `[out_ch]` × 12 LE bytes ([`ChannelParams`](crate::kernels::ChannelParams)).
        #[serde(serialize_with = "serialize_bytes")]
        params: B,
        /// Quantization of the output.
        out: ActQuant,
        /// ReLU fused into the output clamp.
        relu: bool,
    },
    /// Fully connected: vector `[inputs]` → vector `[outputs]`.
    Dense {
        /// Input width.
        inputs: u16,
        /// Output width.
        outputs: u16,
        /// `[outputs, inputs]` int8, symmetric per output channel (−127..=127).
        #[serde(serialize_with = "serialize_bytes")]
        weights: B,
        /// `[outputs]` × 12 LE bytes ([`ChannelParams`](crate::kernels::ChannelParams)).
        #[serde(serialize_with = "serialize_bytes")]
        params: B,
        /// Quantization of the output.
        out: ActQuant,
        /// ReLU fused into the output clamp.
        relu: bool,
    },
    /// Pool a sequence `[len, ch]` over its length → vector `[ch]`, keeping its quantization.
    /// An empty sequence gives the input zero point.
    GlobalPool {
        /// Mean or max.
        pool: Pool,
    },
}

impl<B> Layer<B> {
    /// Short name of the op, for logs and `inspect`.
    pub fn name(&self) -> &'static str {
        match self {
            Layer::EmbedBag { .. } => "embed_bag",
            Layer::Embed { .. } => "embed",
            Layer::Conv1d { .. } => "conv1d",
            Layer::Dense { .. } => "dense",
            Layer::GlobalPool { .. } => "global_pool",
        }
    }

    /// The output quantization this layer declares (`None` for pooling, which keeps its input's).
    pub fn out_quant(&self) -> Option<ActQuant> {
        match self {
            Layer::EmbedBag { out, .. }
            | Layer::Embed { out, .. }
            | Layer::Conv1d { out, .. }
            | Layer::Dense { out, .. } => Some(*out),
            Layer::GlobalPool { .. } => None,
        }
    }

    /// The same layer with every byte table passed through `f` (e.g. owned `Vec<u8>` tables →
    /// the borrowed `&[u8]` a [`Model`] holds: `layer.map_bytes(Vec::as_slice)`).
    pub fn map_bytes<'s, C>(&'s self, f: impl Fn(&'s B) -> C) -> Layer<C> {
        match self {
            Layer::EmbedBag {
                buckets,
                dim,
                pool,
                table,
                out,
            } => Layer::EmbedBag {
                buckets: *buckets,
                dim: *dim,
                pool: *pool,
                table: f(table),
                out: *out,
            },
            Layer::Embed {
                buckets,
                dim,
                table,
                out,
            } => Layer::Embed {
                buckets: *buckets,
                dim: *dim,
                table: f(table),
                out: *out,
            },
            Layer::Conv1d {
                in_ch,
                out_ch,
                kernel,
                pad,
                weights,
                params,
                out,
                relu,
            } => Layer::Conv1d {
                in_ch: *in_ch,
                out_ch: *out_ch,
                kernel: *kernel,
                pad: *pad,
                weights: f(weights),
                params: f(params),
                out: *out,
                relu: *relu,
            },
            Layer::Dense {
                inputs,
                outputs,
                weights,
                params,
                out,
                relu,
            } => Layer::Dense {
                inputs: *inputs,
                outputs: *outputs,
                weights: f(weights),
                params: f(params),
                out: *out,
                relu: *relu,
            },
            Layer::GlobalPool { pool } => Layer::GlobalPool { pool: *pool },
        }
    }
}

impl<B: AsRef<[u8]>> Layer<B> {
    /// Bytes of this layer's tables: int8 table or weights plus channel parameters.
    pub fn table_bytes(&self) -> usize {
        match self {
            Layer::EmbedBag { table, .. } | Layer::Embed { table, .. } => table.as_ref().len(),
            Layer::Conv1d {
                weights, params, ..
            }
            | Layer::Dense {
                weights, params, ..
            } => weights.as_ref().len().saturating_add(params.as_ref().len()),
            Layer::GlobalPool { .. } => 0,
        }
    }
}

/// f32 master copy of the last Dense layer, which the device updates by SGD.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadMaster<'a> {
    /// Quantization of the head's int8 input (equals the output quantization feeding the last layer).
    pub input: ActQuant,
    /// `[outputs, inputs]` f32 little-endian (4 bytes each).
    #[serde(borrow, serialize_with = "serialize_bytes")]
    pub weights: &'a [u8],
    /// `[outputs]` f32 little-endian.
    #[serde(borrow, serialize_with = "serialize_bytes")]
    pub bias: &'a [u8],
}

impl HeadMaster<'_> {
    /// Weight `[o, i]` of a head with `inputs` columns, or `None` when out of range.
    pub fn weight(&self, o: usize, i: usize, inputs: usize) -> Option<f32> {
        let index = o.checked_mul(inputs)?.checked_add(i)?;
        super::bytes::f32_at(self.weights, index)
    }

    /// Bias `[o]`, or `None` when out of range.
    pub fn bias_at(&self, o: usize) -> Option<f32> {
        super::bytes::f32_at(self.bias, o)
    }
}
