//! Talking to an edgekd device: the protocol client and an in-process simulated device.
//!
//! [`DeviceClient`] speaks the wire protocol (`edgekd_shared::protocol`) over any
//! `std::io::Read + Write` byte stream: QEMU's UART0 on a loopback TCP port, a serial port, or
//! a [`SimDevice`], which runs the device's own `Server` over a RAM flash in this process, so
//! that host evaluation and device answers can be compared without QEMU or a board.
//!
//! [`ProbeFlash`] and [`install`] run the device's own storage code on the host over a board's
//! flash as a debug probe reaches it ([`TargetMemory`]); with the `probe` feature,
//! `flash_with_probe` drives them through probe-rs.

mod client;
mod error;
#[cfg(test)]
mod fake_chip;
#[cfg(feature = "probe")]
mod probe;
mod probe_flash;
mod probe_install;
mod probe_target;
mod sim;

pub use client::{DeviceClient, FlashReport, HelloInfo, Prediction, DEFAULT_TIMEOUT};
pub use error::ClientError;
#[cfg(feature = "probe")]
pub use probe::{attach, flash_with_probe, ChipError, ProbeError, SessionMemory, DEFAULT_CHIP};
pub use probe_flash::{
    ProbeFlash, ProbeFlashError, ProbeStep, TargetMemory, FIRMWARE_LAYOUT, FIRMWARE_STORAGE_BASE,
    FIRMWARE_STORAGE_LEN, PROBE_ERASE_SIZE, PROBE_WRITE_SIZE,
};
pub use probe_install::{
    check_model, install, InstallError, InstallReport, ModelCheckError, StorageTarget,
};
pub use probe_target::{probe_target, ProbeTarget, ProbeTargetError};
pub use sim::{SimDevice, SimPlatform, SIM_ARENA, SIM_HEAD_CAP, SIM_LAYOUT};
