//! What the server needs from the board it runs on.

use edgekd_shared::protocol::BoardProfileId;

/// Board services the firmware provides to the [`Server`](super::Server).
///
/// The QEMU firmware counts retired instructions (its icount plugin); a real Cortex-M board reads
/// the DWT cycle counter. Either way the counter only has to increase monotonically (wrapping at
/// 2³²): the server reports differences.
pub trait Platform {
    /// A monotonically increasing counter: cycles or retired instructions, wrapping.
    fn instructions(&self) -> u32;
    /// Deepest stack use seen so far, in bytes (from a painted stack, or 0 when unknown).
    fn stack_high_water(&self) -> usize;
    /// The memory budget the firmware was built for.
    fn profile(&self) -> BoardProfileId;
    /// Milliseconds since start (wrapping); 0 when the board has no clock.
    fn uptime_ms(&self) -> u32 {
        0
    }
}

impl<P: Platform + ?Sized> Platform for &P {
    fn instructions(&self) -> u32 {
        (**self).instructions()
    }
    fn stack_high_water(&self) -> usize {
        (**self).stack_high_water()
    }
    fn profile(&self) -> BoardProfileId {
        (**self).profile()
    }
    fn uptime_ms(&self) -> u32 {
        (**self).uptime_ms()
    }
}
