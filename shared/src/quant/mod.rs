//! Integer-only quantization maths shared by the host quantizer and the device engine.
//!
//! The scheme is the one TFLite Micro and CMSIS-NN use:
//! - weights: symmetric int8 per output channel, zero point 0, range −127..=127;
//! - activations: asymmetric int8 per tensor, `real = scale · (q − zero_point)` ([`ActQuant`]);
//! - accumulators: i32, bias i32 with the input zero point folded in;
//! - requantization: a fixed-point multiplier and a power-of-two shift ([`Requant`]), rounded to
//!   nearest with ties away from zero, then the output zero point and a clamp ([`OutputQuant`]).
//!
//! Nothing here needs floating point at inference time; `f32`/`f64` only appear in the
//! constructors the host uses ([`Requant::from_real`], [`ActQuant`]).

mod error;
#[cfg(feature = "std")]
pub mod host;
mod requant;

pub use error::QuantError;
pub use requant::Requant;

/// Activation quantization of one tensor: `real = scale · (q − zero_point)`.
///
/// `scale` is in real units per quantization step (> 0, finite).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActQuant {
    /// Real value of one quantization step; > 0 and finite when valid.
    pub scale: f32,
    /// The int8 code of real 0.
    pub zero_point: i8,
}

impl ActQuant {
    /// `round(x / scale) + zero_point`, rounded half away from zero and clamped to −128..=127.
    /// NaN maps to the zero point; ±∞ saturate.
    pub fn quantize(self, x: f32) -> i8 {
        let steps = f64::from(x) / f64::from(self.scale);
        if steps.is_nan() {
            return self.zero_point;
        }
        // Clamp before rounding so the integer conversion below is exact and cannot saturate
        // silently in a way that depends on the platform.
        let steps = steps.clamp(-1.0e6, 1.0e6);
        let q = round_half_away_f64(steps) + i64::from(self.zero_point);
        q.clamp(-128, 127) as i8
    }

    /// `scale · (q − zero_point)`.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (i32::from(q) - i32::from(self.zero_point)) as f32
    }

    /// True when `scale` is finite and strictly positive.
    pub fn is_valid(self) -> bool {
        self.scale.is_finite() && self.scale > 0.0
    }
}

/// Output stage of a kernel: the output zero point and the clamp range (in int8 codes).
///
/// A fused ReLU is `act_min = zero_point`; no activation is `act_min = −128, act_max = 127`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutputQuant {
    /// The int8 code of real 0 in the output tensor.
    pub zero_point: i8,
    /// Smallest output code (inclusive).
    pub act_min: i8,
    /// Largest output code (inclusive).
    pub act_max: i8,
}

impl OutputQuant {
    /// No activation: the full int8 range.
    pub const fn linear(zero_point: i8) -> Self {
        Self {
            zero_point,
            act_min: i8::MIN,
            act_max: i8::MAX,
        }
    }

    /// Fused ReLU: outputs below the zero point (real 0) are raised to it.
    pub const fn relu(zero_point: i8) -> Self {
        Self {
            zero_point,
            act_min: zero_point,
            act_max: i8::MAX,
        }
    }

    /// True when `act_min ≤ act_max`.
    pub fn is_valid(self) -> bool {
        self.act_min <= self.act_max
    }
}

/// `rq.apply(acc) + out.zero_point`, saturated to int8 and clamped to `act_min..=act_max`.
///
/// An invalid `out` (`act_min > act_max`) does not panic: the result is then `act_max`
/// whenever the value falls outside, which is what `max(act_min)` then `min(act_max)` gives.
#[inline]
pub fn requantize(acc: i32, rq: Requant, out: OutputQuant) -> i8 {
    let v = rq.apply(acc).saturating_add(i32::from(out.zero_point));
    v.max(i32::from(out.act_min)).min(i32::from(out.act_max)) as i8
}

/// Rounds half away from zero without `std` (`f64::round` is not in `core`).
/// Exact for every finite `x` with |x| < 2^62.
pub(crate) fn round_half_away_f64(x: f64) -> i64 {
    let t = x as i64; // truncation toward zero
    let frac = x - t as f64; // exact: |x| < 2^62 and t has the same leading bits
    if frac >= 0.5 {
        t + 1
    } else if frac <= -0.5 {
        t - 1
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn act_quant_round_trip_and_clamp() {
        let a = ActQuant {
            scale: 0.5,
            zero_point: -10,
        };
        assert!(a.is_valid());
        assert_eq!(a.quantize(0.0), -10);
        assert_eq!(a.quantize(1.0), -8);
        assert_eq!(a.quantize(0.25), -9); // 0.5 steps rounds away from zero
        assert_eq!(a.quantize(-0.25), -11);
        assert_eq!(a.quantize(1.0e9), 127);
        assert_eq!(a.quantize(-1.0e9), -128);
        assert_eq!(a.quantize(f32::INFINITY), 127);
        assert_eq!(a.quantize(f32::NAN), -10);
        assert_eq!(a.dequantize(-8), 1.0);
        assert_eq!(a.dequantize(a.quantize(3.0)), 3.0);
    }

    #[test]
    fn act_quant_validity() {
        assert!(!ActQuant {
            scale: 0.0,
            zero_point: 0
        }
        .is_valid());
        assert!(!ActQuant {
            scale: -1.0,
            zero_point: 0
        }
        .is_valid());
        assert!(!ActQuant {
            scale: f32::NAN,
            zero_point: 0
        }
        .is_valid());
        assert!(!ActQuant {
            scale: f32::INFINITY,
            zero_point: 0
        }
        .is_valid());
    }

    #[test]
    fn requantize_adds_zero_point_and_clamps() {
        let rq = Requant::from_real(0.5).unwrap();
        assert_eq!(requantize(10, rq, OutputQuant::linear(3)), 8);
        assert_eq!(requantize(-10, rq, OutputQuant::relu(3)), 3);
        assert_eq!(requantize(i32::MAX, rq, OutputQuant::linear(0)), 127);
        assert_eq!(requantize(i32::MIN, rq, OutputQuant::linear(0)), -128);
        let bad = OutputQuant {
            zero_point: 0,
            act_min: 10,
            act_max: -10,
        };
        assert!(!bad.is_valid());
        assert_eq!(requantize(0, rq, bad), -10);
    }

    #[test]
    fn round_half_away_cases() {
        assert_eq!(round_half_away_f64(2.5), 3);
        assert_eq!(round_half_away_f64(-2.5), -3);
        assert_eq!(round_half_away_f64(2.4999999999), 2);
        assert_eq!(round_half_away_f64(-0.4), 0);
        assert_eq!(round_half_away_f64(0.49999999999999994), 0);
    }
}
