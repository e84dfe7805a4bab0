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
use edgekd_host::adapt::{
    self, AdaptPlan, Corpora, EvalSplits, Finish, LabelMap, PrepareConfig, Prepared, Progress,
    ReplayLabels,
};
use edgekd_host::device::{DeviceClient, SimDevice, DEFAULT_TIMEOUT};
use edgekd_host::pipeline::load_corpus;
use edgekd_host::qemu::{firmware_file, QemuDevice, QemuOptions};
use edgekd_shared::artifact::decode_trusted;

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
    /// Flash file of the emulated device (qemu); default `adapt-flash.bin` in the cache's `qemu` folder.
    #[arg(long)]
    pub flash_file: Option<PathBuf>,
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

    /// The data settings of the session.
    fn prepare_config(&self) -> PrepareConfig {
        PrepareConfig {
            plan: AdaptPlan {
                updates: self.updates,
                temperature: self.temperature,
                checkpoints: self.checkpoints.clone(),
                finish: if self.revert {
                    Finish::Revert
                } else {
                    Finish::Commit
                },
            },
            held_out: self.held_out,
            evaluate: self.evaluate,
            eval_limit: self.eval_limit,
            original_dev: self.original_dev,
            original_test: self.original_test,
            seed: self.seed,
            order_seed: self.order_seed,
            replay: self.replay_labels(),
            replay_ratio: self.replay_ratio,
            replay_pool: self.replay_pool,
        }
    }
}

/// Runs `edgekd adapt`.
pub fn run(args: AdaptArgs) -> anyhow::Result<()> {
    let (artifact, prepared) = prepare(&args)?;
    let key = match &args.key {
        Some(path) => edgekd_host::keys::load_verifying_key(path)?,
        None => edgekd_host::keys::dev_signing_key()?.verifying_key(),
    };
    if args.device == "sim" {
        let mut client = DeviceClient::new(
            SimDevice::new(&key).map_err(|e| anyhow::anyhow!("simulated device: {e}"))?,
            DEFAULT_TIMEOUT,
        );
        session(&mut client, &artifact, &prepared)
    } else if args.device == "qemu" {
        let flash_file = super::target::flash_file(args.flash_file.clone(), "adapt-flash.bin")?;
        let public = edgekd_host::keys::hex(key.as_bytes());
        let firmware = firmware_file(&public, &super::target::firmware_dir()?)?;
        let qemu = QemuDevice::start(&firmware, &flash_file, QemuOptions::default())?;
        let mut client = qemu.client()?;
        session(&mut client, &artifact, &prepared)
    } else if let Some(port) = args.device.strip_prefix("serial:") {
        let mut client = DeviceClient::serial(port, args.baud, Duration::from_secs(10))?;
        session(&mut client, &artifact, &prepared)
    } else {
        bail!("--device {:?}: use sim, qemu or serial:PORT", args.device)
    }
}

/// Reads the artifact and the corpora, prepares the session (library: [`adapt::prepare`]) and
/// prints what the teacher and the replay bring.
fn prepare(args: &AdaptArgs) -> anyhow::Result<(Vec<u8>, Prepared)> {
    let artifact =
        std::fs::read(&args.model).with_context(|| format!("reading {}", args.model.display()))?;
    let model =
        decode_trusted(&artifact).with_context(|| format!("decoding {}", args.model.display()))?;
    let map = LabelMap::parse(&args.map)?;
    let bad_rows = edgekd_host::data::BadRows::from_flag(args.skip_bad_rows);
    let (domain, _) = load_corpus(&args.data, &args.text_col, &args.label_col, bad_rows)?;
    let (original, _) = load_corpus(&args.original, &args.text_col, &args.label_col, bad_rows)?;
    let corpora = Corpora {
        domain: &domain,
        original: &original,
        map: &map,
    };
    let labeller = |dir: &std::path::Path| {
        let dir = dir.to_path_buf();
        move |texts: &[String]| adapt::teacher_logits(&dir, texts)
    };
    let mut teacher = labeller(&args.teacher);
    let mut replay_teacher = args.replay_teacher.as_deref().map(labeller);
    let prepared = adapt::prepare(
        &model,
        corpora,
        &args.prepare_config(),
        &mut teacher,
        replay_teacher
            .as_mut()
            .map(|l| l as &mut adapt::Labeller<'_>),
    )?;
    if let Some((texts, labels)) = prepared.replay {
        println!(
            "replay: {} original-domain texts per in-domain text, from {texts} training texts \
             labelled by the {labels}",
            args.replay_ratio,
        );
    }
    let held_out = &prepared.held_out;
    println!(
        "teacher on the {} split: {:.1}% ({} of {})",
        held_out.name,
        100.0 * prepared.teacher_right as f64 / held_out.texts.len().max(1) as f64,
        prepared.teacher_right,
        held_out.texts.len()
    );
    drop(model);
    Ok((artifact, prepared))
}

fn session<T: Read + Write>(
    client: &mut DeviceClient<T>,
    artifact: &[u8],
    p: &Prepared,
) -> anyhow::Result<()> {
    client.hello().context("hello")?;
    if let Some(report) = adapt::ensure_flashed(client, artifact)? {
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
