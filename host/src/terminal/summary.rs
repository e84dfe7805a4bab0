//! The last screen of `edgekd run` and `edgekd distill`: the table of models, the artifact (or, for
//! `distill`, the KD student's estimated int8 footprint) and its fit on every board profile, and
//! the commands to try next. `run`'s is read from the run folder's `metrics.json`, so that it shows
//! what the run wrote, whatever code wrote it; `distill`'s from its outcome.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use edgekd_shared::profile::{BoardProfile, PROFILES};
use serde::Deserialize;

/// Why the summary could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// `metrics.json` could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `metrics.json` is not what `edgekd run` writes.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// Accuracy and macro-F1 of one model on one split.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
pub struct Scores {
    /// Fraction predicted right.
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1.
    pub macro_f1: f64,
}

/// Bytes a model needs on a board.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub struct Sizes {
    /// The artifact (one flash slot).
    pub artifact: usize,
    /// The inference arena.
    pub arena: usize,
    /// The on-device learner state.
    pub learner: usize,
}

/// The exported artifact as `metrics.json` records it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Artifact {
    /// Where it is.
    pub path: PathBuf,
    /// Its sizes.
    pub sizes: Sizes,
    /// The int8 model, run by the device engine, on the test set.
    pub int8_test: Scores,
}

/// What the summary shows of a run (the parts of `metrics.json` it needs).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RunSummary {
    /// Training originals.
    pub train_originals: usize,
    /// Teacher (dev, test).
    pub teacher: (Scores, Scores),
    /// Students: name, dev, test (and the training report, not shown).
    pub students: Vec<(String, Scores, Scores, serde_json::Value)>,
    /// The exported KD student.
    pub export: Artifact,
}

impl RunSummary {
    /// Reads `run_dir/metrics.json`.
    pub fn read(run_dir: &Path) -> Result<Self, SummaryError> {
        let path = run_dir.join("metrics.json");
        let text = std::fs::read_to_string(&path).map_err(|source| SummaryError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| SummaryError::Json { path, source })
    }

    /// The last screen: models, artifact and fit per board, next commands (`profile` is the
    /// board the run exported for).
    pub fn render(&self, profile: &BoardProfile, run_dir: &Path) -> String {
        let students = self.students.iter().map(|(n, d, t, _)| (n.as_str(), d, t));
        let mut rows = model_rows(&self.teacher, students);
        rows.push(("student kd (int8)".into(), None, &self.export.int8_test));
        let mut s = models_table(&rows);
        let z = &self.export.sizes;
        let _ = writeln!(
            s,
            "\nartifact {}: {} B flash, {} B arena, {} B learner",
            self.export.path.display(),
            z.artifact,
            z.arena,
            z.learner
        );
        s.push_str(&fit_per_board(z, Some((profile.name, "exported for"))));
        let _ = writeln!(
            s,
            "\nrun folder {} (run.log has the detail)",
            run_dir.display()
        );
        s.push_str(&next_commands(None, &self.export.path));
        s
    }
}

/// What the last screen of `edgekd distill` shows: the models, the KD student's int8 footprint
/// (estimated from its shape: `distill` does not quantize) and its fit per board, and the
/// commands that make and use its artifact.
#[derive(Clone, Debug, PartialEq)]
pub struct DistillSummary {
    /// Teacher (dev, test).
    pub teacher: (Scores, Scores),
    /// Students: name, dev, test.
    pub students: Vec<(String, Scores, Scores)>,
    /// The dev-set degree search's line, if there was one.
    pub degree_search: Option<String>,
    /// The KD student's int8 footprint, estimated from its shape (`models::student::footprint`:
    /// close, not exact; `edgekd export` measures the artifact).
    pub kd_estimate: Sizes,
    /// The output folder (checkpoints, `config.toml`).
    pub out_dir: PathBuf,
}

