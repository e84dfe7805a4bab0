//! The teacher against the real all-MiniLM-L6-v2 checkpoint.
//!
//! The model folder comes from `$EDGEKD_MINILM_DIR` ([`minilm::model_dir`]), which `scripts/test.sh`
//! sets from the host's asset cache (`edgekd assets path minilm-l6`); without it these tests fail.
//!
//! The reference embeddings in `fixtures/minilm_embeddings.json` were computed independently by
//! `tools/fixtures/minilm_reference.py` (a numpy float64 BERT forward, one sentence at a time).
//!
//! Runs with `--features teacher`. The soft-label cache and the fine-tuning loop on the same checkpoint
//! are tested by the host (`host/tests/teacher_minilm.rs`).
#![cfg(feature = "teacher")]

mod minilm;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use edgekd_models::burn::prelude::*;
use edgekd_models::teacher::Teacher;
use serde_json::Value;

/// The model folder, checked once.
fn model_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(minilm::model_dir)
}

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_embeddings.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn teacher(classes: usize, max_len: usize) -> Teacher {
    Teacher::from_pretrained(model_dir(), classes, max_len, 7, &Device::flex()).unwrap()
}

#[test]
fn embeddings_match_the_numpy_reference() {
    let fx = fixture();
    let cases = fx["cases"].as_array().unwrap();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let t = teacher(2, 128);

    // Same WordPiece ids as the Python tokenizer, and the batch is padded to the longest.
    let enc = t.tokenizer().encode(&texts).unwrap();
    let longest = cases
        .iter()
        .map(|c| c["ids"].as_array().unwrap().len())
        .max()
        .unwrap();
    assert_eq!(enc.seq, longest);
    for (row, case) in cases.iter().enumerate() {
        let want: Vec<i64> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(
            &enc.ids[row * enc.seq..row * enc.seq + want.len()],
            &want[..],
            "ids of {:?}",
            texts[row]
        );
    }

    // All eight in one padded batch: the mask must hide the padding.
    let emb = t.embed(&texts).unwrap();
    assert_eq!(emb.dims(), [8, 384]);
    let got: Vec<f32> = emb.into_data().try_to_vec().unwrap();
    let mut worst = 0.0f64;
    for (row, case) in cases.iter().enumerate() {
        for (col, want) in case["embedding"].as_array().unwrap().iter().enumerate() {
            let d = (f64::from(got[row * 384 + col]) - want.as_f64().unwrap()).abs();
            worst = worst.max(d);
        }
    }
    println!("max |burn - numpy| over 8x384 = {worst:.3e}");
    assert!(worst < 1e-4, "max abs difference {worst} exceeds 1e-4");
}

#[test]
fn labels_are_batch_invariant_and_survive_save_load() {
    let t = teacher(3, 64);
    let texts = [
        "short",
        "a somewhat longer sentence about a film",
        "ok",
        "the flight was late",
    ];
    let all = t.label(&texts, None).unwrap();
    let one = t.label(&texts[1..2], None).unwrap();
    for (a, b) in all[1].iter().zip(&one[0]) {
        assert!((a - b).abs() < 1e-4, "padding changed logits: {a} vs {b}");
    }
    let hot = t.label(&texts, Some(2.0)).unwrap();
    assert!((hot[0][0] * 2.0 - all[0][0]).abs() < 1e-5);

    let dir = std::env::temp_dir().join(format!("edgekd-teacher-save-{}", std::process::id()));
    t.save(&dir).unwrap();
    let back = Teacher::load(&dir, &Device::flex()).unwrap();
    assert_eq!(back.id(), t.id());
    assert_eq!(back.config().max_len, 64);
    let again = back.label(&texts, None).unwrap();
    for (a, b) in all.iter().flatten().zip(again.iter().flatten()) {
        assert!((a - b).abs() < 1e-5, "save/load changed logits: {a} vs {b}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
