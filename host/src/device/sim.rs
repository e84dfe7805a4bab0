//! An in-process device: the device crate's own [`Server`] over a RAM [`SimFlash`], reachable
//! through `std::io::Read + Write` like a serial port, so a [`DeviceClient`](super::DeviceClient)
//! talks to it exactly as to QEMU or a board.
//!
//! Writing bytes runs the server on them at once; the reply frames wait in a queue until read.
//! Reading with no reply queued fails with `WouldBlock` (the client retries until its timeout).

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::time::Instant;

use ed25519_dalek::VerifyingKey;
use edgekd_device::server::{Link, Platform, Server, ServerConfig, ServerError};
use edgekd_device::storage::sim::SimFlash;
use edgekd_device::storage::Layout;
use edgekd_shared::profile::M4_1M;
use edgekd_shared::protocol::BoardProfileId;

/// Erase sector of the simulated flash (nRF52840: 4 KiB pages).
const ERASE: usize = 4096;
/// Write word of the simulated flash (nRF52840: 32-bit words).
const WRITE: usize = 4;
/// The simulated flash.
pub type SimBoardFlash = SimFlash<ERASE, WRITE>;

/// Storage map of the simulated `m4-1m` board: two 4 KiB boot regions, two 256 KiB slots and a
/// 16 KiB learner journal (536 KiB of the 1 MiB flash; the firmware takes the rest).
pub const SIM_LAYOUT: Layout = Layout::contiguous(0, 4096, 256 * 1024, 16 * 1024);
/// Inference arena of the simulated board: the `m4-1m` budget.
pub const SIM_ARENA: usize = M4_1M.max_arena;
/// Learner capacity (head weights) of the simulated board: two heads of 1920 f32 fit the 16 KiB
/// learner budget (a 120-input head for 16 classes, a 640-input head for 3).
pub const SIM_HEAD_CAP: usize = 1920;

const RX: usize = 1024;
const TX: usize = 1024;

/// The simulated board's services: the "instruction" counter is host nanoseconds (wall
/// clock, not comparable with QEMU's instruction counts), the stack high-water mark is 0.
#[derive(Debug)]
pub struct SimPlatform {
    start: Instant,
}

impl Default for SimPlatform {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Platform for SimPlatform {
    fn instructions(&self) -> u32 {
        // Truncation is the wrap-around the trait documents.
        self.start.elapsed().as_nanos() as u32
    }
    fn stack_high_water(&self) -> usize {
        0
    }
    fn profile(&self) -> BoardProfileId {
        BoardProfileId::M4_1M
    }
    fn uptime_ms(&self) -> u32 {
        self.start.elapsed().as_millis() as u32
    }
}

type SimServer<'k> = Server<'k, SimBoardFlash, SimPlatform, Vec<u8>, SIM_HEAD_CAP>;

/// A simulated device (see the module documentation).
#[derive(Debug)]
pub struct SimDevice<'k> {
    server: Box<SimServer<'k>>,
    link: Box<Link<RX, TX>>,
    out: VecDeque<u8>,
    config: ServerConfig<'k>,
}

impl<'k> SimDevice<'k> {
    /// A device with erased flash that accepts models signed for `key`.
    pub fn new(key: &'k VerifyingKey) -> Result<Self, ServerError> {
        Self::with_flash(SimBoardFlash::new(Self::sectors()), ServerConfig::new(key))
    }

    /// A device booting from `flash` with `config` (tests use `ServerConfig::dev_allow_unsigned`).
    pub fn with_flash(flash: SimBoardFlash, config: ServerConfig<'k>) -> Result<Self, ServerError> {
        let server = Server::new(
            flash,
            SIM_LAYOUT,
            SimPlatform::default(),
            vec![0u8; SIM_ARENA],
            config,
        )?;
        Ok(Self {
            server: Box::new(server),
            link: Box::new(Link::new()),
            out: VecDeque::new(),
            config,
        })
    }

    /// Sectors of flash the layout needs.
    pub fn sectors() -> usize {
        SIM_LAYOUT.span().map_or(0, |s| s as usize).div_ceil(ERASE)
    }

    /// Power-cycles the device: the server restarts from what is in flash.
    pub fn reboot(self) -> Result<Self, ServerError> {
        let config = self.config;
        Self::with_flash(self.server.into_flash(), config)
    }

    /// The device's server (its learner, storage and counters).
    pub fn server(&self) -> &SimServer<'k> {
        &self.server
    }
}

impl Write for SimDevice<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &byte in buf {
            if let Some(frame) = self.server.poll(&mut self.link, byte) {
                self.out.extend(frame);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Read for SimDevice<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out.is_empty() {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.out.len());
        for (dst, src) in buf.iter_mut().zip(self.out.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}
