//! Markers for the instruction-counting QEMU plugin (`tools/qemu-icount`).
//!
//! The plugin is given the addresses of [`icount_begin`] and [`icount_end`] (from `nm`) and
//! counts the guest instructions executed between a call of the first and the next call of the
//! second, one count per segment, in order. The firmware prints a label per segment in the same
//! order; `scripts/bench-qemu.sh` pairs them. On real hardware the markers cost two calls.

use core::hint::black_box;

/// Start of a counted segment. Never inlined, so it has an address of its own; the `asm!` block
/// may touch any memory, so the compiler cannot move memory accesses across the call.
#[no_mangle]
#[inline(never)]
pub extern "C" fn icount_begin() {
    // SAFETY: a no-op instruction.
    unsafe { core::arch::asm!("nop") }
}

/// End of a counted segment (body differs from [`icount_begin`] so the two are never merged).
#[no_mangle]
#[inline(never)]
pub extern "C" fn icount_end() {
    // SAFETY: no-op instructions.
    unsafe { core::arch::asm!("nop", "nop") }
}

/// Runs `f` as one counted segment and returns its result, passed through `black_box` so the
/// work cannot be skipped or sunk past the end marker.
#[inline(always)]
pub fn segment<R>(f: impl FnOnce() -> R) -> R {
    icount_begin();
    let r = black_box(f());
    icount_end();
    r
}
