//! The `server` firmware of every board, after the board has set up its drivers: verify the
//! memory map and the key, mount the storage and the learner, paint the stack, serve forever.
//!
//! ```text
//! board main ─► serve_forever(flash, board map, platform, io, server slot, report)
//!   region::matches(board)        memory.x STORAGE == the board map's  (else MemoryMap)
//!   key::verifying_key()          the embedded Ed25519 key             (else Key)
//!   Server::new(flash, layout…)   newest valid signed model, learner   (else Storage)
//!   stack::paint(), Server::serve(io)   Reset request ─► SYSRESETREQ    (I/O error: UartLater)
//! ```

use core::fmt;
use core::mem::MaybeUninit;

use edgekd_device::board::BoardMap;
use edgekd_device::server::{Link, Platform, ServeExit, Server, ServerConfig};
use edgekd_device::storage::MappedFlash;
use edgekd_shared::protocol::DEFAULT_MAX_FRAME;
use embedded_storage::nor_flash::NorFlash;

use crate::failure::BootFailure;
use crate::waiting_io::WaitingIo;
use crate::{key, region, stack};

/// Inference arena: the `m4-1m` profile's budget, in bytes.
pub const ARENA: usize = 32 * 1024;
/// Learner head capacity in f32 weights: two heads (live + committed) stay within the profile's
/// 16 KiB learner budget.
pub const HEAD_WEIGHTS: usize = 2000;
/// Receive buffer in bytes: the largest frame the server announces.
pub const RX: usize = DEFAULT_MAX_FRAME as usize;
/// Transmit buffer in bytes: a full `ReadBack` chunk after COBS and the frame header.
pub const TX: usize = 1024;

/// Receive and transmit ring buffers of a board's interrupt-driven UART driver, in bytes each
/// (even, as embassy-nrf's buffered UARTE requires).
pub const UART_RING: usize = 1024;

/// The two UART ring buffers, `(rx, tx)`, as statics; `None` after the first call.
pub fn uart_rings() -> Option<(&'static mut [u8], &'static mut [u8])> {
    let rx = cortex_m::singleton!(: [u8; UART_RING] = [0; UART_RING])?;
    let tx = cortex_m::singleton!(: [u8; UART_RING] = [0; UART_RING])?;
    Some((rx, tx))
}

/// The server type of a board with flash `F` and platform `P`.
pub type DeviceServer<F, P> = Server<'static, F, P, &'static mut [u8], HEAD_WEIGHTS>;

/// How a board reports boot progress and failure.
pub trait BootReport {
    /// One status line (QEMU: the semihosting console; a board without a console drops it).
    fn line(&mut self, args: fmt::Arguments<'_>);
    /// Stops for good with `failure` (QEMU: exit status; a board: blink the LED).
    fn fail(&mut self, failure: BootFailure) -> !;
    /// The firmware starts (`true`) or stops waiting for the host (a status LED lights while it
    /// waits); nothing by default.
    fn waiting(&mut self, waiting: bool) {
        let _ = waiting;
    }
}

/// Boots the server over `flash` (the board's `STORAGE` region, mounted with `board.layout`) and
/// serves the wire protocol on `io` until a `Reset` request (then resets the core). `server` is
/// the static the server lives in (`cortex_m::singleton!(: MaybeUninit<…> = MaybeUninit::uninit())`).
pub fn serve_forever<F, P, IO, R>(
    flash: F,
    board: &BoardMap,
    platform: P,
    io: IO,
    server: &'static mut MaybeUninit<DeviceServer<F, P>>,
    report: &mut R,
) -> !
where
    F: NorFlash + MappedFlash,
    P: Platform,
    IO: embedded_io::Read + embedded_io::Write,
    R: BootReport,
{
    let (server, link) = boot(flash, board, platform, server, report);
    // SAFETY: single stack; nothing lives below the current frame. Painting after `boot` has
    // returned leaves its large temporaries (the server's initial value) out of the high-water
    // mark, which then measures serving only.
    unsafe { stack::paint() };
    let mut io = WaitingIo::new(io, report);
    match server.serve(&mut io, link) {
        ServeExit::Io(e) => {
            let report = io.report();
            report.line(format_args!("server: serial port: {e:?}"));
            report.fail(BootFailure::UartLater)
        }
        ServeExit::Reset => cortex_m::peripheral::SCB::sys_reset(),
    }
}

/// Everything before serving; stops through `report` on failure.
#[inline(never)]
fn boot<F, P, R>(
    flash: F,
    board: &BoardMap,
    platform: P,
    slot: &'static mut MaybeUninit<DeviceServer<F, P>>,
    report: &mut R,
) -> (&'static mut DeviceServer<F, P>, &'static mut Link<RX, TX>)
where
    F: NorFlash + MappedFlash,
    P: Platform,
    R: BootReport,
{
    if !region::matches(board) {
        let linked = region::linked_storage();
        report.line(format_args!(
            "server: memory.x STORAGE {:#010x}+{:#x} is not the {} board map's {:#010x}+{:#x}",
            linked.origin, linked.len, board.name, board.storage.origin, board.storage.len
        ));
        report.fail(BootFailure::MemoryMap)
    }
    let key = match key::verifying_key() {
        Ok(k) => k,
        Err(e) => {
            report.line(format_args!("server: {e}"));
            report.fail(BootFailure::Key)
        }
    };
    let (Some(arena), Some(link)) = (
        cortex_m::singleton!(: [u8; ARENA] = [0; ARENA]),
        cortex_m::singleton!(: Link<RX, TX> = Link::new()),
    ) else {
        report.fail(BootFailure::Storage)
    };
    let arena: &'static mut [u8] = arena;
    let server = match Server::new(flash, board.layout, platform, arena, ServerConfig::new(key)) {
        Ok(s) => slot.write(s),
        Err(e) => {
            report.line(format_args!("server: {e}"));
            report.fail(BootFailure::Storage)
        }
    };
    match server.storage().active() {
        Some(m) => report.line(format_args!(
            "server: {}: model in slot {:?}, {} bytes, crc32 {:08x}, boot seq {}",
            board.name, m.slot, m.len, m.crc32, m.seq
        )),
        None => report.line(format_args!("server: {}: no model", board.name)),
    }
    (server, link)
}
