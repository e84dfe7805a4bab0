//! One check of the data and the board profile before anything trains or is written: a run that
//! cannot give a usable model stops here, with an error that names the file and line or the
//! setting at fault, before the teacher is fine-tuned, a cache is filled or a run folder made.
//!
//! Checked, in order: the corpus loads (bad rows per its policy); at most
//! [`MAX_CLASSES`](edgekd_shared::artifact::MAX_CLASSES) labels of at most
//! [`MAX_LABEL_BYTES`](edgekd_shared::artifact::MAX_LABEL_BYTES) bytes each (what an artifact
//! holds); at least two classes with rows; dev and test fractions above 0; every class enough
//! rows to put one in train, dev and test at those fractions; every class in the training
//! subsample; the `--unlabeled` text loads; and, when a board profile is given, the student's flash, arena and learner
//! estimates within its budgets.

use edgekd_models::student::{check_profile, StudentKind};
use edgekd_shared::artifact::{MAX_CLASSES, MAX_LABEL_BYTES};
use edgekd_shared::profile::{BoardProfile, OverBudget};

use super::config::DistillConfig;
use super::corpus::{load_corpus, CorpusError};
use crate::data::{stratified_split, stratified_subsample, Dataset, LoadReport, Split};

/// Data that passed [`check_run`]: the corpus, its split and the training originals.
#[derive(Debug)]
pub struct CheckedData {
    corpus: Dataset,
    split: Split,
    train: Dataset,
    unlabeled: Vec<String>,
}

impl CheckedData {
    /// The whole corpus.
    pub fn corpus(&self) -> &Dataset {
        &self.corpus
    }

    /// Its stratified split at the run's fractions and seed.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// The training originals (the training split, subsampled to `train_size`).
    pub fn train(&self) -> &Dataset {
        &self.train
    }

    /// The unlabelled texts of `--unlabeled` (none without it), with no training, dev or test
    /// text among them.
    pub fn unlabeled(&self) -> &[String] {
        &self.unlabeled
    }
}

/// Why a run cannot start. Each names the file and line, or the setting, at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The corpus did not load (bad rows, missing columns, unknown labels…).
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// More labels than an artifact holds.
    #[error(
        "{corpus}: {count} labels, an artifact holds at most {max}; label `{label}` (the {ordinal}th) \
         first occurs at {at}"
    )]
    TooManyLabels {
        /// The corpus.
        corpus: String,
        /// Labels found.
        count: usize,
        /// [`MAX_CLASSES`].
        max: usize,
        /// The first label past the limit (in label order).
        label: String,
        /// Its 1-based position.
        ordinal: usize,
        /// `file:line` of its first row.
        at: String,
    },
    /// A label longer than an artifact's labels may be.
    #[error(
        "{at}: label `{label}` is {bytes} bytes of UTF-8, an artifact's labels are at most {max}"
    )]
    LabelTooLong {
        /// `file:line` of its first row.
        at: String,
        /// The label (its first 40 characters).
        label: String,
        /// Its length in bytes.
        bytes: usize,
        /// [`MAX_LABEL_BYTES`].
        max: usize,
    },
    /// Fewer than two classes have rows: there is nothing to tell apart.
    #[error(
        "{corpus}: only {with_rows} class with rows ({classes}); a classifier needs at least 2"
    )]
    OneClass {
        /// The corpus.
        corpus: String,
        /// Classes with rows.
        with_rows: usize,
        /// Those classes and their rows, `label (n rows)`.
        classes: String,
    },
    /// A split fraction that leaves a set empty.
    #[error("{field} is {value}: the {set} set would be empty (the run needs it to {why})")]
    EmptySet {
        /// The setting (`--dev-fraction`, `--test-fraction`).
        field: &'static str,
        /// Its value.
        value: f64,
        /// `dev` or `test`.
        set: &'static str,
        /// What the set is for.
        why: &'static str,
    },
    /// A class with too few rows for one in each of train, dev and test.
    #[error(
        "{at}: class `{label}` has {rows} row(s); at --dev-fraction {dev} and --test-fraction \
         {test} each class needs at least {needed} (one each for train, dev and test)"
    )]
    TooFewRows {
        /// `file:line` of the class's first row.
        at: String,
        /// The class.
        label: String,
        /// Its rows.
        rows: usize,
        /// Rows it needs.
        needed: usize,
        /// Dev fraction.
        dev: f64,
        /// Test fraction.
        test: f64,
    },
    /// The training subsample leaves a class out.
    #[error(
        "--train-size {size}: the stratified subsample of the {available} training rows has no \
         row of class `{label}`; raise --train-size"
    )]
    TrainSize {
        /// `train_size`.
        size: usize,
        /// Rows of the training split.
        available: usize,
        /// A class left out.
        label: String,
    },
    /// The student cannot fit the board profile.
    #[error(
        "board profile {profile}: the student (--student-kind {kind} --buckets {buckets} --dim {dim} \
         --hidden {hidden}, {classes} classes) {over}; lower --buckets, --dim or --hidden, or \
         choose a larger --profile"
    )]
    OverBudget {
        /// The profile.
        profile: &'static str,
        /// What exceeds which budget.
        over: OverBudget,
        /// `bag` or `cnn`.
        kind: StudentKind,
        /// `--buckets`.
        buckets: usize,
        /// `--dim`.
        dim: usize,
        /// `--hidden`.
        hidden: usize,
        /// Classes.
        classes: usize,
    },
    /// The corpus split failed (fractions out of range).
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// The `--unlabeled` text did not load.
    #[error("--unlabeled: {0}")]
    Unlabeled(#[source] crate::data::DataError),
}

