//! Unlabelled in-domain text for the teacher to label (`--unlabeled`): more transfer data for KD
//! without more human labels.
//!
//! ```text
//! "rest-of-train"        ─► UnlabeledSource::RestOfTrain (the training split's texts outside the
//!                           subsample, their labels never read)
//! "lines:notes.txt"      ─► one text per non-blank line
//! "reviews.txt"          ─► the same (a `.txt` name is plain lines)
//! "csv:more.csv"         ─► the text column of a table (csv:, tsv:, jsonl: or by extension)
//! "spliced:7000"         ─► UnlabeledSource::Spliced: 7,000 texts spliced from the labelled
//!                           originals (super::spliced), drawn with the run's seed
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::clean::{clean, dedup_key};
use super::dataset::Dataset;
use super::error::DataError;
use super::source::TableSource;
use super::table::{load_source, load_table, TableSpec};

/// The keyword of [`UnlabeledSource::RestOfTrain`].
pub const REST_OF_TRAIN: &str = "rest-of-train";

/// The prefix of [`UnlabeledSource::Spliced`] (`spliced:N`).
const SPLICED: &str = "spliced:";

/// Where unlabelled text comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum UnlabeledSource {
    /// The training split's texts that the subsample left out, without their labels (what a user
    /// with a few labelled and many unlabelled texts has; for measuring the lever).
    RestOfTrain,
    /// A file: `lines:PATH` or a `.txt` name (one text per line), or a table's text column
    /// (`csv:`, `tsv:`, `jsonl:` prefix or extension).
    File(String),
    /// `spliced:N`: N texts spliced from the labelled originals ([`super::spliced_texts`]), each
    /// the start of one and the end of another; fewer when some repeat a text already there.
    Spliced(usize),
}

impl TryFrom<String> for UnlabeledSource {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s == REST_OF_TRAIN {
            return Ok(Self::RestOfTrain);
        }
        match s.strip_prefix(SPLICED) {
            Some(n) => match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Self::Spliced(n)),
                _ => Err(format!(
                    "`{s}`: spliced:N needs a count of texts N ≥ 1 (e.g. spliced:7000)"
                )),
            },
            None => Ok(Self::File(s)),
        }
    }
}

impl From<UnlabeledSource> for String {
    fn from(s: UnlabeledSource) -> Self {
        match s {
            UnlabeledSource::RestOfTrain => REST_OF_TRAIN.into(),
            UnlabeledSource::File(f) => f,
            UnlabeledSource::Spliced(n) => format!("{SPLICED}{n}"),
        }
    }
}

impl std::str::FromStr for UnlabeledSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.to_string().try_into()
    }
}

impl UnlabeledSource {
    /// The texts, cleaned, without duplicates ([`dedup_key`]), without any text of `labelled` or
    /// `held_out` (the labelled training originals, dev and test, so that no held-out text becomes
    /// transfer data), in file order. `rest_of_train` is the training split; `text_col` names a
    /// table's text column; `seed` draws the spliced texts (from `labelled`).
    ///
    /// Errors name the file: unreadable, unknown format, missing column, a bad row, or no text
    /// left after the exclusions.
    pub fn load(
        &self,
        rest_of_train: &Dataset,
        labelled: &Dataset,
        held_out: &[&Dataset],
        text_col: &str,
        seed: u64,
    ) -> Result<Vec<String>, DataError> {
        let (texts, path) = match self {
            Self::RestOfTrain => (
                rest_of_train
                    .examples
                    .iter()
                    .map(|e| e.text.clone())
                    .collect::<Vec<_>>(),
                PathBuf::from(REST_OF_TRAIN),
            ),
            Self::File(name) => (read_texts(name, text_col)?, file_path(name)),
            Self::Spliced(n) => (
                super::spliced_texts(labelled, *n, seed),
                PathBuf::from(String::from(self.clone())),
            ),
        };
        let mut seen: HashSet<String> = std::iter::once(labelled)
            .chain(held_out.iter().copied())
            .flat_map(|d| d.examples.iter().map(|e| dedup_key(&e.text)))
            .collect();
        let mut kept = Vec::new();
        for t in &texts {
            if seen.insert(dedup_key(t)) {
                kept.push(t.clone());
            }
        }
        if kept.is_empty() {
            return Err(DataError::NoExamples {
                path,
                malformed: 0,
                filtered: texts.len(),
            });
        }
        Ok(kept)
    }
}

/// The file a `--unlabeled` name reads (its prefix removed).
fn file_path(name: &str) -> PathBuf {
    PathBuf::from(name.strip_prefix("lines:").unwrap_or(name))
}

/// Whether `name` is read as plain lines.
fn is_lines(name: &str) -> bool {
    name.starts_with("lines:") || Path::new(name).extension().is_some_and(|e| e == "txt")
}

