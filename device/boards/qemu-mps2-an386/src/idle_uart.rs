//! UART0 that sleeps (WFI) while no byte is waiting, woken by the UART's receive interrupt.
//!
//! Why: under QEMU's single-threaded TCG a guest that busy-polls the UART keeps the vCPU thread
//! busy, and bytes from the TCP socket get in late: measured 133 ms per request/reply round trip
//! busy-polling, 66 ms with WFI, 17 ms with WFI and `nodelay=on` on QEMU's socket (500 inferences
//! of a small model). On a real board sleeping saves power the same way.
//!
//! The receive interrupt (CMSDK UART `CTRL.RXINTEN`, NVIC line 0 for UART0 on the MPS2 images) is
//! only used as a wake-up event: interrupts stay masked (PRIMASK), so no handler runs; a pending
//! interrupt ends WFI anyway. Instruction counts are unaffected: the server only counts inside a
//! request, never across a wait.

use embedded_io::{ErrorType, Read, Write};

use crate::uart::{CmsdkUart, UartError, UART0_BASE};

const CTRL: usize = UART0_BASE + 0x08;
const INTSTATUS: usize = UART0_BASE + 0x0C;
const CTRL_RX_INTEN: u32 = 1 << 3;
const INT_RX: u32 = 1 << 1;
/// NVIC line of UART0's receive interrupt on mps2-an385/an386.
const UART0_RX_IRQ: u32 = 0;
const NVIC_ISER0: usize = 0xE000_E100;
const NVIC_ICPR0: usize = 0xE000_E280;

/// UART0 with WFI while idle. See the module docs.
#[derive(Debug)]
pub struct IdleUart {
    inner: CmsdkUart,
}

impl IdleUart {
    /// Masks interrupts (PRIMASK), enables UART0's receive interrupt as a wake-up source, and wraps
    /// `uart`, which must be UART0.
    pub fn new(uart: CmsdkUart) -> Self {
        cortex_m::interrupt::disable();
        // SAFETY: read-modify-write of UART0's control register (owned through `uart`) and the
        // NVIC enable bit of its receive line; with PRIMASK set no handler is ever entered.
        unsafe {
            let ctrl = core::ptr::read_volatile(CTRL as *const u32);
            core::ptr::write_volatile(CTRL as *mut u32, ctrl | CTRL_RX_INTEN);
            core::ptr::write_volatile(NVIC_ISER0 as *mut u32, 1 << UART0_RX_IRQ);
        }
        Self { inner: uart }
    }

    /// Clears the receive interrupt so that the next WFI sleeps until a new byte.
    fn clear_wakeup() {
        // SAFETY: write-1-to-clear registers of UART0 and the NVIC pending bit of its RX line.
        unsafe {
            core::ptr::write_volatile(INTSTATUS as *mut u32, INT_RX);
            core::ptr::write_volatile(NVIC_ICPR0 as *mut u32, 1 << UART0_RX_IRQ);
        }
    }
}

impl ErrorType for IdleUart {
    type Error = UartError;
}

impl Read for IdleUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(first) = self.inner.try_read_byte()? {
                let (head, rest) = buf.split_at_mut(1);
                if let Some(slot) = head.first_mut() {
                    *slot = first;
                }
                let mut n = 1;
                for slot in rest.iter_mut() {
                    match self.inner.try_read_byte()? {
                        Some(b) => {
                            *slot = b;
                            n += 1;
                        }
                        None => break,
                    }
                }
                return Ok(n);
            }
            Self::clear_wakeup();
            // A byte that arrived between the check and the clear would be missed by WFI.
            if embedded_io::ReadReady::read_ready(&mut self.inner)? {
                continue;
            }
            cortex_m::asm::wfi();
        }
    }
}

impl Write for IdleUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> Result<(), UartError> {
        self.inner.flush()
    }
}
