//! The board-independent firmware core. Every board crate under `device/boards/` links it and
//! supplies only its drivers: a serial port (`embedded_io`), a flash (`embedded_storage`
//! `NorFlash`), a cycle or instruction counter, and optionally a status LED (`embedded_hal`).
//!
//! ```text
//! board crate: HAL drivers ─► MappedPartition (STORAGE region of the BoardMap) ─┐
//!              UART (embedded_io) ──────────────────────────────────────────────┤
//!              status LED (embedded_hal OutputPin) ─► LedReport ─────────────────┤
//!              counter ─► BoardPlatform ────────────────────────────────────────┤
//! core:        serve_forever: key ─► Server::new (storage mount, learner) ─► paint stack ─► serve
//! ```
//!
//! The protocol server, the storage, the engine and the learner live in `edgekd-device`; this
//! crate holds what a firmware adds around them and is the same on every board. It also holds the
//! on-target checks that the self-test binaries run (`dotcheck`, `kernelcheck`, `reference`).
#![no_std]

pub mod dotcheck;
pub mod failure;
pub mod kernelcheck;
pub mod key;
pub mod led;
pub mod partition;
pub mod platform;
pub mod reference;
pub mod region;
pub mod rng;
pub mod run;
pub mod stack;
pub mod text;
pub mod waiting_io;

pub use failure::BootFailure;
pub use run::{
    serve_forever, uart_rings, BootReport, DeviceServer, ARENA, HEAD_WEIGHTS, RX, TX, UART_RING,
};
