//! `SoftLabelCache`: an append-only file of teacher logits keyed by (teacher id, text hash), so a
//! second run never labels the same text with the same teacher twice.
//!
//! # File format (all integers little-endian)
//! ```text
//! header: b"EKDSOFT\0" (8 bytes) | version u32 = 1
//! record: teacher id [32] | SHA-256 of the text's UTF-8 [32] | n u32 | n × f32 logits
//!         | CRC-32 (edgekd_shared::checksum::crc32) of everything before it in the record
//! ```
//! Logits are stored at temperature 1; a temperature is applied when they are read. On open, a
//! record that is cut short or fails its CRC (a crash mid-append) ends the readable part: the
//! file is truncated there and later appends continue from a clean boundary.
//!
//! Beside the file, a folder of chunk files (`soft-labels.ekdc` → `soft-labels.d/`, same format, one
//! file per labelled chunk, each written whole by one task of a cluster's labelling stage;
//! [`super::chunks`]) is read too: their records answer like the file's own.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use edgekd_models::teacher::{Teacher, TeacherId};
use edgekd_shared::checksum::crc32;
use edgekd_shared::temperature::check_temperature;
use sha2::{Digest, Sha256};

use super::error::SoftLabelError;

type Result<T> = std::result::Result<T, SoftLabelError>;

/// First bytes of a cache file.
pub const MAGIC: [u8; 8] = *b"EKDSOFT\0";
/// Format version after the magic.
pub const VERSION: u32 = 1;
const HEADER_LEN: usize = 12;
/// Record bytes other than the logits: two hashes, the count and the CRC.
const RECORD_OVERHEAD: usize = 32 + 32 + 4 + 4;
/// Refuses absurd logit counts from a damaged length field.
const MAX_LOGITS: usize = 1 << 16;

/// SHA-256 of a text's UTF-8 bytes: the text half of a cache key.
pub fn text_hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// What a labelling call found in the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Texts answered from the cache.
    pub hits: usize,
    /// Texts sent to the teacher (each distinct text once).
    pub labelled: usize,
}

/// The cache: an index in memory, an append handle on disk.
#[derive(Debug)]
pub struct SoftLabelCache {
    pub(super) path: PathBuf,
    writer: BufWriter<File>,
    pub(super) index: HashMap<([u8; 32], [u8; 32]), Vec<f32>>,
    dropped_bytes: u64,
}

/// The 12 bytes every cache file (and chunk file) starts with.
pub(super) fn header_bytes() -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..].copy_from_slice(&VERSION.to_le_bytes());
    h
}

/// One record's bytes: the key, the logits and their CRC.
pub(super) fn encode_record(key: &([u8; 32], [u8; 32]), logits: &[f32]) -> Vec<u8> {
    let mut record = Vec::with_capacity(RECORD_OVERHEAD + 4 * logits.len());
    record.extend_from_slice(&key.0);
    record.extend_from_slice(&key.1);
    record.extend_from_slice(&(logits.len() as u32).to_le_bytes());
    for v in logits {
        record.extend_from_slice(&v.to_le_bytes());
    }
    let crc = crc32(&record);
    record.extend_from_slice(&crc.to_le_bytes());
    record
}

