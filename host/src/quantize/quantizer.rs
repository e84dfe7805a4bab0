//! Post-training int8 quantization of a trained f32 student (the scheme of `docs/design.md`): weights
//! symmetric per output channel, activations asymmetric per tensor calibrated on training
//! data, embedding tables per table, biases i32 with the input zero point folded in.

use edgekd_models::burn::prelude::*;
use edgekd_models::student::{Student, StudentKind, TokenBatch};
use edgekd_shared::artifact::{i8_as_bytes, Layer};
use edgekd_shared::kernels::{ChannelParams, Pool};
use edgekd_shared::quant::host::{
    act_quant_from_range, channel_requants, fold_bias, quantize_weights_per_channel,
};
use edgekd_shared::quant::ActQuant;

use super::calibrate::{range, Calibration};
use super::error::{kernel, quant, QuantizeError};
use super::model::{HeadMasterF32, QuantizedStudent};
use crate::train::TrainExample;

/// Most calibration examples used (a random subset is not needed: the caller passes the
/// training set in its own order, and the first examples are representative after a shuffle).
pub const MAX_CALIBRATION_EXAMPLES: usize = 4096;

/// Observed activations of the quantization points of one student.
#[derive(Debug, Default)]
struct Observed {
    /// `cnn`: valid conv outputs (after ReLU); `bag`: the hidden dense outputs (after ReLU).
    body: Vec<f32>,
    /// Logits.
    logits: Vec<f32>,
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap_or_default()
}

fn observe(
    model: &Student,
    examples: &[TrainExample],
    buckets: usize,
    device: &Device,
) -> Result<Observed, QuantizeError> {
    let mut obs = Observed::default();
    for chunk in examples.chunks(256) {
        let seqs: Vec<&[u32]> = chunk.iter().map(|e| e.tokens.as_slice()).collect();
        let batch = TokenBatch::new(&seqs, buckets, 1, device)?;
        let trace = model.forward_trace(&batch);
        match trace.conv {
            Some((y, mask)) => {
                let [_, _, ch] = y.dims();
                let (y, mask) = (to_vec(y), to_vec(mask));
                for (pos, m) in mask.iter().enumerate() {
                    if *m > 0.5 {
                        obs.body
                            .extend_from_slice(y.get(pos * ch..(pos + 1) * ch).unwrap_or(&[]));
                    }
                }
            }
            None => obs.body.extend(to_vec(trace.features)),
        }
        obs.logits.extend(to_vec(trace.logits));
    }
    Ok(obs)
}

/// Quantizes `[out, per]`-shaped f32 weights with their bias into an int8 layer's weights (as
/// bytes) and channel params for input quantization `input` and output quantization `out`.
fn quantize_channels(
    layer: &'static str,
    weights: &[f32],
    bias: &[f32],
    outputs: usize,
    per_channel: usize,
    input: ActQuant,
    out: ActQuant,
) -> Result<(Vec<u8>, Vec<u8>), QuantizeError> {
    let cw = quantize_weights_per_channel(weights, outputs, per_channel).map_err(quant(layer))?;
    let folded = fold_bias(
        bias,
        input.scale,
        &cw.scales,
        input.zero_point,
        &cw.values,
        per_channel,
    )
    .map_err(quant(layer))?;
    let rq = channel_requants(input.scale, &cw.scales, out.scale).map_err(quant(layer))?;
    let mut params = vec![0u8; outputs * ChannelParams::BYTES_PER_CHANNEL];
    ChannelParams::encode(&folded, &rq, &mut params).map_err(kernel(layer))?;
    Ok((i8_as_bytes(&cw.values).to_vec(), params))
}

/// burn `Linear` weight `[in, out]` → device layout `[out, in]`.
fn transpose(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; w.len()];
    for r in 0..rows {
        for c in 0..cols {
            if let (Some(dst), Some(src)) = (t.get_mut(c * rows + r), w.get(r * cols + c)) {
                *dst = *src;
            }
        }
    }
    t
}

fn expect(what: &'static str, v: Vec<f32>, expected: usize) -> Result<Vec<f32>, QuantizeError> {
    if v.len() == expected {
        Ok(v)
    } else {
        Err(QuantizeError::Shape {
            what,
            expected,
            found: v.len(),
        })
    }
}

