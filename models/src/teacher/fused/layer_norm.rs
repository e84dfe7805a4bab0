//! Residual add + LayerNorm over the rows of a token matrix, forward (keeping what the backward
//! pass needs) and backward.

use rayon::prelude::*;

use super::simd::{dot, multiversion, sum};

/// Rows per rayon task.
const ROWS_PER_TASK: usize = 32;

/// What the backward pass of one LayerNorm needs.
#[derive(Debug, Clone, Default)]
pub struct NormCache {
    /// `(z − mean)·rstd`, `[n, h]`.
    pub xhat: Vec<f32>,
    /// `1/√(var + eps)` per row, `[n]`.
    pub rstd: Vec<f32>,
}

multiversion! {
    fn norm_rows(
        z: &mut [f32],
        rstd: &mut [f32],
        out: &mut [f32],
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
    ) {
        let h = gamma.len();
        for ((z, r), o) in z.chunks_exact_mut(h).zip(rstd.iter_mut()).zip(out.chunks_exact_mut(h)) {
            let mean = sum(z) / h as f32;
            for v in z.iter_mut() {
                *v -= mean;
            }
            let var = dot(z, z) / h as f32;
            let rs = 1.0 / (var + eps).sqrt();
            *r = rs;
            for (((v, o), g), b) in z.iter_mut().zip(o.iter_mut()).zip(gamma).zip(beta) {
                *v *= rs;
                *o = *v * g + b;
            }
        }
    }
}

/// `out = LayerNorm(z)` row by row, with `z` overwritten by `xhat`.
///
/// # Shapes
/// - `z`, `out`: `[n, h]`; `gamma`, `beta`: `[h]`; `rstd`: `[n]`
pub fn layer_norm(
    z: &mut [f32],
    out: &mut [f32],
    rstd: &mut [f32],
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) {
    let h = gamma.len();
    let chunk = ROWS_PER_TASK * h;
    z.par_chunks_mut(chunk)
        .zip(out.par_chunks_mut(chunk))
        .zip(rstd.par_chunks_mut(ROWS_PER_TASK))
        .for_each(|((z, o), r)| norm_rows(z, r, o, gamma, beta, eps));
}

multiversion! {
    fn norm_backward_rows(
        dy: &[f32],
        xhat: &[f32],
        rstd: &[f32],
        gamma: &[f32],
        dz: &mut [f32],
        dgamma: &mut [f32],
        dbeta: &mut [f32],
    ) {
        let h = gamma.len();
        let rows = dy.chunks_exact(h).zip(xhat.chunks_exact(h)).zip(rstd).zip(dz.chunks_exact_mut(h));
        for (((dy, xh), rs), dz) in rows {
            for ((d, g), o) in dy.iter().zip(gamma).zip(dz.iter_mut()) {
                *o = d * g;
            }
            let m1 = sum(dz) / h as f32;
            let m2 = dot(dz, xh) / h as f32;
            for (o, x) in dz.iter_mut().zip(xh) {
                *o = rs * (*o - m1 - x * m2);
            }
            for (((dg, db), d), x) in dgamma.iter_mut().zip(dbeta.iter_mut()).zip(dy).zip(xh) {
                *dg += d * x;
                *db += d;
            }
        }
    }
}

