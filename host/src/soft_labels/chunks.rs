//! Chunk files of soft labels: the teacher-labelling stage of a cluster run writes each chunk of
//! texts it labels into a file of its own, `soft-labels.d/<name>.ekdc` beside the cache file, in the
//! cache file's format ([`super::cache`]).
//!
//! A chunk file is written whole to a temporary name in the same folder, synced and renamed, so a
//! reader sees it complete or not at all, and no two writers ever append to one file: tasks on
//! several machines fill one shared cache without a lock. A chunk's name hashes the teacher and its
//! texts, so a chunk whose file exists is finished and is skipped when the stage runs again.
//! [`SoftLabelCache::open`] reads every chunk file along with the cache file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use edgekd_models::teacher::{Teacher, TeacherId};
use edgekd_shared::hex::hex;
use sha2::{Digest, Sha256};

use super::cache::{
    check_header, encode_record, header_bytes, parse_records, text_hash, SoftLabelCache,
};
use super::error::SoftLabelError;

type Result<T> = std::result::Result<T, SoftLabelError>;

/// Extension of a finished chunk file.
pub const CHUNK_EXTENSION: &str = "ekdc";

/// The folder of chunk files that belongs to the cache file `cache_path`
/// (`soft-labels.ekdc` → `soft-labels.d`).
pub fn chunk_dir(cache_path: &Path) -> PathBuf {
    cache_path.with_extension("d")
}

/// The name of the chunk of `texts` labelled by `teacher`: 32 hex digits of a SHA-256 over the
/// teacher's id and each text's hash, in order.
pub fn chunk_name<S: AsRef<str>>(teacher: &TeacherId, texts: &[S]) -> String {
    let mut h = Sha256::new();
    h.update(b"edgekd-soft-chunk-v1");
    h.update(teacher.0);
    for text in texts {
        h.update(text_hash(text.as_ref()));
    }
    hex(&h.finalize()[..16])
}

/// What labelling one chunk did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkOutcome {
    /// The chunk's file.
    pub path: PathBuf,
    /// Distinct texts in the chunk.
    pub texts: usize,
    /// Texts the teacher labelled now (the others came from the cache).
    pub labelled: usize,
    /// The chunk's file already existed: nothing was labelled or written.
    pub already_done: bool,
}

