//! edgekd-host: the library behind the `edgekd` command.
pub mod assets;
pub mod augment;
pub mod data;
pub mod qemu;
pub mod device;
pub mod adapt;
#[cfg(feature = "student")]
pub mod quantize;
#[cfg(feature = "student")]
pub mod train;
