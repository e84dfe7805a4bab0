//! A small version of the whole host pipeline — corpus, teacher fine-tuning (a few steps of the real
//! MiniLM), synonym augmentation, soft labels, KD and FT students, int8 quantization, a signed
//! artifact — and a check that the device's engine, run in-process on every test text, predicts
//! exactly what the host's int8 evaluation predicts.
//!
//! Needs the `minilm-l6` and `wordnet` assets (fetched on first use, as `.ci/run` does).

use std::fmt::Write as _;
use std::path::Path;

use ed25519_dalek::SigningKey;
use edgekd_device::engine::{arena_size, run};
use edgekd_host::augment::Method;
use edgekd_host::pipeline::{best_trial, export_student, run_distill, Degree, DistillConfig};
use edgekd_models::student::StudentKind;
use edgekd_shared::artifact::{decode, VerifyPolicy};
use edgekd_shared::profile::M4_1M;

/// `rows` short reviews whose label follows from the sentiment words they contain.
fn write_corpus(path: &Path, rows: usize) {
    let good = [
        "wonderful",
        "moving",
        "brilliant",
        "charming",
        "funny",
        "superb",
    ];
    let bad = ["boring", "dull", "clumsy", "tedious", "awful", "lifeless"];
    let things = ["film", "story", "cast", "script", "ending", "score"];
    let mut csv = String::from("text,label\n");
    for i in 0..rows {
        let (words, label) = if i % 2 == 0 {
            (&good, "pos")
        } else {
            (&bad, "neg")
        };
        let _ = writeln!(
            csv,
            "\"the {} was {} and the {} felt {}\",{label}",
            things[i % 6],
            words[(i / 2) % 6],
            things[(i / 7) % 6],
            words[(i / 3 + 1) % 6]
        );
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn device_engine_matches_host_int8_evaluation_on_every_test_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("reviews.csv");
    write_corpus(&corpus, 240);
    let cfg = DistillConfig {
        corpus: format!("csv:{}", corpus.display()),
        train_size: None,
        dev_fraction: 0.2,
        test_fraction: 0.25,
        teacher_epochs: 1,
        teacher_max_len: 32,
        teacher_max_steps: Some(3),
        method: Method::Synonym,
        // `--degree search`: a dev-set sweep over two degrees with one copy each picks the degree.
        degree: Degree::Search(vec![0.1, 0.5]),
        search_copies: 1,
        copies: 2,
        student_kind: StudentKind::Bag,
        buckets: 512,
        dim: 8,
        hidden: 16,
        epochs: 20,
        learning_rate: 1e-2,
        backend: "flex".into(),
        train_kd_without_augmentation: false,
        out_dir: dir.path().join("run"),
        ..DistillConfig::default()
    };
    let outcome = run_distill(&cfg).expect("pipeline");
    assert_eq!(
        outcome
            .students
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["kd", "ft"]
    );
    assert_eq!(outcome.train.len(), 3 * outcome.train_originals);
    let searched: Vec<f64> = outcome.degree_search.iter().map(|t| t.degree).collect();
    assert_eq!(searched, [0.1, 0.5]);
    assert_eq!(Some(outcome.degree), best_trial(&outcome.degree_search));
    assert!(
        outcome.test_texts.len() >= 50,
        "{}",
        outcome.test_texts.len()
    );

    let key = SigningKey::from_bytes(&[7; 32]);
    let path = dir.path().join("model.ekd");
    let kd = &outcome.students[0];
    let export = export_student(&outcome, kd, &M4_1M, &key, &path).expect("export");
    assert_eq!(export.int8_test.examples, outcome.test_texts.len());

    // The artifact on disk, decoded as the device decodes it, predicts what the export measured.
    let bytes = std::fs::read(&path).unwrap();
    let model = decode(&bytes, VerifyPolicy::RequireKey(&key.verifying_key())).unwrap();
    let mut arena = vec![0u8; arena_size(&model).unwrap()];
    let correct = outcome
        .test_texts
        .iter()
        .zip(&outcome.test)
        .filter(|(text, ex)| run(&model, text, &mut arena).unwrap().label == ex.label)
        .count();
    let accuracy = correct as f64 / outcome.test_texts.len() as f64;
    assert_eq!(accuracy, export.int8_test.accuracy);
    assert!(
        accuracy >= 0.8,
        "int8 accuracy {accuracy} on a task the words decide"
    );
}
