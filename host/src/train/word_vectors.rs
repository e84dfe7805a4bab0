//! A student's hashed embedding table started from pretrained word vectors (GloVe) instead of
//! noise, so that words the few labelled originals never show still carry meaning.
//!
//! ```text
//! GloVe words, most frequent first ──hash (the device's tokenizer)──▶ bucket table G [buckets, width]
//!   (each bucket: the vector of the most frequent word that lands in it; no word: zeros)
//! training texts ──mean of G rows──▶ X [n, width];  teacher logits (KD) or one-hot labels ▶ Y [n, classes]
//! projection P [width, dim] = orthonormal ridge directions of Y on X, then seeded random directions
//! table = G·P, each column scaled to the student's `embed_init_std` over the covered buckets
//! ```
//!
//! The student's width is far below GloVe's, so the projection keeps first what predicts the
//! teacher (the ridge directions) and fills the rest with random directions (which keep distances
//! between words on average).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use edgekd_models::student::StudentConfig;
use edgekd_shared::tokenizer::{tokenize_to_vec, TokenizerConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::{Mode, TrainExample};
use super::error::TrainError;

/// GloVe words read (the most frequent first).
pub const GLOVE_WORDS: usize = 100_000;

/// Ridge penalty, relative to `trace(XᵀX)` (the summed squared norms of the rows of X).
const RIDGE: f64 = 1e-2;

/// Word vectors, frequency-ordered: `vectors` is `[words.len(), width]` row-major.
#[derive(Debug)]
pub struct WordVectors {
    /// The words, most frequent first.
    pub words: Vec<String>,
    /// Their vectors `[words.len(), width]`.
    pub vectors: Vec<f32>,
    /// Vector width.
    pub width: usize,
}

impl WordVectors {
    /// The first `count` GloVe words and vectors of the asset folder `dir`.
    pub fn load_glove(dir: &Path, count: usize) -> Result<Self, TrainError> {
        let fail = |e: crate::augment::KnnError| TrainError::WordVectors {
            path: dir.to_path_buf(),
            message: e.to_string(),
        };
        let words = crate::augment::glove_vocab(dir, count).map_err(fail)?;
        let m = crate::augment::glove_vectors(dir, words.len()).map_err(fail)?;
        Ok(Self {
            words,
            vectors: m.data,
            width: m.cols,
        })
    }

    /// The GloVe asset's first [`GLOVE_WORDS`] words, loaded once per process.
    pub fn glove() -> Result<Arc<Self>, TrainError> {
        static GLOVE: OnceLock<Arc<WordVectors>> = OnceLock::new();
        if let Some(g) = GLOVE.get() {
            return Ok(g.clone());
        }
        let dir = crate::assets::ensure("glove-6b-50d").map_err(|e| TrainError::WordVectors {
            path: "glove-6b-50d".into(),
            message: e.to_string(),
        })?;
        let loaded = Arc::new(Self::load_glove(&dir, GLOVE_WORDS)?);
        Ok(GLOVE.get_or_init(|| loaded).clone())
    }

    /// `[buckets, width]`: row `b` is the vector of the most frequent word whose unigram hashes to
    /// bucket `b` under `tokenizer`, zeros where none does; and which rows have a word.
    pub fn bucket_table(&self, tokenizer: &TokenizerConfig) -> (Vec<f32>, Vec<bool>) {
        let buckets = tokenizer.buckets as usize;
        let words_only = TokenizerConfig {
            features: TokenizerConfig::WORDS,
            ..*tokenizer
        };
        let mut table = vec![0f32; buckets * self.width];
        let mut covered = vec![false; buckets];
        for (i, word) in self.words.iter().enumerate() {
            let Ok((ids, _)) = tokenize_to_vec(word, &words_only) else {
                continue;
            };
            let ([id], Some(v)) = (
                ids.as_slice(),
                self.vectors.get(i * self.width..(i + 1) * self.width),
            ) else {
                continue;
            };
            let b = *id as usize;
            if let (Some(false), Some(row)) = (
                covered.get(b).copied(),
                table.get_mut(b * self.width..(b + 1) * self.width),
            ) {
                row.copy_from_slice(v);
                covered[b] = true;
            }
        }
        (table, covered)
    }
}

/// The embedding table `[student.buckets, student.dim]` (row-major) that a student starts from:
/// `vectors` hashed into buckets and projected to the student's width by the directions that
/// predict `examples`' targets (for [`Mode::Kd`] the teacher logits, for [`Mode::Ft`] one-hot
/// gold labels, so that FT learns nothing from the teacher), then seeded random ones. Errors when
/// the student hashes no words.
///
/// # Shapes
/// - `examples[i].teacher_logits`: `[student.classes]`; returns `[buckets · dim]`
pub fn pretrained_table(
    student: &StudentConfig,
    vectors: &WordVectors,
    examples: &[TrainExample],
    mode: Mode,
    seed: u64,
) -> Result<Vec<f32>, TrainError> {
    let tokenizer = student.tokenizer();
    if tokenizer.features & TokenizerConfig::WORDS == 0 {
        return Err(TrainError::BadConfig(format!(
            "word-vector initialisation needs word features (features {} has no 1)",
            student.features
        )));
    }
    let width = vectors.width;
    let (g, covered) = vectors.bucket_table(&tokenizer);
    let (x, y) = text_means(&g, width, examples, student.classes, mode);
    let mut directions = orthonormal(ridge(&x, &y, width, student.classes), width);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0F61_0E00);
    while directions.len() < student.dim {
        // Uniform in [-1, 1) per coordinate: a random direction (not isotropic, which the
        // Gram–Schmidt step and the column scaling do not need).
        let r: Vec<f64> = (0..width).map(|_| rng.gen_range(-1.0..1.0)).collect();
        directions.extend(orthonormal_to(&directions, r));
    }
    directions.truncate(student.dim);
    let dim = student.dim;
    let mut table = vec![0f32; student.buckets * dim];
    for (b, row) in table.chunks_mut(dim).enumerate() {
        if !covered.get(b).copied().unwrap_or(false) {
            continue;
        }
        let gb = &g[b * width..(b + 1) * width];
        for (out, d) in row.iter_mut().zip(&directions) {
            *out = gb
                .iter()
                .zip(d)
                .map(|(&a, &w)| f64::from(a) * w)
                .sum::<f64>() as f32;
        }
    }
    scale_columns(&mut table, dim, &covered, student.embed_init_std);
    Ok(table)
}

