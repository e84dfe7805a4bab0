//! The batch scripts of a submission: one per stage, written into the shared folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::SlurmResources;

/// A stage of a cluster run, in the order the jobs run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// One task: every teacher of the grid (per corpus and draw, and per size for own teachers),
    /// each fine-tuned once.
    Teacher,
    /// An array: the label chunks.
    Labels,
    /// An array: the cells, `sweep --shard i/n`.
    Cells,
    /// One task: merge the results and write the report.
    Merge,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 4] = [Stage::Teacher, Stage::Labels, Stage::Cells, Stage::Merge];

    /// The stage's name (scripts, logs, job names).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Teacher => "teacher",
            Stage::Labels => "labels",
            Stage::Cells => "cells",
            Stage::Merge => "merge",
        }
    }
}

/// What a submission runs, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct JobPlan {
    /// The `edgekd` binary the tasks run (on the shared filesystem, or installed on every node).
    pub edgekd: PathBuf,
    /// The grid file (absolute).
    pub grid: PathBuf,
    /// The shared folder: scripts, logs, results and report.
    pub dir: PathBuf,
    /// `EDGEKD_CACHE` of the tasks (on the shared filesystem); `None` leaves the tasks' own.
    pub cache: Option<PathBuf>,
    /// Pipeline settings given to every stage (`--teacher-train-size`, `--epochs`, …).
    pub settings: Vec<String>,
    /// Resources.
    pub resources: SlurmResources,
}

impl JobPlan {
    /// The results file of cells task `index`.
    pub fn shard_results(&self, index: usize) -> PathBuf {
        self.dir.join("results").join(format!(
            "shard-{index}-of-{}.jsonl",
            self.resources.cell_tasks()
        ))
    }

    /// The merged results.
    pub fn merged_results(&self) -> PathBuf {
        self.dir.join("results.jsonl")
    }

    /// The log of `stage`'s task `index` (0 for the single-task stages).
    pub fn log(&self, stage: Stage, index: usize) -> PathBuf {
        self.dir
            .join("logs")
            .join(format!("{}-{index}.log", stage.name()))
    }
}

/// One batch script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobScript {
    /// Its stage.
    pub stage: Stage,
    /// Where it is written (`DIR/slurm/<stage>.sbatch`).
    pub path: PathBuf,
    /// The script.
    pub text: String,
}

/// `s` as one word of a POSIX shell: unchanged when it is made of safe characters only, else in single
/// quotes.
pub fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn path_word(p: &Path) -> String {
    shell_quote(&p.display().to_string())
}

/// The four scripts of `plan`, in the order they are submitted.
pub fn job_scripts(plan: &JobPlan) -> Vec<JobScript> {
    Stage::ALL
        .iter()
        .map(|&stage| JobScript {
            stage,
            path: plan
                .dir
                .join("slurm")
                .join(format!("{}.sbatch", stage.name())),
            text: script_text(plan, stage),
        })
        .collect()
}

