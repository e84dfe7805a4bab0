//! edgekd-host: the library behind the `edgekd` command.
