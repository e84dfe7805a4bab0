//! `edgekd report`: sweep results → report.md with tables, plots and the paper's claims.

use std::path::PathBuf;

use clap::Args;
use edgekd_host::report::{write_report, ReportOptions};
use edgekd_host::sweep::{load_results, Grid};

/// Arguments of `edgekd report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Result files (JSON lines written by `edgekd sweep`).
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// Output folder for report.md and the plots.
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// Title of the report.
    #[arg(
        long,
        default_value = "edgekd: data augmentation for knowledge distillation"
    )]
    title: String,
    /// Which part of the full grid ran, in words.
    #[arg(long, default_value = "")]
    scope: String,
    /// A command that produced the results (repeatable); printed in the report.
    #[arg(long = "command")]
    commands: Vec<String>,
    /// A full grid, to estimate its cost from the measured cost per cell (repeatable: each grid is
    /// priced on its own).
    #[arg(long = "full-grid")]
    full_grids: Vec<PathBuf>,
    /// Originals in a corpus's whole training split, `NAME=N` (repeatable), for the full grid's "full".
    #[arg(long = "full-size", value_parser = parse_full_size)]
    full_sizes: Vec<(String, usize)>,
}

fn parse_full_size(spec: &str) -> Result<(String, usize), String> {
    let (name, n) = spec
        .split_once('=')
        .ok_or_else(|| format!("{spec:?}: expected NAME=N"))?;
    let n = n
        .parse()
        .map_err(|_| format!("{spec:?}: {n:?} is not a number of examples"))?;
    Ok((name.to_string(), n))
}

/// Runs `edgekd report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut results = vec![];
    for path in &args.results {
        let loaded = load_results(path)?;
        if !loaded.bad_lines.is_empty() {
            tracing::warn!(
                "{}: skipped unreadable lines {:?}",
                path.display(),
                loaded.bad_lines
            );
        }
        results.extend(loaded.by_key.into_values());
    }
    let mut full_grids = vec![];
    for path in &args.full_grids {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        full_grids.push((name, Grid::from_file(path)?));
    }
    let opts = ReportOptions {
        title: args.title,
        commands: args.commands,
        scope: args.scope,
        full_grids,
        full_sizes: args.full_sizes.into_iter().collect(),
    };
    let path = write_report(&results, &args.out, &opts)?;
    println!("{}", path.display());
    Ok(())
}
