//! `edgekd eval MODEL.ekd --data CORPUS`: accuracy, macro-F1, per-class precision/recall and the
//! confusion matrix of an artifact, run with the device's own engine in-process or on a device.

use std::path::PathBuf;

use clap::Args;
use edgekd_device::engine::{arena_size, run as run_engine};
use edgekd_host::data::stratified_split;
use edgekd_host::pipeline::{load_corpus, Metrics};
use edgekd_host::terminal::Stage;
use edgekd_shared::artifact::{decode, VerifyPolicy};

/// Arguments of `edgekd eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The artifact.
    model: PathBuf,
    /// Corpus (as for `distill`); its test split is evaluated.
    #[arg(long, default_value = "rotten-tomatoes")]
    data: String,
    /// Text column of a user's table.
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Label column of a user's table.
    #[arg(long, default_value = "label")]
    label_col: String,
    /// Skip bad rows of a user's table up to MAX (default 100); without it the first is an error.
    #[arg(long, value_name = "MAX", num_args = 0..=1, default_missing_value = "100")]
    skip_bad_rows: Option<usize>,
    /// Split seed (the one the model was distilled with).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Evaluate at most this many test texts (0: all).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Run on a device: qemu, serial:PORT[@BAUD] or tcp:HOST:PORT (default: in-process).
    #[arg(long)]
    device: Option<String>,
    /// A run folder of `edgekd run`: show its f32 student and teacher beside the artifact.
    #[arg(long)]
    compare: Option<PathBuf>,
}

/// Runs `edgekd eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.model).map_err(|e| anyhow::anyhow!("{}: {e}", args.model.display()))?;
    let model = decode(&bytes, VerifyPolicy::AllowUnsigned)
        .map_err(|e| anyhow::anyhow!("{} is not a valid artifact: {e}", args.model.display()))?;
    // The run's figures are shown beside this artifact's only if they are this model's.
    let compared = match &args.compare {
        Some(run_dir) => Some(edgekd_host::inspect::check_run_model(&bytes, run_dir)?),
        None => None,
    };
    let (corpus, _) = load_corpus(
        &args.data,
        &args.text_col,
        &args.label_col,
        edgekd_host::data::BadRows::from_flag(args.skip_bad_rows),
    )?;
    let labels: Vec<String> = model.meta.labels.iter().map(|s| s.to_string()).collect();
    if labels != corpus.labels {
        anyhow::bail!(
            "the model's labels {labels:?} are not the corpus's {:?}",
            corpus.labels
        );
    }
    let mut test = stratified_split(&corpus, 0.1, 0.2, args.seed)?.test;
    if args.limit > 0 {
        test.examples.truncate(args.limit);
    }
    if test.is_empty() {
        anyhow::bail!(
            "{}: the test split (seed {}) is empty: no accuracy to measure",
            args.data,
            args.seed
        );
    }
    let gold: Vec<usize> = test.examples.iter().map(|e| e.label).collect();
    let mut arena = vec![0u8; arena_size(&model)?];
    let host: Vec<usize> = test
        .examples
        .iter()
        .map(|e| run_engine(&model, &e.text, &mut arena).map(|p| p.label))
        .collect::<Result<_, _>>()?;
    let predicted = match &args.device {
        None => host.clone(),
        Some(spec) => {
            let key = edgekd_host::keys::dev_signing_key()?;
            let flash = tempfile::NamedTempFile::new()?;
            let mut dev = super::target::connect(
                spec,
                &edgekd_host::keys::hex(key.verifying_key().as_bytes()),
                flash.path(),
            )?;
            dev.client.hello()?;
            let bar = Stage::start("Flashing", Some(bytes.len() as u64));
            let report = dev
                .client
                .flash(&bytes, |done, _| bar.set_position(u64::from(done)))?;
            bar.finish(format!(
                "model {} ({} bytes) into slot {:?}",
                report.model_id, report.len, report.slot
            ));
            let bar = Stage::start("Evaluating", Some(test.len() as u64));
            let mut out = Vec::with_capacity(test.len());
            let mut instructions = Vec::with_capacity(test.len());
            for e in &test.examples {
                let p = dev.client.infer(&e.text)?;
                out.push(usize::from(p.label));
                instructions.push(p.instructions);
                bar.inc(1);
            }
            bar.finish(format!("{} texts on the device", test.len()));
            let stats = dev.client.stats()?;
            instructions.sort_unstable();
            let mean = instructions.iter().map(|&v| f64::from(v)).sum::<f64>()
                / instructions.len().max(1) as f64;
            println!(
                "per inference on the device: mean {mean:.0}, median {}, max {} instructions",
                instructions
                    .get(instructions.len() / 2)
                    .copied()
                    .unwrap_or(0),
                instructions.last().copied().unwrap_or(0)
            );
            println!("device stats: {stats:?}");
            let differ = out.iter().zip(&host).filter(|(a, b)| a != b).count();
            println!(
                "device predictions equal to the host simulation on {} of {} texts",
                out.len() - differ,
                out.len()
            );
            if differ > 0 {
                anyhow::bail!("{differ} device predictions differ from the host simulation");
            }
            out
        }
    };
    let m = Metrics::compute(&labels, &gold, &predicted);
    println!(
        "{} on {} ({} test texts, split seed {})",
        args.model.display(),
        args.data,
        test.len(),
        args.seed
    );
    print!("{}", m.table());
    if let Some(run_dir) = &args.compare {
        let path = run_dir.join("metrics.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let acc = |x: &serde_json::Value| x["accuracy"].as_f64().unwrap_or(f64::NAN) * 100.0;
        println!(
            "\ncompared with {} (the run of model {}):",
            path.display(),
            compared.map(|id| id.to_string()).unwrap_or_default()
        );
        println!(
            "  teacher            test accuracy {:.2}%",
            acc(&v["teacher"][1])
        );
        if let Some(students) = v["students"].as_array() {
            for s in students {
                println!(
                    "  student {:<10} test accuracy {:.2}% (f32)",
                    s[0].as_str().unwrap_or("?"),
                    acc(&s[2])
                );
            }
        }
        println!(
            "  this artifact      test accuracy {:.2}% (int8)",
            100.0 * m.accuracy
        );
    }
    Ok(())
}
