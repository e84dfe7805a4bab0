//! The int8 student agrees with the f32 one on a synthetic set.

use std::ops::ControlFlow;

use edgekd_device::engine::{arena_size, run_tokens};
use edgekd_models::burn::prelude::*;
use edgekd_models::student::{StudentConfig, StudentKind};

use super::*;
use crate::train::synthetic::PlantedTask;
use crate::train::{train_student, Mode, TrainConfig};

#[test]
fn int8_agrees_with_f32_on_planted_task() {
    let device = Device::flex();
    let task = PlantedTask {
        label_noise: 0.05,
        ..PlantedTask::default()
    };
    let (train, dev, test) = (
        task.generate(1500, 11),
        task.generate(300, 12),
        task.generate(1000, 13),
    );
    for kind in [StudentKind::Bag, StudentKind::Cnn] {
        let student = StudentConfig::new(512, 16, 2)
            .with_kind(kind)
            .with_hidden(16);
        let cfg = TrainConfig {
            epochs: 5,
            learning_rate: 1e-2,
            ..TrainConfig::new(student.clone())
        };
        let trained = train_student(&cfg, &train, &dev, Mode::Kd, &device, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        for method in [Calibration::MinMax, Calibration::Percentile(99.99)] {
            let q = quantize_student(&trained.model, &student, &train, method, &device).unwrap();
            let cmp = compare(&q, &trained.model, &test, &device).unwrap();
            assert!(cmp.agreement >= 0.97, "{kind} {method}: {cmp:?}");
            assert!(
                (cmp.f32_accuracy - cmp.int8_accuracy).abs() <= 0.01,
                "{kind} {method}: {cmp:?}"
            );
            assert!(q.param_bytes() > 512 * 16);
        }
        let (best, tried) =
            quantize_best(&trained.model, &student, &train, &dev, &[99.99], &device).unwrap();
        assert_eq!(tried.len(), 2);
        let best_agreement = tried.iter().map(|(_, c)| c.agreement).fold(0.0, f64::max);
        let chosen = tried.iter().find(|(m, _)| *m == best.calibration).unwrap();
        assert_eq!(chosen.1.agreement, best_agreement);
    }
}

#[test]
fn int8_logits_track_f32_logits() {
    let device = Device::flex();
    let task = PlantedTask::default();
    let train = task.generate(800, 21);
    let student = StudentConfig::new(512, 16, 2).with_hidden(16);
    let cfg = TrainConfig {
        epochs: 3,
        learning_rate: 1e-2,
        ..TrainConfig::new(student.clone())
    };
    let trained = train_student(&cfg, &train, &train, Mode::Ft, &device, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let q = quantize_student(
        &trained.model,
        &student,
        &train,
        Calibration::MinMax,
        &device,
    )
    .unwrap();
    let ex = &train[..50];
    let seqs: Vec<&[u32]> = ex.iter().map(|e| e.tokens.as_slice()).collect();
    let batch = edgekd_models::student::TokenBatch::new(&seqs, 512, 1, &device).unwrap();
    let f: Vec<f32> = trained
        .model
        .forward(&batch)
        .into_data()
        .try_to_vec()
        .unwrap();
    let range = f.iter().fold(0f32, |m, v| m.max(v.abs()));
    let mut arena = vec![0u8; arena_size(&q).unwrap()];
    for (i, e) in ex.iter().enumerate() {
        let l = run_tokens(&q, &e.tokens, &mut arena).unwrap().dequantize();
        for (c, v) in l.iter().enumerate() {
            let err = (v - f[i * 2 + c]).abs();
            assert!(
                err <= 0.1 * range,
                "example {i} class {c}: int8 {v} vs f32 {}",
                f[i * 2 + c]
            );
        }
    }
    // Empty text: defined output, no error.
    assert!(run_tokens(&q, &[], &mut arena).is_ok());
}

#[test]
fn artifact_encodes_decodes_and_fits_the_estimate() {
    let device = Device::flex();
    let task = PlantedTask::default();
    let train = task.generate(400, 31);
    for kind in [StudentKind::Bag, StudentKind::Cnn] {
        let student = StudentConfig::new(512, 16, 2)
            .with_kind(kind)
            .with_hidden(16);
        let cfg = TrainConfig {
            epochs: 1,
            ..TrainConfig::new(student.clone())
        };
        let trained = train_student(&cfg, &train, &train, Mode::Ft, &device, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let q = quantize_student(
            &trained.model,
            &student,
            &train,
            Calibration::MinMax,
            &device,
        )
        .unwrap();
        let head = q.head_bytes();
        let model = q.to_artifact(planted_metadata(""), Some(&head)).unwrap();
        let bytes = edgekd_shared::artifact::encode(&model, None).unwrap();
        let decoded = edgekd_shared::artifact::decode_trusted(&bytes).unwrap();
        assert_eq!(decoded, model);
        edgekd_shared::artifact::validate(&decoded).unwrap();
        let estimate = edgekd_models::student::footprint(&student, true);
        assert!(
            bytes.len() <= estimate.artifact_bytes,
            "{kind}: {} bytes > estimate {}",
            bytes.len(),
            estimate.artifact_bytes
        );
        assert!(bytes.len() >= estimate.param_bytes, "{kind}");
    }
}

/// Metadata of an artifact of a planted-task student (classes `neg`, `pos`).
pub(super) fn planted_metadata(notes: &str) -> edgekd_shared::artifact::Metadata<'_> {
    edgekd_shared::artifact::Metadata {
        labels: ["neg", "pos"].into_iter().collect(),
        teacher: "synthetic",
        dataset: "planted",
        degree: 0.0,
        copies: 0,
        git_rev: "test",
        board: "m4-1m",
        notes,
    }
}
