//! `edgekd adapt`: on-device distillation of a flashed student's head, driven from the host.
//!
//! ```text
//! edgekd adapt runs/<run>/model.ekd --device qemu --teacher <fine-tuned teacher dir> \
//!     --data tweets-binary --original rotten-tomatoes --map negative=rotten,positive=fresh \
//!     --updates 1000 --temperature 2
//! ```

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use edgekd_host::adapt::{self, AdaptPlan, EvalSet, Finish, LabelMap, Progress};
use edgekd_host::data::{stratified_split, stratified_subsample, Dataset};
use edgekd_host::device::{DeviceClient, SimDevice, DEFAULT_TIMEOUT};
use edgekd_host::pipeline::load_corpus;
use edgekd_host::qemu::{firmware_file, QemuDevice, QemuOptions};
use edgekd_models::teacher::{SoftLabelCache, Teacher};
use edgekd_shared::artifact::decode_trusted;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Arguments of `edgekd adapt`.
#[derive(Debug, clap::Args)]
pub struct AdaptArgs {
    /// The student artifact (`model.ekd`); it is flashed first unless the device already runs it.
    pub model: PathBuf,
    /// `sim` (in-process), `qemu` (emulated mps2-an386) or `serial:PORT` (a board).
    #[arg(long, default_value = "sim")]
    pub device: String,
    /// In-domain corpus (a name, or `csv:PATH` / `tsv:PATH` / `jsonl:PATH`).
    #[arg(long)]
    pub data: String,
    /// The original domain's corpus; its test split (same fractions and seed as `edgekd run`) is evaluated.
    #[arg(long)]
    pub original: String,
    /// The fine-tuned teacher's folder (as saved by `edgekd run`, `<cache>/teachers/<key>`).
    #[arg(long)]
    pub teacher: PathBuf,
    /// Number of `Learn` updates (the in-domain training texts are cycled through).
    #[arg(long, default_value_t = 1000)]
    pub updates: usize,
    /// Distillation temperature T, in [0.5, 20].
    #[arg(long, default_value_t = 2.0)]
    pub temperature: f32,
    /// In-domain label renames, `from=to,…` (e.g. `negative=rotten,positive=fresh`).
    #[arg(long, default_value = "")]
    pub map: String,
    /// Update counts after which both splits are evaluated.
    #[arg(long, value_delimiter = ',', default_values_t = adapt::DEFAULT_CHECKPOINTS)]
    pub checkpoints: Vec<usize>,
    /// Drop the updates at the end (`LearnRevert`) instead of committing them.
    #[arg(long)]
    pub revert: bool,
    /// Fraction of the in-domain corpus held out for evaluation.
    #[arg(long, default_value_t = 0.2)]
    pub held_out: f64,
    /// Which splits the checkpoints evaluate: `test` (the in-domain held-out split and the original
    /// corpus's test split) or `dev`, for choosing settings such as `--replay-ratio` without looking
    /// at test (in-domain training texts that no update uses, and the original corpus's dev split).
    #[arg(long, value_enum, default_value = "test")]
    pub evaluate: EvalSplits,
    /// At most this many texts per evaluated split (stratified subsample; 0: all).
    #[arg(long, default_value_t = 500)]
    pub eval_limit: usize,
    /// Dev and test fractions and seed of the original corpus's split (those of `edgekd run`).
    #[arg(long, default_value_t = 0.1)]
    pub original_dev: f64,
    /// See `--original-dev`.
    #[arg(long, default_value_t = 0.2)]
    pub original_test: f64,
    /// Seed of the splits and subsamples.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seed of the order of the updates (in-domain texts and replayed texts); default `--seed`.
    /// Other orders show how much a result owes to one order of SGD steps.
    #[arg(long)]
    pub order_seed: Option<u64>,
    /// Text and label columns for `csv:`/`tsv:`/`jsonl:` corpora.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// See `--text-col`.
    #[arg(long, default_value = "label")]
    pub label_col: String,
    /// Skip bad rows of a user's table up to MAX (default 100); without it the first is an error.
    #[arg(long, value_name = "MAX", num_args = 0..=1, default_missing_value = "100")]
    pub skip_bad_rows: Option<usize>,
    /// Public key the device checks models against (sim, qemu); default: the development key.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Baud rate for `serial:PORT`.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// Replay original-domain training texts between in-domain updates (rehearsal), so that the
    /// head keeps what it knew, labelled by the flashed `student` itself (its own outputs before
    /// the session: learning without forgetting; the default), by `teacher` (needs
    /// `--replay-teacher`), or `none`. Default: `student`, or `teacher` when `--replay-teacher`
    /// is given.
    #[arg(long, value_enum)]
    pub replay: Option<ReplayLabels>,
    /// The original domain's teacher, for `--replay teacher` (given alone, it implies it).
    #[arg(long)]
    pub replay_teacher: Option<PathBuf>,
    /// Replayed original-domain texts per in-domain text (0.5: one after every second in-domain
    /// text). The default, 1.5 with the student's own outputs, is the ratio chosen on dev
    /// (docs/on-device-learning.md): without replay the original domain lost 8.5–10 points.
    #[arg(long, default_value_t = adapt::DEFAULT_REPLAY_RATIO)]
    pub replay_ratio: f64,
    /// Original-domain training texts to replay from (a stratified subsample of its training split;
    /// 2,000 with the default seed are the originals `edgekd run` distilled on, so their labels are cached).
    #[arg(long, default_value_t = 2000)]
    pub replay_pool: usize,
    /// Flash file of the emulated device (qemu).
    #[arg(long, default_value = "target-host/adapt-flash.bin")]
    pub flash_file: PathBuf,
}

