//! Top-k cosine neighbour table over a set of vectors: blocked matrix product in parallel
//! (rayon), with an AVX2+FMA kernel chosen at run time on x86-64.
//!
//! It lives in this crate (compiled at opt-level 3 in the dev profile, see the workspace
//! `Cargo.toml`) rather than in the host crate (opt-level 0): unoptimised, the 100k-word table of
//! the host's kNN augmentation took hours on two cores. Each score is `Σ_d q[d]·k[d]` summed in
//! order of `d` (fused multiply-adds where the CPU has them), so the table does not depend on the
//! blocking or the thread count.

use rayon::prelude::*;

/// Queries per block (rows of the score tile).
const QB: usize = 32;
/// Keys per block (columns of the score tile; contiguous, so the inner loop vectorises).
const KB: usize = 512;
/// Scores tested at once against a top-k list's threshold.
const SCAN: usize = 16;

/// For each of the `n = vectors.len() / dim` vectors, the indices of its `k` most cosine-similar
/// other vectors, best first (ties: lower index first).
///
/// # Shapes
/// - `vectors`: `[n, dim]`, row-major, any norm (zero vectors get arbitrary neighbours)
/// - returns: `[n, k]`, row-major; `k` is capped at `n - 1`
pub fn top_k_neighbours(vectors: &[f32], dim: usize, k: usize) -> Vec<u32> {
    let n = vectors.len().checked_div(dim).unwrap_or(0);
    let k = k.min(n.saturating_sub(1));
    if k == 0 {
        return Vec::new();
    }
    let unit = normalise(vectors, dim);
    // Keys transposed per block: block b holds `[dim, kn]` with kn ≤ KB.
    let key_blocks: Vec<Vec<f32>> = (0..n)
        .step_by(KB)
        .map(|start| {
            let kn = KB.min(n - start);
            let mut t = vec![0.0; dim * kn];
            for j in 0..kn {
                for d in 0..dim {
                    t[d * kn + j] = unit[(start + j) * dim + d];
                }
            }
            t
        })
        .collect();
    let mut out = vec![0u32; n * k];
    out.par_chunks_mut(QB * k)
        .enumerate()
        .for_each(|(qb, chunk)| {
            let q0 = qb * QB;
            let qn = chunk.len() / k;
            let queries = &unit[q0 * dim..(q0 + qn) * dim];
            let mut tops: Vec<TopK> = (0..qn).map(|_| TopK::new(k)).collect();
            let mut scores = vec![0.0f32; QB * KB];
            for (b, keys) in key_blocks.iter().enumerate() {
                let kn = keys.len() / dim;
                score_tile(queries, keys, dim, kn, &mut scores);
                for (qi, top) in tops.iter_mut().enumerate() {
                    let row = &scores[qi * KB..qi * KB + kn];
                    let me = (q0 + qi).wrapping_sub(b * KB);
                    // Keys come in increasing index order, so once the list is full a key enters
                    // only with a strictly greater score than the worst kept one; a run of SCAN
                    // scores is skipped at once (one vectorised test) when none is greater.
                    for (c, run) in row.chunks(SCAN).enumerate() {
                        let threshold = top.threshold;
                        if !run.iter().fold(false, |any, &s| any | (s > threshold)) {
                            continue;
                        }
                        for (i, &s) in run.iter().enumerate() {
                            let j = c * SCAN + i;
                            if s > top.threshold && j != me {
                                top.offer(s, (b * KB + j) as u32);
                            }
                        }
                    }
                }
            }
            for (qi, top) in tops.into_iter().enumerate() {
                chunk[qi * k..(qi + 1) * k].copy_from_slice(&top.sorted());
            }
        });
    out
}

fn normalise(vectors: &[f32], dim: usize) -> Vec<f32> {
    let mut unit = vectors.to_vec();
    for row in unit.chunks_exact_mut(dim) {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|x| *x /= norm);
        }
    }
    unit
}

/// Whether the scores are summed with fused multiply-adds (the AVX2+FMA kernel).
fn fused() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `scores[qi * KB + j] = queries[qi] · keys[:, j]` for all queries and the `kn` keys.
fn score_tile(queries: &[f32], keys: &[f32], dim: usize, kn: usize, scores: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if fused() {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { score_tile_avx2(queries, keys, dim, kn, scores) };
            return;
        }
    }
    score_tile_generic::<false>(queries, keys, dim, kn, scores);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn score_tile_avx2(
    queries: &[f32],
    keys: &[f32],
    dim: usize,
    kn: usize,
    scores: &mut [f32],
) {
    score_tile_generic::<true>(queries, keys, dim, kn, scores);
}

/// Query rows and keys of the register tile: `MR × NR` scores accumulated in registers over all
/// of `dim` (8 AVX2 registers; MR = 6 spilled them and ran at a third of the speed), so each key
/// vector loaded feeds `MR` multiply-adds.
const MR: usize = 4;
const NR: usize = 16;

