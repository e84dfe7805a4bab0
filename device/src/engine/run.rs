//! The forward pass: tokenize, then run the layers ping-ponging between the arena's two int8
//! buffers, with the shared int8 kernels (the same bits as the host's evaluation).

use edgekd_shared::artifact::{as_i8, Layer, Model};
use edgekd_shared::kernels::{
    argmax, conv1d, dense, embed, embed_bag, global_max_pool, global_mean_pool, ChannelParams,
    KernelError, Pool,
};
use edgekd_shared::quant::{ActQuant, OutputQuant};
use edgekd_shared::tokenizer::tokenize;

use super::arena::{carve, ArenaLayout};
use super::{EngineError, Inference, Prediction};

/// Classifies `text`: tokenizes it into the arena and runs the model.
///
/// `arena` must hold at least [`arena_size`](super::arena_size) bytes (any alignment).
pub fn run(model: &Model<'_>, text: &str, arena: &mut [u8]) -> Result<Prediction, EngineError> {
    infer(model, Input::Text(text), arena).map(|i| i.prediction)
}

/// Classifies pre-tokenized input: `tokens` `[n]` bucket ids, `n ≤ tokenizer.max_tokens`.
pub fn run_tokens(
    model: &Model<'_>,
    tokens: &[u32],
    arena: &mut [u8],
) -> Result<Prediction, EngineError> {
    infer(model, Input::Tokens(tokens), arena).map(|i| i.prediction)
}

/// What to classify.
#[derive(Clone, Copy, Debug)]
pub enum Input<'t> {
    /// Raw text, tokenized with the model's tokenizer config.
    Text(&'t str),
    /// Bucket ids, as the tokenizer would give them.
    Tokens(&'t [u32]),
}

/// Runs the model and also returns the last layer's int8 input (for the on-device learner),
/// borrowed from `arena`.
pub fn infer<'r>(
    model: &Model<'_>,
    input: Input<'_>,
    arena: &'r mut [u8],
) -> Result<Inference<'r>, EngineError> {
    let layout = ArenaLayout::for_model(model)?;
    let carved = carve(&layout, arena)?;
    let tokens: &[u32] = match input {
        Input::Text(text) => {
            let t =
                tokenize(text, &model.tokenizer, carved.tokens).map_err(EngineError::Tokenizer)?;
            carved
                .tokens
                .get(..t.len)
                .ok_or(EngineError::TooManyTokens {
                    count: t.len,
                    max: layout.tokens,
                })?
        }
        Input::Tokens(tokens) if tokens.len() > layout.tokens => {
            return Err(EngineError::TooManyTokens {
                count: tokens.len(),
                max: layout.tokens,
            })
        }
        Input::Tokens(tokens) => tokens,
    };
    forward(model, tokens, carved.scratch, carved.a, carved.b)
}

/// Where the current activation is and what it looks like.
#[derive(Clone, Copy, Debug)]
enum Cur {
    /// The token ids (before the first layer).
    Tokens,
    /// `[len, ch]` int8 in buffer A (`in_a`) or B.
    Seq {
        in_a: bool,
        len: usize,
        ch: usize,
        quant: ActQuant,
    },
    /// `[width]` int8 in buffer A (`in_a`) or B.
    Vec {
        in_a: bool,
        width: usize,
        quant: ActQuant,
    },
}

impl Cur {
    fn quant(self) -> Option<ActQuant> {
        match self {
            Cur::Tokens => None,
            Cur::Seq { quant, .. } | Cur::Vec { quant, .. } => Some(quant),
        }
    }

    /// `(in_a, elements)` of an int8 activation.
    fn extent(self) -> Option<(bool, usize)> {
        match self {
            Cur::Tokens => None,
            Cur::Seq { in_a, len, ch, .. } => Some((in_a, len.checked_mul(ch)?)),
            Cur::Vec { in_a, width, .. } => Some((in_a, width)),
        }
    }
}

fn forward<'r>(
    model: &Model<'_>,
    tokens: &[u32],
    scratch: &mut [i32],
    a: &'r mut [i8],
    b: &'r mut [i8],
) -> Result<Inference<'r>, EngineError> {
    let mut cur = Cur::Tokens;
    let mut prev = Cur::Tokens;
    for (layer_index, layer) in model.layers.iter().enumerate() {
        let to_a = layer_index % 2 == 0;
        let (src, dst): (&[i8], &mut [i8]) = if to_a { (&*b, &mut *a) } else { (&*a, &mut *b) };
        let next = step(layer_index, layer, cur, to_a, tokens, scratch, src, dst)?;
        prev = cur;
        cur = next;
    }
    let Cur::Vec { in_a, width, quant } = cur else {
        return Err(EngineError::Logits { count: 0 });
    };
    let (a, b): (&'r [i8], &'r [i8]) = (a, b);
    let out = if in_a { a } else { b };
    let logits_slice = out.get(..width).ok_or(EngineError::LayerInput {
        layer: model.layers.len(),
    })?;
    let mut logits = heapless::Vec::new();
    logits
        .extend_from_slice(logits_slice)
        .map_err(|_| EngineError::Logits { count: width })?;
    let label = argmax(&logits).ok_or(EngineError::Logits { count: 0 })?;
    let head_input: &'r [i8] = match prev.extent() {
        Some((true, n)) => a.get(..n).unwrap_or(&[]),
        Some((false, n)) => b.get(..n).unwrap_or(&[]),
        None => &[],
    };
    Ok(Inference {
        prediction: Prediction {
            label,
            logits,
            quant,
        },
        head_input,
        head_input_quant: prev.quant(),
    })
}

