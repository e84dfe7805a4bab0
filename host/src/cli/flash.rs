//! `edgekd flash MODEL.ekd`: put an artifact on a device through its A/B slots.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `edgekd flash`.
#[derive(Debug, Args)]
pub struct FlashArgs {
    /// The artifact.
    model: PathBuf,
    /// Flash the emulated board (QEMU mps2-an386); its flash persists in --flash-file.
    #[arg(long, conflicts_with_all = ["serial", "probe"])]
    qemu: bool,
    /// Flash file of the emulated board (default: $EDGEKD_CACHE/qemu/flash.bin).
    #[arg(long)]
    flash_file: Option<PathBuf>,
    /// Serial port of a real board running the edgekd firmware.
    #[arg(long)]
    serial: Option<String>,
    /// Baud rate of the serial port.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Write through a debug probe (probe-rs) into the slot address.
    #[arg(long)]
    probe: bool,
}

/// Runs `edgekd flash`.
pub fn run(args: FlashArgs) -> anyhow::Result<()> {
    if args.probe {
        anyhow::bail!(
            "--probe: this build has no probe-rs support; flash over --serial, or --qemu"
        );
    }
    let bytes =
        std::fs::read(&args.model).map_err(|e| anyhow::anyhow!("{}: {e}", args.model.display()))?;
    let key = edgekd_host::keys::dev_signing_key()?;
    let public = edgekd_host::keys::hex(key.verifying_key().as_bytes());
    let flash_file = match args.flash_file {
        Some(f) => f,
        None => edgekd_host::assets::Cache::from_env()?
            .root()
            .join("qemu")
            .join("flash.bin"),
    };
    if let Some(dir) = flash_file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let spec = match (&args.serial, args.qemu) {
        (Some(port), _) => format!("serial:{port}@{}", args.baud),
        (None, true) => "qemu".to_string(),
        (None, false) => anyhow::bail!("say where: --qemu, --serial PORT or --probe"),
    };
    let mut dev = super::target::connect(&spec, &public, &flash_file)?;
    let hello = dev.client.hello()?;
    println!(
        "device: protocol {}, board {:?}, chunk {} bytes",
        hello.version, hello.profile, hello.max_chunk
    );
    let bar = indicatif::ProgressBar::new(bytes.len() as u64);
    let report = dev
        .client
        .flash(&bytes, |done, _| bar.set_position(u64::from(done)))?;
    bar.finish_and_clear();
    let info = dev.client.info()?;
    println!(
        "flashed {} bytes into slot {:?}; the device verified CRC {:#010x} and the signature and now serves it ({info:?})",
        report.len, report.slot, report.crc32
    );
    Ok(())
}
