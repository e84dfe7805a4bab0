//! The paired bootstrap: statistics of several arms (configurations) resampled together.
//!
//! The unit is the data draw: every arm's cells of one draw share their subsample, copies and teacher,
//! so a replicate draws the draws common to all arms with replacement and uses each drawn draw in
//! every arm (pairing across arms). Where every cell recorded its per-example test outcomes on the
//! same test split, a replicate also draws the test examples with replacement, the same indices in
//! every arm. A draw's accuracy in an arm is the mean over its cells (student seeds).
//!
//! With one common draw the units are that draw's seeds ([`Spread::OneDraw`]): the interval then
//! covers the training noise (and the test sample, with outcomes), not the variation between draws.
//!
//! Deterministic: [`REPLICATES`] replicates from a ChaCha8 stream seeded with [`RNG_SEED`].

use std::collections::BTreeSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::aggregate::{Group, SeedCell};
use super::estimate::{Estimate, Spread};

/// Replicates of every bootstrap.
pub const REPLICATES: usize = 2000;

/// Seed of every bootstrap's random stream.
pub const RNG_SEED: u64 = 17;

/// A statistic of the arms' mean test accuracies (fractions in `[0, 1]`, in the arms' order); `None`
/// when it is undefined for a replicate.
pub type Statistic<'a> = &'a dyn Fn(&[f64]) -> Option<f64>;

/// The arms of a comparison, arranged for resampling.
#[derive(Debug)]
pub struct Resampler<'a> {
    /// `[arm][unit]`: the unit's cells in that arm.
    units: Vec<Vec<Vec<&'a SeedCell>>>,
    /// Each arm's mean test accuracy over all its cells (used when the arms share no unit).
    means: Vec<f64>,
    spread: Spread,
}

fn common<T: Ord + Copy>(sets: impl Iterator<Item = BTreeSet<T>>) -> BTreeSet<T> {
    sets.reduce(|a, b| a.intersection(&b).copied().collect())
        .unwrap_or_default()
}

