//! edgekd-models: burn modules for the teacher, the student and the losses.

#[cfg(feature = "teacher")]
pub mod backend;
#[cfg(feature = "teacher")]
pub mod teacher;