/// Who labels the replayed original-domain texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplayLabels {
    /// The original domain's teacher (`--replay-teacher`).
    Teacher,
    /// The flashed student's own outputs before the session.
    Student,
    /// No replay: in-domain updates only.
    None,
}

impl AdaptArgs {
    /// Who labels the replayed texts: `--replay`, else the teacher when `--replay-teacher` is
    /// given, else the student (the default, see `--replay-ratio`).
    fn replay_labels(&self) -> ReplayLabels {
        match (self.replay, &self.replay_teacher) {
            (Some(labels), _) => labels,
            (None, Some(_)) => ReplayLabels::Teacher,
            (None, None) => ReplayLabels::Student,
        }
    }
}

/// The splits the checkpoints evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalSplits {
    /// In-domain held-out split; original corpus's test split.
    Test,
    /// In-domain training texts left out of the updates; original corpus's dev split.
    Dev,
}

/// Everything a session needs, prepared on the host.
struct Prepared {
    artifact: Vec<u8>,
    train: Vec<adapt::SoftExample>,
    held_out: EvalSet,
    original: EvalSet,
    plan: AdaptPlan,
}

/// Runs `edgekd adapt`.
pub fn run(args: AdaptArgs) -> anyhow::Result<()> {
    let prepared = prepare(&args)?;
    let key = match &args.key {
        Some(path) => edgekd_host::keys::load_verifying_key(path)?,
        None => edgekd_host::keys::dev_signing_key()?.verifying_key(),
    };
    if args.device == "sim" {
        let mut client = DeviceClient::new(
            SimDevice::new(&key).map_err(|e| anyhow::anyhow!("simulated device: {e}"))?,
            DEFAULT_TIMEOUT,
        );
        session(&mut client, &prepared)
    } else if args.device == "qemu" {
        if let Some(dir) = args.flash_file.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let public = edgekd_host::keys::hex(key.as_bytes());
        let firmware = firmware_file(&public, &super::target::firmware_dir()?)?;
        let qemu = QemuDevice::start(&firmware, &args.flash_file, QemuOptions::default())?;
        let mut client = qemu.client()?;
        session(&mut client, &prepared)
    } else if let Some(port) = args.device.strip_prefix("serial:") {
        let mut client = DeviceClient::serial(port, args.baud, Duration::from_secs(10))?;
        session(&mut client, &prepared)
    } else {
        bail!("--device {:?}: use sim, qemu or serial:PORT", args.device)
    }
}

