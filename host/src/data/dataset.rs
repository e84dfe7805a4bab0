//! The in-memory labelled dataset and the load report that accompanies every load.

use std::path::PathBuf;

/// One labelled text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Example {
    /// Cleaned text.
    pub text: String,
    /// Index into [`Dataset::labels`].
    pub label: usize,
}

/// A named set of labelled texts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dataset {
    /// Name (for logs and reports), e.g. `rotten-tomatoes`.
    pub name: String,
    /// Label names; an example's `label` indexes this.
    pub labels: Vec<String>,
    /// The examples, in file order unless a split or subsample reordered them.
    pub examples: Vec<Example>,
}

impl Dataset {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.examples.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// Examples per label, indexed like `labels`.
    pub fn label_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.labels.len()];
        for e in &self.examples {
            if let Some(c) = counts.get_mut(e.label) {
                *c += 1;
            }
        }
        counts
    }

    /// A dataset with the same name and labels and the given examples.
    /// A two-class (`neg`, `pos`) dataset of `texts` for tests, labelled alternately from `neg`.
    #[cfg(test)]
    pub(crate) fn of_texts(texts: &[&str]) -> Self {
        Self {
            name: "texts".into(),
            labels: vec!["neg".into(), "pos".into()],
            examples: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Example {
                    text: t.to_string(),
                    label: i % 2,
                })
                .collect(),
        }
    }

    pub fn with_examples(&self, name: impl Into<String>, examples: Vec<Example>) -> Self {
        Self {
            name: name.into(),
            labels: self.labels.clone(),
            examples,
        }
    }
}

/// A row that could not be used (or was repaired), with where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowIssue {
    /// File.
    pub file: PathBuf,
    /// 1-based line where the row starts, or of the fault (1 for a whole-file problem).
    pub line: u64,
    /// 1-based byte column of the fault, when it is known.
    pub column: Option<u64>,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// What a load did: rows read, kept, filtered by label, and every repaired and every bad row
/// with its line.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// Source file or directory.
    pub source: PathBuf,
    /// Data rows (or files) read.
    pub rows: usize,
    /// Examples kept.
    pub kept: usize,
    /// Rows dropped on purpose, per label value (e.g. `plot` in Rotten Tomatoes).
    pub filtered: Vec<(String, usize)>,
    /// Rows kept after a repair (invalid UTF-8 decoded lossily, NUL bytes removed; only where the
    /// table's spec allows repairs), each with file, line and what was repaired.
    pub repaired: Vec<RowIssue>,
    /// Bad rows, each with file and line; they are not in the dataset.
    pub malformed: Vec<RowIssue>,
    /// Where each label of the dataset first occurs (file and line of its first kept row), in
    /// the order of first occurrence: checks on labels name a row with them.
    pub label_sites: Vec<LabelSite>,
}

/// The first kept row of a label.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LabelSite {
    /// The label (after aliases).
    pub label: String,
    /// File.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u64,
}

impl LoadReport {
    /// `file:line` of the first row of `label`, or the source when the label has no row.
    pub fn label_site(&self, label: &str) -> String {
        match self.label_sites.iter().find(|s| s.label == label) {
            Some(s) => format!("{}:{}", s.file.display(), s.line),
            None => self.source.display().to_string(),
        }
    }
}

impl LoadReport {
    /// Counts a filtered row under `label`.
    pub fn filter(&mut self, label: &str) {
        match self.filtered.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => self.filtered.push((label.to_string(), 1)),
        }
    }

    /// Total rows filtered.
    pub fn filtered_total(&self) -> usize {
        self.filtered.iter().map(|(_, n)| n).sum()
    }

    /// Logs a summary and each malformed row (at most 20 individually).
    pub fn log(&self) {
        tracing::info!(
            source = %self.source.display(),
            rows = self.rows,
            kept = self.kept,
            filtered = self.filtered_total(),
            repaired = self.repaired.len(),
            malformed = self.malformed.len(),
            "loaded"
        );
        for (what, issues) in [("repaired", &self.repaired), ("bad", &self.malformed)] {
            for issue in issues.iter().take(20) {
                tracing::warn!("{what} row: {issue}");
            }
            if issues.len() > 20 {
                tracing::warn!("… and {} more {what} rows", issues.len() - 20);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_labels_and_filters() {
        let ds = Dataset {
            name: "t".into(),
            labels: vec!["a".into(), "b".into()],
            examples: vec![
                Example {
                    text: "x".into(),
                    label: 1,
                },
                Example {
                    text: "y".into(),
                    label: 1,
                },
                Example {
                    text: "z".into(),
                    label: 0,
                },
            ],
        };
        assert_eq!(ds.label_counts(), vec![1, 2]);
        let mut r = LoadReport::default();
        r.filter("plot");
        r.filter("plot");
        r.filter("x");
        assert_eq!(r.filtered, vec![("plot".into(), 2), ("x".into(), 1)]);
        assert_eq!(r.filtered_total(), 3);
    }
}
