//! The loadable segments of a 32-bit little-endian ELF (a Cortex-M firmware image): what a
//! flasher writes (file bytes at the physical address) and what occupies RAM at run time
//! (memory bytes at the virtual address), and where those file bytes are in the image (to rewrite a
//! static such as the key slot). Enough of the ELF format for that and no more.

/// One `PT_LOAD` program header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Where the file bytes start in the image (`p_offset`).
    pub offset: u32,
    /// Run-time address (`p_vaddr`).
    pub vaddr: u32,
    /// Load address (`p_paddr`): where the flasher puts the file bytes.
    pub paddr: u32,
    /// Bytes stored in the file and written to flash (`p_filesz`).
    pub file_size: u32,
    /// Bytes the segment occupies at run time (`p_memsz`; more than `file_size` for `.bss`).
    pub mem_size: u32,
}

/// Why an image is not a 32-bit little-endian ELF with readable program headers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// Not `\x7fELF`, or not ELFCLASS32 / little-endian.
    #[error("not a 32-bit little-endian ELF file")]
    NotElf32,
    /// The program header table reaches past the end of the file.
    #[error("program header table at {offset} ({count} × {size} bytes) reaches past the {len}-byte file")]
    Truncated {
        /// `e_phoff`.
        offset: u32,
        /// `e_phnum`.
        count: u16,
        /// `e_phentsize`.
        size: u16,
        /// File length.
        len: usize,
    },
}

const PT_LOAD: u32 = 1;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The `PT_LOAD` segments of `image`, in file order.
pub fn load_segments(image: &[u8]) -> Result<Vec<Segment>, ElfError> {
    if image.get(..6) != Some(b"\x7fELF\x01\x01".as_slice()) {
        return Err(ElfError::NotElf32);
    }
    let (offset, size, count) = match (u32_at(image, 28), u16_at(image, 42), u16_at(image, 44)) {
        (Some(o), Some(s), Some(c)) => (o, s, c),
        _ => return Err(ElfError::NotElf32),
    };
    let truncated = ElfError::Truncated {
        offset,
        count,
        size,
        len: image.len(),
    };
    let mut segments = Vec::new();
    for i in 0..usize::from(count) {
        let at = offset as usize + i * usize::from(size);
        let field = |k: usize| u32_at(image, at + 4 * k).ok_or_else(|| truncated.clone());
        if field(0)? != PT_LOAD {
            continue;
        }
        segments.push(Segment {
            offset: field(1)?,
            vaddr: field(2)?,
            paddr: field(3)?,
            file_size: field(4)?,
            mem_size: field(5)?,
        });
    }
    Ok(segments)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal ELF32 header with `phdrs` program headers (type, vaddr, paddr, filesz, memsz), each
    /// with file offset 0x100.
    pub(crate) fn elf_with(phdrs: &[[u32; 5]]) -> Vec<u8> {
        let mut b = vec![0u8; 52];
        b[..6].copy_from_slice(b"\x7fELF\x01\x01");
        b[28..32].copy_from_slice(&52u32.to_le_bytes());
        b[42..44].copy_from_slice(&32u16.to_le_bytes());
        b[44..46].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for &[kind, vaddr, paddr, filesz, memsz] in phdrs {
            for word in [kind, 0x100, vaddr, paddr, filesz, memsz, 0, 0] {
                b.extend_from_slice(&word.to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn load_segments_are_read_and_others_skipped() {
        let image = elf_with(&[
            [PT_LOAD, 0, 0, 0x400, 0x400],
            [6, 0, 0, 0x20, 0x20],
            [PT_LOAD, 0x2000_0000, 0x1000, 0x10, 0x800],
        ]);
        let segs = load_segments(&image).unwrap();
        assert_eq!(segs.len(), 2);
        assert_eq!(
            segs[1],
            Segment {
                offset: 0x100,
                vaddr: 0x2000_0000,
                paddr: 0x1000,
                file_size: 0x10,
                mem_size: 0x800
            }
        );
    }

    #[test]
    fn other_files_and_truncated_tables_are_refused() {
        assert_eq!(load_segments(b"not an elf"), Err(ElfError::NotElf32));
        let mut image = elf_with(&[[PT_LOAD, 0, 0, 4, 4]]);
        image.truncate(60);
        assert!(matches!(
            load_segments(&image),
            Err(ElfError::Truncated { count: 1, .. })
        ));
    }
}