fn prepare(args: &AdaptArgs) -> anyhow::Result<Prepared> {
    let artifact =
        std::fs::read(&args.model).with_context(|| format!("reading {}", args.model.display()))?;
    let model =
        decode_trusted(&artifact).with_context(|| format!("decoding {}", args.model.display()))?;
    let model_labels: Vec<String> = model.meta.labels.iter().map(|s| s.to_string()).collect();
    if model.head.is_none() {
        bail!(
            "{}: the model has no f32 head master, so the device cannot learn",
            args.model.display()
        );
    }
    let map = LabelMap::parse(&args.map)?;

    let bad_rows = edgekd_host::data::BadRows::from_flag(args.skip_bad_rows);
    let (domain, _) = load_corpus(&args.data, &args.text_col, &args.label_col, bad_rows)?;
    let domain_to_model = map.resolve(&domain.labels, &model_labels)?;
    let split = stratified_split(&domain, 0.0, args.held_out, args.seed)?;
    let (original, _) = load_corpus(&args.original, &args.text_col, &args.label_col, bad_rows)?;
    let original_to_model = LabelMap::default().resolve(&original.labels, &model_labels)?;
    let original_split =
        stratified_split(&original, args.original_dev, args.original_test, args.seed)?;

    // Only as many training texts as updates need the teacher (a stratified subsample), in a seeded
    // random order: the subsample keeps the corpus file's order, and one SGD step per text in that
    // order dragged the head to one class and then the other.
    let order_seed = args.order_seed.unwrap_or(args.seed);
    let mut train_set = match args.updates {
        n if n > 0 && n < split.train.len() => stratified_subsample(&split.train, n, args.seed)?,
        _ => split.train.clone(),
    };
    train_set
        .examples
        .shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(order_seed));
    let teacher_texts: Vec<String> = train_set.examples.iter().map(|e| e.text.clone()).collect();
    let logits = teacher_logits(&args.teacher, &teacher_texts)?;
    let in_domain = adapt::soft_examples(
        &teacher_texts,
        &logits,
        model_labels.len(),
        args.temperature,
    )?;
    let train = match replay_examples(args, &model, &original_split.train, order_seed)? {
        Some((replay, labels)) => {
            println!(
                "replay: {} original-domain texts per in-domain text, from {} training texts \
                 labelled by the {labels}",
                args.replay_ratio,
                replay.len(),
            );
            adapt::interleave_replay(&in_domain, &replay, args.replay_ratio)
        }
        None => in_domain,
    };
    let eval_set = |name: &str, ds: &Dataset, to_model: &[usize]| -> anyhow::Result<EvalSet> {
        let ds = match args.eval_limit {
            n if n > 0 && n < ds.len() => stratified_subsample(ds, n, args.seed)?,
            _ => ds.clone(),
        };
        let gold = ds
            .examples
            .iter()
            .map(|e| {
                to_model
                    .get(e.label)
                    .copied()
                    .context("label index outside the corpus's labels")
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(EvalSet {
            name: name.into(),
            texts: ds.examples.iter().map(|e| e.text.clone()).collect(),
            gold,
        })
    };
    let (held_out, original) = match args.evaluate {
        EvalSplits::Test => (
            eval_set("in-domain held-out", &split.test, &domain_to_model)?,
            eval_set("original test", &original_split.test, &original_to_model)?,
        ),
        EvalSplits::Dev => {
            let used: std::collections::HashSet<&str> =
                teacher_texts.iter().map(String::as_str).collect();
            let unused = split
                .train
                .examples
                .iter()
                .filter(|e| !used.contains(e.text.as_str()));
            let in_domain_dev = split.train.with_examples(
                format!("{}/unused", split.train.name),
                unused.cloned().collect(),
            );
            (
                eval_set("in-domain dev", &in_domain_dev, &domain_to_model)?,
                eval_set("original dev", &original_split.dev, &original_to_model)?,
            )
        }
    };
    // What the student can at best learn from: the teacher's own accuracy on the held-out split.
    let teacher_held_out = teacher_logits(&args.teacher, &held_out.texts)?;
    let teacher_right = teacher_held_out
        .iter()
        .zip(&held_out.gold)
        .filter(|(l, &g)| edgekd_models::student::argmax(l) == g)
        .count();
    println!(
        "teacher on the {} split: {:.1}% ({teacher_right} of {})",
        held_out.name,
        100.0 * teacher_right as f64 / held_out.texts.len().max(1) as f64,
        held_out.texts.len()
    );
    let plan = AdaptPlan {
        updates: args.updates,
        temperature: args.temperature,
        checkpoints: args.checkpoints.clone(),
        finish: if args.revert {
            Finish::Revert
        } else {
            Finish::Commit
        },
    };
    drop(model);
    Ok(Prepared {
        artifact,
        train,
        held_out,
        original,
        plan,
    })
}

/// The replayed original-domain examples of `--replay` (and who labelled them), or `None` without
/// replay: a stratified subsample of `original_train` of `--replay-pool` texts in the order of
/// `order_seed`, labelled at `--temperature`.
fn replay_examples(
    args: &AdaptArgs,
    model: &edgekd_shared::artifact::Model<'_>,
    original_train: &Dataset,
    order_seed: u64,
) -> anyhow::Result<Option<(Vec<adapt::SoftExample>, &'static str)>> {
    let labels = args.replay_labels();
    if labels == ReplayLabels::None || args.replay_ratio <= 0.0 {
        return Ok(None);
    }
    let mut pool = match args.replay_pool {
        n if n > 0 && n < original_train.len() => {
            stratified_subsample(original_train, n, args.seed)?
        }
        _ => original_train.clone(),
    };
    pool.examples
        .shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(order_seed));
    let texts: Vec<String> = pool.examples.iter().map(|e| e.text.clone()).collect();
    let (logits, by) = match (labels, &args.replay_teacher) {
        (ReplayLabels::Teacher, Some(dir)) => (teacher_logits(dir, &texts)?, "teacher"),
        (ReplayLabels::Teacher, None) => bail!("--replay teacher needs --replay-teacher DIR"),
        (ReplayLabels::Student, _) => (adapt::student_logits(model, &texts)?, "student"),
        (ReplayLabels::None, _) => return Ok(None),
    };
    let replay = adapt::soft_examples(&texts, &logits, model.meta.labels.len(), args.temperature)?;
    Ok(Some((replay, by)))
}

