//! Dropout masks from a counter-based hash: element `i` of a site is kept or dropped by
//! `splitmix64(seed, site, i)` alone, so the backward pass regenerates the mask instead of storing
//! it, and any split of the work across threads draws the same mask.

use rayon::prelude::*;

/// A dropout draw: probability and seed. `p = 0` keeps everything.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Probability of zeroing an element, in `[0, 1)`.
    pub p: f32,
    /// Seed of this forward pass.
    pub seed: u64,
}

/// Elements per rayon task.
const PER_TASK: usize = 1 << 14;

#[inline(always)]
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Dropout {
    /// `x[i] ← x[i]·keep(i)/(1−p)` for the mask of `site`: the forward and the backward pass alike
    /// (dropout is its own derivative).
    pub fn apply(&self, site: u64, x: &mut [f32]) {
        if self.p <= 0.0 {
            return;
        }
        let scale = 1.0 / (1.0 - self.p);
        // Keep when the top 32 bits of the hash are at or above p·2³².
        let threshold = (f64::from(self.p) * 4_294_967_296.0) as u64;
        let base = splitmix64(self.seed ^ splitmix64(site));
        x.par_chunks_mut(PER_TASK)
            .enumerate()
            .for_each(|(chunk, xs)| {
                let start = (chunk * PER_TASK) as u64;
                for (i, v) in xs.iter_mut().enumerate() {
                    let keep = (splitmix64(base.wrapping_add(start + i as u64)) >> 32) >= threshold;
                    *v = if keep { *v * scale } else { 0.0 };
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_reproducible_scaled_and_near_p() {
        let d = Dropout { p: 0.1, seed: 7 };
        let mut a = vec![1.0f32; 100_000];
        let mut b = a.clone();
        d.apply(3, &mut a);
        d.apply(3, &mut b);
        assert_eq!(a, b);
        let dropped = a.iter().filter(|&&v| v == 0.0).count() as f64 / a.len() as f64;
        assert!((dropped - 0.1).abs() < 0.005, "dropped {dropped}");
        assert!(a.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.9).abs() < 1e-6));
        let mut c = vec![1.0f32; 100_000];
        d.apply(4, &mut c);
        assert_ne!(a, c, "another site draws another mask");
        let mut e = vec![1.0f32; 10];
        Dropout { p: 0.0, seed: 1 }.apply(0, &mut e);
        assert!(e.iter().all(|&v| v == 1.0));
    }
}
