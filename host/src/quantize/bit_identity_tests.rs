//! The host's int8 evaluation is the device's: on every layer kind of the artifact format, a
//! quantized student run from the host's tokens (what calibration and the accuracies use) gives
//! the very logits, label and head input that the device path gives — the signed artifact,
//! decoded as the device decodes it, run by the engine on the raw text.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use ed25519_dalek::SigningKey;
use edgekd_device::engine::{arena_size, infer, Input};
use edgekd_models::burn::prelude::*;
use edgekd_models::student::{StudentConfig, StudentKind};
use edgekd_shared::artifact::{decode, encode, Layer, VerifyPolicy};
use edgekd_shared::kernels::Pool;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::tests::planted_metadata;
use super::*;
use crate::train::synthetic::PlantedTask;
use crate::train::{train_student, Mode, TrainConfig, TrainExample};

/// A quantized student of `kind`, trained briefly on the planted task (512 buckets, 2 classes).
fn quantized(kind: StudentKind, device: &Device) -> QuantizedStudent {
    let train = PlantedTask::default().generate(300, 51);
    let student = StudentConfig::new(512, 8, 2).with_kind(kind).with_hidden(8);
    let cfg = TrainConfig {
        epochs: 1,
        ..TrainConfig::new(student.clone())
    };
    let trained = train_student(&cfg, &train, &train, Mode::Ft, device, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    quantize_student(
        &trained.model,
        &student,
        &train,
        Calibration::MinMax,
        device,
    )
    .unwrap()
}

/// The quantizer's students and variants of them with the other options of each kind: an
/// `EmbedBag` with max pooling, a `Conv1d` without ReLU followed by mean pooling.
fn students(device: &Device) -> Vec<(&'static str, QuantizedStudent)> {
    let bag = quantized(StudentKind::Bag, device);
    let cnn = quantized(StudentKind::Cnn, device);
    let mut bag_max = bag.clone();
    for layer in &mut bag_max.layers {
        if let Layer::EmbedBag { pool, .. } = layer {
            *pool = Pool::Max;
        }
    }
    let mut cnn_linear_mean = cnn.clone();
    for layer in &mut cnn_linear_mean.layers {
        match layer {
            Layer::Conv1d { relu, .. } => *relu = false,
            Layer::GlobalPool { pool } => *pool = Pool::Mean,
            _ => {}
        }
    }
    vec![
        ("bag (mean)", bag),
        ("bag (max)", bag_max),
        ("cnn (relu, max)", cnn),
        ("cnn (linear, mean)", cnn_linear_mean),
    ]
}

/// Texts of 0 to 90 words (past `max_tokens`, so truncation is covered too), from a vocabulary
/// with case, punctuation, digits and non-ASCII letters.
fn texts() -> Vec<String> {
    const WORDS: [&str; 16] = [
        "good", "Bad", "film", "plot,", "boring", "great!", "the", "a", "not", "Zoë’s", "2024",
        "acting", "worst", "LOVED", "it.", "naïve",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(61);
    let mut texts: Vec<String> = (0..80)
        .map(|_| {
            let n = rng.gen_range(0..=30);
            let words: Vec<&str> = (0..n)
                .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
                .collect();
            words.join(" ")
        })
        .collect();
    texts.push(String::new());
    texts.push(WORDS.repeat(6).join(" "));
    texts
}

#[test]
fn host_int8_equals_the_device_engine_on_every_layer_kind() {
    let device = Device::flex();
    let key = SigningKey::from_bytes(&[3; 32]);
    let texts = texts();
    let mut covered = BTreeSet::new();
    let mut options = BTreeSet::new();
    for (name, q) in students(&device) {
        for layer in &q.layers {
            covered.insert(layer.name());
            // Exhaustive (no `_` arm): a new layer kind does not compile until this test covers it.
            match layer {
                Layer::EmbedBag { pool, .. } | Layer::GlobalPool { pool } => {
                    options.insert(format!("{} {pool:?}", layer.name()));
                }
                Layer::Conv1d { relu, .. } | Layer::Dense { relu, .. } => {
                    options.insert(format!("{} relu={relu}", layer.name()));
                }
                Layer::Embed { .. } => {}
            }
        }
        // The device's side: the signed artifact, decoded with the key, run on the text.
        let head = q.head_bytes();
        let meta = planted_metadata(name);
        let bytes = encode(&q.to_artifact(meta, Some(&head)).unwrap(), Some(&key)).unwrap();
        let model = decode(&bytes, VerifyPolicy::RequireKey(&key.verifying_key())).unwrap();
        let mut device_arena = vec![0u8; arena_size(&model).unwrap()];
        // The host's side: the quantized student itself, on the host's tokens.
        let mut host_arena = vec![0u8; arena_size(&q).unwrap()];
        assert_eq!(host_arena.len(), device_arena.len(), "{name}");
        let examples: Vec<TrainExample> = texts
            .iter()
            .map(|t| TrainExample::from_text(t, 0, None, &q.config).unwrap())
            .collect();
        let mut device_labels = Vec::new();
        for (text, example) in texts.iter().zip(&examples) {
            let on_device = infer(&model, Input::Text(text), &mut device_arena).unwrap();
            let on_host = infer(&q, Input::Tokens(&example.tokens), &mut host_arena).unwrap();
            assert_eq!(on_host.prediction, on_device.prediction, "{name}: {text:?}");
            assert_eq!(on_host.head_input, on_device.head_input, "{name}: {text:?}");
            assert_eq!(
                on_host.head_input_quant, on_device.head_input_quant,
                "{name}: {text:?}"
            );
            device_labels.push(on_device.prediction.label);
        }
        // What calibration and the accuracies count: the same labels.
        assert_eq!(
            predict_int8(&q, &examples).unwrap(),
            device_labels,
            "{name}"
        );
        // Not all one class: the comparison sees the logits move.
        let distinct: BTreeSet<_> = examples
            .iter()
            .map(|e| {
                infer(&q, Input::Tokens(&e.tokens), &mut host_arena)
                    .unwrap()
                    .prediction
                    .logits
                    .to_vec()
            })
            .collect();
        assert!(
            distinct.len() > 5,
            "{name}: {} distinct logits",
            distinct.len()
        );
    }
    let all: BTreeSet<_> = ["embed_bag", "embed", "conv1d", "dense", "global_pool"].into();
    assert_eq!(covered, all);
    let every_option: BTreeSet<String> = [
        "embed_bag Mean",
        "embed_bag Max",
        "conv1d relu=true",
        "conv1d relu=false",
        "global_pool Max",
        "global_pool Mean",
        "dense relu=true",
        "dense relu=false",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(options, every_option);
}