#[cfg(feature = "pipeline")]
impl DistillSummary {
    /// The summary of a finished `distill`.
    pub fn of(outcome: &crate::pipeline::DistillOutcome) -> Self {
        let scores = |m: &crate::pipeline::Metrics| Scores {
            accuracy: m.accuracy,
            macro_f1: m.macro_f1,
        };
        let student = outcome.config.student(outcome.labels.len());
        let fp = edgekd_models::student::footprint(&student, true);
        Self {
            teacher: (scores(&outcome.teacher.0), scores(&outcome.teacher.1)),
            students: outcome
                .students
                .iter()
                .map(|s| (s.name.clone(), scores(&s.dev), scores(&s.test)))
                .collect(),
            degree_search: outcome.degree_search_line(),
            kd_estimate: Sizes {
                artifact: fp.artifact_bytes,
                arena: fp.arena_bytes,
                learner: fp.learner_bytes,
            },
            out_dir: outcome.config.out_dir.clone(),
        }
    }
}

impl DistillSummary {
    /// The last screen.
    pub fn render(&self) -> String {
        let students = self.students.iter().map(|(n, d, t)| (n.as_str(), d, t));
        let mut s = models_table(&model_rows(&self.teacher, students));
        if let Some(line) = &self.degree_search {
            let _ = writeln!(s, "\n{line}");
        }
        let (out, z) = (self.out_dir.display(), &self.kd_estimate);
        let _ = writeln!(
            s,
            "\nKD student in int8, estimated: ~{} B flash, ~{} B arena, ~{} B learner",
            z.artifact, z.arena, z.learner
        );
        s.push_str(&fit_per_board(z, None));
        let _ = writeln!(s, "\nout folder {out} (checkpoints, config.toml, run.log)");
        let export =
            format!("edgekd export {out}   (quantize and sign the KD student, nothing retrained)");
        s.push_str(&next_commands(
            Some(&export),
            &self.out_dir.join("model.ekd"),
        ));
        s
    }
}

/// A row of the models table: name, dev scores (`None`: not measured), test scores.
type ModelRow<'a> = (String, Option<&'a Scores>, &'a Scores);

/// The teacher's row, then one per student (`student NAME (f32)`).
fn model_rows<'a>(
    teacher: &'a (Scores, Scores),
    students: impl Iterator<Item = (&'a str, &'a Scores, &'a Scores)>,
) -> Vec<ModelRow<'a>> {
    let mut rows = vec![("teacher".to_string(), Some(&teacher.0), &teacher.1)];
    rows.extend(
        students.map(|(name, dev, test)| (format!("student {name} (f32)"), Some(dev), test)),
    );
    rows
}

