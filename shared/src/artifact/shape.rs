//! Shape inference: what each layer receives and produces, checked against its declared sizes.
//!
//! Sequence lengths depend on the text, so shapes carry the LARGEST length a layer can see
//! (from `tokenizer.max_tokens`); every op maps a longer input to a longer-or-equal output, so
//! the largest input gives the largest output and buffers sized from these shapes always fit.

use super::error::{ArtifactError, ShapeKind};
use super::model::Layer;
use super::{as_i8, MAX_KERNEL, MAX_SEQUENCE, MAX_WIDTH};
use crate::kernels::{ChannelParams, KernelError, MAX_DOT_LEN};
use crate::quant::ActQuant;

/// The shape of an activation, with the largest sequence length it can have.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Shape {
    /// Token ids `[len] u32`, `len ≤ max_len`.
    Tokens { max_len: usize },
    /// Int8 sequence `[len, ch]`, `len ≤ max_len`.
    Sequence { max_len: usize, ch: usize },
    /// Int8 vector `[width]`.
    Vector { width: usize },
}

impl Shape {
    /// The kind, for error messages.
    pub fn kind(&self) -> ShapeKind {
        match self {
            Shape::Tokens { .. } => ShapeKind::Tokens,
            Shape::Sequence { .. } => ShapeKind::Sequence,
            Shape::Vector { .. } => ShapeKind::Vector,
        }
    }

    /// Largest number of elements (tokens or int8 values); saturates, but validated shapes
    /// never come near (`MAX_SEQUENCE · MAX_WIDTH`).
    pub fn max_elems(&self) -> usize {
        match *self {
            Shape::Tokens { max_len } => max_len,
            Shape::Sequence { max_len, ch } => max_len.saturating_mul(ch),
            Shape::Vector { width } => width,
        }
    }
}

/// An activation between layers: its shape and its quantization (`None` for token ids).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Act {
    /// Shape with the largest length.
    pub shape: Shape,
    /// Quantization of its int8 values.
    pub quant: Option<ActQuant>,
}

impl Act {
    /// The token ids the tokenizer gives: at most `max_tokens`.
    pub fn tokens(max_tokens: usize) -> Self {
        Act {
            shape: Shape::Tokens {
                max_len: max_tokens,
            },
            quant: None,
        }
    }
}

/// Checks layer `index` against its input and returns its output. `tokenizer_buckets` is the
/// number of distinct token ids the tokenizer makes. Checks dimensions, byte-table lengths,
/// weights range, requantization and output scale.
pub fn check_layer<B: AsRef<[u8]>>(
    index: usize,
    layer: &Layer<B>,
    input: Act,
    tokenizer_buckets: u32,
) -> Result<Act, ArtifactError> {
    layer_output(index, layer, input, tokenizer_buckets, Depth::Full)
}

/// How much of a layer to check.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Depth {
    /// Everything: shapes, lengths, the weights' range and every requantization.
    Full,
    /// Shapes and byte lengths only, no pass over the tables (for a model already validated,
    /// e.g. by the engine at every inference; the kernels recheck what their safety needs).
    Shapes,
}

