//! On-device knowledge distillation of the classifier head.
//!
//! The int8 body of the student stays frozen. The last dense layer (the head) has an f32 master copy
//! that [`HeadLearner`] updates by SGD on `T² · KL(teacher ‖ student)` at temperature `T`, from the
//! teacher's probabilities that arrive with each text. Every update is checked before it touches the
//! head: bad soft labels, non-finite inputs and steps that would overflow are refused with a
//! [`LearnError`], and the head is left exactly as it was.
//!
//! The arithmetic is plain IEEE f32 in a fixed order (and `libm` for `exp`/`ln`), so the host's
//! in-process learner and the device give bit-identical heads for the same sequence of updates.

mod error;
mod head;
mod journal;

pub use edgekd_shared::softmax::softmax_with_temperature;
pub use error::LearnError;
pub use head::{head_dims, HeadLearner, LearnHyper, StepReport, GUARD_BOUND};
pub use journal::{
    dequantize_input, Journal, JournalError, RestoreReport, UpdateRecord, MAX_HEAD_IN,
};

/// Largest number of classes a head may have: the artifact's limit.
pub use edgekd_shared::artifact::MAX_CLASSES;
