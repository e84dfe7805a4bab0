//! Exact deduplication after normalization ([`super::clean::dedup_key`]); a text that appears
//! with two labels is reported, and by default all its copies are dropped (its label is noise).

use super::clean::dedup_key;
use super::dataset::Dataset;
use std::collections::HashMap;

/// What to do with a text seen under more than one label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// Drop every copy (default).
    #[default]
    DropAll,
    /// Keep the first copy and its label.
    KeepFirst,
}

/// A text found with several labels.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The text (first occurrence).
    pub text: String,
    /// Label names it appeared with, in first-seen order.
    pub labels: Vec<String>,
    /// How many copies it had.
    pub copies: usize,
}

/// Result of [`dedup`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DedupReport {
    /// Examples before.
    pub before: usize,
    /// Examples removed (duplicates and dropped conflicts).
    pub removed: usize,
    /// Texts seen with more than one label.
    pub conflicts: Vec<Conflict>,
}

/// Removes exact duplicates (first occurrence kept), in place; order is otherwise preserved.
pub fn dedup(ds: &mut Dataset, policy: ConflictPolicy) -> DedupReport {
    let before = ds.len();
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut labels_of: Vec<Vec<usize>> = Vec::new();
    let mut copies: Vec<usize> = Vec::new();
    let mut group_of = Vec::with_capacity(before);
    for e in &ds.examples {
        let next = labels_of.len();
        let g = *first.entry(dedup_key(&e.text)).or_insert(next);
        if g == next {
            labels_of.push(Vec::new());
            copies.push(0);
        }
        if let Some(ls) = labels_of.get_mut(g) {
            if !ls.contains(&e.label) {
                ls.push(e.label);
            }
        }
        if let Some(c) = copies.get_mut(g) {
            *c += 1;
        }
        group_of.push(g);
    }
    let mut conflicts = Vec::new();
    let mut seen = vec![false; labels_of.len()];
    let mut kept = Vec::with_capacity(before);
    for (e, &g) in ds.examples.drain(..).zip(&group_of) {
        let conflicting = labels_of.get(g).is_some_and(|l| l.len() > 1);
        let first_time = !std::mem::replace(seen.get_mut(g).unwrap_or(&mut true), true);
        if conflicting && first_time {
            conflicts.push(Conflict {
                text: e.text.clone(),
                labels: labels_of
                    .get(g)
                    .map(|ls| {
                        ls.iter()
                            .map(|&l| ds.labels.get(l).cloned().unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default(),
                copies: copies.get(g).copied().unwrap_or(0),
            });
        }
        if first_time && !(conflicting && policy == ConflictPolicy::DropAll) {
            kept.push(e);
        }
    }
    ds.examples = kept;
    let report = DedupReport {
        before,
        removed: before - ds.len(),
        conflicts,
    };
    if !report.conflicts.is_empty() {
        tracing::warn!(
            dataset = %ds.name,
            conflicts = report.conflicts.len(),
            "texts appear with more than one label ({:?})",
            policy
        );
    }
    report
}

#[cfg(test)]
mod tests {
    use super::super::dataset::Example;
    use super::*;

    fn ds(rows: &[(&str, usize)]) -> Dataset {
        Dataset {
            name: "d".into(),
            labels: vec!["neg".into(), "pos".into()],
            examples: rows
                .iter()
                .map(|(t, l)| Example {
                    text: t.to_string(),
                    label: *l,
                })
                .collect(),
        }
    }

    #[test]
    fn removes_case_insensitive_duplicates_and_reports_conflicts() {
        let rows = [
            ("Good", 1),
            ("bad", 0),
            ("good", 1),
            ("meh", 0),
            ("Meh", 1),
            ("x", 0),
        ];
        let mut d = ds(&rows);
        let r = dedup(&mut d, ConflictPolicy::DropAll);
        let texts: Vec<&str> = d.examples.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["Good", "bad", "x"]);
        assert_eq!(r.removed, 3);
        assert_eq!(
            r.conflicts,
            vec![Conflict {
                text: "meh".into(),
                labels: vec!["neg".into(), "pos".into()],
                copies: 2
            }]
        );

        let mut d = ds(&rows);
        let r = dedup(&mut d, ConflictPolicy::KeepFirst);
        assert_eq!(d.len(), 4);
        assert_eq!(r.conflicts.len(), 1);
        assert_eq!(
            d.examples[2],
            Example {
                text: "meh".into(),
                label: 0
            }
        );
    }
}
