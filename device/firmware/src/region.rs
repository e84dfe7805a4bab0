//! The `STORAGE` region that the board's `memory.x` reserves (`_storage_start`, `_storage_end`),
//! checked against the board map of `edgekd_device::board`.

use edgekd_device::board::{BoardMap, MemRegion};

extern "C" {
    static mut _storage_start: u8;
    static mut _storage_end: u8;
}

/// The `STORAGE` region as the linker placed it.
pub fn linked_storage() -> MemRegion {
    let start = &raw mut _storage_start as usize;
    let end = &raw mut _storage_end as usize;
    MemRegion {
        origin: u32::try_from(start).unwrap_or(u32::MAX),
        len: u32::try_from(end.saturating_sub(start)).unwrap_or(0),
    }
}

/// Whether the linker's `STORAGE` region is exactly `board.storage` (memory.x and the board map
/// agree); the firmware refuses to touch flash otherwise.
pub fn matches(board: &BoardMap) -> bool {
    linked_storage() == board.storage
}

/// The `STORAGE` region as a byte slice (the emulated board, where it is RAM).
///
/// # Safety
///
/// Call at most once, and only where the region is plain memory: the slice is the only reference
/// to it for the program's life.
pub unsafe fn storage_ram() -> &'static mut [u8] {
    let region = linked_storage();
    // SAFETY: memory.x reserves `_storage_start.._storage_end` for storage only (no section is
    // placed there) and the caller guarantees this is the only reference to it.
    unsafe {
        core::slice::from_raw_parts_mut(region.origin as usize as *mut u8, region.len as usize)
    }
}
