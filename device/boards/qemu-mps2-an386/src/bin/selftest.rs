//! Self-test on the emulated Cortex-M4: runs the shared test vectors (kernels, tokenizer) and
//! the dot-product vectors, prints one line per group on the semihosting console and a summary
//! on UART0, and exits with status 0 only if every vector matches the host's expected values.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use edgekd_firmware::text::TextBuf;
use edgekd_firmware::{dotcheck, kernelcheck};
use mps2_an386::uart::CmsdkUart;
use mps2_an386::{exit, outln};

/// Reports one group of vectors: how many passed, or the first mismatch. A group that ran no
/// vector at all counts as a failure (an empty table proves nothing).
fn report<E: core::fmt::Display>(group: &str, result: Result<usize, E>, failures: &mut u32) {
    match result {
        Ok(0) => {
            outln!("selftest {group}: FAIL: no vectors ran");
            *failures += 1;
        }
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
    report(
        "kernels",
        edgekd_shared::kernels::vectors::check_all(),
        &mut failures,
    );
    report("kernels-random", kernelcheck::check_all(), &mut failures);
    report(
        "tokenizer",
        edgekd_shared::tokenizer::vectors::check_all(),
        &mut failures,
    );

    let verdict = if failures == 0 { "PASS" } else { "FAIL" };
    outln!("selftest: {verdict} ({failures} failing groups)");
    if let Some(Ok(mut uart)) = CmsdkUart::take_uart0(115_200) {
        let mut line = TextBuf::<64>::new();
        line.set(format_args!(
            "selftest: {verdict} ({failures} failing groups)\n"
        ));
        let _ = embedded_io::Write::write_all(&mut uart, line.as_bytes());
        let _ = embedded_io::Write::flush(&mut uart);
    }
    exit(failures)
}
