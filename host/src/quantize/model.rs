//! The int8 student as plain owned data: the artifact's own [`Layer`] with `Vec<u8>` tables (what
//! the encoder borrows), run on the host by the device's engine through [`Network`].

use edgekd_models::student::StudentConfig;
use edgekd_shared::artifact::{Layer, Network};
use edgekd_shared::quant::ActQuant;
use edgekd_shared::tokenizer::TokenizerConfig;
use serde::{Deserialize, Serialize};

use super::calibrate::Calibration;

/// f32 master copy of the classifier that on-device KD updates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadMasterF32 {
    /// Quantization of the head's int8 input (the features).
    pub input: ActQuant,
    /// `[classes, inputs]` row-major.
    pub weights: Vec<f32>,
    /// `[classes]`.
    pub bias: Vec<f32>,
}

/// A post-training-quantized student: tokenizer settings, int8 layers and the f32 head master.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantizedStudent {
    /// The f32 student's config (tokenizer fields included).
    pub config: StudentConfig,
    /// Layers in execution order, tables owned (`Vec<u8>`: int8 as two's complement bytes).
    pub layers: Vec<Layer<Vec<u8>>>,
    /// f32 copy of the last dense layer.
    pub head: HeadMasterF32,
    /// How activation ranges were calibrated.
    pub calibration: Calibration,
}

impl QuantizedStudent {
    /// Bytes of int8 parameters plus the f32 head master.
    pub fn param_bytes(&self) -> usize {
        let layers: usize = self.layers.iter().map(Layer::table_bytes).sum();
        layers + 4 * (self.head.weights.len() + self.head.bias.len())
    }
}

/// The device engine (`edgekd_device::engine::{run_tokens, infer, arena_size}`) runs a quantized
/// student as it is: the host's int8 evaluation is the device's code.
impl Network for QuantizedStudent {
    type Bytes = Vec<u8>;

    fn tokenizer(&self) -> TokenizerConfig {
        self.config.tokenizer()
    }

    fn layers(&self) -> &[Layer<Vec<u8>>] {
        &self.layers
    }
}