// Indexed loops over the constant tile: the iterator form kept the accumulators on the stack.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn score_tile_generic<const FMA: bool>(
    queries: &[f32],
    keys: &[f32],
    dim: usize,
    kn: usize,
    scores: &mut [f32],
) {
    let madd = |a: f32, b: f32, acc: f32| if FMA { a.mul_add(b, acc) } else { acc + a * b };
    let qn = queries.len() / dim;
    let full_rows = qn - qn % MR;
    let full_cols = kn - kn % NR;
    // The MR query rows of a register tile, interleaved: `packed[d] = [q0[d], q1[d], …]`.
    let mut packed = vec![[0.0f32; MR]; dim];
    for q0 in (0..full_rows).step_by(MR) {
        for (d, p) in packed.iter_mut().enumerate() {
            *p = std::array::from_fn(|r| queries[(q0 + r) * dim + d]);
        }
        for j0 in (0..full_cols).step_by(NR) {
            let mut acc = [0.0f32; MR * NR];
            for (krow, a) in keys.chunks_exact(kn).zip(&packed) {
                let row = &krow[j0..j0 + NR];
                for r in 0..MR {
                    for l in 0..NR {
                        acc[r * NR + l] = madd(a[r], row[l], acc[r * NR + l]);
                    }
                }
            }
            for r in 0..MR {
                let dst = &mut scores[(q0 + r) * KB + j0..][..NR];
                for l in 0..NR {
                    dst[l] = acc[r * NR + l];
                }
            }
        }
    }
    // The edges (the rows after the last multiple of MR, the columns after the last multiple of
    // NR), one score at a time, in the same order of `d`.
    for qi in 0..qn {
        let cols = if qi < full_rows { full_cols..kn } else { 0..kn };
        let q = &queries[qi * dim..(qi + 1) * dim];
        for j in cols {
            scores[qi * KB + j] = q
                .iter()
                .enumerate()
                .fold(0.0, |acc, (d, &a)| madd(a, keys[d * kn + j], acc));
        }
    }
}

/// The k best (score, index) pairs seen so far.
struct TopK {
    items: Vec<(f32, u32)>,
    k: usize,
    worst: usize,
    /// −∞ until `k` items are kept, then the worst kept score: offers in increasing index order
    /// with a score not above it cannot enter (NaN never does).
    threshold: f32,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            items: Vec::with_capacity(k),
            k,
            worst: 0,
            threshold: f32::NEG_INFINITY,
        }
    }

    fn better(a: (f32, u32), b: (f32, u32)) -> bool {
        a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
    }

    fn offer(&mut self, score: f32, idx: u32) {
        if self.items.len() < self.k {
            self.items.push((score, idx));
            if self.items.len() == self.k {
                self.find_worst();
            }
        } else if Self::better((score, idx), self.items[self.worst]) {
            self.items[self.worst] = (score, idx);
            self.find_worst();
        }
    }

    fn find_worst(&mut self) {
        let mut w = 0;
        for i in 1..self.items.len() {
            if Self::better(self.items[w], self.items[i]) {
                w = i;
            }
        }
        self.worst = w;
        self.threshold = self.items[w].0;
    }

    fn sorted(mut self) -> Vec<u32> {
        self.items
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        self.items.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*, uniform in `[-1, 1)`.
    fn uniform(state: &mut u64) -> f32 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let x = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        x as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// Every pair scored one at a time with the same arithmetic (in order of `d`, fused where the
    /// kernel fuses), fully sorted (score descending, then index).
    fn brute(vectors: &[f32], dim: usize, k: usize) -> Vec<u32> {
        let unit = normalise(vectors, dim);
        let n = vectors.len() / dim;
        let fma = fused();
        let mut out = Vec::new();
        for q in 0..n {
            let mut s: Vec<(f32, u32)> = (0..n)
                .filter(|&j| j != q)
                .map(|j| {
                    let dot = (0..dim).fold(0.0f32, |acc, d| {
                        let (a, b) = (unit[q * dim + d], unit[j * dim + d]);
                        if fma {
                            a.mul_add(b, acc)
                        } else {
                            acc + a * b
                        }
                    });
                    (dot, j as u32)
                })
                .collect();
            s.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out.extend(s.iter().take(k).map(|x| x.1));
        }
        out
    }

    #[test]
    fn matches_brute_force_across_block_edges() {
        let mut state = 3;
        // Two full key blocks and a partial one; a partial last query block.
        let (n, dim, k) = (2 * KB + 37, 7, 5);
        let v: Vec<f32> = (0..n * dim).map(|_| uniform(&mut state)).collect();
        let fast = top_k_neighbours(&v, dim, k);
        assert_eq!(fast, brute(&v, dim, k));
        assert!(fast
            .chunks(k)
            .enumerate()
            .all(|(q, r)| !r.contains(&(q as u32))));
    }

    #[test]
    fn ties_are_broken_by_index_across_block_edges() {
        // Few distinct directions (coordinates in {-1, 0, 1}) and exact duplicates straddling
        // the block edges: most scores tie, and the lower index must win every tie.
        let mut state = 11;
        let (n, dim) = (KB + QB + 5, 3);
        let mut v: Vec<f32> = (0..n * dim)
            .map(|_| (uniform(&mut state) * 1.5).round())
            .collect();
        for (dst, src) in [(KB, KB - 1), (KB + 1, 0), (n - 1, KB)] {
            let row = v[src * dim..(src + 1) * dim].to_vec();
            v[dst * dim..(dst + 1) * dim].copy_from_slice(&row);
        }
        for k in [1, 4, 20] {
            assert_eq!(top_k_neighbours(&v, dim, k), brute(&v, dim, k), "k {k}");
        }
    }

    #[test]
    fn matches_brute_force_at_the_glove_width() {
        let mut state = 7;
        let (n, dim, k) = (KB + 3 * QB + 1, 50, 15);
        let v: Vec<f32> = (0..n * dim).map(|_| uniform(&mut state)).collect();
        assert_eq!(top_k_neighbours(&v, dim, k), brute(&v, dim, k));
    }

    #[test]
    fn tiny_inputs() {
        assert!(top_k_neighbours(&[1.0, 0.0], 2, 3).is_empty());
        assert_eq!(
            top_k_neighbours(&[1.0, 0.0, 0.0, 1.0, 1.0, 0.1], 2, 5),
            vec![2, 1, 2, 0, 0, 1]
        );
    }
}
