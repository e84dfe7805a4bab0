//! Seeded stratified train/dev/test split and stratified subsampling: every label keeps its
//! share, and the same seed gives the same sets. Outputs keep the source order.

use super::dataset::Dataset;
use super::error::DataError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Three disjoint parts of a dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Training part (named `<name>/train`).
    pub train: Dataset,
    /// Development part (`<name>/dev`).
    pub dev: Dataset,
    /// Test part (`<name>/test`).
    pub test: Dataset,
}

/// Indices of each label's examples, each list shuffled by `rng`.
fn shuffled_by_label(ds: &Dataset, rng: &mut ChaCha8Rng) -> Vec<Vec<usize>> {
    let mut by_label = vec![Vec::new(); ds.labels.len()];
    for (i, e) in ds.examples.iter().enumerate() {
        if let Some(v) = by_label.get_mut(e.label) {
            v.push(i);
        }
    }
    for v in &mut by_label {
        v.shuffle(rng);
    }
    by_label
}

fn pick(ds: &Dataset, name: String, mut idx: Vec<usize>) -> Dataset {
    idx.sort_unstable();
    let examples = idx
        .iter()
        .filter_map(|&i| ds.examples.get(i).cloned())
        .collect();
    ds.with_examples(name, examples)
}

/// Splits each label's examples into `dev` and `test` fractions (rounded per label) and the rest
/// for training.
pub fn stratified_split(ds: &Dataset, dev: f64, test: f64, seed: u64) -> Result<Split, DataError> {
    let ok = |f: f64| f.is_finite() && (0.0..1.0).contains(&f);
    if !ok(dev) || !ok(test) || dev + test >= 1.0 {
        return Err(DataError::BadSplit {
            dataset: ds.name.clone(),
            what: format!("dev {dev} and test {test} must be in [0, 1) with a sum below 1"),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut tr, mut dv, mut te) = (Vec::new(), Vec::new(), Vec::new());
    for idx in shuffled_by_label(ds, &mut rng) {
        let n = idx.len() as f64;
        let n_test = (test * n).round() as usize;
        let n_dev = ((dev * n).round() as usize).min(idx.len() - n_test.min(idx.len()));
        let n_test = n_test.min(idx.len());
        te.extend_from_slice(idx.get(..n_test).unwrap_or_default());
        dv.extend_from_slice(idx.get(n_test..n_test + n_dev).unwrap_or_default());
        tr.extend_from_slice(idx.get(n_test + n_dev..).unwrap_or_default());
    }
    Ok(Split {
        train: pick(ds, format!("{}/train", ds.name), tr),
        dev: pick(ds, format!("{}/dev", ds.name), dv),
        test: pick(ds, format!("{}/test", ds.name), te),
    })
}

/// A stratified random subset of exactly `size` examples; per-label quotas by largest remainder
/// of `size · count / len`. Named `<name>@<size>`.
pub fn stratified_subsample(ds: &Dataset, size: usize, seed: u64) -> Result<Dataset, DataError> {
    if size > ds.len() || size == 0 {
        return Err(DataError::BadSplit {
            dataset: ds.name.clone(),
            what: format!("cannot subsample {size} of {} examples", ds.len()),
        });
    }
    let counts = ds.label_counts();
    let total = ds.len() as u128;
    let exact: Vec<(usize, u128)> = counts
        .iter()
        .map(|&c| {
            let num = size as u128 * c as u128;
            ((num / total) as usize, num % total)
        })
        .collect();
    let mut quota: Vec<usize> = exact.iter().map(|(q, _)| *q).collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    let mut missing = size - quota.iter().sum::<usize>();
    for &l in order.iter().cycle().take(order.len() * 2) {
        if missing == 0 {
            break;
        }
        if let (Some(q), Some(&c)) = (quota.get_mut(l), counts.get(l)) {
            if *q < c {
                *q += 1;
                missing -= 1;
            }
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut chosen = Vec::with_capacity(size);
    for (idx, q) in shuffled_by_label(ds, &mut rng).into_iter().zip(quota) {
        chosen.extend_from_slice(idx.get(..q).unwrap_or(&idx));
    }
    Ok(pick(ds, format!("{}@{size}", ds.name), chosen))
}

#[cfg(test)]
mod tests {
    use super::super::dataset::Example;
    use super::*;

    fn ds(counts: &[usize]) -> Dataset {
        let mut examples = Vec::new();
        for (label, &n) in counts.iter().enumerate() {
            for i in 0..n {
                examples.push(Example {
                    text: format!("{label}-{i}"),
                    label,
                });
            }
        }
        Dataset {
            name: "d".into(),
            labels: (0..counts.len()).map(|l| l.to_string()).collect(),
            examples,
        }
    }

    #[test]
    fn split_is_stratified_disjoint_complete_and_seeded() {
        let d = ds(&[700, 300]);
        let s = stratified_split(&d, 0.1, 0.2, 7).unwrap();
        assert_eq!(s.test.label_counts(), [140, 60]);
        assert_eq!(s.dev.label_counts(), [70, 30]);
        assert_eq!(s.train.label_counts(), [490, 210]);
        let mut all: Vec<String> = [&s.train, &s.dev, &s.test]
            .iter()
            .flat_map(|p| p.examples.iter().map(|e| e.text.clone()))
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 1000);
        assert_eq!(stratified_split(&d, 0.1, 0.2, 7).unwrap(), s);
        assert_ne!(stratified_split(&d, 0.1, 0.2, 8).unwrap().test, s.test);
        assert!(stratified_split(&d, 0.5, 0.5, 7).is_err());
        assert!(stratified_split(&d, f64::NAN, 0.1, 7).is_err());
    }

    #[test]
    fn subsample_hits_the_size_and_keeps_proportions() {
        let d = ds(&[7403, 5405]);
        for size in [1, 500, 2000, 10_000, 12_808] {
            let s = stratified_subsample(&d, size, 1).unwrap();
            assert_eq!(s.len(), size);
            let c = s.label_counts();
            let expect = size as f64 * 7403.0 / 12808.0;
            assert!((c[0] as f64 - expect).abs() <= 1.0, "{size}: {c:?}");
        }
        assert!(stratified_subsample(&d, 12_809, 1).is_err());
        assert_eq!(
            stratified_subsample(&d, 500, 3).unwrap(),
            stratified_subsample(&d, 500, 3).unwrap()
        );
    }
}
