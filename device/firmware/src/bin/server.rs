//! The edgekd device: serves the wire protocol (`edgekd_shared::protocol`) on UART0 from the model
//! storage in the `STORAGE` flash region, which persists in a host file across QEMU restarts.
//!
//! ```text
//! qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -icount shift=0 -display none -monitor none \
//!   -semihosting-config enable=on,target=native,arg=server,arg=flash=/tmp/dev.flash \
//!   -serial tcp:127.0.0.1:PORT,server=on,wait=off,nodelay=on -kernel server
//! ```
//!
//! Boot: start the instruction clock and check its factor, mount the flash file (`flash=PATH`
//! semihosting argument; default `edgekd-flash.bin` in QEMU's working directory), mount storage
//! with the `m4-1m` layout (the newest valid, signed model boots), restore the learner, paint the
//! stack, then answer frames forever. One status line goes to the semihosting console.
//!
//! Exit statuses (only at boot): 3 no or bad public key, 4 flash file, 5 storage, 6 UART; a
//! failing UART later exits 7. A `Reset` request resets the board (SYSRESETREQ).
#![no_std]
#![no_main]

use cortex_m::singleton;
use cortex_m_rt::entry;
use ed25519_dalek::VerifyingKey;
use edgekd_device::server::{Link, ServeExit, Server, ServerConfig};
use edgekd_device::storage::Layout;
use edgekd_firmware::clock::{Clock, NOMINAL_INSNS_PER_TICK};
use edgekd_firmware::flash::{storage_region, PersistentFlash};
use edgekd_firmware::hostfile::{arg_value, command_line};
use edgekd_firmware::idle_uart::IdleUart;
use edgekd_firmware::platform::QemuPlatform;
use edgekd_firmware::uart::CmsdkUart;
use edgekd_firmware::{exit, outln, stack};
use edgekd_shared::protocol::DEFAULT_MAX_FRAME;

mod key {
    include!(concat!(env!("OUT_DIR"), "/public_key.rs"));
}

/// Inference arena: the `m4-1m` profile's budget.
const ARENA: usize = 32 * 1024;
/// Learner head capacity in f32 weights: two heads (live + committed) stay within the profile's
/// 16 KiB learner budget.
const HEAD_WEIGHTS: usize = 2000;
/// Receive buffer: the largest frame the server announces.
const RX: usize = DEFAULT_MAX_FRAME as usize;
/// Transmit buffer: a full `ReadBack` chunk after COBS and the frame header.
const TX: usize = 1024;
/// Flash file when no `flash=PATH` argument is given.
const DEFAULT_FLASH_FILE: &str = "edgekd-flash.bin";

type DeviceServer = Server<'static, PersistentFlash, QemuPlatform, &'static mut [u8], HEAD_WEIGHTS>;

#[entry]
fn main() -> ! {
    let (server, link, mut uart) = boot();
    // SAFETY: single stack; nothing lives below the current frame. Painting after `boot` has
    // returned leaves its large temporaries (the arena's and the server's initial values) out of
    // the high-water mark, which then measures serving only.
    unsafe { stack::paint() };
    match server.serve(&mut uart, link) {
        ServeExit::Io(e) => {
            outln!("server: UART0: {e}");
            exit(7)
        }
        ServeExit::Reset => cortex_m::peripheral::SCB::sys_reset(),
    }
}

/// Everything before serving; exits with a status on failure (see the crate docs).
#[inline(never)]
fn boot() -> (
    &'static mut DeviceServer,
    &'static mut Link<RX, TX>,
    IdleUart,
) {
    let mut clock = Clock::start();
    let per_tick = clock.calibrate(100_000);
    if per_tick != NOMINAL_INSNS_PER_TICK {
        outln!("server: clock: measured {per_tick} instructions per tick, expected {NOMINAL_INSNS_PER_TICK} (is -icount shift=0 set?)");
    }

    let Some(key_bytes) = key::PUBLIC_KEY else {
        outln!("server: built without a public key (set EDGEKD_PUBLIC_KEY or EDGEKD_PUBLIC_KEY_FILE when building)");
        exit(3)
    };
    let Ok(verifying) = VerifyingKey::from_bytes(&key_bytes) else {
        outln!(
            "server: the embedded public key ({}) is not a valid Ed25519 point",
            key::PUBLIC_KEY_SOURCE
        );
        exit(3)
    };
    let Some(key) = singleton!(: VerifyingKey = verifying) else {
        exit(3)
    };

    let mut cmdline = [0u8; 512];
    let path = command_line(&mut cmdline)
        .and_then(|c| arg_value(c, "flash"))
        .unwrap_or(DEFAULT_FLASH_FILE);
    // SAFETY: the only call; the region belongs to the flash driver from here on.
    let region = unsafe { storage_region() };
    let (flash, mounted) = match PersistentFlash::mount(region, path) {
        Ok(f) => f,
        Err(e) => {
            outln!("server: flash file '{path}': {e}");
            exit(4)
        }
    };

    let Some(arena) = singleton!(: [u8; ARENA] = [0; ARENA]) else {
        exit(5)
    };
    let arena: &'static mut [u8] = arena;
    let platform = QemuPlatform::new(clock);
    let server = match DeviceServer::new(
        flash,
        Layout::m4_1m(0),
        platform,
        arena,
        ServerConfig::new(key),
    ) {
        Ok(s) => s,
        Err(e) => {
            outln!("server: {e}");
            exit(5)
        }
    };
    let Some(server) = singleton!(: DeviceServer = server) else {
        exit(5)
    };
    let Some(link) = singleton!(: Link<RX, TX> = Link::new()) else {
        exit(5)
    };

    match server.storage().active() {
        Some(m) => outln!(
            "server: flash '{path}' ({} bytes loaded{}); model in slot {:?}, {} bytes, crc32 {:08x}, boot seq {}; {} insns/tick",
            mounted.loaded,
            if mounted.created { ", created" } else { "" },
            m.slot,
            m.len,
            m.crc32,
            m.seq,
            per_tick
        ),
        None => outln!(
            "server: flash '{path}' ({} bytes loaded{}); no model; {} insns/tick",
            mounted.loaded,
            if mounted.created { ", created" } else { "" },
            per_tick
        ),
    }

    let uart = match CmsdkUart::take_uart0(115_200) {
        Some(Ok(uart)) => IdleUart::new(uart),
        Some(Err(e)) => {
            outln!("server: {e}");
            exit(6)
        }
        None => {
            outln!("server: UART0 already taken");
            exit(6)
        }
    };

    (server, link, uart)
}