/// Loads `cfg`'s corpus and checks it, the split and (with `profile`) the student's budgets.
/// Reads the corpus (fetching a known one if missing) and writes nothing else.
pub fn check_run(
    cfg: &DistillConfig,
    profile: Option<&BoardProfile>,
) -> Result<CheckedData, ValidationError> {
    let (corpus, report) = load_corpus(&cfg.corpus, &cfg.text_col, &cfg.label_col, cfg.bad_rows)?;
    check_labels(&corpus, &report)?;
    for (field, value, set, why) in [
        (
            "--dev-fraction",
            cfg.dev_fraction,
            "dev",
            "fine-tune the teacher and stop the students",
        ),
        (
            "--test-fraction",
            cfg.test_fraction,
            "test",
            "measure the model",
        ),
    ] {
        if value <= 0.0 {
            return Err(ValidationError::EmptySet {
                field,
                value,
                set,
                why,
            });
        }
    }
    let needed = rows_needed(cfg.dev_fraction, cfg.test_fraction);
    for (label, rows) in corpus.labels.iter().zip(corpus.label_counts()) {
        if rows < needed {
            return Err(ValidationError::TooFewRows {
                at: report.label_site(label),
                label: label.clone(),
                rows,
                needed,
                dev: cfg.dev_fraction,
                test: cfg.test_fraction,
            });
        }
    }
    let split = stratified_split(&corpus, cfg.dev_fraction, cfg.test_fraction, cfg.seed)?;
    let train = match cfg.train_size {
        Some(n) if n < split.train.len() => stratified_subsample(&split.train, n, cfg.seed)?,
        _ => split.train.clone(),
    };
    if let Some((label, _)) = corpus
        .labels
        .iter()
        .zip(train.label_counts())
        .find(|(_, n)| *n == 0)
    {
        return Err(ValidationError::TrainSize {
            size: train.len(),
            available: split.train.len(),
            label: label.clone(),
        });
    }
    if let Some(profile) = profile {
        let student = cfg.student(corpus.labels.len());
        check_profile(&student, profile).map_err(|over| ValidationError::OverBudget {
            profile: profile.name,
            over,
            kind: student.kind,
            buckets: student.buckets,
            dim: student.dim,
            hidden: student.hidden,
            classes: student.classes,
        })?;
    }
    let unlabeled = match &cfg.unlabeled {
        Some(source) => source
            .load(
                &split.train,
                &train,
                &[&split.dev, &split.test],
                &cfg.text_col,
                cfg.seed,
            )
            .map_err(ValidationError::Unlabeled)?,
        None => vec![],
    };
    Ok(CheckedData {
        corpus,
        split,
        train,
        unlabeled,
    })
}

