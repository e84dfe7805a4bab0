//! edgekd-device: the no_std, no-alloc runtime that runs on the microcontroller.
#![cfg_attr(not(test), no_std)]
// The device must never panic on input: no unwrap, expect or panic outside tests (a full buffer
// or a bad input is a value, see docs/architecture.md). Slice indexing stays where a validated
// plan proves the bounds; each such place says so.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod board;
pub mod engine;
pub mod key_slot;
pub mod learner;

pub mod server;
pub mod storage;
