//! edgekd-models: burn modules for the teacher, the student and the losses.

/// The burn version the modules are built with, re-exported for the host crate.
#[cfg(any(feature = "teacher", feature = "student"))]
pub use burn;

#[cfg(feature = "teacher")]
pub mod backend;
/// KD/FT losses (feature `student`).
#[cfg(feature = "student")]
pub mod loss;
/// Top-k cosine neighbour tables (the host's kNN augmentation); here, not in the host crate, so
/// that its loops are compiled optimised in the dev profile too.
pub mod neighbours;
/// The device-mirroring student (feature `student`).
#[cfg(feature = "student")]
pub mod student;
#[cfg(feature = "teacher")]
pub mod teacher;
