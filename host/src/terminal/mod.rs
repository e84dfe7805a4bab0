//! One terminal style for every command, in the manner of cargo: a line per stage (with a progress
//! bar while it runs), the detailed log only with `-v` (it always goes to the run folder's
//! `run.log`), and a summary as the last screen.
//!
//! ```text
//! edgekd [-v|-q] CMD ─► terminal::init(Style) ─► Stage::start("Labelling", len) … finish(result)
//!                                                 │ tty: a bar with rate and ETA, then one line
//!                                                 │ not a tty: the one line, no control characters
//!                                                 └ quiet: nothing (the summary alone is printed)
//! tracing ─► LogWriter: WARN and ERROR always, everything with -v (the live bar is held off
//!            while a line prints)
//! ```
//!
//! The style is process-wide and set once by the binary; a library caller that never sets it gets
//! [`Verbosity::Quiet`] (no stage lines), so that tests and other programs embedding the pipeline
//! keep their output to themselves.

mod log;
mod stage;
mod summary;

pub use log::LogWriter;
pub use stage::Stage;
pub use summary::{next_commands, DistillSummary, RunSummary, Scores, Sizes, SummaryError};

use std::io::IsTerminal;
use std::sync::OnceLock;

/// How much a command prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: the summary only.
    Quiet,
    /// Stage lines and the summary.
    Normal,
    /// `-v`: stage lines, the summary, and the detailed log on stderr.
    Verbose,
}

/// The process-wide terminal style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// How much to print.
    pub verbosity: Verbosity,
    /// Whether stdout is a terminal: progress bars and colour only then.
    pub tty: bool,
    /// Colour in stage names (a terminal, and `NO_COLOR` unset).
    pub colour: bool,
}

impl Style {
    /// The style for `verbosity` on this process's stdout (`NO_COLOR` turns colour off).
    pub fn detect(verbosity: Verbosity) -> Self {
        let tty = std::io::stdout().is_terminal();
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            verbosity,
            tty,
            colour: tty && !no_colour,
        }
    }

    /// Whether stage lines are printed.
    pub fn stages(&self) -> bool {
        self.verbosity != Verbosity::Quiet
    }
}

const SILENT: Style = Style {
    verbosity: Verbosity::Quiet,
    tty: false,
    colour: false,
};

static STYLE: OnceLock<Style> = OnceLock::new();

/// Sets the process-wide style; a second call keeps the first style.
pub fn init(style: Style) {
    let _ = STYLE.set(style);
}

/// The process-wide style ([`Verbosity::Quiet`] without a tty when [`init`] was never called).
pub fn style() -> Style {
    STYLE.get().copied().unwrap_or(SILENT)
}

/// Width of the right-aligned stage name column (`Training KD student` and its peers fit).
pub const NAME_WIDTH: usize = 20;

/// `name` right-aligned to [`NAME_WIDTH`], bold green with `colour` (cargo's look).
pub fn stage_name(name: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[1;32m{name:>NAME_WIDTH$}\x1b[0m")
    } else {
        format!("{name:>NAME_WIDTH$}")
    }
}

/// `0.4s`, `12.3s`, `3m 05s`, `1h 02m`: a duration as a person reads it.
pub fn human_duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 60.0 {
        format!("{s:.1}s")
    } else if s < 3600.0 {
        let whole = s.round() as u64;
        format!("{}m {:02}s", whole / 60, whole % 60)
    } else {
        let minutes = (s / 60.0).round() as u64;
        format!("{}h {:02}m", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_align_right_and_colour_only_when_asked() {
        assert_eq!(
            stage_name("Labelling", false),
            format!("{:>20}", "Labelling")
        );
        assert!(!stage_name("Labelling", false).contains('\x1b'));
        assert_eq!(
            stage_name("Labelling", true),
            format!("\x1b[1;32m{:>20}\x1b[0m", "Labelling")
        );
    }

    #[test]
    fn durations_read_as_seconds_minutes_or_hours() {
        assert_eq!(human_duration(0.42), "0.4s");
        assert_eq!(human_duration(59.94), "59.9s");
        assert_eq!(human_duration(185.0), "3m 05s");
        assert_eq!(human_duration(3720.0), "1h 02m");
    }

    #[test]
    fn an_uninitialised_style_prints_no_stages() {
        assert!(!SILENT.stages());
        assert!(Style {
            verbosity: Verbosity::Normal,
            ..SILENT
        }
        .stages());
    }
}
