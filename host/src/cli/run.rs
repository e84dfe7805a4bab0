//! `edgekd run`: the main job on the embedded default board.

use std::path::PathBuf;

use clap::Args;
use edgekd_host::pipeline::{new_run_dir, run_main_job};
use edgekd_shared::profile::BoardProfile;

use super::distill::DistillArgs;

/// Arguments of `edgekd run` (all optional: the defaults are the main job).
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    distill: DistillArgs,
    /// Board profile: m4-1m (default) or m4-256k.
    #[arg(long, default_value = "m4-1m")]
    profile: String,
    /// Signing key (`NAME.key`); default: the development key in the cache.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Folder that receives the run folder.
    #[arg(long, default_value = "runs")]
    runs: PathBuf,
}

/// Runs `edgekd run`.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let profile = BoardProfile::by_name(&args.profile).ok_or_else(|| {
        anyhow::anyhow!("--profile {:?}: expected m4-1m or m4-256k", args.profile)
    })?;
    let mut cfg = args.distill.resolve()?;
    if args.distill.buckets.is_none() && args.distill.config.is_none() && profile.name == "m4-256k"
    {
        cfg.buckets = 12288; // 12288×6 table: 72 KiB of the 96 KiB slot
    }
    let out = args
        .distill
        .out
        .clone()
        .unwrap_or_else(|| new_run_dir(&args.runs));
    super::run_log::open(&out)?;
    let summary = run_main_job(&cfg, &profile, args.key.as_deref(), &out)?;
    println!("{summary}");
    println!("run folder: {}", out.display());
    Ok(())
}