/// Like [`check_layer`], at the given depth.
pub fn layer_output<B: AsRef<[u8]>>(
    index: usize,
    layer: &Layer<B>,
    input: Act,
    tokenizer_buckets: u32,
    depth: Depth,
) -> Result<Act, ArtifactError> {
    let wrong_input = |expected| ArtifactError::LayerInput {
        layer: index,
        expected,
        found: input.shape.kind(),
    };
    match layer {
        Layer::EmbedBag {
            buckets,
            dim,
            table,
            out,
            ..
        }
        | Layer::Embed {
            buckets,
            dim,
            table,
            out,
        } => {
            let (buckets, dim, table, out) = (*buckets, *dim, table.as_ref(), *out);
            let Shape::Tokens { max_len } = input.shape else {
                return Err(wrong_input(ShapeKind::Tokens));
            };
            let dim = dimension(index, "dim", dim.into(), MAX_WIDTH)?;
            if buckets == 0 || buckets < tokenizer_buckets {
                return Err(ArtifactError::TableTooSmall {
                    layer: index,
                    buckets,
                    tokenizer_buckets,
                });
            }
            let rows = usize::try_from(buckets).map_err(|_| overflow(index, "table size"))?;
            let expected = rows.checked_mul(dim).ok_or(overflow(index, "table size"))?;
            length(index, "table", expected, table.len())?;
            quant(index, out)?;
            let shape = match layer {
                Layer::EmbedBag { .. } => Shape::Vector { width: dim },
                _ if max_len > MAX_SEQUENCE => {
                    return Err(ArtifactError::SequenceTooLong {
                        layer: index,
                        len: max_len,
                        max: MAX_SEQUENCE,
                    })
                }
                _ => Shape::Sequence { max_len, ch: dim },
            };
            Ok(Act {
                shape,
                quant: Some(out),
            })
        }
        Layer::Conv1d {
            in_ch,
            out_ch,
            kernel,
            pad,
            weights,
            params,
            out,
            ..
        } => {
            let Shape::Sequence { max_len, ch } = input.shape else {
                return Err(wrong_input(ShapeKind::Sequence));
            };
            let in_ch = dimension(index, "in_ch", (*in_ch).into(), MAX_WIDTH)?;
            let out_ch = dimension(index, "out_ch", (*out_ch).into(), MAX_WIDTH)?;
            let kernel = dimension(index, "kernel", (*kernel).into(), MAX_KERNEL)?;
            let pad = usize::from(*pad);
            if pad >= kernel {
                return Err(ArtifactError::LayerDimension {
                    layer: index,
                    what: "pad",
                    value: pad,
                    min: 0,
                    max: kernel - 1,
                });
            }
            same(index, "in_ch", ch, in_ch)?;
            let taps = kernel
                .checked_mul(in_ch)
                .ok_or(overflow(index, "weights"))?;
            if taps > MAX_DOT_LEN {
                return Err(overflow(index, "kernel · in_ch"));
            }
            weights_and_params(
                index,
                weights.as_ref(),
                params.as_ref(),
                out_ch,
                taps,
                depth,
            )?;
            quant(index, *out)?;
            // out_len = len + 2·pad − kernel + 1, or 0 when negative; pad < kernel keeps it ≤ len + pad.
            let grown = max_len
                .checked_add(2 * pad + 1)
                .ok_or(overflow(index, "length"))?;
            let out_len = grown.saturating_sub(kernel);
            if out_len > MAX_SEQUENCE {
                return Err(ArtifactError::SequenceTooLong {
                    layer: index,
                    len: out_len,
                    max: MAX_SEQUENCE,
                });
            }
            Ok(Act {
                shape: Shape::Sequence {
                    max_len: out_len,
                    ch: out_ch,
                },
                quant: Some(*out),
            })
        }
        Layer::Dense {
            inputs,
            outputs,
            weights,
            params,
            out,
            ..
        } => {
            let Shape::Vector { width } = input.shape else {
                return Err(wrong_input(ShapeKind::Vector));
            };
            let inputs = dimension(index, "inputs", (*inputs).into(), MAX_WIDTH)?;
            let outputs = dimension(index, "outputs", (*outputs).into(), MAX_WIDTH)?;
            same(index, "inputs", width, inputs)?;
            weights_and_params(
                index,
                weights.as_ref(),
                params.as_ref(),
                outputs,
                inputs,
                depth,
            )?;
            quant(index, *out)?;
            Ok(Act {
                shape: Shape::Vector { width: outputs },
                quant: Some(*out),
            })
        }
        Layer::GlobalPool { .. } => {
            let Shape::Sequence { ch, .. } = input.shape else {
                return Err(wrong_input(ShapeKind::Sequence));
            };
            Ok(Act {
                shape: Shape::Vector { width: ch },
                quant: input.quant,
            })
        }
    }
}

