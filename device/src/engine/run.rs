//! The forward pass: tokenize, then run the layers ping-ponging between the arena's two int8
//! buffers, with the shared int8 kernels (the same bits on the host and on the device).
//!
//! Every width, channel count and input quantization comes from the network's validated plan
//! (`edgekd_shared::artifact::plan_at`, the one place where shapes are chained); the pass only
//! tracks what the plan cannot know: the actual sequence length of this text.

use edgekd_shared::artifact::{as_i8, plan_at, Act, Depth, Layer, Network, Shape};
use edgekd_shared::kernels::{
    argmax, conv1d, dense, embed, embed_bag, global_max_pool, global_mean_pool, ChannelParams,
    KernelError, Pool,
};
use edgekd_shared::quant::{ActQuant, OutputQuant};
use edgekd_shared::tokenizer::tokenize;

use super::arena::{carve, writes_a, ArenaLayout};
use super::{EngineError, Inference, Prediction};

/// Classifies `text`: tokenizes it into the arena and runs the network (a decoded model, or the
/// host's int8 layers before they become an artifact).
///
/// `arena` must hold at least [`arena_size`](super::arena_size) bytes (any alignment).
pub fn run<N: Network + ?Sized>(
    net: &N,
    text: &str,
    arena: &mut [u8],
) -> Result<Prediction, EngineError> {
    infer(net, Input::Text(text), arena).map(|i| i.prediction)
}

/// Classifies pre-tokenized input: `tokens` `[n]` bucket ids, `n ≤ tokenizer.max_tokens`.
pub fn run_tokens<N: Network + ?Sized>(
    net: &N,
    tokens: &[u32],
    arena: &mut [u8],
) -> Result<Prediction, EngineError> {
    infer(net, Input::Tokens(tokens), arena).map(|i| i.prediction)
}

/// What to classify.
#[derive(Clone, Copy, Debug)]
pub enum Input<'t> {
    /// Raw text, tokenized with the model's tokenizer config.
    Text(&'t str),
    /// Bucket ids, as the tokenizer would give them.
    Tokens(&'t [u32]),
}

/// Runs the network and also returns the last layer's int8 input (for the on-device learner),
/// borrowed from `arena`.
pub fn infer<'r, N: Network + ?Sized>(
    net: &N,
    input: Input<'_>,
    arena: &'r mut [u8],
) -> Result<Inference<'r>, EngineError> {
    let plan = plan_at(net, Depth::Shapes).map_err(EngineError::Model)?;
    let tokenizer = net.tokenizer();
    let max_tokens = usize::from(tokenizer.max_tokens);
    let layout = ArenaLayout::from_plan(max_tokens, net.layers(), &plan);
    let carved = carve(&layout, arena)?;
    let tokens: &[u32] = match input {
        Input::Text(text) => {
            let t = tokenize(text, &tokenizer, carved.tokens).map_err(EngineError::Tokenizer)?;
            carved
                .tokens
                .get(..t.len)
                .ok_or(EngineError::TooManyTokens {
                    count: t.len,
                    max: max_tokens,
                })?
        }
        Input::Tokens(tokens) if tokens.len() > max_tokens => {
            return Err(EngineError::TooManyTokens {
                count: tokens.len(),
                max: max_tokens,
            })
        }
        Input::Tokens(tokens) => tokens,
    };
    let acts = Acts {
        plan: &plan,
        tokens: Act::tokens(max_tokens),
    };
    forward(
        net.layers(),
        acts,
        tokens,
        carved.scratch,
        carved.a,
        carved.b,
    )
}

/// The plan's activations, with the token ids in front: `input(i)` feeds layer `i`, `output(i)`
/// is what it gives.
#[derive(Clone, Copy)]
struct Acts<'p> {
    plan: &'p [Act],
    tokens: Act,
}

impl Acts<'_> {
    fn output(self, layer: usize) -> Result<Act, EngineError> {
        self.plan
            .get(layer)
            .copied()
            .ok_or(EngineError::LayerInput { layer })
    }

    fn input(self, layer: usize) -> Result<Act, EngineError> {
        match layer.checked_sub(1) {
            None => Ok(self.tokens),
            Some(previous) => self.output(previous),
        }
    }
}

/// Channels of an activation: `ch` of a sequence `[len, ch]`, `width` of a vector, 1 for token ids.
fn channels(shape: Shape) -> usize {
    match shape {
        Shape::Tokens { .. } => 1,
        Shape::Sequence { ch, .. } => ch,
        Shape::Vector { width } => width,
    }
}

/// `(positions, channels)` of an activation of shape `shape` that is `len` positions long now
/// (a vector is one position).
fn extent(shape: Shape, len: usize) -> (usize, usize) {
    match shape {
        Shape::Vector { .. } => (1, channels(shape)),
        _ => (len, channels(shape)),
    }
}

/// int8 elements of an activation of shape `shape`, `len` positions long.
fn elements(shape: Shape, len: usize) -> Option<usize> {
    let (positions, channels) = extent(shape, len);
    positions.checked_mul(channels)
}