fn script_text(plan: &JobPlan, stage: Stage) -> String {
    let r = &plan.resources;
    let logs = plan.dir.join("logs");
    let mut s = String::from("#!/bin/bash\n");
    let _ = writeln!(s, "#SBATCH --job-name=edgekd-{}", stage.name());
    let array = match stage {
        Stage::Labels => Some(r.label_tasks()),
        Stage::Cells => Some(r.cell_tasks()),
        Stage::Teacher | Stage::Merge => None,
    };
    // A re-submitted task appends to its log: the log tells what each attempt did.
    let log_name = match array {
        Some(n) => {
            let _ = writeln!(s, "#SBATCH --array=0-{}", n - 1);
            format!("{}-%a.log", stage.name())
        }
        None => format!("{}-0.log", stage.name()),
    };
    let _ = writeln!(s, "#SBATCH --output={}", logs.join(log_name).display());
    s.push_str("#SBATCH --open-mode=append\n");
    let directives = match stage {
        Stage::Merge => r.placement_directives(),
        _ => r.compute_directives(),
    };
    for line in directives {
        let _ = writeln!(s, "{line}");
    }
    s.push_str("set -euo pipefail\n");
    if let Some(cache) = &plan.cache {
        let _ = writeln!(s, "export EDGEKD_CACHE={}", path_word(cache));
    }
    let _ = writeln!(s, "edgekd={}", path_word(&plan.edgekd));
    let _ = writeln!(s, "grid={}", path_word(&plan.grid));
    let _ = writeln!(s, "dir={}", path_word(&plan.dir));
    let task = "${SLURM_ARRAY_TASK_ID:-0}";
    let _ = writeln!(
        s,
        "echo \"=== edgekd {} task {task} (job ${{SLURM_JOB_ID:-none}}) on $(hostname) at $(date -u +%FT%TZ)\"",
        stage.name()
    );
    let settings: String = plan
        .settings
        .iter()
        .map(|a| format!(" {}", shell_quote(a)))
        .collect();
    match stage {
        Stage::Teacher => {
            let _ = writeln!(s, "\"$edgekd\" slurm prepare --grid \"$grid\"{settings}");
        }
        Stage::Labels => {
            let _ = writeln!(
                s,
                "\"$edgekd\" slurm label --grid \"$grid\" --shard \"$SLURM_ARRAY_TASK_ID/{}\" \
                 --chunk-size {}{settings}",
                r.label_tasks(),
                r.chunk_size()
            );
        }
        Stage::Cells => {
            let n = r.cell_tasks();
            let _ = writeln!(
                s,
                "\"$edgekd\" sweep --grid \"$grid\" --shard \"$SLURM_ARRAY_TASK_ID/{n}\" \
                 --results \"$dir/results/shard-$SLURM_ARRAY_TASK_ID-of-{n}.jsonl\"{settings}"
            );
        }
        Stage::Merge => {
            let n = r.cell_tasks();
            let _ = writeln!(
                s,
                "\"$edgekd\" sweep merge \"$dir\"/results/shard-*-of-{n}.jsonl --out \"$dir/results.jsonl\""
            );
            let _ = writeln!(
                s,
                "\"$edgekd\" report \"$dir/results.jsonl\" --out \"$dir/report\" --full-grid \"$grid\" \
                 --scope \"the grid $grid, on Slurm ({n} cells tasks)\""
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> JobPlan {
        JobPlan {
            edgekd: "/shared/bin/edgekd".into(),
            grid: "/shared/grids/paper grid.toml".into(),
            dir: "/shared/run".into(),
            cache: Some("/shared/cache".into()),
            settings: vec!["--epochs".into(), "3".into(), "--scope=it's".into()],
            resources: SlurmResources {
                tasks: Some(4),
                label_tasks: Some(2),
                chunk_size: Some(100),
                cpus_per_task: Some(2),
                time: Some("01:00:00".into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn quoting_keeps_safe_words_and_quotes_the_rest() {
        assert_eq!(shell_quote("--epochs=3"), "--epochs=3");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn each_stage_runs_its_command_with_the_settings_and_resources() {
        let p = plan();
        let scripts = job_scripts(&p);
        let names: Vec<_> = scripts.iter().map(|s| s.stage.name()).collect();
        assert_eq!(names, ["teacher", "labels", "cells", "merge"]);
        let text = |i: usize| scripts[i].text.as_str();
        for s in &scripts {
            assert!(s.text.starts_with("#!/bin/bash\n"));
            assert!(s.text.contains("export EDGEKD_CACHE=/shared/cache\n"));
            assert!(s.text.contains("grid='/shared/grids/paper grid.toml'\n"));
            assert!(s.text.contains("#SBATCH --time=01:00:00\n"));
        }
        assert_eq!(
            scripts[1].path,
            Path::new("/shared/run/slurm/labels.sbatch")
        );
        assert!(text(0).contains("slurm prepare --grid \"$grid\" --epochs 3 '--scope=it'\\''s'\n"));
        assert!(text(0).contains("#SBATCH --output=/shared/run/logs/teacher-0.log\n"));
        assert!(!text(0).contains("--array"));
        assert!(text(1).contains("#SBATCH --array=0-1\n"));
        assert!(text(1).contains("--shard \"$SLURM_ARRAY_TASK_ID/2\" --chunk-size 100 --epochs 3"));
        assert!(text(2)
            .contains("#SBATCH --array=0-3\n#SBATCH --output=/shared/run/logs/cells-%a.log\n"));
        assert!(text(2).contains("#SBATCH --cpus-per-task=2\n"));
        assert!(text(2).contains(
            "--results \"$dir/results/shard-$SLURM_ARRAY_TASK_ID-of-4.jsonl\" --epochs 3"
        ));
        assert!(!text(3).contains("--cpus-per-task"));
        assert!(text(3).contains(
            "sweep merge \"$dir\"/results/shard-*-of-4.jsonl --out \"$dir/results.jsonl\""
        ));
        assert!(text(3)
            .contains("report \"$dir/results.jsonl\" --out \"$dir/report\" --full-grid \"$grid\""));
        assert_eq!(
            p.shard_results(3),
            Path::new("/shared/run/results/shard-3-of-4.jsonl")
        );
        assert_eq!(
            p.log(Stage::Cells, 1),
            Path::new("/shared/run/logs/cells-1.log")
        );
    }
}
