//! Errors of the inference engine.

use core::fmt;

use edgekd_shared::artifact::ArtifactError;
use edgekd_shared::kernels::KernelError;
use edgekd_shared::tokenizer::TokenizerError;

/// Why an inference could not run. Layers are numbered from 0.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EngineError {
    /// The arena has `found` bytes; this model needs `needed` (see [`arena_size`](super::arena_size)).
    ArenaTooSmall { needed: usize, found: usize },
    /// The model does not validate (only for models not obtained from `decode`).
    Model(ArtifactError),
    /// The tokenizer refused the text or its configuration.
    Tokenizer(TokenizerError),
    /// More tokens than the model's `max_tokens`, which the buffers are sized for.
    TooManyTokens { count: usize, max: usize },
    /// Kernel of layer `layer` refused its arguments.
    Kernel { layer: usize, error: KernelError },
    /// Layer `layer` received an activation of the wrong kind or size.
    LayerInput { layer: usize },
    /// The last layer gives more logits than a [`Prediction`](super::Prediction) holds, or none.
    Logits { count: usize },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ArenaTooSmall { needed, found } => {
                write!(f, "arena of {found} bytes, the model needs {needed}")
            }
            Self::Model(e) => write!(f, "invalid model: {e}"),
            Self::Tokenizer(e) => write!(f, "tokenizer: {e}"),
            Self::TooManyTokens { count, max } => {
                write!(f, "{count} tokens, the model takes {max}")
            }
            Self::Kernel { layer, error } => write!(f, "layer {layer}: {error}"),
            Self::LayerInput { layer } => {
                write!(f, "layer {layer}: input of the wrong kind or size")
            }
            Self::Logits { count } => write!(f, "{count} logits (1..=16 supported)"),
        }
    }
}

impl core::error::Error for EngineError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_what_and_where() {
        let e = EngineError::ArenaTooSmall {
            needed: 100,
            found: 10,
        };
        assert_eq!(e.to_string(), "arena of 10 bytes, the model needs 100");
        let e = EngineError::Kernel {
            layer: 2,
            error: KernelError::Zero {
                what: "conv1d kernel",
            },
        };
        assert!(e.to_string().starts_with("layer 2: "));
    }
}
