//! `edgekd slurm submit` on a real single-node Slurm (scripts/slurm/local-cluster.sh starts it; no mock
//! of sbatch): a 4-cell grid on a small synthetic corpus, as arrays of 3 tasks. One cells task is
//! cancelled with `scancel` while it runs, the same submission is made again and completes the grid
//! without repeating a finished label chunk or cell, and the merged results equal a local
//! `edgekd sweep` of the same grid cell for cell, although the local run labels its texts itself and the
//! cluster's cells read them from the labelling stage's chunk files.
//!
//! Needs root (the script installs and starts slurm-wlm and munge) and the `minilm-l6` and `wordnet`
//! assets; a missing prerequisite fails under `EDGEKD_REQUIRE_ALL=1` (scripts/test.sh).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use edgekd_host::prerequisite;
use edgekd_host::sweep::{load_results, Mode};

/// The settings every stage and the local sweep get: a teacher fine-tuned for 3 steps, a small bag student.
const SETTINGS: &[&str] = &[
    "--teacher-max-steps",
    "3",
    "--teacher-max-len",
    "32",
    "--teacher-train-size",
    "80",
    "--dev-fraction",
    "0.2",
    "--test-fraction",
    "0.25",
    "--student-kind",
    "bag",
    "--buckets",
    "512",
    "--dim",
    "8",
    "--hidden",
    "16",
    "--epochs",
    "15",
    "--learning-rate",
    "0.01",
    "--backend",
    "flex",
];

/// Reviews whose label follows from an adjective, with a varied frame so texts do not repeat.
fn write_reviews(path: &Path, rows: usize) {
    let praise = ["lovely", "gripping", "clever", "tender", "witty", "bold"];
    let scorn = ["flat", "tiresome", "muddled", "stale", "hollow", "shrill"];
    let nouns = [
        "plot", "acting", "dialogue", "pacing", "camera", "music", "finale",
    ];
    let mut csv = String::from("text,label\n");
    for i in 0..rows {
        let (adjectives, label) = if i % 2 == 1 {
            (&praise, "positive")
        } else {
            (&scorn, "negative")
        };
        let _ = writeln!(
            csv,
            "\"review {i}: {} {} with a {} {}\",{label}",
            adjectives[i % 6],
            nouns[i % 7],
            adjectives[(i / 6) % 6],
            nouns[(i / 7) % 7],
        );
    }
    std::fs::write(path, csv).unwrap();
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn output(command: &mut Command) -> String {
    let out = command.output().expect("spawn");
    assert!(
        out.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `JobState` of every task of job `id`, as `scontrol show job` reports it.
fn job_states(id: &str) -> Vec<String> {
    let out = Command::new("scontrol")
        .args(["show", "job", "-o", id])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("JobState="))
        })
        .map(str::to_string)
        .collect()
}