/// Checks `[rows, per_row]` symmetric int8 weights and `rows` channel parameters.
fn weights_and_params(
    index: usize,
    weights: &[u8],
    params: &[u8],
    rows: usize,
    per_row: usize,
    depth: Depth,
) -> Result<(), ArtifactError> {
    let expected = rows
        .checked_mul(per_row)
        .ok_or(overflow(index, "weights"))?;
    length(index, "weights", expected, weights.len())?;
    let params_len = rows
        .checked_mul(ChannelParams::BYTES_PER_CHANNEL)
        .ok_or(overflow(index, "params"))?;
    length(index, "params", params_len, params.len())?;
    if depth == Depth::Shapes {
        return Ok(());
    }
    if let Some(at) = as_i8(weights).iter().position(|&w| w == i8::MIN) {
        return Err(ArtifactError::WeightRange {
            layer: index,
            index: at,
        });
    }
    let expected = params_len;
    ChannelParams::new(params, rows).map_err(|e| match e {
        KernelError::BadRequant { channel } => ArtifactError::LayerRequant {
            layer: index,
            channel,
        },
        _ => ArtifactError::LayerLength {
            layer: index,
            what: "params",
            expected,
            found: params.len(),
        },
    })?;
    Ok(())
}

fn dimension(
    index: usize,
    what: &'static str,
    value: usize,
    max: usize,
) -> Result<usize, ArtifactError> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ArtifactError::LayerDimension {
            layer: index,
            what,
            value,
            min: 1,
            max,
        })
    }
}

fn same(
    index: usize,
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), ArtifactError> {
    if expected == found {
        Ok(())
    } else {
        Err(ArtifactError::LayerShape {
            layer: index,
            what,
            expected,
            found,
        })
    }
}

fn length(
    index: usize,
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), ArtifactError> {
    if expected == found {
        Ok(())
    } else {
        Err(ArtifactError::LayerLength {
            layer: index,
            what,
            expected,
            found,
        })
    }
}

fn quant(index: usize, q: ActQuant) -> Result<(), ArtifactError> {
    if q.is_valid() {
        Ok(())
    } else {
        Err(ArtifactError::LayerQuant { layer: index })
    }
}

