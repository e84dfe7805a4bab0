//! The last screen of `edgekd run`: the table of models, the artifact and its fit on every board
//! profile, and the commands to try next. Read from the run folder's `metrics.json`, so that it
//! shows what the run wrote, whatever code wrote it.

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
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\n{:<26} {:>8} {:>8} {:>8}",
            "model", "dev acc", "test acc", "test F1"
        );
        let mut row = |name: &str, dev: Option<&Scores>, test: &Scores| {
            let dev = dev.map_or(String::new(), |d| percent(d.accuracy));
            let _ = writeln!(
                s,
                "{name:<26} {dev:>8} {:>8} {:>8}",
                percent(test.accuracy),
                percent(test.macro_f1)
            );
        };
        row("teacher", Some(&self.teacher.0), &self.teacher.1);
        for (name, dev, test, _) in &self.students {
            row(&format!("student {name} (f32)"), Some(dev), test);
        }
        row("student kd (int8)", None, &self.export.int8_test);
        let z = &self.export.sizes;
        let _ = writeln!(
            s,
            "\nartifact {}: {} B flash, {} B arena, {} B learner",
            self.export.path.display(),
            z.artifact,
            z.arena,
            z.learner
        );
        for p in PROFILES {
            let verdict = match p.check(z.artifact, z.arena, z.learner) {
                Ok(()) => "fits".to_string(),
                Err(e) => format!("does not fit: {e}"),
            };
            let mark = if p.name == profile.name {
                " (exported for)"
            } else {
                ""
            };
            let _ = writeln!(s, "  {:<8} {verdict}{mark}", p.name);
        }
        let _ = writeln!(
            s,
            "\nrun folder {} (run.log has the detail)",
            run_dir.display()
        );
        s.push_str(&next_commands(&self.export.path));
        s
    }
}

/// `next:` and the commands that use an artifact: inspect it, evaluate it on the emulated
/// device, flash it.
pub fn next_commands(artifact: &Path) -> String {
    let a = artifact.display();
    format!(
        "next:\n  edgekd inspect {a}\n  edgekd eval {a} --device qemu\n  edgekd flash {a} --qemu   (or --serial PORT, --probe)\n"
    )
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
}
