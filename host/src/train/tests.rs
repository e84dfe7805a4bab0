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

#[test]
fn checks_every_n_examples_return_the_best_step_and_resume_identically() {
    let device = Device::flex();
    let (train, dev) = data();
    let mut cfg = config(StudentKind::Bag);
    cfg.epochs = 3;
    cfg.patience = 100;
    // 1,500 examples an epoch in 46 batches of 32 and one of 28: checks fall inside epochs and
    // the count of examples since the last check carries over epoch ends.
    cfg.check_every = Some(500);
    let straight = train_student(&cfg, &train, &dev, Mode::Kd, &device, &mut never_stop).unwrap();
    let r = &straight.report;
    let mut want = Vec::new();
    let (mut step, mut seen, mut since) = (0usize, 0u64, 0usize);
    for epoch in 1..=3 {
        for batch in (0..train.len()).step_by(32) {
            let n = 32.min(train.len() - batch);
            step += 1;
            seen += n as u64;
            since += n;
            if since >= 500 {
                want.push((step, seen, epoch));
                since = 0;
            }
        }
    }
    assert_eq!(r.epochs.len(), 3);
    let got: Vec<(usize, u64, usize)> = r
        .checks
        .iter()
        .map(|c| (c.step, c.examples, c.epoch))
        .collect();
    assert_eq!(got, want);
    let best = r
        .checks
        .iter()
        .find(|c| c.step == r.best_step)
        .expect("best_step is one of the checks");
    assert_eq!(best.dev_accuracy, r.best_dev_accuracy);
    assert!(r
        .checks
        .iter()
        .all(|c| c.dev_accuracy <= r.best_dev_accuracy));
    let acc = accuracy(&straight.model, &dev, 512, 64, &device).unwrap();
    assert_eq!(
        acc, r.best_dev_accuracy,
        "returned model is the best check's"
    );

    // Stopped after epoch 1 and resumed: the same checks, the same best weights.
    let dir = tempfile::tempdir().unwrap();
    cfg.checkpoint_dir = Some(dir.path().to_path_buf());
    train_student(&cfg, &train, &dev, Mode::Kd, &device, &mut |_| {
        ControlFlow::Break(())
    })
    .unwrap();
    let resumed = train_student(&cfg, &train, &dev, Mode::Kd, &device, &mut never_stop).unwrap();
    assert_eq!(resumed.report.resumed_from, Some(1));
    let steps: Vec<usize> = resumed.report.checks.iter().map(|c| c.step).collect();
    let want: Vec<usize> = r.checks.iter().map(|c| c.step).collect();
    assert_eq!(steps, want);
    // Weights after a resume match to ~1e-4, not bit for bit (parallel sums; see the test above), so
    // a dev accuracy may move by an example or two; the returned model is the resumed run's best.
    let acc = accuracy(&resumed.model, &dev, 512, 64, &device).unwrap();
    assert_eq!(acc, resumed.report.best_dev_accuracy);
    assert!(
        (acc - r.best_dev_accuracy).abs() <= 0.01,
        "{acc} vs {}",
        r.best_dev_accuracy
    );
    let best_dirs = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("best-"))
        .count();
    assert_eq!(best_dirs, 1, "only the best check's weights are kept");

    // Patience counts checks: with patience 1 the run stops at the first check that is no better.
    let mut impatient = config(StudentKind::Bag);
    impatient.epochs = 30;
    impatient.patience = 1;
    impatient.check_every = Some(200);
    let out = train_student(&impatient, &train, &dev, Mode::Ft, &device, &mut never_stop).unwrap();
    let (checks, best) = (&out.report.checks, out.report.best_step);
    assert_eq!(out.report.stop, StopReason::EarlyStopped);
    assert_eq!(checks.iter().filter(|c| c.step > best).count(), 1);
    let last = checks.last().unwrap();
    assert!(last.step > best && last.dev_accuracy <= out.report.best_dev_accuracy);

    impatient.check_every = Some(0);
    let err =
        train_student(&impatient, &train, &dev, Mode::Ft, &device, &mut never_stop).unwrap_err();
    assert!(matches!(err, TrainError::BadConfig(_)), "{err}");
}
