//! Integer int8 kernels: the same code computes the host's evaluation of an int8 model and
//! the device's answers, so both agree bit for bit.
//!
//! Conventions for every kernel:
//! - no allocation, no panic on any input: shapes are checked first and a [`KernelError`]
//!   says which buffer is wrong;
//! - input buffers must have exactly the documented length; output buffers too, except
//!   [`conv1d`] and [`embed`] whose output length depends on the data: there the output must
//!   be at least as long and only the prefix is written;
//! - tensors are row-major, shapes are written `[outer, inner]`;
//! - weights are symmetric (zero point 0); the input zero point of `dense`/`conv1d` is folded
//!   into the bias ([`ChannelParams`]);
//! - accumulators are i32; an inner product may have at most [`MAX_DOT_LEN`] terms so that
//!   it cannot overflow.

mod conv1d;
mod dense;
pub mod dot;
#[cfg(edgekd_dsp)]
pub mod dot_dsp;
mod embed;
mod error;
mod params;
mod pool;
pub mod vectors;

pub use conv1d::{conv1d, conv1d_out_len};
pub use dense::dense;
pub use embed::{embed, embed_bag, Pool, MAX_BAG_TOKENS};
pub use error::KernelError;
pub use params::ChannelParams;
pub use pool::{argmax, global_max_pool, global_mean_pool};

/// Largest number of terms in one i32 inner product (`in` for dense, `kernel · in_ch` for
/// conv1d): 128 · 128 · n < 2^31 holds for n ≤ 131 071, so no i8 · i8 sum of that many terms
/// (any values, even −128 · −128) plus nothing else can overflow. The brief's bound
/// 127 · 128 · n < 2^31 (weights in −127..=127) would allow 132 104; we keep the bound that
/// holds for every i8 weight. The bias is then added with saturation.
pub const MAX_DOT_LEN: usize = 131_071;

/// `n / d` rounded half away from zero (`d > 0`).
#[inline]
pub(crate) fn div_round_half_away(n: i32, d: i32) -> i32 {
    let (n, d) = (i64::from(n), i64::from(d.max(1)));
    let q = if n >= 0 {
        (n + d / 2) / d
    } else {
        -((-n + d / 2) / d)
    };
    // d even: (n + d/2)/d rounds exact halves up in magnitude; d odd: no exact halves exist.
    q as i32
}

/// Checks `found == expected`, naming the buffer.
#[inline]
pub(crate) fn expect_len(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), KernelError> {
    if found == expected {
        Ok(())
    } else {
        Err(KernelError::ShapeMismatch {
            what,
            expected,
            found,
        })
    }
}

/// `a · b` or a `ShapeMismatch` naming `what` when it overflows `usize`.
#[inline]
pub(crate) fn mul_len(what: &'static str, a: usize, b: usize) -> Result<usize, KernelError> {
    a.checked_mul(b).ok_or(KernelError::TooLarge {
        what,
        limit: usize::MAX,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_division() {
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(4, 3), 1);
        assert_eq!(div_round_half_away(-4, 3), -1);
        assert_eq!(div_round_half_away(5, 3), 2);
        assert_eq!(div_round_half_away(-5, 3), -2);
        assert_eq!(div_round_half_away(i32::MIN, 1), i32::MIN);
        assert_eq!(div_round_half_away(7, 0), 7);
    }

    #[test]
    fn max_dot_len_cannot_overflow() {
        let worst = 128i64 * 128 * MAX_DOT_LEN as i64;
        assert!(worst <= i64::from(i32::MAX));
        assert!(128i64 * 128 * (MAX_DOT_LEN as i64 + 1) > i64::from(i32::MAX));
    }
}
