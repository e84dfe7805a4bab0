//! f32 evaluation of a student: predictions and accuracy over a set of examples.

use edgekd_models::burn::prelude::*;
use edgekd_models::student::{Student, TokenBatch};

use super::config::TrainExample;
use super::error::TrainError;

/// Predicted class of every example, computed in batches of `batch_size` on the model's device.
pub fn predict(
    model: &Student,
    examples: &[TrainExample],
    buckets: usize,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<usize>, TrainError> {
    let mut out = Vec::with_capacity(examples.len());
    for chunk in examples.chunks(batch_size.max(1)) {
        let seqs: Vec<&[u32]> = chunk.iter().map(|e| e.tokens.as_slice()).collect();
        let batch = TokenBatch::new(&seqs, buckets, 1, device)?;
        out.extend(model.predict(&batch));
    }
    Ok(out)
}

/// Fraction of `examples` whose predicted class is the label (0 for an empty set).
pub fn accuracy(
    model: &Student,
    examples: &[TrainExample],
    buckets: usize,
    batch_size: usize,
    device: &Device,
) -> Result<f64, TrainError> {
    if examples.is_empty() {
        return Ok(0.0);
    }
    let preds = predict(model, examples, buckets, batch_size, device)?;
    let correct = preds
        .iter()
        .zip(examples)
        .filter(|(p, e)| **p == e.label)
        .count();
    Ok(correct as f64 / examples.len() as f64)
}
