//! Support code shared by the firmware binaries for the emulated Cortex-M4 board (QEMU
//! `mps2-an386`): the CMSDK UART driver, semihosting console and exit status, the markers the
//! `tools/qemu-icount` plugin uses to attribute executed instructions, a deterministic data
//! generator, and the panic and fault handlers.
#![no_std]

pub mod clock;
pub mod console;
pub mod dotcheck;
pub mod exit;
pub mod fault;
pub mod flash;
pub mod hostfile;
pub mod icount;
pub mod idle_uart;
pub mod kernelcheck;
pub mod platform;
pub mod reference;
pub mod rng;
pub mod stack;
pub mod text;
pub mod uart;

pub use exit::exit;