/// Waits until none of `ids` is in the queue (`squeue`).
fn wait_until_done(ids: &[&str], limit: Duration) {
    let start = Instant::now();
    loop {
        let out = output(Command::new("squeue").args(["-h", "-o", "%i %T", "-j", &ids.join(",")]));
        if out.trim().is_empty() {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "jobs still queued after {limit:?}:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The job ids `edgekd slurm submit` printed: teacher, labels, cells, merge.
fn submitted_ids(stdout: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("submitted:"))
        .unwrap_or_else(|| panic!("no job ids in {stdout}"));
    ["teacher ", "labels ", "cells ", "merge "]
        .iter()
        .map(|key| {
            let rest = &line[line.find(key).unwrap() + key.len()..];
            rest.chars().take_while(char::is_ascii_digit).collect()
        })
        .collect()
}

/// A cache folder holding the given assets of the real cache (as links) and nothing else.
fn cache_with(root: &Path, assets: &[(&str, &Path)]) -> PathBuf {
    std::fs::create_dir_all(root).unwrap();
    for (name, dir) in assets {
        std::os::unix::fs::symlink(dir, root.join(name)).unwrap();
    }
    root.to_path_buf()
}

fn line_count(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

#[test]
fn a_grid_on_slurm_equals_a_local_sweep_and_survives_a_cancelled_task() {
    let started = Command::new("bash")
        .arg(repo_root().join("scripts/slurm/local-cluster.sh"))
        .arg("start")
        .status();
    if !started.is_ok_and(|s| s.success()) {
        prerequisite::skip("scripts/slurm/local-cluster.sh could not start Slurm (root needed)")
            .unwrap();
        return;
    }
    let (minilm, wordnet) = match (
        edgekd_host::assets::ensure("minilm-l6"),
        edgekd_host::assets::ensure("wordnet"),
    ) {
        (Ok(m), Ok(w)) => (m, w),
        (m, w) => {
            prerequisite::skip(&format!("assets missing: {:?} {:?}", m.err(), w.err())).unwrap();
            return;
        }
    };
    let real_cache = edgekd_host::assets::Cache::from_env().unwrap();
    let wordnet_dir = real_cache.asset_dir("wordnet");
    assert!(wordnet.starts_with(&wordnet_dir), "{}", wordnet.display());

    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir_all(shared.join("bin")).unwrap();
    // The tasks run a copy: the build folder may be rebuilt while they run.
    let edgekd = shared.join("bin/edgekd");
    std::fs::copy(env!("CARGO_BIN_EXE_edgekd"), &edgekd).unwrap();
    let corpus = shared.join("reviews.csv");
    write_reviews(&corpus, 200);
    let grid = shared.join("grid.toml");
    std::fs::write(
        &grid,
        format!(
            "corpora = [\"csv:{}\"]\nmethods = [\"synonym\"]\nsizes = [60]\ncopies = [0, 4]\n\
             degrees = [0.3]\nmodes = [\"kd\", \"ft\"]\nseeds = [1]\n\n[slurm]\ntasks = 3\n\
             cpus_per_task = 1\nmem = \"2G\"\n",
            corpus.display()
        ),
    )
    .unwrap();
    let cluster_cache = cache_with(&shared.join("cache"), &[("wordnet", &wordnet_dir)]);
    let mut settings: Vec<String> = SETTINGS.iter().map(|s| s.to_string()).collect();
    settings.extend(["--teacher-dir".into(), minilm.display().to_string()]);
    let run_dir = shared.join("run");
    let submit = || {
        let mut c = Command::new(&edgekd);
        c.env("EDGEKD_CACHE", &cluster_cache)
            .args(["slurm", "submit", "--grid"])
            .arg(&grid)
            .arg("--dir")
            .arg(&run_dir)
            .args(["--label-tasks", "3", "--chunk-size", "40", "--"])
            .args(&settings);
        submitted_ids(&output(&mut c))
    };

    // First submission; cells task 0 (two cells) is cancelled between its first and its second cell:
    // as soon as its shard file holds one result line (waiting for RUNNING alone raced with tasks
    // that finish both tiny cells before scancel lands).
    let first = submit();
    let cells_task0 = format!("{}_0", first[2]);
    let task0_results = run_dir.join("results/shard-0-of-3.jsonl");
    let start = Instant::now();
    while line_count(&task0_results) < 1 {
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "cells task 0 never finished a cell: {:?}",
            job_states(&cells_task0)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    output(Command::new("scancel").arg(&cells_task0));
    let ids: Vec<&str> = first.iter().map(String::as_str).collect();
    wait_until_done(&ids, Duration::from_secs(240));
    assert_eq!(job_states(&first[0]), ["COMPLETED"]);
    assert_eq!(job_states(&first[1]), ["COMPLETED"; 3]);
    let cells_states = job_states(&first[2]);
    assert!(
        cells_states.iter().any(|s| s == "CANCELLED"),
        "{cells_states:?}"
    );
    // The merge job's dependency can no longer be met: it never ran.
    assert!(!run_dir.join("results.jsonl").exists());
    let plan_results = |i: usize| run_dir.join(format!("results/shard-{i}-of-3.jsonl"));
    // Cells are at positions 0..4: task 0 has two of them, tasks 1 and 2 one each.
    let done_before: Vec<usize> = (0..3).map(|i| line_count(&plan_results(i))).collect();
    assert_eq!(done_before[1..], [1, 1], "{done_before:?}");
    assert!(
        done_before[0] < 2,
        "task 0 finished before it was cancelled"
    );
    let chunk_dir = cluster_cache.join("soft-labels.d");
    let chunks = std::fs::read_dir(&chunk_dir).unwrap().count();
    assert!(chunks >= 3, "{chunks} chunk files");
    // Every cell of the cluster read its labels from the chunk files.
    let cache_file = cluster_cache.join("soft-labels.ekdc");
    assert!(std::fs::metadata(&cache_file).map_or(0, |m| m.len()) <= 12);

    // The same submission again completes the grid.
    let second = submit();
    let ids: Vec<&str> = second.iter().map(String::as_str).collect();
    wait_until_done(&ids, Duration::from_secs(240));
    for id in &second {
        assert!(
            job_states(id).iter().all(|s| s == "COMPLETED"),
            "job {id}: {:?}",
            job_states(id)
        );
    }
    assert_eq!(std::fs::read_dir(&chunk_dir).unwrap().count(), chunks);
    let done_after: Vec<usize> = (0..3).map(|i| line_count(&plan_results(i))).collect();
    assert_eq!(done_after, [2, 1, 1], "a finished cell ran twice");
    for i in 0..3 {
        let log = std::fs::read_to_string(run_dir.join(format!("logs/labels-{i}.log"))).unwrap();
        assert_eq!(log.matches("=== edgekd labels task").count(), 2, "{log}");
        assert!(
            log.contains(", 0 labelled in"),
            "labels task {i} labelled again:\n{log}"
        );
    }
    let log = std::fs::read_to_string(run_dir.join("logs/cells-1.log")).unwrap();
    assert!(log.contains("1 already done, 0 run now"), "{log}");
    let cluster = load_results(&run_dir.join("results.jsonl")).unwrap();
    assert_eq!(cluster.by_key.len(), 4);
    assert!(run_dir.join("report/report.md").exists());
    // The labelling stage labelled the test split too: scoring the teacher labelled nothing either.
    assert!(cluster.by_key.values().all(|r| r.labelled_texts == 0));
    assert!(cluster
        .by_key
        .values()
        .all(|r| (r.cell.mode == Mode::Kd) == r.teacher_test_accuracy.is_some()));

    // The same grid locally, with the same teacher but a soft-label cache of its own.
    let local_cache = cache_with(
        &tmp.path().join("local-cache"),
        &[
            ("wordnet", &wordnet_dir),
            ("teachers", &cluster_cache.join("teachers")),
        ],
    );
    let local_results = tmp.path().join("local.jsonl");
    output(
        Command::new(&edgekd)
            .env("EDGEKD_CACHE", &local_cache)
            .args(["sweep", "--grid"])
            .arg(&grid)
            .arg("--results")
            .arg(&local_results)
            .args(&settings),
    );
    let local = load_results(&local_results).unwrap();
    assert_eq!(local.by_key.len(), 4);
    assert!(local.by_key.values().any(|r| r.labelled_texts > 0));
    for (key, l) in &local.by_key {
        let c = &cluster.by_key[key];
        let metrics = |r: &edgekd_host::sweep::CellResult| {
            (
                r.test_accuracy,
                r.test_macro_f1,
                r.dev_accuracy,
                r.realised_degree,
                r.train_examples,
                r.test_outcomes.clone(),
                r.best_epoch,
                r.best_step,
                r.teacher_test_accuracy,
                r.teacher_originals,
            )
        };
        assert_eq!(metrics(c), metrics(l), "{key}");
    }
}