impl SoftLabelCache {
    /// Opens (or creates) the cache at `path` and reads every intact record.
    pub fn open(path: &Path) -> Result<Self> {
        let io = |e| SoftLabelError::io(path, e);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let mut index = HashMap::new();
        let good_len = if bytes.is_empty() {
            file.write_all(&header_bytes()).map_err(io)?;
            HEADER_LEN
        } else {
            check_header(&bytes, path)?;
            parse_records(&bytes, &mut index)
        };
        let dropped_bytes = (bytes.len().max(HEADER_LEN) - good_len) as u64;
        if dropped_bytes > 0 && !bytes.is_empty() {
            file.set_len(good_len as u64).map_err(io)?;
        }
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        super::chunks::read_chunks(&super::chunks::chunk_dir(path), &mut index)?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
            index,
            dropped_bytes,
        })
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no record is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Bytes of a damaged tail that [`SoftLabelCache::open`] cut off (0 for a clean file).
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped_bytes
    }

    /// The cached temperature-1 logits of `text` under `teacher`.
    pub fn get(&self, teacher: &TeacherId, text: &str) -> Option<&[f32]> {
        self.index
            .get(&(teacher.0, text_hash(text)))
            .map(Vec::as_slice)
    }

    /// Appends a record unless the key is already held (buffered; see [`SoftLabelCache::flush`]).
    pub fn insert(&mut self, teacher: &TeacherId, text: &str, logits: &[f32]) -> Result<()> {
        let key = (teacher.0, text_hash(text));
        if self.index.contains_key(&key) {
            return Ok(());
        }
        if logits.len() > MAX_LOGITS {
            return Err(SoftLabelError::Width {
                path: self.path.clone(),
                found: logits.len(),
                expected: MAX_LOGITS,
            });
        }
        let record = encode_record(&key, logits);
        self.writer
            .write_all(&record)
            .map_err(|e| SoftLabelError::io(&self.path, e))?;
        self.index.insert(key, logits.to_vec());
        Ok(())
    }

    /// Writes buffered records to the file.
    pub fn flush(&mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| SoftLabelError::io(&self.path, e))
    }

    /// Logits for every text (divided by `temperature`, 1 when `None`), calling `label` with only
    /// the distinct texts the cache lacks (raw logits, one row per text in the order given), then
    /// appending those and flushing.
    pub fn get_or_label<S: AsRef<str>>(
        &mut self,
        teacher: &TeacherId,
        texts: &[S],
        temperature: Option<f32>,
        label: impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>>,
    ) -> Result<(Vec<Vec<f32>>, CacheStats)> {
        let t = check_temperature(temperature.unwrap_or(1.0))?;
        let mut missing: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut hits = 0;
        for text in texts {
            let text = text.as_ref();
            if self.get(teacher, text).is_some() {
                hits += 1;
            } else if seen.insert(text) {
                missing.push(text);
            }
        }
        let stats = CacheStats {
            hits,
            labelled: missing.len(),
        };
        if !missing.is_empty() {
            let fresh = self.label_rows(&missing, label)?;
            for (text, logits) in missing.iter().zip(&fresh) {
                self.insert(teacher, text, logits)?;
            }
            self.flush()?;
        }
        let mut out = Vec::with_capacity(texts.len());
        for text in texts {
            let row = self.get(teacher, text.as_ref()).unwrap_or_default();
            out.push(row.iter().map(|v| v / t).collect());
        }
        Ok((out, stats))
    }

    /// `label`'s rows for `missing`, checked to be one per text.
    pub(super) fn label_rows(
        &self,
        missing: &[&str],
        label: impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>>,
    ) -> Result<Vec<Vec<f32>>> {
        let fresh = label(missing)?;
        if fresh.len() != missing.len() {
            return Err(SoftLabelError::Rows {
                path: self.path.clone(),
                found: fresh.len(),
                expected: missing.len(),
            });
        }
        Ok(fresh)
    }

    /// [`SoftLabelCache::get_or_label`] with `teacher` doing the labelling.
    pub fn label_with<S: AsRef<str>>(
        &mut self,
        teacher: &Teacher,
        texts: &[S],
        temperature: Option<f32>,
    ) -> Result<(Vec<Vec<f32>>, CacheStats)> {
        self.get_or_label(&teacher.id(), texts, temperature, |missing| {
            Ok(teacher.label(missing, None)?)
        })
    }
}

pub(super) fn check_header(bytes: &[u8], path: &Path) -> Result<()> {
    let bad = |message: String| SoftLabelError::Format {
        path: path.to_path_buf(),
        message,
    };
    match (bytes.get(..8), bytes.get(8..12)) {
        (Some(magic), Some(version)) if magic == MAGIC => {
            let v = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
            if v == VERSION {
                Ok(())
            } else {
                Err(bad(format!(
                    "soft-label cache version {v}, expected {VERSION}"
                )))
            }
        }
        _ => Err(bad("not a soft-label cache (bad magic)".into())),
    }
}

