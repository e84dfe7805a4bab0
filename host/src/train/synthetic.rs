//! A planted-keyword classification task with a synthetic teacher, for tests and throughput
//! measurements when no real corpus is at hand.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::TrainExample;

/// Shape of the synthetic task.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlantedTask {
    /// Token ids are in `0..buckets`.
    pub buckets: u32,
    /// Keywords per class (ids `class·keywords .. (class+1)·keywords`); the rest are fillers.
    pub keywords: u32,
    /// Classes.
    pub classes: usize,
    /// Filler tokens per text: uniform in `min_len..=max_len`.
    pub min_len: usize,
    /// See `min_len`.
    pub max_len: usize,
    /// Fraction of labels flipped to a random other class (the teacher sees the clean one).
    pub label_noise: f64,
}

impl Default for PlantedTask {
    fn default() -> Self {
        Self {
            buckets: 512,
            keywords: 8,
            classes: 2,
            min_len: 4,
            max_len: 20,
            label_noise: 0.0,
        }
    }
}

impl PlantedTask {
    /// `n` examples: fillers plus one or two keywords of the true class (and sometimes one of
    /// another class), with teacher logits `2·(own keyword count) − (other count)` plus noise.
    pub fn generate(&self, n: usize, seed: u64) -> Vec<TrainExample> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let classes = self.classes.max(1);
        let first_filler = self.keywords * classes as u32;
        (0..n)
            .map(|_| {
                let class = rng.gen_range(0..classes);
                let len = rng.gen_range(self.min_len..=self.max_len.max(self.min_len));
                let mut tokens: Vec<u32> = (0..len)
                    .map(|_| rng.gen_range(first_filler..self.buckets.max(first_filler + 1)))
                    .collect();
                let mut counts = vec![0f32; classes];
                let own = rng.gen_range(1..=2);
                for _ in 0..own {
                    let kw = class as u32 * self.keywords + rng.gen_range(0..self.keywords);
                    tokens.insert(rng.gen_range(0..=tokens.len()), kw);
                    counts[class] += 1.0;
                }
                if classes > 1 && rng.gen_bool(0.3) {
                    let other = (class + rng.gen_range(1..classes)) % classes;
                    let kw = other as u32 * self.keywords + rng.gen_range(0..self.keywords);
                    tokens.insert(rng.gen_range(0..=tokens.len()), kw);
                    counts[other] += 0.5;
                }
                let logits = counts
                    .iter()
                    .map(|c| 2.0 * c + rng.gen_range(-0.3..0.3))
                    .collect();
                let label = if classes > 1 && rng.gen_bool(self.label_noise) {
                    (class + rng.gen_range(1..classes)) % classes
                } else {
                    class
                };
                TrainExample {
                    tokens,
                    label,
                    teacher_logits: Some(logits),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let task = PlantedTask::default();
        let a = task.generate(50, 7);
        assert_eq!(a, task.generate(50, 7));
        assert_ne!(a, task.generate(50, 8));
        for e in &a {
            assert!(e.tokens.iter().all(|&t| t < task.buckets));
            assert!(e.tokens.len() > task.min_len);
            let logits = e.teacher_logits.as_ref().unwrap();
            // Without label noise the teacher's argmax is the label.
            let best = if logits[0] >= logits[1] { 0 } else { 1 };
            assert_eq!(best, e.label, "{e:?}");
        }
    }
}
