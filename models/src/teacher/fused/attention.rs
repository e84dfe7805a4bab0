//! Multi-head self-attention over packed sequences: every sequence attends to its own tokens only,
//! so no padding is computed and no mask is needed.
//!
//! Layout: the tokens of all sequences are rows of one matrix, sequence `s` owning rows
//! `offsets[s]..offsets[s + 1]`. `qkv` is `[n, 3h]` (queries, keys, values side by side), head `k`
//! using columns `k·dh..(k+1)·dh` of each third. The probabilities kept for the backward pass are
//! `[heads, L, L]` per sequence, sequences one after the other.

use rayon::prelude::*;

use super::matmul::{matmul, MatMut, MatRef};
use super::simd::{dot, exp, multiversion};

/// Shape of one attention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Model width `h`.
    pub hidden: usize,
    /// Heads; `hidden` is a multiple of it.
    pub heads: usize,
}

/// Floats of the probabilities kept for sequences of these lengths: `Σ heads·L²`.
pub fn probs_len(offsets: &[usize], heads: usize) -> usize {
    offsets
        .windows(2)
        .map(|w| heads * (w[1] - w[0]).pow(2))
        .sum()
}

/// One sequence's slices of the packed tensors.
struct Sequence<'a, Q, C> {
    len: usize,
    qkv: Q,
    ctx: C,
    probs: &'a mut [f32],
}

/// Splits rows and probabilities by sequence (the parallel units).
fn split<'a>(
    offsets: &[usize],
    shape: AttentionShape,
    qkv: &'a [f32],
    mut ctx: &'a mut [f32],
    mut probs: &'a mut [f32],
) -> Vec<Sequence<'a, &'a [f32], &'a mut [f32]>> {
    let h = shape.hidden;
    let mut out = Vec::with_capacity(offsets.len().saturating_sub(1));
    for w in offsets.windows(2) {
        let len = w[1] - w[0];
        let (c, rest) = ctx.split_at_mut(len * h);
        ctx = rest;
        let (p, rest) = probs.split_at_mut(shape.heads * len * len);
        probs = rest;
        out.push(Sequence {
            len,
            qkv: &qkv[w[0] * 3 * h..w[1] * 3 * h],
            ctx: c,
            probs: p,
        });
    }
    out
}

multiversion! {
    fn softmax_rows(scores: &mut [f32], len: usize) {
        for p in scores.chunks_exact_mut(len) {
            let max = p.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            for v in p.iter_mut() {
                *v = exp(*v - max);
            }
            let inv = 1.0 / p.iter().sum::<f32>();
            for v in p.iter_mut() {
                *v *= inv;
            }
        }
    }
}

/// One sequence: for each head, `P = softmax(Q·Kᵀ/√dh)` into `probs`, `ctx = P·V`.
fn attend(
    qkv: &[f32],
    ctx: &mut [f32],
    probs: &mut [f32],
    len: usize,
    hidden: usize,
    heads: usize,
) {
    let (h, l) = (hidden, len);
    let dh = h / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    for (head, p) in probs.chunks_exact_mut(l * l).enumerate() {
        let (qo, ko, vo) = (head * dh, h + head * dh, 2 * h + head * dh);
        let q = MatRef::cols_of(qkv, l, 3 * h, qo, dh);
        let k = MatRef::cols_of(qkv, l, 3 * h, ko, dh);
        matmul(MatMut::new(p, l, l), q, k.t(), false);
        for v in p.iter_mut() {
            *v *= scale;
        }
        softmax_rows(p, l);
        let v = MatRef::cols_of(qkv, l, 3 * h, vo, dh);
        matmul(
            MatMut::cols_of(ctx, l, h, qo, dh),
            MatRef::new(p, l, l),
            v,
            false,
        );
    }
}

/// Forward: `ctx` (`[n, h]`) and the softmax probabilities (`probs_len(offsets, heads)` floats).
pub fn attention(
    offsets: &[usize],
    shape: AttentionShape,
    qkv: &[f32],
    ctx: &mut [f32],
    probs: &mut [f32],
) {
    let (h, heads) = (shape.hidden, shape.heads);
    split(offsets, shape, qkv, ctx, probs)
        .into_par_iter()
        .for_each(|s| attend(s.qkv, s.ctx, s.probs, s.len, h, heads));
}

multiversion! {
    /// `dS = P ∘ (dP − rowsum(dP ∘ P))·scale`, in place of `dP`.
    fn softmax_backward_rows(dp: &mut [f32], probs: &[f32], len: usize, scale: f32) {
        for (row, p) in dp.chunks_exact_mut(len).zip(probs.chunks_exact(len)) {
            let centre = dot(row, p);
            for (v, &pj) in row.iter_mut().zip(p) {
                *v = pj * (*v - centre) * scale;
            }
        }
    }
}

