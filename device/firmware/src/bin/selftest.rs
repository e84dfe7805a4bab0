//! Self-test on the emulated Cortex-M4: runs the shared test vectors (kernels, tokenizer) and
//! the dot-product vectors, prints one line per group on the semihosting console and a summary
//! on UART0, and exits with status 0 only if every vector matches the host's expected values.
#![no_std]
#![no_main]

use core::fmt::Write as _;

use cortex_m_rt::entry;
use edgekd_firmware::uart::CmsdkUart;
use edgekd_firmware::{dotcheck, exit, outln};

/// Result of one group of vectors: how many passed, or a description of the first mismatch.
fn report<E: core::fmt::Display>(group: &str, result: Result<usize, E>, failures: &mut u32) {
    match result {
        Ok(n) => outln!("selftest {group}: ok ({n} checks)"),
        Err(e) => {
            outln!("selftest {group}: FAIL: {e}");
            *failures += 1;
        }
    }
}

#[entry]
fn main() -> ! {
    let mut failures = 0u32;
    report("dot", dotcheck::check_all(), &mut failures);
    report("kernels", edgekd_shared::kernels::vectors::check_all(), &mut failures);
    report("tokenizer", edgekd_shared::tokenizer::vectors::check_all(), &mut failures);

    let verdict = if failures == 0 { "PASS" } else { "FAIL" };
    outln!("selftest: {verdict} ({failures} failing groups)");
    if let Some(Ok(mut uart)) = CmsdkUart::take_uart0(115_200) {
        let mut line = Line::default();
        let _ = writeln!(line, "selftest: {verdict} ({failures} failing groups)");
        let _ = embedded_io::Write::write_all(&mut uart, line.as_bytes());
        let _ = embedded_io::Write::flush(&mut uart);
    }
    exit(failures)
}

/// A 64-byte line buffer for `write!` (text beyond it is cut).
#[derive(Default)]
struct Line {
    buf: [u8; 64],
    len: usize,
}

impl Line {
    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl core::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}
