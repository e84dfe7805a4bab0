//! The emulated board's counter for the firmware core's `BoardPlatform`: instructions from
//! QEMU's virtual time ([`crate::clock`]).

use edgekd_firmware::platform::{BoardPlatform, Ticks};

use crate::clock::Clock;

/// Board services of the QEMU `mps2-an386` firmware.
pub type QemuPlatform = BoardPlatform<Clock>;

impl Ticks for Clock {
    fn count(&self) -> u32 {
        self.instructions()
    }

    fn uptime_ms(&self) -> u32 {
        Clock::uptime_ms(self)
    }
}
