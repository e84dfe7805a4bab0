//! 1-D convolution over time, stride 1, zero-point padding.

use super::dot::dot_i8_x2;
use super::{expect_len, mul_len, ChannelParams, KernelError, MAX_DOT_LEN};
use crate::quant::{requantize, OutputQuant, Requant};

/// Output length of a stride-1 convolution: `len + 2·pad − kernel + 1`, or 0 when that is
/// negative (saturating, never panics).
pub fn conv1d_out_len(len: usize, kernel: usize, pad: usize) -> usize {
    let padded = len.saturating_add(pad.saturating_mul(2));
    if padded < kernel {
        0
    } else {
        padded - kernel + 1
    }
}

/// 1-D convolution, stride 1, `pad` positions of value `input_zp` (real 0) on both sides:
/// `out[t][c] = requantize(Σ_k Σ_i w[c][k][i] · x[t + k − pad][i] + bias[c])`.
///
/// # Shapes
/// - `input`: `[len, in_ch]` time-major (exactly `len · in_ch`);
/// - `weights`: `[out_ch, kernel, in_ch]` with `out_ch = params.channels()`;
/// - `output`: `[out_len, out_ch]`, at least that long (only the prefix is written),
///   `out_len = len + 2·pad − kernel + 1` (0 when negative: not an error).
///
/// Returns `out_len`. Errors: mismatched lengths, `kernel == 0` or `in_ch == 0`,
/// `kernel · in_ch > MAX_DOT_LEN`, a short output, an invalid `oq`.
#[allow(clippy::too_many_arguments)] // the signature is the published kernel API
pub fn conv1d(
    input: &[i8],
    len: usize,
    in_ch: usize,
    input_zp: i8,
    weights: &[i8],
    kernel: usize,
    pad: usize,
    params: &ChannelParams,
    oq: OutputQuant,
    output: &mut [i8],
) -> Result<usize, KernelError> {
    if kernel == 0 {
        return Err(KernelError::Zero {
            what: "conv1d kernel",
        });
    }
    if in_ch == 0 {
        return Err(KernelError::Zero {
            what: "conv1d input channels",
        });
    }
    let taps = mul_len("conv1d kernel·in_ch", kernel, in_ch)?;
    if taps > MAX_DOT_LEN {
        return Err(KernelError::TooLarge {
            what: "conv1d kernel·in_ch",
            limit: MAX_DOT_LEN,
        });
    }
    if !oq.is_valid() {
        return Err(KernelError::BadOutputQuant);
    }
    expect_len(
        "conv1d input",
        mul_len("conv1d input", len, in_ch)?,
        input.len(),
    )?;
    let out_ch = params.channels();
    expect_len(
        "conv1d weights",
        mul_len("conv1d weights", out_ch, taps)?,
        weights.len(),
    )?;
    let out_len = conv1d_out_len(len, kernel, pad);
    let needed = mul_len("conv1d output", out_len, out_ch)?;
    if output.len() < needed {
        return Err(KernelError::OutputTooSmall {
            what: "conv1d output",
            needed,
            found: output.len(),
        });
    }
    if out_ch == 0 {
        return Ok(out_len);
    }

    let zp = i32::from(input_zp);
    let param = |c: usize| params.get(c).unwrap_or((0, Requant::ZERO));
    let rows = output.chunks_exact_mut(out_ch).take(out_len);
    for (t, out_row) in rows.enumerate() {
        // Taps k in [k0, k1) read input rows t + k − pad; the others read padding.
        let k0 = pad.saturating_sub(t).min(kernel);
        let k1 = len
            .saturating_add(pad)
            .saturating_sub(t)
            .min(kernel)
            .max(k0);
        let first_row = (t + k0).saturating_sub(pad);
        let xs = input
            .get(first_row * in_ch..(first_row + (k1 - k0)) * in_ch)
            .unwrap_or(&[]);
        let edge = k0 > 0 || k1 < kernel;
        let acc_for = |c: usize, dot: i32| -> i32 {
            let w = weights.get(c * taps..(c + 1) * taps).unwrap_or(&[]);
            let pad_sum = if edge {
                padded_weight_sum(w, k0 * in_ch, k1 * in_ch)
            } else {
                0
            };
            dot.wrapping_add(zp.wrapping_mul(pad_sum))
        };
        let valid_w = |c: usize| {
            weights
                .get(c * taps + k0 * in_ch..c * taps + k1 * in_ch)
                .unwrap_or(&[])
        };
        for (pair, out) in out_row.chunks_mut(2).enumerate() {
            let c0 = 2 * pair;
            let c1 = (c0 + 1).min(out_ch - 1);
            let (d0, d1) = dot_i8_x2(xs, valid_w(c0), valid_w(c1));
            for (o, (c, d)) in out.iter_mut().zip([(c0, d0), (c1, d1)]) {
                let (bias, rq) = param(c);
                *o = requantize(acc_for(c, d).saturating_add(bias), rq, oq);
            }
        }
    }
    Ok(out_len)
}

