//! `edgekd run`: the main job on the embedded default board.

use std::path::PathBuf;

use clap::Args;
use edgekd_host::pipeline::{check_run, new_run_dir, run_main_job, DistillConfig};
use edgekd_host::terminal::RunSummary;
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
    let cfg = args
        .distill
        .resolve_on(DistillConfig::for_board(&profile))?;
    let out = args
        .distill
        .out
        .clone()
        .unwrap_or_else(|| new_run_dir(&args.runs));
    // The data and the board are checked before the run folder (and its log) exists.
    let data = check_run(&cfg, Some(&profile))?;
    super::run_log::open(&out)?;
    // The full summary (with wall times) is the run folder's summary.txt; the screen gets the
    // short one, read back from metrics.json.
    run_main_job(&cfg, data, &profile, args.key.as_deref(), &out)?;
    print!("{}", RunSummary::read(&out)?.render(&profile, &out));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        run: RunArgs,
    }

    /// A table that cannot give a model stops `edgekd run` before the run folder exists.
    #[test]
    fn a_one_class_table_writes_no_run_folder() {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("one.csv");
        let rows: String = (0..20).map(|i| format!("text {i},pos\n")).collect();
        std::fs::write(&table, format!("text,label\n{rows}")).unwrap();
        let out = dir.path().join("runs/run-x");
        let cmd = Cmd::try_parse_from([
            "run".to_string(),
            format!("--corpus=csv:{}", table.display()),
            format!("--out={}", out.display()),
            format!("--runs={}", dir.path().join("runs").display()),
        ])
        .unwrap();
        let err = run(cmd.run).unwrap_err().to_string();
        assert!(err.contains("only 1 class with rows"), "{err}");
        assert!(!dir.path().join("runs").exists(), "nothing is written");
    }
}