/// X `[n, width]`: the mean of each example's bucket rows of `g`; Y `[n, classes]`: its centred
/// targets (KD: teacher logits; FT, or any example without them: one-hot gold labels).
fn text_means(
    g: &[f32],
    width: usize,
    examples: &[TrainExample],
    classes: usize,
    mode: Mode,
) -> (Vec<f64>, Vec<f64>) {
    let soft = mode == Mode::Kd && examples.iter().all(|e| e.teacher_logits.is_some());
    let mut x = vec![0f64; examples.len() * width];
    let mut y = vec![0f64; examples.len() * classes];
    for (i, e) in examples.iter().enumerate() {
        let xi = &mut x[i * width..(i + 1) * width];
        for &t in &e.tokens {
            if let Some(row) = g.get(t as usize * width..(t as usize + 1) * width) {
                for (a, &v) in xi.iter_mut().zip(row) {
                    *a += f64::from(v);
                }
            }
        }
        let n = e.tokens.len().max(1) as f64;
        xi.iter_mut().for_each(|a| *a /= n);
        let yi = &mut y[i * classes..(i + 1) * classes];
        match (&e.teacher_logits, soft) {
            (Some(l), true) => {
                let mean = l.iter().map(|&v| f64::from(v)).sum::<f64>() / classes as f64;
                for (a, &v) in yi.iter_mut().zip(l) {
                    *a = f64::from(v) - mean;
                }
            }
            _ => {
                for (c, a) in yi.iter_mut().enumerate() {
                    *a = if c == e.label { 1.0 } else { 0.0 } - 1.0 / classes as f64;
                }
            }
        }
    }
    (x, y)
}

/// Ridge regression of `y` `[n, k]` on `x` `[n, width]`: the `k` coefficient columns, each
/// `[width]`, of `(XᵀX + λI)⁻¹XᵀY` with `λ` = [`RIDGE`] × `trace(XᵀX)`.
fn ridge(x: &[f64], y: &[f64], width: usize, k: usize) -> Vec<Vec<f64>> {
    let n = x.len() / width.max(1);
    let mut a = vec![0f64; width * width];
    let mut b = vec![0f64; width * k];
    for i in 0..n {
        let xi = &x[i * width..(i + 1) * width];
        let yi = &y[i * k..(i + 1) * k];
        for r in 0..width {
            for c in 0..width {
                a[r * width + c] += xi[r] * xi[c];
            }
            for c in 0..k {
                b[r * k + c] += xi[r] * yi[c];
            }
        }
    }
    // λ·I with λ = RIDGE × trace(XᵀX): RIDGE × n × the mean squared row norm.
    let trace: f64 = (0..width).map(|r| a[r * width + r]).sum();
    let lambda = (RIDGE * trace).max(1e-12);
    for r in 0..width {
        a[r * width + r] += lambda;
    }
    let Some(l) = cholesky(&a, width) else {
        return vec![];
    };
    (0..k)
        .map(|c| {
            let rhs: Vec<f64> = (0..width).map(|r| b[r * k + c]).collect();
            cholesky_solve(&l, width, &rhs)
        })
        .collect()
}

/// Lower-triangular `L` with `L·Lᵀ = a` (`a` symmetric positive definite `[m, m]`).
fn cholesky(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0f64; m * m];
    for i in 0..m {
        for j in 0..=i {
            let s: f64 = (0..j).map(|p| l[i * m + p] * l[j * m + p]).sum();
            if i == j {
                let d = a[i * m + i] - s;
                if d <= 0.0 {
                    return None;
                }
                l[i * m + i] = d.sqrt();
            } else {
                l[i * m + j] = (a[i * m + j] - s) / l[j * m + j];
            }
        }
    }
    Some(l)
}