/// Reads every finished chunk file of `dir` into `index`; returns how many were read. A missing folder
/// holds no chunks; temporary files of unfinished writes are not chunk files and are ignored.
pub(super) fn read_chunks(
    dir: &Path,
    index: &mut HashMap<([u8; 32], [u8; 32]), Vec<f32>>,
) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(SoftLabelError::io(dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == CHUNK_EXTENSION))
        .collect();
    paths.sort();
    for path in &paths {
        let bytes = std::fs::read(path).map_err(|e| SoftLabelError::io(path, e))?;
        check_header(&bytes, path)?;
        parse_records(&bytes, index);
    }
    Ok(paths.len())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| SoftLabelError::io(dir, e))?;
    let name = path
        .file_name()
        .map_or_else(|| "chunk".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let io = |e| SoftLabelError::io(&tmp, e);
    {
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(|e| SoftLabelError::io(path, e))
}

impl SoftLabelCache {
    /// Labels the chunk `texts` under `teacher` into its own chunk file unless that file exists:
    /// `label` gets only the distinct texts the cache lacks; the chunk file holds every distinct text
    /// of the chunk. The cache file itself is not written.
    pub fn label_chunk_with<S: AsRef<str>>(
        &mut self,
        teacher: &TeacherId,
        texts: &[S],
        label: impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>>,
    ) -> Result<ChunkOutcome> {
        let path =
            chunk_dir(&self.path).join(format!("{}.{CHUNK_EXTENSION}", chunk_name(teacher, texts)));
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<&str> = texts
            .iter()
            .map(AsRef::as_ref)
            .filter(|t| seen.insert(*t))
            .collect();
        if path.exists() {
            return Ok(ChunkOutcome {
                path,
                texts: distinct.len(),
                labelled: 0,
                already_done: true,
            });
        }
        let missing: Vec<&str> = distinct
            .iter()
            .copied()
            .filter(|t| self.get(teacher, t).is_none())
            .collect();
        if !missing.is_empty() {
            let fresh = self.label_rows(&missing, label)?;
            for (text, logits) in missing.iter().zip(fresh) {
                self.index.insert((teacher.0, text_hash(text)), logits);
            }
        }
        let mut bytes = header_bytes().to_vec();
        for text in &distinct {
            let key = (teacher.0, text_hash(text));
            bytes.extend_from_slice(&encode_record(&key, &self.index[&key]));
        }
        write_atomically(&path, &bytes)?;
        Ok(ChunkOutcome {
            path,
            texts: distinct.len(),
            labelled: missing.len(),
            already_done: false,
        })
    }

    /// [`SoftLabelCache::label_chunk_with`] with `teacher` doing the labelling.
    pub fn label_chunk<S: AsRef<str>>(
        &mut self,
        teacher: &Teacher,
        texts: &[S],
    ) -> Result<ChunkOutcome> {
        self.label_chunk_with(&teacher.id(), texts, |missing| {
            Ok(teacher.label(missing, None)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn fresh_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("edgekd-softchunks-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A fake teacher: logits [len, 1] of each text, counting the texts it is asked for.
    fn fake(calls: &Cell<usize>) -> impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>> + '_ {
        move |texts: &[&str]| {
            calls.set(calls.get() + texts.len());
            Ok(texts.iter().map(|t| vec![t.len() as f32, 1.0]).collect())
        }
    }

    #[test]
    fn tasks_fill_one_cache_through_chunk_files_without_touching_the_cache_file() {
        let dir = fresh_dir("tasks");
        let path = dir.join("soft-labels.ekdc");
        let id = TeacherId([2; 32]);
        let calls = Cell::new(0);
        // Two tasks open the same cache and each labels its own chunk.
        let mut a = SoftLabelCache::open(&path).unwrap();
        let mut b = SoftLabelCache::open(&path).unwrap();
        let first = a
            .label_chunk_with(&id, &["a", "bb", "a"], fake(&calls))
            .unwrap();
        let second = b.label_chunk_with(&id, &["ccc"], fake(&calls)).unwrap();
        assert_eq!(
            (first.texts, first.labelled, first.already_done),
            (2, 2, false)
        );
        assert_eq!((second.texts, second.labelled), (1, 1));
        assert_eq!(calls.get(), 3);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 12, "header only");
        assert_eq!(first.path.parent().unwrap(), chunk_dir(&path));
        // A reader sees every chunk, as if the cache file held them.
        let c = SoftLabelCache::open(&path).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&id, "ccc"), Some(&[3.0, 1.0][..]));
        // A finished chunk is skipped: nothing labelled, nothing written.
        let again = a
            .label_chunk_with(&id, &["a", "bb", "a"], fake(&calls))
            .unwrap();
        assert!(again.already_done);
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn texts_the_cache_holds_are_copied_into_the_chunk_not_labelled_again() {
        let dir = fresh_dir("copied");
        let path = dir.join("soft-labels.ekdc");
        let id = TeacherId([4; 32]);
        let calls = Cell::new(0);
        let mut cache = SoftLabelCache::open(&path).unwrap();
        cache.insert(&id, "known", &[7.0, 7.0]).unwrap();
        cache.flush().unwrap();
        let out = cache
            .label_chunk_with(&id, &["known", "new"], fake(&calls))
            .unwrap();
        assert_eq!((out.texts, out.labelled), (2, 1));
        assert_eq!(calls.get(), 1);
        // The chunk file alone answers both texts.
        let mut index = HashMap::new();
        assert_eq!(read_chunks(&chunk_dir(&path), &mut index).unwrap(), 1);
        assert_eq!(index[&(id.0, text_hash("known"))], vec![7.0, 7.0]);
        assert_eq!(index[&(id.0, text_hash("new"))], vec![3.0, 1.0]);
    }

    #[test]
    fn unfinished_writes_are_ignored_and_names_follow_teacher_and_texts() {
        let dir = fresh_dir("names");
        let chunks = dir.join("soft-labels.d");
        std::fs::create_dir_all(&chunks).unwrap();
        std::fs::write(chunks.join(".x.ekdc.77.tmp"), b"torn").unwrap();
        let mut index = HashMap::new();
        assert_eq!(read_chunks(&chunks, &mut index).unwrap(), 0);
        assert_eq!(read_chunks(&dir.join("absent"), &mut index).unwrap(), 0);
        let (t1, t2) = (TeacherId([1; 32]), TeacherId([9; 32]));
        assert_eq!(chunk_name(&t1, &["a", "b"]).len(), 32);
        assert_eq!(chunk_name(&t1, &["a", "b"]), chunk_name(&t1, &["a", "b"]));
        assert_ne!(chunk_name(&t1, &["a", "b"]), chunk_name(&t2, &["a", "b"]));
        assert_ne!(chunk_name(&t1, &["a", "b"]), chunk_name(&t1, &["b", "a"]));
    }
}
