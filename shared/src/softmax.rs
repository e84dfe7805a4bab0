//! Softmax at a temperature, in a fixed order of f32 operations: the one the device's learner
//! trains against and the host computes its soft labels with.

use crate::temperature::check_temperature;

/// `out[i] = exp((z[i] − max z)/T) / Σ_j exp((z[j] − max z)/T)`, computed left to right.
///
/// # Shapes
/// - `logits`: `[classes]`
/// - `out`: `[classes]` (only the first `logits.len()` values are written)
///
/// Returns `false` (and writes nothing meaningful) when the lengths differ, a value is not finite
/// or the temperature is outside the [checked range](crate::temperature).
pub fn softmax_with_temperature(logits: &[f32], temperature: f32, out: &mut [f32]) -> bool {
    if logits.len() != out.len() || logits.is_empty() || check_temperature(temperature).is_err() {
        return false;
    }
    let mut max = f32::NEG_INFINITY;
    for &z in logits {
        if !z.is_finite() {
            return false;
        }
        if z > max {
            max = z;
        }
    }
    let mut sum = 0.0f32;
    for (o, &z) in out.iter_mut().zip(logits) {
        let e = libm::expf((z - max) / temperature);
        *o = e;
        sum += e;
    }
    // sum ≥ 1 because the largest logit contributes exp(0) = 1.
    for o in out.iter_mut() {
        *o /= sum;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_for_equal_logits() {
        let mut out = [0.0; 4];
        assert!(softmax_with_temperature(&[3.0; 4], 2.0, &mut out));
        assert_eq!(out, [0.25; 4]);
    }

    #[test]
    fn temperature_flattens() {
        let mut sharp = [0.0; 2];
        let mut flat = [0.0; 2];
        assert!(softmax_with_temperature(&[2.0, 0.0], 1.0, &mut sharp));
        assert!(softmax_with_temperature(&[2.0, 0.0], 4.0, &mut flat));
        assert!((sharp[0] - 0.880_797).abs() < 1e-6);
        assert!((flat[0] - 0.622_459).abs() < 1e-6);
    }

    #[test]
    fn refuses_non_finite_and_mismatched() {
        let mut out = [0.0; 2];
        assert!(!softmax_with_temperature(&[f32::NAN, 0.0], 1.0, &mut out));
        assert!(!softmax_with_temperature(&[0.0], 1.0, &mut out));
        assert!(!softmax_with_temperature(&[0.0, 1.0], 0.0, &mut out));
        assert!(!softmax_with_temperature(&[0.0, 1.0], 0.25, &mut out));
    }
}
