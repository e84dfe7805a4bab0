//! The host's side of the teacher against the real all-MiniLM-L6-v2 checkpoint: the soft-label cache
//! (`edgekd_host::soft_labels`) and the fine-tuning loop (`edgekd_host::train::teacher`).
//!
//! The model folder comes from `$EDGEKD_MINILM_DIR` ([`minilm::model_dir`], shared with the tests of
//! `models`), which `scripts/test.sh` sets from the host's asset cache
//! (`edgekd assets path minilm-l6`); without it these tests fail, they never skip.
#![cfg(feature = "teacher")]

#[path = "../../models/tests/minilm/mod.rs"]
mod minilm;

use std::path::PathBuf;
use std::sync::OnceLock;

use edgekd_host::soft_labels::SoftLabelCache;
use edgekd_host::train::teacher::{accuracy, fine_tune, TeacherTrainConfig, TrainEvent};
use edgekd_models::burn::prelude::*;
use edgekd_models::teacher::Teacher;

/// The model folder, checked once.
fn model_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(minilm::model_dir)
}

fn teacher(classes: usize, max_len: usize) -> Teacher {
    Teacher::from_pretrained(model_dir(), classes, max_len, 7, &Device::flex()).unwrap()
}

#[test]
fn soft_label_cache_never_labels_twice() {
    let t = teacher(2, 64);
    let path = std::env::temp_dir().join(format!("edgekd-softlabels-{}.bin", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let texts = ["great acting", "terrible pacing", "great acting"];
    let (first, s1) = SoftLabelCache::open(&path)
        .unwrap()
        .label_with(&t, &texts, None)
        .unwrap();
    assert_eq!((s1.hits, s1.labelled), (0, 2));
    let (second, s2) = SoftLabelCache::open(&path)
        .unwrap()
        .label_with(&t, &texts, None)
        .unwrap();
    assert_eq!((s2.hits, s2.labelled), (3, 0));
    assert_eq!(first, second);
    assert_eq!(first, t.label(&texts, None).unwrap());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn fine_tuning_fits_a_toy_set_and_changes_the_id() {
    let t = teacher(2, 32);
    let pos = [
        "a wonderful, moving film",
        "brilliant and funny",
        "i loved every minute",
        "superb acting",
    ];
    let neg = [
        "a dull, boring mess",
        "awful and tedious",
        "i hated every minute",
        "terrible acting",
    ];
    let train: Vec<(String, usize)> = pos
        .iter()
        .map(|s| (s.to_string(), 1))
        .chain(neg.iter().map(|s| (s.to_string(), 0)))
        .collect();
    let before = t.id();
    let cfg = TeacherTrainConfig::new()
        .with_epochs(6)
        .with_batch_size(8)
        .with_head_lr(5e-3)
        .with_lr(1e-4)
        .with_warmup_fraction(0.0)
        .with_patience(6)
        .with_freeze_layers(4);
    let mut steps = 0;
    let (tuned, report) = fine_tune(t, &train, &train, &cfg, |e| {
        if let TrainEvent::Step { loss, .. } = e {
            assert!(loss.is_finite());
            steps += 1;
        }
    })
    .unwrap();
    println!("{report:?}");
    assert_eq!(steps, report.steps);
    assert_eq!(report.steps, 6);
    assert_ne!(tuned.id(), before);
    assert!(
        report.best_dev_accuracy >= 0.75,
        "toy set not fitted: {report:?}"
    );
    let kept = accuracy(
        tuned.net(),
        tuned.tokenizer(),
        &train,
        tuned.config().batch_size,
        tuned.device(),
    )
    .unwrap();
    assert!((kept - report.best_dev_accuracy).abs() < 1e-9);
}
