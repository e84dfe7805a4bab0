//! An LED wired active-low (the DK's LED1..4 light when their pin is low), as an
//! `embedded_hal` `OutputPin` whose `set_high` lights it, which the firmware core's status LED
//! expects.

use embedded_hal::digital::{ErrorType, OutputPin};

/// `pin`, inverted.
#[derive(Debug)]
pub struct ActiveLow<P>(pub P);

impl<P: ErrorType> ErrorType for ActiveLow<P> {
    type Error = P::Error;
}

impl<P: OutputPin> OutputPin for ActiveLow<P> {
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0.set_low()
    }

    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0.set_high()
    }
}
