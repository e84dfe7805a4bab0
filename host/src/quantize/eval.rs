//! Host int8 evaluation against labels and against the f32 student, and the choice of the
//! calibration method. The int8 predictions are the device engine's (`edgekd_device::engine`),
//! run on the quantized student's own layers.

use edgekd_device::engine::{arena_size, run_tokens};
use edgekd_models::burn::prelude::*;
use edgekd_models::student::Student;
use serde::{Deserialize, Serialize};

use super::calibrate::Calibration;
use super::error::QuantizeError;
use super::model::QuantizedStudent;
use super::quantizer::quantize_student;
use crate::train::{predict, TrainExample};

/// How the int8 student compares with the f32 one on a set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Int8Comparison {
    /// Examples compared.
    pub examples: usize,
    /// Fraction of examples where int8 and f32 predict the same class.
    pub agreement: f64,
    /// f32 accuracy.
    pub f32_accuracy: f64,
    /// int8 accuracy.
    pub int8_accuracy: f64,
}

/// int8 predictions of every example: the device engine on `q`'s layers, one arena for all.
pub fn predict_int8(
    q: &QuantizedStudent,
    examples: &[TrainExample],
) -> Result<Vec<usize>, QuantizeError> {
    let mut arena = vec![0u8; arena_size(q)?];
    examples
        .iter()
        .map(|e| Ok(run_tokens(q, &e.tokens, &mut arena)?.label))
        .collect()
}

/// Compares `q` with the f32 `model` (on the plain `device`) on `examples`.
pub fn compare(
    q: &QuantizedStudent,
    model: &Student,
    examples: &[TrainExample],
    device: &Device,
) -> Result<Int8Comparison, QuantizeError> {
    let n = examples.len().max(1) as f64;
    let f32_preds = predict(model, examples, q.config.buckets, 256, device)?;
    let int8_preds = predict_int8(q, examples)?;
    let mut agree = 0usize;
    let (mut f_ok, mut i_ok) = (0usize, 0usize);
    for ((f, i), e) in f32_preds.iter().zip(&int8_preds).zip(examples) {
        agree += usize::from(f == i);
        f_ok += usize::from(*f == e.label);
        i_ok += usize::from(*i == e.label);
    }
    Ok(Int8Comparison {
        examples: examples.len(),
        agreement: agree as f64 / n,
        f32_accuracy: f_ok as f64 / n,
        int8_accuracy: i_ok as f64 / n,
    })
}

/// Quantizes with min/max and with each of `percentiles`, and keeps the one whose int8
/// predictions agree best with the f32 student on `check` (ties: the earlier candidate, so
/// min/max wins a tie). Agreement with the f32 model, not label accuracy, is the criterion:
/// it measures quantization error alone and needs no labels.
pub fn quantize_best(
    model: &Student,
    config: &edgekd_models::student::StudentConfig,
    calibration: &[TrainExample],
    check: &[TrainExample],
    percentiles: &[f64],
    device: &Device,
) -> Result<(QuantizedStudent, Vec<(Calibration, Int8Comparison)>), QuantizeError> {
    let mut methods = vec![Calibration::MinMax];
    methods.extend(percentiles.iter().map(|&p| Calibration::Percentile(p)));
    let mut tried = Vec::with_capacity(methods.len());
    let mut best: Option<(QuantizedStudent, f64)> = None;
    for method in methods {
        let q = quantize_student(model, config, calibration, method, device)?;
        let cmp = compare(&q, model, check, device)?;
        tried.push((method, cmp));
        if best.as_ref().is_none_or(|(_, a)| cmp.agreement > *a) {
            best = Some((q, cmp.agreement));
        }
    }
    match best {
        Some((q, _)) => Ok((q, tried)),
        None => Err(QuantizeError::EmptyCalibration),
    }
}
