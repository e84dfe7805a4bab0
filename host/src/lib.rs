//! edgekd-host: the library behind the `edgekd` command.
pub mod adapt;
pub mod assets;
pub mod augment;
pub mod data;
pub mod device;
pub mod inspect;
pub mod keys;
#[cfg(feature = "pipeline")]
pub mod pipeline;
pub mod prerequisite;
pub mod qemu;
#[cfg(feature = "student")]
pub mod quantize;
pub mod report;
pub mod sweep;
#[cfg(feature = "student")]
pub mod train;
