//! UART0 loopback check: sends back every byte it receives until it gets EOT (0x04), then exits
//! 0. It never speaks first: with QEMU's `wait=off`, bytes sent before a client connects are lost. With `EDGEKD_QEMU_UART_PORT` set, `scripts/qemu-run.sh` puts UART0
//! on a loopback TCP port, so a host program can talk to the firmware over a socket.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_io::{Read, Write};
use mps2_an386::uart::CmsdkUart;
use mps2_an386::{exit, outln};

/// End of transmission: stops the echo.
const EOT: u8 = 0x04;

#[entry]
fn main() -> ! {
    let mut uart = match CmsdkUart::take_uart0(115_200) {
        Some(Ok(uart)) => uart,
        Some(Err(e)) => {
            outln!("echo: {e}");
            exit(1)
        }
        None => {
            outln!("echo: UART0 already taken");
            exit(1)
        }
    };
    let mut buf = [0u8; 64];
    let mut echoed = 0usize;
    loop {
        let n = match uart.read(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                outln!("echo: {e}");
                exit(1)
            }
        };
        let chunk = buf.get(..n).unwrap_or(&[]);
        let (data, done) = match chunk.iter().position(|&b| b == EOT) {
            Some(i) => (chunk.get(..i).unwrap_or(&[]), true),
            None => (chunk, false),
        };
        if uart.write_all(data).and_then(|()| uart.flush()).is_err() {
            exit(1);
        }
        echoed += data.len();
        if done {
            outln!("echo: {echoed} bytes echoed");
            exit(0)
        }
    }
}
