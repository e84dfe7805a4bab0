//! Helpers for the end-to-end tests.
pub mod memory_x;
pub mod qemu_env;
