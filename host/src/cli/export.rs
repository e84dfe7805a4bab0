//! `edgekd export`: quantize the KD student of a finished run folder again (its checkpoints, the
//! cached teacher and soft labels; nothing is retrained) and write a signed `model.ekd`, for another
//! key or board profile.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use edgekd_host::pipeline::{export_student, run_distill, DistillConfig};
use edgekd_shared::profile::BoardProfile;

/// Arguments of `edgekd export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A run folder written by `edgekd run` (its `config.toml` and `checkpoints/kd`).
    pub run: PathBuf,
    /// Board profile the artifact must fit: m4-1m or m4-256k.
    #[arg(long, default_value = "m4-1m")]
    pub profile: String,
    /// Signing key (`NAME.key`); default: the development key in the cache (made on first use).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where the artifact goes (default: `<run>/model.ekd`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `edgekd export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let profile = BoardProfile::by_name(&args.profile).ok_or_else(|| {
        anyhow::anyhow!("--profile {:?}: expected m4-1m or m4-256k", args.profile)
    })?;
    let config_path = args.run.join("config.toml");
    let text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let mut cfg: DistillConfig =
        toml::from_str(&text).with_context(|| format!("parsing {}", config_path.display()))?;
    cfg.out_dir = args.run.clone();
    cfg.train_ft = false;
    cfg.train_kd_without_augmentation = false;
    let outcome = run_distill(&cfg)?;
    let kd = outcome
        .students
        .iter()
        .find(|s| s.name == "kd")
        .context("the run has no KD student")?;
    if kd.trained.report.resumed_from.is_none() {
        tracing::warn!(
            "no finished KD checkpoint in {}: the student was trained from scratch",
            args.run.display()
        );
    }
    let key = match &args.key {
        Some(p) => edgekd_host::keys::load_signing_key(p)?,
        None => edgekd_host::keys::dev_signing_key()?,
    };
    let out = args.out.unwrap_or_else(|| args.run.join("model.ekd"));
    let export = export_student(&outcome, kd, &profile, &key, &out)?;
    println!(
        "{}: {} bytes, arena {} bytes, fits {}; calibration {}; int8 test accuracy {:.2}% (f32 {:.2}%)",
        out.display(),
        export.sizes.artifact,
        export.sizes.arena,
        profile.name,
        export.calibration,
        100.0 * export.int8_test.accuracy,
        100.0 * export.f32_test.accuracy
    );
    Ok(())
}
