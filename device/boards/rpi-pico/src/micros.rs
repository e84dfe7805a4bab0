//! The RP2040's 64-bit microsecond timer as the Pico's counter for instructions per inference:
//! cycles at the 125 MHz system clock (resolution 125 cycles; the Cortex-M0+ has no DWT cycle
//! counter) and milliseconds since boot.

use edgekd_firmware::platform::Ticks;
use embassy_rp::pac;

/// System clock of `embassy_rp::init`'s default configuration, in cycles per microsecond.
const CYCLES_PER_US: u32 = 125;

/// The running microsecond timer.
#[derive(Debug)]
pub struct Micros;

impl Micros {
    fn now_us() -> u32 {
        pac::TIMER.timerawl().read()
    }
}

impl Ticks for Micros {
    fn count(&self) -> u32 {
        Self::now_us().wrapping_mul(CYCLES_PER_US)
    }

    fn uptime_ms(&self) -> u32 {
        Self::now_us() / 1000
    }
}
