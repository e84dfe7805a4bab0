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
    pub fn with_examples(&self, name: impl Into<String>, examples: Vec<Example>) -> Self {
        Self {
            name: name.into(),
            labels: self.labels.clone(),
            examples,
        }
    }
}

/// A row that could not be used, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowIssue {
    /// File.
    pub file: PathBuf,
    /// 1-based line where the row starts (1 for a whole-file problem).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// What a load did: rows read, kept, filtered by label, repaired, and every malformed row.
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
    /// Rows whose bytes were not valid UTF-8 and were decoded lossily (then cleaned).
    pub repaired_utf8: usize,
    /// Malformed rows, each with file and line; they are not in the dataset.
    pub malformed: Vec<RowIssue>,
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
            repaired_utf8 = self.repaired_utf8,
            malformed = self.malformed.len(),
            "loaded"
        );
        for issue in self.malformed.iter().take(20) {
            tracing::warn!("malformed row: {issue}");
        }
        if self.malformed.len() > 20 {
            tracing::warn!("… and {} more malformed rows", self.malformed.len() - 20);
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
