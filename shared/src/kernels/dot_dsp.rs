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
//! Cost per 8 MACs in [`dot_i8_x2`]'s loop: 3 loads, 6 `SXTB16`, 4 `SMLAD`, plus loop control.

use core::arch::asm;

/// Four bytes starting at `q[0]` as one little-endian word.
#[inline(always)]
fn load4(q: &[i8; 4]) -> u32 {
    // SAFETY: `q` points to 4 readable bytes; `read_unaligned` has no alignment requirement and
    // compiles to one `LDR` on ARMv7E-M, which permits unaligned word loads.
    unsafe { core::ptr::read_unaligned(q.as_ptr().cast::<u32>()) }
}

/// Bytes 0 and 2 of `x`, each sign-extended to a halfword: `[x0 as i16, x2 as i16]`.
#[inline(always)]
fn sxtb16(x: u32) -> u32 {
    let r: u32;
    // SAFETY: pure register arithmetic.
    unsafe {
        asm!("sxtb16 {r}, {x}", r = lateout(reg) r, x = in(reg) x,
             options(pure, nomem, nostack, preserves_flags));
    }
    r
}

/// Bytes 1 and 3 of `x`, each sign-extended to a halfword: `[x1 as i16, x3 as i16]`.
#[inline(always)]
fn sxtb16_ror8(x: u32) -> u32 {
    let r: u32;
    // SAFETY: pure register arithmetic.
    unsafe {
        asm!("sxtb16 {r}, {x}, ror #8", r = lateout(reg) r, x = in(reg) x,
             options(pure, nomem, nostack, preserves_flags));
    }
    r
}

/// `acc + a.lo·b.lo + a.hi·b.hi` on signed halfwords, modulo 2^32.
#[inline(always)]
fn smlad(a: u32, b: u32, acc: i32) -> i32 {
    let r: i32;
    // SAFETY: register arithmetic; it may set the Q flag, so flags are not declared preserved.
    unsafe {
        asm!("smlad {r}, {a}, {b}, {acc}", r = lateout(reg) r, a = in(reg) a, b = in(reg) b,
             acc = in(reg) acc, options(pure, nomem, nostack));
    }
    r
}

/// Splits `s` into whole groups of four and the remainder (fewer than four).
#[inline(always)]
fn quads(s: &[i8]) -> (impl Iterator<Item = &[i8; 4]>, &[i8]) {
    let chunks = s.chunks_exact(4);
    let rest = chunks.remainder();
    (chunks.filter_map(|c| <&[i8; 4]>::try_from(c).ok()), rest)
}

/// Scalar tail: `Σ a[i]·b[i]` over the common length, wrapping.
#[inline(always)]
fn tail(a: &[i8], b: &[i8], acc: i32) -> i32 {
    a.iter()
        .zip(b)
        .fold(acc, |acc, (&x, &y)| acc.wrapping_add(i32::from(x) * i32::from(y)))
}

/// `Σ a[i] · b[i]` over `min(a.len(), b.len())` terms, wrapping on i32 overflow.
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    let (a, b) = (a.get(..n).unwrap_or(&[]), b.get(..n).unwrap_or(&[]));
    let (qa, ra) = quads(a);
    let (qb, rb) = quads(b);
    let mut acc = 0i32;
    for (qa, qb) in qa.zip(qb) {
        let (va, vb) = (load4(qa), load4(qb));
        acc = smlad(sxtb16(va), sxtb16(vb), acc);
        acc = smlad(sxtb16_ror8(va), sxtb16_ror8(vb), acc);
    }
    tail(ra, rb, acc)
}

/// Two weight rows against one input: `(Σ x[i]·w0[i], Σ x[i]·w1[i])`, each over the common
/// length of its pair, wrapping. Each group of four inputs is loaded and expanded once.
#[inline]
pub fn dot_i8_x2(x: &[i8], w0: &[i8], w1: &[i8]) -> (i32, i32) {
    let n = x.len().min(w0.len()).min(w1.len());
    let xs = x.get(..n).unwrap_or(&[]);
    let (qx, rx) = quads(xs);
    let (q0, r0) = quads(w0.get(..n).unwrap_or(&[]));
    let (q1, r1) = quads(w1.get(..n).unwrap_or(&[]));
    let mut acc0 = 0i32;
    let mut acc1 = 0i32;
    for ((qx, q0), q1) in qx.zip(q0).zip(q1) {
        let vx = load4(qx);
        let (x_lo, x_hi) = (sxtb16(vx), sxtb16_ror8(vx));
        let v0 = load4(q0);
        acc0 = smlad(x_lo, sxtb16(v0), acc0);
        acc0 = smlad(x_hi, sxtb16_ror8(v0), acc0);
        let v1 = load4(q1);
        acc1 = smlad(x_lo, sxtb16(v1), acc1);
        acc1 = smlad(x_hi, sxtb16_ror8(v1), acc1);
    }
    let acc0 = tail(rx, r0, acc0);
    let acc1 = tail(rx, r1, acc1);
    // Unequal lengths: the longer pair goes on alone, as in the portable version.
    let x_rest = x.get(n..).unwrap_or(&[]);
    let acc0 = acc0.wrapping_add(dot_i8(x_rest, w0.get(n..).unwrap_or(&[])));
    let acc1 = acc1.wrapping_add(dot_i8(x_rest, w1.get(n..).unwrap_or(&[])));
    (acc0, acc1)
}
