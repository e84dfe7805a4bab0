//! `edgekd run`: the main job on the embedded default — distill, quantize, export, evaluate — and a run
//! folder with the config, metrics as JSON, training curves as PNG, a summary and the model.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use edgekd_shared::profile::BoardProfile;
use serde::Serialize;

use super::config::DistillConfig;
use super::distill::{run_checked, DistillOutcome, StageTimes};
use super::error::PipelineError;
use super::export::{export_student, ExportOutcome};
use super::metrics::Metrics;
use super::validate::CheckedData;
use crate::report::{line_chart, Series};

/// What `edgekd run` writes into `metrics.json`.
#[derive(Debug, Serialize)]
pub struct RunMetrics<'a> {
    /// Class names.
    pub labels: &'a [String],
    /// Training originals.
    pub train_originals: usize,
    /// Unlabelled texts the teacher labelled for KD (`--unlabeled`).
    pub unlabeled: usize,
    /// Degree used and realised.
    pub degree: f64,
    /// Mean realised degree of the copies.
    pub realised_degree: f64,
    /// Teacher (dev, test).
    pub teacher: &'a (Metrics, Metrics),
    /// Students: name, dev, test, training report.
    pub students: Vec<(
        &'a str,
        &'a Metrics,
        &'a Metrics,
        &'a crate::train::TrainReport,
    )>,
    /// The exported KD student.
    pub export: &'a ExportOutcome,
    /// Wall time per stage, seconds.
    pub times: &'a StageTimes,
}