fn overflow(index: usize, what: &'static str) -> ArtifactError {
    ArtifactError::Overflow { layer: index, what }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::Pool;

    const Q: ActQuant = ActQuant {
        scale: 0.1,
        zero_point: -3,
    };

    #[test]
    fn embed_gives_a_sequence_and_bag_a_vector() {
        let table = [0u8; 8];
        let embed = Layer::Embed {
            buckets: 4,
            dim: 2,
            table: &table,
            out: Q,
        };
        let out = check_layer(0, &embed, Act::tokens(5), 4).unwrap();
        assert_eq!(out.shape, Shape::Sequence { max_len: 5, ch: 2 });
        let bag = Layer::EmbedBag {
            buckets: 4,
            dim: 2,
            pool: Pool::Mean,
            table: &table,
            out: Q,
        };
        assert_eq!(
            check_layer(0, &bag, Act::tokens(5), 4).unwrap().shape,
            Shape::Vector { width: 2 }
        );
        assert_eq!(
            check_layer(0, &bag, Act::tokens(5), 5),
            Err(ArtifactError::TableTooSmall {
                layer: 0,
                buckets: 4,
                tokenizer_buckets: 5
            })
        );
        let short = Layer::Embed {
            buckets: 4,
            dim: 2,
            table: &table[..7],
            out: Q,
        };
        assert_eq!(
            check_layer(0, &short, Act::tokens(5), 4),
            Err(ArtifactError::LayerLength {
                layer: 0,
                what: "table",
                expected: 8,
                found: 7
            })
        );
    }

    #[test]
    fn embed_sequence_has_a_limit() {
        let table = [0u8; 8];
        let embed = Layer::Embed {
            buckets: 4,
            dim: 2,
            table: &table,
            out: Q,
        };
        assert_eq!(
            check_layer(0, &embed, Act::tokens(MAX_SEQUENCE + 1), 4),
            Err(ArtifactError::SequenceTooLong {
                layer: 0,
                len: MAX_SEQUENCE + 1,
                max: MAX_SEQUENCE
            })
        );
    }

    #[test]
    fn conv_length_and_kinds() {
        let weights = [1u8; 2 * 3 * 2];
        let mut params = [0u8; 24];
        for c in 0..2 {
            params[c * 12 + 4..c * 12 + 8].copy_from_slice(&(1i32 << 30).to_le_bytes());
        }
        let conv = |pad| Layer::Conv1d {
            in_ch: 2,
            out_ch: 2,
            kernel: 3,
            pad,
            weights: &weights[..],
            params: &params[..],
            out: Q,
            relu: true,
        };
        let seq = Act {
            shape: Shape::Sequence { max_len: 5, ch: 2 },
            quant: Some(Q),
        };
        assert_eq!(
            check_layer(1, &conv(1), seq, 4).unwrap().shape,
            Shape::Sequence { max_len: 5, ch: 2 }
        );
        assert_eq!(
            check_layer(1, &conv(0), seq, 4).unwrap().shape,
            Shape::Sequence { max_len: 3, ch: 2 }
        );
        let short = Act {
            shape: Shape::Sequence { max_len: 1, ch: 2 },
            quant: Some(Q),
        };
        assert_eq!(
            check_layer(1, &conv(0), short, 4).unwrap().shape,
            Shape::Sequence { max_len: 0, ch: 2 }
        );
        assert!(matches!(
            check_layer(1, &conv(3), seq, 4),
            Err(ArtifactError::LayerDimension { what: "pad", .. })
        ));
        let vec = Act {
            shape: Shape::Vector { width: 2 },
            quant: Some(Q),
        };
        assert_eq!(
            check_layer(1, &conv(1), vec, 4),
            Err(ArtifactError::LayerInput {
                layer: 1,
                expected: ShapeKind::Sequence,
                found: ShapeKind::Vector
            })
        );
        let mut bad = weights;
        bad[4] = 0x80;
        let conv = Layer::Conv1d {
            in_ch: 2,
            out_ch: 2,
            kernel: 3,
            pad: 1,
            weights: &bad[..],
            params: &params[..],
            out: Q,
            relu: false,
        };
        assert_eq!(
            check_layer(1, &conv, seq, 4),
            Err(ArtifactError::WeightRange { layer: 1, index: 4 })
        );
    }

    #[test]
    fn dense_checks_width_and_requant() {
        let weights = [1u8; 6];
        let mut params = [0u8; 24];
        params[4..8].copy_from_slice(&(1i32 << 30).to_le_bytes());
        let dense = Layer::Dense {
            inputs: 3,
            outputs: 2,
            weights: &weights[..],
            params: &params[..],
            out: Q,
            relu: false,
        };
        let vec = |width| Act {
            shape: Shape::Vector { width },
            quant: Some(Q),
        };
        // channel 1 has multiplier 0 and shift 0, which is the valid "real 0" requant
        assert_eq!(
            check_layer(2, &dense, vec(3), 4).unwrap().shape,
            Shape::Vector { width: 2 }
        );
        assert_eq!(
            check_layer(2, &dense, vec(4), 4),
            Err(ArtifactError::LayerShape {
                layer: 2,
                what: "inputs",
                expected: 4,
                found: 3
            })
        );
        params[16..20].copy_from_slice(&5i32.to_le_bytes());
        let dense = Layer::Dense {
            inputs: 3,
            outputs: 2,
            weights: &weights[..],
            params: &params[..],
            out: Q,
            relu: false,
        };
        assert_eq!(
            check_layer(2, &dense, vec(3), 4),
            Err(ArtifactError::LayerRequant {
                layer: 2,
                channel: 1
            })
        );
        let bad_q = ActQuant {
            scale: f32::NAN,
            zero_point: 0,
        };
        let dense = Layer::Dense {
            inputs: 3,
            outputs: 2,
            weights: &weights[..],
            params: &[0u8; 24][..],
            out: bad_q,
            relu: false,
        };
        assert_eq!(
            check_layer(2, &dense, vec(3), 4),
            Err(ArtifactError::LayerQuant { layer: 2 })
        );
    }
}
