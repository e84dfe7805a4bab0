//! Post-training int8 quantization of a student and its host evaluation with the device's
//! integer kernels.
//!
//! - [`calibrate`]: min/max and percentile activation ranges
//! - [`quantizer`]: f32 student → [`QuantizedStudent`]
//! - [`model`]: the owned int8 layer list and its kernel-by-kernel evaluation
//! - [`eval`]: int8 vs f32 agreement and accuracy; choice of the calibration

pub mod artifact;
pub mod calibrate;
pub mod error;
pub mod eval;
pub mod model;
pub mod quantizer;

pub use calibrate::Calibration;
pub use error::QuantizeError;
pub use eval::{compare, predict_int8, quantize_best, Int8Comparison};
pub use model::{HeadMasterF32, QLayer, QuantizedStudent};
pub use quantizer::quantize_student;

#[cfg(test)]
mod tests;
