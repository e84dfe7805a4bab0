//! Results of finished cells: JSON lines, appended one whole line at a time.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Cell, SweepError, TeacherAgreement, TestOutcomes};

/// What one finished cell measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell's key ([`Cell::key`]).
    pub key: String,
    /// The cell.
    pub cell: Cell,
    /// Accuracy on the test split, in `[0, 1]`.
    pub test_accuracy: f64,
    /// Macro-averaged F1 on the test split, in `[0, 1]`.
    pub test_macro_f1: f64,
    /// Accuracy on the dev split (used to choose a degree without looking at the test split).
    pub dev_accuracy: f64,
    /// Mean proportion of word tokens actually changed in the augmented copies (0 without copies).
    pub realised_degree: f64,
    /// Training examples, originals and copies.
    pub train_examples: usize,
    /// Wall time of the cell, seconds (teacher labelling included).
    pub seconds: f64,
    /// Of `seconds`, the time the teacher spent labelling texts the cache did not hold.
    #[serde(default)]
    pub label_seconds: f64,
    /// Of `seconds`, the time spent waiting for the teacher while another cell used it.
    #[serde(default)]
    pub wait_seconds: f64,
    /// Texts the teacher labelled for this cell (the rest came from the cache).
    #[serde(default)]
    pub labelled_texts: usize,
    /// Which test examples the student got right ([`TestOutcomes`]), for paired comparisons. Absent
    /// in results written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_outcomes: Option<TestOutcomes>,
    /// The 1-based epoch of the dev check whose weights were kept (best dev accuracy; an epoch
    /// covers the originals and all their copies once). Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_epoch: Option<usize>,
    /// The optimizer step of that check (checks every `--check-every` examples, the same for KD
    /// and FT, or at each epoch's end). Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_step: Option<usize>,
    /// The student's learning rate: the run's one rate, or the candidate of best dev accuracy
    /// (`--learning-rates`). Absent in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// A KD cell's teacher's accuracy on the test split, in `[0, 1]` (argmax of its logits). Absent
    /// for FT cells and in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher_test_accuracy: Option<f64>,
    /// Originals a KD cell's teacher was fine-tuned on (the cell's own originals, or the shared
    /// teacher's subsample). Absent for FT cells and in older results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher_originals: Option<usize>,
    /// A KD cell's teacher's agreement with the gold label on its augmented copies, overall and by
    /// realised degree ([`TeacherAgreement`]). Absent for FT cells, cells without copies and older
    /// results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher_gold_agreement: Option<TeacherAgreement>,
}

fn io_error(path: &Path, source: std::io::Error) -> SweepError {
    SweepError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Appends results to a file, one JSON line per cell, flushed and synced before returning, so that a
/// kill leaves at most one torn last line.
#[derive(Debug)]
pub struct ResultsWriter {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

#[cfg(test)]
impl CellResult {
    /// A result of `cell` at `accuracy` (test accuracy, macro-F1 and dev accuracy alike), its
    /// realised degree the asked one, 1 s of work, and every optional field absent: the base of the
    /// tests' rows, which override what they need.
    pub(crate) fn fixture(cell: Cell, accuracy: f64) -> Self {
        Self {
            key: cell.key(),
            realised_degree: f64::from(cell.degree),
            train_examples: 500 * (1 + cell.copies),
            cell,
            test_accuracy: accuracy,
            test_macro_f1: accuracy,
            dev_accuracy: accuracy,
            seconds: 1.0,
            label_seconds: 0.0,
            wait_seconds: 0.0,
            labelled_texts: 0,
            test_outcomes: None,
            best_epoch: None,
            best_step: None,
            learning_rate: None,
            teacher_test_accuracy: None,
            teacher_originals: None,
            teacher_gold_agreement: None,
        }
    }
}

impl ResultsWriter {
    /// Opens `path` for appending, creating it (and its folder) if needed.
    pub fn open(path: &Path) -> Result<Self, SweepError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_error(path, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        // A torn last line from a killed run must not swallow the next result.
        let len = file.metadata().map_err(|e| io_error(path, e))?.len();
        let writer = Self {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        };
        if len > 0 && !ends_with_newline(path)? {
            writer.append_raw(b"\n")?;
        }
        Ok(writer)
    }

    /// Appends one result.
    pub fn append(&self, result: &CellResult) -> Result<(), SweepError> {
        let mut line = serde_json::to_vec(result).map_err(|e| SweepError::Io {
            path: self.path.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        self.append_raw(&line)
    }

    fn append_raw(&self, bytes: &[u8]) -> Result<(), SweepError> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(bytes).map_err(|e| io_error(&self.path, e))?;
        file.sync_data().map_err(|e| io_error(&self.path, e))
    }
}

fn ends_with_newline(path: &Path) -> Result<bool, SweepError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    f.seek(SeekFrom::End(-1)).map_err(|e| io_error(path, e))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last).map_err(|e| io_error(path, e))?;
    Ok(last[0] == b'\n')
}

/// The results read from a file: the last result of each key, and the lines that were not results.
#[derive(Clone, Debug, Default)]
pub struct LoadedResults {
    /// Results by key.
    pub by_key: BTreeMap<String, CellResult>,
    /// 1-based numbers of lines that could not be parsed (a torn last line after a kill).
    pub bad_lines: Vec<usize>,
}

/// Reads a results file; a missing file reads as empty.
pub fn load_results(path: &Path) -> Result<LoadedResults, SweepError> {
    let mut loaded = LoadedResults::default();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(loaded),
        Err(e) => return Err(io_error(path, e)),
    };
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| io_error(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<CellResult>(&line) {
            Ok(r) => {
                loaded.by_key.insert(r.key.clone(), r);
            }
            Err(_) => loaded.bad_lines.push(i + 1),
        }
    }
    Ok(loaded)
}

