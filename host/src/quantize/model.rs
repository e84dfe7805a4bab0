//! The int8 student as plain owned data (what the artifact encoder needs), and its host
//! evaluation with the very `shared::kernels` functions the device runs.

use edgekd_models::student::StudentConfig;
use edgekd_shared::kernels::{self, ChannelParams, Pool};
use edgekd_shared::quant::{ActQuant, OutputQuant};
use serde::{Deserialize, Serialize};

use super::calibrate::Calibration;
use super::error::{kernel, QuantizeError};

/// One int8 layer; mirrors `shared::artifact::Layer` with owned buffers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum QLayer {
    /// Hashed embedding pooled over the text: table `[buckets, dim]` in `out`'s quantization.
    EmbedBag {
        /// Rows.
        buckets: u32,
        /// Columns.
        dim: u16,
        /// Pooling (the student uses `Mean`).
        pool: Pool,
        /// `[buckets, dim]` int8.
        table: Vec<i8>,
        /// Quantization of the table and of the pooled output.
        out: ActQuant,
    },
    /// Hashed embedding, one row per token: output `[n, dim]`.
    Embed {
        /// Rows.
        buckets: u32,
        /// Columns.
        dim: u16,
        /// `[buckets, dim]` int8.
        table: Vec<i8>,
        /// Quantization of the table and of the output.
        out: ActQuant,
    },
    /// Stride-1 convolution over time with `pad` zero-point positions on each side.
    Conv1d {
        /// Input channels.
        in_ch: u16,
        /// Output channels.
        out_ch: u16,
        /// Kernel width.
        kernel: u16,
        /// Padding on each side.
        pad: u16,
        /// `[out_ch, kernel, in_ch]` symmetric int8.
        weights: Vec<i8>,
        /// `ChannelParams` bytes, 12 per output channel.
        params: Vec<u8>,
        /// Output quantization.
        out: ActQuant,
        /// Fused ReLU.
        relu: bool,
    },
    /// Fully connected layer.
    Dense {
        /// Input width.
        inputs: u16,
        /// Output width.
        outputs: u16,
        /// `[outputs, inputs]` symmetric int8.
        weights: Vec<i8>,
        /// `ChannelParams` bytes, 12 per output.
        params: Vec<u8>,
        /// Output quantization.
        out: ActQuant,
        /// Fused ReLU.
        relu: bool,
    },
    /// Pooling over time, `[len, ch]` → `[ch]`, quantization unchanged.
    GlobalPool {
        /// Max or mean.
        pool: Pool,
    },
}

impl QLayer {
    /// Bytes of int8 weights/tables and channel params this layer adds to an artifact.
    pub fn param_bytes(&self) -> usize {
        match self {
            QLayer::EmbedBag { table, .. } | QLayer::Embed { table, .. } => table.len(),
            QLayer::Conv1d {
                weights, params, ..
            }
            | QLayer::Dense {
                weights, params, ..
            } => weights.len() + params.len(),
            QLayer::GlobalPool { .. } => 0,
        }
    }
}

/// f32 master copy of the classifier that on-device KD updates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadMasterF32 {
    /// Quantization of the head's int8 input (the features).
    pub input: ActQuant,
    /// `[classes, inputs]` row-major.
    pub weights: Vec<f32>,
    /// `[classes]`.
    pub bias: Vec<f32>,
}

/// A post-training-quantized student: tokenizer settings, int8 layers and the f32 head master.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantizedStudent {
    /// The f32 student's config (tokenizer fields included).
    pub config: StudentConfig,
    /// Layers in execution order.
    pub layers: Vec<QLayer>,
    /// f32 copy of the last dense layer.
    pub head: HeadMasterF32,
    /// How activation ranges were calibrated.
    pub calibration: Calibration,
}

