//! kNN replacement from GloVe: a word's candidates are its top-k cosine neighbours among the
//! most frequent words (the GloVe vocabulary is frequency-ordered). The neighbour table is built
//! once and cached in the asset directory as `knn-top<k>-<n>.bin`.

use super::lexicon::Lexicon;
use super::npy::{read_f32_matrix, Matrix, NpyError};
use edgekd_models::neighbours::top_k_neighbours;
use rand::{Rng, RngCore};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Words considered by default (the paper: 100k most frequent).
pub const DEFAULT_WORDS: usize = 100_000;
/// Neighbours per word by default.
pub const DEFAULT_K: usize = 15;
const MAGIC: &[u8; 8] = b"EKDKNN01";

/// Failures loading GloVe or its neighbour table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KnnError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The vectors could not be read.
    #[error(transparent)]
    Npy(#[from] NpyError),
    /// Vocabulary and vectors disagree.
    #[error("{path}: {what}")]
    Mismatch {
        /// File.
        path: PathBuf,
        /// What disagrees.
        what: String,
    },
}

/// The first `words` words of the GloVe asset folder `dir`, most frequent first.
pub fn glove_vocab(dir: &Path, words: usize) -> Result<Vec<String>, KnnError> {
    let path = dir.join(crate::assets::GLOVE_VOCAB_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| KnnError::Io { path, source })?;
    Ok(text.lines().take(words).map(str::to_string).collect())
}

/// The vectors of the first `n` GloVe words of `dir`, `[n, 50]`; an error unless there are `n`.
pub fn glove_vectors(dir: &Path, n: usize) -> Result<Matrix, KnnError> {
    let npy = dir.join(crate::assets::GLOVE_NPY_FILE);
    let m = read_f32_matrix(&npy, n)?;
    if m.rows != n {
        return Err(KnnError::Mismatch {
            path: npy,
            what: format!("{} vectors for {n} words", m.rows),
        });
    }
    Ok(m)
}

/// The kNN lexicon.
#[derive(Debug)]
pub struct KnnLexicon {
    vocab: Vec<String>,
    index: HashMap<String, u32>,
    /// `[n, k]` neighbour indices, best first.
    neighbours: Vec<u32>,
    k: usize,
    /// Per word, the neighbours usable as replacements (containing a letter, not the word
    /// itself in another case), concatenated; word i's are `usable[starts[i]..starts[i + 1]]`.
    usable: Vec<u32>,
    /// `n + 1` offsets into `usable`.
    starts: Vec<usize>,
}

impl KnnLexicon {
    /// Builds from a vocabulary and its vectors (`[vocab.len(), dim]`, row-major).
    pub fn from_vectors(vocab: Vec<String>, vectors: &[f32], dim: usize, k: usize) -> Self {
        let n = vocab.len().min(vectors.len().checked_div(dim).unwrap_or(0));
        let neighbours = top_k_neighbours(vectors.get(..n * dim).unwrap_or_default(), dim, k);
        Self::from_table(vocab.into_iter().take(n).collect(), neighbours)
    }

    /// `neighbours` is `[vocab.len(), k]`; `k` is taken from its length.
    fn from_table(vocab: Vec<String>, neighbours: Vec<u32>) -> Self {
        let k = neighbours.len().checked_div(vocab.len()).unwrap_or(0);
        let index = vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        let has_letter: Vec<bool> = vocab
            .iter()
            .map(|w| w.chars().any(char::is_alphabetic))
            .collect();
        let lower: Vec<String> = vocab.iter().map(|w| w.to_lowercase()).collect();
        let mut usable = Vec::new();
        let mut starts = Vec::with_capacity(vocab.len() + 1);
        starts.push(0);
        for (i, row) in neighbours.chunks(k.max(1)).enumerate().take(vocab.len()) {
            for &j in row {
                let ok = has_letter.get(j as usize).copied().unwrap_or(false)
                    && lower.get(j as usize) != lower.get(i);
                if ok {
                    usable.push(j);
                }
            }
            starts.push(usable.len());
        }
        while starts.len() < vocab.len() + 1 {
            starts.push(usable.len());
        }
        Self {
            vocab,
            index,
            neighbours,
            k,
            usable,
            starts,
        }
    }

    /// Usable neighbour indices of a lower-cased word (empty when unknown).
    fn usable_of(&self, word: &str) -> &[u32] {
        let Some(&i) = self.index.get(word) else {
            return &[];
        };
        let i = i as usize;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.usable.get(a..b).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Loads the GloVe asset directory (`glove_6B_vocab.txt`, `glove_6B_50d_emb.npy`) restricted to
    /// the first `words` words, with the neighbour table from the cache file or built and cached.
    pub fn load(dir: &Path, words: usize, k: usize) -> Result<Self, KnnError> {
        let vocab = glove_vocab(dir, words)?;
        let n = vocab.len();
        let cache = dir.join(format!("knn-top{k}-{n}.bin"));
        if let Some(table) = read_table(&cache, n, k, &vocab) {
            tracing::info!(path = %cache.display(), "kNN table loaded from cache");
            return Ok(Self::from_table(vocab, table));
        }
        let m = glove_vectors(dir, n)?;
        let started = std::time::Instant::now();
        let table = top_k_neighbours(&m.data, m.cols, k);
        tracing::info!(
            words = n,
            k,
            secs = started.elapsed().as_secs_f64(),
            "kNN table built"
        );
        write_table(&cache, n, k, &vocab, &table)?;
        Ok(Self::from_table(vocab, table))
    }

    /// Neighbours of a word (lower-cased), best first; empty when unknown.
    pub fn neighbours(&self, word: &str) -> impl Iterator<Item = &str> {
        let row = self.index.get(word).map(|&i| i as usize * self.k);
        let slice = row
            .and_then(|r| self.neighbours.get(r..r + self.k))
            .unwrap_or_default();
        slice
            .iter()
            .filter_map(|&j| self.vocab.get(j as usize).map(String::as_str))
    }

    /// Vocabulary size.
    pub fn len(&self) -> usize {
        self.vocab.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.vocab.is_empty()
    }

    /// The vocabulary, frequency-ordered.
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }
}

