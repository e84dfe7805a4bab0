//! Where a command talks to a device: an emulated board (QEMU, started here), a serial port, or a TCP
//! address (a QEMU started elsewhere).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use edgekd_host::device::{DeviceClient, DEFAULT_TIMEOUT};
use edgekd_host::qemu::{firmware_file, QemuDevice, QemuOptions};

/// A byte stream to a device.
pub trait Link: Read + Write + Send {}
impl<T: Read + Write + Send> Link for T {}

/// A connected device; keeps the emulator alive while it is used.
pub struct Connected {
    /// The protocol client.
    pub client: DeviceClient<Box<dyn Link>>,
    /// The emulator, when this command started one: held so that it lives as long as the client.
    #[allow(dead_code)]
    pub qemu: Option<QemuDevice>,
}

/// Where the emulated board's firmware files (the embedded image with a key written into it) go:
/// `$EDGEKD_CACHE/qemu`.
pub fn firmware_dir() -> anyhow::Result<PathBuf> {
    Ok(edgekd_host::assets::Cache::from_env()?.root().join("qemu"))
}

/// The emulated device's flash file: `given`, else `name` in [`firmware_dir`] (never a path relative
/// to the current folder, so an installed `edgekd` works from anywhere); its folder is created.
pub fn flash_file(given: Option<PathBuf>, name: &str) -> anyhow::Result<PathBuf> {
    let file = match given {
        Some(f) => f,
        None => firmware_dir()?.join(name),
    };
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(file)
}

/// Connects to `spec`: `qemu` (the embedded firmware with the public key `public_hex` written into
/// it, in [`firmware_dir`], started with its flash kept in `flash_file`), `serial:PORT[@BAUD]`, or
/// `tcp:HOST:PORT`.
pub fn connect(spec: &str, public_hex: &str, flash_file: &Path) -> anyhow::Result<Connected> {
    let timeout = Duration::from_secs(30).max(DEFAULT_TIMEOUT);
    if spec == "qemu" {
        if let Some(why) = edgekd_host::qemu::missing_prerequisite() {
            anyhow::bail!("cannot emulate the device: {why}");
        }
        let firmware = firmware_file(public_hex, &firmware_dir()?)?;
        let qemu = QemuDevice::start(&firmware, flash_file, QemuOptions::default())?;
        let stream = qemu.try_clone_stream()?;
        let client = DeviceClient::new(Box::new(stream) as Box<dyn Link>, timeout);
        return Ok(Connected {
            client,
            qemu: Some(qemu),
        });
    }
    if let Some(rest) = spec.strip_prefix("serial:") {
        let (port, baud) = match rest.split_once('@') {
            Some((p, b)) => (
                p,
                b.parse()
                    .map_err(|_| anyhow::anyhow!("bad baud rate in {spec:?}"))?,
            ),
            None => (rest, 115_200),
        };
        let port = serialport::new(port, baud)
            .timeout(Duration::from_millis(50))
            .open()?;
        let client = DeviceClient::new(Box::new(port) as Box<dyn Link>, timeout);
        return Ok(Connected { client, qemu: None });
    }
    if let Some(addr) = spec.strip_prefix("tcp:") {
        let stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_millis(200)))?;
        let client = DeviceClient::new(Box::new(stream) as Box<dyn Link>, timeout);
        return Ok(Connected { client, qemu: None });
    }
    anyhow::bail!("device {spec:?}: expected qemu, serial:PORT[@BAUD] or tcp:HOST:PORT")
}
