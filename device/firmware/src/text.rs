//! A fixed-capacity text buffer for `write!` without allocation.

use core::fmt;

/// Up to `N` bytes of text; what does not fit is cut (on a char boundary) and counted.
#[derive(Debug)]
pub struct TextBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
    cut: usize,
}

impl<const N: usize> Default for TextBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> TextBuf<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            cut: 0,
        }
    }

    /// Empties the buffer and writes `args` into it.
    pub fn set(&mut self, args: fmt::Arguments<'_>) -> &str {
        self.len = 0;
        self.cut = 0;
        let _ = fmt::write(self, args);
        self.as_str()
    }

    /// The text held.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The text held, as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Bytes that did not fit.
    pub fn cut(&self) -> usize {
        self.cut
    }
}

impl<const N: usize> fmt::Write for TextBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.len.min(N);
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + take),
            s.as_bytes().get(..take),
        ) {
            dst.copy_from_slice(src);
            self.len += take;
        }
        self.cut += s.len() - take;
        Ok(())
    }
}
