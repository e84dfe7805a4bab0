//! Quantize a distilled student, export it as a signed artifact, and evaluate the artifact exactly as
//! the device will (the `device` engine in-process) against the f32 student.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use edgekd_device::engine::{arena_size, run};
use edgekd_shared::artifact::{decode, encode, Metadata, VerifyPolicy};
use edgekd_shared::profile::BoardProfile;
use serde::Serialize;

use super::distill::{DistillOutcome, StudentOutcome};
use super::error::PipelineError;
use super::metrics::Metrics;
use crate::inspect::{model_sizes, ModelSizes};
use crate::quantize::{quantize_best, Calibration, Int8Comparison};

/// Percentiles tried besides min/max when calibrating activation ranges.
pub const CALIBRATION_PERCENTILES: [f64; 3] = [99.9, 99.99, 99.999];

/// What the export produced and measured.
#[derive(Debug, Serialize)]
pub struct ExportOutcome {
    /// The artifact.
    pub path: PathBuf,
    /// Its sizes, as `inspect` reports them.
    pub sizes: ModelSizes,
    /// Every calibration tried, with its agreement with the f32 student on the dev set.
    pub calibrations: Vec<(String, Int8Comparison)>,
    /// The calibration kept.
    pub calibration: String,
    /// f32 student on the test set.
    pub f32_test: Metrics,
    /// The artifact, run by the device engine in-process, on the test set.
    pub int8_test: Metrics,
}

/// Git revision of the working tree, or `unknown`.
pub fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Quantizes `student` (calibrated on the training data, the calibration chosen on dev), signs and
/// writes the artifact to `path`, checks it against `profile`, and evaluates it on the test set.
pub fn export_student(
    outcome: &DistillOutcome,
    student: &StudentOutcome,
    profile: &BoardProfile,
    key: &SigningKey,
    path: &Path,
) -> Result<ExportOutcome, PipelineError> {
    let cfg = &student.trained.config;
    let stride = (outcome.train.len() / 4000).max(1);
    let calibration_set: Vec<_> = outcome.train.iter().step_by(stride).cloned().collect();
    let (q, tried) = quantize_best(
        &student.trained.model,
        cfg,
        &calibration_set,
        &outcome.dev,
        &CALIBRATION_PERCENTILES,
        &outcome.device,
    )
    .map_err(|e| PipelineError::Config(format!("quantization: {e}")))?;
    let head = q.head_bytes();
    if outcome.labels.len() > 16 {
        return Err(PipelineError::Config(format!(
            "{} classes; an artifact holds at most 16",
            outcome.labels.len()
        )));
    }
    let mut labels: heapless::Vec<&str, 16> = heapless::Vec::new();
    for l in &outcome.labels {
        let _ = labels.push(l.as_str());
    }
    let rev = git_revision();
    let notes = format!("student {}, calibration {}", student.name, q.calibration);
    let meta = Metadata {
        labels,
        teacher: "all-MiniLM-L6-v2 (fine-tuned)",
        dataset: &outcome.config.corpus,
        degree: outcome.degree as f32,
        copies: outcome.config.copies as u32,
        git_rev: &rev,
        board: profile.name,
        notes: &notes,
    };
    let model = q
        .to_artifact(meta, Some(&head))
        .map_err(|e| PipelineError::Config(format!("artifact: {e}")))?;
    let bytes =
        encode(&model, Some(key)).map_err(|e| PipelineError::Config(format!("artifact: {e}")))?;
    let verifying = key.verifying_key();
    let decoded = decode(&bytes, VerifyPolicy::RequireKey(&verifying))
        .map_err(|e| PipelineError::Config(format!("artifact check: {e}")))?;
    let sizes = model_sizes(&decoded, bytes.len()).map_err(PipelineError::Config)?;
    crate::inspect::check_profile(&sizes, profile).map_err(PipelineError::Config)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| PipelineError::Config(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, &bytes)
        .map_err(|e| PipelineError::Config(format!("{}: {e}", path.display())))?;

    // The device's engine on the test texts.
    let mut arena =
        vec![0u8; arena_size(&decoded).map_err(|e| PipelineError::Config(e.to_string()))?];
    let mut device_pred = Vec::with_capacity(outcome.test_texts.len());
    for text in &outcome.test_texts {
        let p = run(&decoded, text, &mut arena)
            .map_err(|e| PipelineError::Config(format!("engine: {e}")))?;
        device_pred.push(p.label);
    }
    let gold: Vec<usize> = outcome.test.iter().map(|e| e.label).collect();
    Ok(ExportOutcome {
        path: path.to_path_buf(),
        sizes,
        calibrations: tried
            .iter()
            .map(|(c, cmp): &(Calibration, Int8Comparison)| (c.to_string(), *cmp))
            .collect(),
        calibration: q.calibration.to_string(),
        f32_test: student.test.clone(),
        int8_test: Metrics::compute(&outcome.labels, &gold, &device_pred),
    })
}
