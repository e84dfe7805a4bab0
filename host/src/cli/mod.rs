//! Subcommand implementations of the `edgekd` binary (one file per subcommand).

#[cfg(feature = "pipeline")]
pub mod adapt;
pub mod assets;
pub mod completions;
#[cfg(feature = "pipeline")]
pub mod distill;
pub mod doctor;
pub mod error;
#[cfg(feature = "pipeline")]
pub mod eval;
#[cfg(feature = "pipeline")]
pub mod export;
pub mod flash;
pub mod inspect;
pub mod keys;
pub mod report;
#[cfg(feature = "pipeline")]
pub mod run;
pub mod run_log;
#[cfg(feature = "pipeline")]
pub mod slurm;
#[cfg(feature = "pipeline")]
pub mod sweep;
pub mod target;
pub mod version;