/// The models table: dev accuracy, test accuracy and test macro-F1 per model (the name column
/// as wide as the longest name, `student kd-no-augmentation (f32)` included).
fn models_table(rows: &[ModelRow<'_>]) -> String {
    let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mut s = format!(
        "\n{:<w$} {:>8} {:>8} {:>8}\n",
        "model", "dev acc", "test acc", "test F1"
    );
    for (name, dev, test) in rows {
        let dev = dev.map_or(String::new(), |d| percent(d.accuracy));
        let _ = writeln!(
            s,
            "{name:<w$} {dev:>8} {:>8} {:>8}",
            percent(test.accuracy),
            percent(test.macro_f1)
        );
    }
    s
}

/// One line per board profile: whether `sizes` fit it (`mark`: a profile's name and a note
/// after its verdict).
fn fit_per_board(sizes: &Sizes, mark: Option<(&str, &str)>) -> String {
    let mut s = String::new();
    for p in PROFILES {
        let verdict = match p.check(sizes.artifact, sizes.arena, sizes.learner) {
            Ok(()) => "fits".to_string(),
            Err(e) => format!("does not fit: {e}"),
        };
        let note = match mark {
            Some((name, note)) if name == p.name => format!(" ({note})"),
            _ => String::new(),
        };
        let _ = writeln!(s, "  {:<8} {verdict}{note}", p.name);
    }
    s
}

/// `next:` and the commands that use an artifact — inspect it, evaluate it on the emulated
/// device, flash it — after `first` (the command that makes it), if any.
pub fn next_commands(first: Option<&str>, artifact: &Path) -> String {
    let a = artifact.display();
    let mut s = String::from("next:\n");
    if let Some(first) = first {
        let _ = writeln!(s, "  {first}");
    }
    let _ = write!(
        s,
        "  edgekd inspect {a}\n  edgekd eval {a} --device qemu\n  edgekd flash {a} --qemu   (or --serial PORT, --probe)\n"
    );
    s
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_shared::profile::M4_1M;

    const METRICS: &str = r#"{
        "labels": ["neg", "pos"], "train_originals": 120, "degree": 0.3,
        "teacher": [{"accuracy": 0.9, "macro_f1": 0.89, "examples": 10},
                    {"accuracy": 0.88, "macro_f1": 0.87}],
        "students": [["kd", {"accuracy": 0.8, "macro_f1": 0.79}, {"accuracy": 0.78, "macro_f1": 0.77}, {}],
                     ["ft", {"accuracy": 0.7, "macro_f1": 0.69}, {"accuracy": 0.68, "macro_f1": 0.67}, {}]],
        "export": {"path": "runs/r/model.ekd", "calibration": "p99.9",
                   "sizes": {"artifact": 200000, "arena": 1000, "learner": 2000, "parameters": 5},
                   "int8_test": {"accuracy": 0.775, "macro_f1": 0.76}},
        "times": {}
    }"#;

    #[test]
    fn the_summary_shows_models_fit_per_board_and_next_commands() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("metrics.json"), METRICS).unwrap();
        let summary = RunSummary::read(dir.path()).unwrap();
        assert_eq!(summary.students.len(), 2);
        let text = summary.render(&M4_1M, dir.path());
        assert!(text.contains("student kd (f32)"), "{text}");
        assert!(
            text.contains("student kd (int8)") && text.contains("77.5%"),
            "{text}"
        );
        assert!(text.contains("m4-1m    fits (exported for)"), "{text}");
        assert!(text.contains("m4-256k  does not fit"), "{text}");
        assert!(
            text.contains("edgekd eval runs/r/model.ekd --device qemu"),
            "{text}"
        );
        assert!(text.lines().count() <= 20, "{text}");
    }

    #[test]
    fn a_folder_without_metrics_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = RunSummary::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("metrics.json"), "{err}");
    }

    fn scores(accuracy: f64) -> Scores {
        Scores {
            accuracy,
            macro_f1: accuracy - 0.01,
        }
    }

    fn distill_summary(kd_estimate: Sizes) -> DistillSummary {
        DistillSummary {
            teacher: (scores(0.9), scores(0.88)),
            students: vec![
                ("kd".into(), scores(0.8), scores(0.78)),
                ("ft".into(), scores(0.7), scores(0.68)),
                ("kd-no-augmentation".into(), scores(0.75), scores(0.74)),
            ],
            degree_search: Some("degree search (KD dev accuracy): 0.30 80.00% ← chosen".into()),
            kd_estimate,
            out_dir: PathBuf::from("runs/distill"),
        }
    }

    #[test]
    fn the_distill_summary_shows_the_estimated_fit_and_how_to_make_the_artifact() {
        let sizes = Sizes {
            artifact: 200_000,
            arena: 1000,
            learner: 2000,
        };
        let text = distill_summary(sizes).render();
        assert!(text.contains("student ft (f32)"), "{text}");
        assert!(
            text.contains("student kd (f32)") && text.contains("78.0%"),
            "{text}"
        );
        assert!(text.contains("0.30 80.00% ← chosen"), "{text}");
        let table: Vec<&str> = text.lines().skip(1).take(5).collect();
        let width = table[0].len();
        assert!(
            table.iter().all(|l| l.len() == width),
            "columns align with the longest name: {table:#?}"
        );
        assert!(
            text.contains("estimated: ~200000 B flash, ~1000 B arena, ~2000 B learner"),
            "{text}"
        );
        assert!(text.contains("m4-1m    fits\n"), "{text}");
        assert!(text.contains("m4-256k  does not fit"), "{text}");
        let next = text.split("next:\n").nth(1).unwrap();
        assert!(
            next.starts_with("  edgekd export runs/distill "),
            "export comes first: {text}"
        );
        assert!(
            next.contains("edgekd eval runs/distill/model.ekd --device qemu"),
            "{text}"
        );
        assert!(text.lines().count() <= 20, "{text}");
    }
}
