//! Deterministic test data: xorshift32, the same sequence on every run and every target.

/// Marsaglia's xorshift32 generator (period 2^32 − 1; the state is never 0).
#[derive(Clone, Debug)]
pub struct XorShift32 {
    state: u32,
}

impl XorShift32 {
    /// A generator from `seed` (0 is replaced by a fixed non-zero constant).
    pub const fn new(seed: u32) -> Self {
        Self {
            state: if seed == 0 { 0x9E37_79B9 } else { seed },
        }
    }

    /// Next 32-bit value.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        x
    }

    /// Next value over the full int8 range −128..=127 (top byte of the state).
    pub fn next_i8(&mut self) -> i8 {
        (self.next_u32() >> 24) as u8 as i8
    }

    /// Fills `out` with full-range int8 values.
    pub fn fill_i8(&mut self, out: &mut [i8]) {
        for v in out.iter_mut() {
            *v = self.next_i8();
        }
    }

    /// Fills `out` with symmetric int8 weights in −127..=127 (the weight range of docs/design.md).
    pub fn fill_weights(&mut self, out: &mut [i8]) {
        for v in out.iter_mut() {
            *v = self.next_i8().max(-127);
        }
    }
}
