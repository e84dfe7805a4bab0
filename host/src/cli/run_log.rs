//! The run folder's `run.log`: a second destination for the CLI's log lines, opened once a command
//! knows its run folder (before that, and for other commands, lines go to stderr only).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

static RUN_LOG: OnceLock<Mutex<File>> = OnceLock::new();

/// A `tracing` writer that appends to the run log when one is open and drops the bytes otherwise.
#[derive(Debug, Clone, Copy)]
pub struct RunLog;

impl Write for RunLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match RUN_LOG.get().map(|f| f.lock()) {
            Some(Ok(mut file)) => file.write(bytes),
            _ => Ok(bytes.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match RUN_LOG.get().map(|f| f.lock()) {
            Some(Ok(mut file)) => file.flush(),
            _ => Ok(()),
        }
    }
}

/// Opens `dir/run.log` (created or truncated) as the run log; a second call keeps the first file.
#[cfg_attr(not(feature = "pipeline"), allow(dead_code))] // only `run` and `distill` have a run folder
pub fn open(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = File::create(dir.join("run.log"))?;
    let _ = RUN_LOG.set(Mutex::new(file));
    Ok(())
}
