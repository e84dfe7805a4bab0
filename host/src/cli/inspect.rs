//! `edgekd inspect MODEL.ekd`: layers, sizes, budgets and metadata of an artifact.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `edgekd inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The artifact.
    model: PathBuf,
}

/// Runs `edgekd inspect`.
pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    print!("{}", edgekd_host::inspect::describe(&args.model)?);
    Ok(())
}
