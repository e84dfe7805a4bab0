//! End-to-end trainer tests on the planted-keyword task: KD and FT learn it; a run stopped
//! after an epoch resumes from its checkpoint to the same weights as an uninterrupted run.

use std::ops::ControlFlow;

use edgekd_models::burn::prelude::*;
use edgekd_models::student::{StudentConfig, StudentKind};

use super::synthetic::PlantedTask;
use super::*;

fn config(kind: StudentKind) -> TrainConfig {
    let student = StudentConfig::new(512, 16, 2)
        .with_kind(kind)
        .with_hidden(16);
    TrainConfig {
        epochs: 6,
        batch_size: 32,
        learning_rate: 1e-2,
        patience: 3,
        seed: 3,
        ..TrainConfig::new(student)
    }
}

fn data() -> (Vec<TrainExample>, Vec<TrainExample>) {
    let task = PlantedTask::default();
    (task.generate(1500, 1), task.generate(300, 2))
}

fn never_stop(_: &EpochReport) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
fn kd_and_ft_learn_planted_keywords() {
    let device = Device::flex();
    let (train, dev) = data();
    for (kind, mode) in [
        (StudentKind::Bag, Mode::Kd),
        (StudentKind::Bag, Mode::Ft),
        (StudentKind::Cnn, Mode::Kd),
        (StudentKind::Cnn, Mode::Ft),
    ] {
        let cfg = config(kind);
        let mut epochs = 0;
        let out = train_student(&cfg, &train, &dev, mode, &device, &mut |r| {
            epochs += 1;
            assert!(r.train_loss.is_finite() && r.samples_per_sec > 0.0);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(epochs, out.report.epochs.len());
        let acc = accuracy(&out.model, &dev, 512, 64, &device).unwrap();
        assert!(
            acc >= 0.85,
            "{kind} {mode:?}: dev accuracy {acc} (chance 0.5)"
        );
        assert_eq!(
            acc, out.report.best_dev_accuracy,
            "returned model is the best epoch's"
        );
    }
}

#[test]
fn resume_after_stop_matches_uninterrupted_run() {
    let device = Device::flex();
    let (train, dev) = data();
    let mode = Mode::Kd;
    let mut cfg = config(StudentKind::Bag);
    cfg.epochs = 4;
    cfg.patience = 10;
    let straight = train_student(&cfg, &train, &dev, mode, &device, &mut never_stop).unwrap();

    let dir = tempfile::tempdir().unwrap();
    cfg.checkpoint_dir = Some(dir.path().to_path_buf());
    let first = train_student(&cfg, &train, &dev, mode, &device, &mut |r| {
        if r.epoch == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(first.report.stop, StopReason::Interrupted);
    assert_eq!(first.report.epochs.len(), 2);
    assert!(dir.path().join("student.json").exists());
    assert!(dir.path().join("state.json").exists());

    let resumed = train_student(&cfg, &train, &dev, mode, &device, &mut never_stop).unwrap();
    assert_eq!(resumed.report.resumed_from, Some(2));
    assert_eq!(resumed.report.epochs.len(), 4);
    for (a, b) in straight.report.epochs.iter().zip(&resumed.report.epochs) {
        assert!((a.train_loss - b.train_loss).abs() < 1e-4, "{a:?} vs {b:?}");
        assert_eq!(a.dev_accuracy, b.dev_accuracy);
    }
    let wa: Vec<f32> = straight
        .model
        .output
        .weight
        .val()
        .into_data()
        .try_to_vec()
        .unwrap();
    let wb: Vec<f32> = resumed
        .model
        .output
        .weight
        .val()
        .into_data()
        .try_to_vec()
        .unwrap();
    for (x, y) in wa.iter().zip(&wb) {
        assert!((x - y).abs() < 1e-4, "{x} vs {y}");
    }

    // A different student config in the same directory is refused, not silently mixed.
    let mut other = cfg.clone();
    other.student.dim = 8;
    let err = train_student(&other, &train, &dev, mode, &device, &mut never_stop).unwrap_err();
    assert!(
        matches!(err, TrainError::CheckpointMismatch { .. }),
        "{err}"
    );
    // So is another KD temperature, or FT, on the checkpoint of a KD run.
    let mut hotter = cfg.clone();
    hotter.kd.temperature = 4.0;
    for (c, m) in [(&hotter, Mode::Kd), (&cfg, Mode::Ft)] {
        let err = train_student(c, &train, &dev, m, &device, &mut never_stop).unwrap_err();
        assert!(
            matches!(err, TrainError::CheckpointMismatch { .. }),
            "{m:?}: {err}"
        );
    }
}

#[test]
fn kd_without_teacher_logits_is_refused() {
    let device = Device::flex();
    let (mut train, dev) = data();
    train[7].teacher_logits = None;
    let mut cfg = config(StudentKind::Bag);
    cfg.kd.alpha = 0.0;
    let err = train_student(&cfg, &train, &dev, Mode::Kd, &device, &mut never_stop).unwrap_err();
    assert!(
        matches!(err, TrainError::TeacherLogits { index: 7, .. }),
        "{err}"
    );
}
