//! Grouping results over seeds: mean and standard deviation.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ReportError;
use crate::sweep::{CellResult, Method, Mode, Size, TeacherKind};

/// Everything that identifies a configuration except the seed. The degree is kept in thousandths so
/// that the key orders and compares exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Corpus name.
    pub corpus: String,
    /// Augmentation method.
    pub method: Method,
    /// Training-set size.
    pub size: Size,
    /// Augmented copies per original.
    pub copies: usize,
    /// Degree × 1000.
    pub degree_milli: u32,
    /// KD or FT.
    pub mode: Mode,
    /// KD's teacher ([`TeacherKind::Shared`] for every FT group).
    pub teacher: TeacherKind,
}

impl GroupKey {
    /// The degree as a fraction.
    pub fn degree(&self) -> f64 {
        f64::from(self.degree_milli) / 1000.0
    }
}

/// Mean and sample standard deviation of a quantity over seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for one seed).
    pub std: f64,
    /// Number of seeds.
    pub n: usize,
}

impl Summary {
    /// Summary of `values` (which must not be empty).
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        let var = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Summary {
            mean,
            std: var.sqrt(),
            n,
        }
    }

    /// A fraction in percent with two decimals, `71.23 ± 0.45` (mean ± sd); one value alone has
    /// no spread and is written without one (`71.23`).
    pub fn percent(&self) -> String {
        match self.n {
            1 => format!("{:.2}", 100.0 * self.mean),
            _ => format!("{:.2} ± {:.2}", 100.0 * self.mean, 100.0 * self.std),
        }
    }
}

/// Which test examples a cell's student got right, decoded from its
/// [`crate::sweep::TestOutcomes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcomes {
    /// Digest of the test split the cell was scored on.
    pub split: String,
    /// Test examples.
    pub examples: usize,
    /// Example `i` is bit `i % 64` of word `i / 64`, set when predicted right.
    pub words: Vec<u64>,
}

/// One cell of a group: the seeds it ran with and what it measured on the test split.
#[derive(Clone, Debug)]
pub struct SeedCell {
    /// Seed of its subsample, copies and teacher ([`crate::sweep::Cell::data_seed`]).
    pub data_seed: u64,
    /// Seed of its student.
    pub seed: u64,
    /// Test accuracy, in `[0, 1]`.
    pub accuracy: f64,
    /// Per-example outcomes, when recorded.
    pub outcomes: Option<Arc<Outcomes>>,
}

/// One configuration over its seeds.
#[derive(Clone, Debug)]
pub struct Group {
    /// The configuration.
    pub key: GroupKey,
    /// Test accuracy.
    pub test_accuracy: Summary,
    /// Test macro-F1.
    pub test_macro_f1: Summary,
    /// Dev accuracy.
    pub dev_accuracy: Summary,
    /// Realised degree.
    pub realised_degree: Summary,
    /// Wall time per cell, seconds.
    pub seconds: Summary,
    /// Per-seed test accuracy, by seed.
    pub per_seed: BTreeMap<u64, f64>,
    /// Its cells, in the order of their seeds.
    pub cells: Vec<SeedCell>,
    /// Original (not augmented) training examples.
    pub originals: usize,
    /// KD's teachers' test accuracy over the data draws (one teacher per draw: each draw counted
    /// once), where the cells recorded it.
    pub teacher_accuracy: Option<Summary>,
    /// Originals KD's teacher was fine-tuned on, where the cells recorded it.
    pub teacher_originals: Option<usize>,
}

/// Groups results by configuration; fails on per-example outcomes that cannot be decoded.
pub fn aggregate(results: &[CellResult]) -> Result<BTreeMap<GroupKey, Group>, ReportError> {
    let mut by: BTreeMap<GroupKey, Vec<&CellResult>> = BTreeMap::new();
    for r in results {
        let key = GroupKey {
            corpus: r.cell.corpus.clone(),
            method: r.cell.method,
            size: r.cell.size,
            copies: r.cell.copies,
            degree_milli: (f64::from(r.cell.degree) * 1000.0).round() as u32,
            mode: r.cell.mode,
            teacher: r.cell.teacher,
        };
        by.entry(key).or_default().push(r);
    }
    by.into_iter()
        .map(|(key, mut rs)| {
            rs.sort_by_key(|r| (r.cell.seed, r.cell.data_seed()));
            let s = |f: fn(&CellResult) -> f64| {
                Summary::of(&rs.iter().map(|r| f(r)).collect::<Vec<_>>())
            };
            let group = Group {
                test_accuracy: s(|r| r.test_accuracy),
                test_macro_f1: s(|r| r.test_macro_f1),
                dev_accuracy: s(|r| r.dev_accuracy),
                realised_degree: s(|r| r.realised_degree),
                seconds: s(|r| r.seconds),
                per_seed: rs.iter().map(|r| (r.cell.seed, r.test_accuracy)).collect(),
                cells: rs.iter().map(|r| seed_cell(r)).collect::<Result<_, _>>()?,
                originals: rs[0].train_examples / (1 + rs[0].cell.copies),
                teacher_accuracy: teacher_accuracy(&rs),
                teacher_originals: rs.iter().find_map(|r| r.teacher_originals),
                key: key.clone(),
            };
            Ok((key, group))
        })
        .collect()
}

/// The teachers' test accuracies of `rs`, one per data draw (its teacher's).
fn teacher_accuracy(rs: &[&CellResult]) -> Option<Summary> {
    let per_draw: BTreeMap<u64, f64> = rs
        .iter()
        .filter_map(|r| Some((r.cell.data_seed(), r.teacher_test_accuracy?)))
        .collect();
    (!per_draw.is_empty()).then(|| Summary::of(&per_draw.into_values().collect::<Vec<_>>()))
}

fn seed_cell(r: &CellResult) -> Result<SeedCell, ReportError> {
    let outcomes = match &r.test_outcomes {
        Some(o) => Some(Arc::new(Outcomes {
            split: o.split.clone(),
            examples: o.examples,
            words: o.words().map_err(|source| ReportError::Outcomes {
                key: r.key.clone(),
                source,
            })?,
        })),
        None => None,
    };
    Ok(SeedCell {
        data_seed: r.cell.data_seed(),
        seed: r.cell.seed,
        accuracy: r.test_accuracy,
        outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_mean_and_sample_std() {
        let s = Summary::of(&[1.0, 2.0, 3.0]);
        assert_eq!((s.mean, s.std, s.n), (2.0, 1.0, 3));
        assert_eq!(Summary::of(&[0.7]).std, 0.0);
    }

    #[test]
    fn one_value_is_shown_without_a_spread() {
        assert_eq!(Summary::of(&[0.7, 0.72]).percent(), "71.00 ± 1.41");
        assert_eq!(Summary::of(&[0.7123]).percent(), "71.23");
    }
}