/// Label count and label bytes within what an artifact holds; at least two classes with rows.
fn check_labels(corpus: &Dataset, report: &LoadReport) -> Result<(), ValidationError> {
    let corpus_name = report.source.display().to_string();
    if let Some(label) = corpus.labels.get(MAX_CLASSES) {
        return Err(ValidationError::TooManyLabels {
            corpus: corpus_name,
            count: corpus.labels.len(),
            max: MAX_CLASSES,
            label: label.clone(),
            ordinal: MAX_CLASSES + 1,
            at: report.label_site(label),
        });
    }
    if let Some(label) = corpus.labels.iter().find(|l| l.len() > MAX_LABEL_BYTES) {
        return Err(ValidationError::LabelTooLong {
            at: report.label_site(label),
            label: label.chars().take(40).collect(),
            bytes: label.len(),
            max: MAX_LABEL_BYTES,
        });
    }
    let with_rows: Vec<String> = corpus
        .labels
        .iter()
        .zip(corpus.label_counts())
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| format!("`{l}` ({n} rows)"))
        .collect();
    if with_rows.len() < 2 {
        return Err(ValidationError::OneClass {
            corpus: corpus_name,
            with_rows: with_rows.len(),
            classes: with_rows.join(", "),
        });
    }
    Ok(())
}

