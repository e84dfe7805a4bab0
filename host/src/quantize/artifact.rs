//! [`QuantizedStudent`] → `shared::artifact::Model` (borrowing its buffers), ready for
//! `shared::artifact::encode`.

use edgekd_shared::artifact::{HeadMaster, Metadata, Model, MAX_LAYERS};

use super::error::QuantizeError;
use super::model::QuantizedStudent;

/// The f32 head master as the little-endian bytes the artifact stores.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadBytes {
    /// `[classes, inputs]` f32 LE.
    pub weights: Vec<u8>,
    /// `[classes]` f32 LE.
    pub bias: Vec<u8>,
}

fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn narrow(what: &'static str, v: usize) -> Result<u16, QuantizeError> {
    u16::try_from(v).map_err(|_| QuantizeError::Shape {
        what,
        expected: usize::from(u16::MAX),
        found: v,
    })
}

impl QuantizedStudent {
    /// The head master's bytes; keep them alive as long as the [`Model`] that borrows them.
    pub fn head_bytes(&self) -> HeadBytes {
        HeadBytes {
            weights: le_bytes(&self.head.weights),
            bias: le_bytes(&self.head.bias),
        }
    }

    /// The artifact model of this student with metadata `meta`; `head` from
    /// [`head_bytes`](Self::head_bytes) (or `None` to leave the on-device learner out).
    pub fn to_artifact<'a>(
        &'a self,
        meta: Metadata<'a>,
        head: Option<&'a HeadBytes>,
    ) -> Result<Model<'a>, QuantizeError> {
        if self.layers.len() > MAX_LAYERS {
            return Err(QuantizeError::Shape {
                what: "artifact layers",
                expected: MAX_LAYERS,
                found: self.layers.len(),
            });
        }
        let layers = self.layers.iter().map(|l| l.map_bytes(Vec::as_slice));
        narrow("classes", self.config.classes)?;
        Ok(Model {
            meta,
            tokenizer: self.config.tokenizer(),
            // At most MAX_LAYERS (checked above), so collecting cannot overflow.
            layers: layers.collect(),
            head: head.map(|h| HeadMaster {
                input: self.head.input,
                weights: &h.weights,
                bias: &h.bias,
            }),
        })
    }
}
