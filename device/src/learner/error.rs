//! Errors of the on-device learner.

use core::fmt;

/// Why an update or a head was refused. The head is never modified when one of these is returned.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum LearnError {
    /// The head does not fit the learner's fixed buffers.
    HeadTooLarge {
        /// `in_dim · out_dim` asked for.
        weights: usize,
        /// Capacity of the learner.
        capacity: usize,
    },
    /// The head has 0 or more than [`super::MAX_CLASSES`] classes, or a zero input width.
    BadShape {
        /// Input width.
        in_dim: usize,
        /// Number of classes.
        out_dim: usize,
    },
    /// A vector had the wrong length.
    LengthMismatch {
        /// Which vector.
        what: &'static str,
        /// Length the head needs.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// A teacher probability is NaN, infinite, negative or above 1.
    BadSoftLabel {
        /// Class index of the offending probability.
        class: usize,
    },
    /// The teacher probabilities do not sum to 1 (within 1e-3).
    SoftLabelSum {
        /// Their sum.
        sum: f32,
    },
    /// A value of the head's input is NaN or infinite.
    NonFiniteInput {
        /// Position in the input.
        index: usize,
    },
    /// Temperature outside `[0.5, 20]`, or learning rate outside `(0, 1]`.
    BadHyper,
    /// The step would make a weight or bias non-finite or larger than the guard bound.
    StepOverflow,
    /// An initial head weight is NaN, infinite or beyond the guard bound.
    BadInitialHead,
    /// The model has no f32 head master, or its last layer is not the Dense layer one trains.
    NoHeadMaster,
}

impl fmt::Display for LearnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::HeadTooLarge { weights, capacity } => write!(
                f,
                "head of {weights} weights does not fit the learner's {capacity}"
            ),
            Self::BadShape { in_dim, out_dim } => {
                write!(f, "head shape {out_dim}x{in_dim} is not supported")
            }
            Self::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected {expected} values, got {found}"),
            Self::BadSoftLabel { class } => write!(
                f,
                "teacher probability of class {class} is not a finite value in [0, 1]"
            ),
            Self::SoftLabelSum { sum } => {
                write!(f, "teacher probabilities sum to {sum}, not 1")
            }
            Self::NonFiniteInput { index } => {
                write!(f, "head input {index} is not finite")
            }
            Self::BadHyper => f.write_str("temperature or learning rate out of range"),
            Self::StepOverflow => f.write_str("update refused: it would overflow the head"),
            Self::BadInitialHead => f.write_str("initial head has a non-finite or huge value"),
            Self::NoHeadMaster => f.write_str("the model has no head master on a last Dense layer"),
        }
    }
}
