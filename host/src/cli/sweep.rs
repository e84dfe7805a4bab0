//! `edgekd sweep --grid sweep.toml`: the paper's grid, resumable and shardable.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use edgekd_host::pipeline::RealCellRunner;
use edgekd_host::sweep::{merge_results, run_sweep, CellResult, Grid, Shard, SweepProgress};

use super::distill::DistillArgs;

/// Arguments of `edgekd sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(subcommand)]
    merge: Option<SweepCommand>,
    /// The grid (TOML: corpora, methods, sizes, copies, degrees, modes, seeds).
    #[arg(long)]
    grid: Option<PathBuf>,
    /// Results file (JSON lines; finished cells in it are skipped).
    #[arg(long, default_value = "sweep/results.jsonl")]
    results: PathBuf,
    /// Run only part `i/n` of the grid (for array jobs).
    #[arg(long, default_value = "0/1")]
    shard: String,
    /// Cells run at once.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Run only the grid's cells of this mode (`kd` or `ft`), e.g. to give FT its own
    /// `--learning-rates`; the cells keep their keys, so both runs fill one results file.
    #[arg(long)]
    mode: Option<edgekd_host::train::Mode>,
    /// Teacher, student and training settings.
    #[command(flatten)]
    settings: CellSettings,
}

/// The settings every cell of a grid shares (teacher, student, training), as flags; `edgekd slurm`
/// passes the same flags to each of its stages.
#[derive(Debug, Args)]
pub struct CellSettings {
    /// Originals the teacher of each corpus is fine-tuned on.
    #[arg(long, default_value_t = 2000)]
    teacher_train_size: usize,
    /// Student and training settings (corpus, degree, copies and seed come from the grid).
    #[command(flatten)]
    distill: DistillArgs,
}

impl CellSettings {
    /// The cell runner of these settings.
    pub fn runner(&self) -> anyhow::Result<RealCellRunner> {
        Ok(RealCellRunner::new(
            self.distill.resolve()?,
            self.teacher_train_size,
        )?)
    }
}

#[derive(Debug, Subcommand)]
enum SweepCommand {
    /// Merge result files of several shards into one.
    Merge {
        /// Result files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Merged file.
        #[arg(long)]
        out: PathBuf,
    },
}

struct Printer;

impl SweepProgress for Printer {
    fn cell_done(&self, done: usize, total: usize, r: &CellResult) {
        println!(
            "[{done}/{total}] {}  test acc {:.2}%  ({:.0} s)",
            r.key,
            100.0 * r.test_accuracy,
            r.seconds
        );
    }
}

/// Runs `edgekd sweep`.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    if let Some(SweepCommand::Merge { inputs, out }) = args.merge {
        let n = merge_results(&inputs, &out)?;
        println!("{} cells in {}", n, out.display());
        return Ok(());
    }
    let grid_path = args
        .grid
        .ok_or_else(|| anyhow::anyhow!("--grid FILE is required"))?;
    let mut grid = Grid::from_file(&grid_path)?;
    if let Some(mode) = args.mode {
        anyhow::ensure!(
            grid.modes.contains(&mode),
            "--mode {mode:?}: {} has no such cells (modes {:?})",
            grid_path.display(),
            grid.modes
        );
        grid.modes = vec![mode];
    }
    let shard = Shard::parse(&args.shard)?;
    let runner = args.settings.runner()?;
    let s = run_sweep(&grid, &runner, &args.results, shard, args.jobs, &Printer)?;
    println!(
        "{} cells in shard {}: {} already done, {} run now, {} failed",
        s.in_shard, args.shard, s.skipped, s.ran, s.failed
    );
    if s.failed > 0 {
        anyhow::bail!(
            "{} cells failed (see the log); run the same command again to retry them",
            s.failed
        );
    }
    Ok(())
}