/// The cleaned texts of the file `name` names.
fn read_texts(name: &str, text_col: &str) -> Result<Vec<String>, DataError> {
    let path = file_path(name);
    if is_lines(name) {
        let body = std::fs::read_to_string(&path).map_err(DataError::io(path.clone()))?;
        let texts: Vec<String> = body.lines().map(clean).filter(|t| !t.is_empty()).collect();
        if texts.is_empty() {
            return Err(DataError::Empty { path });
        }
        return Ok(texts);
    }
    let stem = path
        .file_stem()
        .map_or("unlabeled".into(), |s| s.to_string_lossy().into_owned());
    let spec = TableSpec::texts_only(stem, text_col);
    let (ds, _) = match TableSource::parse(name)? {
        Some(source) => load_source(&source, &spec)?,
        None => load_table(&path, &spec)?,
    };
    Ok(ds.examples.into_iter().map(|e| e.text).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_of_train_drops_the_labelled_and_held_out_texts() {
        let split_train = Dataset::of_texts(&["one", "two", "three", "two"]);
        let sub = Dataset::of_texts(&["one"]);
        let dev = Dataset::of_texts(&["three"]);
        let got = UnlabeledSource::RestOfTrain
            .load(&split_train, &sub, &[&dev], "text", 1)
            .unwrap();
        assert_eq!(got, vec!["two".to_string()]);
    }

    #[test]
    fn plain_lines_and_table_columns_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let lines = dir.path().join("more.txt");
        std::fs::write(&lines, "A good film\n\n  a GOOD film \nanother one\n").unwrap();
        let got = UnlabeledSource::File(lines.display().to_string())
            .load(
                &Dataset::of_texts(&[]),
                &Dataset::of_texts(&[]),
                &[],
                "text",
                1,
            )
            .unwrap();
        assert_eq!(got.len(), 2, "{got:?}");
        let table = dir.path().join("more.data");
        std::fs::write(&table, "id,review\n1,nice\n2,\"bad, very\"\n").unwrap();
        let got = UnlabeledSource::File(format!("csv:{}", table.display()))
            .load(
                &Dataset::of_texts(&[]),
                &Dataset::of_texts(&[]),
                &[],
                "review",
                1,
            )
            .unwrap();
        assert_eq!(got.len(), 2);
        assert!(got[1].contains("very"));
    }

    #[test]
    fn errors_name_the_file() {
        let missing = UnlabeledSource::File("/nonexistent/u.txt".into())
            .load(
                &Dataset::of_texts(&[]),
                &Dataset::of_texts(&[]),
                &[],
                "text",
                1,
            )
            .unwrap_err()
            .to_string();
        assert!(missing.contains("/nonexistent/u.txt"), "{missing}");
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("t.csv");
        std::fs::write(&table, "id,body\n1,x\n").unwrap();
        let err = UnlabeledSource::File(table.display().to_string())
            .load(
                &Dataset::of_texts(&[]),
                &Dataset::of_texts(&[]),
                &[],
                "text",
                1,
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column `text`"), "{err}");
        let all_held_out = UnlabeledSource::RestOfTrain
            .load(
                &Dataset::of_texts(&["x"]),
                &Dataset::of_texts(&["x"]),
                &[],
                "text",
                1,
            )
            .unwrap_err()
            .to_string();
        assert!(all_held_out.contains(REST_OF_TRAIN), "{all_held_out}");
    }

    #[test]
    fn the_setting_round_trips_as_text() {
        for s in [REST_OF_TRAIN, "lines:a.txt", "csv:b.csv", "spliced:7000"] {
            let parsed: UnlabeledSource = s.parse().unwrap();
            assert_eq!(String::from(parsed), s);
        }
    }

    #[test]
    fn spliced_text_comes_from_the_labelled_originals_with_the_seed() {
        let labelled = Dataset::of_texts(&["a fine film", "a dull plot", "bright warm light"]);
        let dev = Dataset::of_texts(&["a fine plot"]);
        let source: UnlabeledSource = "spliced:50".parse().unwrap();
        assert_eq!(source, UnlabeledSource::Spliced(50));
        let got = source
            .load(&Dataset::of_texts(&[]), &labelled, &[&dev], "text", 3)
            .unwrap();
        // Deduplicated, never a labelled or held-out text, the same again with the same seed.
        assert!(!got.is_empty() && got.len() <= 50);
        assert!(!got.iter().any(|t| t == "a fine plot" || t == "a fine film"));
        assert_eq!(
            source
                .load(&Dataset::of_texts(&[]), &labelled, &[&dev], "text", 3)
                .unwrap(),
            got
        );
        for bad in ["spliced:0", "spliced:", "spliced:many"] {
            let err = bad.parse::<UnlabeledSource>().unwrap_err();
            assert!(err.contains(bad) && err.contains("N ≥ 1"), "{err}");
        }
    }
}
