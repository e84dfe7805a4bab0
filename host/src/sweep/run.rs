//! Running the cells of a grid in parallel, skipping the finished ones.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::{load_results, Cell, CellResult, Grid, ResultsWriter, Shard, SweepError};

/// Trains and evaluates one cell.
pub trait CellRunner: Sync {
    /// Runs `cell` and returns what it measured (`key`, `cell` and `seconds` are filled in by the sweep).
    fn run(&self, cell: &Cell) -> Result<CellResult, SweepError>;
}

/// Called after each cell finishes (from worker threads).
pub trait SweepProgress: Sync {
    /// `done` of `total` cells of this run are finished; `result` is the latest.
    fn cell_done(&self, done: usize, total: usize, result: &CellResult);
}

impl SweepProgress for () {
    fn cell_done(&self, _: usize, _: usize, _: &CellResult) {}
}

/// What a sweep run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepSummary {
    /// Cells of the grid in this shard.
    pub in_shard: usize,
    /// Cells already in the results file, skipped.
    pub skipped: usize,
    /// Cells run and recorded now.
    pub ran: usize,
    /// Cells that failed (their errors are logged; they are retried by the next run).
    pub failed: usize,
}

/// Runs every cell of `grid` in `shard` that `results` does not hold yet, `jobs` at a time, appending
/// each result as soon as its cell finishes.
pub fn run_sweep(
    grid: &Grid,
    runner: &dyn CellRunner,
    results: &Path,
    shard: Shard,
    jobs: usize,
    progress: &dyn SweepProgress,
) -> Result<SweepSummary, SweepError> {
    let done = load_results(results)?;
    if !done.bad_lines.is_empty() {
        tracing::warn!(
            "{}: ignoring unreadable lines {:?} (a run killed while writing); their cells run again",
            results.display(),
            done.bad_lines
        );
    }
    let in_shard: Vec<Cell> = grid
        .cells()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| shard.contains(*i))
        .map(|(_, c)| c)
        .collect();
    let todo: Vec<&Cell> = in_shard
        .iter()
        .filter(|c| !done.by_key.contains_key(&c.key()))
        .collect();
    let writer = ResultsWriter::open(results)?;
    let finished = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| SweepError::Cell {
            key: "thread pool".into(),
            message: e.to_string(),
        })?;
    let total = todo.len();
    let outcome: Result<(), SweepError> = pool.install(|| {
        todo.par_iter().try_for_each(|cell| {
            let start = Instant::now();
            match runner.run(cell) {
                Ok(mut r) => {
                    r.key = cell.key();
                    r.cell = (*cell).clone();
                    r.seconds = start.elapsed().as_secs_f64();
                    writer.append(&r)?;
                    let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    progress.cell_done(n, total, &r);
                }
                Err(e) => {
                    tracing::error!("{e}");
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
            Ok(())
        })
    });
    outcome?;
    Ok(SweepSummary {
        in_shard: in_shard.len(),
        skipped: in_shard.len() - total,
        ran: finished.into_inner(),
        failed: failed.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::merge_results;
    use std::sync::Mutex;

    const GRID: &str = r#"
corpora = ["toy"]
methods = ["synonym"]
sizes = [100]
copies = [0, 2]
degrees = [0.1, 0.3, 0.5]
modes = ["kd", "ft"]
seeds = [1, 2]
"#;

    /// Records which cells ran; fails (like a kill) after `limit` cells.
    struct Recorder {
        ran: Mutex<Vec<String>>,
        limit: usize,
    }

    impl CellRunner for Recorder {
        fn run(&self, cell: &Cell) -> Result<CellResult, SweepError> {
            let mut ran = self.ran.lock().unwrap();
            if ran.len() >= self.limit {
                return Err(SweepError::Cell {
                    key: cell.key(),
                    message: "killed".into(),
                });
            }
            ran.push(cell.key());
            Ok(CellResult {
                key: String::new(),
                test_accuracy: 0.5 + cell.degree as f64 / 10.0,
                train_examples: 100 * (1 + cell.copies),
                seconds: 0.0,
                ..CellResult::fixture(cell.clone(), 0.5)
            })
        }
    }

    #[test]
    fn a_killed_sweep_resumes_without_repeating_finished_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let grid = Grid::from_toml(GRID).unwrap();
        let total = grid.cells().len();
        let first = Recorder {
            ran: Mutex::new(vec![]),
            limit: 5,
        };
        let s1 = run_sweep(&grid, &first, &path, Shard::ALL, 2, &()).unwrap();
        assert_eq!((s1.ran, s1.failed), (5, total - 5));
        // A kill in the middle of writing leaves a torn line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"key\":\"toy/syn")
            .unwrap();
        let second = Recorder {
            ran: Mutex::new(vec![]),
            limit: usize::MAX,
        };
        let s2 = run_sweep(&grid, &second, &path, Shard::ALL, 2, &()).unwrap();
        assert_eq!((s2.skipped, s2.ran, s2.failed), (5, total - 5, 0));
        let first_keys = first.ran.into_inner().unwrap();
        let second_keys = second.ran.into_inner().unwrap();
        assert!(first_keys.iter().all(|k| !second_keys.contains(k)));
        let loaded = load_results(&path).unwrap();
        assert_eq!(loaded.by_key.len(), total);
        assert_eq!(loaded.bad_lines.len(), 1);
        // A third run has nothing left to do.
        let third = Recorder {
            ran: Mutex::new(vec![]),
            limit: usize::MAX,
        };
        let s3 = run_sweep(&grid, &third, &path, Shard::ALL, 1, &()).unwrap();
        assert_eq!((s3.skipped, s3.ran), (total, 0));
    }

    #[test]
    fn shards_run_separately_merge_into_the_whole_grid() {
        let dir = tempfile::tempdir().unwrap();
        let grid = Grid::from_toml(GRID).unwrap();
        let mut files = vec![];
        for index in 0..3 {
            let path = dir.path().join(format!("shard{index}.jsonl"));
            let r = Recorder {
                ran: Mutex::new(vec![]),
                limit: usize::MAX,
            };
            run_sweep(&grid, &r, &path, Shard { index, count: 3 }, 1, &()).unwrap();
            files.push(path);
        }
        let merged = dir.path().join("all.jsonl");
        assert_eq!(merge_results(&files, &merged).unwrap(), grid.cells().len());
    }

    use std::io::Write;
}