/// The fewest rows a class needs so that `stratified_split` at `dev` and `test` puts at least
/// one in each of train, dev and test (its per-class rounding, replayed).
pub fn rows_needed(dev: f64, test: f64) -> usize {
    (3..10_000)
        .find(|&n| {
            let n_test = (test * n as f64).round() as usize;
            let n_dev = ((dev * n as f64).round() as usize).min(n - n_test.min(n));
            n_test >= 1 && n_dev >= 1 && n > n_test + n_dev
        })
        .unwrap_or(10_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_shared::profile::{M4_1M, M4_256K};

    fn table(dir: &std::path::Path, rows: &[(&str, &str)]) -> String {
        let mut body = String::from("text,label\n");
        for (text, label) in rows {
            body.push_str(&format!("{text},{label}\n"));
        }
        let path = dir.join("data.csv");
        std::fs::write(&path, body).unwrap();
        format!("csv:{}", path.display())
    }

    fn config(corpus: String) -> DistillConfig {
        DistillConfig {
            corpus,
            train_size: None,
            ..DistillConfig::default()
        }
    }

    /// `n` rows per label, texts `word<i> <label>`.
    fn rows_of(labels: &[&str], n: usize) -> Vec<(String, String)> {
        labels
            .iter()
            .flat_map(|l| (0..n).map(move |i| (format!("word{i} {l}"), l.to_string())))
            .collect()
    }

    fn check(
        dir: &std::path::Path,
        rows: &[(String, String)],
        profile: Option<&BoardProfile>,
    ) -> Result<CheckedData, ValidationError> {
        let rows: Vec<(&str, &str)> = rows.iter().map(|(t, l)| (t.as_str(), l.as_str())).collect();
        check_run(&config(table(dir, &rows)), profile)
    }

    #[test]
    fn rows_needed_replays_the_split_rounding() {
        assert_eq!(rows_needed(0.1, 0.2), 5);
        assert_eq!(rows_needed(0.5, 0.4), 6); // 5 rows: 2 test, 3 dev, no train
        assert_eq!(rows_needed(0.01, 0.01), 50);
    }

    #[test]
    fn a_healthy_table_passes_with_every_class_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let data = check(dir.path(), &rows_of(&["neg", "pos"], 10), Some(&M4_1M)).unwrap();
        assert_eq!(data.corpus().labels, ["neg", "pos"]);
        for set in [&data.split().dev, &data.split().test, data.train()] {
            assert!(set.label_counts().iter().all(|&n| n > 0), "{}", set.name);
        }
    }

    /// One class used to train and report "100% accuracy".
    #[test]
    fn one_class_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(dir.path(), &rows_of(&["pos"], 20), None).unwrap_err();
        assert!(
            matches!(err, ValidationError::OneClass { with_rows: 1, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("data.csv: only 1 class with rows (`pos` (20 rows))"),
            "{err}"
        );
    }

    /// One or three rows used to fine-tune and cache the teacher, then fail on an empty dev set.
    #[test]
    fn too_few_rows_for_train_dev_and_test_are_refused_naming_the_class() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = rows_of(&["neg"], 10);
        rows.extend(rows_of(&["pos"], 2));
        let err = check(dir.path(), &rows, None).unwrap_err();
        assert!(
            matches!(&err, ValidationError::TooFewRows { label, rows: 2, needed: 5, .. } if label == "pos"),
            "{err}"
        );
        // The class's first row is line 12 (header, 10 `neg` rows).
        assert!(
            err.to_string()
                .contains("data.csv:12: class `pos` has 2 row(s)"),
            "{err}"
        );
        let mut cfg = config(table(dir.path(), &[("a", "x"), ("b", "y")]));
        cfg.dev_fraction = 0.0;
        assert!(matches!(
            check_run(&cfg, None),
            Err(ValidationError::EmptySet {
                field: "--dev-fraction",
                ..
            })
        ));
    }

    /// 17 classes or a 100-byte label used to fail at export, after all the training.
    #[test]
    fn label_limits_of_the_artifact_are_checked_first_naming_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let labels: Vec<String> = (0..17).map(|i| format!("c{i:02}")).collect();
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        let err = check(dir.path(), &rows_of(&names, 5), None).unwrap_err();
        assert!(
            matches!(err, ValidationError::TooManyLabels { count: 17, .. }),
            "{err}"
        );
        // `c16` is the 17th label; its first row follows the header and 16 × 5 rows.
        assert!(
            err.to_string()
                .contains("label `c16` (the 17th) first occurs at"),
            "{err}"
        );
        assert!(err.to_string().contains("data.csv:82"), "{err}");

        let long = "x".repeat(100);
        let err = check(dir.path(), &rows_of(&["short", &long], 5), None).unwrap_err();
        assert!(
            matches!(err, ValidationError::LabelTooLong { bytes: 100, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("data.csv:7: label `xxxx"), "{err}");
    }

    #[test]
    fn a_student_over_the_profile_budget_is_refused_naming_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let rows = rows_of(&["neg", "pos"], 10);
        // The default student (32768 × 6 table, ~199 KB) fits m4-1m but not m4-256k (96 KiB).
        assert!(check(dir.path(), &rows, Some(&M4_1M)).is_ok());
        let err = check(dir.path(), &rows, Some(&M4_256K)).unwrap_err();
        assert!(
            matches!(
                err,
                ValidationError::OverBudget {
                    profile: "m4-256k",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("--buckets 32768 --dim 6"), "{err}");
        assert!(err.to_string().contains("artifact needs"), "{err}");
    }

    #[test]
    fn a_bad_row_of_a_users_table_is_an_error_before_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.csv");
        std::fs::write(&path, "text,label\n\"open,pos\nfine,neg\n").unwrap();
        let err = check_run(&config(format!("csv:{}", path.display())), None).unwrap_err();
        assert!(err.to_string().contains("q.csv:2:1:"), "{err}");
    }

    /// `--unlabeled` is read and checked with the data: a missing file stops the run here, and
    /// `rest-of-train` gives the training split outside the subsample, none of train, dev or test.
    #[test]
    fn unlabelled_text_is_checked_with_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let rows = rows_of(&["neg", "pos"], 40);
        let rows: Vec<(&str, &str)> = rows.iter().map(|(t, l)| (t.as_str(), l.as_str())).collect();
        let corpus = table(dir.path(), &rows);
        let missing = DistillConfig {
            unlabeled: Some(crate::data::UnlabeledSource::File(
                "/nonexistent/more.txt".into(),
            )),
            ..config(corpus.clone())
        };
        let err = check_run(&missing, None).unwrap_err();
        assert!(matches!(err, ValidationError::Unlabeled(_)), "{err}");
        assert!(err.to_string().contains("/nonexistent/more.txt"), "{err}");

        let rest = DistillConfig {
            train_size: Some(20),
            unlabeled: Some(crate::data::UnlabeledSource::RestOfTrain),
            ..config(corpus)
        };
        let data = check_run(&rest, None).unwrap();
        assert_eq!(data.unlabeled().len(), data.split().train.len() - 20);
        let held: Vec<&str> = [data.train(), &data.split().dev, &data.split().test]
            .iter()
            .flat_map(|d| d.examples.iter().map(|e| e.text.as_str()))
            .collect();
        assert!(data.unlabeled().iter().all(|t| !held.contains(&t.as_str())));
    }
}
