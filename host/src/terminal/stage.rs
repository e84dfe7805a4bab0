//! A stage of a command (`Fine-tuning teacher`, `Labelling`, …): a progress bar with rate and ETA
//! while it runs on a terminal, then one line with its result and time.

use std::cell::Cell;
use std::fmt::Display;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{human_duration, stage_name, style, Style};

/// The `tracing` target of the stage lines copied into the log (the terminal shows them already).
pub const STAGE_TARGET: &str = "edgekd::stage";

/// The bar on screen, if any: the log writer holds it off while a line prints.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The bar on screen now, if any.
pub(super) fn active_bar() -> Option<ProgressBar> {
    ACTIVE.lock().ok().and_then(|a| a.clone())
}

fn set_active(bar: Option<ProgressBar>) {
    if let Ok(mut a) = ACTIVE.lock() {
        *a = bar;
    }
}

const BAR_TEMPLATE: &str =
    "{prefix} [{bar:20}] {human_pos}/{human_len} {per_sec:.dim} eta {eta} {wide_msg:.dim}";
const SPINNER_TEMPLATE: &str = "{prefix} {spinner} {elapsed} {wide_msg:.dim}";

/// One running stage; [`Stage::finish`] prints its line, dropping it unfinished prints that it
/// stopped (the error that stopped it follows).
#[derive(Debug)]
pub struct Stage {
    name: String,
    bar: Option<ProgressBar>,
    counted: Cell<bool>,
    started: Instant,
    style: Style,
    finished: bool,
}

impl Stage {
    /// Starts the stage `name` with `len` steps (`None`: unknown yet, a spinner until
    /// [`Stage::set_length`]).
    pub fn start(name: impl Into<String>, len: Option<u64>) -> Self {
        let name = name.into();
        let style = style();
        tracing::info!(target: STAGE_TARGET, "{name}: started");
        let bar = (style.stages() && style.tty).then(|| {
            // Styled while hidden, so that indicatif's default bar is never drawn.
            let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::hidden());
            bar.set_prefix(stage_name(&name, style.colour));
            bar.set_style(template(len.is_some()));
            bar.set_draw_target(ProgressDrawTarget::stdout());
            bar.enable_steady_tick(Duration::from_millis(200));
            set_active(Some(bar.clone()));
            bar
        });
        Self {
            name,
            bar,
            counted: Cell::new(len.is_some()),
            started: Instant::now(),
            style,
            finished: false,
        }
    }

    /// Sets the number of steps (a spinner becomes a bar).
    pub fn set_length(&self, len: u64) {
        if let Some(bar) = &self.bar {
            if !self.counted.get() {
                bar.set_style(template(true));
                bar.reset_eta();
            }
            bar.set_length(len);
        }
        self.counted.set(true);
    }

    /// Sets the steps done.
    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    /// Adds `n` steps done.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// A short note after the bar (`epoch 3: dev 71.2%`).
    pub fn set_message(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }

    /// Seconds since the stage started.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Ends the stage: its line with `result` and its time (also into the log).
    pub fn finish(mut self, result: impl Display) {
        self.end(&result.to_string());
    }

    fn end(&mut self, result: &str) {
        self.finished = true;
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            set_active(None);
        }
        let tail = result_and_time(result, self.elapsed());
        tracing::info!(target: STAGE_TARGET, "{}{tail}", self.name);
        if self.style.stages() {
            println!("{}{tail}", stage_name(&self.name, self.style.colour));
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.finished {
            self.end("stopped");
        }
    }
}

fn template(counted: bool) -> ProgressStyle {
    let text = if counted {
        BAR_TEMPLATE
    } else {
        SPINNER_TEMPLATE
    };
    ProgressStyle::with_template(text)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// ` 18,000 texts (88.0s)`: what follows the stage name on its finished line.
fn result_and_time(result: &str, secs: f64) -> String {
    let time = human_duration(secs);
    if result.is_empty() {
        format!(" ({time})")
    } else {
        format!(" {result} ({time})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_line_has_the_result_and_the_time() {
        assert_eq!(result_and_time("1,200 texts", 3.21), " 1,200 texts (3.2s)");
        assert_eq!(result_and_time("", 0.5), " (0.5s)");
    }

    #[test]
    fn a_stage_without_a_terminal_draws_no_bar() {
        // The style was never set in unit tests: quiet, no terminal, so no bar and no line.
        let stage = Stage::start("Labelling", None);
        stage.set_length(10);
        stage.inc(4);
        assert!(stage.bar.is_none());
        assert!(active_bar().is_none());
        stage.finish("10 texts");
    }

    #[test]
    fn both_templates_parse() {
        for text in [BAR_TEMPLATE, SPINNER_TEMPLATE] {
            assert!(ProgressStyle::with_template(text).is_ok(), "{text}");
        }
    }
}
