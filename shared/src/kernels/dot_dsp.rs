//! Cortex-M4/M7 DSP-extension versions of [`dot_i8`] and [`dot_i8_x2`]: the CMSIS-NN scheme.
//!
//! Four int8 values are read with one 32-bit load (the M4 allows unaligned `LDR`, so slices
//! need no alignment), split into two registers of two sign-extended halfwords each by
//! `SXTB16` (bytes 0 and 2) and `SXTB16 …, ROR #8` (bytes 1 and 3), and multiplied pairwise and
//! accumulated by `SMLAD` (two 16×16 products plus a 32-bit accumulator, in one instruction).
//! [`dot_i8_x2`] expands each group of four inputs once for two weight rows.
//!
//! Bit-identical to the portable versions in [`super::dot`]: the same terms, summed modulo
//! 2^32 (SMLAD wraps like `wrapping_add`; it only sets the sticky Q flag, which nothing reads),
//! and the same treatment of unequal lengths. Compiled only where the build script of
//! `edgekd-shared` sets `cfg(edgekd_dsp)` (targets `thumbv7em-*`).
//!
//! The loops take 8 bytes per pass: in [`dot_i8_x2`], 16 MACs cost 6 loads, 12 `SXTB16`,
//! 8 `SMLAD` and 2 loop-control instructions (1.75 instructions per MAC).

use core::arch::asm;