/// Solves `L·Lᵀ·x = rhs`.
fn cholesky_solve(l: &[f64], m: usize, rhs: &[f64]) -> Vec<f64> {
    let mut z = vec![0f64; m];
    for i in 0..m {
        let s: f64 = (0..i).map(|p| l[i * m + p] * z[p]).sum();
        z[i] = (rhs[i] - s) / l[i * m + i];
    }
    let mut x = vec![0f64; m];
    for i in (0..m).rev() {
        let s: f64 = (i + 1..m).map(|p| l[p * m + i] * x[p]).sum();
        x[i] = (z[i] - s) / l[i * m + i];
    }
    x
}

/// Gram–Schmidt: the columns that stay independent, each of unit length.
fn orthonormal(columns: Vec<Vec<f64>>, width: usize) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for c in columns {
        if c.len() == width {
            let kept = orthonormal_to(&out, c);
            out.extend(kept);
        }
    }
    out
}

/// `v` minus its projections on the (orthonormal) `basis`, normalised; `None` when nothing of it
/// is left (relative norm below 1e-6).
fn orthonormal_to(basis: &[Vec<f64>], mut v: Vec<f64>) -> Option<Vec<f64>> {
    let before = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    for b in basis {
        let dot: f64 = v.iter().zip(b).map(|(a, c)| a * c).sum();
        v.iter_mut().zip(b).for_each(|(a, c)| *a -= dot * c);
    }
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    (before > 0.0 && norm > 1e-6 * before).then(|| v.into_iter().map(|a| a / norm).collect())
}

/// Scales each column of `table` `[rows, dim]` to standard deviation `std` over the `covered` rows
/// (the scale of the random start, so that a word no training text shows adds no more noise to a
/// mean than it would have).
fn scale_columns(table: &mut [f32], dim: usize, covered: &[bool], std: f64) {
    let rows: Vec<usize> = (0..covered.len()).filter(|&b| covered[b]).collect();
    if rows.is_empty() {
        return;
    }
    for c in 0..dim {
        let values = rows.iter().map(|&b| f64::from(table[b * dim + c]));
        let mean = values.clone().sum::<f64>() / rows.len() as f64;
        let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / rows.len() as f64;
        let scale = if var > 0.0 { std / var.sqrt() } else { 1.0 };
        for &b in &rows {
            table[b * dim + c] = (f64::from(table[b * dim + c]) * scale) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four words: two "good" ones along +e0, two "bad" ones along −e0, noise on e1, e2.
    fn toy() -> WordVectors {
        let words = ["great", "superb", "awful", "dreadful"]
            .map(String::from)
            .to_vec();
        let vectors = vec![
            1.0, 0.3, -0.2, //
            0.9, -0.4, 0.1, //
            -1.0, 0.2, 0.3, //
            -0.8, -0.1, -0.3,
        ];
        WordVectors {
            words,
            vectors,
            width: 3,
        }
    }

    fn example(text: &str, student: &StudentConfig, logits: [f32; 2]) -> TrainExample {
        let label = usize::from(logits[1] > logits[0]);
        TrainExample::from_text(text, label, Some(logits.to_vec()), student).unwrap()
    }

    #[test]
    fn each_word_lands_in_its_bucket() {
        let student = StudentConfig::new(4096, 2, 2).with_features(1);
        let (g, covered) = toy().bucket_table(&student.tokenizer());
        assert_eq!(covered.iter().filter(|c| **c).count(), 4);
        let ex = TrainExample::from_text("awful", 0, None, &student).unwrap();
        let b = ex.tokens[0] as usize;
        assert_eq!(&g[b * 3..b * 3 + 3], &[-1.0, 0.2, 0.3]);
    }

    #[test]
    fn the_first_column_separates_what_the_teacher_separates() {
        let student = StudentConfig::new(4096, 2, 2).with_features(1);
        // Only "great" and "awful" are in the training texts; "superb" and "dreadful" are not.
        let train = [
            example("great", &student, [-2.0, 2.0]),
            example("awful", &student, [2.0, -2.0]),
        ];
        let table = pretrained_table(&student, &toy(), &train, Mode::Kd, 7).unwrap();
        assert_eq!(table.len(), 4096 * 2);
        let first = |w: &str| {
            let b = TrainExample::from_text(w, 0, None, &student)
                .unwrap()
                .tokens[0] as usize;
            table[b * 2]
        };
        // The unseen words sit on the side of the seen word they resemble.
        assert!(first("superb") * first("great") > 0.0);
        assert!(first("dreadful") * first("awful") > 0.0);
        assert!(first("superb") * first("dreadful") < 0.0);
    }

    #[test]
    fn a_student_without_word_features_is_refused() {
        let student = StudentConfig::new(64, 2, 2).with_features(4);
        let err = pretrained_table(&student, &toy(), &[], Mode::Kd, 1).unwrap_err();
        assert!(err.to_string().contains("word features"), "{err}");
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        let x = cholesky_solve(&l, 2, &[2.0, 1.0]);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
    }
}