impl Lexicon for KnnLexicon {
    fn name(&self) -> &'static str {
        "knn"
    }

    fn has_candidate(&self, word: &str) -> bool {
        !self.usable_of(word).is_empty()
    }

    fn pick(&self, word: &str, rng: &mut dyn RngCore) -> Option<&str> {
        let cands = self.usable_of(word);
        if cands.is_empty() {
            return None;
        }
        let j = *cands.get(rng.gen_range(0..cands.len()))?;
        self.vocab.get(j as usize).map(String::as_str)
    }
}

/// FNV-1a over the vocabulary, to detect a table built for other words.
fn vocab_digest(vocab: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in vocab {
        for b in w.bytes().chain(std::iter::once(b'\n')) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Cache layout: magic, n (u64 LE), k (u64 LE), vocabulary digest (u64 LE), `n·k` u32 LE.
fn read_table(path: &Path, n: usize, k: usize, vocab: &[String]) -> Option<Vec<u32>> {
    let bytes = std::fs::read(path).ok()?;
    let u64_at = |o: usize| {
        bytes
            .get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    };
    if bytes.get(..8)? != MAGIC
        || u64_at(8)? != n as u64
        || u64_at(16)? != k as u64
        || u64_at(24)? != vocab_digest(vocab)
    {
        return None;
    }
    let body = bytes.get(32..)?;
    if body.len() != n * k * 4 {
        return None;
    }
    let table: Vec<u32> = body
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    table.iter().all(|&j| (j as usize) < n).then_some(table)
}

fn write_table(
    path: &Path,
    n: usize,
    k: usize,
    vocab: &[String],
    table: &[u32],
) -> Result<(), KnnError> {
    let mut bytes = Vec::with_capacity(32 + table.len() * 4);
    bytes.extend_from_slice(MAGIC);
    for v in [n as u64, k as u64, vocab_digest(vocab)] {
        bytes.extend(v.to_le_bytes());
    }
    for j in table {
        bytes.extend(j.to_le_bytes());
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let io = |source| KnnError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::super::npy::tests::write_npy;
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn neighbours_skip_non_words_and_self() {
        let vocab: Vec<String> = ["good", "great", ",", "bad", "awful"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let v = [1.0, 0.0, 0.9, 0.1, 0.95, 0.05, -1.0, 0.0, -0.9, -0.1];
        let lex = KnnLexicon::from_vectors(vocab, &v, 2, 2);
        assert_eq!(lex.neighbours("good").collect::<Vec<_>>(), [",", "great"]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        for _ in 0..10 {
            assert_eq!(lex.pick("good", &mut rng), Some("great"));
        }
        assert!(lex.has_candidate("bad") && !lex.has_candidate("unknown"));
    }

    #[test]
    fn load_builds_then_reuses_the_cached_table() {
        let dir = tempfile::tempdir().unwrap();
        let words = ["alpha", "beta", "gamma", "delta", "eps"];
        std::fs::write(
            dir.path().join(crate::assets::GLOVE_VOCAB_FILE),
            words.join("\n") + "\n",
        )
        .unwrap();
        let v: Vec<f32> = (0..15).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
        write_npy(
            &dir.path().join(crate::assets::GLOVE_NPY_FILE),
            5,
            3,
            &v,
            true,
        );
        let a = KnnLexicon::load(dir.path(), 4, 2).unwrap();
        let cache = dir.path().join("knn-top2-4.bin");
        assert!(cache.is_file());
        // Remove the vectors: the second load must come from the cache alone.
        std::fs::remove_file(dir.path().join(crate::assets::GLOVE_NPY_FILE)).unwrap();
        let b = KnnLexicon::load(dir.path(), 4, 2).unwrap();
        assert_eq!(a.neighbours, b.neighbours);
        assert_eq!(a.len(), 4);
        // A corrupted cache is rebuilt, which now fails for lack of vectors: proof it was not used.
        let mut bytes = std::fs::read(&cache).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&cache, bytes).unwrap();
        assert!(KnnLexicon::load(dir.path(), 4, 2).is_err());
    }

    /// Times the neighbour table on the real GloVe vectors (not cached, not written) and prints a
    /// digest of it, to compare two builds' tables:
    /// `cargo test -p edgekd-host --lib knn_table_timing -- --ignored --nocapture`
    /// (`EDGEKD_KNN_WORDS=20000` for a smaller table; the default is `DEFAULT_WORDS`).
    #[test]
    #[ignore = "needs the glove-6b-50d asset; takes seconds to minutes"]
    fn knn_table_timing() {
        let dir = crate::assets::Cache::from_env()
            .unwrap()
            .asset_dir("glove-6b-50d");
        let n = std::env::var("EDGEKD_KNN_WORDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_WORDS);
        let m = glove_vectors(&dir, n).unwrap();
        let started = std::time::Instant::now();
        let table = top_k_neighbours(&m.data, m.cols, DEFAULT_K);
        let secs = started.elapsed().as_secs_f64();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in table.iter().flat_map(|j| j.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        println!(
            "kNN table: {n} words, k {DEFAULT_K}, {} threads: {secs:.2} s, digest {h:016x}",
            rayon::current_num_threads()
        );
    }
}
