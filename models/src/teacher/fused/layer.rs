//! One BERT layer on packed tokens, forward and backward, on plain `f32` slices:
//!
//! ```text
//! qkv = x·[Wq Wk Wv] + [bq bk bv]            [n, 3h]
//! ctx = attention(qkv) per sequence            [n, h]
//! h1  = LN1(x + drop(ctx·Wo + bo))             [n, h]
//! u   = h1·Wi + bi                             [n, i]
//! out = LN2(h1 + drop(gelu(u)·Wf + bf))        [n, h]
//! ```
//! Weights are burn's `Linear` layout, `[d_in, d_out]` row-major (`y = x·W + b`).

use rayon::prelude::*;

use super::attention::{attention, attention_backward, probs_len, AttentionShape};
use super::dropout::Dropout;
use super::gelu::{gelu, gelu_backward};
use super::layer_norm::{layer_norm, layer_norm_backward, NormCache};
use super::matmul::{matmul, MatMut, MatRef};

/// The sixteen parameter tensors of a layer (this field order is the order of every list of them).
#[derive(Debug, Clone, Copy)]
pub struct LayerParams<'a> {
    /// `[h, h]` each, then `[h]` biases.
    pub wq: &'a [f32],
    /// Query bias.
    pub bq: &'a [f32],
    /// Key weight.
    pub wk: &'a [f32],
    /// Key bias.
    pub bk: &'a [f32],
    /// Value weight.
    pub wv: &'a [f32],
    /// Value bias.
    pub bv: &'a [f32],
    /// Attention output projection `[h, h]`.
    pub wo: &'a [f32],
    /// Its bias.
    pub bo: &'a [f32],
    /// LayerNorm after attention: scale.
    pub g1: &'a [f32],
    /// Its shift.
    pub b1: &'a [f32],
    /// Intermediate dense `[h, i]`.
    pub wi: &'a [f32],
    /// Its bias `[i]`.
    pub bi: &'a [f32],
    /// Output dense `[i, h]`.
    pub wf: &'a [f32],
    /// Its bias `[h]`.
    pub bf: &'a [f32],
    /// Final LayerNorm: scale.
    pub g2: &'a [f32],
    /// Its shift.
    pub b2: &'a [f32],
}

/// Sizes and constants of a layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerShape {
    /// Model width `h`.
    pub hidden: usize,
    /// Attention heads.
    pub heads: usize,
    /// Feed-forward width `i`.
    pub intermediate: usize,
    /// LayerNorm epsilon.
    pub eps: f32,
}

impl LayerShape {
    fn attention(&self) -> AttentionShape {
        AttentionShape {
            hidden: self.hidden,
            heads: self.heads,
        }
    }
}

/// Activations the backward pass reads.
#[derive(Debug, Clone, Default)]
pub struct LayerCache {
    qkv: Vec<f32>,
    probs: Vec<f32>,
    ctx: Vec<f32>,
    norm1: NormCache,
    h1: Vec<f32>,
    u: Vec<f32>,
    norm2: NormCache,
}

/// Gradients of a layer's input and parameters (each `None` when not asked for).
#[derive(Debug, Clone, Default)]
pub struct LayerGrads {
    /// `[n, h]`.
    pub x: Option<Vec<f32>>,
    /// In [`LayerParams`]' field order, each the shape of its parameter.
    pub params: [Option<Vec<f32>>; 16],
}

#[cfg(test)]
impl LayerParams<'_> {
    /// Names in the order of [`LayerGrads::params`].
    pub const ORDER: [&'static str; 16] = [
        "wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo", "g1", "b1", "wi", "bi", "wf", "bf", "g2",
        "b2",
    ];
}

/// Dropout sites of a layer (the mask of each is drawn from `(seed, site)`).
const SITE_ATTENTION: u64 = 1;
const SITE_FEED_FORWARD: u64 = 2;

/// Rows filled with a bias: the starting value of `y = x·W + b`.
fn bias_rows(bias: &[f32], rows: usize, row_stride: usize, start: usize, out: &mut [f32]) {
    let w = bias.len();
    out.par_chunks_mut(row_stride)
        .take(rows)
        .for_each(|row| row[start..start + w].copy_from_slice(bias));
}

