//! Writing the scripts and submitting them as a chain of dependent jobs with `sbatch --parsable`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::{job_scripts, shell_quote, JobPlan, JobScript, SlurmError};

/// Submits one batch script and returns its job id.
pub trait Scheduler {
    /// Runs `command` (an `sbatch --parsable …` line, see [`sbatch_command`]) and returns the job id.
    fn submit(&self, command: &[String]) -> Result<String, SlurmError>;
}

/// The real scheduler: runs the command (`sbatch` from `PATH`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sbatch;

impl Scheduler for Sbatch {
    fn submit(&self, command: &[String]) -> Result<String, SlurmError> {
        let line = command.join(" ");
        let (program, args) = command
            .split_first()
            .ok_or_else(|| SlurmError::BadJobId(String::new()))?;
        let out = Command::new(program)
            .args(args)
            .output()
            .map_err(|source| SlurmError::Spawn {
                command: line.clone(),
                source,
            })?;
        if !out.status.success() {
            return Err(SlurmError::Refused {
                command: line,
                status: out.status.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        parse_job_id(&String::from_utf8_lossy(&out.stdout))
    }
}

/// The job id in what `sbatch --parsable` prints: `ID` or `ID;CLUSTER`.
pub fn parse_job_id(stdout: &str) -> Result<String, SlurmError> {
    let id = stdout.trim().split(';').next().unwrap_or_default();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(SlurmError::BadJobId(stdout.trim().to_string()))
    }
}

/// The `sbatch` command line of `script`, started only after job `after` succeeded (and cancelled if
/// that job fails, so that no job waits forever on a dependency that can no longer be met).
pub fn sbatch_command(script: &JobScript, after: Option<&str>) -> Vec<String> {
    let mut command = vec!["sbatch".to_string(), "--parsable".to_string()];
    if let Some(id) = after {
        command.push(format!("--dependency=afterok:{id}"));
        command.push("--kill-on-invalid-dep=yes".to_string());
    }
    command.push(script.path.display().to_string());
    command
}

/// The job ids of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedJobs {
    /// The teacher job.
    pub teacher: String,
    /// The labelling array.
    pub labels: String,
    /// The cells array.
    pub cells: String,
    /// The merge and report job.
    pub merge: String,
}

fn io_error(path: &Path, source: std::io::Error) -> SlurmError {
    SlurmError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Makes the shared folder's `slurm/`, `logs/` and `results/` and writes the scripts into `slurm/`.
pub fn write_scripts(plan: &JobPlan) -> Result<Vec<JobScript>, SlurmError> {
    for sub in ["slurm", "logs", "results"] {
        let dir = plan.dir.join(sub);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    }
    let scripts = job_scripts(plan);
    for script in &scripts {
        std::fs::write(&script.path, &script.text).map_err(|e| io_error(&script.path, e))?;
    }
    Ok(scripts)
}

/// Writes the scripts and submits them, each job depending on the one before.
pub fn submit(plan: &JobPlan, scheduler: &dyn Scheduler) -> Result<SubmittedJobs, SlurmError> {
    let scripts = write_scripts(plan)?;
    let mut ids: Vec<String> = vec![];
    for script in &scripts {
        let id = scheduler.submit(&sbatch_command(script, ids.last().map(String::as_str)))?;
        tracing::info!("submitted {} as job {id}", script.stage.name());
        ids.push(id);
    }
    let [teacher, labels, cells, merge]: [String; 4] = ids
        .try_into()
        .map_err(|ids: Vec<String>| SlurmError::BadJobId(ids.join(",")))?;
    Ok(SubmittedJobs {
        teacher,
        labels,
        cells,
        merge,
    })
}

/// What [`submit`] would do: each script and its `sbatch` line (the job ids of the earlier stages as
/// shell variables), nothing written or submitted.
pub fn dry_run(plan: &JobPlan) -> String {
    let mut out = String::new();
    let mut previous: Option<String> = None;
    for script in job_scripts(plan) {
        let _ = writeln!(out, "# ===== {}\n{}", script.path.display(), script.text);
        let variable = format!("{}_job", script.stage.name());
        let command: Vec<String> = sbatch_command(&script, previous.as_deref())
            .iter()
            .map(|w| {
                if w.starts_with("--dependency") {
                    w.clone()
                } else {
                    shell_quote(w)
                }
            })
            .collect();
        let _ = writeln!(out, "{variable}=$({})\n", command.join(" "));
        previous = Some(format!("${variable}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slurm::SlurmResources;
    use std::sync::Mutex;

    /// Records the command lines and answers with ids 100, 101, …
    #[derive(Default)]
    struct Recorder(Mutex<Vec<Vec<String>>>);

    impl Scheduler for Recorder {
        fn submit(&self, command: &[String]) -> Result<String, SlurmError> {
            let mut seen = self.0.lock().unwrap();
            seen.push(command.to_vec());
            Ok(format!("{}", 99 + seen.len()))
        }
    }

    fn plan(dir: &Path) -> JobPlan {
        JobPlan {
            edgekd: "/bin/edgekd".into(),
            grid: dir.join("grid.toml"),
            dir: dir.to_path_buf(),
            cache: None,
            settings: vec![],
            resources: SlurmResources {
                tasks: Some(3),
                ..Default::default()
            },
        }
    }

    #[test]
    fn jobs_are_chained_each_after_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let p = plan(dir.path());
        let recorder = Recorder::default();
        let jobs = submit(&p, &recorder).unwrap();
        assert_eq!(
            jobs,
            SubmittedJobs {
                teacher: "100".into(),
                labels: "101".into(),
                cells: "102".into(),
                merge: "103".into()
            }
        );
        let lines = recorder.0.into_inner().unwrap();
        assert_eq!(lines[0][..2], ["sbatch", "--parsable"]);
        assert!(!lines[0].iter().any(|w| w.starts_with("--dependency")));
        assert_eq!(lines[2][2], "--dependency=afterok:101");
        assert_eq!(lines[3][2], "--dependency=afterok:102");
        assert!(lines[3].contains(&"--kill-on-invalid-dep=yes".to_string()));
        let cells = dir.path().join("slurm/cells.sbatch");
        assert_eq!(lines[2].last().unwrap(), &cells.display().to_string());
        assert!(std::fs::read_to_string(cells)
            .unwrap()
            .contains("--array=0-2"));
        assert!(dir.path().join("logs").is_dir() && dir.path().join("results").is_dir());
    }

    #[test]
    fn a_dry_run_prints_scripts_and_commands_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dry_run(&plan(dir.path()));
        assert!(out.contains("teacher_job=$(sbatch --parsable "), "{out}");
        assert!(out.contains("labels_job=$(sbatch --parsable --dependency=afterok:$teacher_job"));
        assert!(out.contains("merge_job=$(sbatch --parsable --dependency=afterok:$cells_job"));
        assert!(out.contains("#SBATCH --array=0-2"));
        assert!(!dir.path().join("slurm").exists());
    }

    #[test]
    fn job_ids_are_read_from_parsable_output() {
        assert_eq!(parse_job_id("1234\n").unwrap(), "1234");
        assert_eq!(parse_job_id("77;cluster\n").unwrap(), "77");
        assert!(parse_job_id("Submitted batch job 5").is_err());
    }
}