/// Merges result files (for example one per shard) into `out`; a key found twice keeps the later file's.
/// Returns how many distinct cells `out` holds.
pub fn merge_results(inputs: &[PathBuf], out: &Path) -> Result<usize, SweepError> {
    let mut all = BTreeMap::new();
    for input in inputs {
        all.extend(load_results(input)?.by_key);
    }
    let tmp = out.with_extension("merging");
    {
        if tmp.exists() {
            std::fs::remove_file(&tmp).map_err(|e| io_error(&tmp, e))?;
        }
        let writer = ResultsWriter::open(&tmp)?;
        for r in all.values() {
            writer.append(r)?;
        }
    }
    std::fs::rename(&tmp, out).map_err(|e| io_error(out, e))?;
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of docs/results/paper-sweep/results.jsonl, written before per-example outcomes and
    /// the best epoch were recorded.
    const OLD_LINE: &str = r#"{"key":"rotten-tomatoes/synonym/n500/c0/d0.00/kd/s1/data1","cell":{"corpus":"rotten-tomatoes","method":"synonym","size":500,"copies":0,"degree":0.0,"mode":"kd","seed":1,"data_seed":1},"test_accuracy":0.578064012490242,"test_macro_f1":0.3663121444471926,"dev_accuracy":0.5776736924277908,"realised_degree":0.0,"train_examples":500,"seconds":3.738623203,"label_seconds":0.006443302,"wait_seconds":0.024307911,"labelled_texts":0}"#;

    #[test]
    fn old_lines_load_and_new_fields_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        std::fs::write(&path, format!("{OLD_LINE}\n")).unwrap();
        let loaded = load_results(&path).unwrap();
        assert!(loaded.bad_lines.is_empty());
        let mut old = loaded.by_key.into_values().next().unwrap();
        assert_eq!(
            (old.test_outcomes.as_ref(), old.best_epoch, old.best_step),
            (None, None, None)
        );
        assert_eq!(
            (old.teacher_test_accuracy, old.teacher_originals),
            (None, None)
        );
        assert_eq!(old.teacher_gold_agreement, None);
        assert_eq!(old.cell.data_seed(), 1);
        // Written before the teacher control: a shared-teacher cell, under the key it had.
        assert_eq!(old.cell.teacher, crate::sweep::TeacherKind::Shared);
        assert_eq!(old.key, old.cell.key());
        // Written back without the new fields, it is the same line.
        let written = serde_json::to_string(&old).unwrap();
        assert!(
            !written.contains("best_")
                && !written.contains("teacher_test")
                && !written.contains("agreement")
        );
        old.best_epoch = Some(3);
        old.best_step = Some(120);
        old.teacher_test_accuracy = Some(0.8);
        old.teacher_originals = Some(500);
        old.teacher_gold_agreement = TeacherAgreement::of([(true, 0.25)]);
        old.cell.teacher = crate::sweep::TeacherKind::Own;
        old.key = old.cell.key();
        old.test_outcomes = Some(TestOutcomes::new("s".into(), &[0, 1], &[0, 0]));
        let writer = ResultsWriter::open(&path).unwrap();
        writer.append(&old).unwrap();
        // The own-teacher row sits beside the old shared-teacher row: two keys, both kept.
        let again = load_results(&path).unwrap().by_key;
        assert_eq!(again.len(), 2);
        assert_eq!(again[&old.key], old);
    }
}
