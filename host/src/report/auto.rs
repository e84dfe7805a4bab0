//! `degree = auto`: the paper's rule by training-set size, and its refinement by a dev-set sweep,
//! against the oracle (the degree with the best test accuracy).

use std::collections::BTreeMap;

use super::aggregate::{Group, GroupKey};
use crate::sweep::{Method, Mode, Size};

/// The paper's rule: fewer than 10k training inputs → 0.5; 10k–100k → 0.3; more → 0.1.
pub fn auto_degree_rule(train_size: usize) -> f64 {
    match train_size {
        0..10_000 => 0.5,
        10_000..=100_000 => 0.3,
        _ => 0.1,
    }
}

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
    /// The rule's degree (snapped to the nearest degree in the grid) and its mean test accuracy.
    pub rule: (f64, f64),
    /// The degree with the best mean dev accuracy, and its mean test accuracy.
    pub dev: (f64, f64),
    /// The degree with the best mean test accuracy, and that accuracy.
    pub oracle: (f64, f64),
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

/// One comparison per KD setting (corpus, method, size, copies > 0) run at several degrees.
pub fn compare_auto(groups: &BTreeMap<GroupKey, Group>) -> Vec<AutoComparison> {
    let mut settings: BTreeMap<(String, Method, Size, usize), Vec<&Group>> = BTreeMap::new();
    for (k, g) in groups {
        if k.mode == Mode::Kd && k.copies > 0 {
            settings
                .entry((k.corpus.clone(), k.method, k.size, k.copies))
                .or_default()
                .push(g);
        }
    }
    settings
        .into_iter()
        .filter(|(_, gs)| gs.len() >= super::claims::MIN_DEGREES)
        .filter_map(|((corpus, method, size, copies), gs)| {
            let best_by = |f: fn(&Group) -> f64| {
                gs.iter()
                    .max_by(|a, b| f(a).total_cmp(&f(b)))
                    .map(|g| (g.key.degree(), g.test_accuracy.mean))
            };
            let oracle = best_by(|g| g.test_accuracy.mean)?;
            let dev = best_by(|g| g.dev_accuracy.mean)?;
            let wanted = auto_degree_rule(gs[0].originals);
            let rule = gs
                .iter()
                .min_by(|a, b| {
                    (a.key.degree() - wanted)
                        .abs()
                        .total_cmp(&(b.key.degree() - wanted).abs())
                })
                .map(|g| (g.key.degree(), g.test_accuracy.mean))?;
            Some(AutoComparison {
                corpus,
                method,
                size,
                copies,
                rule,
                dev,
                oracle,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_follows_the_paper() {
        assert_eq!(auto_degree_rule(500), 0.5);
        assert_eq!(auto_degree_rule(9_999), 0.5);
        assert_eq!(auto_degree_rule(10_000), 0.3);
        assert_eq!(auto_degree_rule(100_000), 0.3);
        assert_eq!(auto_degree_rule(100_001), 0.1);
    }
}
