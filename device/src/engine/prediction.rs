//! The answer of one inference.

use edgekd_shared::artifact::MAX_CLASSES;
use edgekd_shared::quant::ActQuant;

/// Raw int8 logits, the winning class, and the quantization to read the logits in real units.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// Index of the first largest logit (an index into the model's labels).
    pub label: usize,
    /// `[labels]` int8 logits, in the last layer's quantization.
    pub logits: heapless::Vec<i8, MAX_CLASSES>,
    /// Quantization of `logits` (the last layer's output `ActQuant`).
    pub quant: ActQuant,
}

impl Prediction {
    /// The logits in real units: `scale · (q − zero_point)`, `[labels]` f32.
    pub fn dequantize(&self) -> heapless::Vec<f32, MAX_CLASSES> {
        let mut out = heapless::Vec::new();
        for &q in &self.logits {
            // Same capacity as `logits`: never full.
            let _ = out.push(self.quant.dequantize(q));
        }
        out
    }
}

/// A prediction together with the int8 input of the last layer (the head), which the
/// on-device learner trains on. Borrows that input from the arena.
#[derive(Debug)]
pub struct Inference<'r> {
    /// The prediction.
    pub prediction: Prediction,
    /// `[inputs]` int8: the activation fed to the last layer, in `head_input_quant`. Empty
    /// when the last layer reads the token ids (a one-layer model).
    pub head_input: &'r [i8],
    /// Quantization of `head_input` (`None` for a one-layer model).
    pub head_input_quant: Option<ActQuant>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequantize_uses_scale_and_zero_point() {
        let p = Prediction {
            label: 1,
            logits: [4i8, 33].into_iter().collect(),
            quant: ActQuant {
                scale: 0.5,
                zero_point: 1,
            },
        };
        assert_eq!(p.dequantize().as_slice(), &[1.5, 16.0]);
    }
}