/// Teacher logits (temperature 1) of `texts`, from the shared soft-label cache where present.
fn teacher_logits(dir: &std::path::Path, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
    let (kind, device) = edgekd_models::backend::select(None)?;
    tracing::info!("teacher: {} on {}", dir.display(), kind.name());
    let teacher = Teacher::load(dir, &device)
        .with_context(|| format!("loading the teacher in {}", dir.display()))?;
    let cache_root = edgekd_host::assets::Cache::from_env()?.root().to_path_buf();
    let mut cache = SoftLabelCache::open(&cache_root.join("soft-labels.ekdc"))?;
    let (logits, stats) = cache.label_with(&teacher, texts, None)?;
    tracing::info!(
        "teacher labels: {} from the cache, {} computed",
        stats.hits,
        stats.labelled
    );
    Ok(logits)
}

fn session<T: Read + Write>(client: &mut DeviceClient<T>, p: &Prepared) -> anyhow::Result<()> {
    client.hello().context("hello")?;
    if let Some(report) = adapt::ensure_flashed(client, &p.artifact)? {
        tracing::info!(
            "flashed model {} ({} bytes) into slot {:?}",
            report.model_id,
            report.len,
            report.slot
        );
    }
    let bar = indicatif::ProgressBar::new(p.plan.updates as u64);
    let report = adapt::adapt(
        client,
        &p.train,
        &p.held_out,
        &p.original,
        &p.plan,
        &mut |ev| match ev {
            Progress::Update { done, .. } => bar.set_position(done as u64),
            Progress::Checkpoint(c) => bar.println(format!(
                "after {} updates: in-domain {:?}, original {:?}",
                c.updates, c.in_domain, c.original
            )),
        },
    )?;
    bar.finish_and_clear();
    println!(
        "{}: {} texts; {}: {} texts; {} training texts at T = {}",
        p.held_out.name,
        p.held_out.texts.len(),
        p.original.name,
        p.original.texts.len(),
        p.train.len(),
        p.plan.temperature
    );
    print!("{}", report.table());
    println!("{}", report.summary());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        adapt: AdaptArgs,
    }

    fn parse(extra: &[&str]) -> AdaptArgs {
        let base = [
            "adapt",
            "m.ekd",
            "--data",
            "d",
            "--original",
            "o",
            "--teacher",
            "t",
        ];
        Cmd::try_parse_from(base.iter().chain(extra)).unwrap().adapt
    }

    /// The default is the setting the measurements chose: the student's own outputs replayed at
    /// R = 1.5 (no replay lost 8.5–10 points on the original domain).
    #[test]
    fn the_default_replays_the_students_own_outputs_at_the_ratio_chosen_on_dev() {
        let args = parse(&[]);
        assert_eq!(args.replay_labels(), ReplayLabels::Student);
        assert_eq!(args.replay_ratio, 1.5);
        assert_eq!(
            parse(&["--replay-teacher", "rt"]).replay_labels(),
            ReplayLabels::Teacher
        );
        assert_eq!(
            parse(&["--replay", "none"]).replay_labels(),
            ReplayLabels::None
        );
    }
}
