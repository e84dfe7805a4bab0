//! The emulated device: the `server` firmware of `device/boards/qemu-mps2-an386`, embedded in this
//! binary by its build (`firmware::qemu_server`), given the user's public key and run on QEMU
//! `mps2-an386` with its UART0 on a loopback TCP port and its model flash in a host file. No source
//! tree and no Rust toolchain is needed at run time.
//!
//! ```text
//! firmware_file(key, dir) ─► dir/server-<hash>.elf   (embedded image, key written into its slot)
//! QemuDevice::start(elf, flash file, opts)
//!   qemu-system-arm … -icount shift=0 -semihosting-config …,arg=flash=FILE
//!                     -serial tcp:127.0.0.1:PORT,server=on,wait=off,nodelay=on
//!   ─► TcpStream to PORT (retried until the emulator listens) ─► QemuDevice::client(): DeviceClient
//! ```
//!
//! The flash file outlives the emulator: [`QemuDevice::kill`] is a power cut, and a new
//! [`QemuDevice::start`] (or [`QemuDevice::restart`]) with the same file boots what the device
//! had committed. Dropping a `QemuDevice` kills the emulator.

use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::device::DeviceClient;
use crate::firmware::{self, FirmwareError};

/// Why the emulator could not be built, started or reached.
#[derive(Debug, thiserror::Error)]
pub enum QemuError {
    /// A program could not be run at all (not installed?).
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The firmware image could not be prepared (not embedded in this binary, a key that is not 64
    /// hex digits, no key slot).
    #[error(transparent)]
    Firmware(#[from] FirmwareError),
    /// The emulator exited before its UART port accepted a connection.
    #[error("qemu exited with {status} before UART0 listened on port {port}; console:\n{console}")]
    Exited {
        /// The emulator's exit status.
        status: String,
        /// The port it should have listened on.
        port: u16,
        /// What the firmware printed.
        console: String,
    },
    /// The UART port did not accept a connection in time.
    #[error("UART0 on 127.0.0.1:{port} not reachable after {waited:?}: {source}")]
    Connect {
        /// The port.
        port: u16,
        /// How long we tried.
        waited: Duration,
        /// The last connection error.
        source: std::io::Error,
    },
    /// Another I/O failure, with what was being done.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> QemuError {
    let what = what.into();
    move |source| QemuError::Io { what, source }
}

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct QemuOptions {
    /// The emulator binary (default: `$QEMU_SYSTEM_ARM`, else `qemu-system-arm` from `PATH`).
    pub qemu: PathBuf,
    /// How long to keep trying to connect to UART0.
    pub connect_timeout: Duration,
    /// Read/write timeout of the UART socket (`None`: block). Short, because
    /// [`DeviceClient`] retries timed-out reads until its own per-request timeout.
    pub io_timeout: Option<Duration>,
    /// Per-request timeout of the clients made by [`QemuDevice::client`].
    pub request_timeout: Duration,
}

impl Default for QemuOptions {
    fn default() -> Self {
        Self {
            qemu: std::env::var_os("QEMU_SYSTEM_ARM")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("qemu-system-arm")),
            connect_timeout: Duration::from_secs(20),
            io_timeout: Some(Duration::from_millis(50)),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A running emulated device. See the module documentation.
#[derive(Debug)]
pub struct QemuDevice {
    firmware: PathBuf,
    flash_file: PathBuf,
    opts: QemuOptions,
    child: Option<Child>,
    port: u16,
    stream: Option<TcpStream>,
    console: Arc<Mutex<String>>,
}

impl QemuDevice {
    /// Starts `firmware` with its flash in `flash_file` (created when missing) and connects to
    /// its UART0.
    pub fn start(firmware: &Path, flash_file: &Path, opts: QemuOptions) -> Result<Self, QemuError> {
        let mut dev = QemuDevice {
            firmware: firmware.to_path_buf(),
            flash_file: flash_file.to_path_buf(),
            opts,
            child: None,
            port: 0,
            stream: None,
            console: Arc::new(Mutex::new(String::new())),
        };
        dev.launch()?;
        Ok(dev)
    }

    fn launch(&mut self) -> Result<(), QemuError> {
        let port = free_port()?;
        let flash = self.flash_file.to_string_lossy().replace(',', ",,");
        let mut cmd = Command::new(&self.opts.qemu);
        cmd.args([
            "-machine",
            "mps2-an386",
            "-cpu",
            "cortex-m4",
            "-display",
            "none",
        ])
        .args(["-monitor", "none", "-icount", "shift=0"])
        .arg("-semihosting-config")
        .arg(format!(
            "enable=on,target=native,arg=server,arg=flash={flash}"
        ))
        .arg("-serial")
        .arg(format!(
            "tcp:127.0.0.1:{port},server=on,wait=off,nodelay=on"
        ))
        .arg("-kernel")
        .arg(&self.firmware)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|source| QemuError::Spawn {
            program: self.opts.qemu.display().to_string(),
            source,
        })?;
        let console = Arc::new(Mutex::new(String::new()));
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sink = Arc::clone(&console);
            std::thread::spawn(move || collect(pipe, &sink));
        }
        self.console = console;
        self.port = port;
        self.child = Some(child);
        self.stream = Some(self.connect()?);
        Ok(())
    }

    fn connect(&mut self) -> Result<TcpStream, QemuError> {
        let start = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    std::thread::sleep(Duration::from_millis(50));
                    return Err(QemuError::Exited {
                        status: status.to_string(),
                        port: self.port,
                        console: self.console(),
                    });
                }
            }
            match TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) {
                Ok(stream) => {
                    stream
                        .set_nodelay(true)
                        .map_err(io_err("TCP_NODELAY on UART socket"))?;
                    stream
                        .set_read_timeout(self.opts.io_timeout)
                        .map_err(io_err("read timeout on UART socket"))?;
                    stream
                        .set_write_timeout(self.opts.io_timeout)
                        .map_err(io_err("write timeout on UART socket"))?;
                    return Ok(stream);
                }
                Err(source) if start.elapsed() >= self.opts.connect_timeout => {
                    return Err(QemuError::Connect {
                        port: self.port,
                        waited: start.elapsed(),
                        source,
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// The UART0 connection.
    pub fn stream(&self) -> Option<&TcpStream> {
        self.stream.as_ref()
    }

    /// A new handle to the UART0 connection (for a client that owns its transport).
    pub fn try_clone_stream(&self) -> Result<TcpStream, QemuError> {
        let stream = self.stream.as_ref().ok_or_else(|| QemuError::Io {
            what: String::from("UART0 stream"),
            source: std::io::Error::new(std::io::ErrorKind::NotConnected, "device is not running"),
        })?;
        stream.try_clone().map_err(io_err("clone UART socket"))
    }

    /// A protocol client over (a clone of) the UART0 connection.
    pub fn client(&self) -> Result<DeviceClient<TcpStream>, QemuError> {
        Ok(DeviceClient::new(
            self.try_clone_stream()?,
            self.opts.request_timeout,
        ))
    }

    /// The TCP port of UART0.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The flash file.
    pub fn flash_file(&self) -> &Path {
        &self.flash_file
    }

    /// Everything the firmware and the emulator printed so far (semihosting console, stderr).
    pub fn console(&self) -> String {
        self.console.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Whether the emulator is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Kills the emulator at once (a power cut: the flash file keeps what was written).
    pub fn kill(&mut self) {
        self.stream = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the emulator and boots the same firmware with the same flash file.
    pub fn restart(&mut self) -> Result<(), QemuError> {
        self.kill();
        self.launch()
    }
}

impl Drop for QemuDevice {
    fn drop(&mut self) {
        self.kill();
    }
}

fn collect(mut pipe: Box<dyn std::io::Read + Send>, sink: &Mutex<String>) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        if let Ok(mut s) = sink.lock() {
            s.push_str(&String::from_utf8_lossy(buf.get(..n).unwrap_or(&[])));
        }
    }
}

/// A loopback port that was free a moment ago (bound, then released for the emulator).
fn free_port() -> Result<u16, QemuError> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io_err("bind a loopback port"))?;
    let port = listener
        .local_addr()
        .map_err(io_err("loopback port address"))?
        .port();
    Ok(port)
}

/// Writes the embedded `server` firmware with `public_key_hex` (64 hex digits) in its key slot into
/// `dir` (created when missing) as `server-<16 hex digits of the image's SHA-256>.elf` and returns
/// its path. Written once per key and firmware, under a temporary name then renamed, so that
/// emulators started at the same time never boot half a file.
pub fn firmware_file(public_key_hex: &str, dir: &Path) -> Result<PathBuf, QemuError> {
    use sha2::Digest as _;
    let key = firmware::parse_key(public_key_hex)?;
    let mut image = firmware::qemu_server()?.to_vec();
    firmware::write_key(&mut image, &key).map_err(FirmwareError::from)?;
    let digest = sha2::Sha256::digest(&image);
    let path = dir.join(format!(
        "server-{}.elf",
        edgekd_shared::hex::hex(digest.get(..8).unwrap_or_default())
    ));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(dir).map_err(io_err(format!("creating {}", dir.display())))?;
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &image)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(io_err(format!("writing {}", path.display())))?;
    Ok(path)
}

/// Why the emulated device cannot run here, or `None` when `qemu-system-arm` runs and this binary
/// embeds the firmware.
pub fn missing_prerequisite() -> Option<String> {
    let qemu = QemuOptions::default().qemu;
    let runs = Command::new(&qemu)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !runs.is_ok_and(|s| s.success()) {
        return Some(format!("{} is not installed", qemu.display()));
    }
    firmware::qemu_server().err().map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_keys_are_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            firmware_file("abc", dir.path()),
            Err(QemuError::Firmware(FirmwareError::BadKey { len: 3 }))
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn firmware_files_are_one_per_key() {
        if let Err(e) = firmware::qemu_server() {
            return crate::prerequisite::skip(&e.to_string()).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let a = firmware_file(&"11".repeat(32), dir.path()).unwrap();
        let again = firmware_file(&"11".repeat(32), dir.path()).unwrap();
        let b = firmware_file(&"22".repeat(32), dir.path()).unwrap();
        assert_eq!(a, again);
        assert_ne!(a, b);
        let (ia, ib) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(ia.len(), ib.len());
        let differing = ia.iter().zip(&ib).filter(|(x, y)| x != y).count();
        assert!((1..=32).contains(&differing), "{differing} bytes differ");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn free_ports_are_nonzero_and_bindable() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }
}
