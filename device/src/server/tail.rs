//! The last bytes of a model transfer, kept in RAM for `ReadBack`.
//!
//! Storage programs whole `WRITE_SIZE` words; the last `written % WRITE_SIZE` bytes of a transfer
//! wait in its RAM word buffer until the next chunk or the commit. `ReadBack` of those bytes is
//! answered from this copy of the most recent [`MAX_WRITE_SIZE`] bytes received.

use crate::storage::MAX_WRITE_SIZE;

/// The most recent bytes of the transfer: `buf[..len]` are model bytes `end - len .. end`.
#[derive(Clone, Debug)]
pub(super) struct Tail {
    buf: [u8; MAX_WRITE_SIZE],
    len: usize,
    end: u32,
}

impl Tail {
    pub const fn new() -> Self {
        Self {
            buf: [0; MAX_WRITE_SIZE],
            len: 0,
            end: 0,
        }
    }

    /// Forgets everything (a new transfer starts at offset 0).
    pub fn clear(&mut self) {
        self.len = 0;
        self.end = 0;
    }

    /// Records `data`, which the storage accepted as model bytes `end - data.len() .. end`.
    pub fn push(&mut self, data: &[u8], end: u32) {
        let cap = self.buf.len();
        if data.len() >= cap {
            let from = data.len() - cap;
            self.buf.copy_from_slice(data.get(from..).unwrap_or(&[]));
            self.len = cap;
        } else {
            let keep = self.len.min(cap - data.len());
            self.buf.copy_within(self.len - keep..self.len, 0);
            if let Some(dst) = self.buf.get_mut(keep..keep + data.len()) {
                dst.copy_from_slice(data);
            }
            self.len = keep + data.len();
        }
        self.end = end;
    }

    /// Copies model bytes `offset .. offset + out.len()` into `out` when all of them are held.
    pub fn read(&self, offset: u32, out: &mut [u8]) -> bool {
        let start = self.end.saturating_sub(self.len as u32);
        let Some(end) = u32::try_from(out.len())
            .ok()
            .and_then(|n| offset.checked_add(n))
        else {
            return false;
        };
        if offset < start || end > self.end {
            return false;
        }
        let from = (offset - start) as usize;
        match self.buf.get(from..from + out.len()) {
            Some(src) => {
                out.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recent_bytes() {
        let mut t = Tail::new();
        let a: std::vec::Vec<u8> = (0..200u8).collect();
        t.push(&a, 200);
        let b: std::vec::Vec<u8> = (200..=255u8).chain(0..100u8).collect();
        t.push(&b, 356);
        let mut out = [0u8; 4];
        assert!(t.read(352, &mut out));
        assert_eq!(out, [96, 97, 98, 99]);
        assert!(t.read(100, &mut out));
        assert_eq!(out, [100, 101, 102, 103]);
        assert!(
            !t.read(99, &mut out),
            "byte 99 fell out of the 256-byte window"
        );
        assert!(!t.read(354, &mut out), "past the end");
        t.clear();
        assert!(!t.read(0, &mut out));
    }
}