/// Reads intact records into `index`; returns the length of the intact prefix.
pub(super) fn parse_records(
    bytes: &[u8],
    index: &mut HashMap<([u8; 32], [u8; 32]), Vec<f32>>,
) -> usize {
    let mut pos = HEADER_LEN;
    loop {
        let Some(n_bytes) = bytes.get(pos + 64..pos + 68) else {
            return pos;
        };
        let n = u32::from_le_bytes([n_bytes[0], n_bytes[1], n_bytes[2], n_bytes[3]]) as usize;
        if n > MAX_LOGITS {
            return pos;
        }
        let body_end = pos + 68 + 4 * n;
        let (Some(body), Some(crc)) = (bytes.get(pos..body_end), bytes.get(body_end..body_end + 4))
        else {
            return pos;
        };
        if crc32(body) != u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) {
            return pos;
        }
        let mut teacher = [0u8; 32];
        let mut text = [0u8; 32];
        teacher.copy_from_slice(&body[..32]);
        text.copy_from_slice(&body[32..64]);
        let logits = body[68..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        index.insert((teacher, text), logits);
        pos = body_end + 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edgekd-softcache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        let _ = std::fs::remove_file(&p);
        p
    }

    /// A fake teacher: logits [len, -len] of each text, counting the texts it is asked for.
    fn fake(calls: &Cell<usize>) -> impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>> + '_ {
        move |texts: &[&str]| {
            calls.set(calls.get() + texts.len());
            Ok(texts
                .iter()
                .map(|t| vec![t.len() as f32, -(t.len() as f32)])
                .collect())
        }
    }

    #[test]
    fn second_run_labels_nothing() {
        let p = temp("second.bin");
        let id = TeacherId([3; 32]);
        let texts = ["good film", "bad film", "good film"];
        let calls = Cell::new(0);
        {
            let mut c = SoftLabelCache::open(&p).unwrap();
            let (rows, stats) = c.get_or_label(&id, &texts, None, fake(&calls)).unwrap();
            assert_eq!(
                stats,
                CacheStats {
                    hits: 0,
                    labelled: 2
                }
            );
            assert_eq!(rows[0], vec![9.0, -9.0]);
            assert_eq!(rows[2], rows[0]);
        }
        assert_eq!(calls.get(), 2);
        let mut c = SoftLabelCache::open(&p).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.dropped_bytes(), 0);
        let (rows, stats) = c
            .get_or_label(&id, &texts, Some(2.0), fake(&calls))
            .unwrap();
        assert_eq!(calls.get(), 2, "no text was labelled twice");
        assert_eq!(
            stats,
            CacheStats {
                hits: 3,
                labelled: 0
            }
        );
        assert_eq!(rows[1], vec![4.0, -4.0]);
        // Another teacher id is another key.
        let (_, stats) = c
            .get_or_label(&TeacherId([4; 32]), &texts[..1], None, fake(&calls))
            .unwrap();
        assert_eq!(stats.labelled, 1);
    }

    #[test]
    fn record_bytes_are_pinned() {
        let p = temp("pinned.bin");
        let mut c = SoftLabelCache::open(&p).unwrap();
        c.insert(&TeacherId([1; 32]), "a", &[1.0, -2.0]).unwrap();
        c.flush().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..12], b"EKDSOFT\0\x01\0\0\0");
        assert_eq!(bytes.len(), 12 + RECORD_OVERHEAD + 8);
        assert_eq!(&bytes[12..44], &[1u8; 32]);
        assert_eq!(&bytes[44..76], &text_hash("a"));
        assert_eq!(&bytes[76..80], &2u32.to_le_bytes());
        assert_eq!(&bytes[80..84], &1.0f32.to_le_bytes());
        assert_eq!(&bytes[84..88], &(-2.0f32).to_le_bytes());
        assert_eq!(&bytes[88..92], &crc32(&bytes[12..88]).to_le_bytes());
    }

    #[test]
    fn torn_tail_is_cut_and_appends_continue() {
        let p = temp("torn.bin");
        let id = TeacherId([9; 32]);
        {
            let mut c = SoftLabelCache::open(&p).unwrap();
            c.insert(&id, "one", &[1.0]).unwrap();
            c.insert(&id, "two", &[2.0]).unwrap();
            c.flush().unwrap();
        }
        let full = std::fs::read(&p).unwrap();
        std::fs::write(&p, &full[..full.len() - 3]).unwrap();
        {
            let mut c = SoftLabelCache::open(&p).unwrap();
            assert_eq!(c.len(), 1);
            assert_eq!(c.dropped_bytes(), (RECORD_OVERHEAD + 4 - 3) as u64);
            assert_eq!(c.get(&id, "one"), Some(&[1.0][..]));
            assert_eq!(c.get(&id, "two"), None);
            c.insert(&id, "three", &[3.0]).unwrap();
            c.flush().unwrap();
        }
        let c = SoftLabelCache::open(&p).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&id, "three"), Some(&[3.0][..]));
    }

    #[test]
    fn flipped_bit_fails_the_crc() {
        let p = temp("flip.bin");
        let id = TeacherId([5; 32]);
        {
            let mut c = SoftLabelCache::open(&p).unwrap();
            c.insert(&id, "x", &[0.5, 0.25]).unwrap();
            c.flush().unwrap();
        }
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[80] ^= 0x10;
        std::fs::write(&p, &bytes).unwrap();
        let c = SoftLabelCache::open(&p).unwrap();
        assert!(c.is_empty());
        assert!(c.dropped_bytes() > 0);
    }

    #[test]
    fn foreign_file_is_refused() {
        let p = temp("foreign.bin");
        std::fs::write(&p, b"hello world, not a cache").unwrap();
        assert!(SoftLabelCache::open(&p).is_err());
        let mut c = SoftLabelCache::open(&temp("t.bin")).unwrap();
        assert!(c
            .get_or_label(&TeacherId([0; 32]), &["a"], Some(0.0), |_| Ok(vec![]))
            .is_err());
    }
}
