//! `edgekd slurm`: run a grid on a Slurm cluster (`submit`), and the two stages its jobs run besides
//! `edgekd sweep` and `edgekd report` (`prepare`: the teachers; `label`: a shard of the label chunks).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use edgekd_host::pipeline::{describe_teacher, run_label_shard};
use edgekd_host::slurm::{
    dry_run, submit, JobPlan, Sbatch, SlurmResources, Stage, DEFAULT_CHUNK_SIZE,
};
use edgekd_host::sweep::{Grid, Shard};

use super::sweep::CellSettings;

/// Arguments of `edgekd slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    #[command(subcommand)]
    command: SlurmCommand,
}

#[derive(Debug, Subcommand)]
enum SlurmCommand {
    /// Write the batch scripts into a shared folder and submit them: teacher, label chunks (array),
    /// cells (array, `sweep --shard`), merge and report, each after the one before succeeded.
    Submit(SubmitArgs),
    /// Fine-tune the teacher of each corpus of a grid, or find it in the cache (the teacher job).
    Prepare {
        /// The grid.
        #[arg(long)]
        grid: PathBuf,
        /// Teacher, student and training settings.
        #[command(flatten)]
        settings: CellSettings,
    },
    /// Label the chunks `i` modulo `n` of the texts a grid's KD cells need, one cache file per chunk
    /// (a task of the labelling array).
    Label {
        /// The grid.
        #[arg(long)]
        grid: PathBuf,
        /// This task's part of the chunks, `i/n`.
        #[arg(long, default_value = "0/1")]
        shard: String,
        /// Texts per chunk (every task of one run must use the same).
        #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE)]
        chunk_size: usize,
        /// Teacher, student and training settings.
        #[command(flatten)]
        settings: CellSettings,
    },
}

/// Arguments of `edgekd slurm submit`.
#[derive(Debug, Args)]
struct SubmitArgs {
    /// The grid (its `[slurm]` table, if any, gives resources; flags override them).
    #[arg(long)]
    grid: PathBuf,
    /// The shared folder: scripts, logs, results files, merged results and report.
    #[arg(long)]
    dir: PathBuf,
    /// Resources of the jobs.
    #[command(flatten)]
    resources: SlurmResources,
    /// The `edgekd` binary the tasks run (default: this one); it must be reachable from every node.
    #[arg(long)]
    edgekd: Option<PathBuf>,
    /// Print the scripts and the sbatch command lines; write and submit nothing.
    #[arg(long)]
    dry_run: bool,
    /// Settings passed to every stage, after `--` (e.g. `-- --teacher-epochs 2 --epochs 10`).
    #[arg(last = true)]
    settings: Vec<String>,
}

/// Checks the settings as every stage will parse them.
#[derive(Debug, Parser)]
#[command(no_binary_name = true)]
struct SettingsCheck {
    #[command(flatten)]
    _settings: CellSettings,
}

/// `path` made absolute (the tasks do not run in this folder).
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(std::path::absolute(path)?)
}

/// Runs `edgekd slurm`.
pub fn run(args: SlurmArgs) -> anyhow::Result<()> {
    match args.command {
        SlurmCommand::Submit(a) => run_submit(a),
        SlurmCommand::Prepare { grid, settings } => {
            let grid = Grid::from_file(&grid)?;
            let runner = settings.runner()?;
            // Every teacher the KD cells distil from: each draw's shared teacher, and each size's
            // own teacher where the grid asks for `teacher = "own"`.
            for spec in runner.teachers(&grid)? {
                let dir = runner.with_teacher(&spec, |t| t.dir.clone())?;
                println!("teacher of {}: {}", describe_teacher(&spec), dir.display());
            }
            Ok(())
        }
        SlurmCommand::Label {
            grid,
            shard,
            chunk_size,
            settings,
        } => {
            let grid = Grid::from_file(&grid)?;
            let part = Shard::parse(&shard)?;
            let runner = settings.runner()?;
            let s = run_label_shard(&runner, &grid, part, chunk_size, &mut |chunk, out, secs| {
                let teacher = describe_teacher(&chunk.teacher);
                if out.already_done {
                    println!("chunk {} ({teacher}): already done", chunk.index);
                } else {
                    println!(
                        "chunk {} ({teacher}): {} texts, {} labelled in {secs:.1} s -> {}",
                        chunk.index,
                        out.texts,
                        out.labelled,
                        out.path.display()
                    );
                }
            })?;
            let rate = if s.label_seconds > 0.0 {
                format!(
                    " ({:.1} texts/s)",
                    s.labelled_texts as f64 / s.label_seconds
                )
            } else {
                String::new()
            };
            println!(
                "label shard {shard}: {} of {} chunks, {} already done; {} texts, {} labelled in {:.1} s{rate}",
                s.chunks_in_shard,
                s.chunks_in_grid,
                s.already_done,
                s.texts,
                s.labelled_texts,
                s.label_seconds
            );
            Ok(())
        }
    }
}

fn run_submit(a: SubmitArgs) -> anyhow::Result<()> {
    SettingsCheck::try_parse_from(&a.settings).map_err(|e| {
        anyhow::anyhow!("the settings after `--` are not those of edgekd sweep: {e}")
    })?;
    let grid_path = absolute(&a.grid)?;
    let grid = Grid::from_file(&grid_path)?;
    let resources = SlurmResources::from_grid(&grid)?.overridden_by(&a.resources)?;
    let edgekd = match a.edgekd {
        Some(p) => absolute(&p)?,
        None => std::env::current_exe()?,
    };
    let cache = absolute(edgekd_host::assets::Cache::from_env()?.root())?;
    let plan = JobPlan {
        edgekd,
        grid: grid_path,
        dir: absolute(&a.dir)?,
        cache: Some(cache),
        settings: a.settings,
        resources,
    };
    if a.dry_run {
        print!("{}", dry_run(&plan));
        return Ok(());
    }
    let jobs = submit(&plan, &Sbatch)?;
    println!(
        "submitted: teacher {}, labels {} ({} tasks), cells {} ({} tasks), merge {}",
        jobs.teacher,
        jobs.labels,
        plan.resources.label_tasks(),
        jobs.cells,
        plan.resources.cell_tasks(),
        jobs.merge
    );
    println!(
        "logs: {}  results: {}  report: {}",
        plan.log(Stage::Cells, 0)
            .parent()
            .map_or_else(String::new, |p| p.display().to_string()),
        plan.merged_results().display(),
        plan.dir.join("report").display()
    );
    Ok(())
}
