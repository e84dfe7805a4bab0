//! edgekd-models: burn modules for the teacher, the student and the losses.

/// The burn version the modules are built with, re-exported for the host crate.
#[cfg(any(feature = "teacher", feature = "student"))]
pub use burn;

#[cfg(feature = "teacher")]
pub mod backend;
/// KD/FT losses (opt-in until compiled and tested; see the `student` feature).
#[cfg(feature = "student")]
pub mod loss;
/// The device-mirroring student (opt-in until compiled and tested).
#[cfg(feature = "student")]
pub mod student;
#[cfg(feature = "teacher")]
pub mod teacher;
