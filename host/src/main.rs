//! `edgekd <subcommand>`: parses arguments, initialises logging and dispatches into `cli::*`.

mod cli;

use clap::{Parser, Subcommand};

/// edgekd: distil text classifiers into int8 students for Cortex-M microcontrollers.
#[derive(Debug, Parser)]
#[command(name = "edgekd", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch, verify and list the real assets (corpora, lexicons, teacher).
    Assets(cli::assets::AssetsArgs),
}

fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Assets(args) => cli::assets::run(args),
    }
}
