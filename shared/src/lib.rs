//! edgekd-shared: everything the host and the device must agree on bit for bit.
//!
//! no_std and no alloc unless the `std` feature is on (host-only helpers such as the artifact
//! encoder live behind it).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
// The device must never panic on input: no unwrap, expect or panic outside tests (a full buffer
// or a bad input is a value, see docs/architecture.md). Slice indexing stays where a validated
// plan proves the bounds; each such place says so.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod artifact;
pub mod checksum;
pub mod error;
pub mod hex;
pub mod kernels;
pub mod profile;
pub mod protocol;
pub mod quant;
pub mod softmax;
pub mod temperature;
pub mod tokenizer;
