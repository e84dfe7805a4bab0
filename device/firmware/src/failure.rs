//! Why a firmware stopped before (or while) serving: one number per cause, the same on every
//! board. QEMU exits with it as its status; a board with a status LED blinks it.

use core::fmt;

/// A boot failure; [`BootFailure::code`] is the exit status on QEMU and the number of LED blinks
/// on a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BootFailure {
    /// Built without a public key, or the key is not an Ed25519 point.
    Key,
    /// The emulated board's flash file could not be opened or loaded.
    FlashFile,
    /// The storage did not mount (layout, flash geometry, a flash read) or memory ran out.
    Storage,
    /// The serial port could not be set up.
    Uart,
    /// The serial port failed while serving.
    UartLater,
    /// The linker's `STORAGE` region (memory.x) is not where the board map says.
    MemoryMap,
}

impl BootFailure {
    /// The number: 3 key, 4 flash file, 5 storage, 6 UART, 7 UART while serving, 8 memory map.
    pub const fn code(self) -> u32 {
        match self {
            BootFailure::Key => 3,
            BootFailure::FlashFile => 4,
            BootFailure::Storage => 5,
            BootFailure::Uart => 6,
            BootFailure::UartLater => 7,
            BootFailure::MemoryMap => 8,
        }
    }
}

impl fmt::Display for BootFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            BootFailure::Key => "public key",
            BootFailure::FlashFile => "flash file",
            BootFailure::Storage => "storage",
            BootFailure::Uart => "UART",
            BootFailure::UartLater => "UART while serving",
            BootFailure::MemoryMap => "memory map",
        };
        write!(f, "boot failure {} ({what})", self.code())
    }
}