/// Backward of [`layer_norm`]: `dz` (the gradient of its input) and `dgamma`, `dbeta`.
///
/// # Shapes
/// - `dy`, `dz`: `[n, h]`; returns `(dgamma [h], dbeta [h])`
pub fn layer_norm_backward(
    dy: &[f32],
    cache: &NormCache,
    gamma: &[f32],
    dz: &mut [f32],
) -> (Vec<f32>, Vec<f32>) {
    let h = gamma.len();
    let chunk = ROWS_PER_TASK * h;
    let partial: Vec<(Vec<f32>, Vec<f32>)> = dy
        .par_chunks(chunk)
        .zip(cache.xhat.par_chunks(chunk))
        .zip(cache.rstd.par_chunks(ROWS_PER_TASK))
        .zip(dz.par_chunks_mut(chunk))
        .map(|(((dy, xh), rs), dz)| {
            let (mut dg, mut db) = (vec![0.0; h], vec![0.0; h]);
            norm_backward_rows(dy, xh, rs, gamma, dz, &mut dg, &mut db);
            (dg, db)
        })
        .collect();
    let (mut dgamma, mut dbeta) = (vec![0.0; h], vec![0.0; h]);
    for (dg, db) in partial {
        for (a, b) in dgamma.iter_mut().zip(dg) {
            *a += b;
        }
        for (a, b) in dbeta.iter_mut().zip(db) {
            *a += b;
        }
    }
    (dgamma, dbeta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(z: &[f32], gamma: &[f32], beta: &[f32], eps: f64) -> Vec<f32> {
        let h = gamma.len();
        z.chunks(h)
            .flat_map(|row| {
                let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / h as f64;
                let var = row
                    .iter()
                    .map(|&v| (f64::from(v) - mean).powi(2))
                    .sum::<f64>()
                    / h as f64;
                row.iter()
                    .zip(gamma)
                    .zip(beta)
                    .map(move |((&v, &g), &b)| {
                        ((f64::from(v) - mean) / (var + eps).sqrt() * f64::from(g) + f64::from(b))
                            as f32
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn data(n: usize, seed: f32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32 + seed) * 0.731).sin() * 2.0 + 0.5)
            .collect()
    }

    #[test]
    fn forward_matches_a_double_precision_reference() {
        let (n, h) = (70, 24);
        let z = data(n * h, 0.0);
        let gamma = data(h, 3.0);
        let beta = data(h, 5.0);
        let want = reference(&z, &gamma, &beta, 1e-12);
        let (mut zz, mut out, mut rstd) = (z.clone(), vec![0.0; n * h], vec![0.0; n]);
        layer_norm(&mut zz, &mut out, &mut rstd, &gamma, &beta, 1e-12);
        for (a, b) in out.iter().zip(&want) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (n, h) = (3, 8);
        let z = data(n * h, 1.0);
        let gamma = data(h, 2.0);
        let beta = data(h, 4.0);
        let dy = data(n * h, 9.0);
        // Loss L = Σ dy·LN(z): its gradients by central differences in f64.
        let loss = |z: &[f32], gamma: &[f32], beta: &[f32]| -> f64 {
            reference(z, gamma, beta, 1e-12)
                .iter()
                .zip(&dy)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        let (mut xhat, mut out, mut rstd) = (z.clone(), vec![0.0; n * h], vec![0.0; n]);
        layer_norm(&mut xhat, &mut out, &mut rstd, &gamma, &beta, 1e-12);
        let cache = NormCache { xhat, rstd };
        let mut dz = vec![0.0; n * h];
        let (dgamma, dbeta) = layer_norm_backward(&dy, &cache, &gamma, &mut dz);
        let eps = 1e-2f32;
        for i in 0..n * h {
            let (mut p, mut m) = (z.clone(), z.clone());
            p[i] += eps;
            m[i] -= eps;
            let num = (loss(&p, &gamma, &beta) - loss(&m, &gamma, &beta)) / (2.0 * f64::from(eps));
            assert!(
                (f64::from(dz[i]) - num).abs() < 2e-2,
                "dz[{i}] {} vs {num}",
                dz[i]
            );
        }
        for i in 0..h {
            let (mut p, mut m) = (gamma.clone(), gamma.clone());
            p[i] += eps;
            m[i] -= eps;
            let num = (loss(&z, &p, &beta) - loss(&z, &m, &beta)) / (2.0 * f64::from(eps));
            assert!((f64::from(dgamma[i]) - num).abs() < 1e-2);
            let (mut p, mut m) = (beta.clone(), beta.clone());
            p[i] += eps;
            m[i] -= eps;
            let num = (loss(&z, &gamma, &p) - loss(&z, &gamma, &m)) / (2.0 * f64::from(eps));
            assert!((f64::from(dbeta[i]) - num).abs() < 1e-2);
        }
    }
}