impl QuantizedStudent {
    /// Int8 logits `[classes]` and their quantization for one text's token ids.
    pub fn logits_q(&self, tokens: &[u32]) -> Result<(Vec<i8>, ActQuant), QuantizeError> {
        let mut cur: Vec<i8> = Vec::new();
        let mut rows = 0usize; // time steps of `cur` (1 after pooling)
        let mut quant = ActQuant {
            scale: 1.0,
            zero_point: 0,
        };
        for layer in &self.layers {
            match layer {
                QLayer::EmbedBag {
                    dim,
                    pool,
                    table,
                    out,
                    ..
                } => {
                    let dim = usize::from(*dim);
                    let mut acc = vec![0i32; dim];
                    let mut o = vec![0i8; dim];
                    kernels::embed_bag(tokens, table, dim, *pool, out.zero_point, &mut acc, &mut o)
                        .map_err(kernel("embed_bag"))?;
                    (cur, rows, quant) = (o, 1, *out);
                }
                QLayer::Embed {
                    dim, table, out, ..
                } => {
                    let dim = usize::from(*dim);
                    let mut o = vec![0i8; tokens.len() * dim];
                    kernels::embed(tokens, table, dim, &mut o).map_err(kernel("embed"))?;
                    (cur, rows, quant) = (o, tokens.len(), *out);
                }
                QLayer::Conv1d {
                    in_ch,
                    out_ch,
                    kernel: k,
                    pad,
                    weights,
                    params,
                    out,
                    relu,
                } => {
                    let (in_ch, out_ch) = (usize::from(*in_ch), usize::from(*out_ch));
                    let (k, pad) = (usize::from(*k), usize::from(*pad));
                    let out_len = kernels::conv1d_out_len(rows, k, pad);
                    let mut o = vec![0i8; out_len * out_ch];
                    let p = ChannelParams::new(params, out_ch).map_err(kernel("conv1d params"))?;
                    let n = kernels::conv1d(
                        &cur,
                        rows,
                        in_ch,
                        quant.zero_point,
                        weights,
                        k,
                        pad,
                        &p,
                        output_quant(*out, *relu),
                        &mut o,
                    )
                    .map_err(kernel("conv1d"))?;
                    o.truncate(n * out_ch);
                    (cur, rows, quant) = (o, n, *out);
                }
                QLayer::GlobalPool { pool } => {
                    let ch = cur.len().checked_div(rows).unwrap_or(0);
                    let ch = if ch == 0 {
                        self.channels_before_pool()
                    } else {
                        ch
                    };
                    let mut o = vec![0i8; ch];
                    match pool {
                        Pool::Max => {
                            kernels::global_max_pool(&cur, rows, ch, quant.zero_point, &mut o)
                        }
                        Pool::Mean => {
                            kernels::global_mean_pool(&cur, rows, ch, quant.zero_point, &mut o)
                        }
                    }
                    .map_err(kernel("global_pool"))?;
                    (cur, rows) = (o, 1);
                }
                QLayer::Dense {
                    outputs,
                    weights,
                    params,
                    out,
                    relu,
                    ..
                } => {
                    let outputs = usize::from(*outputs);
                    let mut o = vec![0i8; outputs];
                    let p = ChannelParams::new(params, outputs).map_err(kernel("dense params"))?;
                    kernels::dense(&cur, weights, &p, output_quant(*out, *relu), &mut o)
                        .map_err(kernel("dense"))?;
                    (cur, rows, quant) = (o, 1, *out);
                }
            }
        }
        let _ = rows;
        Ok((cur, quant))
    }

    /// Dequantized logits `[classes]` for one text.
    pub fn logits(&self, tokens: &[u32]) -> Result<Vec<f32>, QuantizeError> {
        let (q, quant) = self.logits_q(tokens)?;
        Ok(q.into_iter().map(|v| quant.dequantize(v)).collect())
    }

    /// Predicted class for one text (`shared::kernels::argmax` of the int8 logits).
    pub fn predict(&self, tokens: &[u32]) -> Result<usize, QuantizeError> {
        let (q, _) = self.logits_q(tokens)?;
        Ok(kernels::argmax(&q).unwrap_or(0))
    }

    /// Bytes of int8 parameters plus the f32 head master.
    pub fn param_bytes(&self) -> usize {
        let layers: usize = self.layers.iter().map(QLayer::param_bytes).sum();
        layers + 4 * (self.head.weights.len() + self.head.bias.len())
    }

    fn channels_before_pool(&self) -> usize {
        self.layers
            .iter()
            .rev()
            .find_map(|l| match l {
                QLayer::Conv1d { out_ch, .. } => Some(usize::from(*out_ch)),
                QLayer::Embed { dim, .. } => Some(usize::from(*dim)),
                _ => None,
            })
            .unwrap_or(1)
    }
}

/// The kernels' output stage for a layer's output quantization and fused ReLU.
pub fn output_quant(out: ActQuant, relu: bool) -> OutputQuant {
    if relu {
        OutputQuant::relu(out.zero_point)
    } else {
        OutputQuant::linear(out.zero_point)
    }
}
