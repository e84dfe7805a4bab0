//! CPU cycles from the Cortex-M4's DWT cycle counter (64 MHz on the nRF52840): the DK's
//! counter for instructions per inference (cycles, not instructions; wraps every 67 s, and the
//! server only reports differences).

use cortex_m::peripheral::{DCB, DWT};
use edgekd_firmware::platform::Ticks;

/// The running DWT cycle counter.
#[derive(Debug)]
pub struct Cycles(());

impl Cycles {
    /// Enables tracing and the cycle counter.
    pub fn start(mut dcb: DCB, mut dwt: DWT) -> Self {
        dcb.enable_trace();
        dwt.enable_cycle_counter();
        Self(())
    }
}

impl Ticks for Cycles {
    fn count(&self) -> u32 {
        DWT::cycle_count()
    }
}
