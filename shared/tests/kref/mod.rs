//! f64 reference implementations of the int8 kernels, for property tests and the vector
//! generator. Deliberately naive: plain loops, f64 maths, no shared code with the kernels
//! except the types.
#![allow(dead_code)] // each test binary uses a subset

use edgekd_shared::quant::OutputQuant;

/// Round half away from zero, then clamp to `[act_min, act_max]`.
pub fn quantize_ref(y: f64, oq: OutputQuant) -> i8 {
    let r = y.round(); // f64::round is half away from zero
    r.clamp(f64::from(oq.act_min), f64::from(oq.act_max)) as i8
}

/// `out[c] = clamp(round(real[c] · (Σ_k w[c][k]·x[k] + bias[c]) + zp))`, accumulator exact in i64.
pub fn dense_ref(
    input: &[i8],
    weights: &[i8],
    bias: &[i32],
    real: &[f64],
    oq: OutputQuant,
) -> Vec<i8> {
    let n_in = input.len();
    (0..bias.len())
        .map(|c| {
            let acc: i64 = (0..n_in)
                .map(|k| i64::from(weights[c * n_in + k]) * i64::from(input[k]))
                .sum();
            let acc = (acc + i64::from(bias[c])).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
            quantize_ref(acc as f64 * real[c] + f64::from(oq.zero_point), oq)
        })
        .collect()
}

/// Conv1d reference: explicit padded input, then a dense per position.
#[allow(clippy::too_many_arguments)]
pub fn conv1d_ref(
    input: &[i8],
    len: usize,
    in_ch: usize,
    input_zp: i8,
    weights: &[i8],
    kernel: usize,
    pad: usize,
    bias: &[i32],
    real: &[f64],
    oq: OutputQuant,
) -> Vec<i8> {
    let padded_len = len + 2 * pad;
    let mut padded = vec![input_zp; padded_len * in_ch];
    padded[pad * in_ch..(pad + len) * in_ch].copy_from_slice(input);
    if padded_len < kernel {
        return Vec::new();
    }
    let out_len = padded_len - kernel + 1;
    let mut out = Vec::with_capacity(out_len * bias.len());
    for t in 0..out_len {
        let window = &padded[t * in_ch..(t + kernel) * in_ch];
        out.extend(dense_ref(window, weights, bias, real, oq));
    }
    out
}

/// Mean over time, rounded half away from zero (exact: i64 sum then f64 divide of small ints).
pub fn mean_pool_ref(input: &[i8], len: usize, ch: usize, empty: i8) -> Vec<i8> {
    (0..ch)
        .map(|c| {
            if len == 0 {
                return empty;
            }
            let s: i64 = (0..len).map(|t| i64::from(input[t * ch + c])).sum();
            (s as f64 / len as f64).round() as i8
        })
        .collect()
}

/// Max over time.
pub fn max_pool_ref(input: &[i8], len: usize, ch: usize, empty: i8) -> Vec<i8> {
    (0..ch)
        .map(|c| (0..len).map(|t| input[t * ch + c]).max().unwrap_or(empty))
        .collect()
}

/// Rows of `table` for `tokens`, as `[n, dim]`.
pub fn gather(tokens: &[u32], table: &[i8], dim: usize) -> Vec<i8> {
    tokens
        .iter()
        .flat_map(|&t| table[t as usize * dim..(t as usize + 1) * dim].to_vec())
        .collect()
}
