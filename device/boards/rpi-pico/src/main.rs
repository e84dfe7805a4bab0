//! The edgekd device on the Raspberry Pi Pico: the firmware core's server
//! (`edgekd_firmware::serve_forever`) on UART0 at 115 200 baud (GP0 TX, GP1 RX: a Raspberry Pi
//! Debug Probe's UART, or any 3.3 V USB-serial adapter), with the model slots and the learner
//! journal in the QSPI flash's `STORAGE` region, read in place through XIP.
//!
//! ```text
//! GP1 RX / GP0 TX ─ BufferedUart (interrupt-driven ring buffers, embedded_io) ───────┐
//! QSPI flash (embassy-rp Flash, embedded-storage NorFlash) ─ MappedPartition ─────────┤
//! TIMER (µs) ─ Micros ─ BoardPlatform ────────────────────────────────────────────────┼─ serve_forever
//! LED (GP25, embedded-hal OutputPin) ─ LedReport ─────────────────────────────────────┘
//! ```
//!
//! The LED: dark while booting or handling a request, lit while waiting for the host; N blinks
//! and a pause, repeated: boot failure N (`edgekd_firmware::BootFailure`). The Cortex-M0+ has no
//! DSP instructions: `edgekd_shared`'s kernels take their portable path on `thumbv6m`.
#![no_std]
#![no_main]

mod micros;

use core::mem::MaybeUninit;

use cortex_m::singleton;
use cortex_m_rt::entry;
use edgekd_device::board::RPI_PICO;
use edgekd_firmware::led::{BlinkTiming, LedReport, StatusLed};
use edgekd_firmware::partition::MappedPartition;
use edgekd_firmware::platform::BoardPlatform;
use edgekd_firmware::{serve_forever, uart_rings, BootFailure, BootReport, DeviceServer};
use embassy_rp::bind_interrupts;
use embassy_rp::flash::{Blocking, Flash as QspiFlash};
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{FLASH, UART0};
use embassy_rp::uart::{self, BufferedInterruptHandler, BufferedUart};

use micros::Micros;

/// The RP2040's core clock after `embassy_rp::init`, for the LED's blink timing.
const CPU_HZ: u32 = 125_000_000;
/// The Pico's flash: 2 MiB.
const FLASH_SIZE: usize = 2 * 1024 * 1024;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
});

type Flash = MappedPartition<QspiFlash<'static, FLASH, Blocking, FLASH_SIZE>>;
type Platform = BoardPlatform<Micros>;

#[entry]
fn main() -> ! {
    let p = embassy_rp::init(Default::default());
    let led = StatusLed::new(Output::new(p.PIN_25, Level::Low));
    let mut report = LedReport::new(led, BlinkTiming::for_clock(CPU_HZ));

    // SAFETY: the driver addresses the QSPI flash from offset 0, which XIP maps at 0x1000_0000
    // (RPI_PICO.chip_flash.origin), flushing the XIP cache after every erase and program; nothing
    // else writes the storage region.
    let qspi = QspiFlash::<_, Blocking, FLASH_SIZE>::new_blocking(p.FLASH);
    let flash = match unsafe { MappedPartition::for_board(qspi, &RPI_PICO) } {
        Ok(f) => f,
        Err(_) => report.fail(BootFailure::MemoryMap),
    };
    let Some((rx, tx)) = uart_rings() else {
        report.fail(BootFailure::Uart)
    };
    let uart = BufferedUart::new(
        p.UART0,
        p.PIN_0,
        p.PIN_1,
        Irqs,
        tx,
        rx,
        uart::Config::default(),
    );
    let Some(slot) =
        singleton!(: MaybeUninit<DeviceServer<Flash, Platform>> = MaybeUninit::uninit())
    else {
        report.fail(BootFailure::Storage)
    };
    let platform = BoardPlatform::new(Micros, RPI_PICO.profile);
    serve_forever(flash, &RPI_PICO, platform, uart, slot, &mut report)
}

/// A panic is a bug (the server answers every input with a reply): stop where a debugger sees it.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::interrupt::disable();
    loop {
        cortex_m::asm::bkpt();
    }
}
