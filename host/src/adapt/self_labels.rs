//! The flashed student's own logits, as replay targets that hold the head to what it was
//! (learning without forgetting: replayed texts ask the head to keep its first answers).

use edgekd_device::engine::{arena_size, infer, Input};
use edgekd_device::learner::{dequantize_input, HeadLearner};
use edgekd_shared::artifact::Model;

use super::{clip_text, AdaptError};
use crate::device::SIM_HEAD_CAP;

/// Logits of `model` on each text as the device's learner sees them before its first update: the
/// int8 body run by the device crate's engine, then the artifact's f32 head master over the
/// dequantized head input (the learner's starting point, so the KL of a replayed text starts at 0).
///
/// # Shapes
/// - `texts`: `[n]`; returns `[n][classes]` f32 logits
pub fn student_logits(model: &Model<'_>, texts: &[String]) -> Result<Vec<Vec<f32>>, AdaptError> {
    let refuse = |reason: String| AdaptError::StudentLogits { reason };
    let mut learner = Box::new(HeadLearner::<SIM_HEAD_CAP>::empty());
    learner
        .load_model_head(model)
        .map_err(|e| refuse(e.to_string()))?;
    let classes = learner.out_dim();
    let mut arena = vec![0u8; arena_size(model).map_err(|e| refuse(format!("arena: {e:?}")))?];
    let mut x = vec![0.0f32; learner.in_dim()];
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let run = infer(model, Input::Text(clip_text(text)), &mut arena)
                .map_err(|e| refuse(format!("text {index}: {e:?}")))?;
            let q = run
                .head_input_quant
                .ok_or_else(|| refuse("the model's last layer is not a dense head".into()))?;
            dequantize_input(run.head_input, q.scale, q.zero_point, &mut x);
            let mut z = vec![0.0f32; classes];
            learner
                .logits(&x, &mut z)
                .map_err(|e| refuse(format!("text {index}: {e:?}")))?;
            Ok(z)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_shared::artifact::sample::{sample, SampleKind};
    use edgekd_shared::artifact::{decode, VerifyPolicy};

    #[test]
    fn the_heads_own_logits_pick_the_engines_label() {
        let bytes = sample(SampleKind::Bag, 5, None).unwrap().bytes;
        let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
        let texts: Vec<String> = ["a fine film", "dull and long", "", "x y z w"]
            .map(String::from)
            .to_vec();
        let logits = student_logits(&model, &texts).unwrap();
        let mut arena = vec![0u8; arena_size(&model).unwrap()];
        let classes = model.meta.labels.len();
        let mut agree = 0;
        for (text, z) in texts.iter().zip(&logits) {
            assert_eq!(z.len(), classes);
            assert!(z.iter().all(|v| v.is_finite()));
            let int8 = infer(&model, Input::Text(text), &mut arena).unwrap();
            agree += usize::from(edgekd_models::student::argmax(z) == int8.prediction.label);
        }
        // The f32 master and its int8 copy may differ on a near tie, not on most texts.
        assert!(agree >= texts.len() - 1, "{agree} of {}", texts.len());
    }
}
