//! Errors of the int8 kernels.

use core::fmt;

/// Why a kernel refused its arguments. Kernels check every shape before writing anything
/// they would not otherwise write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KernelError {
    /// The buffer `what` has `found` elements (or bytes) where `expected` are needed.
    ShapeMismatch {
        /// Which buffer or dimension.
        what: &'static str,
        /// Length needed.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// The output buffer `what` is shorter than the `needed` elements.
    OutputTooSmall {
        /// Which buffer.
        what: &'static str,
        /// Elements needed.
        needed: usize,
        /// Elements available.
        found: usize,
    },
    /// A dimension `what` exceeds `limit` (e.g. an inner product over more than
    /// [`MAX_DOT_LEN`](super::MAX_DOT_LEN) terms, which could overflow i32).
    TooLarge {
        /// Which dimension.
        what: &'static str,
        /// Largest allowed value.
        limit: usize,
    },
    /// A dimension `what` that must be positive is 0.
    Zero {
        /// Which dimension.
        what: &'static str,
    },
    /// Token number `position` is `token`, but the table has only `buckets` rows.
    TokenOutOfRange {
        /// Index in the token list.
        position: usize,
        /// The offending bucket id.
        token: u32,
        /// Rows in the table.
        buckets: usize,
    },
    /// The requantization multiplier of output channel `channel` is not valid.
    BadRequant {
        /// Output channel index.
        channel: usize,
    },
    /// The output clamp has `act_min > act_max`.
    BadOutputQuant,
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ShapeMismatch {
                what,
                expected,
                found,
            } => {
                write!(f, "{what}: expected length {expected}, found {found}")
            }
            Self::OutputTooSmall {
                what,
                needed,
                found,
            } => {
                write!(f, "{what}: needs {needed} elements, has {found}")
            }
            Self::TooLarge { what, limit } => write!(f, "{what} exceeds the limit {limit}"),
            Self::Zero { what } => write!(f, "{what} must be positive"),
            Self::TokenOutOfRange {
                position,
                token,
                buckets,
            } => {
                write!(
                    f,
                    "token {position} is bucket {token}, but the table has {buckets} rows"
                )
            }
            Self::BadRequant { channel } => {
                write!(
                    f,
                    "invalid requantization multiplier for output channel {channel}"
                )
            }
            Self::BadOutputQuant => write!(f, "output clamp has act_min > act_max"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for KernelError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_what_and_where() {
        let e = KernelError::TokenOutOfRange {
            position: 2,
            token: 900,
            buckets: 512,
        };
        assert_eq!(
            e.to_string(),
            "token 2 is bucket 900, but the table has 512 rows"
        );
        let e = KernelError::ShapeMismatch {
            what: "dense weights",
            expected: 6,
            found: 4,
        };
        assert_eq!(e.to_string(), "dense weights: expected length 6, found 4");
    }
}
