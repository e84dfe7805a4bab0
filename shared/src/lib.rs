//! edgekd-shared: everything the host and the device must agree on bit for bit.
//!
//! no_std and no alloc unless the `std` feature is on (host-only helpers such as the artifact
//! encoder live behind it).
#![cfg_attr(not(any(test, feature = "std")), no_std)]

pub mod artifact;
pub mod checksum;
pub mod error;
pub mod kernels;
pub mod profile;
pub mod protocol;
pub mod quant;
pub mod tokenizer;
