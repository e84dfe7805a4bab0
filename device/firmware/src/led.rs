//! The status LED, through `embedded_hal`'s `OutputPin` (`set_high` = lit; a board whose LED is
//! wired active-low inverts the pin first).
//!
//! What it says, on every board with one:
//!
//! | LED | meaning |
//! |---|---|
//! | dark | not booted yet, or handling a request (flickers while bytes arrive) |
//! | lit, steady | serving: waiting for the host |
//! | N short blinks, a pause, repeated | boot failure N ([`BootFailure::code`](crate::BootFailure::code)) |

use core::fmt;

use embedded_hal::digital::OutputPin;

use crate::failure::BootFailure;
use crate::run::BootReport;

/// Blink timing of [`StatusLed::blink_forever`], in CPU cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlinkTiming {
    /// Length of one blink (lit) and of the gap after it.
    pub blink_cycles: u32,
    /// Pause between two repetitions of the code.
    pub pause_cycles: u32,
}

impl BlinkTiming {
    /// 200 ms blinks and a 1.5 s pause on a core clocked at `hz`.
    pub const fn for_clock(hz: u32) -> Self {
        Self {
            blink_cycles: hz / 5,
            pause_cycles: hz / 2 * 3,
        }
    }
}

/// A status LED. Pin errors are ignored: an LED that cannot be driven only says less.
#[derive(Debug)]
pub struct StatusLed<P> {
    pin: P,
}

impl<P: OutputPin> StatusLed<P> {
    /// Takes `pin` (high = lit) and darkens it.
    pub fn new(pin: P) -> Self {
        let mut led = Self { pin };
        led.set(false);
        led
    }

    /// Lights (`true`) or darkens the LED.
    pub fn set(&mut self, lit: bool) {
        let _ = if lit {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        };
    }

    /// Blinks `code` times, pauses, and repeats forever (a boot failure).
    pub fn blink_forever(&mut self, code: u32, timing: BlinkTiming) -> ! {
        loop {
            for _ in 0..code.max(1) {
                self.set(true);
                cortex_m::asm::delay(timing.blink_cycles);
                self.set(false);
                cortex_m::asm::delay(timing.blink_cycles);
            }
            cortex_m::asm::delay(timing.pause_cycles);
        }
    }
}

/// The [`BootReport`] of a board without a console: lines are dropped, the LED lights while the
/// server waits for the host, and a failure blinks its code forever.
#[derive(Debug)]
pub struct LedReport<P> {
    led: StatusLed<P>,
    timing: BlinkTiming,
}

impl<P: OutputPin> LedReport<P> {
    /// Reports on `led`, blinking at `timing`.
    pub fn new(led: StatusLed<P>, timing: BlinkTiming) -> Self {
        Self { led, timing }
    }
}

impl<P: OutputPin> BootReport for LedReport<P> {
    fn line(&mut self, _args: fmt::Arguments<'_>) {}

    fn fail(&mut self, failure: BootFailure) -> ! {
        self.led.blink_forever(failure.code(), self.timing)
    }

    fn waiting(&mut self, waiting: bool) {
        self.led.set(waiting);
    }
}