impl<'a> Resampler<'a> {
    /// The arms `arms`, paired on their common draws (or, with one common draw, on its common seeds).
    pub fn new(arms: &[&'a Group]) -> Resampler<'a> {
        let draws = common(
            arms.iter()
                .map(|g| g.cells.iter().map(|c| c.data_seed).collect()),
        );
        let (units, one_draw): (Vec<Vec<Vec<&SeedCell>>>, bool) = if draws.len() >= 2 {
            let units = arms
                .iter()
                .map(|g| {
                    draws
                        .iter()
                        .map(|d| g.cells.iter().filter(|c| c.data_seed == *d).collect())
                        .collect()
                })
                .collect();
            (units, false)
        } else {
            let in_draw = |g: &'a Group| -> Vec<&'a SeedCell> {
                g.cells
                    .iter()
                    .filter(|c| draws.contains(&c.data_seed))
                    .collect()
            };
            let seeds = common(
                arms.iter()
                    .map(|g| in_draw(g).iter().map(|c| c.seed).collect()),
            );
            let units = arms
                .iter()
                .map(|g| {
                    seeds
                        .iter()
                        .map(|s| in_draw(g).into_iter().filter(|c| c.seed == *s).collect())
                        .collect()
                })
                .collect();
            (units, true)
        };
        let k = units.first().map_or(0, |u: &Vec<_>| u.len());
        let examples = per_example(&units);
        let spread = if one_draw {
            Spread::OneDraw { seeds: k, examples }
        } else {
            Spread::Draws { draws: k, examples }
        };
        Resampler {
            means: arms.iter().map(|g| g.test_accuracy.mean).collect(),
            units,
            spread,
        }
    }

    /// The arms' mean accuracies on the data as they are: per arm, the mean over units of the mean
    /// over each unit's cells.
    fn point_means(&self) -> Vec<f64> {
        if self.spread.units() == 0 {
            return self.means.clone();
        }
        self.units
            .iter()
            .map(|arm| arm.iter().map(|cells| mean_of(cells, None)).sum::<f64>() / arm.len() as f64)
            .collect()
    }

    /// Each statistic on the data and over [`REPLICATES`] paired replicates.
    pub fn estimate(&self, stats: &[Statistic<'_>]) -> Vec<Option<Estimate>> {
        let point = self.point_means();
        let points: Vec<Option<f64>> = stats.iter().map(|s| s(&point)).collect();
        let k = self.spread.units();
        let examples = match self.spread {
            Spread::Draws { examples, .. } | Spread::OneDraw { examples, .. } => examples,
        };
        let resamplable = k >= 2 || (k == 1 && examples.is_some());
        let mut replicates: Vec<Vec<f64>> = vec![Vec::with_capacity(REPLICATES); stats.len()];
        if resamplable {
            let mut rng = ChaCha8Rng::seed_from_u64(RNG_SEED);
            let mut counts = vec![0u32; examples.unwrap_or(0)];
            let mut means = vec![0.0; self.units.len()];
            for _ in 0..REPLICATES {
                let picked: Vec<usize> = (0..k).map(|_| rng.gen_range(0..k)).collect();
                let weights: Option<&[u32]> = match examples {
                    Some(n) => {
                        counts.fill(0);
                        for _ in 0..n {
                            counts[rng.gen_range(0..n)] += 1;
                        }
                        Some(&counts)
                    }
                    None => None,
                };
                for (m, arm) in means.iter_mut().zip(&self.units) {
                    *m = picked
                        .iter()
                        .map(|&u| mean_of(&arm[u], weights))
                        .sum::<f64>()
                        / k as f64;
                }
                for (r, s) in replicates.iter_mut().zip(stats) {
                    if let Some(v) = s(&means).filter(|v| v.is_finite()) {
                        r.push(v);
                    }
                }
            }
        }
        points
            .into_iter()
            .zip(replicates)
            .map(|(point, mut reps)| {
                let point = point?;
                let interval = (!reps.is_empty()).then(|| {
                    reps.sort_by(f64::total_cmp);
                    (quantile(&reps, 0.025), quantile(&reps, 0.975))
                });
                Some(Estimate {
                    point,
                    interval,
                    se: if reps.len() > 1 {
                        super::aggregate::Summary::of(&reps).std
                    } else {
                        0.0
                    },
                    spread: self.spread,
                })
            })
            .collect()
    }
}

/// Test examples to resample when every cell of every unit recorded outcomes on one test split.
fn per_example(units: &[Vec<Vec<&SeedCell>>]) -> Option<usize> {
    let mut cells = units.iter().flatten().flatten();
    let first = cells.next()?.outcomes.as_ref()?;
    let same = |c: &SeedCell| {
        c.outcomes
            .as_ref()
            .is_some_and(|o| o.split == first.split && o.examples == first.examples)
    };
    (cells.all(|c| same(c)) && first.examples > 0).then_some(first.examples)
}

/// Mean accuracy of `cells`: as recorded, or on the test examples weighted by `weights` (how many
/// times each was drawn; they sum to the number of examples).
fn mean_of(cells: &[&SeedCell], weights: Option<&[u32]>) -> f64 {
    let acc = |c: &SeedCell| match (weights, &c.outcomes) {
        (Some(w), Some(o)) => {
            let mut right = 0u64;
            for (i, &word) in o.words.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    right += u64::from(w[64 * i + bits.trailing_zeros() as usize]);
                    bits &= bits - 1;
                }
            }
            right as f64 / w.len() as f64
        }
        _ => c.accuracy,
    };
    cells.iter().map(|c| acc(c)).sum::<f64>() / cells.len().max(1) as f64
}

/// The `p`-quantile of sorted `v` (nearest rank).
fn quantile(v: &[f64], p: f64) -> f64 {
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::aggregate::{GroupKey, Outcomes, Summary};
    use crate::sweep::{Method, Mode, Size, TeacherKind};
    use std::sync::Arc;

    /// A group whose cells are `(data seed, seed, accuracy, right answers as bits)`.
    fn group(cells: &[(u64, u64, f64, Option<Vec<u64>>)], examples: usize) -> Group {
        let cells: Vec<SeedCell> = cells
            .iter()
            .map(|(d, s, a, w)| SeedCell {
                data_seed: *d,
                seed: *s,
                accuracy: *a,
                outcomes: w.clone().map(|words| {
                    Arc::new(Outcomes {
                        split: "t".into(),
                        examples,
                        words,
                    })
                }),
            })
            .collect();
        let acc = Summary::of(&cells.iter().map(|c| c.accuracy).collect::<Vec<_>>());
        Group {
            key: GroupKey {
                corpus: "toy".into(),
                method: Method::Synonym,
                size: Size::N(10),
                copies: 1,
                degree_milli: 0,
                mode: Mode::Kd,
                teacher: TeacherKind::Shared,
            },
            test_accuracy: acc,
            test_macro_f1: acc,
            dev_accuracy: acc,
            realised_degree: acc,
            seconds: acc,
            per_seed: cells.iter().map(|c| (c.seed, c.accuracy)).collect(),
            cells,
            originals: 10,
            teacher_accuracy: None,
            teacher_originals: None,
        }
    }

    fn diff(m: &[f64]) -> Option<f64> {
        Some(m[0] - m[1])
    }

    #[test]
    fn a_constant_paired_difference_has_a_zero_width_interval() {
        // Draws vary a lot, but B is always A − 0.1 on the same draw: pairing removes the spread.
        let a = group(
            &[(1, 1, 0.9, None), (2, 2, 0.6, None), (3, 3, 0.75, None)],
            0,
        );
        let b = group(
            &[(1, 1, 0.8, None), (2, 2, 0.5, None), (3, 3, 0.65, None)],
            0,
        );
        let e = Resampler::new(&[&a, &b]).estimate(&[&diff])[0].unwrap();
        assert!((e.point - 0.1).abs() < 1e-12);
        let (lo, hi) = e.interval.unwrap();
        assert!(
            (lo - 0.1).abs() < 1e-9 && (hi - 0.1).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(
            e.spread,
            Spread::Draws {
                draws: 3,
                examples: None
            }
        );
    }

    #[test]
    fn noisy_draws_give_an_interval_around_the_point_and_the_same_one_each_time() {
        let a = group(
            &[
                (1, 1, 0.70, None),
                (2, 2, 0.74, None),
                (3, 3, 0.69, None),
                (4, 4, 0.75, None),
            ],
            0,
        );
        let b = group(
            &[
                (1, 1, 0.70, None),
                (2, 2, 0.70, None),
                (3, 3, 0.70, None),
                (4, 4, 0.70, None),
            ],
            0,
        );
        let r = Resampler::new(&[&a, &b]);
        let e = r.estimate(&[&diff])[0].unwrap();
        let (lo, hi) = e.interval.unwrap();
        assert!(lo < e.point && e.point < hi && lo >= -0.01 - 1e-12 && hi <= 0.05 + 1e-12);
        assert!(e.se > 0.0);
        assert_eq!(r.estimate(&[&diff])[0].unwrap(), e);
    }

    #[test]
    fn one_draw_resamples_its_seeds_and_the_test_examples_when_recorded() {
        // One draw, three seeds; no outcomes: the units are seeds and the interval is training noise.
        let a = group(
            &[(1, 1, 0.7, None), (1, 2, 0.8, None), (1, 3, 0.75, None)],
            0,
        );
        let b = group(
            &[(1, 1, 0.7, None), (1, 2, 0.7, None), (1, 3, 0.7, None)],
            0,
        );
        let e = Resampler::new(&[&a, &b]).estimate(&[&diff])[0].unwrap();
        assert_eq!(
            e.spread,
            Spread::OneDraw {
                seeds: 3,
                examples: None
            }
        );
        assert!(e.shown_interval().is_none() && e.interval.is_some());
        // One seed and no outcomes: nothing to resample.
        let one = group(&[(1, 1, 0.7, None)], 0);
        let e = Resampler::new(&[&one, &one]).estimate(&[&diff])[0].unwrap();
        assert_eq!((e.point, e.interval), (0.0, None));
        // One seed with outcomes on 64 examples: A right on all, B on the first 48.
        let a = group(&[(1, 1, 1.0, Some(vec![u64::MAX]))], 64);
        let b = group(&[(1, 1, 0.75, Some(vec![(1u64 << 48) - 1]))], 64);
        let e = Resampler::new(&[&a, &b]).estimate(&[&diff])[0].unwrap();
        assert_eq!(
            e.spread,
            Spread::OneDraw {
                seeds: 1,
                examples: Some(64)
            }
        );
        let (lo, hi) = e.shown_interval().unwrap();
        // The difference is the share of the last 16 examples in a resample: 0.25 ± about 0.1.
        assert!((e.point - 0.25).abs() < 1e-12);
        assert!(lo > 0.1 && lo < 0.25 && hi > 0.25 && hi < 0.4, "{lo} {hi}");
    }

    #[test]
    fn arms_without_a_shared_cell_keep_their_means_and_get_no_interval() {
        let a = group(&[(1, 1, 0.8, None)], 0);
        let b = group(&[(2, 2, 0.6, None)], 0);
        let e = Resampler::new(&[&a, &b]).estimate(&[&diff])[0].unwrap();
        assert!((e.point - 0.2).abs() < 1e-12);
        assert_eq!(e.interval, None);
    }
}
