//! Helpers for the end-to-end tests.
pub mod qemu_env;
