//! embassy-nrf's buffered UARTE speaks `embedded_io_async`; the server reads and writes with
//! blocking `embedded_io`. This polls the async calls to completion in place (no executor): the
//! UARTE's interrupt and PPI keep receiving into the ring buffer meanwhile, so no byte is lost
//! while the server works.

use embedded_io::ErrorType;

/// An `embedded_io_async` port used through blocking `embedded_io`.
#[derive(Debug)]
pub struct Blocking<T>(pub T);

impl<T: ErrorType> ErrorType for Blocking<T> {
    type Error = T::Error;
}

impl<T: embedded_io_async::Read> embedded_io::Read for Blocking<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        embassy_futures::block_on(self.0.read(buf))
    }
}

impl<T: embedded_io_async::Write> embedded_io::Write for Blocking<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        embassy_futures::block_on(self.0.write(buf))
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        embassy_futures::block_on(self.0.flush())
    }
}
