//! Vectors for the int8 inner products `edgekd_shared::kernels::dot::{dot_i8, dot_i8_x2}` (on
//! this target: the SMLAD versions) against the plain loop in [`crate::reference::dot`]:
//! every length 0..=67 and a few long ones, every byte alignment of each operand, the
//! extremes −128 and 127, unequal lengths, and a sum long enough to wrap around i32.

use core::fmt;

use edgekd_shared::kernels::dot::{dot_i8, dot_i8_x2};

use crate::reference;
use crate::rng::XorShift32;

/// Longest random vector tested.
const MAX_LEN: usize = 520;
/// `−128 · −128 · WRAP_LEN` exceeds `i32::MAX`, so this sum wraps.
const WRAP_LEN: usize = 140_000;
/// All −128: read from flash for the wrap-around case.
static MINUS_128: [i8; WRAP_LEN] = [-128; WRAP_LEN];

/// The first disagreement between the optimised and the reference inner product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DotMismatch {
    /// `"dot_i8"`, `"dot_i8_x2 row 0"` or `"dot_i8_x2 row 1"`.
    pub func: &'static str,
    /// Which data: `"random"`, `"extreme"`, `"unequal"` or `"wrap"`.
    pub case: &'static str,
    /// Lengths of the operands (`x`, `w0`, `w1`; `w1` is 0 for `dot_i8`).
    pub lens: (usize, usize, usize),
    /// Byte offsets of the operands in their buffers.
    pub offsets: (usize, usize, usize),
    /// Reference result.
    pub expected: i32,
    /// Optimised result.
    pub got: i32,
}

impl fmt::Display for DotMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} case, lengths {:?}, offsets {:?}): expected {}, got {}",
            self.func, self.case, self.lens, self.offsets, self.expected, self.got
        )
    }
}

/// Checks one `(x, w0, w1)` triple through both functions; returns how many comparisons passed.
fn check(
    case: &'static str,
    x: &[i8],
    w0: &[i8],
    w1: &[i8],
    offsets: (usize, usize, usize),
) -> Result<usize, DotMismatch> {
    let lens = (x.len(), w0.len(), w1.len());
    let fail = |func, expected, got| DotMismatch {
        func,
        case,
        lens,
        offsets,
        expected,
        got,
    };
    let e = reference::dot(x, w0);
    let g = dot_i8(x, w0);
    if e != g {
        return Err(fail("dot_i8", e, g));
    }
    let (g0, g1) = dot_i8_x2(x, w0, w1);
    if g0 != e {
        return Err(fail("dot_i8_x2 row 0", e, g0));
    }
    let e1 = reference::dot(x, w1);
    if g1 != e1 {
        return Err(fail("dot_i8_x2 row 1", e1, g1));
    }
    Ok(3)
}

/// `len` bytes of `buf` from `offset` (empty if out of range).
fn window(buf: &[i8], offset: usize, len: usize) -> &[i8] {
    buf.get(offset..offset + len).unwrap_or(&[])
}

/// Runs every dot vector; the number of comparisons that passed, or the first mismatch.
pub fn check_all() -> Result<usize, DotMismatch> {
    let mut rng = XorShift32::new(0x00D0_7D5B);
    let mut bx = [0i8; MAX_LEN + 3];
    let mut b0 = [0i8; MAX_LEN + 3];
    let mut b1 = [0i8; MAX_LEN + 3];
    let mut passed = 0usize;

    // Random data, every length up to 67 and some long ones, every alignment.
    let lengths = (0..=67).chain([127, 128, 129, 255, 256, 257, 512, 515, MAX_LEN]);
    for len in lengths {
        rng.fill_i8(&mut bx);
        rng.fill_i8(&mut b0);
        rng.fill_i8(&mut b1);
        for off in 0..4 {
            let (ox, o0, o1) = (off, (off + 1) % 4, (off + 3) % 4);
            let (x, w0, w1) = (
                window(&bx, ox, len),
                window(&b0, o0, len),
                window(&b1, o1, len),
            );
            passed += check("random", x, w0, w1, (ox, o0, o1))?;
        }
    }

    // Extremes: −128·−128 (the largest product), −128·127, 127·127, alternating signs.
    let patterns: [(i8, i8, i8); 4] = [
        (-128, -128, 127),
        (-128, 127, -128),
        (127, 127, -127),
        (-1, -128, 1),
    ];
    for (vx, v0, v1) in patterns {
        for len in (0..=35).chain([131, 132, 133]) {
            bx.fill(vx);
            b0.fill(v0);
            b1.fill(v1);
            let (x, w0, w1) = (
                bx.get(1..1 + len).unwrap_or(&[]),
                b0.get(..len).unwrap_or(&[]),
                b1.get(2..2 + len).unwrap_or(&[]),
            );
            passed += check("extreme", x, w0, w1, (1, 0, 2))?;
        }
    }

    // Unequal lengths: each function sums over its own pair's common length.
    rng.fill_i8(&mut bx);
    rng.fill_i8(&mut b0);
    rng.fill_i8(&mut b1);
    for (lx, l0, l1) in [
        (37, 33, 41),
        (64, 61, 64),
        (9, 64, 3),
        (0, 5, 5),
        (17, 0, 17),
        (100, 100, 1),
    ] {
        let (x, w0, w1) = (
            bx.get(..lx).unwrap_or(&[]),
            b0.get(..l0).unwrap_or(&[]),
            b1.get(..l1).unwrap_or(&[]),
        );
        passed += check("unequal", x, w0, w1, (0, 0, 0))?;
    }

    // A sum beyond i32: both must wrap modulo 2^32 identically.
    passed += check(
        "wrap",
        &MINUS_128,
        &MINUS_128,
        MINUS_128.get(1..).unwrap_or(&[]),
        (0, 0, 1),
    )?;
    Ok(passed)
}