fn forward<'r, B: AsRef<[u8]>>(
    layers: &[Layer<B>],
    acts: Acts<'_>,
    tokens: &[u32],
    scratch: &mut [i32],
    a: &'r mut [i8],
    b: &'r mut [i8],
) -> Result<Inference<'r>, EngineError> {
    // Positions of the activation entering the current layer, and of the last layer's input.
    let mut len = tokens.len();
    let mut head_len = len;
    for (index, layer) in layers.iter().enumerate() {
        let (src, dst): (&[i8], &mut [i8]) = if writes_a(index) {
            (&*b, &mut *a)
        } else {
            (&*a, &mut *b)
        };
        head_len = len;
        len = step(index, layer, acts, len, tokens, scratch, src, dst)?;
    }
    let last = layers
        .len()
        .checked_sub(1)
        .ok_or(EngineError::Logits { count: 0 })?;
    let logits_act = acts.output(last)?;
    let (Shape::Vector { width }, Some(quant)) = (logits_act.shape, logits_act.quant) else {
        return Err(EngineError::Logits { count: 0 });
    };
    let (a, b): (&'r [i8], &'r [i8]) = (a, b);
    let out = if writes_a(last) { a } else { b };
    let logits_slice = out.get(..width).ok_or(EngineError::LayerInput {
        layer: layers.len(),
    })?;
    let mut logits = heapless::Vec::new();
    logits
        .extend_from_slice(logits_slice)
        .map_err(|_| EngineError::Logits { count: width })?;
    let label = argmax(&logits).ok_or(EngineError::Logits { count: 0 })?;
    // The head's input is the output of the layer before it (none for a one-layer network).
    let head = acts.input(last)?;
    let head_input: &'r [i8] = match (last.checked_sub(1), elements(head.shape, head_len)) {
        (Some(feeding), Some(n)) if writes_a(feeding) => a.get(..n).unwrap_or(&[]),
        (Some(_), Some(n)) => b.get(..n).unwrap_or(&[]),
        _ => &[],
    };
    Ok(Inference {
        prediction: Prediction {
            label,
            logits,
            quant,
        },
        head_input,
        head_input_quant: head.quant,
    })
}

/// Runs layer `index` on its input (`len` positions of `acts.input(index)`, in `src` or the
/// tokens) into `dst`, and returns the positions of its output.
#[allow(clippy::too_many_arguments)]
fn step<B: AsRef<[u8]>>(
    index: usize,
    layer: &Layer<B>,
    acts: Acts<'_>,
    len: usize,
    tokens: &[u32],
    scratch: &mut [i32],
    src: &[i8],
    dst: &mut [i8],
) -> Result<usize, EngineError> {
    let kernel = |error: KernelError| EngineError::Kernel {
        layer: index,
        error,
    };
    let wrong_input = EngineError::LayerInput { layer: index };
    let (input, output) = (acts.input(index)?, acts.output(index)?);
    let (positions, in_ch) = extent(input.shape, len);
    let width = channels(output.shape);
    // The int8 input (empty for token ids, which the embeddings read from `tokens`).
    let x: &[i8] = match input.shape {
        Shape::Tokens { .. } => &[],
        _ => {
            let n = elements(input.shape, len).ok_or(wrong_input.clone())?;
            src.get(..n).ok_or(wrong_input.clone())?
        }
    };
    let input_zp = input.quant.map_or(0, |q| q.zero_point);
    let found = dst.len();
    let too_small = |needed: usize| {
        kernel(KernelError::OutputTooSmall {
            what: "activation buffer",
            needed,
            found,
        })
    };
    let out_q = |out: &ActQuant, relu: bool| {
        if relu {
            OutputQuant::relu(out.zero_point)
        } else {
            OutputQuant::linear(out.zero_point)
        }
    };
    match layer {
        Layer::EmbedBag {
            pool, table, out, ..
        } => {
            let y = dst.get_mut(..width).ok_or(too_small(width))?;
            embed_bag(
                tokens,
                as_i8(table.as_ref()),
                width,
                *pool,
                out.zero_point,
                scratch,
                y,
            )
            .map_err(kernel)?;
            Ok(1)
        }
        Layer::Embed { table, .. } => {
            embed(tokens, as_i8(table.as_ref()), width, dst).map_err(kernel)?;
            Ok(tokens.len())
        }
        Layer::Conv1d {
            kernel: taps,
            pad,
            weights,
            params,
            out,
            relu,
            ..
        } => {
            let params = ChannelParams::new(params.as_ref(), width).map_err(kernel)?;
            conv1d(
                x,
                positions,
                in_ch,
                input_zp,
                as_i8(weights.as_ref()),
                usize::from(*taps),
                usize::from(*pad),
                &params,
                out_q(out, *relu),
                dst,
            )
            .map_err(kernel)
        }
        Layer::GlobalPool { pool } => {
            let y = dst.get_mut(..width).ok_or(too_small(width))?;
            match pool {
                Pool::Max => global_max_pool(x, positions, in_ch, input_zp, y),
                Pool::Mean => global_mean_pool(x, positions, in_ch, input_zp, y),
            }
            .map_err(kernel)?;
            Ok(1)
        }
        Layer::Dense {
            weights,
            params,
            out,
            relu,
            ..
        } => {
            let params = ChannelParams::new(params.as_ref(), width).map_err(kernel)?;
            let y = dst.get_mut(..width).ok_or(too_small(width))?;
            dense(x, as_i8(weights.as_ref()), &params, out_q(out, *relu), y).map_err(kernel)?;
            Ok(1)
        }
    }
}