/// `acc + Σ a[i]·b[i]` over the first `8 · groups` bytes of `a` and `b`: the SMLAD loop.
///
/// # Safety
/// `a` and `b` must each point to at least `8 · groups` readable bytes (any alignment).
#[inline(always)]
unsafe fn mac_loop_x1(a: *const i8, b: *const i8, groups: usize, acc: i32) -> i32 {
    if groups == 0 {
        return acc;
    }
    let mut acc = acc;
    // SAFETY: the loop reads exactly 8 · groups bytes from each pointer (caller's contract);
    // LDR with post-increment allows any alignment on ARMv7E-M.
    unsafe {
        asm!(
            "2:",
            "ldr {va}, [{pa}], #4",
            "ldr {vb}, [{pb}], #4",
            "sxtb16 {t}, {va}",
            "sxtb16 {u}, {vb}",
            "smlad {acc}, {t}, {u}, {acc}",
            "sxtb16 {t}, {va}, ror #8",
            "sxtb16 {u}, {vb}, ror #8",
            "smlad {acc}, {t}, {u}, {acc}",
            "ldr {va}, [{pa}], #4",
            "ldr {vb}, [{pb}], #4",
            "sxtb16 {t}, {va}",
            "sxtb16 {u}, {vb}",
            "smlad {acc}, {t}, {u}, {acc}",
            "sxtb16 {t}, {va}, ror #8",
            "sxtb16 {u}, {vb}, ror #8",
            "smlad {acc}, {t}, {u}, {acc}",
            "subs {n}, {n}, #1",
            "bne 2b",
            pa = inout(reg) a => _,
            pb = inout(reg) b => _,
            n = inout(reg) groups => _,
            acc = inout(reg) acc,
            va = out(reg) _,
            vb = out(reg) _,
            t = out(reg) _,
            u = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    acc
}

/// `(acc0 + Σ x[i]·w0[i], acc1 + Σ x[i]·w1[i])` over the first `8 · groups` bytes: the SMLAD
/// loop that expands each word of `x` once for both rows.
///
/// # Safety
/// `x`, `w0` and `w1` must each point to at least `8 · groups` readable bytes (any alignment).
#[inline(always)]
unsafe fn mac_loop_x2(
    x: *const i8,
    w0: *const i8,
    w1: *const i8,
    groups: usize,
    acc: (i32, i32),
) -> (i32, i32) {
    if groups == 0 {
        return acc;
    }
    let (mut acc0, mut acc1) = acc;
    // SAFETY: as in `mac_loop_x1`, for three pointers.
    unsafe {
        asm!(
            "2:",
            "ldr {xl}, [{px}], #4",
            "sxtb16 {xh}, {xl}, ror #8",
            "sxtb16 {xl}, {xl}",
            "ldr {w}, [{p0}], #4",
            "sxtb16 {t}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc0}, {xl}, {t}, {acc0}",
            "smlad {acc0}, {xh}, {w}, {acc0}",
            "ldr {w}, [{p1}], #4",
            "sxtb16 {t}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc1}, {xl}, {t}, {acc1}",
            "smlad {acc1}, {xh}, {w}, {acc1}",
            "ldr {xl}, [{px}], #4",
            "sxtb16 {xh}, {xl}, ror #8",
            "sxtb16 {xl}, {xl}",
            "ldr {w}, [{p0}], #4",
            "sxtb16 {t}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc0}, {xl}, {t}, {acc0}",
            "smlad {acc0}, {xh}, {w}, {acc0}",
            "ldr {w}, [{p1}], #4",
            "sxtb16 {t}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc1}, {xl}, {t}, {acc1}",
            "smlad {acc1}, {xh}, {w}, {acc1}",
            "subs {n}, {n}, #1",
            "bne 2b",
            px = inout(reg) x => _,
            p0 = inout(reg) w0 => _,
            p1 = inout(reg) w1 => _,
            n = inout(reg) groups => _,
            acc0 = inout(reg) acc0,
            acc1 = inout(reg) acc1,
            xl = out(reg) _,
            xh = out(reg) _,
            w = out(reg) _,
            t = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    (acc0, acc1)
}

/// Scalar tail: `acc + Σ a[i]·b[i]` over the common length, wrapping.
#[inline(always)]
fn tail(a: &[i8], b: &[i8], acc: i32) -> i32 {
    a.iter().zip(b).fold(acc, |acc, (&x, &y)| {
        acc.wrapping_add(i32::from(x) * i32::from(y))
    })
}

/// `Σ a[i] · b[i]` over `min(a.len(), b.len())` terms, wrapping on i32 overflow.
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    let done = n & !7;
    // SAFETY: both slices hold at least n ≥ done = 8 · (n / 8) bytes.
    let acc = unsafe { mac_loop_x1(a.as_ptr(), b.as_ptr(), n / 8, 0) };
    let (a, b) = (a.get(done..n).unwrap_or(&[]), b.get(done..n).unwrap_or(&[]));
    tail(a, b, acc)
}

/// Two weight rows against one input: `(Σ x[i]·w0[i], Σ x[i]·w1[i])`, each over the common
/// length of its pair, wrapping. Each group of four inputs is loaded and expanded once.
#[inline]
pub fn dot_i8_x2(x: &[i8], w0: &[i8], w1: &[i8]) -> (i32, i32) {
    let n = x.len().min(w0.len()).min(w1.len());
    let done = n & !7;
    // SAFETY: all three slices hold at least n ≥ done = 8 · (n / 8) bytes.
    let (acc0, acc1) = unsafe { mac_loop_x2(x.as_ptr(), w0.as_ptr(), w1.as_ptr(), n / 8, (0, 0)) };
    let xt = x.get(done..n).unwrap_or(&[]);
    let acc0 = tail(xt, w0.get(done..n).unwrap_or(&[]), acc0);
    let acc1 = tail(xt, w1.get(done..n).unwrap_or(&[]), acc1);
    if x.len() == n && w0.len() == n && w1.len() == n {
        return (acc0, acc1);
    }
    // Unequal lengths: the longer pair goes on alone, as in the portable version.
    let x_rest = x.get(n..).unwrap_or(&[]);
    let acc0 = acc0.wrapping_add(dot_i8(x_rest, w0.get(n..).unwrap_or(&[])));
    let acc1 = acc1.wrapping_add(dot_i8(x_rest, w1.get(n..).unwrap_or(&[])));
    (acc0, acc1)
}
