//! Text output over semihosting (the emulator's stdout), independent of how UART0 is wired.

use core::fmt;

/// A `core::fmt::Write` sink that forwards to the host's stdout via semihosting `SYS_WRITE`.
/// Output that the host refuses is dropped and counted, never a panic.
#[derive(Debug, Default)]
pub struct Console {
    dropped: usize,
}

impl Console {
    /// A console on the host's stdout.
    pub const fn new() -> Self {
        Self { dropped: 0 }
    }

    /// Bytes the host refused so far.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match cortex_m_semihosting::hio::hstdout() {
            Ok(mut out) => {
                if out.write_all(s.as_bytes()).is_err() {
                    self.dropped = self.dropped.saturating_add(s.len());
                }
            }
            Err(()) => self.dropped = self.dropped.saturating_add(s.len()),
        }
        Ok(())
    }
}

/// `println!`-like output on the semihosting console.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::console::Console::new(), $($arg)*);
    }};
}
