//! `edgekd doctor`: prints each check with its fix and fails when the purpose asked for cannot work.

use clap::{Args, ValueEnum};
use edgekd_host::assets::Cache;
use edgekd_host::doctor::{examine, Purpose};

/// Arguments of `edgekd doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// What must work: run (the host pipeline), device (also the emulated device), board (also a
    /// probe or a serial port).
    #[arg(long = "for", value_enum, default_value = "run")]
    purpose: PurposeArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PurposeArg {
    Run,
    Device,
    Board,
}

/// Runs `edgekd doctor`.
pub fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let purpose = match args.purpose {
        PurposeArg::Run => Purpose::Run,
        PurposeArg::Device => Purpose::Device,
        PurposeArg::Board => Purpose::Board,
    };
    let findings = examine(&Cache::from_env()?);
    let mut blocking = vec![];
    for f in &findings {
        let mark = match (&f.fix, f.blocks(purpose)) {
            (None, _) => "ok",
            (Some(_), true) => "MISSING",
            (Some(_), false) => "optional",
        };
        println!("{mark:>8}  {:<22} {}", f.item, f.detail);
        if let Some(fix) = &f.fix {
            println!("{:>8}  {:<22} fix: {fix}", "", "");
        }
        if f.blocks(purpose) {
            blocking.push(f.item.as_str());
        }
    }
    anyhow::ensure!(
        blocking.is_empty(),
        "{} missing for `--for {}`: {}",
        blocking.len(),
        format!("{:?}", args.purpose).to_lowercase(),
        blocking.join(", ")
    );
    println!(
        "ready for `--for {}`",
        format!("{:?}", args.purpose).to_lowercase()
    );
    Ok(())
}
