//! edgekd-host: the library behind the `edgekd` command.
#[cfg(feature = "pipeline")]
pub mod adapt;
pub mod assets;
pub mod augment;
pub mod data;
pub mod device;
pub mod doctor;
pub mod firmware;
pub mod inspect;
pub mod keys;
pub mod mode;
#[cfg(feature = "pipeline")]
pub mod pipeline;
pub mod prerequisite;
pub mod qemu;
#[cfg(feature = "student")]
pub mod quantize;
pub mod report;
pub mod slurm;
#[cfg(feature = "teacher")]
pub mod soft_labels;
pub mod sweep;
pub mod terminal;
#[cfg(any(feature = "student", feature = "teacher"))]
pub mod train;
