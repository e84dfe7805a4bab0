//! The teacher side by side with PyTorch on this CPU, in one run: labelling (forward) at max_len
//! 128 and 64 and fine-tuning (forward + backward + AdamW, max_len 64), batch 32, on two sets of
//! texts: the reference harness's generated sentences (6 openers × 5 endings, ~20 words) and 1,024
//! real Rotten Tomatoes reviews in random order.
//!
//! ```text
//! EDGEKD_TORCH_REF=<folder of the PyTorch reference bert.py> \
//!   cargo bench --workspace --profile dev --bench teacher
//! EDGEKD_BENCH_TEXTS=256 EDGEKD_BENCH_TRAIN_STEPS=8 EDGEKD_BENCH_REFERENCE=1 ... (defaults)
//! EDGEKD_BENCH_SETS=sentences,reviews EDGEKD_BENCH_PARTS=label,train ... (all by default)
//! EDGEKD_BENCH_ROUNDS=3 ... (PyTorch then edgekd, repeated; the medians are the result)
//! ```
//! PyTorch runs through `teacher_torch.py` beside this file when `$EDGEKD_TORCH_REF` is set and
//! `python3 -c "import torch"` works (`pip install torch tokenizers safetensors numpy`: a benchmark
//! dependency only); the ratio printed is edgekd / PyTorch. edgekd runs its default encoder (the
//! fused kernels on burn-flex) and, with `EDGEKD_BENCH_REFERENCE=1`, burn's tensor-op modules over
//! padded batches too (the path every other backend takes). Threads: rayon's pool (all cores, or
//! `RAYON_NUM_THREADS`) for edgekd, the same count for PyTorch.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use edgekd_host::train::teacher::{fine_tune, TeacherTrainConfig, TrainEvent};
use edgekd_models::burn::prelude::Device;
use edgekd_models::teacher::{EncoderPath, Teacher};
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// The reference harness's sentences (~20 words, near the Rotten Tomatoes mean of 18.5).
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
        .map(|i| format!("{} {}", openers[i % 6], endings[(i / 6) % 5]))
        .collect()
}

/// 1,024 Rotten Tomatoes reviews, shuffled with a fixed seed.
fn reviews() -> Vec<String> {
    let path = edgekd_host::assets::ensure("rotten-tomatoes").expect("rotten-tomatoes asset");
    let (data, _) = edgekd_host::data::rotten_tomatoes(&path).expect("load rotten-tomatoes");
    let mut texts: Vec<String> = data
        .examples
        .into_iter()
        .map(|e| e.text.replace(['\n', '\r'], " "))
        .collect();
    texts.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(7));
    texts.truncate(1024);
    texts
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// PyTorch's rates for one set: (max_len, texts/s) for labelling, then examples/s for training.
struct TorchRates {
    label: Vec<(usize, f64)>,
    train: Option<f64>,
}

fn torch(
    reference: &Path,
    model: &Path,
    texts: &[String],
    threads: usize,
    steps: usize,
) -> Option<TorchRates> {
    let file = std::env::temp_dir().join(format!("edgekd-bench-texts-{}.txt", std::process::id()));
    std::fs::write(&file, texts.join("\n")).ok()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/teacher_torch.py");
    let out = Command::new("python3")
        .arg(script)
        .arg("--ref")
        .arg(reference)
        .arg("--model")
        .arg(model)
        .arg("--texts")
        .arg(&file)
        .args([
            "--threads",
            &threads.to_string(),
            "--train-steps",
            &steps.to_string(),
        ])
        .output();
    let _ = std::fs::remove_file(&file);
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            eprintln!(
                "PyTorch reference failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Err(e) => {
            eprintln!("PyTorch reference not run: {e}");
            return None;
        }
    };
    let mut rates = TorchRates {
        label: Vec::new(),
        train: None,
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        println!("  {line}");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["label", len, rate] => {
                let len = len.trim_start_matches("max_len=").parse().ok()?;
                rates.label.push((len, rate.parse().ok()?));
            }
            ["train", _, rate] => rates.train = rate.parse().ok(),
            _ => {}
        }
    }
    Some(rates)
}

fn label_rate(teacher: &Teacher, texts: &[String]) -> f64 {
    teacher
        .label(&texts[..32.min(texts.len())], None)
        .expect("label");
    let start = Instant::now();
    let rows = teacher.label(texts, None).expect("label");
    assert_eq!(rows.len(), texts.len());
    texts.len() as f64 / start.elapsed().as_secs_f64()
}

