//! `degree = auto`: the paper's rule by training-set size, and its refinement by a dev-set sweep,
//! against the oracle (the degree with the best test accuracy), each miss with its paired-bootstrap
//! interval (the oracle chosen again in every replicate; the rule's and the dev choice's degrees
//! held where the data put them).

use std::collections::BTreeMap;

use super::aggregate::{Group, GroupKey};
use super::bootstrap::Resampler;
use super::estimate::Estimate;
use crate::augment::auto_degree;
use crate::sweep::{Method, Mode, Size, TeacherKind};

/// The rule and the dev-set choice against the oracle, for one KD setting.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoComparison {
    /// Corpus.
    pub corpus: String,
    /// Augmentation method.
    pub method: Method,
    /// Training-set size.
    pub size: Size,
    /// Copies.
    pub copies: usize,
    /// KD's teacher.
    pub teacher: TeacherKind,
    /// The rule's degree (snapped to the nearest degree in the grid) and its mean test accuracy.
    pub rule: (f64, f64),
    /// The degree with the best mean dev accuracy, and its mean test accuracy.
    pub dev: (f64, f64),
    /// The degree with the best mean test accuracy, and that accuracy.
    pub oracle: (f64, f64),
    /// [`AutoComparison::rule_miss`] with its interval, points.
    pub rule_miss_estimate: Estimate,
    /// [`AutoComparison::dev_miss`] with its interval, points.
    pub dev_miss_estimate: Estimate,
}

impl AutoComparison {
    /// Points of test accuracy the rule loses against the oracle.
    pub fn rule_miss(&self) -> f64 {
        100.0 * (self.oracle.1 - self.rule.1)
    }

    /// Points of test accuracy the dev-set choice loses against the oracle.
    pub fn dev_miss(&self) -> f64 {
        100.0 * (self.oracle.1 - self.dev.1)
    }
}

/// One comparison per KD setting (corpus, method, size, copies > 0, teacher) run at several degrees.
pub fn compare_auto(groups: &BTreeMap<GroupKey, Group>) -> Vec<AutoComparison> {
    type Setting = (String, Method, Size, usize, TeacherKind);
    let mut settings: BTreeMap<Setting, Vec<&Group>> = BTreeMap::new();
    for (k, g) in groups {
        if k.mode == Mode::Kd && k.copies > 0 {
            settings
                .entry((k.corpus.clone(), k.method, k.size, k.copies, k.teacher))
                .or_default()
                .push(g);
        }
    }
    settings
        .into_iter()
        .filter(|(_, gs)| gs.len() >= super::claims::MIN_DEGREES)
        .filter_map(|((corpus, method, size, copies, teacher), gs)| {
            let best_by =
                |f: fn(&Group) -> f64| (0..gs.len()).max_by(|&a, &b| f(gs[a]).total_cmp(&f(gs[b])));
            let at = |i: usize| (gs[i].key.degree(), gs[i].test_accuracy.mean);
            let oracle = at(best_by(|g| g.test_accuracy.mean)?);
            let dev_i = best_by(|g| g.dev_accuracy.mean)?;
            let wanted = auto_degree(gs[0].originals);
            let rule_i = (0..gs.len()).min_by(|&a, &b| {
                (gs[a].key.degree() - wanted)
                    .abs()
                    .total_cmp(&(gs[b].key.degree() - wanted).abs())
            })?;
            let miss = |i: usize| {
                move |m: &[f64]| Some(100.0 * (m.iter().copied().fold(f64::MIN, f64::max) - m[i]))
            };
            let (rule_miss, dev_miss) = (miss(rule_i), miss(dev_i));
            let e = Resampler::new(&gs).estimate(&[&rule_miss, &dev_miss]);
            Some(AutoComparison {
                corpus,
                method,
                size,
                copies,
                teacher,
                rule: at(rule_i),
                dev: at(dev_i),
                oracle,
                rule_miss_estimate: e[0]?,
                dev_miss_estimate: e[1]?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::aggregate;
    use crate::sweep::{Cell, CellResult, TeacherKind};

    /// KD on 500 originals, 4 copies, one seed: (degree, dev accuracy, test accuracy).
    fn results(points: &[(f32, f64, f64)]) -> Vec<CellResult> {
        points
            .iter()
            .map(|&(degree, dev, test)| {
                let cell = Cell {
                    corpus: "toy".into(),
                    method: Method::Synonym,
                    size: Size::N(500),
                    copies: 4,
                    degree,
                    mode: Mode::Kd,
                    seed: 1,
                    data_seed: None,
                    teacher: TeacherKind::Shared,
                };
                CellResult {
                    dev_accuracy: dev,
                    ..CellResult::fixture(cell, test)
                }
            })
            .collect()
    }

    #[test]
    fn rule_dev_choice_and_oracle_are_each_scored_by_test_accuracy() {
        let r = results(&[(0.1, 0.70, 0.66), (0.3, 0.72, 0.69), (0.5, 0.71, 0.70)]);
        let a = &compare_auto(&aggregate(&r).unwrap())[0];
        // 500 originals: the rule says 0.5, which happens to be the oracle.
        assert_eq!(a.rule, (0.5, 0.70));
        assert_eq!(a.dev, (0.3, 0.69));
        assert_eq!(a.oracle, (0.5, 0.70));
        assert!(a.rule_miss().abs() < 1e-9);
        assert!((a.dev_miss() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_setting_run_at_too_few_degrees_is_not_compared() {
        let r = results(&[(0.1, 0.70, 0.66), (0.3, 0.72, 0.69)]);
        assert!(compare_auto(&aggregate(&r).unwrap()).is_empty());
    }
}
