//! The edgekd device on the nRF52840 DK: the firmware core's server
//! (`edgekd_firmware::serve_forever`) on UARTE0 at 115 200 baud over the DK's USB-serial bridge
//! (the J-Link's virtual COM port: P0.06 TX, P0.08 RX), with the model slots and the learner
//! journal in the internal flash's `STORAGE` region, programmed by the NVMC.
//!
//! ```text
//! USB ─ J-Link VCOM ─ P0.08 RX / P0.06 TX ─ BufferedUarte (TIMER1, PPI) ─ Blocking ─┐
//! NVMC (embedded-storage NorFlash) ─ MappedPartition (NRF52840_DK.storage) ──────────┤
//! DWT cycle counter ─ BoardPlatform ─────────────────────────────────────────────────┼─ serve_forever
//! LED1 (P0.13, active low) ─ ActiveLow (embedded-hal OutputPin) ─ LedReport ─────────┘
//! ```
//!
//! LED1: dark while booting or handling a request, lit while waiting for the host; N blinks and a
//! pause, repeated: boot failure N (`edgekd_firmware::BootFailure`: 3 key, 5 storage, 8 memory
//! map). Counts per inference are CPU cycles at 64 MHz.
#![no_std]
#![no_main]

mod active_low;
mod blocking;
mod cycles;

use core::mem::MaybeUninit;

use cortex_m::singleton;
use cortex_m_rt::entry;
use edgekd_device::board::NRF52840_DK;
use edgekd_firmware::led::{BlinkTiming, LedReport, StatusLed};
use edgekd_firmware::partition::MappedPartition;
use edgekd_firmware::platform::BoardPlatform;
use edgekd_firmware::{serve_forever, uart_rings, BootFailure, BootReport, DeviceServer};
use embassy_nrf::buffered_uarte::{self, BufferedUarte};
use embassy_nrf::config::{Config, HfclkSource};
use embassy_nrf::gpio::{Level, Output, OutputDrive};
use embassy_nrf::nvmc::Nvmc;
use embassy_nrf::{bind_interrupts, peripherals, uarte};

use active_low::ActiveLow;
use blocking::Blocking;
use cycles::Cycles;

/// The nRF52840's core clock, for the LED's blink timing.
const CPU_HZ: u32 = 64_000_000;

bind_interrupts!(struct Irqs {
    UARTE0 => buffered_uarte::InterruptHandler<peripherals::UARTE0>;
});

type Flash = MappedPartition<Nvmc<'static>>;
type Platform = BoardPlatform<Cycles>;

#[entry]
fn main() -> ! {
    let mut config = Config::default();
    // The crystal: the UART's baud rate is then exact, not the RC oscillator's ±1 %.
    config.hfclk_source = HfclkSource::ExternalXtal;
    let p = embassy_nrf::init(config);
    let Some(core) = cortex_m::Peripherals::take() else {
        cortex_m::asm::udf()
    };
    let led = StatusLed::new(ActiveLow(Output::new(
        p.P0_13,
        Level::High,
        OutputDrive::Standard,
    )));
    let mut report = LedReport::new(led, BlinkTiming::for_clock(CPU_HZ));

    // SAFETY: the NVMC programs the chip's flash, which the CPU reads at the same addresses
    // (offset 0 = address 0), and nothing else writes the storage region.
    let flash = match unsafe { MappedPartition::for_board(Nvmc::new(p.NVMC), &NRF52840_DK) } {
        Ok(f) => f,
        Err(_) => report.fail(BootFailure::MemoryMap),
    };
    let Some((rx, tx)) = uart_rings() else {
        report.fail(BootFailure::Uart)
    };
    let uart = BufferedUarte::new(
        p.UARTE0,
        p.TIMER1,
        p.PPI_CH0,
        p.PPI_CH1,
        p.PPI_GROUP0,
        p.P0_08,
        p.P0_06,
        Irqs,
        uarte::Config::default(),
        rx,
        tx,
    );
    let Some(slot) =
        singleton!(: MaybeUninit<DeviceServer<Flash, Platform>> = MaybeUninit::uninit())
    else {
        report.fail(BootFailure::Storage)
    };
    let platform = BoardPlatform::new(Cycles::start(core.DCB, core.DWT), NRF52840_DK.profile);
    serve_forever(
        flash,
        &NRF52840_DK,
        platform,
        Blocking(uart),
        slot,
        &mut report,
    )
}

/// A panic is a bug (the server answers every input with a reply): stop where a debugger sees it.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::interrupt::disable();
    loop {
        cortex_m::asm::bkpt();
    }
}