/// Runs one layer from `cur` (in `src`, or the tokens) into `dst`, returning the new activation.
#[allow(clippy::too_many_arguments)]
fn step(
    layer_index: usize,
    layer: &Layer<'_>,
    cur: Cur,
    to_a: bool,
    tokens: &[u32],
    scratch: &mut [i32],
    src: &[i8],
    dst: &mut [i8],
) -> Result<Cur, EngineError> {
    let kernel = |error: KernelError| EngineError::Kernel {
        layer: layer_index,
        error,
    };
    let wrong_input = EngineError::LayerInput { layer: layer_index };
    let too_small = |needed: usize, found: usize| {
        kernel(KernelError::OutputTooSmall {
            what: "activation buffer",
            needed,
            found,
        })
    };
    let out_q = |out: ActQuant, relu: bool| {
        if relu {
            OutputQuant::relu(out.zero_point)
        } else {
            OutputQuant::linear(out.zero_point)
        }
    };
    match *layer {
        Layer::EmbedBag {
            dim,
            pool,
            table,
            out,
            ..
        } => {
            let Cur::Tokens = cur else {
                return Err(wrong_input);
            };
            let dim = usize::from(dim);
            let found = dst.len();
            let output = dst.get_mut(..dim).ok_or(too_small(dim, found))?;
            embed_bag(
                tokens,
                as_i8(table),
                dim,
                pool,
                out.zero_point,
                scratch,
                output,
            )
            .map_err(kernel)?;
            Ok(Cur::Vec {
                in_a: to_a,
                width: dim,
                quant: out,
            })
        }
        Layer::Embed {
            dim, table, out, ..
        } => {
            let Cur::Tokens = cur else {
                return Err(wrong_input);
            };
            let dim = usize::from(dim);
            embed(tokens, as_i8(table), dim, dst).map_err(kernel)?;
            Ok(Cur::Seq {
                in_a: to_a,
                len: tokens.len(),
                ch: dim,
                quant: out,
            })
        }
        Layer::Conv1d {
            in_ch,
            out_ch,
            kernel: taps,
            pad,
            weights,
            params,
            out,
            relu,
        } => {
            let Cur::Seq { len, ch, quant, .. } = cur else {
                return Err(wrong_input);
            };
            let in_ch = usize::from(in_ch);
            if ch != in_ch {
                return Err(wrong_input);
            }
            let n = len.checked_mul(ch).ok_or(wrong_input.clone())?;
            let input = src.get(..n).ok_or(wrong_input)?;
            let params = ChannelParams::new(params, usize::from(out_ch)).map_err(kernel)?;
            let out_len = conv1d(
                input,
                len,
                in_ch,
                quant.zero_point,
                as_i8(weights),
                usize::from(taps),
                usize::from(pad),
                &params,
                out_q(out, relu),
                dst,
            )
            .map_err(kernel)?;
            Ok(Cur::Seq {
                in_a: to_a,
                len: out_len,
                ch: usize::from(out_ch),
                quant: out,
            })
        }
        Layer::GlobalPool { pool } => {
            let Cur::Seq { len, ch, quant, .. } = cur else {
                return Err(wrong_input);
            };
            let n = len.checked_mul(ch).ok_or(wrong_input.clone())?;
            let input = src.get(..n).ok_or(wrong_input)?;
            let found = dst.len();
            let output = dst.get_mut(..ch).ok_or(too_small(ch, found))?;
            match pool {
                Pool::Max => global_max_pool(input, len, ch, quant.zero_point, output),
                Pool::Mean => global_mean_pool(input, len, ch, quant.zero_point, output),
            }
            .map_err(kernel)?;
            Ok(Cur::Vec {
                in_a: to_a,
                width: ch,
                quant,
            })
        }
        Layer::Dense {
            inputs,
            outputs,
            weights,
            params,
            out,
            relu,
        } => {
            let Cur::Vec { width, .. } = cur else {
                return Err(wrong_input);
            };
            let (inputs, outputs) = (usize::from(inputs), usize::from(outputs));
            if width != inputs {
                return Err(wrong_input);
            }
            let input = src.get(..inputs).ok_or(wrong_input)?;
            let params = ChannelParams::new(params, outputs).map_err(kernel)?;
            let found = dst.len();
            let output = dst.get_mut(..outputs).ok_or(too_small(outputs, found))?;
            dense(input, as_i8(weights), &params, out_q(out, relu), output).map_err(kernel)?;
            Ok(Cur::Vec {
                in_a: to_a,
                width: outputs,
                quant: out,
            })
        }
    }
}
