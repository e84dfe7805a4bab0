//! Post-training int8 quantization of a student and its host evaluation with the device's own
//! engine.
//!
//! - [`calibrate`]: min/max and percentile activation ranges
//! - [`quantizer`]: f32 student → [`QuantizedStudent`]
//! - [`model`]: the owned int8 layers (the artifact's `Layer` with `Vec<u8>` tables), a
//!   `shared::artifact::Network` the device engine runs
//! - [`artifact`]: [`QuantizedStudent`] → `shared::artifact::Model`
//! - [`eval`]: int8 (device engine) vs f32 agreement and accuracy; choice of the calibration

pub mod artifact;
pub mod calibrate;
pub mod error;
pub mod eval;
pub mod model;
pub mod quantizer;

pub use calibrate::Calibration;
pub use error::QuantizeError;
pub use eval::{compare, predict_int8, quantize_best, Int8Comparison};
pub use model::{HeadMasterF32, QuantizedStudent};
pub use quantizer::quantize_student;

#[cfg(test)]
mod bit_identity_tests;
#[cfg(test)]
mod tests;
