//! Whole-model validation: metadata, tokenizer, the layer chain, the logits and the head master.
//!
//! [`decode`](super::decode) runs this before handing a model out, so every length, shape,
//! index, zero point and scale is known good before any use.

use super::bytes::f32_at;
use super::model::{HeadMaster, Layer, Model};
use super::network::Network;
use super::shape::{layer_output, Act, Depth, Shape};
use super::{ArtifactError, MAX_LABEL_BYTES, MAX_LAYERS};

/// The activation after each layer (`acts[i]` is the output of layer `i`), with the largest
/// sequence lengths; what the engine sizes its buffers from and runs on.
pub type Plan = heapless::Vec<Act, MAX_LAYERS>;

/// Validates `model` and returns the output of every layer.
pub fn validate(model: &Model<'_>) -> Result<Plan, ArtifactError> {
    check_metadata(model)?;
    model
        .tokenizer
        .validate()
        .map_err(ArtifactError::Tokenizer)?;
    let plan = plan(model)?;
    let last = plan.last().ok_or(ArtifactError::NoLayers)?;
    let labels = model.meta.labels.len();
    match last.shape {
        Shape::Vector { width } if width == labels => {}
        Shape::Vector { width } => return Err(ArtifactError::OutputWidth { width, labels }),
        other => {
            return Err(ArtifactError::OutputNotVector {
                found: other.kind(),
            })
        }
    }
    if let Some(head) = &model.head {
        check_head(model, &plan, head)?;
    }
    Ok(plan)
}

/// Chains the layers from the tokenizer's token ids and returns the output of every layer.
/// Checks each layer (not the metadata, logits or head: see [`validate`]).
pub fn plan(model: &Model<'_>) -> Result<Plan, ArtifactError> {
    plan_at(model, Depth::Full)
}

/// Like [`plan`], for any [`Network`] (a decoded model or the host's owned layers), at the given
/// depth: [`Depth::Shapes`] skips the passes over weights and channel parameters (for models that
/// already passed [`validate`]). The one place where layer shapes are chained.
pub fn plan_at<N: Network + ?Sized>(net: &N, depth: Depth) -> Result<Plan, ArtifactError> {
    let layers = net.layers();
    if layers.is_empty() {
        return Err(ArtifactError::NoLayers);
    }
    let tokenizer = net.tokenizer();
    let mut act = Act::tokens(usize::from(tokenizer.max_tokens));
    let mut plan = Plan::new();
    for (index, layer) in layers.iter().enumerate() {
        act = layer_output(index, layer, act, tokenizer.buckets, depth)?;
        // A decoded model holds at most MAX_LAYERS; a longer network is refused here.
        plan.push(act).map_err(|_| ArtifactError::Overflow {
            layer: index,
            what: "layer count",
        })?;
    }
    Ok(plan)
}

fn check_metadata(model: &Model<'_>) -> Result<(), ArtifactError> {
    let meta = &model.meta;
    for (index, label) in meta.labels.iter().enumerate() {
        if label.is_empty() || label.len() > MAX_LABEL_BYTES {
            return Err(ArtifactError::Label {
                index,
                len: label.len(),
            });
        }
    }
    if meta.labels.is_empty() {
        return Err(ArtifactError::Metadata { field: "labels" });
    }
    if !(0.0..=1.0).contains(&meta.degree) {
        return Err(ArtifactError::Metadata { field: "degree" });
    }
    Ok(())
}

/// The head master mirrors the last layer, which must be Dense, and its input quantization is
/// the one of the activation that feeds that layer.
fn check_head(model: &Model<'_>, plan: &Plan, head: &HeadMaster<'_>) -> Result<(), ArtifactError> {
    let Some(Layer::Dense {
        inputs, outputs, ..
    }) = model.layers.last()
    else {
        return Err(ArtifactError::HeadWithoutDense);
    };
    let (inputs, outputs) = (usize::from(*inputs), usize::from(*outputs));
    let n = inputs.checked_mul(outputs).and_then(|n| n.checked_mul(4));
    let n = n.ok_or(ArtifactError::Overflow {
        layer: plan.len(),
        what: "head weights",
    })?;
    if head.weights.len() != n {
        return Err(ArtifactError::HeadLength {
            what: "weights",
            expected: n,
            found: head.weights.len(),
        });
    }
    if head.bias.len() != outputs * 4 {
        return Err(ArtifactError::HeadLength {
            what: "bias",
            expected: outputs * 4,
            found: head.bias.len(),
        });
    }
    finite_f32s("weights", head.weights)?;
    finite_f32s("bias", head.bias)?;
    let feeding = plan
        .len()
        .checked_sub(2)
        .and_then(|i| plan.get(i))
        .and_then(|a| a.quant);
    match feeding {
        Some(q) if head.input.is_valid() && q == head.input => Ok(()),
        _ => Err(ArtifactError::HeadQuant),
    }
}

fn finite_f32s(what: &'static str, bytes: &[u8]) -> Result<(), ArtifactError> {
    let mut index = 0;
    while let Some(v) = f32_at(bytes, index) {
        if !v.is_finite() {
            return Err(ArtifactError::HeadValue { what, index });
        }
        index += 1;
    }
    Ok(())
}
