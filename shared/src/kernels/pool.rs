//! Global pooling over time and the final argmax.

use super::{div_round_half_away, expect_len, mul_len, KernelError};

/// Largest `len` of [`global_mean_pool`]: 128 · len must fit the i32 sum.
const MAX_MEAN_LEN: usize = 1 << 24;

/// Element-wise maximum over time, same quantization as the input.
///
/// # Shapes
/// - `input`: `[len, ch]` time-major (exactly `len · ch`);
/// - `output`: `[ch]` (exactly).
///
/// `len == 0` → every output is `empty`.
pub fn global_max_pool(
    input: &[i8],
    len: usize,
    ch: usize,
    empty: i8,
    output: &mut [i8],
) -> Result<(), KernelError> {
    check(input, len, ch, output, "global_max_pool")?;
    if len == 0 {
        output.fill(empty);
        return Ok(());
    }
    output.fill(i8::MIN);
    for row in input.chunks_exact(ch) {
        for (o, &v) in output.iter_mut().zip(row) {
            *o = (*o).max(v);
        }
    }
    Ok(())
}

/// Mean over time, rounded half away from zero, same quantization as the input.
///
/// # Shapes
/// - `input`: `[len, ch]` time-major (exactly `len · ch`), `len ≤ 2^24`;
/// - `output`: `[ch]` (exactly).
///
/// `len == 0` → every output is `empty`. Sums each channel in i32 without scratch (one pass
/// per channel, strided).
pub fn global_mean_pool(
    input: &[i8],
    len: usize,
    ch: usize,
    empty: i8,
    output: &mut [i8],
) -> Result<(), KernelError> {
    check(input, len, ch, output, "global_mean_pool")?;
    if len > MAX_MEAN_LEN {
        return Err(KernelError::TooLarge {
            what: "global_mean_pool len",
            limit: MAX_MEAN_LEN,
        });
    }
    if len == 0 {
        output.fill(empty);
        return Ok(());
    }
    for (c, o) in output.iter_mut().enumerate() {
        let sum = input
            .get(c..)
            .unwrap_or(&[])
            .iter()
            .step_by(ch)
            .fold(0i32, |a, &v| a.wrapping_add(i32::from(v)));
        *o = div_round_half_away(sum, len as i32).clamp(-128, 127) as i8;
    }
    Ok(())
}

/// Index of the first maximum, `None` for an empty slice.
pub fn argmax(values: &[i8]) -> Option<usize> {
    let mut best: Option<(usize, i8)> = None;
    for (i, &v) in values.iter().enumerate() {
        match best {
            Some((_, b)) if v <= b => {}
            _ => best = Some((i, v)),
        }
    }
    best.map(|(i, _)| i)
}

fn check(
    input: &[i8],
    len: usize,
    ch: usize,
    output: &[i8],
    what: &'static str,
) -> Result<(), KernelError> {
    if ch == 0 {
        return Err(KernelError::Zero {
            what: "pool channels",
        });
    }
    expect_len(what, mul_len(what, len, ch)?, input.len())?;
    expect_len("pool output", ch, output.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: [i8; 6] = [1, -2, 5, -7, 3, 8]; // [3, 2]

    #[test]
    fn max_pool() {
        let mut out = [0i8; 2];
        global_max_pool(&X, 3, 2, 0, &mut out).unwrap();
        assert_eq!(out, [5, 8]);
        global_max_pool(&[], 0, 2, 9, &mut out).unwrap();
        assert_eq!(out, [9, 9]);
        global_max_pool(&[-128, -128], 1, 2, 9, &mut out).unwrap();
        assert_eq!(out, [-128, -128]);
    }

    #[test]
    fn mean_pool() {
        let mut out = [0i8; 2];
        global_mean_pool(&X, 3, 2, 0, &mut out).unwrap();
        assert_eq!(out, [3, 0]); // 9/3 = 3, (−2−7+8)/3 = −1/3 → 0
    }

    #[test]
    fn mean_pool_rounding() {
        let mut out = [0i8; 1];
        global_mean_pool(&[1, 2], 2, 1, 0, &mut out).unwrap();
        assert_eq!(out, [2]);
        global_mean_pool(&[-1, -2], 2, 1, 0, &mut out).unwrap();
        assert_eq!(out, [-2]);
        global_mean_pool(&[], 0, 1, 4, &mut out).unwrap();
        assert_eq!(out, [4]);
    }

    #[test]
    fn pool_shape_errors() {
        let mut out = [0i8; 2];
        assert!(global_max_pool(&X, 2, 2, 0, &mut out).is_err());
        assert!(global_mean_pool(&X, 3, 0, 0, &mut out).is_err());
        let mut out3 = [0i8; 3];
        assert!(global_mean_pool(&X, 3, 2, 0, &mut out3).is_err());
        assert!(global_max_pool(&X, usize::MAX, 2, 0, &mut out).is_err());
    }

    #[test]
    fn argmax_first_maximum() {
        assert_eq!(argmax(&[]), None);
        assert_eq!(argmax(&[-128]), Some(0));
        assert_eq!(argmax(&[1, 5, 5, 2]), Some(1));
        assert_eq!(argmax(&[-3, -1, -2, -1]), Some(1));
    }
}
