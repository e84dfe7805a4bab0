//! Vectorisable scalar maths for the fused kernels: `exp`, `erf`, lane-split sums, and a macro that
//! compiles a loop once per x86 instruction set (AVX-512, AVX2 + FMA, baseline) and picks the best
//! one at run time.
//!
//! The functions are written so that LLVM vectorises the loops that call them (no libm calls, no
//! branches, rounding by the 1.5·2²³ trick); their accuracy is stated on each.

/// Defines `fn NAME(args)` whose body is compiled three times: with AVX-512, with AVX2 + FMA and
/// for the baseline target; the first the CPU supports runs (x86-64; other targets run the
/// baseline). The body must be safe code.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn generic($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi2")]
                fn v4($($arg: $ty),*) {
                    generic($($arg),*)
                }
                #[target_feature(enable = "avx2,fma,bmi2")]
                fn v3($($arg: $ty),*) {
                    generic($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                {
                    // SAFETY: the CPU has every feature `v4` was compiled for.
                    return unsafe { v4($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::arch::is_x86_feature_detected!("bmi2")
                {
                    // SAFETY: the CPU has every feature `v3` was compiled for.
                    return unsafe { v3($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// Adding and subtracting this rounds an `f32` of magnitude < 2²² to the nearest integer.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// `e^x` for every finite `x` (saturating outside [-87.3, 88.3]); max relative error ≈ 2e-7.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n·LN2_HI is exact for |n| ≤ 2^10.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let x = x.clamp(-87.336_54, 88.376_26);
    // t holds n = round(x·log2 e) in its low mantissa bits: both the float n and the integer come
    // from it without a float-to-int conversion (which would not vectorise as cleanly).
    let t = x * LOG2E + ROUND_MAGIC;
    let n = t - ROUND_MAGIC;
    let ni = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let r = x - n * LN2_HI - n * LN2_LO;
    // Taylor polynomial of e^r on |r| ≤ ln2/2 (degree 6: error < 1.1e-7 relative).
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let bits = (ni.wrapping_add(127) as u32) << 23;
    p * f32::from_bits(bits)
}

/// `erf(x)` by Abramowitz & Stegun 7.1.26: max absolute error 1.5e-7 (5e-7 with f32 rounding).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A1: f32 = 0.254_829_6;
    const A2: f32 = -0.284_496_74;
    const A3: f32 = 1.421_413_7;
    const A4: f32 = -1.453_152;
    const A5: f32 = 1.061_405_4;
    let a = x.abs();
    let t = 1.0 / (1.0 + P * a);
    let poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
    let y = 1.0 - poly * exp(-a * a);
    y.copysign(x)
}

/// Lanes of the split accumulators below: one AVX-512 register of `f32`.
pub const LANES: usize = 16;

/// `Σ a[i]·b[i]`, accumulated in [`LANES`] independent lanes so that it vectorises.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES];
    let (ac, at) = a.split_at(n - n % LANES);
    let (bc, bt) = b.split_at(n - n % LANES);
    for (x, y) in ac.chunks_exact(LANES).zip(bc.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0.0;
    for (x, y) in at.iter().zip(bt) {
        tail += x * y;
    }
    acc.iter().sum::<f32>() + tail
}

/// `Σ a[i]`, in [`LANES`] independent lanes.
#[inline(always)]
pub fn sum(a: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (ac, at) = a.split_at(a.len() - a.len() % LANES);
    for x in ac.chunks_exact(LANES) {
        for l in 0..LANES {
            acc[l] += x[l];
        }
    }
    acc.iter().sum::<f32>() + at.iter().sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_close_to_std_over_its_range() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let want = f64::from(x).exp();
            let got = f64::from(exp(x));
            worst = worst.max(((got - want) / want).abs());
            x += 0.0137;
        }
        assert!(worst < 4e-7, "max relative error {worst}");
        assert_eq!(exp(-1000.0), exp(-87.336_54));
        assert!(exp(-1.0e4) < 1e-37);
    }

    #[test]
    fn erf_is_within_its_bound() {
        // Reference: erf by its Maclaurin series (|x| < 3, f64) and 1 beyond.
        fn erf64(x: f64) -> f64 {
            if x.abs() > 5.0 {
                return x.signum();
            }
            let mut term = x;
            let mut total = x;
            for n in 1..200 {
                term *= -x * x / n as f64;
                total += term / (2 * n + 1) as f64;
            }
            total * 2.0 / std::f64::consts::PI.sqrt()
        }
        let mut worst = 0.0f64;
        let mut x = -4.5f32;
        while x < 4.5 {
            worst = worst.max((f64::from(erf(x)) - erf64(f64::from(x))).abs());
            x += 0.001_7;
        }
        assert!(worst < 5e-7, "max absolute error {worst}");
        assert!(erf(0.0).abs() < 1e-7);
        assert_eq!(erf(30.0), 1.0);
        assert_eq!(erf(-30.0), -1.0);
    }

    #[test]
    fn lane_sums_match_sequential_ones() {
        let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
        let d: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - d).abs() < 1e-5);
        assert!((sum(&a) - a.iter().sum::<f32>()).abs() < 1e-5);
    }

    multiversion! {
        fn double_all(xs: &mut [f32]) {
            for x in xs.iter_mut() {
                *x *= 2.0;
            }
        }
    }

    #[test]
    fn multiversioned_functions_run() {
        let mut xs = vec![1.0f32; 33];
        double_all(&mut xs);
        assert!(xs.iter().all(|&x| x == 2.0));
    }
}
