//! Stack high-water mark by painting: every word between the end of the statics (`_stack_end`,
//! cortex-m-rt) and a little below the current stack pointer is filled with [`PAINT`]; the
//! deepest word no longer holding it is the deepest the stack has reached since.
//!
//! Resolution: one 4-byte word. A function that reserves stack but never writes some of it is not
//! seen, and a stack value that happens to equal [`PAINT`] at the deepest point under-reports by
//! a word or so; both are the usual limits of the method.

/// The fill pattern.
pub const PAINT: u32 = 0xA5C3_5A3C;

/// Bytes below the stack pointer left unpainted (the painting function's own frame).
const MARGIN: usize = 256;

extern "C" {
    static mut _stack_end: u32;
    static mut _stack_start: u32;
}

fn bounds() -> (usize, usize) {
    let low = &raw mut _stack_end as usize;
    let top = &raw mut _stack_start as usize;
    (low, top)
}

/// Bytes of RAM reserved for the stack (from the end of the statics to the top of RAM).
pub fn stack_size() -> usize {
    let (low, top) = bounds();
    top.saturating_sub(low)
}

/// Paints the unused stack; the high-water mark restarts from the current depth.
///
/// # Safety
///
/// Nothing may live below the current stack pointer minus a few hundred bytes (no other stack,
/// no heap between the statics and the stack): true for these single-stack firmwares.
#[inline(never)]
pub unsafe fn paint() {
    let (low, _) = bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let high = sp.saturating_sub(MARGIN) & !3;
    let mut p = low;
    while p < high {
        // SAFETY: `low..high` is unused stack below the live frames (see the function's contract).
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Deepest stack use since the last [`paint`], in bytes from the top of RAM.
pub fn high_water() -> usize {
    let (low, top) = bounds();
    let mut p = low;
    while p < top {
        // SAFETY: `low..top` is the stack region of RAM, always readable.
        let word = unsafe { core::ptr::read_volatile(p as *const u32) };
        if word != PAINT {
            break;
        }
        p += 4;
    }
    top.saturating_sub(p)
}
