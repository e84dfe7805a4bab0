//! `edgekd <subcommand>`: parses arguments, initialises logging and dispatches into `cli::*`.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use edgekd_host::terminal::{self, LogWriter, Style, Verbosity};
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// edgekd: distil text classifiers into int8 students for Cortex-M microcontrollers.
#[derive(Debug, Parser)]
#[command(name = "edgekd", version, about)]
struct Cli {
    /// Print the detailed log too (it always goes to the run folder's run.log).
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    verbose: bool,
    /// Print the summary only (no stage lines).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check this machine: cache, assets, QEMU, thumb targets, GPU, probes and ports, signing key.
    Doctor(cli::doctor::DoctorArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cli::completions::CompletionsArgs),
    /// Fetch, verify and list the real assets (corpora, lexicons, teacher).
    Assets(cli::assets::AssetsArgs),
    /// Make signing keys for artifacts.
    Keys(cli::keys::KeysArgs),
    /// Show an artifact's layers, sizes, budgets and metadata.
    Inspect(cli::inspect::InspectArgs),
    /// Turn sweep results into a report with tables, plots and verdicts on the paper's claims.
    Report(cli::report::ReportArgs),
    /// Fine-tune the teacher, augment, and distill KD and FT students (closing table).
    #[cfg(feature = "pipeline")]
    Distill(cli::distill::DistillArgs),
    /// The main job: distill, quantize, export, evaluate (defaults: Rotten Tomatoes, board m4-1m).
    #[cfg(feature = "pipeline")]
    Run(cli::run::RunArgs),
    /// Quantize a run's KD student again and write a signed artifact (another key or board).
    #[cfg(feature = "pipeline")]
    Export(cli::export::ExportArgs),
    /// Evaluate an artifact with the device engine, in-process or on a device.
    #[cfg(feature = "pipeline")]
    Eval(cli::eval::EvalArgs),
    /// Flash an artifact onto a device (QEMU, serial) through its A/B slots.
    Flash(cli::flash::FlashArgs),
    /// Keep distilling on the device from teacher soft labels.
    #[cfg(feature = "pipeline")]
    Adapt(cli::adapt::AdaptArgs),
    /// Run the paper's grid (resumable, shardable), or merge shard results.
    #[cfg(feature = "pipeline")]
    Sweep(cli::sweep::SweepArgs),
    /// Run a grid on a Slurm cluster: teacher, label chunks and cells as job arrays, then the report.
    #[cfg(feature = "pipeline")]
    Slurm(cli::slurm::SlurmArgs),
}

fn main() -> ExitCode {
    let command = Cli::command().version(cli::version::text());
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    let verbosity = match (cli.verbose, cli.quiet) {
        (true, _) => Verbosity::Verbose,
        (_, true) => Verbosity::Quiet,
        _ => Verbosity::Normal,
    };
    terminal::init(Style::detect(verbosity));
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(LogWriter.and(|| cli::run_log::RunLog))
        .init();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            for line in cli::error::lines(&err) {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Doctor(args) => cli::doctor::run(args),
        Command::Completions(args) => cli::completions::run(args, Cli::command()),
        #[cfg(feature = "pipeline")]
        Command::Sweep(args) => cli::sweep::run(args),
        #[cfg(feature = "pipeline")]
        Command::Slurm(args) => cli::slurm::run(args),
        #[cfg(feature = "pipeline")]
        Command::Adapt(args) => cli::adapt::run(args),
        Command::Flash(args) => cli::flash::run(args),
        #[cfg(feature = "pipeline")]
        Command::Eval(args) => cli::eval::run(args),
        #[cfg(feature = "pipeline")]
        Command::Export(args) => cli::export::run(args),
        #[cfg(feature = "pipeline")]
        Command::Run(args) => cli::run::run(args),
        #[cfg(feature = "pipeline")]
        Command::Distill(args) => cli::distill::run(args),
        Command::Assets(args) => cli::assets::run(args),
        Command::Keys(args) => cli::keys::run(args),
        Command::Inspect(args) => cli::inspect::run(args),
        Command::Report(args) => cli::report::run(args),
    }
}