/// Runs the main job into `out_dir` and returns the printed summary. `data` is what
/// [`check_run`](super::validate::check_run) made of `cfg` with `profile`: nothing is written before it.
pub fn run_main_job(
    cfg: &DistillConfig,
    data: CheckedData,
    profile: &BoardProfile,
    key_path: Option<&Path>,
    out_dir: &Path,
) -> Result<String, PipelineError> {
    let io = |p: &Path, e: std::io::Error| PipelineError::Config(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(out_dir).map_err(|e| io(out_dir, e))?;
    let mut cfg = cfg.clone();
    cfg.out_dir = out_dir.to_path_buf();
    let config_path = out_dir.join("config.toml");
    let toml = toml::to_string_pretty(&cfg).map_err(|e| PipelineError::Config(e.to_string()))?;
    std::fs::write(
        &config_path,
        format!("# board profile: {}\n{toml}", profile.name),
    )
    .map_err(|e| io(&config_path, e))?;

    let outcome = run_checked(&cfg, data)?;
    let t = Instant::now();
    let key = match key_path {
        Some(p) => crate::keys::load_signing_key(p),
        None => crate::keys::dev_signing_key(),
    }
    .map_err(|e| PipelineError::Config(e.to_string()))?;
    let kd = outcome
        .students
        .iter()
        .find(|s| s.name == "kd")
        .ok_or_else(|| PipelineError::Config("no KD student was trained".into()))?;
    let stage = crate::terminal::Stage::start("Quantizing", None);
    let export = export_student(&outcome, kd, profile, &key, &out_dir.join("model.ekd"))?;
    stage.finish(format!(
        "{} bytes, int8 test accuracy {:.1}%",
        export.sizes.artifact,
        100.0 * export.int8_test.accuracy
    ));
    let export_secs = t.elapsed().as_secs_f64();

    let metrics = RunMetrics {
        labels: &outcome.labels,
        train_originals: outcome.train_originals,
        unlabeled: outcome.unlabeled,
        degree: outcome.degree,
        realised_degree: outcome.augment.mean_realised_degree,
        teacher: &outcome.teacher,
        students: outcome
            .students
            .iter()
            .map(|s| (s.name.as_str(), &s.dev, &s.test, &s.trained.report))
            .collect(),
        export: &export,
        times: &outcome.times,
    };
    let metrics_path = out_dir.join("metrics.json");
    let json =
        serde_json::to_string_pretty(&metrics).map_err(|e| PipelineError::Config(e.to_string()))?;
    std::fs::write(&metrics_path, json).map_err(|e| io(&metrics_path, e))?;
    draw_curves(&outcome, out_dir)?;
    let summary = summary(&outcome, &export, export_secs, profile);
    let summary_path = out_dir.join("summary.txt");
    std::fs::write(&summary_path, &summary).map_err(|e| io(&summary_path, e))?;
    Ok(summary)
}

fn draw_curves(outcome: &DistillOutcome, out_dir: &Path) -> Result<(), PipelineError> {
    let series = |f: fn(&crate::train::EpochReport) -> f64| -> Vec<Series> {
        outcome
            .students
            .iter()
            .map(|s| Series {
                name: s.name.clone(),
                points: s
                    .trained
                    .report
                    .epochs
                    .iter()
                    .map(|e| (e.epoch as f64, f(e)))
                    .collect(),
                error: None,
            })
            .filter(|s| !s.points.is_empty())
            .collect()
    };
    let plot = |name: &str, title: &str, y: &str, s: Vec<Series>| -> Result<(), PipelineError> {
        if s.is_empty() {
            return Ok(());
        }
        line_chart(&out_dir.join(name), title, "epoch", y, &s)
            .map_err(|e| PipelineError::Config(e.to_string()))
    };
    plot(
        "curve-dev-accuracy.png",
        "Students: dev accuracy per epoch",
        "dev accuracy (%)",
        series(|e| 100.0 * e.dev_accuracy),
    )?;
    plot(
        "curve-train-loss.png",
        "Students: training loss per epoch",
        "training loss",
        series(|e| e.train_loss),
    )
}

/// The closing table: teacher and students (accuracy and macro-F1 on dev and test), the artifact, and
/// wall time per stage.
pub fn summary(
    outcome: &DistillOutcome,
    export: &ExportOutcome,
    export_secs: f64,
    profile: &BoardProfile,
) -> String {
    let mut s = String::new();
    let c = &outcome.config;
    let _ = writeln!(
        s,
        "\n{} — {} training originals, {} × {:?} copies at degree {:.2} (realised {:.3})\n",
        c.corpus,
        outcome.train_originals,
        c.copies,
        c.method,
        outcome.degree,
        outcome.augment.mean_realised_degree
    );
    let _ = writeln!(
        s,
        "{:<24} {:>9} {:>9} {:>9} {:>9}",
        "model", "dev acc", "dev F1", "test acc", "test F1"
    );
    let mut row = |name: &str, dev: &Metrics, test: &Metrics| {
        let _ = writeln!(
            s,
            "{name:<24} {:>8.2}% {:>8.2}% {:>8.2}% {:>8.2}%",
            100.0 * dev.accuracy,
            100.0 * dev.macro_f1,
            100.0 * test.accuracy,
            100.0 * test.macro_f1
        );
    };
    row(
        "teacher (MiniLM-L6)",
        &outcome.teacher.0,
        &outcome.teacher.1,
    );
    for st in &outcome.students {
        row(&format!("student {} (f32)", st.name), &st.dev, &st.test);
    }
    let _ = writeln!(
        s,
        "{:<24} {:>9} {:>9} {:>8.2}% {:>8.2}%",
        "student kd (int8)",
        "",
        "",
        100.0 * export.int8_test.accuracy,
        100.0 * export.int8_test.macro_f1
    );
    let _ = writeln!(
        s,
        "\nartifact {} — {} bytes, arena {} bytes, learner {} bytes: fits {} (≤ {} / {} / {}); calibration {}",
        export.path.display(),
        export.sizes.artifact,
        export.sizes.arena,
        export.sizes.learner,
        profile.name,
        profile.max_artifact,
        profile.max_arena,
        profile.max_learner,
        export.calibration
    );
    if let Some(line) = outcome.degree_search_line() {
        let _ = writeln!(s, "\n{line}");
    }
    let t = &outcome.times;
    let _ = writeln!(
        s,
        "\nwall time: {}, export+eval {export_secs:.1}s; total {:.1} min",
        t.describe(),
        (t.total() + export_secs) / 60.0
    );
    s
}

/// A new run folder under `root`: `root/run-YYYYmmdd-HHMMSS` (UTC, from the system clock).
pub fn new_run_dir(root: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    root.join(format!(
        "run-{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_dirs_are_named_by_utc_time() {
        let d = new_run_dir(Path::new("runs"));
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("run-20"), "{name}");
        assert_eq!(name.len(), "run-20261129-141500".len());
    }
}
