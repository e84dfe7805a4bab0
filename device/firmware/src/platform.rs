//! The [`Platform`] of the emulated board: instructions from QEMU's virtual time
//! ([`crate::clock`]), stack high-water mark from the painted stack ([`crate::stack`]), and the
//! default board profile `m4-1m` that memory.x enforces.

use edgekd_device::server::Platform;
use edgekd_shared::protocol::BoardProfileId;

use crate::clock::Clock;

/// Board services of the QEMU `mps2-an386` firmware.
#[derive(Debug)]
pub struct QemuPlatform {
    clock: Clock,
}

impl QemuPlatform {
    /// Uses `clock` (already started and calibrated) for instruction counts and uptime.
    pub fn new(clock: Clock) -> Self {
        Self { clock }
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

impl Platform for QemuPlatform {
    fn instructions(&self) -> u32 {
        self.clock.instructions()
    }

    fn stack_high_water(&self) -> usize {
        crate::stack::high_water()
    }

    fn profile(&self) -> BoardProfileId {
        BoardProfileId::M4_1M
    }

    fn uptime_ms(&self) -> u32 {
        self.clock.uptime_ms()
    }
}
