//! SHA-256 of files and of file trees, in hex.

use edgekd_shared::hex::hex;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Hex SHA-256 of a file's bytes, streamed in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

/// Hex SHA-256 of a byte slice.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Digest of a set of files under `dir` whose names end in `suffix`, at any depth below `dir`'s
/// immediate subdirectories or in `dir` itself.
///
/// The digest is the SHA-256 of the lines `"<sha256 hex>  <relative path>\n"` (the format of
/// `sha256sum`) sorted by relative path in byte order, so it can be reproduced with
/// `find . -name '*.json' | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
/// Returns `(file count, digest)`.
pub fn sha256_tree(dir: &Path, suffix: &str) -> io::Result<(usize, String)> {
    let mut files = Vec::new();
    collect(dir, dir, suffix, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for rel in &files {
        let digest = sha256_file(&dir.join(rel))?;
        hasher.update(format!("{digest}  {rel}\n").as_bytes());
    }
    Ok((files.len(), hex(&hasher.finalize())))
}

fn collect(root: &Path, dir: &Path, suffix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(root, &path, suffix, out)?;
        } else if path.to_string_lossy().ends_with(suffix) {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_of_abc() {
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tree_digest_matches_sha256sum_format() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/x.json"), b"abc").unwrap();
        std::fs::write(dir.path().join("b/y.txt"), b"ignored").unwrap();
        std::fs::write(dir.path().join("a.json"), b"").unwrap();
        let (n, digest) = sha256_tree(dir.path(), ".json").unwrap();
        assert_eq!(n, 2);
        let listing = format!(
            "{}  a.json\n{}  b/x.json\n",
            sha256_bytes(b""),
            sha256_bytes(b"abc")
        );
        assert_eq!(digest, sha256_bytes(listing.as_bytes()));
        std::fs::write(dir.path().join("b/x.json"), b"abd").unwrap();
        assert_ne!(sha256_tree(dir.path(), ".json").unwrap().1, digest);
    }
}
