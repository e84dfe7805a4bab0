//! The exact (erf) GELU of BERT's feed-forward block, forward and backward, vectorised.
//!
//! `gelu(u) = u·Φ(u) = ½·u·(1 + erf(u/√2))`; `gelu'(u) = Φ(u) + u·φ(u)`, `φ(u) = e^{−u²/2}/√(2π)`.
//! With [`erf`]'s 5e-7 absolute error, `|gelu − exact| ≤ 2.5e-7·|u|`.

use rayon::prelude::*;

use super::simd::{erf, exp, multiversion};

/// Elements per rayon task.
const PER_TASK: usize = 1 << 14;

multiversion! {
    fn gelu_chunk(u: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(u) {
            *o = 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
        }
    }
}

multiversion! {
    fn gelu_backward_chunk(u: &[f32], grad: &mut [f32]) {
        const INV_SQRT_2PI: f32 = 0.398_942_3;
        for (g, &x) in grad.iter_mut().zip(u) {
            let cdf = 0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
            let pdf = INV_SQRT_2PI * exp(-0.5 * x * x);
            *g *= cdf + x * pdf;
        }
    }
}

/// `out[i] = gelu(u[i])`.
pub fn gelu(u: &[f32], out: &mut [f32]) {
    u.par_chunks(PER_TASK)
        .zip(out.par_chunks_mut(PER_TASK))
        .for_each(|(u, o)| gelu_chunk(u, o));
}

/// `grad[i] *= gelu'(u[i])`: the gradient of the GELU's input from that of its output.
pub fn gelu_backward(u: &[f32], grad: &mut [f32]) {
    u.par_chunks(PER_TASK)
        .zip(grad.par_chunks_mut(PER_TASK))
        .for_each(|(u, g)| gelu_backward_chunk(u, g));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(u: f64) -> f64 {
        // erf's Maclaurin series in f64: accurate to ~1e-8 for |u| ≤ 6 (cancellation grows beyond).
        let z = u / std::f64::consts::SQRT_2;
        let mut term = z;
        let mut total = z;
        for n in 1..400 {
            term *= -z * z / n as f64;
            total += term / (2 * n + 1) as f64;
        }
        0.5 * u * (1.0 + total * 2.0 / std::f64::consts::PI.sqrt())
    }

    #[test]
    fn forward_and_backward_match_the_definition() {
        let u: Vec<f32> = (0..3000).map(|i| -6.0 + i as f32 * 0.004).collect();
        let mut out = vec![0.0; u.len()];
        gelu(&u, &mut out);
        for (&x, &y) in u.iter().zip(&out) {
            let want = exact(f64::from(x));
            assert!(
                (f64::from(y) - want).abs() < 2e-6,
                "gelu({x}) = {y}, want {want}"
            );
        }
        let mut grad = vec![1.0; u.len()];
        gelu_backward(&u, &mut grad);
        for (&x, &g) in u.iter().zip(&grad) {
            let h = 1e-3;
            let num = (exact(f64::from(x) + h) - exact(f64::from(x) - h)) / (2.0 * h);
            assert!(
                (f64::from(g) - num).abs() < 1e-5,
                "gelu'({x}) = {g}, want {num}"
            );
        }
    }
}