fn train_rate(
    dir: &Path,
    texts: &[String],
    steps: usize,
    freeze_embeddings: bool,
    path: EncoderPath,
) -> f64 {
    let teacher = Teacher::from_pretrained(dir, 2, 64, 1, &Device::flex())
        .expect("load teacher")
        .with_encoder_path(path);
    // One warm-up step, then `steps` timed ones (the report times optimizer steps only).
    let train: Vec<(String, usize)> = texts
        .iter()
        .cycle()
        .take(32 * (steps + 1))
        .enumerate()
        .map(|(i, s)| (s.clone(), i % 2))
        .collect();
    let cfg = TeacherTrainConfig::new()
        .with_epochs(1)
        .with_max_steps(Some(steps + 1))
        .with_freeze_embeddings(freeze_embeddings);
    let mut times = Vec::new();
    let mut last = Instant::now();
    fine_tune(teacher, &train, &[], &cfg, |event| {
        if matches!(event, TrainEvent::Step { .. }) {
            times.push(last.elapsed().as_secs_f64());
            last = Instant::now();
        }
    })
    .expect("fine-tune");
    let timed: f64 = times.iter().skip(1).sum();
    (32 * steps) as f64 / timed
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Rates of one set over the rounds: `(what, edgekd rates, PyTorch rates)` per measurement.
#[derive(Default)]
struct Table {
    rows: Vec<(String, Vec<f64>, Vec<f64>)>,
}

impl Table {
    fn push(&mut self, what: &str, ours: f64, theirs: Option<f64>) {
        let pos = match self.rows.iter().position(|(w, _, _)| w == what) {
            Some(pos) => pos,
            None => {
                self.rows.push((what.to_string(), Vec::new(), Vec::new()));
                self.rows.len() - 1
            }
        };
        self.rows[pos].1.push(ours);
        self.rows[pos].2.extend(theirs);
    }

    fn print(&self, set: &str) {
        for (what, ours, theirs) in &self.rows {
            let (o, t) = (median(ours), median(theirs));
            let vs = if theirs.is_empty() {
                String::new()
            } else {
                format!("  PyTorch {t:>6.1}  ratio {:.2}", o / t)
            };
            println!(
                "{set:<9} {what:<48} edgekd {o:>6.1}{vs}   (rounds: {})",
                ours.len()
            );
        }
    }
}

fn main() {
    let dir: PathBuf = edgekd_host::assets::ensure("minilm-l6").expect("minilm-l6 asset");
    let threads = rayon::current_num_threads();
    let steps = env_usize("EDGEKD_BENCH_TRAIN_STEPS", 8);
    let rounds = env_usize("EDGEKD_BENCH_ROUNDS", 3).max(1);
    let with_reference = std::env::var("EDGEKD_BENCH_REFERENCE").is_ok_and(|v| v == "1");
    let torch_ref = std::env::var_os("EDGEKD_TORCH_REF").map(PathBuf::from);
    let has_torch = torch_ref.is_some()
        && Command::new("python3")
            .args(["-c", "import torch"])
            .output()
            .is_ok_and(|o| o.status.success());
    println!(
        "teacher bench: {threads} threads, batch 32, {rounds} rounds (PyTorch then edgekd in each; medians), model {}",
        dir.display()
    );
    if !has_torch {
        println!("PyTorch reference: not run (set EDGEKD_TORCH_REF and `pip install torch tokenizers safetensors numpy`)");
    }
    let chosen = |var: &str, name: &str| {
        std::env::var(var).map_or(true, |v| v.split(',').any(|p| p == name))
    };
    let mut sets = Vec::new();
    if chosen("EDGEKD_BENCH_SETS", "sentences") {
        sets.push(("sentences", sentences(env_usize("EDGEKD_BENCH_TEXTS", 256))));
    }
    if chosen("EDGEKD_BENCH_SETS", "reviews") {
        sets.push(("reviews", reviews()));
    }
    let (label, train) = (
        chosen("EDGEKD_BENCH_PARTS", "label"),
        chosen("EDGEKD_BENCH_PARTS", "train"),
    );
    let mut tables = Vec::new();
    for (name, texts) in &sets {
        let mut table = Table::default();
        for round in 0..rounds {
            println!("set {name} ({} texts), round {}", texts.len(), round + 1);
            let theirs = match (&torch_ref, has_torch) {
                (Some(r), true) => torch(r, &dir, texts, threads, steps),
                _ => None,
            };
            for max_len in [128usize, 64].into_iter().filter(|_| label) {
                let torch_rate = theirs
                    .as_ref()
                    .and_then(|t| t.label.iter().find(|(l, _)| *l == max_len).map(|(_, r)| *r));
                let teacher =
                    Teacher::from_pretrained(&dir, 2, max_len, 1, &Device::flex()).expect("load");
                let fused = label_rate(&teacher, texts);
                println!("  label max_len={max_len}: edgekd {fused:.1} texts/s");
                table.push(
                    &format!("label max_len={max_len} (texts/s)"),
                    fused,
                    torch_rate,
                );
                if with_reference {
                    let reference =
                        label_rate(&teacher.with_encoder_path(EncoderPath::Reference), texts);
                    table.push(
                        &format!("label max_len={max_len}, burn ops (texts/s)"),
                        reference,
                        torch_rate,
                    );
                }
            }
            let torch_train = theirs.as_ref().and_then(|t| t.train);
            let variants = [
                (false, "train all parameters (examples/s)"),
                (true, "train, embeddings frozen (examples/s)"),
            ];
            for (freeze, what) in variants.into_iter().filter(|_| train) {
                let rate = train_rate(&dir, texts, steps, freeze, EncoderPath::Fused);
                println!("  {what}: edgekd {rate:.1}");
                table.push(what, rate, torch_train);
            }
            if with_reference && train {
                let rate = train_rate(&dir, texts, steps, true, EncoderPath::Reference);
                table.push(
                    "train, embeddings frozen, burn ops (examples/s)",
                    rate,
                    torch_train,
                );
            }
        }
        tables.push((name, table));
    }
    println!("\nmedians (PyTorch trains every parameter, embeddings included; ratio = edgekd / PyTorch):");
    for (name, table) in &tables {
        table.print(name);
    }
}
