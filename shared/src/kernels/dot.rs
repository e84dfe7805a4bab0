//! Inner products of int8 vectors with i32 accumulation: the hot loop of `dense` and `conv1d`.
//!
//! Portable versions; a Cortex-M4 DSP (SMLAD) version may be dispatched here by `cfg`.
//! Sums wrap on i32 overflow instead of panicking; the kernels only call these with at most
//! [`MAX_DOT_LEN`](super::MAX_DOT_LEN) terms, where no overflow is possible.

/// `Σ a[i] · b[i]` over `min(a.len(), b.len())` terms (callers pass equal lengths).
#[cfg(not(edgekd_dsp))]
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).fold(0i32, |acc, (&x, &y)| {
        acc.wrapping_add(i32::from(x) * i32::from(y))
    })
}

/// Two weight rows against one input: `(Σ x[i]·w0[i], Σ x[i]·w1[i])`, each over the common
/// length of its pair. Reads `x` once for both rows.
#[cfg(not(edgekd_dsp))]
#[inline]
pub fn dot_i8_x2(x: &[i8], w0: &[i8], w1: &[i8]) -> (i32, i32) {
    let n = x.len().min(w0.len()).min(w1.len());
    // Indexing stays in this hot loop: `n` is the shortest length, so the slices cannot panic.
    let (xs, w0s, w1s) = (&x[..n], &w0[..n], &w1[..n]);
    let mut acc0 = 0i32;
    let mut acc1 = 0i32;
    for ((&xv, &a), &b) in xs.iter().zip(w0s).zip(w1s) {
        let xv = i32::from(xv);
        acc0 = acc0.wrapping_add(xv * i32::from(a));
        acc1 = acc1.wrapping_add(xv * i32::from(b));
    }
    // Unequal lengths: finish the longer pair alone so each sum covers its own common length.
    let acc0 = acc0.wrapping_add(dot_i8(
        x.get(n..).unwrap_or(&[]),
        w0.get(n..).unwrap_or(&[]),
    ));
    let acc1 = acc1.wrapping_add(dot_i8(
        x.get(n..).unwrap_or(&[]),
        w1.get(n..).unwrap_or(&[]),
    ));
    (acc0, acc1)
}

// Cortex-M4 DSP (SXTB16 + SMLAD) versions on thumbv7em targets, bit-identical to the above.
#[cfg(edgekd_dsp)]
pub use super::dot_dsp::{dot_i8, dot_i8_x2};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_products() {
        assert_eq!(dot_i8(&[1, 2, 3], &[4, -5, 6]), 4 - 10 + 18);
        assert_eq!(dot_i8(&[], &[]), 0);
        assert_eq!(dot_i8(&[1, 2, 3], &[1]), 1);
        assert_eq!(dot_i8(&[-128; 4], &[-128; 4]), 4 * 16384);
    }

    #[test]
    fn pair_matches_singles() {
        let x = [3i8, -7, 127, -128, 0, 55];
        let w0 = [1i8, 2, 3, 4, 5, 6];
        let w1 = [-128i8, 127, -1, 1, 9, -9];
        assert_eq!(dot_i8_x2(&x, &w0, &w1), (dot_i8(&x, &w0), dot_i8(&x, &w1)));
        assert_eq!(
            dot_i8_x2(&x, &w0[..3], &w1),
            (dot_i8(&x, &w0[..3]), dot_i8(&x, &w1))
        );
        assert_eq!(
            dot_i8_x2(&x, &w0, &w1[..2]),
            (dot_i8(&x, &w0), dot_i8(&x, &w1[..2]))
        );
    }

    #[test]
    fn long_sums_wrap_instead_of_panicking() {
        let a = [-128i8; 140_000];
        let exact = 16384i64 * 140_000;
        assert_eq!(dot_i8(&a, &a), exact as i32); // wrapping, as documented
    }
}
