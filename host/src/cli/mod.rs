//! Subcommand implementations of the `edgekd` binary (one file per subcommand).

pub mod assets;
