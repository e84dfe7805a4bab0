//! Errors of the post-training quantizer and of the host int8 evaluation.

use edgekd_device::engine::EngineError;
use edgekd_models::student::StudentError;
use edgekd_shared::kernels::KernelError;
use edgekd_shared::quant::QuantError;

/// What went wrong quantizing or running an int8 student.
#[derive(Debug, thiserror::Error)]
pub enum QuantizeError {
    /// Feeding the f32 student failed.
    #[error(transparent)]
    Student(#[from] StudentError),
    /// Running the f32 student failed.
    #[error(transparent)]
    Train(#[from] crate::train::TrainError),
    /// Quantization maths refused a value (layer named).
    #[error("quantizing {layer}: {error}")]
    Quant {
        /// Layer being quantized.
        layer: &'static str,
        /// The underlying error.
        error: QuantError,
    },
    /// The device engine refused to run the int8 student.
    #[error("int8 engine: {0}")]
    Engine(#[from] EngineError),
    /// An int8 kernel refused its inputs (layer named).
    #[error("int8 {layer}: {error}")]
    Kernel {
        /// Layer being run.
        layer: &'static str,
        /// The underlying error.
        error: KernelError,
    },
    /// No calibration examples.
    #[error("calibration set is empty")]
    EmptyCalibration,
    /// A percentile outside (50, 100].
    #[error("calibration percentile must be in (50, 100], got {0}")]
    BadPercentile(f64),
    /// A tensor read back from burn had the wrong size.
    #[error("{what}: expected {expected} values, found {found}")]
    Shape {
        /// Which tensor.
        what: &'static str,
        /// Values expected.
        expected: usize,
        /// Values found.
        found: usize,
    },
    /// The student lacks a layer its kind needs.
    #[error("student of kind {0} lacks its {1} layer")]
    MissingLayer(String, &'static str),
}

pub(crate) fn quant(layer: &'static str) -> impl Fn(QuantError) -> QuantizeError {
    move |error| QuantizeError::Quant { layer, error }
}

pub(crate) fn kernel(layer: &'static str) -> impl Fn(KernelError) -> QuantizeError {
    move |error| QuantizeError::Kernel { layer, error }
}
