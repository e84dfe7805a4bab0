//! Errors of the tokenizer.

use core::fmt;

/// Why a [`TokenizerConfig`](super::TokenizerConfig) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenizerError {
    /// `buckets` is 0.
    ZeroBuckets,
    /// `max_tokens` is 0.
    ZeroMaxTokens,
    /// `features` selects no feature kind.
    NoFeatures,
    /// `features` has bits outside `TokenizerConfig::ALL`.
    UnknownFeatures {
        /// The bits that are not known.
        bits: u8,
    },
}

impl fmt::Display for TokenizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroBuckets => write!(f, "tokenizer config: buckets must be at least 1"),
            Self::ZeroMaxTokens => write!(f, "tokenizer config: max_tokens must be at least 1"),
            Self::NoFeatures => write!(f, "tokenizer config: no feature kind selected"),
            Self::UnknownFeatures { bits } => {
                write!(f, "tokenizer config: unknown feature bits {bits:#04x}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TokenizerError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(
            TokenizerError::UnknownFeatures { bits: 0x18 }.to_string(),
            "tokenizer config: unknown feature bits 0x18"
        );
    }
}