/// `out = x·W + b` for a row-major `out` (or a column block of it).
fn linear(
    out: &mut [f32],
    rows: usize,
    out_stride: usize,
    start: usize,
    x: MatRef<'_>,
    w: &[f32],
    b: &[f32],
) {
    let cols = b.len();
    bias_rows(b, rows, out_stride, start, out);
    matmul(
        MatMut::cols_of(out, rows, out_stride, start, cols),
        x,
        MatRef::new(w, x.cols(), cols),
        true,
    );
}

/// `out = a + b`.
fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    out.par_chunks_mut(1 << 14)
        .zip(a.par_chunks(1 << 14).zip(b.par_chunks(1 << 14)))
        .for_each(|(o, (a, b))| {
            for ((o, a), b) in o.iter_mut().zip(a).zip(b) {
                *o = a + b;
            }
        });
}

/// Column sums of a `[rows, cols]` matrix: a bias gradient.
fn column_sums(m: &[f32], cols: usize) -> Vec<f32> {
    m.par_chunks(64 * cols)
        .map(|block| {
            let mut acc = vec![0.0f32; cols];
            for row in block.chunks_exact(cols) {
                for (a, v) in acc.iter_mut().zip(row) {
                    *a += v;
                }
            }
            acc
        })
        .reduce(
            || vec![0.0f32; cols],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// `Xᵀ·dY`: a weight gradient `[d_in, d_out]`.
fn weight_grad(x: MatRef<'_>, dy: MatRef<'_>) -> Vec<f32> {
    let mut g = vec![0.0; x.cols() * dy.cols()];
    matmul(MatMut::new(&mut g, x.cols(), dy.cols()), x.t(), dy, false);
    g
}

/// The layer's output `[n, h]` for packed input `x` (`offsets` as in the attention module), and
/// its cache when `keep` (for a backward pass).
pub fn forward(
    p: &LayerParams<'_>,
    shape: LayerShape,
    offsets: &[usize],
    x: &[f32],
    dropout: Dropout,
    keep: bool,
) -> (Vec<f32>, Option<LayerCache>) {
    let (h, i) = (shape.hidden, shape.intermediate);
    let n = x.len() / h;
    let xm = MatRef::new(x, n, h);

    let mut qkv = vec![0.0; n * 3 * h];
    for (k, (w, b)) in [(p.wq, p.bq), (p.wk, p.bk), (p.wv, p.bv)]
        .into_iter()
        .enumerate()
    {
        linear(&mut qkv, n, 3 * h, k * h, xm, w, b);
    }
    let mut ctx = vec![0.0; n * h];
    let mut probs = vec![0.0; probs_len(offsets, shape.heads)];
    attention(offsets, shape.attention(), &qkv, &mut ctx, &mut probs);

    let mut z1 = vec![0.0; n * h];
    linear(&mut z1, n, h, 0, MatRef::new(&ctx, n, h), p.wo, p.bo);
    dropout.apply(SITE_ATTENTION, &mut z1);
    let attn_out = std::mem::take(&mut z1);
    let mut z1 = vec![0.0; n * h];
    add(&attn_out, x, &mut z1);
    let mut h1 = attn_out;
    let mut rstd1 = vec![0.0; n];
    layer_norm(&mut z1, &mut h1, &mut rstd1, p.g1, p.b1, shape.eps);

    let mut u = vec![0.0; n * i];
    linear(&mut u, n, i, 0, MatRef::new(&h1, n, h), p.wi, p.bi);
    let mut g = vec![0.0; n * i];
    gelu(&u, &mut g);
    let mut f = vec![0.0; n * h];
    linear(&mut f, n, h, 0, MatRef::new(&g, n, i), p.wf, p.bf);
    dropout.apply(SITE_FEED_FORWARD, &mut f);
    let mut z2 = vec![0.0; n * h];
    add(&f, &h1, &mut z2);
    let mut out = f;
    let mut rstd2 = vec![0.0; n];
    layer_norm(&mut z2, &mut out, &mut rstd2, p.g2, p.b2, shape.eps);

    let cache = keep.then_some(LayerCache {
        qkv,
        probs,
        ctx,
        norm1: NormCache {
            xhat: z1,
            rstd: rstd1,
        },
        h1,
        u,
        norm2: NormCache {
            xhat: z2,
            rstd: rstd2,
        },
    });
    (out, cache)
}

/// Gradients of the layer's input (when `want_x`) and of the parameters marked in `want`
/// ([`LayerParams`]' field order) from the gradient `dout` of its output; `x` is the forward's input.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    p: &LayerParams<'_>,
    shape: LayerShape,
    offsets: &[usize],
    x: &[f32],
    cache: &LayerCache,
    dropout: Dropout,
    dout: &[f32],
    want_x: bool,
    want: [bool; 16],
) -> LayerGrads {
    let (h, i) = (shape.hidden, shape.intermediate);
    let n = dout.len() / h;
    let mut grads = LayerGrads::default();
    let mut put = |k: usize, f: &dyn Fn() -> Vec<f32>| {
        if want[k] {
            grads.params[k] = Some(f());
        }
    };

    // out = LN2(z2), z2 = h1 + drop(f).
    let mut dz2 = vec![0.0; n * h];
    let (dg2, db2) = layer_norm_backward(dout, &cache.norm2, p.g2, &mut dz2);
    put(14, &|| dg2.clone());
    put(15, &|| db2.clone());
    let mut df = dz2.clone();
    dropout.apply(SITE_FEED_FORWARD, &mut df);
    put(13, &|| column_sums(&df, h));
    // f = g·Wf + bf, g = gelu(u).
    let mut g = vec![0.0; n * i];
    gelu(&cache.u, &mut g);
    put(12, &|| {
        weight_grad(MatRef::new(&g, n, i), MatRef::new(&df, n, h))
    });
    let mut du = vec![0.0; n * i];
    matmul(
        MatMut::new(&mut du, n, i),
        MatRef::new(&df, n, h),
        MatRef::new(p.wf, i, h).t(),
        false,
    );
    gelu_backward(&cache.u, &mut du);
    put(11, &|| column_sums(&du, i));
    put(10, &|| {
        weight_grad(MatRef::new(&cache.h1, n, h), MatRef::new(&du, n, i))
    });
    // dh1 = dz2 + du·Wiᵀ.
    let mut dh1 = dz2;
    matmul(
        MatMut::new(&mut dh1, n, h),
        MatRef::new(&du, n, i),
        MatRef::new(p.wi, h, i).t(),
        true,
    );

    // h1 = LN1(z1), z1 = x + drop(ctx·Wo + bo).
    let mut dz1 = vec![0.0; n * h];
    let (dg1, db1) = layer_norm_backward(&dh1, &cache.norm1, p.g1, &mut dz1);
    put(8, &|| dg1.clone());
    put(9, &|| db1.clone());
    let mut da = dz1.clone();
    dropout.apply(SITE_ATTENTION, &mut da);
    put(7, &|| column_sums(&da, h));
    put(6, &|| {
        weight_grad(MatRef::new(&cache.ctx, n, h), MatRef::new(&da, n, h))
    });
    let mut dctx = vec![0.0; n * h];
    matmul(
        MatMut::new(&mut dctx, n, h),
        MatRef::new(&da, n, h),
        MatRef::new(p.wo, h, h).t(),
        false,
    );
    let mut dqkv = vec![0.0; n * 3 * h];
    attention_backward(
        offsets,
        shape.attention(),
        &cache.qkv,
        &cache.probs,
        &dctx,
        &mut dqkv,
    );
    let xm = MatRef::new(x, n, h);
    for (k, w) in [p.wq, p.wk, p.wv].into_iter().enumerate() {
        let dblock = MatRef::cols_of(&dqkv, n, 3 * h, k * h, h);
        put(2 * k, &|| weight_grad(xm, dblock));
        put(2 * k + 1, &|| {
            let mut s = vec![0.0; h];
            for row in dqkv.chunks_exact(3 * h) {
                for (a, v) in s.iter_mut().zip(&row[k * h..(k + 1) * h]) {
                    *a += v;
                }
            }
            s
        });
        if want_x {
            matmul(
                MatMut::new(&mut dz1, n, h),
                dblock,
                MatRef::new(w, h, h).t(),
                true,
            );
        }
    }
    if want_x {
        grads.x = Some(dz1);
    }
    grads
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: LayerShape = LayerShape {
        hidden: 8,
        heads: 2,
        intermediate: 12,
        eps: 1e-6,
    };

    fn values(n: usize, seed: f32, scale: f32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32 + seed) * 0.7).sin() * scale)
            .collect()
    }

    fn weights() -> Vec<Vec<f32>> {
        let (h, i) = (SHAPE.hidden, SHAPE.intermediate);
        let sizes = [
            h * h,
            h,
            h * h,
            h,
            h * h,
            h,
            h * h,
            h,
            h,
            h,
            h * i,
            i,
            i * h,
            h,
            h,
            h,
        ];
        sizes
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                let mut v = values(n, k as f32 * 13.0, 0.5);
                if k == 8 || k == 14 {
                    v.iter_mut().for_each(|g| *g += 1.0);
                }
                v
            })
            .collect()
    }

    fn params(w: &[Vec<f32>]) -> LayerParams<'_> {
        LayerParams {
            wq: &w[0],
            bq: &w[1],
            wk: &w[2],
            bk: &w[3],
            wv: &w[4],
            bv: &w[5],
            wo: &w[6],
            bo: &w[7],
            g1: &w[8],
            b1: &w[9],
            wi: &w[10],
            bi: &w[11],
            wf: &w[12],
            bf: &w[13],
            g2: &w[14],
            b2: &w[15],
        }
    }

    /// L2 distance of two gradient vectors, relative to the numeric one's norm when that is above
    /// 0.1 (the key bias's gradient is zero: softmax ignores a shift shared by a row's scores).
    fn distance(a: &[f32], b: &[f64]) -> f64 {
        let num: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - y).powi(2))
            .sum();
        let den: f64 = b.iter().map(|y| y * y).sum();
        (num / den.max(1e-2)).sqrt()
    }

    #[test]
    fn backward_matches_finite_differences_with_dropout() {
        let offsets = [0, 2, 5];
        let n = 5;
        let x = values(n * SHAPE.hidden, 100.0, 1.0);
        let w = weights();
        let dropout = Dropout { p: 0.25, seed: 11 };
        let dout = values(n * SHAPE.hidden, 200.0, 1.0);
        let loss = |x: &[f32], w: &[Vec<f32>]| -> f64 {
            let (out, _) = forward(&params(w), SHAPE, &offsets, x, dropout, false);
            out.iter()
                .zip(&dout)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        let (_, cache) = forward(&params(&w), SHAPE, &offsets, &x, dropout, true);
        let cache = cache.unwrap();
        let g = backward(
            &params(&w),
            SHAPE,
            &offsets,
            &x,
            &cache,
            dropout,
            &dout,
            true,
            [true; 16],
        );
        let eps = 1e-2f32;
        let numeric = |f: &dyn Fn(f32) -> f64| (f(eps) - f(-eps)) / (2.0 * f64::from(eps));
        let dx: Vec<f64> = (0..x.len())
            .map(|i| {
                numeric(&|e| {
                    let mut xx = x.clone();
                    xx[i] += e;
                    loss(&xx, &w)
                })
            })
            .collect();
        let d = distance(g.x.as_ref().unwrap(), &dx);
        assert!(d < 1e-2, "dx off by {d}");
        for k in 0..16 {
            let dw: Vec<f64> = (0..w[k].len())
                .map(|i| {
                    numeric(&|e| {
                        let mut ww = w.clone();
                        ww[k][i] += e;
                        loss(&x, &ww)
                    })
                })
                .collect();
            let d = distance(g.params[k].as_ref().unwrap(), &dw);
            assert!(d < 1e-2, "d{} off by {d}", LayerParams::ORDER[k]);
        }
    }

    #[test]
    fn only_the_asked_gradients_are_computed() {
        let offsets = [0, 3];
        let x = values(3 * SHAPE.hidden, 1.0, 1.0);
        let w = weights();
        let off = Dropout { p: 0.0, seed: 0 };
        let (out, cache) = forward(&params(&w), SHAPE, &offsets, &x, off, true);
        let mut want = [false; 16];
        want[10] = true;
        let g = backward(
            &params(&w),
            SHAPE,
            &offsets,
            &x,
            &cache.unwrap(),
            off,
            &out,
            false,
            want,
        );
        assert!(g.x.is_none());
        assert!(g
            .params
            .iter()
            .enumerate()
            .all(|(k, p)| p.is_some() == (k == 10)));
    }
}
