//! Talking to an edgekd device: the protocol client and an in-process simulated device.
//!
//! [`DeviceClient`] speaks the wire protocol (`edgekd_shared::protocol`) over any
//! `std::io::Read + Write` byte stream: QEMU's UART0 on a loopback TCP port, a serial port, or
//! a [`SimDevice`], which runs the device's own `Server` over a RAM flash in this process, so
//! that host evaluation and device answers can be compared without QEMU or a board.

mod client;
mod error;
mod sim;

pub use client::{DeviceClient, FlashReport, HelloInfo, Prediction, DEFAULT_TIMEOUT};
pub use error::ClientError;
pub use sim::{SimDevice, SimPlatform, SIM_ARENA, SIM_HEAD_CAP, SIM_LAYOUT};
