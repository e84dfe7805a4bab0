//! The serial port as the server sees it: tells the board's [`BootReport`] when the firmware
//! waits for the host (before each read) and when it works on what arrived (after), so a status
//! LED stays lit while idle and flickers with traffic.

use embedded_io::{ErrorType, Read, Write};

use crate::run::BootReport;

/// `io`, reporting waits to `report`.
#[derive(Debug)]
pub struct WaitingIo<'r, IO, R> {
    io: IO,
    report: &'r mut R,
}

impl<'r, IO, R: BootReport> WaitingIo<'r, IO, R> {
    /// Wraps `io`.
    pub fn new(io: IO, report: &'r mut R) -> Self {
        Self { io, report }
    }

    /// The report, back.
    pub fn report(&mut self) -> &mut R {
        self.report
    }
}

impl<IO: ErrorType, R> ErrorType for WaitingIo<'_, IO, R> {
    type Error = IO::Error;
}

impl<IO: Read, R: BootReport> Read for WaitingIo<'_, IO, R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.report.waiting(true);
        let n = self.io.read(buf);
        self.report.waiting(false);
        n
    }
}

impl<IO: Write, R> Write for WaitingIo<'_, IO, R> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.io.write(buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.io.flush()
    }
}
