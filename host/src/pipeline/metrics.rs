//! Classification metrics: accuracy, macro-F1, per-class precision and recall, confusion matrix.

use serde::{Deserialize, Serialize};

/// Precision and recall of one class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Class name.
    pub label: String,
    /// Of the predictions of this class, the fraction that are right (0 when never predicted).
    pub precision: f64,
    /// Of the examples of this class, the fraction found.
    pub recall: f64,
    /// Harmonic mean of the two (0 when both are 0).
    pub f1: f64,
    /// Examples of this class.
    pub support: usize,
}

/// Metrics of predictions against gold labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Examples.
    pub examples: usize,
    /// Fraction predicted right.
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1.
    pub macro_f1: f64,
    /// Per class, in label order.
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[gold][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

impl Metrics {
    /// Metrics of `predicted` against `gold` (same length; labels index `labels`).
    pub fn compute(labels: &[String], gold: &[usize], predicted: &[usize]) -> Metrics {
        let k = labels.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (&g, &p) in gold.iter().zip(predicted) {
            if g < k && p < k {
                confusion[g][p] += 1;
            }
        }
        let n = gold.len().min(predicted.len());
        let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
        let per_class: Vec<ClassMetrics> = (0..k)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                let predicted_c: usize = (0..k).map(|g| confusion[g][c]).sum();
                let support: usize = confusion[c].iter().sum();
                let precision = if predicted_c > 0 {
                    tp / predicted_c as f64
                } else {
                    0.0
                };
                let recall = if support > 0 {
                    tp / support as f64
                } else {
                    0.0
                };
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    label: labels[c].clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        Metrics {
            examples: n,
            accuracy: if n > 0 {
                correct as f64 / n as f64
            } else {
                0.0
            },
            macro_f1: if k > 0 {
                per_class.iter().map(|c| c.f1).sum::<f64>() / k as f64
            } else {
                0.0
            },
            per_class,
            confusion,
        }
    }

    /// A plain-text table: per-class precision/recall/F1 and the confusion matrix.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "accuracy {:.2}%  macro-F1 {:.2}%  ({} examples)",
            100.0 * self.accuracy,
            100.0 * self.macro_f1,
            self.examples
        );
        let _ = writeln!(
            s,
            "{:<16} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "F1", "support"
        );
        for c in &self.per_class {
            let _ = writeln!(
                s,
                "{:<16} {:>8.2}% {:>8.2}% {:>8.2}% {:>8}",
                c.label,
                100.0 * c.precision,
                100.0 * c.recall,
                100.0 * c.f1,
                c.support
            );
        }
        let _ = writeln!(s, "confusion (rows: gold, columns: predicted)");
        for (c, row) in self.per_class.iter().zip(&self.confusion) {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:>7}")).collect();
            let _ = writeln!(s, "{:<16} {}", c.label, cells.join(" "));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_case() {
        let labels = vec!["neg".to_string(), "pos".to_string()];
        // gold: 3 neg, 2 pos; predictions: neg right twice, one neg called pos, pos right once, one pos called neg.
        let m = Metrics::compute(&labels, &[0, 0, 0, 1, 1], &[0, 0, 1, 1, 0]);
        assert_eq!(m.confusion, vec![vec![2, 1], vec![1, 1]]);
        assert!((m.accuracy - 0.6).abs() < 1e-12);
        assert!((m.per_class[0].precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.per_class[0].recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.per_class[1].precision - 0.5).abs() < 1e-12);
        assert!((m.per_class[1].recall - 0.5).abs() < 1e-12);
        assert!((m.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-12);
        assert!(m.table().contains("confusion"));
    }

    #[test]
    fn never_predicted_class_has_zero_precision_not_nan() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let m = Metrics::compute(&labels, &[0, 1], &[0, 0]);
        assert_eq!(m.per_class[1].precision, 0.0);
        assert_eq!(m.per_class[1].f1, 0.0);
    }
}
