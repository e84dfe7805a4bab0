//! Errors of the quantization maths.

use core::fmt;

/// Why a quantization parameter could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuantError {
    /// A real multiplier or scale was NaN or infinite; `what` names it.
    NotFinite {
        /// Which quantity.
        what: &'static str,
    },
    /// A real multiplier or scale was zero or negative; `what` names it.
    NotPositive {
        /// Which quantity.
        what: &'static str,
    },
    /// A real multiplier too large for a shift ≤ 30 (it must round below 2^30).
    TooLarge,
    /// Two lengths that must agree do not.
    ShapeMismatch {
        /// Which buffer.
        what: &'static str,
        /// Length required.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// An activation range with `min > max` or a non-finite bound.
    BadRange,
    /// A folded bias of output channel `channel` does not fit in i32.
    BiasOverflow {
        /// Output channel index.
        channel: usize,
    },
}

impl fmt::Display for QuantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite { what } => write!(f, "{what} is not finite"),
            Self::NotPositive { what } => write!(f, "{what} is not strictly positive"),
            Self::TooLarge => write!(f, "real multiplier too large (must be below 2^30)"),
            Self::ShapeMismatch {
                what,
                expected,
                found,
            } => {
                write!(f, "{what}: expected length {expected}, found {found}")
            }
            Self::BadRange => write!(f, "activation range is empty or not finite"),
            Self::BiasOverflow { channel } => {
                write!(f, "folded bias of output channel {channel} overflows i32")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for QuantError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_what_and_where() {
        let e = QuantError::ShapeMismatch {
            what: "weights",
            expected: 6,
            found: 5,
        };
        assert_eq!(e.to_string(), "weights: expected length 6, found 5");
        assert_eq!(
            QuantError::BiasOverflow { channel: 3 }.to_string(),
            "folded bias of output channel 3 overflows i32"
        );
    }
}
