//! Student KD training throughput (samples/s) on the CPU backends, ndarray as the baseline and
//! flex beside it, for both student kinds at the default size, on the synthetic planted-keyword
//! task (token statistics like short reviews: 5–21 tokens per text).
//!
//! ```text
//! cargo bench --workspace --profile dev --features edgekd-host/ndarray --bench student
//! EDGEKD_BENCH_SAMPLES=8000 EDGEKD_BENCH_EPOCHS=2 ... (defaults 4000 and 2)
//! ```
//! Prints one line per kind and backend and the flex/ndarray ratio measured in the same run.

use std::ops::ControlFlow;

use edgekd_host::pipeline::DistillConfig;
use edgekd_host::train::synthetic::PlantedTask;
use edgekd_host::train::{train_student, Mode};
use edgekd_models::backend::BackendKind;
use edgekd_models::student::StudentKind;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let samples = env_usize("EDGEKD_BENCH_SAMPLES", 4000);
    let epochs = env_usize("EDGEKD_BENCH_EPOCHS", 2);
    let defaults = DistillConfig::default();
    let task = PlantedTask {
        buckets: defaults.buckets as u32,
        ..PlantedTask::default()
    };
    let (train, dev) = (task.generate(samples, 1), task.generate(500, 2));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "student KD training, {samples} samples x {epochs} epochs, batch {}, {threads} threads",
        defaults.batch_size
    );
    for kind in [StudentKind::Bag, StudentKind::Cnn] {
        let mut baseline = None;
        for backend in [BackendKind::NdArray, BackendKind::Flex] {
            let device = backend.device().expect("CPU backend");
            let mut cfg = defaults.clone();
            cfg.student_kind = kind;
            let mut tcfg = cfg.train_config(cfg.student(task.classes), 7);
            tcfg.epochs = epochs;
            tcfg.patience = epochs + 1;
            let out = train_student(&tcfg, &train, &dev, Mode::Kd, &device, &mut |_| {
                ControlFlow::Continue(())
            })
            .expect("training");
            let rate = out.report.mean_samples_per_sec();
            let ratio = baseline.map_or(1.0, |b: f64| rate / b);
            baseline.get_or_insert(rate);
            println!(
                "student kind={kind:<3} backend={backend:<7} samples/s={rate:>8.0} x{ratio:.2} of ndarray  (dev acc {:.3})",
                out.report.best_dev_accuracy
            );
        }
    }
}
