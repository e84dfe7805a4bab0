//! The teacher on wgpu against burn-flex: the same weights (the pretrained MiniLM with a fresh head,
//! built on flex and moved to wgpu: burn draws a fresh parameter lazily, at first use, from the
//! backend's own generator, so the same seed does not give the same head on two backends), the same
//! sentences; prints labelling throughput on each backend and the largest logit difference, and
//! fails past 1e-3 (f32 on both sides, different kernels and summation orders).
//!
//! `XDG_RUNTIME_DIR=/tmp cargo test -p edgekd-models --features wgpu --test wgpu_teacher -- --nocapture`
//! (run by `scripts/gpu-check.sh`; the model folder comes from `$EDGEKD_MINILM_DIR`, which that script
//! sets from the host's asset cache).

#![cfg(feature = "wgpu")]

mod minilm;

use std::time::Instant;

use edgekd_models::backend::BackendKind;
use edgekd_models::burn::prelude::Device;
use edgekd_models::teacher::Teacher;

fn sentences(n: usize) -> Vec<String> {
    let openers = [
        "a gripping and beautifully acted drama that",
        "the plot was dull and the jokes fell flat, so the film",
        "despite a strong cast, this sluggish thriller",
        "an inventive, warm-hearted comedy which",
    ];
    let endings = [
        "never quite earns its emotional payoff in the final act.",
        "keeps you guessing until the very last scene.",
        "wastes a fine premise on clumsy dialogue and cheap scares.",
    ];
    (0..n)
        .map(|i| format!("{} {}", openers[i % 4], endings[(i / 4) % 3]))
        .collect()
}

/// Logits of `texts` by `teacher` and texts per second (after a warm-up batch).
fn run(teacher: &Teacher, texts: &[String]) -> (Vec<Vec<f32>>, f64) {
    teacher.label(&texts[..8], None).expect("warm-up");
    let start = Instant::now();
    let logits = teacher.label(texts, None).expect("label");
    (logits, texts.len() as f64 / start.elapsed().as_secs_f64())
}

#[test]
fn teacher_logits_on_wgpu_match_flex() {
    let texts = sentences(64);
    let wgpu = BackendKind::Wgpu
        .device()
        .expect("a wgpu adapter (lavapipe: mesa-vulkan-drivers)");
    let dir = minilm::model_dir();
    let on_cpu = Teacher::from_pretrained(&dir, 2, 64, 1, &Device::flex()).expect("load teacher");
    let (on_flex, flex_rate) = run(&on_cpu, &texts);
    let on_gpu = Teacher::from_pretrained(&dir, 2, 64, 1, &wgpu)
        .and_then(|t| t.with_net(on_cpu.net().clone()))
        .expect("the flex teacher's weights on wgpu");
    let (on_wgpu, wgpu_rate) = run(&on_gpu, &texts);
    let worst = on_flex
        .iter()
        .flatten()
        .zip(on_wgpu.iter().flatten())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    println!(
        "teacher labelling, 64 sentences, max_len 64: flex {flex_rate:.1} texts/s, wgpu {wgpu_rate:.1} texts/s ({:.2}x flex); max |logit difference| {worst:.2e}",
        wgpu_rate / flex_rate
    );
    assert!(worst < 1e-3, "wgpu and flex logits differ by {worst}");
}
