//! What an int8 engine runs: the tokenizer settings and the layer chain, whoever holds the tables.
//!
//! A decoded [`Model`] is one (its tables borrowed from the artifact bytes); the host's quantizer
//! output is another (owned `Vec<u8>` tables, before any artifact exists). [`plan_at`](super::plan_at)
//! chains the shapes of any network, and the device engine runs any network, so the host evaluates
//! its int8 students with the device's own code.

use super::model::{Layer, Model};
use crate::tokenizer::TokenizerConfig;

/// A tokenizer and the int8 layers that follow it.
pub trait Network {
    /// How each layer holds its byte tables (`&[u8]`, `Vec<u8>`, …).
    type Bytes: AsRef<[u8]>;

    /// How text becomes the token ids `[n] u32` the first layer takes.
    fn tokenizer(&self) -> TokenizerConfig;

    /// The layers in execution order; the last gives the logits.
    fn layers(&self) -> &[Layer<Self::Bytes>];
}

impl<'a> Network for Model<'a> {
    type Bytes = &'a [u8];

    fn tokenizer(&self) -> TokenizerConfig {
        self.tokenizer
    }

    fn layers(&self) -> &[Layer<&'a [u8]>] {
        &self.layers
    }
}

impl<N: Network + ?Sized> Network for &N {
    type Bytes = N::Bytes;

    fn tokenizer(&self) -> TokenizerConfig {
        (**self).tokenizer()
    }

    fn layers(&self) -> &[Layer<N::Bytes>] {
        (**self).layers()
    }
}
