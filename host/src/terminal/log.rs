//! The terminal's share of the log: warnings and errors always, every line with `-v`, each printed
//! with the live progress bar held off so that the two do not overwrite each other.

use std::io::Write;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

use super::stage::{active_bar, STAGE_TARGET};
use super::{style, Verbosity};

/// A `tracing` writer to stderr for the lines the terminal shows (see [`shows`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct LogWriter;

/// One log line on its way to stderr, or dropped.
#[derive(Debug)]
pub struct LineWriter {
    shown: bool,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.shown {
            match active_bar() {
                Some(bar) => bar.suspend(|| std::io::stderr().write_all(bytes))?,
                None => std::io::stderr().write_all(bytes)?,
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            shown: style().verbosity == Verbosity::Verbose,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        LineWriter {
            shown: shows(*meta.level(), meta.target(), style().verbosity),
        }
    }
}

/// Whether the terminal shows a log line: never the copies of stage lines (printed already),
/// warnings and errors always, the rest with `-v`.
pub fn shows(level: Level, target: &str, verbosity: Verbosity) -> bool {
    target != STAGE_TARGET && (level <= Level::WARN || verbosity == Verbosity::Verbose)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_always_show_and_info_only_when_verbose() {
        for v in [Verbosity::Quiet, Verbosity::Normal, Verbosity::Verbose] {
            assert!(shows(Level::WARN, "edgekd_host::data", v));
            assert!(shows(Level::ERROR, "edgekd_host::data", v));
            assert!(!shows(Level::INFO, STAGE_TARGET, v));
        }
        assert!(!shows(
            Level::INFO,
            "edgekd_host::pipeline",
            Verbosity::Normal
        ));
        assert!(!shows(
            Level::INFO,
            "edgekd_host::pipeline",
            Verbosity::Quiet
        ));
        assert!(shows(
            Level::INFO,
            "edgekd_host::pipeline",
            Verbosity::Verbose
        ));
    }
}
