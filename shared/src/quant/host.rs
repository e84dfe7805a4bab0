//! Host-side quantization helpers (std feature): weight quantization, activation ranges,
//! bias folding and per-channel requantization multipliers.
//!
//! These run once at export time; the device only sees their integer results.

use super::{round_half_away_f64, ActQuant, QuantError, Requant};

/// Int8 weights of a layer quantized per output channel, symmetric (zero point 0).
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelWeights {
    /// `[out, per_channel]` row-major, every value in −127..=127.
    pub values: Vec<i8>,
    /// `[out]` real value of one step of each output channel (> 0).
    pub scales: Vec<f32>,
}

/// Quantizes `weights` `[out, per_channel]` (row-major) per output channel:
/// `scale[c] = max|w[c]| / 127` (1.0 for an all-zero channel), `q = clamp(round(w / scale), −127, 127)`.
///
/// `per_channel` is `in` for a dense layer and `kernel · in_ch` for a conv1d.
/// Errors: a length that is not `out · per_channel`, or a non-finite weight.
pub fn quantize_weights_per_channel(
    weights: &[f32],
    out: usize,
    per_channel: usize,
) -> Result<ChannelWeights, QuantError> {
    let expected = out
        .checked_mul(per_channel)
        .ok_or(QuantError::ShapeMismatch {
            what: "weights",
            expected: usize::MAX,
            found: weights.len(),
        })?;
    if weights.len() != expected {
        return Err(QuantError::ShapeMismatch {
            what: "weights",
            expected,
            found: weights.len(),
        });
    }
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(QuantError::NotFinite { what: "weight" });
    }
    let mut values = Vec::with_capacity(expected);
    let mut scales = Vec::with_capacity(out);
    for c in 0..out {
        let row = &weights[c * per_channel..(c + 1) * per_channel];
        let max_abs = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if max_abs > 0.0 { max_abs / 127.0 } else { 1.0 };
        let scale = if scale > 0.0 {
            scale
        } else {
            f32::MIN_POSITIVE
        };
        scales.push(scale);
        for &w in row {
            let q = round_half_away_f64(f64::from(w) / f64::from(scale)).clamp(-127, 127);
            values.push(q as i8);
        }
    }
    Ok(ChannelWeights { values, scales })
}

/// Asymmetric int8 activation quantization of the observed range `[min, max]`, widened to
/// include 0 so that real 0 is exactly representable: `scale = (max − min) / 255`,
/// `zero_point = clamp(round(−128 − min / scale), −128, 127)`. A range of width 0 (both 0)
/// gives `scale = 1.0, zero_point = 0`.
pub fn act_quant_from_range(min: f32, max: f32) -> Result<ActQuant, QuantError> {
    if !min.is_finite() || !max.is_finite() || min > max {
        return Err(QuantError::BadRange);
    }
    let lo = f64::from(min.min(0.0));
    let hi = f64::from(max.max(0.0));
    if hi - lo <= 0.0 {
        return Ok(ActQuant {
            scale: 1.0,
            zero_point: 0,
        });
    }
    let scale = (hi - lo) / 255.0;
    let scale_f32 = scale as f32;
    if !(scale_f32 > 0.0 && scale_f32.is_finite()) {
        return Err(QuantError::BadRange);
    }
    let zp = round_half_away_f64(-128.0 - lo / f64::from(scale_f32)).clamp(-128, 127);
    Ok(ActQuant {
        scale: scale_f32,
        zero_point: zp as i8,
    })
}

/// Folds the input zero point into the bias:
/// `bias_folded[c] = round(bias[c] / (s_in · s_w[c])) − in_zp · Σ_k w_q[c][k]`.
///
/// Shapes: `bias` `[out]`, `w_scales` `[out]`, `w_q` `[out, per_channel]`. Errors: length
/// mismatches, a non-positive or non-finite scale, a result outside i32 (`BiasOverflow`).
pub fn fold_bias(
    bias: &[f32],
    s_in: f32,
    w_scales: &[f32],
    in_zp: i8,
    w_q: &[i8],
    per_channel: usize,
) -> Result<Vec<i32>, QuantError> {
    let out = bias.len();
    check_len("weight scales", out, w_scales.len())?;
    check_len("weights", out.saturating_mul(per_channel), w_q.len())?;
    check_scale("input scale", s_in)?;
    let mut folded = Vec::with_capacity(out);
    for c in 0..out {
        check_scale("weight scale", w_scales[c])?;
        if !bias[c].is_finite() {
            return Err(QuantError::NotFinite { what: "bias" });
        }
        let step = f64::from(s_in) * f64::from(w_scales[c]);
        let q = f64::from(bias[c]) / step;
        if q.abs() >= 2f64.powi(62) {
            return Err(QuantError::BiasOverflow { channel: c });
        }
        let sum_w: i64 = w_q[c * per_channel..(c + 1) * per_channel]
            .iter()
            .map(|&w| i64::from(w))
            .sum();
        let v = round_half_away_f64(q) - i64::from(in_zp) * sum_w;
        folded.push(i32::try_from(v).map_err(|_| QuantError::BiasOverflow { channel: c })?);
    }
    Ok(folded)
}

