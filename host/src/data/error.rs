//! Typed errors of data loading and splitting; each names the file (and line) concerned.

use std::path::PathBuf;

use super::dataset::RowIssue;

/// Everything that stops a dataset from loading or splitting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// Path concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file holds no data rows (or the directory no files).
    #[error("{path}: empty (no data rows)")]
    Empty {
        /// Path concerned.
        path: PathBuf,
    },
    /// A named column is absent from the header.
    #[error(
        "{path}: no column `{column}` in header [{available}]{}",
        hint_suffix(.hint)
    )]
    MissingColumn {
        /// File.
        path: PathBuf,
        /// Missing column.
        column: String,
        /// Columns the header has, comma-separated.
        available: String,
        /// What to do (`data::hint`), empty when there is nothing to say.
        hint: String,
    },
    /// A label outside the known set.
    #[error("{path}:{line}: unknown label `{label}` (known: {known})")]
    UnknownLabel {
        /// File.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The label found.
        label: String,
        /// Known labels, comma-separated.
        known: String,
    },
    /// The file extension does not say how to parse it.
    #[error("{path}: cannot tell the format from the extension (expected .csv, .tsv, .jsonl, optionally .bz2)")]
    UnknownFormat {
        /// File.
        path: PathBuf,
    },
    /// A table named `PREFIX:PATH` with a prefix that names no format.
    #[error("unknown table prefix `{prefix}:`: accepted are {accepted} (e.g. tsv:PATH reads PATH as tab-separated, whatever its extension)")]
    UnknownPrefix {
        /// The prefix given (without the colon).
        prefix: String,
        /// The accepted prefixes, comma-separated.
        accepted: String,
    },
    /// A bad row in a table whose bad rows are errors (the default for a user's table).
    #[error("{issue} (fix the file, or skip such rows with --skip-bad-rows)")]
    BadRow {
        /// The row: file, line, column where known, and what is wrong.
        issue: RowIssue,
    },
    /// More bad rows than the table's limit (`--skip-bad-rows N`).
    #[error("{path}: {count} bad rows, more than the {max} allowed (raise the limit with --skip-bad-rows N); the first: {first}")]
    TooManyBadRows {
        /// File.
        path: PathBuf,
        /// Bad rows found so far.
        count: usize,
        /// The limit.
        max: usize,
        /// The first bad row.
        first: RowIssue,
    },
    /// Every row was malformed or filtered.
    #[error("{path}: no usable rows ({malformed} malformed, {filtered} filtered)")]
    NoExamples {
        /// File.
        path: PathBuf,
        /// Malformed rows.
        malformed: usize,
        /// Rows filtered out by label.
        filtered: usize,
    },
    /// Split fractions or sample sizes that cannot be honoured.
    #[error("dataset `{dataset}`: {what}")]
    BadSplit {
        /// Dataset name.
        dataset: String,
        /// What is impossible.
        what: String,
    },
}

fn hint_suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(": {hint}")
    }
}

impl DataError {
    /// Wraps an I/O error with its path.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
