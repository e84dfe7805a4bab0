//! Driver for the ARM CMSDK APB UART (UART0 of QEMU's `mps2-an386` at `0x4000_4000`), as an
//! `embedded_io` byte stream. Polled, no interrupts: `read` blocks until at least one byte is
//! there, `write` until at least one byte is taken.

use core::fmt;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, Ordering};

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};

/// Base address of UART0 on the MPS2 AN386 board.
pub const UART0_BASE: usize = 0x4000_4000;
/// Peripheral clock of the MPS2 AN386 APB UARTs, in Hz.
pub const APB_CLOCK_HZ: u32 = 25_000_000;

const DATA: usize = 0x000;
const STATE: usize = 0x004;
const CTRL: usize = 0x008;
const INTSTATUS: usize = 0x00C;
const BAUDDIV: usize = 0x010;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const STATE_RX_OVERRUN: u32 = 1 << 3;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
const INT_RX_OVERRUN: u32 = 1 << 3;

static UART0_TAKEN: AtomicBool = AtomicBool::new(false);

/// What went wrong on the UART.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UartError {
    /// A received byte was lost because the previous one had not been read yet.
    RxOverrun,
    /// The baud rate divisor is outside what the CMSDK UART accepts (16..=2^20 − 1).
    BadBaudRate {
        /// Requested rate in baud.
        baud: u32,
    },
}

impl fmt::Display for UartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RxOverrun => write!(f, "UART receive overrun: a byte was lost"),
            Self::BadBaudRate { baud } => write!(
                f,
                "UART baud rate {baud} gives a divisor outside 16..=1048575 at {APB_CLOCK_HZ} Hz"
            ),
        }
    }
}

impl core::error::Error for UartError {}

impl embedded_io::Error for UartError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::RxOverrun => ErrorKind::Other,
            Self::BadBaudRate { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// One CMSDK UART, owned exclusively.
#[derive(Debug)]
pub struct CmsdkUart {
    base: usize,
}

impl CmsdkUart {
    /// Takes UART0 of the AN386 board, enabled for transmit and receive at `baud`. `None` if it
    /// was already taken.
    pub fn take_uart0(baud: u32) -> Option<Result<Self, UartError>> {
        // Load and store inside a critical section: thumbv6m (the Cortex-M0 build) has no
        // atomic swap.
        let taken = cortex_m::interrupt::free(|_| {
            let taken = UART0_TAKEN.load(Ordering::Acquire);
            UART0_TAKEN.store(true, Ordering::Release);
            taken
        });
        if taken {
            return None;
        }
        // SAFETY: UART0_BASE is the UART0 block of this board, and the flag above hands it out
        // once.
        Some(unsafe { Self::new(UART0_BASE, baud) })
    }

    /// Enables the UART at `base` for transmit and receive at `baud`.
    ///
    /// # Safety
    /// `base` must be the address of a CMSDK APB UART that nothing else accesses while the
    /// returned value lives.
    pub unsafe fn new(base: usize, baud: u32) -> Result<Self, UartError> {
        let div = APB_CLOCK_HZ.checked_div(baud).unwrap_or(0);
        if !(16..(1 << 20)).contains(&div) {
            return Err(UartError::BadBaudRate { baud });
        }
        let uart = Self { base };
        uart.write_reg(CTRL, 0);
        uart.write_reg(BAUDDIV, div);
        uart.write_reg(INTSTATUS, u32::MAX);
        uart.write_reg(CTRL, CTRL_TX_EN | CTRL_RX_EN);
        Ok(uart)
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `base` is a CMSDK UART (constructor contract); offsets are its registers.
        unsafe { read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`.
        unsafe { write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// Clears and reports a receive overrun.
    fn check_overrun(&self) -> Result<(), UartError> {
        if self.read_reg(STATE) & STATE_RX_OVERRUN != 0 {
            self.write_reg(STATE, STATE_RX_OVERRUN);
            self.write_reg(INTSTATUS, INT_RX_OVERRUN);
            return Err(UartError::RxOverrun);
        }
        Ok(())
    }

    /// The next received byte, if one is waiting.
    pub fn try_read_byte(&mut self) -> Result<Option<u8>, UartError> {
        self.check_overrun()?;
        if self.read_reg(STATE) & STATE_RX_FULL == 0 {
            return Ok(None);
        }
        Ok(Some(self.read_reg(DATA) as u8))
    }

    /// Sends one byte, waiting while the transmit buffer is full.
    pub fn write_byte(&mut self, byte: u8) {
        while self.read_reg(STATE) & STATE_TX_FULL != 0 {}
        self.write_reg(DATA, u32::from(byte));
    }
}

impl ErrorType for CmsdkUart {
    type Error = UartError;
}

impl Read for CmsdkUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        for slot in buf.iter_mut() {
            let byte = loop {
                match self.try_read_byte()? {
                    Some(b) => break Some(b),
                    None if n > 0 => break None,
                    None => {}
                }
            };
            match byte {
                Some(b) => {
                    *slot = b;
                    n += 1;
                }
                None => break,
            }
        }
        Ok(n)
    }
}

impl ReadReady for CmsdkUart {
    fn read_ready(&mut self) -> Result<bool, UartError> {
        self.check_overrun()?;
        Ok(self.read_reg(STATE) & STATE_RX_FULL != 0)
    }
}

impl Write for CmsdkUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        let mut n = 0;
        for &byte in buf {
            if n > 0 && self.read_reg(STATE) & STATE_TX_FULL != 0 {
                break;
            }
            self.write_byte(byte);
            n += 1;
        }
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), UartError> {
        while self.read_reg(STATE) & STATE_TX_FULL != 0 {}
        Ok(())
    }
}

impl WriteReady for CmsdkUart {
    fn write_ready(&mut self) -> Result<bool, UartError> {
        Ok(self.read_reg(STATE) & STATE_TX_FULL == 0)
    }
}