/// Per-channel requantization multipliers `s_in · s_w[c] / s_out`.
pub fn channel_requants(
    s_in: f32,
    w_scales: &[f32],
    s_out: f32,
) -> Result<Vec<Requant>, QuantError> {
    check_scale("input scale", s_in)?;
    check_scale("output scale", s_out)?;
    w_scales
        .iter()
        .map(|&sw| {
            check_scale("weight scale", sw)?;
            Requant::from_real(f64::from(s_in) * f64::from(sw) / f64::from(s_out))
        })
        .collect()
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), QuantError> {
    if expected == found {
        Ok(())
    } else {
        Err(QuantError::ShapeMismatch {
            what,
            expected,
            found,
        })
    }
}

fn check_scale(what: &'static str, s: f32) -> Result<(), QuantError> {
    if !s.is_finite() {
        Err(QuantError::NotFinite { what })
    } else if s <= 0.0 {
        Err(QuantError::NotPositive { what })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_per_channel() {
        let w = [1.0, -0.5, 0.25, 0.0, 0.0, 0.0, 2.0, 4.0, -4.0];
        let q = quantize_weights_per_channel(&w, 3, 3).unwrap();
        assert_eq!(q.values, vec![127, -64, 32, 0, 0, 0, 64, 127, -127]);
        assert_eq!(q.scales, vec![1.0 / 127.0, 1.0, 4.0 / 127.0]);
        assert!(q.values.iter().all(|&v| v >= -127));
        assert_eq!(
            quantize_weights_per_channel(&w, 2, 3),
            Err(QuantError::ShapeMismatch {
                what: "weights",
                expected: 6,
                found: 9
            })
        );
        assert!(quantize_weights_per_channel(&[f32::NAN], 1, 1).is_err());
    }

    #[test]
    fn act_range_includes_zero() {
        let a = act_quant_from_range(1.0, 2.0).unwrap();
        assert_eq!(a.zero_point, -128);
        assert_eq!(a.quantize(0.0), -128);
        let b = act_quant_from_range(-1.0, 1.0).unwrap();
        assert_eq!(b.quantize(0.0), b.zero_point);
        assert!((b.dequantize(b.quantize(1.0)) - 1.0).abs() <= b.scale);
        let c = act_quant_from_range(-3.0, -1.0).unwrap();
        assert_eq!(c.zero_point, 127);
        assert_eq!(
            act_quant_from_range(0.0, 0.0).unwrap(),
            ActQuant {
                scale: 1.0,
                zero_point: 0
            }
        );
        assert_eq!(act_quant_from_range(2.0, 1.0), Err(QuantError::BadRange));
        assert_eq!(
            act_quant_from_range(f32::NAN, 1.0),
            Err(QuantError::BadRange)
        );
    }

    #[test]
    fn bias_folding_matches_formula() {
        // out = 2, per_channel = 3
        let w_q = [10i8, -20, 30, 1, 1, 1];
        let folded = fold_bias(&[1.0, -2.0], 0.5, &[0.1, 0.25], 4, &w_q, 3).unwrap();
        // round(1 / 0.05) − 4·20 = 20 − 80; round(−2 / 0.125) − 4·3 = −16 − 12
        assert_eq!(folded, vec![-60, -28]);
        assert_eq!(
            fold_bias(&[1e30], 1e-30, &[1e-10], 0, &[0], 1),
            Err(QuantError::BiasOverflow { channel: 0 })
        );
        assert!(fold_bias(&[1.0], 0.0, &[1.0], 0, &[0], 1).is_err());
        assert!(fold_bias(&[1.0], 1.0, &[1.0, 2.0], 0, &[0], 1).is_err());
    }

    #[test]
    fn requants_per_channel() {
        let rqs = channel_requants(0.5, &[0.25, 1.0], 0.125).unwrap();
        assert_eq!(rqs[0].to_real(), 1.0);
        assert_eq!(rqs[1].to_real(), 4.0);
        assert!(channel_requants(0.5, &[0.0], 1.0).is_err());
    }
}
