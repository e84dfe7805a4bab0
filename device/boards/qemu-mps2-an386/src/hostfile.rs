//! A file on the host, through semihosting (`SYS_OPEN`, `SYS_SEEK`, `SYS_WRITE`, `SYS_READ`,
//! `SYS_FLEN`), and the semihosting command line (`SYS_GET_CMDLINE`).
//!
//! Needs QEMU's `-semihosting-config enable=on,target=native`: the emulator then performs each
//! call with the host's `open(2)`/`lseek(2)`/`write(2)`/`read(2)` at once, so a byte written here
//! is in the host's page cache when the call returns and survives QEMU being killed.

use core::fmt;

use cortex_m_semihosting::{nr, syscall};

/// A semihosting call that failed, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostFileError {
    /// The path is longer than the buffer for its NUL-terminated copy.
    PathTooLong {
        /// Bytes in the path.
        len: usize,
    },
    /// `SYS_OPEN` returned -1.
    Open,
    /// `SYS_SEEK` to `offset` failed.
    Seek {
        /// Byte offset in the file.
        offset: u32,
    },
    /// `SYS_WRITE` at `offset` left `missing` bytes unwritten.
    Write {
        /// Byte offset in the file.
        offset: u32,
        /// Bytes not written.
        missing: usize,
    },
    /// `SYS_READ` at `offset` failed (returned more than asked).
    Read {
        /// Byte offset in the file.
        offset: u32,
    },
    /// `SYS_FLEN` returned -1.
    Length,
}

impl fmt::Display for HostFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostFileError::PathTooLong { len } => {
                write!(
                    f,
                    "host file: path of {len} bytes is too long (max {})",
                    PATH_MAX - 1
                )
            }
            HostFileError::Open => write!(f, "host file: SYS_OPEN failed"),
            HostFileError::Seek { offset } => write!(f, "host file: SYS_SEEK to {offset} failed"),
            HostFileError::Write { offset, missing } => {
                write!(
                    f,
                    "host file: SYS_WRITE at {offset} left {missing} bytes unwritten"
                )
            }
            HostFileError::Read { offset } => write!(f, "host file: SYS_READ at {offset} failed"),
            HostFileError::Length => write!(f, "host file: SYS_FLEN failed"),
        }
    }
}

/// Longest path accepted, NUL terminator included.
pub const PATH_MAX: usize = 256;

/// How to open a file (the semihosting `fopen` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// `"r+b"`: read and write an existing file.
    ReadWrite,
    /// `"w+b"`: create (or truncate) and read/write.
    Create,
}

/// An open host file handle.
#[derive(Debug)]
pub struct HostFile {
    handle: usize,
}

impl HostFile {
    /// Opens `path` on the host.
    pub fn open(path: &str, mode: OpenMode) -> Result<Self, HostFileError> {
        let mut z = [0u8; PATH_MAX];
        let bytes = path.as_bytes();
        let dst = z
            .get_mut(..bytes.len())
            .filter(|_| bytes.len() < PATH_MAX)
            .ok_or(HostFileError::PathTooLong { len: bytes.len() })?;
        dst.copy_from_slice(bytes);
        let mode = match mode {
            OpenMode::ReadWrite => nr::open::RW_BINARY,
            OpenMode::Create => nr::open::RW_TRUNC_BINARY,
        };
        // SAFETY: `z` is NUL-terminated and outlives the call; the length excludes the NUL.
        let handle = unsafe { syscall!(OPEN, z.as_ptr(), mode, bytes.len()) };
        if handle == usize::MAX {
            return Err(HostFileError::Open);
        }
        Ok(Self { handle })
    }

    /// Length of the file in bytes.
    pub fn len(&self) -> Result<usize, HostFileError> {
        // SAFETY: the call only reads the handle.
        let n = unsafe { syscall!(FLEN, self.handle) };
        if n == usize::MAX {
            return Err(HostFileError::Length);
        }
        Ok(n)
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> Result<bool, HostFileError> {
        self.len().map(|n| n == 0)
    }

    fn seek(&mut self, offset: u32) -> Result<(), HostFileError> {
        // SAFETY: the call only reads its two arguments.
        let r = unsafe { syscall!(SEEK, self.handle, offset as usize) };
        if r != 0 {
            return Err(HostFileError::Seek { offset });
        }
        Ok(())
    }

    /// Writes all of `data` at byte `offset`.
    pub fn write_at(&mut self, offset: u32, data: &[u8]) -> Result<(), HostFileError> {
        if data.is_empty() {
            return Ok(());
        }
        self.seek(offset)?;
        // SAFETY: the host reads `data.len()` bytes from `data`, which lives across the call.
        let missing = unsafe { syscall!(WRITE, self.handle, data.as_ptr(), data.len()) };
        if missing != 0 {
            return Err(HostFileError::Write { offset, missing });
        }
        Ok(())
    }

    /// Reads up to `out.len()` bytes at `offset`; returns how many were read (fewer at the end
    /// of the file).
    pub fn read_at(&mut self, offset: u32, out: &mut [u8]) -> Result<usize, HostFileError> {
        if out.is_empty() {
            return Ok(0);
        }
        self.seek(offset)?;
        // SAFETY: the host writes at most `out.len()` bytes into `out`, borrowed mutably here.
        let missing = unsafe { syscall!(READ, self.handle, out.as_mut_ptr(), out.len()) };
        out.len()
            .checked_sub(missing)
            .ok_or(HostFileError::Read { offset })
    }
}

impl Drop for HostFile {
    fn drop(&mut self) {
        // SAFETY: closes the handle this value owns; nothing uses it afterwards.
        unsafe {
            syscall!(CLOSE, self.handle);
        }
    }
}

/// The semihosting command line (QEMU: the `arg=` values of `-semihosting-config`, joined by
/// spaces), copied into `buf`; `None` when the host gives none or it does not fit.
pub fn command_line(buf: &mut [u8]) -> Option<&str> {
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: the host writes at most `buf.len()` bytes into `buf` and the length into `block`.
    let r = unsafe { cortex_m_semihosting::syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) };
    if r != 0 {
        return None;
    }
    let len = block.get(1).copied()?;
    core::str::from_utf8(buf.get(..len)?).ok()
}

/// The value of the first `key=value` word of `command_line`.
pub fn arg_value<'a>(command_line: &'a str, key: &str) -> Option<&'a str> {
    command_line
        .split_ascii_whitespace()
        .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
}