/// One sequence's `dqkv` (overwritten) from `dctx`, head by head.
fn attend_backward(
    qkv: &[f32],
    dctx: &[f32],
    probs: &[f32],
    dqkv: &mut [f32],
    len: usize,
    hidden: usize,
    heads: usize,
) {
    let (h, l) = (hidden, len);
    let dh = h / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    let mut ds = vec![0.0f32; l * l];
    for (head, p) in probs.chunks_exact(l * l).enumerate() {
        let (qo, ko, vo) = (head * dh, h + head * dh, 2 * h + head * dh);
        let cols = |o: usize| MatRef::cols_of(qkv, l, 3 * h, o, dh);
        let g = MatRef::cols_of(dctx, l, h, qo, dh);
        let pm = MatRef::new(p, l, l);
        // dV = Pᵀ·dctx; dP = dctx·Vᵀ, then dS.
        matmul(MatMut::cols_of(dqkv, l, 3 * h, vo, dh), pm.t(), g, false);
        matmul(MatMut::new(&mut ds, l, l), g, cols(vo).t(), false);
        softmax_backward_rows(&mut ds, p, l, scale);
        let dsm = MatRef::new(&ds, l, l);
        // dQ = dS·K; dK = dSᵀ·Q.
        matmul(
            MatMut::cols_of(dqkv, l, 3 * h, qo, dh),
            dsm,
            cols(ko),
            false,
        );
        matmul(
            MatMut::cols_of(dqkv, l, 3 * h, ko, dh),
            dsm.t(),
            cols(qo),
            false,
        );
    }
}

/// Backward: `dqkv` (`[n, 3h]`, overwritten) from `dctx` (`[n, h]`).
pub fn attention_backward(
    offsets: &[usize],
    shape: AttentionShape,
    qkv: &[f32],
    probs: &[f32],
    dctx: &[f32],
    dqkv: &mut [f32],
) {
    let (h, heads) = (shape.hidden, shape.heads);
    let mut parts = Vec::with_capacity(offsets.len().saturating_sub(1));
    let (mut rest_dqkv, mut rest_probs) = (dqkv, probs);
    for w in offsets.windows(2) {
        let len = w[1] - w[0];
        let (d, r) = rest_dqkv.split_at_mut(len * 3 * h);
        rest_dqkv = r;
        let (p, r) = rest_probs.split_at(heads * len * len);
        rest_probs = r;
        parts.push((
            len,
            &qkv[w[0] * 3 * h..w[1] * 3 * h],
            &dctx[w[0] * h..w[1] * h],
            p,
            d,
        ));
    }
    parts
        .into_par_iter()
        .for_each(|(len, q, g, p, d)| attend_backward(q, g, p, d, len, h, heads));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward f64 attention of one sequence: `[l, h]` context.
    fn reference(qkv: &[f32], l: usize, h: usize, heads: usize) -> Vec<f64> {
        let dh = h / heads;
        let at = |r: usize, c: usize| f64::from(qkv[r * 3 * h + c]);
        let mut ctx = vec![0.0; l * h];
        for k in 0..heads {
            for i in 0..l {
                let scores: Vec<f64> = (0..l)
                    .map(|j| {
                        (0..dh)
                            .map(|d| at(i, k * dh + d) * at(j, h + k * dh + d))
                            .sum::<f64>()
                            / (dh as f64).sqrt()
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let z: f64 = e.iter().sum();
                for d in 0..dh {
                    ctx[i * h + k * dh + d] =
                        (0..l).map(|j| e[j] / z * at(j, 2 * h + k * dh + d)).sum();
                }
            }
        }
        ctx
    }

    fn packed(offsets: &[usize], h: usize) -> Vec<f32> {
        let n = offsets[offsets.len() - 1];
        (0..n * 3 * h).map(|i| ((i as f32) * 0.618).sin()).collect()
    }

    #[test]
    fn packed_sequences_attend_to_themselves_only() {
        let (h, heads) = (8, 2);
        let offsets = [0, 3, 4, 9];
        let shape = AttentionShape { hidden: h, heads };
        let qkv = packed(&offsets, h);
        let mut ctx = vec![0.0; 9 * h];
        let mut probs = vec![0.0; probs_len(&offsets, heads)];
        attention(&offsets, shape, &qkv, &mut ctx, &mut probs);
        for w in offsets.windows(2) {
            let want = reference(&qkv[w[0] * 3 * h..w[1] * 3 * h], w[1] - w[0], h, heads);
            for (got, want) in ctx[w[0] * h..w[1] * h].iter().zip(&want) {
                assert!((f64::from(*got) - want).abs() < 1e-5, "{got} vs {want}");
            }
        }
        assert_eq!(probs.len(), 2 * (9 + 1 + 25));
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (h, heads) = (4, 2);
        let offsets = [0, 2, 5];
        let shape = AttentionShape { hidden: h, heads };
        let qkv = packed(&offsets, h);
        let dctx: Vec<f32> = (0..5 * h).map(|i| ((i as f32) * 1.3).cos()).collect();
        let loss = |qkv: &[f32]| -> f64 {
            offsets
                .windows(2)
                .map(|w| {
                    reference(&qkv[w[0] * 3 * h..w[1] * 3 * h], w[1] - w[0], h, heads)
                        .iter()
                        .zip(&dctx[w[0] * h..w[1] * h])
                        .map(|(a, b)| a * f64::from(*b))
                        .sum::<f64>()
                })
                .sum()
        };
        let mut ctx = vec![0.0; 5 * h];
        let mut probs = vec![0.0; probs_len(&offsets, heads)];
        attention(&offsets, shape, &qkv, &mut ctx, &mut probs);
        let mut dqkv = vec![f32::NAN; qkv.len()];
        attention_backward(&offsets, shape, &qkv, &probs, &dctx, &mut dqkv);
        for i in 0..qkv.len() {
            let (mut p, mut m) = (qkv.clone(), qkv.clone());
            p[i] += 1e-2;
            m[i] -= 1e-2;
            let num = (loss(&p) - loss(&m)) / 2e-2;
            assert!(
                (f64::from(dqkv[i]) - num).abs() < 1e-3,
                "dqkv[{i}] {} vs {num}",
                dqkv[i]
            );
        }
    }
}
