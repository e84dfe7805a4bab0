//! `edgekd flash MODEL.ekd`: put an artifact on a device through its A/B slots: over the wire
//! protocol (`--qemu`, `--serial`), or through a debug probe (`--probe`, cargo feature `probe`),
//! which runs the device's own storage code on the host (`edgekd_host::device::install`).

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
    /// Write through a debug probe (probe-rs) into the A/B slots of the firmware's storage
    /// region, then reset the board (needs a build with `--features probe`).
    #[arg(long, conflicts_with = "serial")]
    probe: bool,
    #[command(flatten)]
    probe_args: ProbeArgs,
}

/// Options of `--probe`.
#[derive(Debug, Args)]
#[cfg_attr(not(feature = "probe"), allow(dead_code))]
struct ProbeArgs {
    /// The board (a folder of device/boards/): its chip and storage region come from the board
    /// map its firmware is built with (edgekd_device::board).
    #[arg(long, default_value = "nrf52840-dk", requires = "probe")]
    board: String,
    /// Chip name as probe-rs knows it (default: the board's, e.g. nRF52840_xxAA, RP2040).
    #[arg(long, requires = "probe")]
    chip: Option<String>,
    /// Which probe: VID:PID or VID:PID:SERIAL, in hex (default: the first one found).
    #[arg(long, value_name = "VID:PID[:SERIAL]", requires = "probe")]
    probe_selector: Option<String>,
    /// Chip address of the firmware's STORAGE region (default: the board's, 0x6E000 on the
    /// nRF52840 DK); hex with 0x, or decimal.
    #[arg(long, value_parser = parse_address, requires = "probe")]
    storage_base: Option<u64>,
    /// Public key the firmware was built with (NAME.pub; default: the development key).
    #[arg(long, value_name = "PATH", requires = "probe")]
    public_key: Option<PathBuf>,
}

/// `0x6E000`, `0x0006_E000` or `450560`.
fn parse_address(text: &str) -> Result<u64, String> {
    let clean = text.replace('_', "");
    let parsed = match clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => clean.parse(),
    };
    parsed.map_err(|e| format!("{text:?} is not an address (hex with 0x, or decimal): {e}"))
}

/// Runs `edgekd flash`.
pub fn run(args: FlashArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.model).map_err(|e| anyhow::anyhow!("{}: {e}", args.model.display()))?;
    if args.probe {
        return run_probe(&bytes, &args.probe_args);
    }
    let key = edgekd_host::keys::dev_signing_key()?;
    let public = edgekd_host::keys::hex(key.verifying_key().as_bytes());
    let flash_file = super::target::flash_file(args.flash_file, "flash.bin")?;
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
    let bar = edgekd_host::terminal::Stage::start("Flashing", Some(bytes.len() as u64));
    let report = dev
        .client
        .flash(&bytes, |done, _| bar.set_position(u64::from(done)))?;
    bar.finish(format!("{} bytes", report.len));
    let info = dev.client.info()?;
    println!(
        "flashed model {} ({} bytes) into slot {:?}; the device verified CRC, signature and identity and now serves it ({info:?})",
        report.model_id, report.len, report.slot
    );
    Ok(())
}

/// `--probe` in a build without probe-rs.
#[cfg(not(feature = "probe"))]
fn run_probe(_artifact: &[u8], _args: &ProbeArgs) -> anyhow::Result<()> {
    anyhow::bail!(
        "--probe: this build has no probe-rs support; rebuild with \
         `cargo build -p edgekd-host --features probe`, or flash over --serial or --qemu"
    )
}

/// `--probe`: install through a debug probe, with a progress bar per step.
#[cfg(feature = "probe")]
fn run_probe(artifact: &[u8], args: &ProbeArgs) -> anyhow::Result<()> {
    use edgekd_host::device::{flash_with_probe, probe_target, ProbeStep};

    let key = match &args.public_key {
        Some(path) => edgekd_host::keys::load_verifying_key(path)?,
        None => edgekd_host::keys::dev_signing_key()?.verifying_key(),
    };
    let target = probe_target(&args.board, args.chip.as_deref(), args.storage_base)?;
    let storage = target.storage;
    println!(
        "probe: board {}, chip {}, storage {:#010x}..{:#010x} (m4-1m layout), {} bytes to install",
        target.board.name,
        target.chip,
        storage.base,
        storage.base + storage.len as u64,
        artifact.len()
    );
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>11} [{bar:40}] {bytes}/{total_bytes} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |step: ProbeStep, done: u64, total: u64| {
        bar.set_message(match step {
            ProbeStep::Reading => "reading",
            ProbeStep::Programming => "programming",
            ProbeStep::Verifying => "verifying",
        });
        bar.set_length(total);
        bar.set_position(done);
    };
    let result = flash_with_probe(
        artifact,
        &target.chip,
        args.probe_selector.as_deref(),
        storage.base,
        &key,
        &progress,
    );
    bar.finish_and_clear();
    let report = result?;
    println!(
        "flashed model {} ({} bytes) into slot {:?} of {} through the probe: read back from the chip with CRC {:#010x}, boot record {} points at it ({} program calls); core reset, the board now runs it",
        report.model_id, report.len, report.slot, target.chip, report.crc32, report.seq, report.program_calls
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_in_hex_and_decimal() {
        assert_eq!(parse_address("0x6E000"), Ok(0x6E000));
        assert_eq!(parse_address("0x0006_E000"), Ok(0x6E000));
        assert_eq!(parse_address("0X6e000"), Ok(0x6E000));
        assert_eq!(parse_address("450560"), Ok(0x6E000));
        assert!(parse_address("6E000").is_err());
        assert!(parse_address("0x").is_err());
    }
}