/// Quantizes `model` (on the plain `device`) with activation ranges observed on up to
/// [`MAX_CALIBRATION_EXAMPLES`] of `calibration`.
pub fn quantize_student(
    model: &Student,
    config: &edgekd_models::student::StudentConfig,
    calibration: &[TrainExample],
    method: Calibration,
    device: &Device,
) -> Result<QuantizedStudent, QuantizeError> {
    if calibration.is_empty() {
        return Err(QuantizeError::EmptyCalibration);
    }
    let calib = calibration
        .get(..MAX_CALIBRATION_EXAMPLES.min(calibration.len()))
        .unwrap_or(calibration);
    let obs = observe(model, calib, config.buckets, device)?;
    let (d, h, c) = (config.dim, config.hidden, config.classes);

    // Embedding table, per table (min/max: every row can be picked by some token).
    let table = expect(
        "embedding table",
        to_vec(model.embedding.weight.val()),
        config.buckets * d,
    )?;
    let (lo, hi) = range(&table, Calibration::MinMax)?;
    let table_q = act_quant_from_range(lo, hi).map_err(quant("embedding"))?;
    let table_i8: Vec<i8> = table.iter().map(|&v| table_q.quantize(v)).collect();
    let table_bytes = i8_as_bytes(&table_i8).to_vec();
    let buckets = u32::try_from(config.buckets).unwrap_or(u32::MAX);

    let (blo, bhi) = range(&obs.body, method)?;
    let body_q = act_quant_from_range(blo, bhi).map_err(quant("body activations"))?;
    let (llo, lhi) = range(&obs.logits, method)?;
    let logit_quant = act_quant_from_range(llo, lhi).map_err(quant("logits"))?;

    let mut layers = Vec::with_capacity(4);
    match config.kind {
        StudentKind::Bag => {
            let hidden = model
                .hidden
                .as_ref()
                .ok_or_else(|| QuantizeError::MissingLayer(config.kind.to_string(), "hidden"))?;
            layers.push(Layer::EmbedBag {
                buckets,
                dim: d as u16,
                pool: Pool::Mean,
                table: table_bytes,
                out: table_q,
            });
            let w = expect("hidden weight", to_vec(hidden.weight.val()), d * h)?;
            let b = match &hidden.bias {
                Some(b) => expect("hidden bias", to_vec(b.val()), h)?,
                None => vec![0.0; h],
            };
            let (weights, params) = quantize_channels(
                "hidden dense",
                &transpose(&w, d, h),
                &b,
                h,
                d,
                table_q,
                body_q,
            )?;
            layers.push(Layer::Dense {
                inputs: d as u16,
                outputs: h as u16,
                weights,
                params,
                out: body_q,
                relu: true,
            });
        }
        StudentKind::Cnn => {
            let conv = model
                .conv
                .as_ref()
                .ok_or_else(|| QuantizeError::MissingLayer(config.kind.to_string(), "conv"))?;
            let k = config.kernel;
            layers.push(Layer::Embed {
                buckets,
                dim: d as u16,
                table: table_bytes,
                out: table_q,
            });
            // burn [out, in, kernel] → device [out, kernel, in].
            let w = expect("conv weight", to_vec(conv.weight.val()), h * d * k)?;
            let mut wk = vec![0.0f32; w.len()];
            for o in 0..h {
                for i in 0..d {
                    for t in 0..k {
                        if let (Some(dst), Some(src)) =
                            (wk.get_mut((o * k + t) * d + i), w.get((o * d + i) * k + t))
                        {
                            *dst = *src;
                        }
                    }
                }
            }
            let b = match &conv.bias {
                Some(b) => expect("conv bias", to_vec(b.val()), h)?,
                None => vec![0.0; h],
            };
            let (weights, params) =
                quantize_channels("conv1d", &wk, &b, h, k * d, table_q, body_q)?;
            layers.push(Layer::Conv1d {
                in_ch: d as u16,
                out_ch: h as u16,
                kernel: k as u16,
                pad: config.conv_pad() as u16,
                weights,
                params,
                out: body_q,
                relu: true,
            });
            layers.push(Layer::GlobalPool { pool: Pool::Max });
        }
    }
    let w = expect("output weight", to_vec(model.output.weight.val()), h * c)?;
    let b = match &model.output.bias {
        Some(b) => expect("output bias", to_vec(b.val()), c)?,
        None => vec![0.0; c],
    };
    let wt = transpose(&w, h, c);
    let (weights, params) = quantize_channels("output dense", &wt, &b, c, h, body_q, logit_quant)?;
    layers.push(Layer::Dense {
        inputs: h as u16,
        outputs: c as u16,
        weights,
        params,
        out: logit_quant,
        relu: false,
    });
    Ok(QuantizedStudent {
        config: config.clone(),
        layers,
        head: HeadMasterF32 {
            input: body_q,
            weights: wt,
            bias: b,
        },
        calibration: method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_in_out_to_out_in() {
        // [in=2, out=3] → [out=3, in=2]
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(transpose(&w, 2, 3), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
