//! Property tests of the requantization maths.
//!
//! `Requant::apply` is EXACT round-to-nearest (ties away from zero) of `acc · to_real()`, the
//! real the fixed-point pair stands for, checked against i128 arithmetic; against the real it
//! was built from (`from_real(real)`) it is within 1 LSB (the multiplier's relative error is
//! ≤ 2^-31).

use edgekd_shared::quant::{requantize, ActQuant, OutputQuant, Requant};
use proptest::prelude::*;

/// Exact `round_half_away(acc · m · 2^shift / 2^31)`, saturated to i32, in i128.
fn exact(acc: i32, rq: Requant) -> i32 {
    let prod = i128::from(acc) * i128::from(rq.multiplier);
    let s = 31 - rq.shift; // 1..=62 for valid requants
    let d = 1i128 << s;
    let q = if prod >= 0 {
        (prod + d / 2) / d
    } else {
        -((-prod + d / 2) / d)
    };
    q.clamp(i128::from(i32::MIN), i128::from(i32::MAX)) as i32
}

/// A real multiplier, log-uniform over the representable range [2^-32, 2^30).
fn real() -> impl Strategy<Value = f64> {
    (-32.0f64..29.999).prop_map(|e| e.exp2())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn apply_is_exact_round_to_nearest(acc in any::<i32>(), r in real()) {
        let rq = Requant::from_real(r).unwrap();
        prop_assert!(rq.is_valid());
        prop_assert_eq!(rq.apply(acc), exact(acc, rq));
    }

    #[test]
    fn apply_within_1_lsb_of_f64(acc in any::<i32>(), r in real()) {
        let rq = Requant::from_real(r).unwrap();
        let reference = (f64::from(acc) * r).round().clamp(f64::from(i32::MIN), f64::from(i32::MAX));
        let got = f64::from(rq.apply(acc));
        prop_assert!((got - reference).abs() <= 1.0, "acc {} real {} got {} ref {}", acc, r, got, reference);
    }

    #[test]
    fn from_real_relative_error(r in real()) {
        let rq = Requant::from_real(r).unwrap();
        prop_assert!((rq.to_real() - r).abs() <= r * 2f64.powi(-31));
    }

    #[test]
    fn apply_never_panics_even_on_invalid(acc in any::<i32>(), m in any::<i32>(), s in any::<i32>()) {
        let _ = Requant { multiplier: m, shift: s }.apply(acc);
    }

    #[test]
    fn valid_random_pairs_are_exact(acc in any::<i32>(), m in (1i32 << 30)..=i32::MAX, s in -31i32..=30) {
        let rq = Requant { multiplier: m, shift: s };
        prop_assert!(rq.is_valid());
        prop_assert_eq!(rq.apply(acc), exact(acc, rq));
    }

    #[test]
    fn requantize_stays_in_clamp(acc in any::<i32>(), r in real(), zp in any::<i8>(), a in any::<i8>(), b in any::<i8>()) {
        let (lo, hi) = (a.min(b), a.max(b));
        let out = OutputQuant { zero_point: zp, act_min: lo, act_max: hi };
        let q = requantize(acc, Requant::from_real(r).unwrap(), out);
        prop_assert!(lo <= q && q <= hi);
    }

    #[test]
    fn act_quant_round_trip(scale in 1e-4f32..10.0, zp in any::<i8>(), q in any::<i8>()) {
        let a = ActQuant { scale, zero_point: zp };
        // Every code dequantizes to a real that quantizes back to itself.
        prop_assert_eq!(a.quantize(a.dequantize(q)), q);
    }

    #[test]
    fn act_quant_error_at_most_half_step(scale in 1e-4f32..10.0, zp in any::<i8>(), x in -1e3f32..1e3) {
        let a = ActQuant { scale, zero_point: zp };
        let lo = a.dequantize(-128);
        let hi = a.dequantize(127);
        let q = a.quantize(x);
        if x >= lo && x <= hi {
            prop_assert!((a.dequantize(q) - x).abs() <= scale * 0.5001);
        } else {
            prop_assert!(q == -128 || q == 127);
        }
    }
}

#[test]
fn t1_largest_accumulator_smallest_multiplier() {
    let rq = Requant::from_real((-32f64).exp2()).unwrap();
    assert_eq!(rq.apply(i32::MIN), exact(i32::MIN, rq));
    assert_eq!(rq.apply(i32::MIN), -1);
}

#[test]
fn t2_saturation_at_largest_shift() {
    let rq = Requant {
        multiplier: i32::MAX,
        shift: 30,
    };
    assert_eq!(rq.apply(i32::MAX), i32::MAX);
    assert_eq!(rq.apply(i32::MIN), i32::MIN);
    assert_eq!(rq.apply(1), exact(1, rq));
}

/// Found while writing the unit tests: `31 - shift` overflowed (a debug-build panic) for an
/// invalid `shift` of `i32::MIN`; `apply` now saturates the shift arithmetic.
#[test]
fn t3_extreme_invalid_shift_does_not_overflow() {
    let rq = Requant {
        multiplier: i32::MIN,
        shift: i32::MIN,
    };
    assert!(!rq.is_valid());
    for acc in [i32::MIN, -1, 0, 1, i32::MAX] {
        let _ = rq.apply(acc);
    }
    let _ = Requant {
        multiplier: i32::MAX,
        shift: i32::MAX,
    }
    .apply(i32::MIN);
}
