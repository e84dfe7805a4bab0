//! Board support for the emulated Cortex-M4 board (QEMU `mps2-an386`): the CMSDK UART driver,
//! the instruction clock, the semihosting console, exit status and flash file, the markers the
//! `tools/qemu-icount` plugin uses to attribute executed instructions, and the panic and fault
//! handlers. The server itself is the firmware core's (`edgekd_firmware::serve_forever`).
#![no_std]

pub mod clock;
pub mod console;
pub mod exit;
pub mod fault;
pub mod flash;
pub mod hostfile;
pub mod icount;
pub mod idle_uart;
pub mod platform;
pub mod uart;

pub use exit::exit;
