//! `Infer` / `InferTokens`: the engine over the active model, then (once the learner has taken
//! a step) the learner's f32 head over the dequantized head input.

use edgekd_shared::protocol::{ErrorCode, Response, MAX_CLASSES, MAX_TEXT};
use edgekd_shared::quant::ActQuant;
use embedded_storage::nor_flash::NorFlash;

use super::reply::{self, error};
use super::{Platform, Server};
use crate::engine::{infer, Input};
use crate::learner::{dequantize_input, HeadLearner, LearnError, MAX_HEAD_IN};
use crate::storage::MappedFlash;

/// The prediction of a learned f32 head: `label` (first largest f32 logit) and the f32 logits
/// quantized with the model's output quantization `output_quant`, `[classes]` int8.
///
/// `head_input` `[in_dim]` int8 is the activation fed to the last layer, in `input_quant`; it is
/// dequantized exactly as the learner's journal does (`scale · (q − zero_point)`), so the host's
/// simulation and the device give the same bits.
pub fn head_prediction<const W: usize>(
    learner: &HeadLearner<W>,
    head_input: &[i8],
    input_quant: ActQuant,
    output_quant: ActQuant,
) -> Result<(usize, heapless::Vec<i8, MAX_CLASSES>), LearnError> {
    let n = head_input.len();
    let mut x = [0.0f32; MAX_HEAD_IN];
    let x = x.get_mut(..n).ok_or(LearnError::LengthMismatch {
        what: "head input",
        expected: learner.in_dim(),
        found: n,
    })?;
    dequantize_input(head_input, input_quant.scale, input_quant.zero_point, x);
    let mut z = [0.0f32; MAX_CLASSES];
    learner.logits(x, &mut z)?;
    let z = z.get(..learner.out_dim()).unwrap_or(&[]);
    let mut label = 0;
    let mut logits = heapless::Vec::new();
    for (c, &v) in z.iter().enumerate() {
        if v > z.get(label).copied().unwrap_or(f32::NEG_INFINITY) {
            label = c;
        }
        // Same capacity as `z`: never full.
        let _ = logits.push(output_quant.quantize(v));
    }
    Ok((label, logits))
}

impl<F, P, A, const W: usize> Server<'_, F, P, A, W>
where
    F: NorFlash + MappedFlash,
    P: Platform,
    A: AsMut<[u8]> + AsRef<[u8]>,
{
    pub(super) fn infer(&mut self, input: Input<'_>) -> Response<'static> {
        if matches!(input, Input::Text(text) if text.len() > MAX_TEXT) {
            return error(ErrorCode::TooLarge, reply::sat(MAX_TEXT));
        }
        let Some(bytes) = self.storage.model() else {
            return error(ErrorCode::NoModel, 0);
        };
        let Ok(model) = edgekd_shared::artifact::decode_trusted(bytes) else {
            return error(ErrorCode::Internal, reply::INTERNAL_MODEL);
        };
        let learned = self.head.ready && self.learner.updates() > 0;
        let start = self.platform.instructions();
        let inference = match infer(&model, input, self.arena.as_mut()) {
            Ok(i) => i,
            Err(e) => return reply::engine(&e),
        };
        let (label, logits) = match (learned, inference.head_input_quant) {
            (true, Some(q)) => {
                match head_prediction(
                    &self.learner,
                    inference.head_input,
                    q,
                    inference.prediction.quant,
                ) {
                    Ok(p) => p,
                    Err(e) => return reply::learn(&e, self.learner.out_dim()),
                }
            }
            _ => (inference.prediction.label, inference.prediction.logits),
        };
        let instructions = self.platform.instructions().wrapping_sub(start);
        self.stats.inferences = self.stats.inferences.wrapping_add(1);
        self.stats.last_infer_cycles = instructions;
        Response::Prediction {
            label: u8::try_from(label).unwrap_or(u8::MAX),
            logits,
            instructions,
        }
    }
}
