//! The server's [`Platform`] on any board: a counter from the board, the stack high-water mark
//! from the painted stack ([`crate::stack`]) and the profile from the board map.

use edgekd_device::server::Platform;
use edgekd_shared::protocol::BoardProfileId;

/// A board's counter for instructions per inference.
pub trait Ticks {
    /// Retired instructions (QEMU) or CPU cycles (a board), wrapping at 2³².
    fn count(&self) -> u32;
    /// Milliseconds since boot, wrapping; 0 when the board has no running clock.
    fn uptime_ms(&self) -> u32 {
        0
    }
}

/// [`Platform`] from a board's [`Ticks`].
#[derive(Debug)]
pub struct BoardPlatform<T> {
    ticks: T,
    profile: BoardProfileId,
}

impl<T: Ticks> BoardPlatform<T> {
    /// The platform of a board built for `profile`, counting with `ticks`.
    pub fn new(ticks: T, profile: BoardProfileId) -> Self {
        Self { ticks, profile }
    }

    /// The counter.
    pub fn ticks(&self) -> &T {
        &self.ticks
    }
}

impl<T: Ticks> Platform for BoardPlatform<T> {
    fn instructions(&self) -> u32 {
        self.ticks.count()
    }

    fn stack_high_water(&self) -> usize {
        crate::stack::high_water()
    }

    fn profile(&self) -> BoardProfileId {
        self.profile
    }

    fn uptime_ms(&self) -> u32 {
        self.ticks.uptime_ms()
    }
}
