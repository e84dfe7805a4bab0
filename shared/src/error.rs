//! Errors shared by the pinned test-vector suites ([`crate::kernels::vectors`],
//! [`crate::tokenizer::vectors`]), which the firmware also runs on the emulated Cortex-M4.

use core::fmt;

use crate::kernels::KernelError;
use crate::tokenizer::TokenizerError;

/// The first difference between a pinned vector and what this build computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorMismatch {
    /// Suite: `"tokenizer"`, `"dense"`, `"conv1d"`, `"pool"`, `"embed_bag"`.
    pub suite: &'static str,
    /// Name of the case within the suite.
    pub case: &'static str,
    /// What differs.
    pub detail: MismatchDetail,
}

/// What differs in a [`VectorMismatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MismatchDetail {
    /// Output length differs.
    Length {
        /// Pinned length.
        expected: usize,
        /// Computed length.
        found: usize,
    },
    /// Output element `index` differs.
    Value {
        /// Element index.
        index: usize,
        /// Pinned value.
        expected: i64,
        /// Computed value.
        found: i64,
    },
    /// The truncation flag differs.
    Truncated {
        /// Pinned flag.
        expected: bool,
    },
    /// The kernel refused the pinned inputs.
    Kernel(KernelError),
    /// The tokenizer refused the pinned config.
    Tokenizer(TokenizerError),
    /// The pinned case needs more scratch space than the checker has.
    ScratchTooSmall,
}

impl fmt::Display for VectorMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vector {}/{}: ", self.suite, self.case)?;
        match self.detail {
            MismatchDetail::Length { expected, found } => {
                write!(f, "length {found}, pinned {expected}")
            }
            MismatchDetail::Value {
                index,
                expected,
                found,
            } => {
                write!(f, "element {index} is {found}, pinned {expected}")
            }
            MismatchDetail::Truncated { expected } => write!(f, "truncated should be {expected}"),
            MismatchDetail::Kernel(e) => write!(f, "kernel error: {e}"),
            MismatchDetail::Tokenizer(e) => write!(f, "tokenizer error: {e}"),
            MismatchDetail::ScratchTooSmall => write!(f, "case larger than the checker's scratch"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VectorMismatch {}

/// Compares `found` with `expected` element by element, naming the first difference.
pub(crate) fn compare<T: Copy + Into<i64>>(
    suite: &'static str,
    case: &'static str,
    expected: &[T],
    found: &[T],
) -> Result<(), VectorMismatch> {
    let fail = |detail| {
        Err(VectorMismatch {
            suite,
            case,
            detail,
        })
    };
    if expected.len() != found.len() {
        return fail(MismatchDetail::Length {
            expected: expected.len(),
            found: found.len(),
        });
    }
    for (index, (&e, &g)) in expected.iter().zip(found).enumerate() {
        let (e, g) = (e.into(), g.into());
        if e != g {
            return fail(MismatchDetail::Value {
                index,
                expected: e,
                found: g,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_names_first_difference() {
        assert_eq!(compare("s", "c", &[1i8, 2, 3], &[1i8, 2, 3]), Ok(()));
        let e = compare("s", "c", &[1i8, 2, 3], &[1i8, 5, 4]).unwrap_err();
        assert_eq!(
            e.detail,
            MismatchDetail::Value {
                index: 1,
                expected: 2,
                found: 5
            }
        );
        assert_eq!(e.to_string(), "vector s/c: element 1 is 5, pinned 2");
        let e = compare("s", "c", &[1u32], &[]).unwrap_err();
        assert_eq!(
            e.detail,
            MismatchDetail::Length {
                expected: 1,
                found: 0
            }
        );
    }
}
