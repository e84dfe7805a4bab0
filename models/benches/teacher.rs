//! Teacher throughput on the CPU backends: labelling (forward) sentences/s for flex and ndarray,
//! and fine-tuning steps/s on flex.
//!
//! ```text
//! CARGO_TARGET_DIR=target-burn cargo bench -p edgekd-models --bench teacher
//! EDGEKD_BENCH_TEXTS=256 EDGEKD_BENCH_TRAIN_STEPS=5 ... (defaults 128 and 4)
//! ```
//! Needs the model (see `edgekd_models::teacher::find_minilm_dir`); run the fixture test once to
//! fetch it.

use std::time::Instant;

use edgekd_models::backend::BackendKind;
use edgekd_models::teacher::{find_minilm_dir, fine_tune, Teacher, TeacherTrainConfig};

/// Movie-review-like sentences (~20 words, near the Rotten Tomatoes mean of 18.5).
fn sentences(n: usize) -> Vec<String> {
    let openers = [
        "a gripping and beautifully acted drama that",
        "the plot was dull and the jokes fell flat, so the film",
        "despite a strong cast, this sluggish thriller",
        "an inventive, warm-hearted comedy which",
        "the director's latest effort is a muddled mess that",
        "with sharp writing and a terrific score, the movie",
    ];
    let endings = [
        "never quite earns its emotional payoff in the final act.",
        "keeps you guessing until the very last scene.",
        "overstays its welcome by at least half an hour.",
        "reminds us why we go to the cinema in the first place.",
        "wastes a fine premise on clumsy dialogue and cheap scares.",
    ];
    (0..n)
        .map(|i| {
            format!(
                "{} {}",
                openers[i % openers.len()],
                endings[(i / openers.len()) % endings.len()]
            )
        })
        .collect()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let Some(dir) = find_minilm_dir() else {
        eprintln!("teacher bench: no MiniLM directory found (set EDGEKD_MINILM_DIR or run the fixture test)");
        return;
    };
    let n = env_usize("EDGEKD_BENCH_TEXTS", 128);
    let texts = sentences(n);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "teacher bench: {n} sentences, batch 32, {threads} CPU threads, model {}",
        dir.display()
    );
    for kind in [BackendKind::Flex, BackendKind::NdArray] {
        let device = kind.device().expect("CPU backend");
        for max_len in [128usize, 64] {
            let teacher =
                Teacher::from_pretrained(&dir, 2, max_len, 1, &device).expect("load teacher");
            // Warm-up batch (allocations, thread pools).
            teacher.label(&texts[..32.min(n)], None).expect("label");
            let start = Instant::now();
            let rows = teacher.label(&texts, None).expect("label");
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(rows.len(), n);
            println!(
                "label  backend={:<7} max_len={max_len:<3} {:>7.1} sentences/s  ({n} in {secs:.2} s)",
                kind.name(),
                n as f64 / secs
            );
        }
    }
    let steps = env_usize("EDGEKD_BENCH_TRAIN_STEPS", 4);
    let train: Vec<(String, usize)> = sentences(32 * steps)
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, i % 2))
        .collect();
    for (freeze_layers, what) in [(0usize, "all 6 layers"), (4, "top 2 layers")] {
        let teacher =
            Teacher::from_pretrained(&dir, 2, 64, 1, &BackendKind::Flex.device().unwrap()).unwrap();
        let cfg = TeacherTrainConfig::new()
            .with_epochs(1)
            .with_max_steps(Some(steps))
            .with_freeze_layers(freeze_layers);
        let (_, report) = fine_tune(teacher, &train, &[], &cfg, |_| {}).expect("fine-tune");
        println!(
            "train  backend=flex    max_len=64  batch=32 training {what} (embeddings frozen): {:.3} steps/s, {:.1} examples/s ({} steps)",
            report.steps_per_second, report.examples_per_second, report.steps
        );
    }
}
