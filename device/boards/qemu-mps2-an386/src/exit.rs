//! Ending a run: semihosting `SYS_EXIT_EXTENDED`, which QEMU turns into its own exit status.

use cortex_m_semihosting::syscall;

/// Semihosting operation number of `SYS_EXIT_EXTENDED`.
const SYS_EXIT_EXTENDED: usize = 0x20;
/// `ADP_Stopped_ApplicationExit`: with it, QEMU exits with the given subcode as its status.
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;

/// Stops the emulator; QEMU's process exits with `status` (0 = success; the host sees the low 8
/// bits). Needs `-semihosting-config enable=on`. On a board without a debugger attached the
/// breakpoint faults; the fault handler then spins, so this never returns either way.
pub fn exit(status: u32) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, status];
    // SAFETY: SYS_EXIT_EXTENDED reads the two-word parameter block, which lives until the call
    // returns (it does not return under QEMU).
    unsafe {
        syscall(SYS_EXIT_EXTENDED, &block);
    }
    loop {
        cortex_m::asm::wfi();
    }
}
