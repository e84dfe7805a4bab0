//! The distillation temperature `T` and its one validated range, shared by the teacher's labels,
//! student training, the host's soft labels and the device's learner.

use core::fmt;

/// Lowest accepted temperature.
pub const MIN_TEMPERATURE: f32 = 0.5;
/// Highest accepted temperature.
pub const MAX_TEMPERATURE: f32 = 20.0;

/// A temperature outside `[MIN_TEMPERATURE, MAX_TEMPERATURE]` (NaN included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TemperatureOutOfRange(pub f32);

impl fmt::Display for TemperatureOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "temperature {} is outside [{MIN_TEMPERATURE}, {MAX_TEMPERATURE}]",
            self.0
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TemperatureOutOfRange {}

/// `temperature` itself when it lies in `[MIN_TEMPERATURE, MAX_TEMPERATURE]`.
pub fn check_temperature(temperature: f32) -> Result<f32, TemperatureOutOfRange> {
    if (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&temperature) {
        Ok(temperature)
    } else {
        Err(TemperatureOutOfRange(temperature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_closed_and_refuses_nan() {
        assert_eq!(check_temperature(0.5), Ok(0.5));
        assert_eq!(check_temperature(20.0), Ok(20.0));
        assert_eq!(check_temperature(1.0), Ok(1.0));
        for bad in [0.0, 0.49, 20.5, -1.0, f32::INFINITY] {
            assert_eq!(check_temperature(bad), Err(TemperatureOutOfRange(bad)));
        }
        assert!(check_temperature(f32::NAN).is_err());
        assert_eq!(
            TemperatureOutOfRange(0.0).to_string(),
            "temperature 0 is outside [0.5, 20]"
        );
    }
}
