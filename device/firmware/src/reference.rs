//! Plain scalar reference kernels: the obvious loops, written independently of
//! `edgekd_shared::kernels`. The self-test compares the shared (DSP-dispatched) kernels against
//! them, and the benchmark runs them as the scalar baseline.

use edgekd_shared::kernels::ChannelParams;
use edgekd_shared::quant::{requantize, OutputQuant, Requant};

/// `Σ a[i]·b[i]` over the common length, one multiply-accumulate per element, wrapping.
#[inline(never)]
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    let mut acc = 0i32;
    for (&x, &y) in a.iter().zip(b) {
        acc = acc.wrapping_add(i32::from(x) * i32::from(y));
    }
    acc
}

/// Dense layer, one row at a time: input `[in]`, weights `[out, in]`, output `[out]`.
/// Rows missing from `weights` count as zero rows (the caller passes consistent shapes).
#[inline(never)]
pub fn dense(
    input: &[i8],
    weights: &[i8],
    params: &ChannelParams,
    oq: OutputQuant,
    output: &mut [i8],
) {
    let n_in = input.len();
    for (c, out) in output.iter_mut().enumerate() {
        let row = weights.get(c * n_in..(c + 1) * n_in).unwrap_or(&[]);
        let (bias, rq) = params.get(c).unwrap_or((0, Requant::ZERO));
        *out = requantize(dot(input, row).saturating_add(bias), rq, oq);
    }
}

/// 1-D convolution, stride 1, `pad` rows of `input_zp` on both sides: input `[len, in_ch]`,
/// weights `[out_ch, kernel, in_ch]`, output `[out_len, out_ch]` with
/// `out_len = len + 2·pad − kernel + 1`. Returns `out_len` (0 if the output is too short).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn conv1d(
    input: &[i8],
    in_ch: usize,
    input_zp: i8,
    weights: &[i8],
    kernel: usize,
    pad: usize,
    params: &ChannelParams,
    oq: OutputQuant,
    output: &mut [i8],
) -> usize {
    let len = input.len() / in_ch.max(1);
    let out_ch = params.channels();
    let out_len = (len + 2 * pad + 1).saturating_sub(kernel);
    if output.len() < out_len * out_ch {
        return 0;
    }
    for t in 0..out_len {
        for c in 0..out_ch {
            let mut acc = 0i32;
            for k in 0..kernel {
                let pos = (t + k).wrapping_sub(pad);
                for i in 0..in_ch {
                    let x = if pos < len {
                        input.get(pos * in_ch + i).copied().unwrap_or(0)
                    } else {
                        input_zp
                    };
                    let w = weights
                        .get((c * kernel + k) * in_ch + i)
                        .copied()
                        .unwrap_or(0);
                    acc = acc.wrapping_add(i32::from(x) * i32::from(w));
                }
            }
            let (bias, rq) = params.get(c).unwrap_or((0, Requant::ZERO));
            if let Some(o) = output.get_mut(t * out_ch + c) {
                *o = requantize(acc.saturating_add(bias), rq, oq);
            }
        }
    }
    out_len
}