/// Sum of the weights of row `w` outside `[from, to)`: the taps that read padding.
fn padded_weight_sum(w: &[i8], from: usize, to: usize) -> i32 {
    let sum = |s: &[i8]| s.iter().fold(0i32, |a, &v| a.wrapping_add(i32::from(v)));
    sum(w.get(..from).unwrap_or(&[])).wrapping_add(sum(w.get(to..).unwrap_or(&[])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_params<'a>(bias: &[i32], buf: &'a mut [u8]) -> ChannelParams<'a> {
        let rq = [Requant::from_real(1.0).unwrap(); 8];
        ChannelParams::encode(bias, &rq[..bias.len()], buf).unwrap();
        ChannelParams::new(buf, bias.len()).unwrap()
    }

    #[test]
    fn out_len_rule() {
        assert_eq!(conv1d_out_len(5, 3, 0), 3);
        assert_eq!(conv1d_out_len(5, 3, 1), 5);
        assert_eq!(conv1d_out_len(1, 5, 0), 0);
        assert_eq!(conv1d_out_len(0, 3, 1), 0);
        assert_eq!(conv1d_out_len(0, 1, 1), 2);
        assert_eq!(conv1d_out_len(usize::MAX, 1, usize::MAX), usize::MAX);
    }

    #[test]
    fn padded_conv_by_hand() {
        // len 3, in_ch 1, kernel 3, pad 1, input zp 2 (pad value), out_ch 1.
        // Folded bias: −zp·Σw = −2·(1+2+3) = −12.
        let mut buf = [0u8; 12];
        let p = unit_params(&[-12], &mut buf);
        let x = [3i8, 4, 5]; // reals 1, 2, 3
        let w = [1i8, 2, 3];
        let mut out = [0i8; 3];
        let n = conv1d(&x, 3, 1, 2, &w, 3, 1, &p, OutputQuant::linear(0), &mut out).unwrap();
        assert_eq!(n, 3);
        // reals: [0,1,2]·w = 8, [1,2,3]·w = 14, [2,3,0]·w = 8
        assert_eq!(out, [8, 14, 8]);
    }

    #[test]
    fn two_channels_two_inputs() {
        // len 2, in_ch 2, kernel 2, pad 0 → out_len 1, out_ch 3 (odd: exercises the tail).
        let mut buf = [0u8; 36];
        let p = unit_params(&[0, 1, -1], &mut buf);
        let x = [1i8, 2, 3, 4];
        let w = [1i8, 0, 0, 1, -1, -1, -1, -1, 2, 2, 2, 2];
        let mut out = [9i8; 4];
        let n = conv1d(&x, 2, 2, 0, &w, 2, 0, &p, OutputQuant::linear(0), &mut out).unwrap();
        assert_eq!(n, 1);
        assert_eq!(out, [5, -9, 19, 9]); // prefix written, rest untouched
    }

    #[test]
    fn short_or_mismatched_buffers() {
        let mut buf = [0u8; 12];
        let p = unit_params(&[0], &mut buf);
        let mut out = [0i8; 2];
        assert_eq!(
            conv1d(
                &[1, 2, 3],
                3,
                1,
                0,
                &[1, 1, 1],
                3,
                1,
                &p,
                OutputQuant::linear(0),
                &mut out
            ),
            Err(KernelError::OutputTooSmall {
                what: "conv1d output",
                needed: 3,
                found: 2
            })
        );
        assert!(conv1d(
            &[1, 2],
            3,
            1,
            0,
            &[1, 1, 1],
            3,
            1,
            &p,
            OutputQuant::linear(0),
            &mut out
        )
        .is_err());
        assert!(conv1d(
            &[1, 2, 3],
            3,
            1,
            0,
            &[1, 1],
            3,
            1,
            &p,
            OutputQuant::linear(0),
            &mut out
        )
        .is_err());
        assert!(conv1d(
            &[],
            0,
            1,
            0,
            &[],
            0,
            0,
            &p,
            OutputQuant::linear(0),
            &mut out
        )
        .is_err());
        // Kernel longer than the padded input: zero outputs, not an error.
        assert_eq!(
            conv1d(
                &[1],
                1,
                1,
                0,
                &[1, 1, 1],
                3,
                0,
                &p,
                OutputQuant::linear(0),
                &mut out
            ),
            Ok(0)
        );
    }

    #[test]
    fn empty_input_with_padding_is_all_padding() {
        let mut buf = [0u8; 12];
        let p = unit_params(&[-5], &mut buf); // −zp·Σw = −5·1
        let mut out = [0i8; 2];
        let n = conv1d(
            &[],
            0,
            1,
            5,
            &[1],
            1,
            1,
            &p,
            OutputQuant::linear(0),
            &mut out,
        )
        .unwrap();
        assert_eq!((n, out), (2, [0, 0]));
    }
}
