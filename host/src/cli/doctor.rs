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
        let (mark, note) = match (&f.fix, f.blocks(purpose), f.needed_for) {
            (None, _, _) => ("ok", String::new()),
            (Some(_), true, _) => ("MISSING", String::new()),
            (Some(_), false, Some(later)) => {
                ("absent", format!(" (needed for --for {})", name(later)))
            }
            (Some(_), false, None) => ("absent", " (optional)".to_string()),
        };
        println!("{mark:>8}  {:<22} {}{note}", f.item, f.detail);
        if let Some(fix) = &f.fix {
            println!("{:>8}  {:<22} fix: {fix}", "", "");
        }
        if f.blocks(purpose) {
            blocking.push(f.item.as_str());
        }
    }
    anyhow::ensure!(
        blocking.is_empty(),
        "{} missing for `--for {}`: {} (each with its fix above)",
        blocking.len(),
        name(purpose),
        blocking.join(", ")
    );
    println!("ready for `--for {}`", name(purpose));
    Ok(())
}

/// The `--for` value of `purpose`.
fn name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Run => "run",
        Purpose::Device => "device",
        Purpose::Board => "board",
    }
}
