//! The edgekd device on the emulated board: the firmware core's server
//! (`edgekd_firmware::serve_forever`) on UART0, over the `STORAGE` flash region, which persists
//! in a host file across QEMU restarts.
//!
//! ```text
//! qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -icount shift=0 -display none -monitor none \
//!   -semihosting-config enable=on,target=native,arg=server,arg=flash=/tmp/dev.flash \
//!   -serial tcp:127.0.0.1:PORT,server=on,wait=off,nodelay=on -kernel server
//! ```
//!
//! Boot: start the instruction clock and check its factor, load the flash file (`flash=PATH`
//! semihosting argument; default `edgekd-flash.bin` in QEMU's working directory) into `STORAGE`,
//! take UART0, then the core mounts storage with the board map's `m4-1m` layout (the newest valid,
//! signed model boots), restores the learner, paints the stack and answers frames forever. Status
//! lines go to the semihosting console.
//!
//! Exit statuses (`edgekd_firmware::BootFailure`): 3 no or bad public key, 4 flash file,
//! 5 storage, 6 UART, 8 memory map; a failing UART later exits 7. A `Reset` request resets the
//! board (SYSRESETREQ).
#![no_std]
#![no_main]

use core::fmt;
use core::mem::MaybeUninit;

use cortex_m::singleton;
use cortex_m_rt::entry;
use edgekd_device::board::QEMU_MPS2_AN386;
use edgekd_firmware::{region, serve_forever, BootFailure, BootReport, DeviceServer};
use mps2_an386::clock::{Clock, NOMINAL_INSNS_PER_TICK};
use mps2_an386::flash::PersistentFlash;
use mps2_an386::hostfile::{arg_value, command_line};
use mps2_an386::idle_uart::IdleUart;
use mps2_an386::platform::QemuPlatform;
use mps2_an386::uart::CmsdkUart;
use mps2_an386::{exit, outln};

/// Flash file when no `flash=PATH` argument is given.
const DEFAULT_FLASH_FILE: &str = "edgekd-flash.bin";

/// Boot lines on the semihosting console, failures as QEMU's exit status.
struct Console;

impl BootReport for Console {
    fn line(&mut self, args: fmt::Arguments<'_>) {
        outln!("{args}");
    }

    fn fail(&mut self, failure: BootFailure) -> ! {
        outln!("server: {failure}");
        exit(failure.code())
    }
}

#[entry]
fn main() -> ! {
    let mut console = Console;
    let mut clock = Clock::start();
    let per_tick = clock.calibrate(100_000);
    if per_tick != NOMINAL_INSNS_PER_TICK {
        outln!("server: clock: measured {per_tick} instructions per tick, expected {NOMINAL_INSNS_PER_TICK} (is -icount shift=0 set?)");
    }

    let mut cmdline = [0u8; 512];
    let path = command_line(&mut cmdline)
        .and_then(|c| arg_value(c, "flash"))
        .unwrap_or(DEFAULT_FLASH_FILE);
    if !region::matches(&QEMU_MPS2_AN386) {
        console.fail(BootFailure::MemoryMap)
    }
    // SAFETY: the only call; on this board STORAGE is SSRAM and belongs to the flash driver.
    let ram = unsafe { region::storage_ram() };
    let (flash, mounted) = match PersistentFlash::mount(ram, path) {
        Ok(f) => f,
        Err(e) => {
            outln!("server: flash file '{path}': {e}");
            console.fail(BootFailure::FlashFile)
        }
    };
    outln!(
        "server: flash '{path}' ({} bytes loaded{}); {per_tick} insns/tick",
        mounted.loaded,
        if mounted.created { ", created" } else { "" },
    );

    let uart = match CmsdkUart::take_uart0(115_200) {
        Some(Ok(uart)) => IdleUart::new(uart),
        Some(Err(e)) => {
            outln!("server: {e}");
            console.fail(BootFailure::Uart)
        }
        None => {
            outln!("server: UART0 already taken");
            console.fail(BootFailure::Uart)
        }
    };
    let Some(slot) = singleton!(: MaybeUninit<DeviceServer<PersistentFlash, QemuPlatform>> = MaybeUninit::uninit())
    else {
        console.fail(BootFailure::Storage)
    };
    let platform = QemuPlatform::new(clock, QEMU_MPS2_AN386.profile);
    serve_forever(flash, &QEMU_MPS2_AN386, platform, uart, slot, &mut console)
}
