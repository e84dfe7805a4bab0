//! Panic and HardFault handlers: report on the console, then end the run with a distinct status
//! so that a test sees a failure instead of a hung emulator.

use core::panic::PanicInfo;

use cortex_m_rt::{exception, ExceptionFrame};

use crate::{exit, outln};

/// Exit status of a run that panicked.
pub const EXIT_PANIC: u32 = 101;
/// Exit status of a run that took a HardFault.
pub const EXIT_HARD_FAULT: u32 = 102;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    outln!("panic: {}", info);
    exit(EXIT_PANIC)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    outln!(
        "hard fault: pc={:#010x} lr={:#010x}",
        frame.pc(),
        frame.lr()
    );
    exit(EXIT_HARD_FAULT)
}
