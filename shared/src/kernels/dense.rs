//! Fully connected layer.

use super::dot::{dot_i8, dot_i8_x2};
use super::{expect_len, mul_len, ChannelParams, KernelError, MAX_DOT_LEN};
use crate::quant::{requantize, OutputQuant, Requant};

/// `out[c] = requantize(Σ_k w[c][k] · x[k] + bias[c])` for every output channel `c`.
///
/// # Shapes
/// - `input`: `[in]`, int8 codes of the input tensor (its zero point is folded into the bias);
/// - `weights`: `[out, in]` row-major, symmetric (zero point 0);
/// - `params`: `out` channels;
/// - `output`: `[out]` (exactly; `out = output.len()`).
///
/// Errors: any length mismatch, `in > MAX_DOT_LEN`, an invalid `oq`. Two rows are computed
/// per pass through [`dot_i8_x2`].
pub fn dense(
    input: &[i8],
    weights: &[i8],
    params: &ChannelParams,
    oq: OutputQuant,
    output: &mut [i8],
) -> Result<(), KernelError> {
    let n_in = input.len();
    let n_out = output.len();
    if n_in > MAX_DOT_LEN {
        return Err(KernelError::TooLarge {
            what: "dense input",
            limit: MAX_DOT_LEN,
        });
    }
    if !oq.is_valid() {
        return Err(KernelError::BadOutputQuant);
    }
    expect_len("dense params channels", n_out, params.channels())?;
    expect_len(
        "dense weights",
        mul_len("dense weights", n_out, n_in)?,
        weights.len(),
    )?;

    let row = |c: usize| weights.get(c * n_in..(c + 1) * n_in).unwrap_or(&[]);
    let param = |c: usize| params.get(c).unwrap_or((0, Requant::ZERO));
    for (pair, out) in output.chunks_mut(2).enumerate() {
        let c0 = 2 * pair;
        match out {
            [o0, o1] => {
                let (a0, a1) = dot_i8_x2(input, row(c0), row(c0 + 1));
                let (b0, rq0) = param(c0);
                let (b1, rq1) = param(c0 + 1);
                *o0 = requantize(a0.saturating_add(b0), rq0, oq);
                *o1 = requantize(a1.saturating_add(b1), rq1, oq);
            }
            [o0] => {
                let (b0, rq0) = param(c0);
                *o0 = requantize(dot_i8(input, row(c0)).saturating_add(b0), rq0, oq);
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>(bias: &[i32], real: f64, buf: &'a mut [u8]) -> ChannelParams<'a> {
        let rq = [Requant::from_real(real).unwrap(); 8];
        ChannelParams::encode(bias, &rq[..bias.len()], buf).unwrap();
        ChannelParams::new(buf, bias.len()).unwrap()
    }

    #[test]
    fn three_outputs_by_hand() {
        let mut buf = [0u8; 36];
        let p = params(&[0, 10, -10], 0.5, &mut buf);
        let x = [1i8, 2, 3, 4];
        let w = [1i8, 1, 1, 1, -1, -1, -1, -1, 2, 0, 0, 0];
        let mut out = [0i8; 3];
        dense(&x, &w, &p, OutputQuant::linear(1), &mut out).unwrap();
        // (10)/2+1 = 6, (−10+10)/2+1 = 1, (2−10)/2+1 = −3
        assert_eq!(out, [6, 1, -3]);
        dense(&x, &w, &p, OutputQuant::relu(1), &mut out).unwrap();
        assert_eq!(out, [6, 1, 1]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let mut buf = [0u8; 24];
        let p = params(&[0, 0], 1.0, &mut buf);
        let mut out = [0i8; 2];
        assert_eq!(
            dense(&[1, 2], &[1, 2, 3], &p, OutputQuant::linear(0), &mut out),
            Err(KernelError::ShapeMismatch {
                what: "dense weights",
                expected: 4,
                found: 3
            })
        );
        let mut out3 = [0i8; 3];
        assert!(dense(&[1, 2], &[0; 6], &p, OutputQuant::linear(0), &mut out3).is_err());
        let bad = OutputQuant {
            zero_point: 0,
            act_min: 5,
            act_max: 4,
        };
        assert_eq!(
            dense(&[1, 2], &[0; 4], &p, bad, &mut out),
            Err(KernelError::BadOutputQuant)
        );
    }

    #[test]
    fn empty_input_gives_requantized_bias() {
        let mut buf = [0u8; 24];
        let p = params(&[7, -7], 1.0, &mut buf);
        let mut out = [0i8; 2];
        dense(&[], &[], &p, OutputQuant::linear(0), &mut out).unwrap();
        assert_eq!(out, [7, -7]);
    }

    #[test]
    fn extreme_values_saturate() {
        let mut buf = [0u8; 12];
        let p = params(&[i32::MAX], 1.0, &mut buf);
        let mut out = [0i8; 1];
        dense(&[127; 64], &[127; 64], &p, OutputQuant::linear(0), &mut out).unwrap();
        assert_eq!(out, [127]);
    }
}
