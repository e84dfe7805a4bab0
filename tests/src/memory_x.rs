//! The `MEMORY` block of a board's `memory.x` linker script, read far enough to compare it with
//! the board map (`edgekd_device::board`): `NAME : ORIGIN = n, LENGTH = n` lines, numbers in
//! decimal or `0x` hex with an optional `K` or `M` suffix. Anything more elaborate (expressions)
//! is refused, so a `memory.x` this reader cannot check fails the test instead of passing it.

use edgekd_device::board::MemRegion;

/// One region of the `MEMORY` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// `FLASH`, `STORAGE`, `RAM`, `BOOT2`, …
    pub name: String,
    /// Its range.
    pub region: MemRegion,
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

fn number(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (digits, scale) = match t.as_bytes().last() {
        Some(b'K') => (&t[..t.len() - 1], 1024),
        Some(b'M') => (&t[..t.len() - 1], 1024 * 1024),
        _ => (t, 1),
    };
    let value = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => digits.parse(),
    }
    .map_err(|e| format!("{t:?} is not a number this reader takes: {e}"))?;
    value
        .checked_mul(scale)
        .ok_or_else(|| format!("{t:?} overflows 32 bits"))
}

/// The regions of the `MEMORY { … }` block of `script`.
pub fn parse(script: &str) -> Result<Vec<Named>, String> {
    let text = strip_comments(script);
    let start = text.find("MEMORY").ok_or("no MEMORY block")?;
    let open = text[start..].find('{').ok_or("MEMORY without '{'")? + start;
    let close = text[open..].find('}').ok_or("MEMORY without '}'")? + open;
    let mut regions = Vec::new();
    for line in text[open + 1..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (name, spec) = line
            .split_once(':')
            .ok_or_else(|| format!("{line:?}: no ':'"))?;
        let mut origin = None;
        let mut len = None;
        for part in spec.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{line:?}: {part:?} has no '='"))?;
            match key.trim() {
                "ORIGIN" | "org" | "o" => origin = Some(number(value)?),
                "LENGTH" | "len" | "l" => len = Some(number(value)?),
                other => return Err(format!("{line:?}: unknown attribute {other:?}")),
            }
        }
        let (Some(origin), Some(len)) = (origin, len) else {
            return Err(format!("{line:?}: needs ORIGIN and LENGTH"));
        };
        regions.push(Named {
            name: name.trim().to_string(),
            region: MemRegion { origin, len },
        });
    }
    Ok(regions)
}

/// The region called `name`.
pub fn region(regions: &[Named], name: &str) -> Option<MemRegion> {
    regions.iter().find(|r| r.name == name).map(|r| r.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_numbers_and_comments_are_read() {
        let script = "/* MEMORY { FAKE : ORIGIN = 1, LENGTH = 1 } */\nMEMORY\n{\n  BOOT2 : ORIGIN = 0x10000000, LENGTH = 0x100\n  FLASH : ORIGIN = 0x10000100, LENGTH = 440K /* firmware */\n  RAM : ORIGIN = 0x20000000, LENGTH = 1M\n}\n_x = ORIGIN(RAM);\n";
        let r = parse(script).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            region(&r, "FLASH"),
            Some(MemRegion {
                origin: 0x1000_0100,
                len: 440 * 1024
            })
        );
        assert_eq!(region(&r, "RAM").map(|m| m.len), Some(1 << 20));
        assert_eq!(region(&r, "FAKE"), None);
    }

    #[test]
    fn expressions_and_junk_are_refused() {
        assert!(parse("MEMORY { FLASH : ORIGIN = 0, LENGTH = 440K - 0x100 }").is_err());
        assert!(parse("MEMORY { FLASH : ORIGIN = 0 }").is_err());
        assert!(parse("SECTIONS {}").is_err());
    }
}
