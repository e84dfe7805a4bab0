//! Instruction counting on QEMU from virtual time.
//!
//! Under `-icount shift=0` QEMU advances its virtual clock by exactly 1 ns per executed guest
//! instruction (no real-time drift: the clock only moves with execution; while the CPU sleeps in
//! WFI, virtual time jumps to the next timer deadline). The CMSDK APB timer 0 (`0x4000_0000`)
//! counts down at the 25 MHz system clock of the MPS2 boards, i.e. one tick every 40 ns = every
//! 40 instructions. [`Clock::instructions`] is therefore `ticks × 40`, with a resolution of 40
//! instructions; [`Clock::calibrate`] checks the factor at boot by timing a loop of known length.
//!
//! MMIO reads of the timer end a translation block in icount mode, so the value read reflects
//! every instruction executed before the read. Without `-icount` the figures are host time, not
//! instructions. On a real Cortex-M4 the DWT cycle counter takes this role.

use core::cell::Cell;

/// CMSDK APB timer 0 of the MPS2 FPGA images.
const TIMER0: usize = 0x4000_0000;
const CTRL: usize = TIMER0;
const VALUE: usize = TIMER0 + 0x04;
const RELOAD: usize = TIMER0 + 0x08;

/// The timer's clock: the MPS2 system clock, in Hz.
pub const TIMER_HZ: u32 = 25_000_000;
/// Instructions per timer tick under `-icount shift=0` (1 ns each): 1e9 / 25 MHz.
pub const NOMINAL_INSNS_PER_TICK: u32 = 40;

/// A free-running instruction counter. See the module docs.
#[derive(Debug)]
pub struct Clock {
    insns_per_tick: u32,
    /// Ticks seen at the last read (to extend the 32-bit counter).
    last: Cell<u32>,
    /// Whole 2³² tick wraps seen.
    wraps: Cell<u32>,
}

impl Clock {
    /// Starts timer 0 free-running from 0xFFFF_FFFF (no interrupt).
    pub fn start() -> Self {
        // SAFETY: timer 0 is not used by anything else in these firmwares; the writes only
        // configure it (reload, value, enable without interrupt).
        unsafe {
            core::ptr::write_volatile(CTRL as *mut u32, 0);
            core::ptr::write_volatile(RELOAD as *mut u32, u32::MAX);
            core::ptr::write_volatile(VALUE as *mut u32, u32::MAX);
            core::ptr::write_volatile(CTRL as *mut u32, 1);
        }
        Self {
            insns_per_tick: NOMINAL_INSNS_PER_TICK,
            last: Cell::new(0),
            wraps: Cell::new(0),
        }
    }

    /// Timer ticks since [`Clock::start`] (wrapping at 2³²).
    pub fn ticks(&self) -> u32 {
        // SAFETY: a read of the timer's current value register.
        let value = unsafe { core::ptr::read_volatile(VALUE as *const u32) };
        let ticks = u32::MAX - value;
        if ticks < self.last.get() {
            self.wraps.set(self.wraps.get().wrapping_add(1));
        }
        self.last.set(ticks);
        ticks
    }

    /// Executed instructions since start, wrapping at 2³² (resolution: one tick).
    pub fn instructions(&self) -> u32 {
        self.ticks().wrapping_mul(self.insns_per_tick)
    }

    /// Milliseconds of virtual time since start.
    pub fn uptime_ms(&self) -> u32 {
        let ticks = self.ticks();
        let total = (u64::from(self.wraps.get()) << 32) | u64::from(ticks);
        u32::try_from(total / u64::from(TIMER_HZ / 1000)).unwrap_or(u32::MAX)
    }

    /// Measures instructions per tick with a loop of `2 · iterations` instructions and keeps the
    /// result when it is plausible (1..=1000); returns it (0 when the timer did not move).
    pub fn calibrate(&mut self, iterations: u32) -> u32 {
        let before = self.ticks();
        spin(iterations.max(1));
        let ticks = self.ticks().wrapping_sub(before);
        if ticks == 0 {
            return 0;
        }
        let measured = (2 * u64::from(iterations.max(1)) + u64::from(ticks) / 2) / u64::from(ticks);
        let measured = u32::try_from(measured).unwrap_or(0);
        if (1..=1000).contains(&measured) {
            self.insns_per_tick = measured;
        }
        measured
    }

    /// The factor in use.
    pub fn insns_per_tick(&self) -> u32 {
        self.insns_per_tick
    }
}

/// Exactly two instructions per iteration (`subs`, `bne`).
#[inline(never)]
fn spin(iterations: u32) {
    // SAFETY: a register-only loop.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {n}, {n}, #1",
            "bne 2b",
            n = inout(reg) iterations => _,
            options(nomem, nostack),
        );
    }
}
